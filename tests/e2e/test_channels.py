"""Channels over HTTP, as a frontend and 360dialog (the simulator) see them."""

from __future__ import annotations

import httpx
import pytest

from infra.local.process import LocalStackProcess
from tests.e2e.clients import Frontend, Simulator


@pytest.mark.parametrize("generation", ["cloud", "on_premise"])
def test_connecting_registers_our_webhook_and_secret_at_360dialog(
    frontend: Frontend, simulator: Simulator, stack: LocalStackProcess, generation: str
) -> None:
    number = simulator.new_number(generation)

    channel = frontend.connect(number, greeting_message="Hello from the shop")

    assert channel["webhook_url"] == f"{stack.webhook_base_url}/{channel['id']}"
    assert channel["api_key_masked"] == f"****{number['api_key'][-4:]}"
    webhook = simulator.number(number["phone_number"])["webhook"]
    assert webhook["url"] == channel["webhook_url"]
    assert len(webhook["headers"]["X-Webhook-Token"]) >= 32
    listed = frontend.client.get("/channels", params={"limit": 100}).json()
    assert channel["id"] in {c["id"] for c in listed["items"]}


def test_a_refused_key_is_422_and_nothing_is_connected(frontend: Frontend, simulator: Simulator) -> None:
    number = simulator.new_number()

    answer = frontend.client.post(
        "/channels",
        json={
            "name": "Support",
            "phone_number": f"+{number['phone_number']}",
            "api_key": "not-the-right-key",
        },
    )

    assert answer.status_code == 422
    assert answer.json()["error"]["code"] == "invalid_api_key"
    assert simulator.number(number["phone_number"])["webhook"] is None


def test_a_key_revoked_at_360dialog_shows_in_health_and_a_new_one_heals_it(
    frontend: Frontend, simulator: Simulator
) -> None:
    number = simulator.new_number()
    channel = frontend.connect(number)
    health_url = f"/channels/{channel['id']}/health"
    assert frontend.client.get(health_url).json()["api_key_valid"] is True

    simulator.client.post(f"/_admin/numbers/{number['phone_number']}/revoke-key").raise_for_status()
    broken = frontend.client.get(health_url).json()
    new_key = simulator.new_key_through_partner_api(number["phone_number"])
    replaced = frontend.client.put(f"/channels/{channel['id']}/api-key", json={"api_key": new_key})
    healed = frontend.client.get(health_url).json()

    assert broken["api_key_valid"] is False
    assert broken["problems"][0]["code"] == "api_key_invalid"
    assert replaced.status_code == 200
    assert replaced.json()["api_key_masked"] == f"****{new_key[-4:]}"
    assert healed["api_key_valid"] is True
    assert healed["webhook_url_matches"] is True
    assert frontend.client.get(f"/channels/{channel['id']}/api-key").json() == {"api_key": new_key}


def test_refresh_rotates_the_key_through_the_partner_api(frontend: Frontend, simulator: Simulator) -> None:
    number = simulator.new_number()
    channel = frontend.connect(number)
    secret_before = simulator.number(number["phone_number"])["webhook"]["headers"]["X-Webhook-Token"]

    answer = frontend.client.post(f"/channels/{channel['id']}/api-key/refresh")

    assert answer.status_code == 200, answer.text
    at_360dialog = simulator.number(number["phone_number"])
    assert at_360dialog["api_key"] != number["api_key"]
    assert answer.json()["api_key_masked"] == f"****{at_360dialog['api_key'][-4:]}"
    assert at_360dialog["webhook"]["headers"]["X-Webhook-Token"] != secret_before
    health = frontend.client.get(f"/channels/{channel['id']}/health").json()
    assert health["api_key_valid"] is True
    assert health["webhook_url_matches"] is True
    audit = frontend.client.get(f"/channels/{channel['id']}/audit").json()["items"]
    assert {"api_key_refreshed", "webhook_registered"} <= {entry["action"] for entry in audit}


def test_provider_throttling_is_reported_with_retry_after(frontend: Frontend, simulator: Simulator) -> None:
    number = simulator.new_number()
    simulator.client.post(
        "/_admin/faults", json={"path_prefix": "/health_status", "status": 429, "retry_after": 30, "times": 5}
    ).raise_for_status()
    try:
        answer = frontend.client.post(
            "/channels",
            json={"name": "S", "phone_number": f"+{number['phone_number']}", "api_key": number["api_key"]},
        )
    finally:
        simulator.client.delete("/_admin/faults")

    assert answer.status_code == 429
    assert answer.json()["error"]["code"] == "rate_limited"
    assert answer.headers["retry-after"] == "30"
    assert simulator.number(number["phone_number"])["webhook"] is None


def test_disconnect_clears_the_webhook_and_keeps_the_channel_readable(
    frontend: Frontend, simulator: Simulator
) -> None:
    number = simulator.new_number()
    channel = frontend.connect(number)

    assert frontend.client.delete(f"/channels/{channel['id']}").status_code == 204

    assert simulator.number(number["phone_number"])["webhook"] is None
    assert frontend.client.get(f"/channels/{channel['id']}").json()["status"] == "disconnected"
    assert frontend.connect(number)["id"] != channel["id"]


def test_another_workspace_gets_404_on_every_channel_route(
    frontend: Frontend, other_frontend: Frontend, simulator: Simulator
) -> None:
    channel = frontend.connect(simulator.new_number())
    path = f"/channels/{channel['id']}"
    probes = [
        ("GET", path, None),
        ("PATCH", path, {"name": "Mine now"}),
        ("DELETE", path, None),
        ("GET", f"{path}/api-key", None),
        ("PUT", f"{path}/api-key", {"api_key": "some-other-key-123"}),
        ("POST", f"{path}/api-key/refresh", None),
        ("GET", f"{path}/audit", None),
        ("GET", f"{path}/health", None),
    ]

    for method, url, body in probes:
        answer = other_frontend.client.request(method, url, json=body)
        assert answer.status_code == 404, (method, url, answer.text)
        assert answer.json()["error"]["code"] == "not_found"
    assert channel["id"] not in other_frontend.client.get("/channels").text
    assert frontend.client.get(path).json()["name"] == "Support"


@pytest.mark.parametrize(
    ("body", "content_type", "status", "code"),
    [
        (b"{not json", "application/json", 400, "invalid_json"),
        (b"<xml/>", "text/xml", 400, "invalid_json"),
        (b'{"name": 5, "phone_number": [], "api_key": null}', "application/json", 422, "validation_error"),
        (b"[1, 2, 3]", "application/json", 422, "validation_error"),
        (b'{"name": "' + b"x" * 70_000 + b'"}', "application/json", 413, "payload_too_large"),
    ],
)
def test_bad_bodies_get_the_envelope_never_a_500(
    frontend: Frontend, body: bytes, content_type: str, status: int, code: str
) -> None:
    answer = frontend.client.post("/channels", content=body, headers={"Content-Type": content_type})

    assert answer.status_code == status, answer.text
    assert answer.json()["error"]["code"] == code
    assert set(answer.json()["error"]) == {"code", "message", "details"}


def test_the_docs_describe_the_api(stack: LocalStackProcess) -> None:
    document = httpx.get(f"{stack.api_url}/openapi.json", timeout=30).json()
    page = httpx.get(f"{stack.api_url}/docs", timeout=30)

    assert "/channels/{channel_id}/health" in document["paths"]
    assert page.status_code == 200
    assert "swagger-ui" in page.text
