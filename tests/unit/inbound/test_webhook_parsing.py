"""The parser is total: whatever arrives gives a delivery, events it cannot store are kept with a reason,
and messages it cannot type are kept whole as `unsupported`."""

from __future__ import annotations

import copy
import random
from datetime import UTC
from typing import Any

import pytest

from tests.unit.inbound.support import (
    BRAZIL_MOBILE,
    BRAZIL_MOBILE_WITHOUT_NINTH_DIGIT,
    FIXTURE_NAMES,
    GERMANY_MOBILE,
    MEXICO_MOBILE,
    at,
    load_fixture,
)
from wachannel.domain.inbound import OtherChange, WebhookDelivery
from wachannel.domain.webhook_parsing import MAX_EVENT_ID_LENGTH, parse_webhook

WAMID = "wamid.HBgNNTUxMTk4NzY1NDMyMRUCABIYFDRBNkQ0QTczN0Q4NEM1Q0JBNjZEAA=="


def text_message(**overrides: Any) -> dict[str, Any]:
    message = {
        "from": BRAZIL_MOBILE,
        "id": WAMID,
        "timestamp": "1717171717",
        "type": "text",
        "text": {"body": "Oi"},
    }
    message.update(overrides)
    return message


def cloud_body(*values: dict[str, Any]) -> dict[str, Any]:
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {"id": "104996615678431", "changes": [{"field": "messages", "value": value} for value in values]}
        ],
    }


def cloud_with_messages(*messages: Any, contacts: list[Any] | None = None) -> dict[str, Any]:
    value: dict[str, Any] = {"messaging_product": "whatsapp", "messages": list(messages)}
    if contacts is not None:
        value["contacts"] = contacts
    return cloud_body(value)


def cloud_with_statuses(*statuses: Any) -> dict[str, Any]:
    return cloud_body({"messaging_product": "whatsapp", "statuses": list(statuses)})


def delivered_status(**overrides: Any) -> dict[str, Any]:
    status = {
        "id": "wamid.HBgNNDkxNTExMjM0NTY3OBUCABEYEjA5QkU4RDQyQTk3RjRBNkE0NQA=",
        "status": "delivered",
        "timestamp": "1717171800",
        "recipient_id": GERMANY_MOBILE,
    }
    status.update(overrides)
    return status


def nested_junk(depth: int) -> Any:
    junk: Any = "bottom"
    for level in range(depth):
        junk = {"messages": [junk]} if level % 2 else [{"id": junk}]
    return junk


# ------------------------------------------------------------------------------------------ bodies


@pytest.mark.parametrize(
    "body",
    [
        None,
        [],
        [{"messages": []}],
        "x",
        "",
        42,
        1.5,
        True,
        {},
        {"object": "page", "entry": []},
        {"messages": "x"},
    ],
    ids=repr,
)
def test_a_body_of_neither_generation_is_unprocessable(body: object):
    delivery = parse_webhook(body)

    assert delivery.event_count == 0
    assert [item.raw for item in delivery.unprocessable] == [body]
    assert delivery.unprocessable[0].reason


@pytest.mark.parametrize(
    "body",
    [
        {"object": "whatsapp_business_account"},
        {"object": "whatsapp_business_account", "entry": "x"},
        {"object": "whatsapp_business_account", "entry": {"changes": []}},
    ],
    ids=repr,
)
def test_a_cloud_body_without_an_entry_list_is_unprocessable(body: dict[str, Any]):
    delivery = parse_webhook(body)

    assert delivery.api_generation == "cloud"
    assert [item.raw for item in delivery.unprocessable] == [body]


def test_broken_entries_and_changes_are_set_aside_and_the_rest_is_read():
    good_change = {"field": "messages", "value": {"messages": [text_message()]}}
    body = {
        "object": "whatsapp_business_account",
        "entry": [
            "not an entry",
            {"id": "1", "changes": "not a list"},
            {"id": "2", "changes": [7, {"field": "messages"}, {"value": {}}, good_change]},
        ],
    }

    delivery = parse_webhook(body)

    assert [message.wamid for message in delivery.messages] == [WAMID]
    assert [item.raw for item in delivery.unprocessable] == [
        "not an entry",
        {"id": "1", "changes": "not a list"},
        7,
        {"field": "messages"},
        {"value": {}},
    ]


def test_an_on_premise_body_is_recognised_by_any_of_its_arrays():
    assert parse_webhook({"statuses": []}).api_generation == "on_premise"
    assert parse_webhook({"errors": []}).api_generation == "on_premise"
    assert parse_webhook({"contacts": [], "messages": [text_message()]}).messages[0].wamid == WAMID


