"""Every authorized route of the OpenAPI document, probed the way an attacker would: bad tokens are
refused by the gateway, and another workspace's ids answer 404 with nothing of the owner's data."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from infra.local.process import LocalStackProcess
from tests.e2e.clients import Frontend, Simulator, seed_conversation
from tests.e2e.test_local_stack import BAD_TOKENS, UNAUTHORIZED

# A body each route accepts, so that what answers is the ownership check, not request validation.
BODIES: dict[tuple[str, str], Any] = {
    ("PATCH", "/channels/{channel_id}"): {"name": "Taken over"},
    ("PUT", "/channels/{channel_id}/api-key"): {"api_key": "stolen-key-0123456789"},
    ("POST", "/channels/{channel_id}/templates"): {
        "name": "probe",
        "category": "UTILITY",
        "language": "en",
        "components": [{"type": "BODY", "text": "Hello there, this is a probe."}],
    },
    ("POST", "/channels/{channel_id}/templates/preview"): {"name": "order_update", "language": "de"},
    ("PATCH", "/channels/{channel_id}/templates/{name}/{language}"): {"enabled": False},
    ("POST", "/channels/{channel_id}/messages"): {"to": "+4917012345678", "type": "text", "text": "probe"},
    ("POST", "/channels/{channel_id}/media/uploads"): {
        "filename": "a.pdf",
        "mime_type": "application/pdf",
        "file_size": 10,
    },
    ("PATCH", "/channels/{channel_id}/profile"): {"about": "Taken over"},
    ("PUT", "/channels/{channel_id}/profile/photo"): {"upload_id": "up_probe"},
    ("PATCH", "/contacts/{contact_id}"): {"first_name": "Taken over"},
}
PUBLIC = {"/openapi.json", "/docs", "/webhooks/360dialog/{channel_id}"}


def _operations(stack: LocalStackProcess) -> list[tuple[str, str]]:
    document = httpx.get(f"{stack.api_url}/openapi.json", timeout=30).raise_for_status().json()
    return [
        (method.upper(), path)
        for path, methods in document["paths"].items()
        if path not in PUBLIC
        for method in methods
    ]


def test_every_route_refuses_every_bad_token(stack: LocalStackProcess) -> None:
    tokens = {kind: make(stack) for kind, make in BAD_TOKENS.items()}
    refused: list[str] = []
    with httpx.Client(base_url=stack.api_url, timeout=30) as client:
        for method, path in _operations(stack):
            url = path.format(
                channel_id="ch_x", contact_id="ct_x", message_id="msg_x", name="x", language="en"
            )
            for kind, token in tokens.items():
                answer = client.request(method, url, headers={"Authorization": f"Bearer {token}"})
                if answer.status_code != 401 or answer.json() != UNAUTHORIZED:
                    refused.append(f"{method} {path} with {kind}: {answer.status_code}")
            if client.request(method, url).status_code != 401:
                refused.append(f"{method} {path} without a token")
    assert refused == []


@pytest.fixture(scope="module")
def owners_data(frontend: Frontend, simulator: Simulator) -> dict[str, str]:
    return seed_conversation(frontend, simulator)


def test_another_workspaces_ids_are_404_on_every_route(
    stack: LocalStackProcess, other_frontend: Frontend, owners_data: dict[str, str]
) -> None:
    leaks: list[str] = []
    for method, path in _operations(stack):
        if "{" not in path:
            continue
        url = path.format(**owners_data)
        answer = other_frontend.client.request(method, url, json=BODIES.get((method, path)))
        text = answer.text
        owned = [
            value
            for key, value in owners_data.items()
            if key in ("phone_number", "customer") and value in text
        ]
        if answer.status_code != 404 or answer.json()["error"]["code"] != "not_found" or owned:
            leaks.append(f"{method} {path}: {answer.status_code} {text[:200]}")
    assert leaks == []


def test_every_route_refuses_a_valid_token_without_a_workspace(stack: LocalStackProcess) -> None:
    token = stack.issuer.mint(None, "no-workspace")
    wrong: list[str] = []
    with httpx.Client(
        base_url=stack.api_url, timeout=30, headers={"Authorization": f"Bearer {token}"}
    ) as client:
        for method, path in _operations(stack):
            url = path.format(
                channel_id="ch_x", contact_id="ct_x", message_id="msg_x", name="x", language="en"
            )
            answer = client.request(method, url, json=BODIES.get((method, path)))
            if answer.status_code != 401 or answer.json()["error"]["code"] != "unauthorized":
                wrong.append(f"{method} {path}: {answer.status_code} {answer.text[:120]}")
    assert wrong == []


def test_another_workspaces_cursors_are_refused_with_no_data(
    frontend: Frontend, other_frontend: Frontend, simulator: Simulator
) -> None:
    number = simulator.new_number()
    frontend.connect(number)
    customers = (f"55119{time.time_ns() % 10**8:08d}", f"55118{time.time_ns() % 10**8:08d}")
    for customer, text in (
        (customers[0], "private words"),
        (customers[0], "more private words"),
        (customers[1], "hi"),
    ):
        simulator.client.post(
            f"/_admin/numbers/{number['phone_number']}/inbound",
            json={"from": customer, "profile_name": "Owner's Customer", "type": "text", "text": text},
        ).raise_for_status()
    [contact] = (
        frontend.client.get("/contacts", params={"query": customers[0]}).raise_for_status().json()["items"]
    )
    lists = ["/channels", "/contacts", "/conversations", f"/contacts/{contact['id']}/messages"]
    wrong: list[str] = []
    for path in lists:
        page = frontend.client.get(path, params={"limit": "1"}).raise_for_status().json()
        if page["next_cursor"] is None:
            wrong.append(f"{path}: the owner's list has a single page; the probe needs a cursor")
            continue
        answer = other_frontend.client.get(path, params={"limit": "1", "cursor": page["next_cursor"]})
        if answer.status_code not in (400, 404) or "items" in answer.json() or "Owner" in answer.text:
            wrong.append(f"{path}: {answer.status_code} {answer.text[:200]}")
    assert wrong == []
