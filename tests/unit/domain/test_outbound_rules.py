from __future__ import annotations

import math
from typing import Any

import pytest

from wachannel.api.messages import SendMessageRequest
from wachannel.domain.messages import message_id
from wachannel.domain.outbound import (
    Interactive,
    Location,
    MediaContent,
    ReactionContent,
    TemplateContent,
    TextContent,
    is_single_emoji,
    outbound_message,
    send_problems,
)
from wachannel.domain.template_rendering import TemplateValues
from wachannel.errors import ValidationFailed

CHANNEL_ID = "ch_01JCHANNEL"
INBOUND_WAMID = "wamid.HBgNNDkxNTExMjM0NTY3OBUCABIYFjNFQjBDNzE3RjI1OTc0RUM1QUU0AA=="
INBOUND_MESSAGE_ID = message_id(CHANNEL_ID, INBOUND_WAMID)
OTHER_CHANNELS_MESSAGE_ID = message_id("ch_01JOTHER", INBOUND_WAMID)

BUTTONS = {
    "type": "button",
    "body": "Confirm the appointment?",
    "buttons": [{"id": "appt_yes", "title": "Yes"}, {"id": "appt_no", "title": "No"}],
}
LIST = {
    "type": "list",
    "body": "Pick a day",
    "button": "Days",
    "sections": [{"title": "This week", "rows": [{"id": "tue", "title": "Tuesday", "description": "9-17h"}]}],
}

VALID_SENDS: dict[str, dict[str, Any]] = {
    "text": {"type": "text", "text": "Your parcel left: https://track.example/A1", "preview_url": True},
    "image by link": {
        "type": "image",
        "media": {"link": "https://cdn.example.com/p/42.jpg", "caption": "Your item"},
    },
    "document by id": {
        "type": "document",
        "media": {"id": "1479537139650973", "filename": "invoice-42.pdf", "caption": "Invoice 42"},
    },
    "sticker": {"type": "sticker", "media": {"id": "1479537139650973"}},
    "audio": {"type": "audio", "media": {"link": "https://cdn.example.com/a.ogg"}},
    "video": {"type": "video", "media": {"link": "https://cdn.example.com/v.mp4", "caption": "Demo"}},
    "location": {
        "type": "location",
        "location": {"latitude": 52.52, "longitude": 13.405, "name": "Shop", "address": "Alexanderplatz 1"},
    },
    "buttons": {"type": "interactive", "interactive": BUTTONS},
    "list": {"type": "interactive", "interactive": LIST},
    "reaction": {"type": "reaction", "reaction": {"message_id": INBOUND_MESSAGE_ID, "emoji": "👍"}},
    "reaction removed": {"type": "reaction", "reaction": {"message_id": INBOUND_MESSAGE_ID, "emoji": ""}},
    "template": {
        "type": "template",
        "template": {"name": "order_update", "language": "de", "parameters": {"body": ["Anna"]}},
    },
    "reply": {"type": "text", "text": "Thanks!", "reply_to": INBOUND_MESSAGE_ID},
}


def _problems(body: dict[str, Any]) -> list[dict[str, str]]:
    request = SendMessageRequest.model_validate({"to": "+4915112345678", **body})
    return send_problems(request.content(), channel_id=CHANNEL_ID)


def _fields(body: dict[str, Any]) -> list[str]:
    return [problem["field"] for problem in _problems(body)]