@pytest.mark.parametrize(
    "field",
    ["account_update", "template_category_update", "smb_message_echoes", "a_field_meta_adds_next_year"],
)
def test_changes_other_than_messages_are_kept_as_other_changes(field: str):
    value = {"event": "SOMETHING", "id": 98765}
    body = {
        "object": "whatsapp_business_account",
        "entry": [{"id": "1", "changes": [{"field": field, "value": value}]}],
    }

    assert parse_webhook(body).other_changes == [OtherChange(field=field, value=value)]


def test_arrays_that_are_not_lists_and_items_that_are_not_objects_are_set_aside():
    body = cloud_body(
        {
            "contacts": ["not a contact"],
            "messages": [None, "x", text_message()],
            "statuses": {"id": "x"},
            "errors": [3],
        }
    )

    delivery = parse_webhook(body)

    assert len(delivery.messages) == 1
    assert [item.raw for item in delivery.unprocessable] == ["not a contact", None, "x", {"id": "x"}, 3]


# --------------------------------------------------------------------------------------- senders


def test_profile_names_are_matched_by_id_not_by_position():
    body = cloud_with_messages(
        text_message(id="wamid.A", **{"from": BRAZIL_MOBILE}),
        text_message(id="wamid.B", **{"from": MEXICO_MOBILE}),
        text_message(id="wamid.C", **{"from": GERMANY_MOBILE}),
        contacts=[
            {"profile": {"name": "Luis Hernández"}, "wa_id": MEXICO_MOBILE},
            {"profile": {"name": "Ana Souza"}, "wa_id": BRAZIL_MOBILE},
        ],
    )

    delivery = parse_webhook(body)

    assert [(m.from_wa_id, m.profile_name) for m in delivery.messages] == [
        (BRAZIL_MOBILE, "Ana Souza"),
        (MEXICO_MOBILE, "Luis Hernández"),
        (GERMANY_MOBILE, None),
    ]


def test_a_brazilian_number_with_and_without_the_ninth_digit_are_different_senders_here():
    body = cloud_with_messages(
        text_message(**{"from": BRAZIL_MOBILE_WITHOUT_NINTH_DIGIT}),
        contacts=[{"profile": {"name": "Ana Souza"}, "wa_id": BRAZIL_MOBILE}],
    )

    (message,) = parse_webhook(body).messages

    assert (message.from_wa_id, message.profile_name) == (BRAZIL_MOBILE_WITHOUT_NINTH_DIGIT, None)


def test_the_business_scoped_user_id_comes_from_the_message_or_the_matching_contact():
    with_phone = text_message(id="wamid.A")
    without_phone = text_message(id="wamid.B", from_user_id="BR.99")
    del without_phone["from"]
    body = cloud_with_messages(
        with_phone,
        without_phone,
        contacts=[
            {"profile": {"name": "Ana Souza"}, "wa_id": BRAZIL_MOBILE, "user_id": "BR.1502576394655843"},
            {"profile": {"name": "Bia", "username": "bia.costa"}, "user_id": "BR.99"},
        ],
    )

    delivery = parse_webhook(body)

    assert [(m.from_wa_id, m.user_id, m.profile_name) for m in delivery.messages] == [
        (BRAZIL_MOBILE, "BR.1502576394655843", "Ana Souza"),
        (None, "BR.99", "Bia"),
    ]


def test_numbers_where_text_is_expected_are_read_as_text():
    message = text_message(id=1234567890123, **{"from": int(BRAZIL_MOBILE)})
    contact = {"profile": {"name": "Ana Souza"}, "wa_id": int(BRAZIL_MOBILE)}

    (parsed,) = parse_webhook(cloud_with_messages(message, contacts=[contact])).messages

    assert (parsed.wamid, parsed.from_wa_id, parsed.profile_name) == (
        "1234567890123",
        BRAZIL_MOBILE,
        "Ana Souza",
    )


# ------------------------------------------------------------------------------- ids, timestamps


@pytest.mark.parametrize(
    "message_id",
    [None, "", "   ", "w" * (MAX_EVENT_ID_LENGTH + 1), "w" * 300, {"id": "x"}, ["x"], True, 1.5],
    ids=repr,
)
def test_a_message_without_a_usable_id_is_unprocessable(message_id: object):
    message = text_message(id=message_id)

    delivery = parse_webhook(cloud_with_messages(message))

    assert delivery.messages == []
    assert [item.raw for item in delivery.unprocessable] == [message]


def test_a_message_without_an_id_field_is_unprocessable():
    message = text_message()
    del message["id"]

    assert [item.raw for item in parse_webhook(cloud_with_messages(message)).unprocessable] == [message]


