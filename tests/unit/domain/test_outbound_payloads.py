from __future__ import annotations

import copy
from typing import Any

import pytest

from wachannel.domain.outbound import (
    Interactive,
    ListRow,
    ListSection,
    Location,
    Media,
    MediaContent,
    ReactionContent,
    ReplyButton,
    TextContent,
)
from wachannel.domain.outbound_payloads import (
    ProviderCall,
    message_body,
    read_receipt,
    send_path,
    summary_text,
    template_body,
    template_summary_text,
    template_value_problems,
)
from wachannel.domain.template_rendering import TemplateValues

WA_ID = "4915112345678"
INBOUND_WAMID = "wamid.HBgNNDkxNTExMjM0NTY3OBUCABIYFjNFQjBDNzE3RjI1OTc0RUM1QUU0AA=="
ON_PREMISE_ID = "gBEGkYiEB1VXAglK1ZEqA1YKPrU"
NAMESPACE = "a1b2c3d4_e5f6_7890_abcd_ef1234567890"

# Reference section 3, as written there (Cloud).
TEXT = {
    "messaging_product": "whatsapp",
    "to": "4915112345678",
    "type": "text",
    "text": {"body": "Your parcel left our warehouse: https://track.example/A1", "preview_url": True},
}
DOCUMENT = {
    "messaging_product": "whatsapp",
    "to": "4915112345678",
    "type": "document",
    "document": {"id": "1479537139650973", "filename": "invoice-42.pdf", "caption": "Invoice 42"},
}
IMAGE = {
    "messaging_product": "whatsapp",
    "to": "4915112345678",
    "type": "image",
    "image": {"link": "https://cdn.example.com/p/42.jpg", "caption": "Your item"},
}
BUTTONS = {
    "messaging_product": "whatsapp",
    "to": "4915112345678",
    "type": "interactive",
    "interactive": {
        "type": "button",
        "body": {"text": "Confirm the appointment?"},
        "action": {
            "buttons": [
                {"type": "reply", "reply": {"id": "appt_yes", "title": "Yes"}},
                {"type": "reply", "reply": {"id": "appt_no", "title": "No"}},
            ]
        },
    },
}
LIST = {
    "messaging_product": "whatsapp",
    "to": "4915112345678",
    "type": "interactive",
    "interactive": {
        "type": "list",
        "body": {"text": "Pick a day"},
        "action": {
            "button": "Days",
            "sections": [
                {"title": "This week", "rows": [{"id": "tue", "title": "Tuesday", "description": "9-17h"}]}
            ],
        },
    },
}
LOCATION = {
    "messaging_product": "whatsapp",
    "to": "4915112345678",
    "type": "location",
    "location": {"latitude": 52.52, "longitude": 13.405, "name": "Shop", "address": "Alexanderplatz 1"},
}
REACTION = {
    "messaging_product": "whatsapp",
    "to": "4915112345678",
    "type": "reaction",
    "reaction": {"message_id": INBOUND_WAMID, "emoji": "👍"},
}

CONTENTS: dict[str, tuple[Any, dict[str, Any]]] = {
    "document by id": (
        MediaContent(
            type="document",
            media=Media(id="1479537139650973", filename="invoice-42.pdf", caption="Invoice 42"),
        ),
        DOCUMENT,
    ),
    "image by link": (
        MediaContent(type="image", media=Media(link="https://cdn.example.com/p/42.jpg", caption="Your item")),
        IMAGE,
    ),
    "buttons": (
        Interactive(
            type="button",
            body="Confirm the appointment?",
            buttons=[ReplyButton(id="appt_yes", title="Yes"), ReplyButton(id="appt_no", title="No")],
        ),
        BUTTONS,
    ),
    "list": (
        Interactive(
            type="list",
            body="Pick a day",
            button="Days",
            sections=[
                ListSection(title="This week", rows=[ListRow(id="tue", title="Tuesday", description="9-17h")])
            ],
        ),
        LIST,
    ),
    "location": (
        Location(latitude=52.52, longitude=13.405, name="Shop", address="Alexanderplatz 1"),
        LOCATION,
    ),
    "reaction": (ReactionContent(message_wamid=INBOUND_WAMID, emoji="👍"), REACTION),
}


