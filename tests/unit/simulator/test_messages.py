"""Sending: both generations' send calls and their refusals, templates, the 24-hour window, the statuses
that follow a send and how a number's outbound behaviour shapes them, read receipts, faults, reset."""

import re
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

import httpx
import pytest
import respx
from starlette.testclient import TestClient

from infra.local.simulator import SimulatedNumber, SimulatorState
from infra.local.simulator.outbound import OutboundBehaviour
from tests.unit.simulator.support import (
    INVALID_API_KEY_BODY,
    ON_PREMISE_META,
    error_code,
    key_header,
    meta_error,
    on_premise_error,
    received,
    register_webhook,
    wait_until,
)

CUSTOMER = "5511987654321"
UPLOADED_MEDIA_ID = "1479537139650973"
CLOUD_ID = re.compile(r"^wamid\.[A-Za-z0-9+/]+=*$")
ON_PREMISE_ID = re.compile(r"^gBEG[A-Za-z0-9]{24}$")
ORDER_UPDATE: list[dict[str, Any]] = [
    {"type": "HEADER", "format": "TEXT", "text": "Order {{1}}"},
    {"type": "BODY", "text": "Hi {{1}}, your order {{2}} arrives on {{3}}."},
    {"type": "FOOTER", "text": "Reply STOP to opt out"},
    {
        "type": "BUTTONS",
        "buttons": [
            {"type": "URL", "text": "Track", "url": "https://track.example.com/{{1}}"},
            {"type": "QUICK_REPLY", "text": "Thanks"},
        ],
    },
]
ORDER_UPDATE_VALUES: list[dict[str, Any]] = [
    {"type": "header", "parameters": [{"type": "text", "text": "A-1234"}]},
    {
        "type": "body",
        "parameters": [
            {"type": "text", "text": "Anna"},
            {"type": "text", "text": "A-1234"},
            {"type": "date_time", "date_time": {"fallback_value": "3 May 2025"}},
        ],
    },
    {"type": "button", "sub_type": "url", "index": "0", "parameters": [{"type": "text", "text": "A-1234"}]},
]
IMAGE_HEADER: list[dict[str, Any]] = [
    {"type": "HEADER", "format": "IMAGE"},
    {"type": "BODY", "text": "Your receipt is attached."},
]
PASSWORD: list[dict[str, Any]] = [
    {"type": "BODY", "text": "*{{1}}* is your verification code."},
    {"type": "BUTTONS", "buttons": [{"type": "OTP", "otp_type": "COPY_CODE", "text": "Copy code"}]},
]


@pytest.fixture(params=["cloud_number", "on_premise_number"])
def number(request: pytest.FixtureRequest) -> SimulatedNumber:
    """A number without webhook: the statuses of its messages are only recorded."""
    return request.getfixturevalue(request.param)


@pytest.fixture
def cloud(client: TestClient, cloud_number: SimulatedNumber) -> SimulatedNumber:
    return register_webhook(client, cloud_number)


@pytest.fixture
def on_premise(client: TestClient, on_premise_number: SimulatedNumber) -> SimulatedNumber:
    return register_webhook(client, on_premise_number)


@pytest.fixture(params=["cloud", "on_premise"])
def hooked(request: pytest.FixtureRequest) -> SimulatedNumber:
    """A number whose webhook is the `webhook` fixture."""
    return request.getfixturevalue(request.param)


def send_path(number: SimulatedNumber) -> str:
    return "/messages" if number.api_generation == "cloud" else "/v1/messages"


def message_body(number: SimulatedNumber, **fields: Any) -> dict[str, Any]:
    """A body to `CUSTOMER` with Cloud's `messaging_product`; a field given as None is left out."""
    body = {"to": CUSTOMER} | fields
    if number.api_generation == "cloud":
        body = {"messaging_product": "whatsapp"} | body
    return {name: value for name, value in body.items() if value is not None}


def send(client: TestClient, number: SimulatedNumber, **fields: Any) -> httpx.Response:
    return client.post(send_path(number), headers=key_header(number), json=message_body(number, **fields))


def send_text(client: TestClient, number: SimulatedNumber, text: str = "Hello") -> httpx.Response:
    response = send(client, number, type="text", text={"body": text})
    assert response.status_code == 200, response.text
    return response


def sent_id(response: httpx.Response) -> str:
    message_id: str = response.json()["messages"][0]["id"]
    return message_id


def template_fields(
    number: SimulatedNumber, name: str, components: list[dict[str, Any]], language: str = "en", **extra: Any
) -> dict[str, Any]:
    template = {"name": name, "language": {"code": language, "policy": "deterministic"}}
    if number.api_generation == "on_premise":
        template["namespace"] = number.template_namespace
    return {"type": "template", "template": template | {"components": components} | extra}


def put_template(
    client: TestClient, number: SimulatedNumber, name: str, components: list[dict[str, Any]], **fields: Any
) -> None:
    body = {"category": "UTILITY", "components": components} | fields
    response = client.put(f"/_admin/numbers/{number.phone_number}/templates/{name}/en", json=body)
    assert response.status_code == 200, response.text


def messages(client: TestClient, number: SimulatedNumber) -> list[dict[str, Any]]:
    response = client.get(f"/_admin/numbers/{number.phone_number}/messages")
    assert response.status_code == 200
    listed: list[dict[str, Any]] = response.json()
    return listed


def history(client: TestClient, number: SimulatedNumber, message_id: str) -> list[dict[str, Any]]:
    [message] = [message for message in messages(client, number) if message["id"] == message_id]
    statuses: list[dict[str, Any]] = message["status_history"]
    return statuses


def wait_for_history(client: TestClient, number: SimulatedNumber, message_id: str, count: int) -> None:
    wait_until(lambda: len(history(client, number, message_id)) == count)


def set_outbound(client: TestClient, number: SimulatedNumber, **behaviour: Any) -> httpx.Response:
    return client.put(f"/_admin/numbers/{number.phone_number}/outbound", json=behaviour)