def test_an_id_of_the_longest_storable_length_is_kept():
    longest = "w" * MAX_EVENT_ID_LENGTH

    assert parse_webhook(cloud_with_messages(text_message(id=longest))).messages[0].wamid == longest


@pytest.mark.parametrize("timestamp", ["1717171717", 1717171717, 1717171717.0, " 1717171717 "], ids=repr)
def test_timestamps_are_unix_seconds_as_text_or_number_in_utc(timestamp: object):
    (message,) = parse_webhook(cloud_with_messages(text_message(timestamp=timestamp))).messages

    assert message.timestamp == at(1717171717)
    assert message.timestamp.tzinfo is UTC


@pytest.mark.parametrize(
    "timestamp",
    [
        None,
        "",
        "yesterday",
        "2024-05-31T16:08:37Z",
        "nan",
        "inf",
        "1e400",
        10**400,
        1e300,
        -1e20,
        True,
        [],
        {},
    ],
    ids=repr,
)
def test_an_event_with_an_unreadable_timestamp_is_unprocessable(timestamp: object):
    message = text_message(timestamp=timestamp)
    status = delivered_status(timestamp=timestamp)

    delivery = parse_webhook(cloud_body({"messages": [message], "statuses": [status]}))

    assert delivery.event_count == 0
    assert [item.raw for item in delivery.unprocessable] == [message, status]


@pytest.mark.parametrize("status_id", [None, "", "s" * 300, {}], ids=repr)
def test_a_status_without_a_usable_id_is_unprocessable(status_id: object):
    status = delivered_status(id=status_id)

    delivery = parse_webhook(cloud_with_statuses(status))

    assert delivery.statuses == []
    assert [item.raw for item in delivery.unprocessable] == [status]


# -------------------------------------------------------------------------------------- contents


@pytest.mark.parametrize(
    "message",
    [
        text_message(type="location", location={"longitude": -46.65, "name": "MASP"}),
        text_message(type="location", location={"latitude": "north", "longitude": -46.65}),
        text_message(type="location", location={"latitude": 123.0, "longitude": -46.65}),
        text_message(type="location", location={"latitude": float("nan"), "longitude": -46.65}),
        text_message(text={"preview_url": False}),
        text_message(text="Oi"),
        text_message(text={"body": {"nested": "Oi"}}),
        text_message(type="image", image=["not", "an", "object"]),
        text_message(
            type="interactive", interactive={"type": "call_permission_reply", "call_permission_reply": {}}
        ),
        text_message(type="interactive", interactive={"type": "button_reply"}),
        text_message(
            type="interactive", interactive={"type": "nfm_reply", "nfm_reply": {"response_json": {}}}
        ),
        text_message(type="reaction", reaction={"emoji": "👍"}),
        text_message(type="contacts", contacts={"name": {"formatted_name": "Bo Li"}}),
        text_message(type="contacts", contacts=["Bo Li"]),
        text_message(type="order", order={"catalog_id": "1", "product_items": ["sku1"]}),
        text_message(type="system", system="changed"),
        text_message(type="button", button=None),
        text_message(type="unknown"),
        text_message(type="unsupported", unsupported={"type": "edit"}),
        text_message(type="group_invite", group_invite={"link": "x"}),
        text_message(type=7),
        text_message(type=None),
    ],
    ids=lambda message: (
        f"{message['type']}:{message.get(message['type']) if isinstance(message['type'], str) else ''}"
    ),
)
def test_an_unknown_type_or_unreadable_content_is_kept_whole_as_unsupported(message: dict[str, Any]):
    contacts = [{"profile": {"name": "Ana Souza"}, "wa_id": BRAZIL_MOBILE}]

    delivery = parse_webhook(cloud_with_messages(message, contacts=contacts))

    (parsed,) = delivery.messages
    assert (parsed.type, parsed.raw) == ("unsupported", message)
    assert (parsed.wamid, parsed.from_wa_id, parsed.profile_name) == (WAMID, BRAZIL_MOBILE, "Ana Souza")
    assert (parsed.text, parsed.media, parsed.location, parsed.interactive) == (None, None, None, None)


def test_an_unsupported_message_keeps_its_context_and_errors():
    message = text_message(
        type="unsupported",
        context={"from": "493022404512", "id": "wamid.replied"},
        errors=[
            {"code": 131051, "title": "Message type unknown", "error_data": {"details": "Edits"}},
            "junk",
        ],
    )

    (parsed,) = parse_webhook(cloud_with_messages(message)).messages

    assert parsed.context is not None
    assert parsed.context.message_id == "wamid.replied"
    assert [(error.code, error.details) for error in parsed.errors] == [(131051, "Edits")]


