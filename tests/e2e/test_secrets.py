"""No API key or webhook secret reaches a log line, an event, an error or a list response. What is
searched is everything of the whole e2e session: all the stack printed, every event on the bus and
every answer the agents' clients got; so this module runs last."""

from __future__ import annotations

import json

import httpx

from infra.local.process import LocalStackProcess
from tests.e2e.clients import Answer, Frontend, Simulator
from tests.e2e.conftest import SessionRecord


def _exercise_every_channel_route(frontend: Frontend, simulator: Simulator) -> tuple[set[str], list[str]]:
    """Drives connect, key view, replace, refresh, health, audit and a few refusals; returns the keys
    used and the bodies of every answer."""
    number = simulator.new_number()
    channel = frontend.connect(number)
    path = f"/channels/{channel['id']}"
    replacement = simulator.new_key_through_partner_api(number["phone_number"])
    refused_key = "refused-key-0123456789"
    answers = [
        frontend.client.get(f"{path}/api-key"),
        frontend.client.put(f"{path}/api-key", json={"api_key": replacement}),
        frontend.client.put(f"{path}/api-key", json={"api_key": refused_key}),
        frontend.client.patch(path, json={"api_key": refused_key, "name": ""}),
        frontend.client.post(f"{path}/api-key/refresh"),
        frontend.client.get(f"{path}/health"),
        frontend.client.get(f"{path}/audit"),
        frontend.client.get("/channels"),
    ]
    return {number["api_key"], replacement, refused_key}, [answer.text for answer in answers[1:]]


def test_no_key_or_secret_in_logs_events_errors_or_lists(
    stack: LocalStackProcess, frontend: Frontend, simulator: Simulator, session_record: SessionRecord
) -> None:
    keys, bodies = _exercise_every_channel_route(frontend, simulator)
    numbers = simulator.client.get("/_admin/numbers").raise_for_status().json()
    partner = simulator.client.get("/_admin/partner").raise_for_status().json()
    keys |= {n["api_key"] for n in numbers if n["api_key"]} | {n.api_key for n in stack.numbers}
    webhook_secrets = {
        n["webhook"]["headers"]["X-Webhook-Token"]
        for n in numbers
        if n["webhook"] and n["webhook"]["headers"]
    }
    secrets = keys | webhook_secrets | {partner["partner_api_key"]}
    lists = [
        httpx.get(f"{stack.api_url}/channels", params={"limit": 100}, headers=_auth(token), timeout=30).text
        for token in stack.tokens.values()
    ]
    log = stack.log_path.read_text()
    events = json.dumps(session_record.bus.drain())
    # Viewing a channel's key is the one answer that holds it, by design (and audited).
    answers = "\n".join(
        [answer.body for answer in session_record.answers if not _is_key_view(answer)] + bodies + lists
    )

    assert webhook_secrets, "the session registered webhooks"
    assert len(log.splitlines()) > 50, "the log holds the session's lines"
    assert "message.received" in events, "the bus carried the session's events"
    assert len(session_record.answers) > len(bodies), "the agents' answers were recorded, these too"
    for secret in secrets:
        assert secret not in log
        assert secret not in events
        assert secret not in answers


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _is_key_view(answer: Answer) -> bool:
    return answer.method == "GET" and answer.path.endswith("/api-key")