def set_last_inbound(client: TestClient, number: SimulatedNumber, last_inbound_at: Any) -> dict[str, Any]:
    response = client.put(
        f"/_admin/numbers/{number.phone_number}/customers/{CUSTOMER}",
        json={"last_inbound_at": last_inbound_at},
    )
    assert response.status_code == 200, response.text
    customer: dict[str, Any] = response.json()
    return customer


def open_window(client: TestClient, number: SimulatedNumber) -> None:
    set_last_inbound(client, number, int((datetime.now(UTC) - timedelta(hours=1)).timestamp()))


def reported(number: SimulatedNumber, webhook: respx.MockRouter) -> list[dict[str, Any]]:
    """The status objects the webhook received, in the order received."""
    values = [
        payload["entry"][0]["changes"][0]["value"] if number.api_generation == "cloud" else payload
        for payload in received(webhook)
    ]
    return [status for value in values for status in value.get("statuses", [])]


def wait_for_reports(number: SimulatedNumber, webhook: respx.MockRouter, count: int) -> list[dict[str, Any]]:
    wait_until(lambda: len(received(webhook)) >= count)
    statuses = reported(number, webhook)
    assert len(statuses) == count
    return statuses


def error_details(number: SimulatedNumber, body: dict[str, Any]) -> str:
    if number.api_generation == "cloud":
        return str(meta_error(body)["error_data"]["details"])
    return str(on_premise_error(body)["details"])


class Refusal(NamedTuple):
    """How the generations refuse a send: their codes, and words the details contain."""

    cloud_code: int
    on_premise_code: int
    details: str


def assert_refused(
    number: SimulatedNumber, response: httpx.Response, refusal: Refusal, status: int = 400
) -> None:
    assert response.status_code == status
    code = refusal.cloud_code if number.api_generation == "cloud" else refusal.on_premise_code
    assert error_code(number, response.json()) == code
    assert refusal.details in error_details(number, response.json())


# Sending: what is accepted and how it is answered

SEND_CASES = [
    pytest.param({"type": "text", "text": {"body": "Hello", "preview_url": True}}, "Hello", id="text"),
    pytest.param(
        {"type": "image", "image": {"link": "https://cdn.example.com/p/42.jpg", "caption": "Your item"}},
        "Your item",
        id="image",
    ),
    pytest.param({"type": "audio", "audio": {"id": UPLOADED_MEDIA_ID}}, None, id="audio"),
    pytest.param(
        {"type": "video", "video": {"id": UPLOADED_MEDIA_ID, "caption": "Clip"}}, "Clip", id="video"
    ),
    pytest.param(
        {
            "type": "document",
            "document": {"id": UPLOADED_MEDIA_ID, "filename": "invoice-42.pdf", "caption": "Invoice 42"},
        },
        "Invoice 42",
        id="document",
    ),
    pytest.param(
        {"type": "sticker", "sticker": {"link": "https://cdn.example.com/s.webp"}}, None, id="sticker"
    ),
    pytest.param(
        {"type": "location", "location": {"latitude": -23.56, "longitude": -46.65, "name": "Shop"}},
        None,
        id="location",
    ),
    pytest.param(
        {
            "type": "contacts",
            "contacts": [{"name": {"formatted_name": "Bo Li"}, "phones": [{"phone": "+4917012345"}]}],
        },
        None,
        id="contacts",
    ),
    pytest.param(
        {
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
        },
        "Confirm the appointment?",
        id="interactive-button",
    ),
    pytest.param(
        {
            "type": "interactive",
            "interactive": {
                "type": "list",
                "body": {"text": "Pick a day"},
                "action": {
                    "button": "Days",
                    "sections": [
                        {
                            "title": "This week",
                            "rows": [{"id": "tue", "title": "Tuesday", "description": "9-17h"}],
                        }
                    ],
                },
            },
        },
        "Pick a day",
        id="interactive-list",
    ),
    pytest.param(
        {
            "type": "interactive",
            "interactive": {
                "type": "cta_url",
                "body": {"text": "See the menu"},
                "action": {
                    "name": "cta_url",
                    "parameters": {"display_text": "Menu", "url": "https://x.example"},
                },
            },
        },
        "See the menu",
        id="interactive-cta-url",
    ),
    pytest.param(
        {"type": "reaction", "reaction": {"message_id": "wamid.ABC", "emoji": "👍"}}, None, id="reaction"
    ),
    pytest.param(
        {"type": "text", "text": {"body": "As you asked"}, "context": {"message_id": "wamid.IN1"}},
        "As you asked",
        id="reply",
    ),
]


@pytest.mark.parametrize(("fields", "shown"), SEND_CASES)
def test_every_type_is_accepted_and_kept_as_sent(
    client: TestClient,
    state: SimulatorState,
    number: SimulatedNumber,
    fields: dict[str, Any],
    shown: str | None,
) -> None:
    state.media.add(number, b"uploaded file", "application/pdf", "uploaded", media_id=UPLOADED_MEDIA_ID)

    response = send(client, number, **fields)

    assert response.status_code == 200, response.text
    [message] = messages(client, number)
    assert message["id"] == sent_id(response)
    assert (message["to"], message["type"]) == (CUSTOMER, fields["type"])
    assert message["body"] == message_body(number, **fields)
    assert (message["rendered_text"], message["rendered_header"], message["rendered_footer"]) == (
        shown,
        None,
        None,
    )
    assert datetime.fromisoformat(message["received_at"]) <= datetime.now(UTC)


def test_a_cloud_send_names_the_recipient_and_a_wamid(
    client: TestClient, cloud_number: SimulatedNumber
) -> None:
    response = send(client, cloud_number, to="+" + CUSTOMER, type="text", text={"body": "Hi"})

    answer = response.json()
    assert answer == {
        "messaging_product": "whatsapp",
        "contacts": [{"input": "+" + CUSTOMER, "wa_id": CUSTOMER}],
        "messages": [{"id": answer["messages"][0]["id"]}],
    }
    assert CLOUD_ID.match(sent_id(response))
    assert messages(client, cloud_number)[0]["to"] == "+" + CUSTOMER


def test_an_on_premise_send_answers_an_opaque_id(
    client: TestClient, on_premise_number: SimulatedNumber
) -> None:
    response = send_text(client, on_premise_number)

    assert response.json() == {"messages": [{"id": sent_id(response)}], "meta": ON_PREMISE_META}
    assert ON_PREMISE_ID.match(sent_id(response))


