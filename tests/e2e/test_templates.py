"""Templates end to end: a frontend submits, 360dialog (the simulator) reviews, a status webhook or a
sync brings the verdict, the preview fills a contact's variables, and the schedule syncs every channel."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from infra.local.process import LocalStackProcess
from tests.e2e.clients import Frontend, Simulator

ORDER_UPDATE = {
    "name": "order_update",
    "category": "UTILITY",
    "language": "de",
    "components": [
        {
            "type": "HEADER",
            "format": "TEXT",
            "text": "Bestellung {{1}}",
            "example": {"header_text": ["A-1234"]},
        },
        {
            "type": "BODY",
            "text": "Hallo {{1}}, deine Bestellung {{2}} ist unterwegs.",
            "example": {"body_text": [["Anna", "A-1234"]]},
        },
        {"type": "FOOTER", "text": "Fragen? Antworte einfach."},
        {
            "type": "BUTTONS",
            "buttons": [
                {
                    "type": "URL",
                    "text": "Verfolgen",
                    "url": "https://track.example/{{1}}",
                    "example": ["https://track.example/A-1234"],
                }
            ],
        },
    ],
}


def _eventually(check: Callable[[], bool], seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


def _templates(frontend: Frontend, channel: dict[str, Any], **query: str) -> dict[str, Any]:
    answer = frontend.client.get(f"/channels/{channel['id']}/templates", params=query)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def _status_of(frontend: Frontend, channel: dict[str, Any], name: str) -> str | None:
    items = _templates(frontend, channel, search=name)["items"]
    return next((t["status"] for t in items if t["name"] == name), None)


def _contact_with_an_order(
    frontend: Frontend, simulator: Simulator, number: dict[str, Any]
) -> dict[str, Any]:
    customer = f"55119{time.time_ns() % 10**8:08d}"
    simulator.client.post(
        f"/_admin/numbers/{number['phone_number']}/inbound",
        json={"from": customer, "profile_name": "Bruno Silva", "type": "text", "text": "Wo ist mein Paket?"},
    ).raise_for_status()
    found = frontend.client.get("/contacts", params={"query": customer}).raise_for_status().json()["items"]
    contact = frontend.client.patch(
        f"/contacts/{found[0]['id']}", json={"first_name": "Bruno", "attributes": {"order_id": "B-777"}}
    )
    assert contact.status_code == 200, contact.text
    return dict(contact.json())


def test_submit_review_by_webhook_preview_and_delete(frontend: Frontend, simulator: Simulator) -> None:
    number = simulator.new_number()
    channel = frontend.connect(number)

    submitted = frontend.client.post(f"/channels/{channel['id']}/templates", json=ORDER_UPDATE)
    assert submitted.status_code == 201, submitted.text
    assert submitted.json()["status"] == "PENDING"
    assert _status_of(frontend, channel, "order_update") == "PENDING"

    review = simulator.client.post(
        f"/_admin/numbers/{number['phone_number']}/templates/order_update/de/review",
        json={"status": "APPROVED"},
    )
    assert review.status_code == 200, review.text
    assert [d["status"] for d in review.json()["deliveries"]] == [200]
    assert _status_of(frontend, channel, "order_update") == "APPROVED"

    contact = _contact_with_an_order(frontend, simulator, number)
    preview = frontend.client.post(
        f"/channels/{channel['id']}/templates/preview",
        json={
            "name": "order_update",
            "language": "de",
            "contact_id": contact["id"],
            "parameters": {
                "header": ["{{contact.attributes.order_id}}"],
                "body": ["{{contact.first_name}}", "{{contact.attributes.order_id}}"],
                "buttons": [["{{contact.attributes.order_id}}"]],
            },
        },
    )
    assert preview.status_code == 200, preview.text
    assert preview.json()["header"] == "Bestellung B-777"
    assert preview.json()["body"] == "Hallo Bruno, deine Bestellung B-777 ist unterwegs."
    assert preview.json()["buttons"][0]["url"] == "https://track.example/B-777"

    deleted = frontend.client.delete(f"/channels/{channel['id']}/templates/order_update")
    assert deleted.status_code == 204, deleted.text
    assert _status_of(frontend, channel, "order_update") is None
    assert simulator.client.get(f"/_admin/numbers/{number['phone_number']}/templates").json() == []


def test_a_rejection_reaches_an_on_premise_channel_by_sync(frontend: Frontend, simulator: Simulator) -> None:
    number = simulator.new_number("on_premise")
    channel = frontend.connect(number)
    frontend.client.post(f"/channels/{channel['id']}/templates", json=ORDER_UPDATE).raise_for_status()
    simulator.client.post(
        f"/_admin/numbers/{number['phone_number']}/templates/order_update/de/review",
        json={"status": "REJECTED", "reason": "INVALID_FORMAT"},
    ).raise_for_status()
    assert _status_of(frontend, channel, "order_update") == "PENDING"

    synced = frontend.client.post(f"/channels/{channel['id']}/templates/sync")

    assert synced.status_code == 200, synced.text
    assert synced.json()["updated"] == 1
    [template] = _templates(frontend, channel)["items"]
    assert (template["status"], template["rejected_reason"]) == ("REJECTED", "INVALID_FORMAT")


def test_an_invalid_template_gets_every_broken_rule(frontend: Frontend, simulator: Simulator) -> None:
    channel = frontend.connect(simulator.new_number())

    answer = frontend.client.post(
        f"/channels/{channel['id']}/templates",
        json={**ORDER_UPDATE, "name": "Order Update", "components": [{"type": "BODY", "text": "{{1}}{{2}}"}]},
    )

    assert answer.status_code == 422
    fields = {problem["field"] for problem in answer.json()["error"]["details"]}
    assert {"name", "components.0.text"} <= fields


def test_the_schedule_syncs_every_active_channel(
    stack: LocalStackProcess, frontend: Frontend, simulator: Simulator
) -> None:
    numbers = [simulator.new_number(), simulator.new_number("on_premise")]
    channels = [frontend.connect(number) for number in numbers]
    for number in numbers:
        seeded = simulator.client.post(
            f"/_admin/numbers/{number['phone_number']}/templates/seed",
            json={"count": 30, "languages": ["en", "de"]},
        )
        assert seeded.json() == {"created": 60}

    stack.run_schedule("TemplateSyncTimer")

    def synced(channel: dict[str, Any]) -> bool:
        return _templates(frontend, channel)["last_synced_at"] is not None

    _eventually(lambda: all(synced(channel) for channel in channels))
    for channel in channels:
        page = _templates(frontend, channel, limit="100")
        assert len(page["items"]) == 60
        assert {t["status"] for t in page["items"]} == {"APPROVED"}


def test_another_workspace_sees_no_template(
    frontend: Frontend, other_frontend: Frontend, simulator: Simulator
) -> None:
    channel = frontend.connect(simulator.new_number())
    frontend.client.post(f"/channels/{channel['id']}/templates", json=ORDER_UPDATE).raise_for_status()

    for answer in (
        other_frontend.client.get(f"/channels/{channel['id']}/templates"),
        other_frontend.client.post(f"/channels/{channel['id']}/templates/sync"),
        other_frontend.client.post(
            f"/channels/{channel['id']}/templates/preview", json={"name": "order_update", "language": "de"}
        ),
        other_frontend.client.delete(f"/channels/{channel['id']}/templates/order_update"),
    ):
        assert answer.status_code == 404, answer.text
        assert answer.json()["error"]["code"] == "not_found"


def test_an_enabled_template_with_saved_defaults_goes_out_with_only_its_name(
    frontend: Frontend, simulator: Simulator
) -> None:
    number = simulator.new_number()
    channel = frontend.connect(number)
    frontend.client.patch(
        f"/channels/{channel['id']}", json={"templates_enabled_by_default": False}
    ).raise_for_status()
    simulator.client.put(
        f"/_admin/numbers/{number['phone_number']}/templates/order_ready/en",
        json={
            "category": "UTILITY",
            "components": [
                {
                    "type": "BODY",
                    "text": "Hi {{1}}, order {{2}} is ready for pickup.",
                    "example": {"body_text": [["Anna", "A-1"]]},
                }
            ],
        },
    ).raise_for_status()
    frontend.client.post(f"/channels/{channel['id']}/templates/sync").raise_for_status()
    contact = _contact_with_an_order(frontend, simulator, number)
    send = {"to": contact["id"], "type": "template", "template": {"name": "order_ready", "language": "en"}}

    not_yet = frontend.client.post(f"/channels/{channel['id']}/messages", json=send)
    enabled = frontend.client.patch(
        f"/channels/{channel['id']}/templates/order_ready/en",
        json={
            "enabled": True,
            "label": "Pickup",
            "parameter_defaults": {"body": ["{{contact.first_name}}", "{{contact.attributes.order_id}}"]},
        },
    )
    sent = frontend.client.post(f"/channels/{channel['id']}/messages", json=send)

    assert (not_yet.status_code, not_yet.json()["error"]["code"]) == (409, "template_not_enabled")
    assert enabled.status_code == 200, enabled.text
    assert enabled.json()["offered"] is True
    assert sent.status_code == 201, sent.text
    received = (
        simulator.client.get(f"/_admin/numbers/{number['phone_number']}/messages").raise_for_status().json()
    )
    assert [m["rendered_text"] for m in received] == ["Hi Bruno, order B-777 is ready for pickup."]
    assert [t["name"] for t in _templates(frontend, channel, offered="true")["items"]] == ["order_ready"]
