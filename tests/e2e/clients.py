"""How the e2e tests talk to the stack: as a frontend (a workspace's agent) and as 360dialog's admin."""

from __future__ import annotations

import secrets
import time
from typing import Any

import httpx


class Simulator:
    def __init__(self, client: httpx.Client) -> None:
        self.client = client

    def new_number(self, generation: str = "cloud") -> dict[str, Any]:
        digits = f"49151{secrets.randbelow(10**8):08d}"
        answer = self.client.post(
            "/_admin/numbers", json={"phone_number": digits, "api_generation": generation}
        )
        assert answer.status_code == 201, answer.text
        return answer.json()

    def number(self, digits: str) -> dict[str, Any]:
        return self.client.get(f"/_admin/numbers/{digits}").raise_for_status().json()

    def new_key_through_partner_api(self, digits: str) -> str:
        partner = self.client.get("/_admin/partner").raise_for_status().json()
        channel_id = self.number(digits)["partner_channel_id"]
        answer = self.client.post(
            f"/api/v2/partners/{partner['partner_id']}/channels/{channel_id}/api_keys",
            headers={"X-API-Key": partner["partner_api_key"]},
        )
        return str(answer.raise_for_status().json()["api_key"])


class Frontend:
    def __init__(self, base_url: str, token: str) -> None:
        self.client = httpx.Client(
            base_url=base_url, headers={"Authorization": f"Bearer {token}"}, timeout=30
        )

    def connect(self, number: dict[str, Any], **fields: Any) -> dict[str, Any]:
        answer = self.client.post(
            "/channels",
            json={
                "name": "Support",
                "phone_number": f"+{number['phone_number']}",
                "api_key": number["api_key"],
                "api_generation": number["api_generation"],
                **fields,
            },
        )
        assert answer.status_code == 201, answer.text
        return answer.json()


def seed_conversation(frontend: Frontend, simulator: Simulator) -> dict[str, str]:
    """A connected channel, a customer's text message to it (so a contact and a conversation) and a
    synced template, keyed by the API's path-parameter names (plus the two phone numbers)."""
    number = simulator.new_number()
    channel = frontend.connect(number)
    customer = f"55119{time.time_ns() % 10**8:08d}"
    simulator.client.post(
        f"/_admin/numbers/{number['phone_number']}/inbound",
        json={"from": customer, "profile_name": "Owner's Customer", "type": "text", "text": "private words"},
    ).raise_for_status()
    [contact] = (
        frontend.client.get("/contacts", params={"query": customer}).raise_for_status().json()["items"]
    )
    [message] = frontend.client.get(f"/contacts/{contact['id']}/messages").raise_for_status().json()["items"]
    simulator.client.put(
        f"/_admin/numbers/{number['phone_number']}/templates/order_update/de",
        json={
            "category": "UTILITY",
            "components": [{"type": "BODY", "text": "Ihre Bestellung ist unterwegs."}],
        },
    ).raise_for_status()
    frontend.client.post(f"/channels/{channel['id']}/templates/sync").raise_for_status()
    return {
        "channel_id": channel["id"],
        "contact_id": contact["id"],
        "message_id": message["id"],
        "name": "order_update",
        "language": "de",
        "phone_number": channel["phone_number"],
        "customer": customer,
    }
