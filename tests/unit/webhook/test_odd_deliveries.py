"""Deliveries the fuzzing found answered with a server error, or stored so that DynamoDB itself would
refuse them, each pinned down: well-formed JSON is answered 200 and what it holds is stored."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.unit.webhook.aws_faults import dynamodb_key_limits
from tests.unit.webhook.conftest import WORKSPACE, Webhook, cloud, cloud_status, stored_item
from wachannel import aws
from wachannel.domain.contacts import SEARCH_TOKEN_MAX, search_prefix, search_tokens
from wachannel.domain.webhook_parsing import MAX_KEPT_NESTING, NESTED_TOO_DEEP, parse_webhook
from wachannel.store import keys
from wachannel.store.codec import to_attribute

T0 = 1795000000


def text(wamid: str, sender: Any = "4915400000001", **extra: Any) -> dict[str, Any]:
    return {
        "from": sender,
        "id": wamid,
        "timestamp": str(T0),
        "type": "text",
        "text": {"body": "Oi"},
        **extra,
    }


def stored_message(webhook: Webhook, wamid: str) -> dict[str, Any]:
    item = stored_item(keys.message_pk(WORKSPACE, webhook.channel_id, wamid), keys.MESSAGE_SK)
    assert item is not None
    return item


def nested(levels: int) -> str:
    return '{"n":' * levels + "1" + "}" * levels


def test_json_nested_deeper_than_python_reads_is_answered_not_failed(webhook: Webhook) -> None:
    assert webhook.deliver("[" * 5_000 + "]" * 5_000) == (200, {"received": 0})


def test_a_number_longer_than_python_converts_is_kept_as_its_digits(webhook: Webhook) -> None:
    body = json.dumps(cloud(messages=[text("wamid.long-number", referral={"source_id": "N"})]))

    status, answer = webhook.deliver(body.replace('"N"', "9" * 5_000))

    assert (status, answer) == (200, {"received": 1})
    assert stored_message(webhook, "wamid.long-number")["referral"] == {"source_id": "9" * 5_000}


def test_numbers_dynamodb_cannot_hold_are_kept_as_text(webhook: Webhook) -> None:
    message = text("wamid.odd-numbers", referral={"huge": 1e300}, errors=[{"code": 10**50 + 1}])
    pricing = {"billable": True, "rate": 1e-200}

    assert webhook.deliver(cloud(messages=[message]))[0] == 200
    assert webhook.deliver(cloud_status("wamid.odd-pricing", "sent", T0, pricing=pricing))[0] == 200

    item = stored_message(webhook, "wamid.odd-numbers")
    assert item["referral"] == {"huge": "1e+300"}
    assert item["errors"] == [{"code": str(10**50 + 1)}]
    assert stored_message(webhook, "wamid.odd-pricing")["pricing"] == {"billable": True, "rate": "1e-200"}


@pytest.mark.parametrize(
    ("value", "attribute"),
    [
        (10**38, {"N": str(10**38)}),  # one significant digit
        (10**38 + 1, {"S": str(10**38 + 1)}),  # 39 of them
        (9.99e125, {"N": "9.99e+125"}),
        (1e126, {"S": "1e+126"}),
        (1e-130, {"N": "1e-130"}),
        (5e-324, {"S": "5e-324"}),
        (float("inf"), {"S": "inf"}),
    ],
)
def test_a_number_is_stored_as_a_number_exactly_when_dynamodb_holds_it(value: float, attribute: Any) -> None:
    assert to_attribute(value) == attribute


def test_a_part_nested_deeper_than_kept_is_cut_where_it_gets_too_deep(webhook: Webhook) -> None:
    body = json.dumps(cloud(messages=[text("wamid.deep-referral", referral="DEEP")]))

    status, _ = webhook.deliver(body.replace('"DEEP"', nested(600)))

    assert status == 200
    referral = stored_message(webhook, "wamid.deep-referral")["referral"]
    for _ in range(MAX_KEPT_NESTING - 1):
        referral = referral["n"]
    assert referral == {"n": NESTED_TOO_DEEP}


def test_an_unsupported_message_nested_deeper_than_kept_keeps_its_raw_object_cut(webhook: Webhook) -> None:
    message = {
        "from": "4915400000001",
        "id": "wamid.deep-raw",
        "timestamp": str(T0),
        "type": "edit",
        "edit": "DEEP",
    }
    body = json.dumps(cloud(messages=[message]))

    assert webhook.deliver(body.replace('"DEEP"', nested(600)))[0] == 200

    item = stored_message(webhook, "wamid.deep-raw")
    assert item["type"] == "unsupported"
    assert json.loads(item["raw"])["type"] == "edit"
    assert NESTED_TOO_DEEP in item["raw"]


def test_entries_under_an_empty_name_are_left_out_of_kept_parts(webhook: Webhook) -> None:
    message = text("wamid.empty-name", referral={"": "x", "source_id": "ad-1"})

    assert webhook.deliver(cloud(messages=[message]))[0] == 200

    assert stored_message(webhook, "wamid.empty-name")["referral"] == {"source_id": "ad-1"}


@pytest.mark.parametrize("sender", ["1" * 3_000, "hello", "+4915400000001", "49 154 00000001"], ids=repr)
def test_a_sender_that_is_no_whatsapp_id_is_kept_in_the_raw_object_and_names_nobody(
    webhook: Webhook, sender: str
) -> None:
    message = text(f"wamid.sender-{len(sender)}-{sender[:3]}", sender)

    assert webhook.deliver(cloud(messages=[message])) == (200, {"received": 1})

    item = stored_message(webhook, message["id"])
    assert (item["type"], item["filed"], item.get("contact_id")) == ("text", False, None)
    assert json.loads(item["raw"])["from"] == sender


def test_senders_without_digits_do_not_share_a_contact(webhook: Webhook) -> None:
    webhook.deliver(cloud(messages=[text("wamid.nobody-1", "hello"), text("wamid.nobody-2", "world")]))

    assert stored_item(keys.identity_pk(WORKSPACE, "P#"), keys.IDENTITY_SK) is None


def test_an_id_is_measured_in_the_bytes_a_key_holds() -> None:
    fits, too_long = "🙂" * 64, "🙂" * 65  # 256 and 260 bytes of UTF-8

    delivery = parse_webhook(cloud(messages=[text(fits), text(too_long)]))

    assert [message.wamid for message in delivery.messages] == [fits]
    assert [item.reason for item in delivery.unprocessable] == ["message without a usable id"]


def test_a_long_name_is_indexed_by_its_beginning_and_still_found(webhook: Webhook) -> None:
    word = "bartholomew" * 300
    contacts = [{"profile": {"name": f"Ana {word}"}, "wa_id": "4915400000002"}]

    assert (
        webhook.deliver(cloud(messages=[text("wamid.long-name", "4915400000002")], contacts=contacts))[0]
        == 200
    )

    assert f"n:{word[:SEARCH_TOKEN_MAX]}" in search_tokens(None, f"Ana {word}", None, None, None)
    assert search_prefix(word) == (f"n:{word[:SEARCH_TOKEN_MAX]}", [])
    assert stored_message(webhook, "wamid.long-name")["filed"] is True


@pytest.mark.parametrize(
    "value",
    [
        {
            "event": "REJECTED",
            "message_template_name": "order_update",
            "message_template_language": "en",
            "reason": 5,
        },
        {"event": "REJECTED", "message_template_name": "x" * 2_000, "message_template_language": "en"},
        {
            "event": "APPROVED",
            "message_template_name": "order_update",
            "message_template_language": "e" * 2_000,
        },
    ],
    ids=["reason-not-text", "name-longer-than-a-key", "language-longer-than-a-key"],
)
def test_an_odd_template_status_webhook_is_answered(webhook: Webhook, value: dict[str, Any]) -> None:
    change = {"field": "message_template_status_update", "value": value}
    body = {"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [change]}]}

    with dynamodb_key_limits(aws.dynamodb()):
        assert webhook.deliver(body) == (200, {"received": 1})


def test_a_status_without_a_rank_is_recorded_once_however_often_it_comes(webhook: Webhook) -> None:
    deleted = {
        "id": "gBEG-deleted",
        "status": "deleted",
        "timestamp": str(T0),
        "recipient_id": "4915400000003",
    }
    for _ in range(3):
        assert webhook.deliver({"statuses": [deleted]})[0] == 200

    item = stored_message(webhook, "gBEG-deleted")
    assert item["other_statuses"] == [{"status": "deleted", "at": "2026-11-18T11:06:40.000Z"}]