def test_on_premise_also_takes_a_messaging_product(
    client: TestClient, on_premise_number: SimulatedNumber
) -> None:
    body = {"messaging_product": "whatsapp", "to": CUSTOMER, "type": "text", "text": {"body": "Hi"}}

    response = client.post("/v1/messages", headers=key_header(on_premise_number), json=body)

    assert response.status_code == 200


def test_a_text_is_the_default_type(client: TestClient, number: SimulatedNumber) -> None:
    response = send(client, number, text={"body": "No type given"})

    assert response.status_code == 200
    assert messages(client, number)[0]["type"] == "text"


def test_each_generation_sends_on_its_own_path(
    client: TestClient, cloud_number: SimulatedNumber, on_premise_number: SimulatedNumber
) -> None:
    on_premise_on_cloud_path = client.post(
        "/messages",
        headers=key_header(on_premise_number),
        json=message_body(cloud_number, text={"body": "Hi"}),
    )
    cloud_on_premise_path = client.post(
        "/v1/messages", headers=key_header(cloud_number), json=message_body(cloud_number, text={"body": "Hi"})
    )
    without_key = client.post("/messages", json=message_body(cloud_number, text={"body": "Hi"}))

    assert on_premise_on_cloud_path.status_code == 404
    assert on_premise_error(on_premise_on_cloud_path.json())["code"] == 1006
    assert cloud_on_premise_path.status_code == 404
    assert meta_error(cloud_on_premise_path.json())["code"] == 100
    assert (without_key.status_code, without_key.json()) == (401, INVALID_API_KEY_BODY)
    assert messages(client, cloud_number) == messages(client, on_premise_number) == []


# Sending: refusals

REFUSALS = [
    pytest.param({"type": "image"}, Refusal(100, 1008, "image is required"), id="missing-object"),
    pytest.param(
        {"type": "text", "text": {}}, Refusal(100, 1008, "text['body'] is required"), id="missing-text-body"
    ),
    pytest.param(
        {"to": None, "type": "text", "text": {"body": "Hi"}},
        Refusal(100, 1008, "to is required"),
        id="missing-to",
    ),
    pytest.param({"to": "anna", "text": {"body": "Hi"}}, Refusal(131009, 1009, "to:"), id="to-not-digits"),
    pytest.param(
        {"type": "poll", "poll": {}}, Refusal(131051, 1009, "type 'poll' is not one of"), id="unknown-type"
    ),
    pytest.param(
        {"type": "text", "text": {"body": ""}}, Refusal(131009, 1009, "text['body']"), id="empty-text"
    ),
    pytest.param(
        {"type": "text", "text": {"body": "x" * 4097}}, Refusal(131009, 1009, "4096"), id="text-too-long"
    ),
    pytest.param(
        {"type": "audio", "audio": {"id": "1", "caption": "Listen"}},
        Refusal(131009, 1009, "audio: caption is not allowed"),
        id="caption-on-audio",
    ),
    pytest.param(
        {"type": "sticker", "sticker": {"id": "1", "caption": "Look"}},
        Refusal(131009, 1009, "sticker: caption is not allowed"),
        id="caption-on-sticker",
    ),
    pytest.param(
        {"type": "image", "image": {"id": "1", "link": "https://cdn.example.com/1.jpg"}},
        Refusal(131009, 1009, "image: give exactly one of id and link"),
        id="both-id-and-link",
    ),
    pytest.param(
        {"type": "video", "video": {"caption": "Clip"}},
        Refusal(131009, 1009, "video: give exactly one of id and link"),
        id="neither-id-nor-link",
    ),
    pytest.param(
        {"type": "image", "image": {"link": "ftp://cdn.example.com/1.jpg"}},
        Refusal(131009, 1009, "image['link']"),
        id="link-not-http",
    ),
    pytest.param(
        {"type": "location", "location": {"latitude": -23.56}},
        Refusal(100, 1008, "location['longitude'] is required"),
        id="location-without-longitude",
    ),
    pytest.param(
        {"type": "location", "location": {"latitude": 91, "longitude": 0}},
        Refusal(131009, 1009, "location['latitude']"),
        id="latitude-out-of-range",
    ),
    pytest.param(
        {"type": "contacts", "contacts": [{"name": {}}]},
        Refusal(100, 1008, "contacts[0]['name']['formatted_name'] is required"),
        id="contact-without-name",
    ),
    pytest.param(
        {"type": "reaction", "reaction": {"message_id": "wamid.ABC"}},
        Refusal(100, 1008, "reaction['emoji'] is required"),
        id="reaction-without-emoji",
    ),
    pytest.param(
        {
            "type": "interactive",
            "interactive": {
                "type": "button",
                "body": {"text": "Pick"},
                "action": {
                    "buttons": [
                        {"type": "reply", "reply": {"id": f"b{index}", "title": f"B{index}"}}
                        for index in range(4)
                    ]
                },
            },
        },
        Refusal(131009, 1009, "interactive['action']['buttons']"),
        id="four-reply-buttons",
    ),
    pytest.param(
        {
            "type": "interactive",
            "interactive": {"type": "button", "action": {"buttons": []}},
        },
        Refusal(100, 1008, "interactive['body'] is required"),
        id="buttons-without-body",
    ),
    pytest.param(
        {
            "type": "interactive",
            "interactive": {
                "type": "list",
                "body": {"text": "Pick"},
                "action": {
                    "button": "Days",
                    "sections": [
                        {"rows": [{"id": f"r{index}", "title": f"R{index}"} for index in range(11)]}
                    ],
                },
            },
        },
        Refusal(131009, 1009, "at most 10 rows"),
        id="list-of-eleven-rows",
    ),
    pytest.param(
        {"type": "interactive", "interactive": {"type": "carousel", "action": {}}},
        Refusal(131009, 1009, "interactive['type']"),
        id="unknown-interactive-type",
    ),
    pytest.param(
        {"type": "text", "text": {"body": "Hi"}, "context": {}},
        Refusal(100, 1008, "context['message_id'] is required"),
        id="context-without-message-id",
    ),
]