@pytest.mark.parametrize(
    "removed", [{"message_id": "wamid.X"}, {"message_id": "wamid.X", "emoji": ""}], ids=repr
)
def test_a_removed_reaction_has_no_emoji(removed: dict[str, Any]):
    (message,) = parse_webhook(cloud_with_messages(text_message(type="reaction", reaction=removed))).messages

    assert message.reaction is not None
    assert (message.type, message.reaction.message_id, message.reaction.emoji) == (
        "reaction",
        "wamid.X",
        None,
    )


def test_media_without_an_id_is_still_media():
    image = {"mime_type": "image/jpeg", "caption": "blurry"}

    (message,) = parse_webhook(cloud_with_messages(text_message(type="image", image=image))).messages

    assert message.media is not None
    assert (message.type, message.media.id, message.media.caption) == ("image", None, "blurry")


def test_a_frequently_forwarded_message_and_a_referral_are_kept_on_any_type():
    referral = {"source_type": "ad", "source_id": "1202", "ctwa_clid": "ARAk"}
    message = text_message(
        type="image",
        image={"id": "1480239517412290"},
        context={"forwarded": True, "frequently_forwarded": True},
        referral=referral,
    )

    (parsed,) = parse_webhook(cloud_with_messages(message)).messages

    assert parsed.context is not None
    assert (parsed.context.forwarded, parsed.context.frequently_forwarded) == (True, True)
    assert parsed.referral == referral


def test_a_string_context_or_referral_is_ignored_and_the_message_kept():
    (parsed,) = parse_webhook(cloud_with_messages(text_message(context="x", referral=["y"]))).messages

    assert (parsed.type, parsed.text, parsed.context, parsed.referral) == ("text", "Oi", None, None)


# -------------------------------------------------------------------------------------- statuses


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("DELIVERED", "delivered"),
        ("Read", "read"),
        ("played", "played"),
        ("pending", "unknown"),
        ("", "unknown"),
        (3, "unknown"),
    ],
)
def test_status_values_are_normalised_and_the_original_kept(raw: object, normalised: str):
    (status,) = parse_webhook(cloud_with_statuses(delivered_status(status=raw))).statuses

    assert (status.status, status.status_raw) == (normalised, str(raw))


def test_a_status_without_a_status_value_is_unknown():
    status = delivered_status()
    del status["status"]

    (parsed,) = parse_webhook(cloud_with_statuses(status)).statuses

    assert (parsed.status, parsed.status_raw) == ("unknown", "")


def test_a_status_for_a_username_only_customer_names_the_user_id():
    status = delivered_status(recipient_user_id="US.13491208655302741918")
    del status["recipient_id"]

    (parsed,) = parse_webhook(cloud_with_statuses(status)).statuses

    assert (parsed.recipient_wa_id, parsed.recipient_user_id) == (None, "US.13491208655302741918")


# ----------------------------------------------------------------------------------------- junk


def test_deeply_nested_junk_is_unprocessable_without_raising():
    junk = nested_junk(401)
    body = cloud_body(
        {"messages": [junk, text_message(text={"body": junk})], "statuses": [junk], "contacts": [junk]}
    )

    delivery = parse_webhook(body)

    assert [message.type for message in delivery.messages] == ["unsupported"]
    assert [item.reason for item in delivery.unprocessable] == [
        "contact is not an object",
        "message is not an object",
        "status is not an object",
    ]
    assert parse_webhook(junk).unprocessable[0].raw is junk


JUNK_VALUES: list[Any] = [
    None,
    True,
    0,
    -1,
    1e308,
    "",
    "x" * 300,
    [],
    [None],
    {},
    {"id": None},
    nested_junk(5),
]


def mutated(node: Any, rng: random.Random) -> Any:
    """The node with one value somewhere inside it swapped for junk."""
    if not isinstance(node, dict | list) or not node or rng.random() < 0.15:
        return copy.deepcopy(rng.choice(JUNK_VALUES))
    key = rng.choice(list(node)) if isinstance(node, dict) else rng.randrange(len(node))
    node[key] = mutated(node[key], rng)
    return node


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_fixtures_with_junk_anywhere_never_break_the_parser(name: str):
    rng = random.Random(name)
    for _ in range(60):
        body = mutated(load_fixture(name), rng)

        delivery = parse_webhook(body)

        assert isinstance(delivery, WebhookDelivery)
        events = [(m.wamid, m.timestamp) for m in delivery.messages] + [
            (s.wamid, s.timestamp) for s in delivery.statuses
        ]
        assert all(0 < len(wamid) <= MAX_EVENT_ID_LENGTH and when.tzinfo is UTC for wamid, when in events)