def _interactive(base: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {"type": "interactive", "interactive": {**base, **changes}}


def _rows(count: int, prefix: str = "row") -> list[dict[str, str]]:
    return [{"id": f"{prefix}_{index}", "title": f"Row {index}"} for index in range(count)]


@pytest.mark.parametrize("body", VALID_SENDS.values(), ids=VALID_SENDS.keys())
def test_a_send_within_whatsapps_rules_has_no_problems(body):
    assert _problems(body) == []


BROKEN_SENDS: dict[str, tuple[dict[str, Any], str]] = {
    "text missing": ({"type": "text"}, "text"),
    "media missing": ({"type": "image"}, "media"),
    "other part given": (
        {"type": "text", "text": "Hi", "media": {"link": "https://cdn.example.com/a.jpg"}},
        "media",
    ),
    "text beside media": (
        {"type": "image", "text": "Look", "media": {"link": "https://cdn.example.com/a.jpg"}},
        "text",
    ),
    "preview_url without text": (
        {"type": "image", "preview_url": True, "media": {"link": "https://cdn.example.com/a.jpg"}},
        "preview_url",
    ),
    "blank text": ({"type": "text", "text": "  \n"}, "text"),
    "text too long": ({"type": "text", "text": "x" * 4097}, "text"),
    "media link and id": (
        {"type": "image", "media": {"link": "https://cdn.example.com/a.jpg", "id": "1479537139650973"}},
        "media",
    ),
    "media neither link nor id": ({"type": "image", "media": {"caption": "Hi"}}, "media"),
    "media link not https": (
        {"type": "image", "media": {"link": "http://cdn.example.com/a.jpg"}},
        "media.link",
    ),
    "media link not a url": ({"type": "image", "media": {"link": "cdn.example.com/a.jpg"}}, "media.link"),
    "media link too long": (
        {"type": "image", "media": {"link": "https://cdn.example.com/" + "a" * 1980}},
        "media.link",
    ),
    "blank media id": ({"type": "image", "media": {"id": " "}}, "media.id"),
    "caption on audio": (
        {"type": "audio", "media": {"id": "1479537139650973", "caption": "Listen"}},
        "media.caption",
    ),
    "caption on sticker": (
        {"type": "sticker", "media": {"id": "1479537139650973", "caption": "Hi"}},
        "media.caption",
    ),
    "caption too long": (
        {"type": "image", "media": {"id": "1479537139650973", "caption": "c" * 1025}},
        "media.caption",
    ),
    "filename on image": (
        {"type": "image", "media": {"id": "1479537139650973", "filename": "a.jpg"}},
        "media.filename",
    ),
    "filename too long": (
        {"type": "document", "media": {"id": "1479537139650973", "filename": "f" * 237 + ".pdf"}},
        "media.filename",
    ),
    "latitude out of range": (
        {"type": "location", "location": {"latitude": 90.5, "longitude": 0}},
        "location.latitude",
    ),
    "longitude out of range": (
        {"type": "location", "location": {"latitude": 0, "longitude": -180.1}},
        "location.longitude",
    ),
    "location name too long": (
        {"type": "location", "location": {"latitude": 0, "longitude": 0, "name": "n" * 1001}},
        "location.name",
    ),
    "location address too long": (
        {"type": "location", "location": {"latitude": 0, "longitude": 0, "address": "a" * 1001}},
        "location.address",
    ),
    "interactive body blank": (_interactive(BUTTONS, body=" "), "interactive.body"),
    "interactive body too long": (_interactive(BUTTONS, body="b" * 1025), "interactive.body"),
    "list body too long": (_interactive(LIST, body="b" * 1025), "interactive.body"),
    "interactive header too long": (_interactive(BUTTONS, header="h" * 61), "interactive.header"),
    "interactive footer too long": (_interactive(LIST, footer="f" * 61), "interactive.footer"),
    "no buttons": (_interactive(BUTTONS, buttons=[]), "interactive.buttons"),
    "buttons left out": (_interactive({"type": "button", "body": "Hi?"}), "interactive.buttons"),
    "four buttons": (
        _interactive(BUTTONS, buttons=[{"id": f"b{index}", "title": f"B{index}"} for index in range(4)]),
        "interactive.buttons",
    ),
    "button id too long": (
        _interactive(BUTTONS, buttons=[{"id": "i" * 257, "title": "Yes"}]),
        "interactive.buttons.0.id",
    ),
    "button title too long": (
        _interactive(BUTTONS, buttons=[{"id": "a", "title": "Yes"}, {"id": "b", "title": "t" * 21}]),
        "interactive.buttons.1.title",
    ),
    "button title blank": (
        _interactive(BUTTONS, buttons=[{"id": "a", "title": ""}]),
        "interactive.buttons.0.title",
    ),
    "button ids repeat": (
        _interactive(BUTTONS, buttons=[{"id": "a", "title": "Yes"}, {"id": "a", "title": "No"}]),
        "interactive.buttons.1.id",
    ),
    "button titles repeat": (
        _interactive(BUTTONS, buttons=[{"id": "a", "title": "Yes"}, {"id": "b", "title": "Yes"}]),
        "interactive.buttons.1.title",
    ),
    "list label on buttons": (_interactive(BUTTONS, button="Days"), "interactive.button"),
    "sections on buttons": (_interactive(BUTTONS, sections=LIST["sections"]), "interactive.sections"),
    "buttons on a list": (_interactive(LIST, buttons=BUTTONS["buttons"]), "interactive.buttons"),
    "list label missing": (
        _interactive({"type": "list", "body": "Pick", "sections": LIST["sections"]}),
        "interactive.button",
    ),
    "list label too long": (_interactive(LIST, button="l" * 21), "interactive.button"),
    "no sections": (_interactive(LIST, sections=[]), "interactive.sections"),
    "eleven rows": (
        _interactive(
            LIST, sections=[{"title": "A", "rows": _rows(6, "a")}, {"title": "B", "rows": _rows(5, "b")}]
        ),
        "interactive.sections",
    ),
    "section without rows": (
        _interactive(LIST, sections=[{"title": "Empty", "rows": []}]),
        "interactive.sections.0.rows",
    ),
    "row id too long": (
        _interactive(LIST, sections=[{"rows": [{"id": "r" * 201, "title": "Tuesday"}]}]),
        "interactive.sections.0.rows.0.id",
    ),
    "row title too long": (
        _interactive(LIST, sections=[{"rows": [{"id": "tue", "title": "t" * 25}]}]),
        "interactive.sections.0.rows.0.title",
    ),
    "row description too long": (
        _interactive(
            LIST, sections=[{"rows": [*_rows(3), {"id": "tue", "title": "Tuesday", "description": "d" * 73}]}]
        ),
        "interactive.sections.0.rows.3.description",
    ),
    "section title too long": (
        _interactive(LIST, sections=[{"title": "s" * 25, "rows": _rows(1)}]),
        "interactive.sections.0.title",
    ),
    "section title missing among several": (
        _interactive(LIST, sections=[{"title": "A", "rows": _rows(1, "a")}, {"rows": _rows(1, "b")}]),
        "interactive.sections.1.title",
    ),
    "row ids repeat across sections": (
        _interactive(LIST, sections=[{"title": "A", "rows": _rows(2)}, {"title": "B", "rows": _rows(1)}]),
        "interactive.sections.1.rows.0.id",
    ),
    "reaction to something that is not a message id": (
        {"type": "reaction", "reaction": {"message_id": INBOUND_WAMID, "emoji": "👍"}},
        "reaction.message_id",
    ),
    "reaction to another channel's message": (
        {"type": "reaction", "reaction": {"message_id": OTHER_CHANNELS_MESSAGE_ID, "emoji": "👍"}},
        "reaction.message_id",
    ),
    "reaction with a letter": (
        {"type": "reaction", "reaction": {"message_id": INBOUND_MESSAGE_ID, "emoji": "a"}},
        "reaction.emoji",
    ),
    "reaction with two emoji": (
        {"type": "reaction", "reaction": {"message_id": INBOUND_MESSAGE_ID, "emoji": "👍👍"}},
        "reaction.emoji",
    ),
    "reaction as a reply": (
        {
            "type": "reaction",
            "reaction": {"message_id": INBOUND_MESSAGE_ID, "emoji": "👍"},
            "reply_to": INBOUND_MESSAGE_ID,
        },
        "reply_to",
    ),
    "template name blank": (
        {"type": "template", "template": {"name": "", "language": "de"}},
        "template.name",
    ),
    "template name too long": (
        {"type": "template", "template": {"name": "n" * 513, "language": "de"}},
        "template.name",
    ),
    "template language too short": (
        {"type": "template", "template": {"name": "order_update", "language": "d"}},
        "template.language",
    ),
    "template language too long": (
        {"type": "template", "template": {"name": "order_update", "language": "en_US_" + "x" * 10}},
        "template.language",
    ),
    "reply to something that is not a message id": (
        {"type": "text", "text": "Hi", "reply_to": "wamid.ABC"},
        "reply_to",
    ),
    "reply to another channel's message": (
        {"type": "text", "text": "Hi", "reply_to": OTHER_CHANNELS_MESSAGE_ID},
        "reply_to",
    ),
}


@pytest.mark.parametrize(("body", "field"), BROKEN_SENDS.values(), ids=BROKEN_SENDS.keys())
def test_each_broken_rule_is_reported_on_its_field(body, field):
    problems = _problems(body)

    assert [problem["field"] for problem in problems] == [field]
    assert problems[0]["message"].endswith(".")


def test_eleven_sections_break_the_section_and_the_row_limit():
    sections = [{"title": f"S{index}", "rows": _rows(1, f"s{index}")} for index in range(11)]

    problems = _problems(_interactive(LIST, sections=sections))

    assert [problem["field"] for problem in problems] == ["interactive.sections", "interactive.sections"]
    assert "1 to 10 sections" in problems[0]["message"]
    assert "at most 10 rows" in problems[1]["message"]


def test_latitude_that_is_not_a_number_is_refused():
    fields = _fields({"type": "location", "location": {"latitude": math.nan, "longitude": 0}})

    assert fields == ["location.latitude"]


def test_a_request_breaking_many_rules_lists_every_one():
    body = {
        "type": "interactive",
        "text": "Also this",
        "preview_url": True,
        "interactive": {
            "type": "list",
            "body": "",
            "header": "h" * 61,
            "buttons": [{"id": "x", "title": "X"}],
            "sections": [
                {"title": "A", "rows": [{"id": "r1", "title": "t" * 25}, {"id": "r2", "title": "Ok"}]},
                {
                    "rows": [
                        {"id": "r1", "title": "Dup"},
                        {"id": "r4", "title": "Ok", "description": "d" * 73},
                    ]
                },
            ],
        },
        "reply_to": "not-an-id",
    }

    assert _fields(body) == [
        "text",
        "preview_url",
        "interactive.body",
        "interactive.header",
        "interactive.buttons",
        "interactive.button",
        "interactive.sections.0.rows.0.title",
        "interactive.sections.1.title",
        "interactive.sections.1.rows.1.description",
        "interactive.sections.1.rows.0.id",
        "reply_to",
    ]


def test_messages_say_what_to_do():
    problems = _problems({"type": "text", "text": "x" * 4100})

    assert problems == [
        {
            "field": "text",
            "message": "The text has 4100 characters; WhatsApp allows at most 4096. Shorten it.",
        }
    ]


@pytest.mark.parametrize("emoji", ["👍", "👍🏽", "❤️", "❤️‍🔥", "👨‍👩‍👧", "🧑🏽‍💻", "🇩🇪", "🏴󠁧󠁢󠁥󠁮󠁧󠁿", "1️⃣", "🏳️‍🌈"])
def test_one_emoji_of_any_build_is_an_emoji(emoji):
    assert is_single_emoji(emoji)


@pytest.mark.parametrize("text", ["a", "A", "1", "ok", "👍👍", "👍 ", "🇩", "→"])
def test_letters_and_several_emoji_are_not_one_emoji(text):
    assert not is_single_emoji(text)


def test_valid_content_becomes_a_message_with_whatsapp_ids():
    request = SendMessageRequest.model_validate(
        {
            "to": "+4915112345678",
            "type": "reaction",
            "reaction": {"message_id": INBOUND_MESSAGE_ID, "emoji": "👍"},
        }
    )

    message = outbound_message(request.content(), channel_id=CHANNEL_ID)

    assert message.content == ReactionContent(message_wamid=INBOUND_WAMID, emoji="👍")
    assert message.reply_to_wamid is None


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("reply", TextContent(body="Thanks!")),
        (
            "image by link",
            MediaContent.model_validate({"type": "image", "media": VALID_SENDS["image by link"]["media"]}),
        ),
        ("location", Location(latitude=52.52, longitude=13.405, name="Shop", address="Alexanderplatz 1")),
        ("list", Interactive.model_validate(LIST)),
        (
            "template",
            TemplateContent(name="order_update", language="de", parameters=TemplateValues(body=["Anna"])),
        ),
    ],
)
def test_each_type_maps_to_its_content(name, content):
    request = SendMessageRequest.model_validate({"to": "+4915112345678", **VALID_SENDS[name]})

    message = outbound_message(request.content(), channel_id=CHANNEL_ID)

    assert message.content == content
    assert message.reply_to_wamid == (INBOUND_WAMID if name == "reply" else None)


def test_content_breaking_rules_is_refused_with_every_problem():
    request = SendMessageRequest.model_validate({"to": "+4915112345678", "type": "image", "text": "Hi"})

    with pytest.raises(ValidationFailed) as refused:
        outbound_message(request.content(), channel_id=CHANNEL_ID)

    assert [problem["field"] for problem in refused.value.details] == ["media", "text"]


def test_unknown_fields_are_refused_at_every_level():
    with pytest.raises(ValueError, match="thumbnail"):
        SendMessageRequest.model_validate(
            {
                "to": "+4915112345678",
                "type": "image",
                "media": {"link": "https://a.example/x.jpg", "thumbnail": "x"},
            }
        )