@pytest.mark.parametrize(("fields", "refusal"), REFUSALS)
def test_a_refused_message_is_neither_kept_nor_followed_by_statuses(
    client: TestClient, number: SimulatedNumber, fields: dict[str, Any], refusal: Refusal
) -> None:
    response = send(client, number, **fields)

    assert_refused(number, response, refusal)
    assert messages(client, number) == []


def test_meta_names_a_missing_parameter_in_its_message(
    client: TestClient, cloud_number: SimulatedNumber
) -> None:
    text_without_body = send(client, cloud_number, type="text", text={})
    without_product = client.post(
        "/messages", headers=key_header(cloud_number), json={"to": CUSTOMER, "text": {"body": "Hi"}}
    )

    assert meta_error(text_without_body.json())["message"] == "(#100) The parameter text['body'] is required."
    assert without_product.status_code == 400
    assert (
        meta_error(without_product.json())["message"] == "(#100) The parameter messaging_product is required."
    )


def test_the_generations_word_invalid_values_their_way(client: TestClient, number: SimulatedNumber) -> None:
    response = send(client, number, type="audio", audio={"id": "1", "caption": "Listen"})

    if number.api_generation == "cloud":
        assert meta_error(response.json())["message"] == "(#131009) Parameter value is not valid"
    else:
        assert on_premise_error(response.json())["title"] == "Parameter value is not valid"


@pytest.mark.parametrize("content", [b"not json", b"[1, 2]"])
def test_a_body_that_is_no_json_object_is_refused(
    client: TestClient, number: SimulatedNumber, content: bytes
) -> None:
    response = client.post(send_path(number), headers=key_header(number), content=content)

    assert response.status_code == 400
    assert "JSON object" in error_details(number, response.json())


# Templates


def test_a_template_is_rendered_with_its_parameters(client: TestClient, number: SimulatedNumber) -> None:
    put_template(client, number, "order_update", ORDER_UPDATE)

    response = send(client, number, **template_fields(number, "order_update", ORDER_UPDATE_VALUES))

    assert response.status_code == 200, response.text
    [message] = messages(client, number)
    assert message["type"] == "template"
    assert message["rendered_header"] == "Order A-1234"
    assert message["rendered_text"] == "Hi Anna, your order A-1234 arrives on 3 May 2025."
    assert message["rendered_footer"] == "Reply STOP to opt out"


def test_cloud_accepts_a_template_with_a_message_status(
    client: TestClient, cloud_number: SimulatedNumber
) -> None:
    put_template(client, cloud_number, "order_update", ORDER_UPDATE)

    response = send(
        client, cloud_number, **template_fields(cloud_number, "order_update", ORDER_UPDATE_VALUES)
    )

    assert response.json()["messages"] == [{"id": sent_id(response), "message_status": "accepted"}]


def test_named_variables_take_the_parameters_of_their_names(
    client: TestClient, number: SimulatedNumber
) -> None:
    put_template(client, number, "greeting", [{"type": "BODY", "text": "Hi {{first_name}}, from {{shop}}."}])
    values = [
        {"type": "text", "parameter_name": "shop", "text": "Bakery"},
        {"type": "text", "parameter_name": "first_name", "text": "Anna"},
    ]

    send(client, number, **template_fields(number, "greeting", [{"type": "body", "parameters": values}]))

    assert messages(client, number)[0]["rendered_text"] == "Hi Anna, from Bakery."


def test_media_headers_and_password_buttons_take_one_parameter(
    client: TestClient, number: SimulatedNumber
) -> None:
    put_template(client, number, "receipt", IMAGE_HEADER)
    put_template(client, number, "login_code", PASSWORD, category="AUTHENTICATION")
    image = {"type": "image", "image": {"link": "https://cdn.example.com/r.jpg"}}
    code: list[dict[str, Any]] = [
        {"type": "body", "parameters": [{"type": "text", "text": "482913"}]},
        {"type": "button", "sub_type": "url", "index": 0, "parameters": [{"type": "text", "text": "482913"}]},
    ]

    receipt = send(
        client, number, **template_fields(number, "receipt", [{"type": "header", "parameters": [image]}])
    )
    login_code = send(client, number, **template_fields(number, "login_code", code))

    assert (receipt.status_code, login_code.status_code) == (200, 200)
    receipt_message, code_message = messages(client, number)
    assert (receipt_message["rendered_header"], receipt_message["rendered_text"]) == (
        None,
        "Your receipt is attached.",
    )
    assert code_message["rendered_text"] == "*482913* is your verification code."


def test_a_quick_reply_payload_is_optional(client: TestClient, number: SimulatedNumber) -> None:
    put_template(client, number, "order_update", ORDER_UPDATE)
    quick_reply = {
        "type": "button",
        "sub_type": "quick_reply",
        "index": "1",
        "parameters": [{"type": "payload", "payload": "THANKS_A1234"}],
    }

    response = send(
        client, number, **template_fields(number, "order_update", [*ORDER_UPDATE_VALUES, quick_reply])
    )

    assert response.status_code == 200, response.text


def replaced(
    components: list[dict[str, Any]], component_type: str, parameters: list[Any] | None
) -> list[Any]:
    """The components with one type's parameters replaced, or that component left out (None)."""
    changed = []
    for component in components:
        if component["type"] != component_type:
            changed.append(component)
        elif parameters is not None:
            changed.append(component | {"parameters": parameters})
    return changed


