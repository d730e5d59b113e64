"""360dialog (the simulator playing a customer) delivers to the stack's webhook."""

from __future__ import annotations

from typing import Any

import httpx

from tests.e2e.clients import Frontend, Simulator


def _health(frontend: Frontend, channel: dict[str, Any]) -> dict[str, Any]:
    return frontend.client.get(f"/channels/{channel['id']}/health").raise_for_status().json()


def test_concurrent_redeliveries_are_stored_once(frontend: Frontend, simulator: Simulator) -> None:
    number = simulator.new_number()
    channel = frontend.connect(number, greeting_message="Welcome!")

    answer = simulator.client.post(
        f"/_admin/numbers/{number['phone_number']}/inbound",
        json={
            "from": "5511987654321",
            "profile_name": "Ana Souza",
            "type": "text",
            "text": "Is my order shipped?",
            "copies": 4,
            "concurrency": 4,
        },
    )

    assert answer.status_code == 200, answer.text
    assert {d["status"] for d in answer.json()["deliveries"]} == {200}
    delivery = _health(frontend, channel)["delivery"]
    assert delivery["messages_received"] == 1
    assert delivery["duplicates_dropped"] == 3
    assert delivery["last_webhook_at"] is not None


def test_statuses_out_of_order_are_counted_once_each(frontend: Frontend, simulator: Simulator) -> None:
    number = simulator.new_number("on_premise")
    channel = frontend.connect(number)
    events = [
        {
            "kind": "status",
            "message_id": "gBEGkYiEB1VXAglK1ZEqA1YKPrU",
            "status": status,
            "recipient_id": "5511987654321",
        }
        for status in ("read", "sent", "delivered")
    ]

    answer = simulator.client.post(
        f"/_admin/numbers/{number['phone_number']}/batch", json={"events": events, "concurrency": 1}
    )

    assert answer.json()["statuses"] == {"200": 3}
    delivery = _health(frontend, channel)["delivery"]
    assert delivery["statuses_applied"] == 1
    assert delivery["stale_statuses_ignored"] == 2


def test_a_forged_delivery_is_refused(frontend: Frontend, simulator: Simulator) -> None:
    channel = frontend.connect(simulator.new_number())

    answer = httpx.post(
        channel["webhook_url"],
        json={"object": "whatsapp_business_account", "entry": []},
        headers={"X-Webhook-Token": "guessed"},
        timeout=30,
    )

    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "unauthorized"
    assert _health(frontend, channel)["delivery"]["last_webhook_at"] is None


def test_a_customer_conversation_as_the_frontend_sees_it(
    frontend: Frontend, other_frontend: Frontend, simulator: Simulator
) -> None:
    number = simulator.new_number()
    channel = frontend.connect(number)
    customer_forms = ["5511987654321", "551187654321"]  # one Brazilian customer, both forms
    events = [
        {
            "kind": "inbound",
            "from": customer_forms[index % 2],
            "profile_name": "Ana Souza",
            "type": "text",
            "text": f"message {index}",
            "timestamp": 1795000000 + index,
        }
        for index in range(8)
    ]

    answer = simulator.client.post(
        f"/_admin/numbers/{number['phone_number']}/batch",
        json={"events": events, "copies_per_event": 3, "concurrency": 10, "shuffle": True, "seed": 7},
    )

    assert answer.json()["statuses"] == {"200": 24}
    contacts = frontend.client.get("/contacts", params={"channel_id": channel["id"]}).json()["items"]
    assert len(contacts) == 1
    assert contacts[0]["phone_number"] == "+5511987654321"
    messages = frontend.client.get(
        f"/contacts/{contacts[0]['id']}/messages", params={"channel_id": channel["id"], "limit": 100}
    ).json()["items"]
    assert [m["text"] for m in messages] == [f"message {i}" for i in reversed(range(8))]
    conversations = frontend.client.get("/conversations", params={"channel_id": channel["id"]}).json()[
        "items"
    ]
    assert conversations[0]["last_message"]["text"] == "message 7"
    assert conversations[0]["last_inbound_at"] == "2026-11-18T11:06:47Z"
    for path in ("/contacts/{id}", "/contacts/{id}/messages"):
        refused = other_frontend.client.get(path.format(id=contacts[0]["id"]))
        assert refused.status_code == 404
    assert other_frontend.client.get("/contacts", params={"query": "ana"}).json()["items"] == []