def _as_sent(reference: dict[str, Any], generation: str) -> dict[str, Any]:
    """The reference body with the optional recipient_type we always send; On-Premise bodies are
    the same objects without messaging_product."""
    body = {**reference, "recipient_type": "individual"}
    if generation == "on_premise":
        del body["messaging_product"]
    return body


@pytest.mark.parametrize("generation", ["cloud", "on_premise"])
@pytest.mark.parametrize(("content", "reference"), CONTENTS.values(), ids=CONTENTS.keys())
def test_each_type_is_sent_as_the_reference_shows(generation, content, reference):
    assert message_body(generation, WA_ID, content) == _as_sent(reference, generation)


def test_cloud_text_carries_preview_url_inside_the_text():
    content = TextContent(body="Your parcel left our warehouse: https://track.example/A1", preview_url=True)

    assert message_body("cloud", WA_ID, content) == _as_sent(TEXT, "cloud")


def test_on_premise_text_carries_preview_url_beside_the_text():
    content = TextContent(body="Your parcel left our warehouse: https://track.example/A1", preview_url=True)

    assert message_body("on_premise", WA_ID, content) == {
        "recipient_type": "individual",
        "to": "4915112345678",
        "type": "text",
        "preview_url": True,
        "text": {"body": "Your parcel left our warehouse: https://track.example/A1"},
    }


@pytest.mark.parametrize("generation", ["cloud", "on_premise"])
def test_a_reply_quotes_the_message_it_answers(generation):
    body = message_body(generation, WA_ID, CONTENTS["image by link"][0], reply_to_wamid=INBOUND_WAMID)

    assert body == {**_as_sent(IMAGE, generation), "context": {"message_id": INBOUND_WAMID}}


def test_interactive_header_and_footer_are_text_objects():
    content = Interactive(
        type="button",
        header="Appointment",
        body="Confirm the appointment?",
        footer="Reply any time",
        buttons=[ReplyButton(id="appt_yes", title="Yes")],
    )

    interactive = message_body("cloud", WA_ID, content)["interactive"]

    assert interactive["header"] == {"type": "text", "text": "Appointment"}
    assert interactive["footer"] == {"text": "Reply any time"}


def test_a_removed_reaction_sends_an_empty_emoji():
    body = message_body("cloud", WA_ID, ReactionContent(message_wamid=INBOUND_WAMID, emoji=""))

    assert body["reaction"] == {"message_id": INBOUND_WAMID, "emoji": ""}


def test_messages_are_posted_under_each_generations_path():
    assert send_path("cloud") == "/messages"
    assert send_path("on_premise") == "/v1/messages"


# Templates as 360dialog lists them (reference section 4).
ORDER_UPDATE: list[dict[str, Any]] = [
    {"type": "HEADER", "format": "IMAGE", "example": {"header_handle": ["https://cdn.example.com/h.jpg"]}},
    {
        "type": "BODY",
        "text": "Hi {{1}}, order {{2}} is on its way.",
        "example": {"body_text": [["Anna", "A-1234"]]},
    },
    {"type": "FOOTER", "text": "Reply STOP to opt out"},
    {
        "type": "BUTTONS",
        "buttons": [
            {"type": "QUICK_REPLY", "text": "Thanks"},
            {
                "type": "URL",
                "text": "Track",
                "url": "https://track.example/{{1}}",
                "example": ["https://track.example/A-1234"],
            },
        ],
    },
]
ORDER_VALUES = TemplateValues(
    header=["https://cdn.example.com/h.jpg"], body=["Anna", "A-1234"], buttons=[[], ["A-1234"]]
)


def _with_header(header: dict[str, Any]) -> list[dict[str, Any]]:
    components = copy.deepcopy(ORDER_UPDATE)
    components[0] = header
    return components


def test_a_template_is_sent_as_the_reference_shows():
    body = template_body(
        "cloud",
        WA_ID,
        name="order_update",
        language="de",
        components=ORDER_UPDATE,
        values=ORDER_VALUES,
        namespace=None,
    )

    assert body == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": "4915112345678",
        "type": "template",
        "template": {
            "name": "order_update",
            "language": {"code": "de", "policy": "deterministic"},
            "components": [
                {
                    "type": "header",
                    "parameters": [{"type": "image", "image": {"link": "https://cdn.example.com/h.jpg"}}],
                },
                {
                    "type": "body",
                    "parameters": [{"type": "text", "text": "Anna"}, {"type": "text", "text": "A-1234"}],
                },
                # The quick reply before it takes no value, and still counts for the index.
                {
                    "type": "button",
                    "sub_type": "url",
                    "index": "1",
                    "parameters": [{"type": "text", "text": "A-1234"}],
                },
            ],
        },
    }