TEMPLATE_REFUSALS = [
    pytest.param(
        "order_update",
        replaced(ORDER_UPDATE_VALUES, "body", [{"type": "text", "text": "Anna"}]),
        Refusal(
            132000,
            2000,
            "body: number of localizable_params (1) does not match the expected number of params (3)",
        ),
        id="body-count",
    ),
    pytest.param(
        "order_update",
        replaced(ORDER_UPDATE_VALUES, "header", None),
        Refusal(
            132000,
            2000,
            "header: number of localizable_params (0) does not match the expected number of params (1)",
        ),
        id="text-header-count",
    ),
    pytest.param(
        "receipt",
        [],
        Refusal(
            132000,
            2000,
            "header: number of localizable_params (0) does not match the expected number of params (1)",
        ),
        id="media-header-count",
    ),
    pytest.param(
        "order_update",
        replaced(ORDER_UPDATE_VALUES, "button", None),
        Refusal(
            132000,
            2000,
            "button at index 0: number of localizable_params (0) does not match the expected number of params (1)",
        ),
        id="url-button-count",
    ),
    pytest.param(
        "login_code",
        [{"type": "body", "parameters": [{"type": "text", "text": "482913"}]}],
        Refusal(132000, 2000, "button at index 0: number of localizable_params (0)"),
        id="password-button-count",
    ),
    pytest.param(
        "order_update",
        replaced(ORDER_UPDATE_VALUES, "header", [{"type": "image", "image": {"id": "1"}}]),
        Refusal(132012, 2012, "header: Format mismatch, expected TEXT, received IMAGE"),
        id="header-format",
    ),
    pytest.param(
        "receipt",
        [{"type": "header", "parameters": [{"type": "video", "video": {"id": "1"}}]}],
        Refusal(132012, 2012, "header: Format mismatch, expected IMAGE, received VIDEO"),
        id="media-header-format",
    ),
    pytest.param(
        "order_update",
        [*ORDER_UPDATE_VALUES, {"type": "button", "sub_type": "url", "index": "1", "parameters": []}],
        Refusal(
            131009, 1009, "button at index 1: sub_type url does not match the template's quick_reply button"
        ),
        id="button-sub-type",
    ),
    pytest.param(
        "order_update",
        [*ORDER_UPDATE_VALUES, {"type": "button", "sub_type": "url", "index": "5", "parameters": []}],
        Refusal(131009, 1009, "button at index 5: the template has 2 button(s)"),
        id="button-index",
    ),
    pytest.param(
        "order_update",
        [*ORDER_UPDATE_VALUES, ORDER_UPDATE_VALUES[1]],
        Refusal(131009, 1009, "repeats the body"),
        id="repeated-component",
    ),
    pytest.param(
        "order_update",
        [{"type": "button", "parameters": []}],
        Refusal(131009, 1009, "a button component needs sub_type and index"),
        id="button-without-index",
    ),
]


@pytest.mark.parametrize(("name", "components", "refusal"), TEMPLATE_REFUSALS)
def test_template_parameters_must_fit_the_template(
    client: TestClient, number: SimulatedNumber, name: str, components: list[dict[str, Any]], refusal: Refusal
) -> None:
    put_template(client, number, "order_update", ORDER_UPDATE)
    put_template(client, number, "receipt", IMAGE_HEADER)
    put_template(client, number, "login_code", PASSWORD, category="AUTHENTICATION")

    response = send(client, number, **template_fields(number, name, components))

    assert_refused(number, response, refusal)
    assert messages(client, number) == []


def test_meta_words_a_count_mismatch_its_way(client: TestClient, cloud_number: SimulatedNumber) -> None:
    put_template(client, cloud_number, "order_update", ORDER_UPDATE)

    response = send(client, cloud_number, **template_fields(cloud_number, "order_update", []))

    assert meta_error(response.json())["message"] == (
        "(#132000) Number of parameters does not match the expected number of params"
    )


@pytest.mark.parametrize(
    ("name", "language", "status"),
    [
        pytest.param("order_updat", "en", "APPROVED", id="unknown-name"),
        pytest.param("order_update", "en_US", "APPROVED", id="other-language"),
        pytest.param("order_update", "en", "PENDING", id="pending"),
        pytest.param("order_update", "en", "REJECTED", id="rejected"),
    ],
)
def test_a_template_not_approved_in_that_language_does_not_exist(
    client: TestClient, number: SimulatedNumber, name: str, language: str, status: str
) -> None:
    put_template(client, number, "order_update", ORDER_UPDATE, status=status)

    response = send(client, number, **template_fields(number, name, ORDER_UPDATE_VALUES, language=language))

    assert_refused(
        number, response, Refusal(132001, 2001, f"template name ({name}) does not exist in {language}"), 404
    )
    assert messages(client, number) == []


@pytest.mark.parametrize(("status", "code"), [("PAUSED", 132015), ("DISABLED", 132016)])
def test_paused_and_disabled_templates_are_refused(
    client: TestClient, number: SimulatedNumber, status: str, code: int
) -> None:
    put_template(client, number, "order_update", ORDER_UPDATE, status=status)

    response = send(client, number, **template_fields(number, "order_update", ORDER_UPDATE_VALUES))

    assert response.status_code == 400
    assert error_code(number, response.json()) == code
    assert messages(client, number) == []


def test_on_premise_needs_the_number_namespace(
    client: TestClient, on_premise_number: SimulatedNumber, cloud_number: SimulatedNumber
) -> None:
    put_template(client, on_premise_number, "order_update", ORDER_UPDATE)
    fields = template_fields(on_premise_number, "order_update", ORDER_UPDATE_VALUES)
    without_namespace = {"type": "template", "template": fields["template"] | {"namespace": None}}
    other_namespace = template_fields(
        on_premise_number, "order_update", ORDER_UPDATE_VALUES, namespace=cloud_number.template_namespace
    )

    missing = send(client, on_premise_number, **without_namespace)
    wrong = send(client, on_premise_number, **other_namespace)

    assert missing.status_code == 400
    assert on_premise_error(missing.json()) == {
        "code": 1008,
        "title": "Required parameter is missing",
        "details": "template['namespace'] is required",
    }
    assert wrong.status_code == 404
    assert on_premise_error(wrong.json())["code"] == 2001
    assert messages(client, on_premise_number) == []


def test_cloud_needs_no_namespace(client: TestClient, cloud_number: SimulatedNumber) -> None:
    put_template(client, cloud_number, "order_update", ORDER_UPDATE)

    response = send(
        client, cloud_number, **template_fields(cloud_number, "order_update", ORDER_UPDATE_VALUES)
    )

    assert response.status_code == 200


# The 24-hour window and the statuses after a send


