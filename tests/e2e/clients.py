"""How the e2e tests talk to the stack: as a frontend (a workspace's agent) and as 360dialog's admin."""

from __future__ import annotations

import secrets
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