def test_a_media_header_value_that_is_not_a_url_is_a_media_id():
    values = ORDER_VALUES.model_copy(update={"header": ["1479537139650973"]})

    body = template_body(
        "cloud",
        WA_ID,
        name="order_update",
        language="de",
        components=ORDER_UPDATE,
        values=values,
        namespace=None,
    )

    assert body["template"]["components"][0] == {
        "type": "header",
        "parameters": [{"type": "image", "image": {"id": "1479537139650973"}}],
    }


def test_a_document_header_by_link_is_named_after_the_url():
    components = _with_header({"type": "HEADER", "format": "DOCUMENT"})
    values = ORDER_VALUES.model_copy(update={"header": ["https://cdn.example.com/files/invoice%2042.pdf"]})

    body = template_body(
        "cloud",
        WA_ID,
        name="order_update",
        language="de",
        components=components,
        values=values,
        namespace=None,
    )

    assert body["template"]["components"][0]["parameters"] == [
        {
            "type": "document",
            "document": {
                "link": "https://cdn.example.com/files/invoice%2042.pdf",
                "filename": "invoice 42.pdf",
            },
        }
    ]


def test_a_text_header_variable_is_a_text_parameter():
    components = _with_header({"type": "HEADER", "format": "TEXT", "text": "Order {{1}}"})
    values = ORDER_VALUES.model_copy(update={"header": ["A-1234"]})

    body = template_body(
        "cloud",
        WA_ID,
        name="order_update",
        language="de",
        components=components,
        values=values,
        namespace=None,
    )

    assert body["template"]["components"][0] == {
        "type": "header",
        "parameters": [{"type": "text", "text": "A-1234"}],
    }


def test_a_template_without_variables_sends_no_components():
    components = [{"type": "BODY", "text": "Your order is on its way."}]

    body = template_body(
        "cloud",
        WA_ID,
        name="shipped",
        language="en",
        components=components,
        values=TemplateValues(),
        namespace=None,
    )

    assert body["template"] == {"name": "shipped", "language": {"code": "en", "policy": "deterministic"}}


def test_a_copy_code_button_sends_a_coupon_code():
    components: list[dict[str, Any]] = [
        {"type": "BODY", "text": "Your discount awaits."},
        {
            "type": "BUTTONS",
            "buttons": [
                {"type": "URL", "text": "Shop", "url": "https://shop.example"},
                {"type": "COPY_CODE", "example": "SAVE10"},
            ],
        },
    ]

    body = template_body(
        "cloud",
        WA_ID,
        name="discount",
        language="en",
        components=components,
        values=TemplateValues(buttons=[[], ["SAVE10"]]),
        namespace=None,
    )

    assert body["template"]["components"] == [
        {
            "type": "button",
            "sub_type": "copy_code",
            "index": "1",
            "parameters": [{"type": "coupon_code", "coupon_code": "SAVE10"}],
        }
    ]


def test_an_authentication_code_goes_in_a_url_button():
    components: list[dict[str, Any]] = [
        {"type": "BODY", "text": "{{1}} is your code.", "example": {"body_text": [["123456"]]}},
        {"type": "BUTTONS", "buttons": [{"type": "OTP", "otp_type": "COPY_CODE", "text": "Copy code"}]},
    ]

    body = template_body(
        "cloud",
        WA_ID,
        name="login_code",
        language="en",
        components=components,
        values=TemplateValues(body=["123456"], buttons=[["123456"]]),
        namespace=None,
    )

    assert body["template"]["components"][1] == {
        "type": "button",
        "sub_type": "url",
        "index": "0",
        "parameters": [{"type": "text", "text": "123456"}],
    }