def test_inside_the_window_a_message_is_sent_then_delivered(
    client: TestClient, hooked: SimulatedNumber, webhook: respx.MockRouter
) -> None:
    open_window(client, hooked)

    message_id = sent_id(send_text(client, hooked))

    sent, delivered = wait_for_reports(hooked, webhook, 2)
    assert [sent["status"], delivered["status"]] == ["sent", "delivered"]
    assert {sent["id"], delivered["id"]} == {message_id}
    assert sent["recipient_id"] == delivered["recipient_id"] == CUSTOMER
    assert int(sent["timestamp"]) < int(delivered["timestamp"])
    assert sent["conversation"] == delivered["conversation"]
    assert sent["conversation"]["origin"] == {"type": "service"}
    assert int(sent["conversation"]["expiration_timestamp"]) > int(sent["timestamp"])
    assert sent["pricing"] == {
        "billable": False,
        "pricing_model": "PMP",
        "category": "service",
        "type": "free_customer_service",
    }
    assert history(client, hooked, message_id) == [sent, delivered]


def test_statuses_come_in_the_generation_shape(
    client: TestClient, cloud: SimulatedNumber, on_premise: SimulatedNumber, webhook: respx.MockRouter
) -> None:
    set_outbound(client, cloud, statuses=["sent"])
    set_outbound(client, on_premise, statuses=["sent"])
    open_window(client, cloud)
    open_window(client, on_premise)

    send_text(client, cloud)
    wait_until(lambda: len(received(webhook)) == 1)
    send_text(client, on_premise)
    wait_until(lambda: len(received(webhook)) == 2)

    cloud_payload, on_premise_payload = received(webhook)
    assert cloud_payload["object"] == "whatsapp_business_account"
    assert cloud_payload["entry"][0]["id"] == cloud.waba_id
    assert (
        cloud_payload["entry"][0]["changes"][0]["value"]["metadata"]["phone_number_id"]
        == cloud.phone_number_id
    )
    assert set(on_premise_payload) == {"statuses"}


@pytest.mark.parametrize("route", ["inbound", "batch"])
def test_a_customer_message_opens_the_window(
    client: TestClient, hooked: SimulatedNumber, webhook: respx.MockRouter, route: str
) -> None:
    inbound = {"from": CUSTOMER, "type": "text", "text": "Hi"}
    body = inbound if route == "inbound" else {"events": [inbound | {"kind": "inbound"}]}
    assert client.post(f"/_admin/numbers/{hooked.phone_number}/{route}", json=body).status_code == 200
    set_outbound(client, hooked, statuses=["sent"])

    send_text(client, hooked)

    wait_until(lambda: len(received(webhook)) == 2)
    assert [status["status"] for status in reported(hooked, webhook)] == ["sent"]


def test_the_window_runs_from_the_message_time(
    client: TestClient, hooked: SimulatedNumber, webhook: respx.MockRouter
) -> None:
    old_message = {"from": CUSTOMER, "type": "text", "text": "Hi", "timestamp": 1717171717}
    client.post(f"/_admin/numbers/{hooked.phone_number}/inbound", json=old_message)

    send_text(client, hooked)

    wait_until(lambda: len(received(webhook)) == 2)
    assert [status["status"] for status in reported(hooked, webhook)] == ["failed"]


def test_outside_the_window_a_message_is_accepted_then_fails(
    client: TestClient, hooked: SimulatedNumber, webhook: respx.MockRouter
) -> None:
    response = send_text(client, hooked)

    [failed] = wait_for_reports(hooked, webhook, 1)
    assert failed["id"] == sent_id(response)
    assert failed["status"] == "failed"
    assert "conversation" not in failed
    assert "pricing" not in failed
    if hooked.api_generation == "cloud":
        assert failed["errors"][0]["code"] == 131047
        assert failed["errors"][0]["title"] == "Re-engagement message"
    else:
        assert failed["errors"][0]["code"] == 470
    assert history(client, hooked, sent_id(response)) == [failed]


@pytest.mark.parametrize(
    ("age", "expected"),
    [
        pytest.param(timedelta(hours=23, minutes=59), "sent", id="just-inside"),
        pytest.param(timedelta(hours=24, minutes=1), "failed", id="just-outside"),
    ],
)
def test_the_window_closes_after_24_hours(
    client: TestClient, hooked: SimulatedNumber, webhook: respx.MockRouter, age: timedelta, expected: str
) -> None:
    set_outbound(client, hooked, statuses=["sent"])
    customer = set_last_inbound(client, hooked, (datetime.now(UTC) - age).isoformat())

    send_text(client, hooked)

    [status] = wait_for_reports(hooked, webhook, 1)
    assert status["status"] == expected
    assert customer["window_open"] is (expected == "sent")


def test_a_window_can_be_forgotten_or_set_in_unix_seconds(
    client: TestClient, cloud_number: SimulatedNumber
) -> None:
    open_window(client, cloud_number)
    customer = set_last_inbound(client, cloud_number, None)
    other = client.put(
        f"/_admin/numbers/{cloud_number.phone_number}/customers/4915100000001",
        json={"last_inbound_at": 1717171717},
    ).json()

    assert customer == {"wa_id": CUSTOMER, "last_inbound_at": None, "window_open": False}
    assert other == {
        "wa_id": "4915100000001",
        "last_inbound_at": "2024-05-31T16:08:37.000Z",
        "window_open": False,
    }


@pytest.mark.parametrize(
    ("path_end", "body"),
    [
        (f"customers/{CUSTOMER}", {"last_inbound_at": "2024-05-31T16:08:37"}),
        (f"customers/{CUSTOMER}", {}),
        ("customers/+4915100000001", {"last_inbound_at": 1717171717}),
        ("outbound", {"statuses": ["seen"]}),
        ("outbound", {"fail": {"code": 131026}}),
        ("outbound", {"delay_seconds": -1}),
        ("outbound", {"colour": "red"}),
    ],
)
def test_the_admin_refuses_meaningless_settings(
    client: TestClient, cloud_number: SimulatedNumber, path_end: str, body: dict[str, Any]
) -> None:
    response = client.put(f"/_admin/numbers/{cloud_number.phone_number}/{path_end}", json=body)

    assert response.status_code == 400
    assert "error" in response.json()


