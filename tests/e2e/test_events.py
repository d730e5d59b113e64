"""Domain events reach the stack's bus after storage, derived from the table's stream."""

from __future__ import annotations

import json

from infra.local.process import LocalStackProcess
from tests.e2e.clients import BusTap, Frontend, Simulator


def test_a_customer_message_publishes_contact_created_and_message_received(
    stack: LocalStackProcess, frontend: Frontend, simulator: Simulator
) -> None:
    tap = BusTap(stack, "e2e-tap")
    number = simulator.new_number()
    channel = frontend.connect(number)

    simulator.client.post(
        f"/_admin/numbers/{number['phone_number']}/inbound",
        json={"from": "4917612345678", "profile_name": "Lena", "type": "text", "text": "Hallo", "copies": 2},
    ).raise_for_status()

    events = tap.collect({"contact.created", "message.received"})
    received = [
        e
        for e in events
        if e["detail-type"] == "message.received" and e["detail"]["channel_id"] == channel["id"]
    ]
    assert len(received) == 1, events
    assert received[0]["source"] == "wachannel"
    assert received[0]["detail"]["type"] == "text"
    created = [e for e in events if e["detail-type"] == "contact.created"]
    assert any(e["detail"]["contact_id"] == received[0]["detail"]["contact_id"] for e in created)
    assert "Hallo" not in json.dumps(events)
    assert number["api_key"] not in json.dumps(events)
