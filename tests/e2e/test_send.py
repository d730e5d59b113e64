"""Sending end to end: a customer writes (the simulator delivers), the greeting goes out once through
the send queue, an agent replies, ticks arrive however 360dialog orders them, and the window and
templates behave as WhatsApp's rules say."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from tests.e2e.clients import Frontend, Simulator

DAY = 24 * 60 * 60


def _eventually(check: Callable[[], bool], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.25)


def _customer_writes(simulator: Simulator, number: dict[str, Any], customer: str, **fields: Any) -> None:
    answer = simulator.client.post(
        f"/_admin/numbers/{number['phone_number']}/inbound",
        json={"from": customer, "profile_name": "Ana Souza", "type": "text", "text": "Hi!", **fields},
    )
    assert answer.status_code == 200, answer.text
    assert {d["status"] for d in answer.json()["deliveries"]} == {200}


def _contact(frontend: Frontend, customer: str) -> dict[str, Any]:
    [contact] = (
        frontend.client.get("/contacts", params={"query": customer}).raise_for_status().json()["items"]
    )
    return dict(contact)


def _sent_at_simulator(simulator: Simulator, number: dict[str, Any]) -> list[dict[str, Any]]:
    return list(
        simulator.client.get(f"/_admin/numbers/{number['phone_number']}/messages").raise_for_status().json()
    )


def _thread(frontend: Frontend, contact: dict[str, Any]) -> list[dict[str, Any]]:
    answer = frontend.client.get(f"/contacts/{contact['id']}/messages").raise_for_status()
    return list(answer.json()["items"])


def _send(frontend: Frontend, channel: dict[str, Any], body: dict[str, Any]) -> Any:
    return frontend.client.post(f"/channels/{channel['id']}/messages", json=body)


def _new_customer() -> str:
    return f"55119{time.time_ns() % 10**8:08d}"


def test_greeting_once_replies_and_ticks_in_order(frontend: Frontend, simulator: Simulator) -> None:
    number = simulator.new_number()
    channel = frontend.connect(number, greeting_message="Hello! We answer within the hour.")
    simulator.client.put(
        f"/_admin/numbers/{number['phone_number']}/outbound",
        json={"statuses": ["sent", "delivered", "read"], "reorder": True, "duplicate": True},
    ).raise_for_status()
    customer = _new_customer()

    _customer_writes(simulator, number, customer, copies=3)
    _customer_writes(simulator, number, customer, text="Are you there?")

    _eventually(lambda: len(_sent_at_simulator(simulator, number)) >= 1)
    time.sleep(2)  # a second greeting job, were there one, would have been sent by now
    [greeting] = _sent_at_simulator(simulator, number)
    assert greeting["rendered_text"] == "Hello! We answer within the hour."

    contact = _contact(frontend, customer)
    text = _send(frontend, channel, {"to": contact["id"], "type": "text", "text": "Your parcel left today."})
    image = _send(
        frontend,
        channel,
        {
            "to": contact["id"],
            "type": "image",
            "media": {"link": "https://cdn.example.com/p/42.jpg", "caption": "Yours"},
        },
    )
    assert text.status_code == image.status_code == 201, (text.text, image.text)

    def all_read() -> bool:
        outbound = [m for m in _thread(frontend, contact) if m["direction"] == "outbound"]
        return len(outbound) == 3 and {m["status"] for m in outbound} == {"read"}

    _eventually(all_read)
    assert [m["type"] for m in _sent_at_simulator(simulator, number)] == ["text", "text", "image"]


def test_after_the_window_only_a_template_goes_out(frontend: Frontend, simulator: Simulator) -> None:
    number = simulator.new_number("on_premise")
    channel = frontend.connect(number)
    customer = _new_customer()
    _customer_writes(simulator, number, customer, timestamp=int(time.time()) - DAY - 60)
    contact = _contact(frontend, customer)
    frontend.client.patch(f"/contacts/{contact['id']}", json={"first_name": "Ana"}).raise_for_status()
    simulator.client.put(
        f"/_admin/numbers/{number['phone_number']}/templates/follow_up/en",
        json={
            "category": "UTILITY",
            "components": [
                {
                    "type": "BODY",
                    "text": "Hi {{1}}, how was your order?",
                    "example": {"body_text": [["Anna"]]},
                }
            ],
        },
    ).raise_for_status()

    refused = _send(frontend, channel, {"to": contact["id"], "type": "text", "text": "Hello again"})
    template = _send(
        frontend,
        channel,
        {
            "to": contact["id"],
            "type": "template",
            "template": {
                "name": "follow_up",
                "language": "en",
                "parameters": {"body": ["{{contact.first_name}}"]},
            },
        },
    )

    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "outside_customer_service_window"
    assert refused.json()["error"]["details"]["window_expired_at"] is not None
    assert template.status_code == 201, template.text
    [sent] = _sent_at_simulator(simulator, number)
    assert sent["rendered_text"] == "Hi Ana, how was your order?"
    assert sent["body"]["template"]["namespace"]


def test_a_template_deleted_at_360dialog_is_not_found_with_the_languages_left(
    frontend: Frontend, simulator: Simulator
) -> None:
    number = simulator.new_number()
    channel = frontend.connect(number)
    customer = _new_customer()
    _customer_writes(simulator, number, customer)
    contact = _contact(frontend, customer)
    for language in ("en", "de"):
        simulator.client.put(
            f"/_admin/numbers/{number['phone_number']}/templates/shipping_note/{language}",
            json={
                "category": "UTILITY",
                "components": [{"type": "BODY", "text": "Your parcel is on its way."}],
            },
        ).raise_for_status()
    frontend.client.post(f"/channels/{channel['id']}/templates/sync").raise_for_status()
    simulator.client.post(
        f"/_admin/numbers/{number['phone_number']}/templates/shipping_note/de/review",
        json={"status": "DELETED"},
    ).raise_for_status()

    answer = _send(
        frontend,
        channel,
        {"to": contact["id"], "type": "template", "template": {"name": "shipping_note", "language": "de"}},
    )

    assert answer.status_code == 404, answer.text
    assert answer.json()["error"]["code"] == "template_not_found"
    assert answer.json()["error"]["details"]["available_languages"] == ["en"]
    assert _sent_at_simulator(simulator, number) == []


def test_the_same_idempotency_key_sends_once(frontend: Frontend, simulator: Simulator) -> None:
    number = simulator.new_number()
    channel = frontend.connect(number)
    customer = _new_customer()
    _customer_writes(simulator, number, customer)
    body = {"to": f"+{customer}", "type": "text", "text": "Exactly once"}
    headers = {"Idempotency-Key": f"e2e-{customer}"}

    answers = [
        frontend.client.post(f"/channels/{channel['id']}/messages", json=body, headers=headers)
        for _ in range(3)
    ]

    assert {a.status_code for a in answers} == {201}
    assert len({a.json()["id"] for a in answers}) == 1
    assert len(_sent_at_simulator(simulator, number)) == 1