def test_a_template_outside_the_window_is_delivered_and_billed(
    client: TestClient, hooked: SimulatedNumber, webhook: respx.MockRouter
) -> None:
    put_template(client, hooked, "order_update", ORDER_UPDATE)

    send(client, hooked, **template_fields(hooked, "order_update", ORDER_UPDATE_VALUES))

    sent, delivered = wait_for_reports(hooked, webhook, 2)
    assert [sent["status"], delivered["status"]] == ["sent", "delivered"]
    assert sent["conversation"]["origin"] == {"type": "utility"}
    assert sent["pricing"] == {
        "billable": True,
        "pricing_model": "PMP",
        "category": "utility",
        "type": "regular",
    }


def test_without_webhook_statuses_are_only_recorded(client: TestClient, number: SimulatedNumber) -> None:
    open_window(client, number)

    message_id = sent_id(send_text(client, number))

    wait_for_history(client, number, message_id, 2)
    assert [status["status"] for status in history(client, number, message_id)] == ["sent", "delivered"]
    assert client.get("/_admin/deliveries").json() == []


# Outbound behaviours


def test_the_behaviour_is_answered_with_its_defaults(
    client: TestClient, cloud_number: SimulatedNumber
) -> None:
    response = set_outbound(client, cloud_number, statuses=["sent", "delivered", "read"])

    assert response.json() == {
        "statuses": ["sent", "delivered", "read"],
        "fail": None,
        "duplicate": False,
        "reorder": False,
        "early": False,
        "delay_seconds": 0.0,
        "latency_seconds": 0.0,
    }


def test_statuses_follow_the_behaviour(
    client: TestClient, hooked: SimulatedNumber, webhook: respx.MockRouter
) -> None:
    open_window(client, hooked)
    set_outbound(client, hooked, statuses=["sent", "delivered", "read"])

    send_text(client, hooked)

    statuses = wait_for_reports(hooked, webhook, 3)
    assert [status["status"] for status in statuses] == ["sent", "delivered", "read"]
    assert "pricing" not in statuses[2]


def test_duplicates_come_twice_in_a_row_and_are_recorded_once(
    client: TestClient, hooked: SimulatedNumber, webhook: respx.MockRouter
) -> None:
    open_window(client, hooked)
    set_outbound(client, hooked, duplicate=True)

    message_id = sent_id(send_text(client, hooked))

    statuses = wait_for_reports(hooked, webhook, 4)
    assert [status["status"] for status in statuses] == ["sent", "sent", "delivered", "delivered"]
    assert statuses[0] == statuses[1]
    assert history(client, hooked, message_id) == [statuses[0], statuses[2]]


def test_reordered_statuses_come_last_first_with_their_own_times(
    client: TestClient, hooked: SimulatedNumber, webhook: respx.MockRouter
) -> None:
    open_window(client, hooked)
    set_outbound(client, hooked, statuses=["sent", "delivered", "read"], reorder=True)

    send_text(client, hooked)

    read, delivered, sent = wait_for_reports(hooked, webhook, 3)
    assert [read["status"], delivered["status"], sent["status"]] == ["read", "delivered", "sent"]
    assert int(sent["timestamp"]) < int(delivered["timestamp"]) < int(read["timestamp"])


def sends_answered_on_each_delivery(
    state: SimulatorState, number: SimulatedNumber, webhook: respx.MockRouter
) -> list[bool]:
    """Makes the webhook note, on each delivery, whether the last send call had been answered then."""
    answered: list[bool] = []

    def note(request: httpx.Request) -> httpx.Response:
        answered.append(state.requests(send_path(number))[-1].status is not None)
        return httpx.Response(200)

    webhook.routes["webhook"].side_effect = note
    return answered


def test_an_early_status_arrives_before_the_send_is_answered(
    client: TestClient, state: SimulatorState, hooked: SimulatedNumber, webhook: respx.MockRouter
) -> None:
    open_window(client, hooked)
    set_outbound(client, hooked, early=True)
    answered = sends_answered_on_each_delivery(state, hooked, webhook)

    message_id = sent_id(send_text(client, hooked))

    statuses = wait_for_reports(hooked, webhook, 2)
    assert answered == [False, True]
    assert [status["status"] for status in statuses] == ["sent", "delivered"]
    assert statuses[0]["id"] == message_id
    [early_delivery, _] = client.get("/_admin/deliveries").json()
    assert (early_delivery["kind"], early_delivery["message_id"]) == ("status", message_id)


def test_statuses_otherwise_arrive_after_the_send_is_answered(
    client: TestClient, state: SimulatorState, hooked: SimulatedNumber, webhook: respx.MockRouter
) -> None:
    open_window(client, hooked)
    answered = sends_answered_on_each_delivery(state, hooked, webhook)

    send_text(client, hooked)

    wait_for_reports(hooked, webhook, 2)
    assert answered == [True, True]


def test_a_failure_follows_sent(
    client: TestClient, hooked: SimulatedNumber, webhook: respx.MockRouter
) -> None:
    open_window(client, hooked)
    set_outbound(
        client,
        hooked,
        statuses=["sent", "delivered", "read"],
        fail={"code": 131026, "title": "Message undeliverable", "details": "Receiver is incapable"},
    )

    send_text(client, hooked)

    sent, failed = wait_for_reports(hooked, webhook, 2)
    assert [sent["status"], failed["status"]] == ["sent", "failed"]
    if hooked.api_generation == "cloud":
        assert failed["errors"] == [
            {
                "code": 131026,
                "title": "Message undeliverable",
                "message": "Message undeliverable",
                "error_data": {"details": "Receiver is incapable"},
            }
        ]
    else:
        assert failed["errors"] == [
            {"code": 131026, "title": "Message undeliverable", "details": "Receiver is incapable"}
        ]


def test_a_reaction_is_only_ever_sent(
    client: TestClient, hooked: SimulatedNumber, webhook: respx.MockRouter
) -> None:
    open_window(client, hooked)
    set_outbound(client, hooked, statuses=["sent", "delivered", "read"])

    send(client, hooked, type="reaction", reaction={"message_id": "wamid.IN1", "emoji": "👍"})

    [sent] = wait_for_reports(hooked, webhook, 1)
    assert sent["status"] == "sent"