def test_on_premise_template_sends_carry_the_namespace():
    body = template_body(
        "on_premise",
        WA_ID,
        name="order_update",
        language="de",
        components=ORDER_UPDATE,
        values=ORDER_VALUES,
        namespace=NAMESPACE,
        reply_to_wamid=ON_PREMISE_ID,
    )

    assert "messaging_product" not in body
    assert body["template"]["namespace"] == NAMESPACE
    assert body["context"] == {"message_id": ON_PREMISE_ID}


def test_cloud_template_sends_carry_the_namespace_when_given():
    body = template_body(
        "cloud",
        WA_ID,
        name="order_update",
        language="de",
        components=ORDER_UPDATE,
        values=ORDER_VALUES,
        namespace=NAMESPACE,
    )

    assert body["template"]["namespace"] == NAMESPACE


def test_on_premise_template_sends_need_the_namespace():
    with pytest.raises(ValueError, match="namespace"):
        template_body(
            "on_premise",
            WA_ID,
            name="order_update",
            language="de",
            components=ORDER_UPDATE,
            values=ORDER_VALUES,
            namespace=None,
        )


def test_values_that_do_not_fit_the_template_are_not_sent():
    with pytest.raises(ValueError, match="The body takes 2 values"):
        template_body(
            "cloud",
            WA_ID,
            name="order_update",
            language="de",
            components=ORDER_UPDATE,
            values=ORDER_VALUES.model_copy(update={"body": ["Anna"]}),
            namespace=None,
        )


def test_a_location_header_cannot_be_sent_from_a_value():
    components = _with_header({"type": "HEADER", "format": "LOCATION"})
    values = ORDER_VALUES.model_copy(update={"header": ["52.52,13.405"]})

    problems = template_value_problems(components, values)

    assert [problem["field"] for problem in problems] == ["template.parameters.header.0"]
    assert "location" in problems[0]["message"]
    with pytest.raises(ValueError, match="location"):
        template_body(
            "cloud",
            WA_ID,
            name="order_update",
            language="de",
            components=components,
            values=values,
            namespace=None,
        )


@pytest.mark.parametrize("value", ["not a url", "ftp://cdn.example.com/h.jpg", "cdn.example.com/h.jpg"])
def test_a_media_header_takes_only_a_url_or_a_media_id(value):
    values = ORDER_VALUES.model_copy(update={"header": [value]})

    problems = template_value_problems(ORDER_UPDATE, values)

    assert [problem["field"] for problem in problems] == ["template.parameters.header.0"]


@pytest.mark.parametrize(
    "value", ["https://cdn.example.com/h.jpg", "http://cdn.example.com/h.jpg", "1479537139650973"]
)
def test_urls_and_media_ids_fit_a_media_header(value):
    values = ORDER_VALUES.model_copy(update={"header": [value]})

    assert template_value_problems(ORDER_UPDATE, values) == []


def test_cloud_read_receipt_posts_the_status():
    assert read_receipt("cloud", INBOUND_WAMID) == ProviderCall(
        "POST", "/messages", {"messaging_product": "whatsapp", "status": "read", "message_id": INBOUND_WAMID}
    )


def test_on_premise_read_receipt_puts_the_status_on_the_message():
    method, path, body = read_receipt("on_premise", "gBEG/kY+iEB1V=")

    assert (method, path, body) == ("PUT", "/v1/messages/gBEG%2FkY%2BiEB1V%3D", {"status": "read"})


@pytest.mark.parametrize(
    ("content", "summary"),
    [
        (TextContent(body="Hello"), "Hello"),
        (CONTENTS["image by link"][0], "Your item"),
        (MediaContent(type="sticker", media=Media(id="1479537139650973")), None),
        (CONTENTS["location"][0], "Shop, Alexanderplatz 1"),
        (Location(latitude=0, longitude=0), None),
        (CONTENTS["list"][0], "Pick a day"),
        (CONTENTS["reaction"][0], "👍"),
        (ReactionContent(message_wamid=INBOUND_WAMID, emoji=""), None),
    ],
)
def test_summary_text_is_what_the_message_says(content, summary):
    assert summary_text(content) == summary


def test_a_template_summary_is_its_body_as_the_customer_reads_it():
    assert template_summary_text(ORDER_UPDATE, ORDER_VALUES) == "Hi Anna, order A-1234 is on its way."
