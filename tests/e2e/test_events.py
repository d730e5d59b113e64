"""Domain events reach the stack's bus after storage, derived from the table's stream."""

from __future__ import annotations

import json
import secrets
from typing import Any

from infra.local.process import LocalStackProcess
from tests.e2e.clients import BusTap, Frontend, Simulator


def test_a_customer_message_publishes_contact_created_and_message_received(
    stack: LocalStackProcess, frontend: Frontend, simulator: Simulator
) -> None:
    tap = BusTap(stack, "e2e-tap")
    number = simulator.new_number()
    channel = frontend.connect(number)
    # A person no other suite of the session has written as, so that this is their first message.
    new_customer = f"49176{secrets.randbelow(10**8):08d}"

    simulator.client.post(
        f"/_admin/numbers/{number['phone_number']}/inbound",
        json={"from": new_customer, "profile_name": "Lena", "type": "text", "text": "Hallo", "copies": 2},
    ).raise_for_status()

    def received_on_channel(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [
            e
            for e in events
            if e["detail-type"] == "message.received" and e["detail"]["channel_id"] == channel["id"]
        ]

    def contacts_created(events: list[dict[str, Any]]) -> set[str]:
        return {e["detail"]["contact_id"] for e in events if e["detail-type"] == "contact.created"}

    def both_seen(events: list[dict[str, Any]]) -> bool:
        # Other suites' events may still be on their way: wait for this message's own two.
        return any(e["detail"]["contact_id"] in contacts_created(events) for e in received_on_channel(events))

    events = tap.collect(both_seen)
    received = received_on_channel(events)
    assert len(received) == 1, events
    assert received[0]["source"] == "wachannel"
    assert received[0]["detail"]["type"] == "text"
    assert received[0]["detail"]["contact_id"] in contacts_created(events)
    assert "Hallo" not in json.dumps(events)
    assert number["api_key"] not in json.dumps(events)