def test_no_statuses_at_all_can_be_asked_for(client: TestClient, number: SimulatedNumber) -> None:
    open_window(client, number)
    set_outbound(client, number, statuses=[])

    message_id = sent_id(send_text(client, number))

    assert history(client, number, message_id) == []


def test_a_status_pushed_later_joins_the_history(
    client: TestClient, hooked: SimulatedNumber, webhook: respx.MockRouter
) -> None:
    open_window(client, hooked)
    set_outbound(client, hooked, statuses=["sent"])
    message_id = sent_id(send_text(client, hooked))
    wait_for_reports(hooked, webhook, 1)

    client.post(
        f"/_admin/numbers/{hooked.phone_number}/statuses",
        json={"message_id": message_id, "status": "read", "recipient_id": CUSTOMER, "copies": 2},
    )

    assert [status["status"] for status in history(client, hooked, message_id)] == ["sent", "read"]
    assert [status["status"] for status in reported(hooked, webhook)] == ["sent", "read", "read"]


def test_statuses_of_other_messages_are_not_recorded(
    client: TestClient, cloud: SimulatedNumber, webhook: respx.MockRouter
) -> None:
    events = [{"kind": "status", "message_id": "wamid.ELSEWHERE", "status": "read", "recipient_id": CUSTOMER}]

    client.post(f"/_admin/numbers/{cloud.phone_number}/batch", json={"events": events})

    assert messages(client, cloud) == []
    assert len(received(webhook)) == 1


# Read receipts


def test_cloud_marks_an_inbound_message_read(client: TestClient, cloud_number: SimulatedNumber) -> None:
    body = {"messaging_product": "whatsapp", "status": "read", "message_id": "wamid.IN1"}

    response = client.post("/messages", headers=key_header(cloud_number), json=body)

    assert (response.status_code, response.json()) == (200, {"success": True})
    [receipt] = client.get(f"/_admin/numbers/{cloud_number.phone_number}/read-receipts").json()
    assert receipt["message_id"] == "wamid.IN1"
    assert datetime.fromisoformat(receipt["received_at"]) <= datetime.now(UTC)
    assert messages(client, cloud_number) == []


def test_on_premise_marks_an_inbound_message_read(
    client: TestClient, on_premise_number: SimulatedNumber
) -> None:
    response = client.put(
        "/v1/messages/ABEGVRGYdlQhAgo", headers=key_header(on_premise_number), json={"status": "read"}
    )

    assert (response.status_code, response.json()) == (200, {"meta": ON_PREMISE_META})
    receipts = client.get(f"/_admin/numbers/{on_premise_number.phone_number}/read-receipts").json()
    assert [receipt["message_id"] for receipt in receipts] == ["ABEGVRGYdlQhAgo"]


def test_a_read_receipt_must_say_read(
    client: TestClient, cloud_number: SimulatedNumber, on_premise_number: SimulatedNumber
) -> None:
    cloud_receipt = {"messaging_product": "whatsapp", "status": "delivered", "message_id": "wamid.IN1"}

    cloud = client.post("/messages", headers=key_header(cloud_number), json=cloud_receipt)
    on_premise = client.put(
        "/v1/messages/ABEG1", headers=key_header(on_premise_number), json={"status": "seen"}
    )
    cloud_on_premise_path = client.put(
        "/v1/messages/ABEG1", headers=key_header(cloud_number), json={"status": "read"}
    )

    assert (cloud.status_code, meta_error(cloud.json())["code"]) == (400, 131009)
    assert (on_premise.status_code, on_premise_error(on_premise.json())["code"]) == (400, 1009)
    assert cloud_on_premise_path.status_code == 404
    assert client.get(f"/_admin/numbers/{cloud_number.phone_number}/read-receipts").json() == []


# Faults, latency and reset


def add_fault(client: TestClient, **fault: Any) -> None:
    assert client.post("/_admin/faults", json=fault).status_code == 201


@pytest.mark.parametrize("status", [429, 500, 503])
def test_a_refusing_fault_sends_nothing(
    client: TestClient, hooked: SimulatedNumber, webhook: respx.MockRouter, status: int
) -> None:
    add_fault(client, path_prefix=send_path(hooked), method="POST", status=status, retry_after=2)

    response = send(client, hooked, type="text", text={"body": "Hi"})

    assert response.status_code == status
    assert response.headers["Retry-After"] == "2"
    assert messages(client, hooked) == []
    assert received(webhook) == []


def test_a_delay_fault_still_sends(client: TestClient, number: SimulatedNumber) -> None:
    add_fault(client, path_prefix=send_path(number), delay_seconds=0.01)

    response = send_text(client, number)

    assert [message["id"] for message in messages(client, number)] == [sent_id(response)]


def test_latency_delays_the_answer_not_the_message(client: TestClient, number: SimulatedNumber) -> None:
    set_outbound(client, number, latency_seconds=0.01, statuses=[])

    response = send_text(client, number)

    assert [message["id"] for message in messages(client, number)] == [sent_id(response)]


def test_reset_forgets_messages_windows_behaviours_and_receipts(
    client: TestClient, state: SimulatorState, cloud_number: SimulatedNumber
) -> None:
    open_window(client, cloud_number)
    set_outbound(client, cloud_number, statuses=[], duplicate=True)
    send_text(client, cloud_number)
    client.post(
        "/messages",
        headers=key_header(cloud_number),
        json={"messaging_product": "whatsapp", "status": "read", "message_id": "wamid.IN1"},
    )

    assert client.post("/_admin/reset").status_code == 204
    number = state.add_number(cloud_number.phone_number, "cloud")

    assert messages(client, number) == []
    assert client.get(f"/_admin/numbers/{number.phone_number}/read-receipts").json() == []
    assert not state.outbound.window_open(number.phone_number, CUSTOMER)
    assert state.outbound.behaviour(number.phone_number) == OutboundBehaviour()


@pytest.mark.parametrize("path_end", ["messages", "read-receipts"])
def test_outbound_admin_routes_need_a_known_number(client: TestClient, path_end: str) -> None:
    response = client.get(f"/_admin/numbers/4915100000000/{path_end}")

    assert (response.status_code, response.json()) == (404, {"error": "no number 4915100000000"})
