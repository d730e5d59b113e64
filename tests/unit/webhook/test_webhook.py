from __future__ import annotations

import pytest

from tests.unit.support import Api
from tests.unit.webhook.conftest import (
    Webhook,
    cloud_status,
    cloud_text,
    items_of,
    queued_jobs,
    table_items,
)

T0 = 1795000000
WAMID = "wamid.HBgNNTUxMTk4NzY1NDMyMRUCABIYFjNFQjBCMEE2N0Q2QUQ3RjVFQzQ4AA=="
SENT_WAMID = "wamid.HBgNNDkxNTExMjM0NTY3OBUCABEYEjA5QkU4RDQyQTk3RjRBNkE0NQA="


def test_a_wrong_or_missing_token_is_401_and_stores_nothing(webhook: Webhook):
    before = table_items()

    for token in ("", "not-the-secret"):
        status, body = webhook.deliver(cloud_text("5511987654321", WAMID, "Hi", T0), token=token)
        assert status == 401
        assert body["error"]["code"] == "unauthorized"

    assert table_items() == before


def test_an_unknown_channel_is_404(webhook: Webhook):
    status, body = webhook.deliver(cloud_text("5511987654321", WAMID, "Hi", T0), channel_id="ch_nope")

    assert status == 404
    assert body["error"]["code"] == "not_found"


def test_a_body_that_is_not_json_is_400(webhook: Webhook):
    status, body = webhook.deliver("{not json")

    assert status == 400
    assert body["error"]["code"] == "invalid_json"


def test_a_first_message_creates_the_contact_conversation_and_greeting(webhook: Webhook):
    status, body = webhook.deliver(cloud_text("551187654321", WAMID, "Hi, is my order shipped?", T0))

    assert (status, body) == (200, {"received": 1})
    [contact] = items_of("contact")
    assert contact["phone_number"] == "+5511987654321"
    assert contact["whatsapp_id"] == "551187654321"
    assert contact["profile_name"] == "Ana Souza"
    [message] = items_of("message")
    assert message["text"] == "Hi, is my order shipped?"
    assert message["contact_id"] == contact["id"]
    assert message["status"] == "received"
    [conversation] = items_of("conversation")
    assert conversation["last_inbound_at"] == "2026-11-18T11:06:40.000Z"
    assert conversation["last_message"]["text"] == "Hi, is my order shipped?"
    [job] = queued_jobs()
    assert job["kind"] == "greeting"
    assert job["contact_id"] == contact["id"]


def test_redeliveries_store_one_message_and_greet_once(webhook: Webhook, api: Api):
    payload = cloud_text("5511987654321", WAMID, "Hi", T0)

    answers = [webhook.deliver(payload) for _ in range(3)]

    assert all(answer == (200, {"received": 1}) for answer in answers)
    assert len(items_of("message")) == 1
    assert len(items_of("contact")) == 1
    assert len(queued_jobs()) == 1
    _, health = api.call(
        "GET", "/channels/{channel_id}/health", path_parameters={"channel_id": webhook.channel_id}
    )
    assert health["delivery"]["messages_received"] == 1
    assert health["delivery"]["duplicates_dropped"] == 2
    assert health["delivery"]["last_webhook_at"] is not None
    assert "no_webhook_received" not in [p["code"] for p in health["problems"]]


@pytest.mark.parametrize(
    ("first", "second"),
    [("5511987654321", "551187654321"), ("5215512345678", "525512345678"), ("5491123456789", "541123456789")],
)
def test_both_forms_of_a_number_are_one_contact(webhook: Webhook, first: str, second: str):
    webhook.deliver(cloud_text(first, "wamid.A", "one", T0))
    webhook.deliver(cloud_text(second, "wamid.B", "two", T0 + 5, name="Ana S."))

    [contact] = items_of("contact")
    assert contact["whatsapp_id"] == second
    assert contact["profile_name"] == "Ana S."
    assert {m["contact_id"] for m in items_of("message")} == {contact["id"]}
    assert len(queued_jobs()) == 1


def test_a_brazilian_landline_is_not_the_mobile(webhook: Webhook):
    webhook.deliver(cloud_text("551133334444", "wamid.A", "landline", T0))
    webhook.deliver(cloud_text("5511933334444", "wamid.B", "mobile", T0))

    assert len(items_of("contact")) == 2


def test_a_late_older_message_never_moves_the_window_back(webhook: Webhook):
    webhook.deliver(cloud_text("5511987654321", "wamid.NEW", "newer", T0 + 600))
    webhook.deliver(cloud_text("5511987654321", "wamid.OLD", "older", T0))

    [conversation] = items_of("conversation")
    assert conversation["last_inbound_at"] == "2026-11-18T11:16:40.000Z"
    assert conversation["last_message"]["text"] == "newer"
    assert len(items_of("message")) == 2


def test_statuses_never_move_backwards(webhook: Webhook, api: Api):
    for status in ("read", "delivered", "sent", "read"):
        webhook.deliver(cloud_status(SENT_WAMID, status, T0))

    [stored] = [i for i in table_items() if "#M#" in i["PK"]]
    assert stored["status"] == "read"
    _, health = api.call(
        "GET", "/channels/{channel_id}/health", path_parameters={"channel_id": webhook.channel_id}
    )
    assert health["delivery"]["statuses_applied"] == 1
    assert health["delivery"]["stale_statuses_ignored"] == 2
    assert health["delivery"]["duplicates_dropped"] == 1


def test_failed_is_kept_with_its_error_until_a_read_proves_delivery(webhook: Webhook):
    failure = [{"code": 131047, "title": "Re-engagement message", "message": "Re-engagement message"}]
    webhook.deliver(cloud_status(SENT_WAMID, "sent", T0))
    webhook.deliver(cloud_status(SENT_WAMID, "failed", T0 + 1, errors=failure))
    webhook.deliver(cloud_status(SENT_WAMID, "delivered", T0 + 2))

    [stored] = [i for i in table_items() if "#M#" in i["PK"]]
    assert stored["status"] == "failed"
    assert stored["error"] == {"code": "131047", "message": "Re-engagement message"}

    webhook.deliver(cloud_status(SENT_WAMID, "read", T0 + 3))

    [stored] = [i for i in table_items() if "#M#" in i["PK"]]
    assert stored["status"] == "read"
    assert "error" not in stored


def test_a_disconnected_channel_is_answered_and_counted_without_activity(webhook: Webhook, api: Api):
    api.call(
        "DELETE", "/channels/{channel_id}", path_parameters={"channel_id": webhook.channel_id}, expect=204
    )

    status, body = webhook.deliver(cloud_text("5511987654321", WAMID, "anyone there?", T0))

    assert (status, body) == (200, {"received": 1})
    assert items_of("conversation") == []
    assert queued_jobs() == []
