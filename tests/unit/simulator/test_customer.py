"""The simulator playing the customer: payload shapes per API generation, delivery, the admin API, the CLI."""

import asyncio
import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
from starlette.testclient import TestClient

from infra.local.customer import AdminRequest, LocalStackInfo, admin_request, build_parser, main
from infra.local.facts import ReadyNumber
from infra.local.simulator import SimulatedNumber, SimulatorState
from tests.unit.simulator.support import WEBHOOK_TOKEN, WEBHOOK_URL, received, register_webhook

CUSTOMER = "5511987654321"
SENT_AT = 1717171717
CLOUD_ID = re.compile(r"^wamid\.[A-Za-z0-9+/]+=*$")
ON_PREMISE_ID = re.compile(r"^[A-Za-z0-9]{28}$")
SIMULATOR_URL = "http://127.0.0.1:3001"


@pytest.fixture
def cloud(client: TestClient, cloud_number: SimulatedNumber) -> SimulatedNumber:
    return register_webhook(client, cloud_number)


@pytest.fixture
def on_premise(client: TestClient, on_premise_number: SimulatedNumber) -> SimulatedNumber:
    return register_webhook(client, on_premise_number)


@pytest.fixture(params=["cloud", "on_premise"])
def number(request: pytest.FixtureRequest) -> SimulatedNumber:
    return request.getfixturevalue(request.param)


def cloud_envelope(number: SimulatedNumber, value: dict[str, Any]) -> dict[str, Any]:
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": number.waba_id,
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {
                                "display_phone_number": number.phone_number,
                                "phone_number_id": number.phone_number_id,
                            },
                            **value,
                        },
                    }
                ],
            }
        ],
    }


def the_message(number: SimulatedNumber, payload: dict[str, Any]) -> dict[str, Any]:
    value = payload["entry"][0]["changes"][0]["value"] if number.api_generation == "cloud" else payload
    [message] = value["messages"]
    return dict(message)


def send_inbound(client: TestClient, number: SimulatedNumber, **fields: Any) -> httpx.Response:
    body = {"from": CUSTOMER, "profile_name": "Ana Souza", "timestamp": SENT_AT} | fields
    return client.post(f"/_admin/numbers/{number.phone_number}/inbound", json=body)


def test_a_cloud_text_arrives_in_meta_envelope(
    client: TestClient, cloud: SimulatedNumber, webhook: respx.MockRouter
) -> None:
    response = send_inbound(client, cloud, type="text", text="Hi, is my order shipped?")

    assert response.status_code == 200
    answer = response.json()
    assert CLOUD_ID.match(answer["message_id"])
    expected = cloud_envelope(
        cloud,
        {
            "contacts": [{"profile": {"name": "Ana Souza"}, "wa_id": CUSTOMER}],
            "messages": [
                {
                    "from": CUSTOMER,
                    "id": answer["message_id"],
                    "timestamp": str(SENT_AT),
                    "type": "text",
                    "text": {"body": "Hi, is my order shipped?"},
                }
            ],
        },
    )
    assert received(webhook) == [expected]
    assert answer["payload"] == expected
    assert answer["deliveries"] == [
        {"status": 200, "body": {"ok": True}, "elapsed_ms": answer["deliveries"][0]["elapsed_ms"]}
    ]


def test_an_on_premise_text_arrives_flat_with_an_opaque_id(
    client: TestClient, on_premise: SimulatedNumber, webhook: respx.MockRouter
) -> None:
    answer = send_inbound(client, on_premise, type="text", text="Hi").json()

    assert ON_PREMISE_ID.match(answer["message_id"])
    assert not answer["message_id"].startswith("wamid.")
    assert received(webhook) == [
        {
            "contacts": [{"profile": {"name": "Ana Souza"}, "wa_id": CUSTOMER}],
            "messages": [
                {
                    "from": CUSTOMER,
                    "id": answer["message_id"],
                    "timestamp": str(SENT_AT),
                    "type": "text",
                    "text": {"body": "Hi"},
                }
            ],
        }
    ]


def test_deliveries_carry_the_registered_headers_and_json(
    client: TestClient, number: SimulatedNumber, webhook: respx.MockRouter
) -> None:
    send_inbound(client, number, type="text", text="Hi")

    [call] = webhook.routes["webhook"].calls
    assert call.request.headers["X-Webhook-Token"] == WEBHOOK_TOKEN
    assert call.request.headers["Content-Type"] == "application/json"


MEDIA = {"id": "1480239", "sha256": "9f86d081884c7d65"}
TYPE_CASES = [
    pytest.param(
        {"type": "image", "media": MEDIA | {"mime_type": "image/png", "caption": "look"}},
        {
            "cloud": ("image", {"image": MEDIA | {"mime_type": "image/png", "caption": "look"}}),
            "on_premise": ("image", {"image": MEDIA | {"mime_type": "image/png", "caption": "look"}}),
        },
        id="image",
    ),
    pytest.param(
        {"type": "video", "media": MEDIA},
        {
            "cloud": ("video", {"video": MEDIA | {"mime_type": "video/mp4"}}),
            "on_premise": ("video", {"video": MEDIA | {"mime_type": "video/mp4"}}),
        },
        id="video",
    ),
    pytest.param(
        {"type": "audio", "media": MEDIA},
        {
            "cloud": ("audio", {"audio": MEDIA | {"mime_type": "audio/mpeg", "voice": False}}),
            "on_premise": ("audio", {"audio": MEDIA | {"mime_type": "audio/mpeg"}}),
        },
        id="audio",
    ),
    pytest.param(
        {"type": "voice", "media": MEDIA},
        {
            "cloud": ("audio", {"audio": MEDIA | {"mime_type": "audio/ogg; codecs=opus", "voice": True}}),
            "on_premise": ("voice", {"voice": MEDIA | {"mime_type": "audio/ogg; codecs=opus"}}),
        },
        id="voice",
    ),
    pytest.param(
        {"type": "document", "media": MEDIA | {"filename": "invoice.pdf", "caption": "my invoice"}},
        {
            "cloud": (
                "document",
                {
                    "document": MEDIA
                    | {"mime_type": "application/pdf", "filename": "invoice.pdf", "caption": "my invoice"}
                },
            ),
            "on_premise": (
                "document",
                {
                    "document": MEDIA
                    | {"mime_type": "application/pdf", "filename": "invoice.pdf", "caption": "my invoice"}
                },
            ),
        },
        id="document",
    ),
    pytest.param(
        {"type": "sticker", "media": MEDIA},
        {
            "cloud": ("sticker", {"sticker": MEDIA | {"mime_type": "image/webp", "animated": False}}),
            "on_premise": ("sticker", {"sticker": MEDIA | {"mime_type": "image/webp"}}),
        },
        id="sticker",
    ),
    pytest.param(
        {"type": "location", "location": {"latitude": -23.56, "longitude": -46.65, "name": "Shop"}},
        {
            "cloud": ("location", {"location": {"latitude": -23.56, "longitude": -46.65, "name": "Shop"}}),
            "on_premise": (
                "location",
                {"location": {"latitude": -23.56, "longitude": -46.65, "name": "Shop"}},
            ),
        },
        id="location",
    ),
    pytest.param(
        {
            "type": "contacts",
            "contacts": [{"name": {"formatted_name": "Bo Li"}, "phones": [{"phone": "+4917012345"}]}],
        },
        {
            "cloud": (
                "contacts",
                {"contacts": [{"name": {"formatted_name": "Bo Li"}, "phones": [{"phone": "+4917012345"}]}]},
            ),
            "on_premise": (
                "contacts",
                {"contacts": [{"name": {"formatted_name": "Bo Li"}, "phones": [{"phone": "+4917012345"}]}]},
            ),
        },
        id="contacts",
    ),
    pytest.param(
        {
            "type": "interactive",
            "interactive": {"type": "button_reply", "button_reply": {"id": "yes_1", "title": "Yes"}},
        },
        {
            "cloud": (
                "interactive",
                {"interactive": {"type": "button_reply", "button_reply": {"id": "yes_1", "title": "Yes"}}},
            ),
            "on_premise": (
                "interactive",
                {"interactive": {"type": "button_reply", "button_reply": {"id": "yes_1", "title": "Yes"}}},
            ),
        },
        id="interactive-button",
    ),
    pytest.param(
        {
            "type": "interactive",
            "interactive": {"type": "list_reply", "list_reply": {"id": "row_2", "title": "Tue"}},
        },
        {
            "cloud": (
                "interactive",
                {"interactive": {"type": "list_reply", "list_reply": {"id": "row_2", "title": "Tue"}}},
            ),
            "on_premise": (
                "interactive",
                {"interactive": {"type": "list_reply", "list_reply": {"id": "row_2", "title": "Tue"}}},
            ),
        },
        id="interactive-list",
    ),
    pytest.param(
        {"type": "reaction", "reaction": {"message_id": "wamid.ABC", "emoji": "👍"}},
        {
            "cloud": ("reaction", {"reaction": {"message_id": "wamid.ABC", "emoji": "👍"}}),
            "on_premise": ("reaction", {"reaction": {"message_id": "wamid.ABC", "emoji": "👍"}}),
        },
        id="reaction",
    ),
    pytest.param(
        {"type": "reaction", "reaction": {"message_id": "wamid.ABC"}},
        {
            "cloud": ("reaction", {"reaction": {"message_id": "wamid.ABC"}}),
            "on_premise": ("reaction", {"reaction": {"message_id": "wamid.ABC"}}),
        },
        id="reaction-removed",
    ),
    pytest.param(
        {
            "type": "order",
            "order": {"catalog_id": "c1", "product_items": [{"product_retailer_id": "sku1", "quantity": 2}]},
        },
        {
            "cloud": (
                "order",
                {
                    "order": {
                        "catalog_id": "c1",
                        "product_items": [{"product_retailer_id": "sku1", "quantity": 2}],
                    }
                },
            ),
            "on_premise": (
                "order",
                {
                    "order": {
                        "catalog_id": "c1",
                        "product_items": [{"product_retailer_id": "sku1", "quantity": 2}],
                    }
                },
            ),
        },
        id="order",
    ),
    pytest.param(
        {
            "type": "system",
            "system": {"body": "changed number", "wa_id": "5511900000000", "type": "user_changed_number"},
        },
        {
            "cloud": (
                "system",
                {
                    "system": {
                        "body": "changed number",
                        "wa_id": "5511900000000",
                        "type": "user_changed_number",
                    }
                },
            ),
            "on_premise": (
                "system",
                {
                    "system": {
                        "body": "changed number",
                        "wa_id": "5511900000000",
                        "type": "user_changed_number",
                    }
                },
            ),
        },
        id="system",
    ),
    pytest.param(
        {"type": "request_welcome"},
        {"cloud": ("request_welcome", {}), "on_premise": ("request_welcome", {})},
        id="request_welcome",
    ),
    pytest.param(
        {"type": "unsupported"},
        {
            "cloud": (
                "unsupported",
                {
                    "errors": [
                        {
                            "code": 131051,
                            "title": "Message type unknown",
                            "message": "Message type unknown",
                            "error_data": {"details": "Message type is currently not supported."},
                        }
                    ]
                },
            ),
            "on_premise": (
                "unknown",
                {
                    "errors": [
                        {
                            "code": 501,
                            "title": "Unknown message type",
                            "details": "Message type is not currently supported",
                        }
                    ]
                },
            ),
        },
        id="unsupported",
    ),
]


@pytest.mark.parametrize(("fields", "shapes"), TYPE_CASES)
def test_each_type_has_its_generation_shape(
    client: TestClient,
    number: SimulatedNumber,
    webhook: respx.MockRouter,
    fields: dict[str, Any],
    shapes: dict[str, tuple[str, dict[str, Any]]],
) -> None:
    wire_type, content = shapes[number.api_generation]

    answer = send_inbound(client, number, **fields).json()

    [payload] = received(webhook)
    assert the_message(number, payload) == {
        "from": CUSTOMER,
        "id": answer["message_id"],
        "timestamp": str(SENT_AT),
        "type": wire_type,
        **content,
    }


def test_a_template_button_reply_names_the_template_in_its_context(
    client: TestClient, number: SimulatedNumber, webhook: respx.MockRouter
) -> None:
    send_inbound(
        client,
        number,
        type="button",
        button={"payload": "CONFIRM_A1234", "text": "Confirm"},
        context={"message_id": "wamid.TEMPLATE"},
        referral={"source_type": "ad", "source_id": "42"},
    )

    message = the_message(number, received(webhook)[0])
    assert message["button"] == {"payload": "CONFIRM_A1234", "text": "Confirm"}
    assert message["context"] == {"from": number.phone_number, "id": "wamid.TEMPLATE"}
    assert message["referral"] == {"source_type": "ad", "source_id": "42"}


def test_a_forwarded_message_says_so(
    client: TestClient, cloud: SimulatedNumber, webhook: respx.MockRouter
) -> None:
    send_inbound(client, cloud, type="text", text="fwd", context={"forwarded": True})

    assert the_message(cloud, received(webhook)[0])["context"] == {"forwarded": True}


def test_media_ids_are_generated_in_the_generation_style_or_left_out(
    client: TestClient, number: SimulatedNumber, webhook: respx.MockRouter
) -> None:
    send_inbound(client, number, type="image")
    send_inbound(client, number, type="image", media={"id": None})

    generated, without_id = (the_message(number, payload)["image"] for payload in received(webhook))
    style = r"^[1-9][0-9]{15}$" if number.api_generation == "cloud" else r"^[0-9a-f-]{36}$"
    assert re.match(style, generated["id"])
    assert generated["mime_type"] == "image/jpeg"
    assert re.match(r"^[0-9a-f]{64}$", generated["sha256"])
    assert "id" not in without_id


def test_explicit_id_and_now_as_default_timestamp(
    client: TestClient, number: SimulatedNumber, webhook: respx.MockRouter
) -> None:
    body = {"from": CUSTOMER, "type": "text", "text": "Hi", "id": "my-id-1"}

    answer = client.post(f"/_admin/numbers/{number.phone_number}/inbound", json=body).json()

    message = the_message(number, received(webhook)[0])
    assert answer["message_id"] == message["id"] == "my-id-1"
    assert message["timestamp"].isdigit()
    assert int(message["timestamp"]) > SENT_AT


def test_a_contact_without_profile_name_has_no_profile(
    client: TestClient, number: SimulatedNumber, webhook: respx.MockRouter
) -> None:
    client.post(
        f"/_admin/numbers/{number.phone_number}/inbound", json={"from": CUSTOMER, "type": "request_welcome"}
    )

    [payload] = received(webhook)
    value = payload["entry"][0]["changes"][0]["value"] if number.api_generation == "cloud" else payload
    assert value["contacts"] == [{"wa_id": CUSTOMER}]


def test_a_cloud_customer_known_only_by_user_id(
    client: TestClient, cloud: SimulatedNumber, webhook: respx.MockRouter
) -> None:
    body = {"user_id": "BR.1502576394655843", "profile_name": "Ana", "type": "text", "text": "Hi"}

    client.post(f"/_admin/numbers/{cloud.phone_number}/inbound", json=body)

    value = received(webhook)[0]["entry"][0]["changes"][0]["value"]
    assert value["contacts"] == [{"profile": {"name": "Ana"}, "user_id": "BR.1502576394655843"}]
    assert value["messages"][0]["from_user_id"] == "BR.1502576394655843"
    assert "from" not in value["messages"][0]
    assert CLOUD_ID.match(value["messages"][0]["id"])


def test_on_premise_refuses_user_ids(
    client: TestClient, on_premise: SimulatedNumber, webhook: respx.MockRouter
) -> None:
    body = {"from": CUSTOMER, "user_id": "BR.1", "type": "text", "text": "Hi"}

    response = client.post(f"/_admin/numbers/{on_premise.phone_number}/inbound", json=body)

    assert response.status_code == 422
    assert "user_id" in response.json()["error"]
    assert received(webhook) == []


def test_a_cloud_status(client: TestClient, cloud: SimulatedNumber, webhook: respx.MockRouter) -> None:
    body = {"message_id": "wamid.OUT1", "status": "delivered", "recipient_id": CUSTOMER, "timestamp": SENT_AT}

    answer = client.post(f"/_admin/numbers/{cloud.phone_number}/statuses", json=body).json()

    expected = cloud_envelope(
        cloud,
        {
            "statuses": [
                {
                    "id": "wamid.OUT1",
                    "status": "delivered",
                    "timestamp": str(SENT_AT),
                    "recipient_id": CUSTOMER,
                }
            ]
        },
    )
    assert received(webhook) == [expected]
    assert answer["message_id"] == "wamid.OUT1"
    assert answer["payload"] == expected
    assert [delivery["status"] for delivery in answer["deliveries"]] == [200]


def test_an_on_premise_status_is_flat(
    client: TestClient, on_premise: SimulatedNumber, webhook: respx.MockRouter
) -> None:
    body = {"message_id": "gBEGkYiEB1VX", "status": "deleted", "recipient_id": CUSTOMER, "timestamp": SENT_AT}

    client.post(f"/_admin/numbers/{on_premise.phone_number}/statuses", json=body)

    assert received(webhook) == [
        {
            "statuses": [
                {
                    "id": "gBEGkYiEB1VX",
                    "status": "deleted",
                    "timestamp": str(SENT_AT),
                    "recipient_id": CUSTOMER,
                }
            ]
        }
    ]


def test_a_failed_status_carries_the_generation_errors(
    client: TestClient, number: SimulatedNumber, webhook: respx.MockRouter
) -> None:
    path = f"/_admin/numbers/{number.phone_number}/statuses"
    status = {"message_id": "m1", "status": "failed", "recipient_id": CUSTOMER}

    client.post(path, json=status)
    client.post(path, json=status | {"errors": [{"code": 131026, "title": "Message undeliverable"}]})

    default_error, given_error = (
        (payload["entry"][0]["changes"][0]["value"] if number.api_generation == "cloud" else payload)[
            "statuses"
        ][0]["errors"]
        for payload in received(webhook)
    )
    if number.api_generation == "cloud":
        assert default_error[0]["code"] == 131047
        assert given_error == [
            {
                "code": 131026,
                "title": "Message undeliverable",
                "message": "Message undeliverable",
                "error_data": {"details": "Message undeliverable"},
            }
        ]
    else:
        assert default_error[0]["code"] == 470
        assert given_error == [{"code": 131026, "title": "Message undeliverable"}]


def test_a_raw_payload_is_posted_as_given(
    client: TestClient, cloud: SimulatedNumber, webhook: respx.MockRouter
) -> None:
    hostile = {"statuses": [{"id": "x"}], "unexpected": [1, None, "ü"]}

    answer = client.post(f"/_admin/numbers/{cloud.phone_number}/deliver", json={"payload": hostile}).json()

    assert received(webhook) == [hostile]
    assert answer["payload"] == hostile
    assert set(answer) == {"payload", "deliveries"}


def test_copies_are_delivered_concurrently(
    client: TestClient, cloud: SimulatedNumber, webhook: respx.MockRouter
) -> None:
    in_flight = 0
    most_in_flight = 0

    async def slow_webhook(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, most_in_flight
        in_flight += 1
        most_in_flight = max(most_in_flight, in_flight)
        await asyncio.sleep(0.05)
        in_flight -= 1
        return httpx.Response(200)

    webhook.routes["webhook"].side_effect = slow_webhook

    answer = send_inbound(client, cloud, type="text", text="Hi", copies=4, concurrency=4).json()

    payloads = received(webhook)
    assert len(payloads) == 4
    assert all(payload == answer["payload"] for payload in payloads)
    assert [delivery["status"] for delivery in answer["deliveries"]] == [200] * 4
    assert most_in_flight == 4


def test_copies_without_concurrency_go_one_at_a_time(
    client: TestClient, cloud: SimulatedNumber, webhook: respx.MockRouter
) -> None:
    in_flight = 0
    most_in_flight = 0

    async def slow_webhook(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, most_in_flight
        in_flight += 1
        most_in_flight = max(most_in_flight, in_flight)
        await asyncio.sleep(0.01)
        in_flight -= 1
        return httpx.Response(200)

    webhook.routes["webhook"].side_effect = slow_webhook

    send_inbound(client, cloud, type="text", text="Hi", copies=3)

    assert len(received(webhook)) == 3
    assert most_in_flight == 1


def status_event(message_id: str) -> dict[str, Any]:
    return {"kind": "status", "message_id": message_id, "status": "read", "recipient_id": CUSTOMER}


def delivered_ids(webhook: respx.MockRouter) -> list[str]:
    return [payload["statuses"][0]["id"] for payload in received(webhook)]


def test_a_batch_delivers_every_event_with_copies(
    client: TestClient, on_premise: SimulatedNumber, webhook: respx.MockRouter
) -> None:
    events = [
        {"kind": "inbound", "from": CUSTOMER, "type": "text", "text": "Hi"},
        status_event("out-1"),
    ]

    response = client.post(
        f"/_admin/numbers/{on_premise.phone_number}/batch", json={"events": events, "copies_per_event": 2}
    )

    answer = response.json()
    assert response.status_code == 200
    assert answer["delivered"] == 4
    assert answer["statuses"] == {"200": 4}
    assert ON_PREMISE_ID.match(answer["message_ids"][0])
    assert answer["message_ids"][1] == "out-1"
    assert len(received(webhook)) == 4


def test_a_batch_shuffle_is_deterministic_with_a_seed(
    client: TestClient, on_premise: SimulatedNumber, webhook: respx.MockRouter
) -> None:
    ids = [f"out-{index}" for index in range(10)]
    batch = {"events": [status_event(message_id) for message_id in ids], "shuffle": True, "seed": 7}
    path = f"/_admin/numbers/{on_premise.phone_number}/batch"

    client.post(path, json=batch)
    first_order = delivered_ids(webhook)
    webhook.routes["webhook"].calls.clear()
    client.post(path, json=batch)

    assert delivered_ids(webhook) == first_order
    assert sorted(first_order) == sorted(ids)
    assert first_order != ids


def test_a_batch_keeps_the_order_without_shuffle(
    client: TestClient, on_premise: SimulatedNumber, webhook: respx.MockRouter
) -> None:
    ids = [f"out-{index}" for index in range(5)]

    client.post(
        f"/_admin/numbers/{on_premise.phone_number}/batch",
        json={"events": [status_event(message_id) for message_id in ids]},
    )

    assert delivered_ids(webhook) == ids


def test_webhook_failures_are_reported_not_raised(
    client: TestClient, cloud: SimulatedNumber, webhook: respx.MockRouter
) -> None:
    webhook.routes["webhook"].side_effect = [
        httpx.Response(500, text="boom"),
        httpx.ConnectError("connection refused"),
    ]

    answer = client.post(
        f"/_admin/numbers/{cloud.phone_number}/deliver", json={"payload": {}, "copies": 2}
    ).json()

    failed, unreachable = answer["deliveries"]
    assert (failed["status"], failed["body"]) == (500, "boom")
    assert (unreachable["status"], unreachable["body"]) == (None, None)
    assert "connection refused" in unreachable["error"]


def test_no_webhook_answers_conflict(
    client: TestClient, cloud_number: SimulatedNumber, webhook: respx.MockRouter
) -> None:
    response = send_inbound(client, cloud_number, type="text", text="Hi")

    assert response.status_code == 409
    assert "webhook" in response.json()["error"]
    assert received(webhook) == []


@pytest.mark.parametrize("endpoint", ["inbound", "statuses", "deliver", "batch"])
def test_an_unknown_number_answers_not_found(client: TestClient, endpoint: str) -> None:
    response = client.post(f"/_admin/numbers/4915100000000/{endpoint}", json={})

    assert response.status_code == 404
    assert response.json() == {"error": "no number 4915100000000"}


@pytest.mark.parametrize(
    ("endpoint", "body"),
    [
        ("inbound", {"from": CUSTOMER, "type": "text"}),
        ("inbound", {"type": "text", "text": "Hi"}),
        ("inbound", {"from": CUSTOMER, "type": "text", "text": "Hi", "media": {}}),
        ("inbound", {"from": CUSTOMER, "type": "selfie"}),
        ("inbound", {"from": CUSTOMER, "type": "text", "text": "Hi", "copies": 11}),
        ("inbound", {"from": CUSTOMER, "type": "interactive", "interactive": {"type": "button_reply"}}),
        ("statuses", {"message_id": "m1", "status": "read"}),
        ("deliver", {"copies": 2}),
        ("batch", {"events": []}),
        ("batch", {"events": [status_event("m1")], "concurrency": 21}),
        (
            "batch",
            {
                "events": [
                    {
                        "kind": "status",
                        "message_id": "m1",
                        "status": "read",
                        "recipient_id": CUSTOMER,
                        "copies": 2,
                    }
                ]
            },
        ),
    ],
)
def test_bad_input_answers_unprocessable(
    client: TestClient, cloud: SimulatedNumber, webhook: respx.MockRouter, endpoint: str, body: dict[str, Any]
) -> None:
    response = client.post(f"/_admin/numbers/{cloud.phone_number}/{endpoint}", json=body)

    assert response.status_code == 422
    assert set(response.json()) == {"error", "details"}
    assert received(webhook) == []


def test_a_body_that_is_not_json_answers_unprocessable(client: TestClient, cloud: SimulatedNumber) -> None:
    response = client.post(f"/_admin/numbers/{cloud.phone_number}/inbound", content=b"not json")

    assert response.status_code == 422
    assert response.json() == {"error": "the request body must be JSON"}


def test_the_delivery_log_lists_and_forgets_deliveries(
    client: TestClient, cloud: SimulatedNumber, webhook: respx.MockRouter
) -> None:
    message_id = send_inbound(client, cloud, type="text", text="Hi").json()["message_id"]
    client.post(f"/_admin/numbers/{cloud.phone_number}/deliver", json={"payload": {}})

    inbound, raw = client.get("/_admin/deliveries").json()

    assert set(inbound) == {
        "time",
        "phone_number",
        "url",
        "kind",
        "message_id",
        "status",
        "elapsed_ms",
        "error",
    }
    assert (inbound["phone_number"], inbound["url"], inbound["kind"]) == (
        cloud.phone_number,
        WEBHOOK_URL,
        "inbound",
    )
    assert (inbound["message_id"], inbound["status"], inbound["error"]) == (message_id, 200, None)
    assert (raw["kind"], raw["message_id"]) == ("raw", None)
    assert client.delete("/_admin/deliveries").status_code == 204
    assert client.get("/_admin/deliveries").json() == []


def test_the_webhook_token_never_shows(
    client: TestClient, cloud: SimulatedNumber, webhook: respx.MockRouter
) -> None:
    webhook.routes["webhook"].side_effect = lambda request: httpx.Response(
        200, json={"echo": dict(request.headers)}
    )
    number_path = f"/_admin/numbers/{cloud.phone_number}"

    answers = [
        send_inbound(client, cloud, type="text", text="Hi"),
        client.post(
            number_path + "/statuses", json={"message_id": "m", "status": "read", "recipient_id": CUSTOMER}
        ),
        client.post(number_path + "/deliver", json={"payload": {}}),
        client.post(number_path + "/batch", json={"events": [status_event("m")]}),
        client.get("/_admin/deliveries"),
    ]

    assert len(received(webhook)) == 4
    assert all(answer.status_code == 200 for answer in answers)
    assert not [answer.text for answer in answers if WEBHOOK_TOKEN in answer.text]
    assert answers[0].json()["deliveries"][0]["body"]["echo"]["x-webhook-token"] == "***"


STACK = LocalStackInfo(
    simulator_url=SIMULATOR_URL,
    numbers=(
        ReadyNumber("4915110000002", "key-2", "on_premise"),
        ReadyNumber("4915110000001", "key-1", "cloud"),
    ),
)


def cli_request(*argv: str) -> AdminRequest:
    return admin_request(build_parser().parse_args(argv), STACK)


def test_cli_text_goes_to_the_first_cloud_number() -> None:
    request = cli_request("text", "--from", "5511900000001", "--name", "Ana", "Hi there")

    assert request == AdminRequest(
        path="/_admin/numbers/4915110000001/inbound",
        body={
            "from": "5511900000001",
            "profile_name": "Ana",
            "type": "text",
            "text": "Hi there",
            "copies": 1,
            "concurrency": 1,
        },
    )


def test_cli_media_with_copies_to_a_named_number() -> None:
    request = cli_request(
        "media",
        "--to",
        "4915110000002",
        "--kind",
        "voice",
        "--caption",
        "c",
        "--copies",
        "3",
        "--concurrency",
        "2",
    )

    assert request.path == "/_admin/numbers/4915110000002/inbound"
    assert request.body == {
        "from": "5511987654321",
        "profile_name": "Ana Souza",
        "type": "voice",
        "media": {"caption": "c"},
        "copies": 3,
        "concurrency": 2,
    }


@pytest.mark.parametrize(
    ("argv", "content"),
    [
        (
            ["location", "--lat", "-23.56", "--lon", "-46.65", "--place-name", "Shop"],
            {"type": "location", "location": {"latitude": -23.56, "longitude": -46.65, "name": "Shop"}},
        ),
        (
            ["reaction", "--message-id", "wamid.A", "--emoji", "👍"],
            {"type": "reaction", "reaction": {"message_id": "wamid.A", "emoji": "👍"}},
        ),
        (
            ["button", "--payload", "CONFIRM", "--text", "Confirm", "--reply-to", "wamid.T"],
            {
                "type": "button",
                "button": {"payload": "CONFIRM", "text": "Confirm"},
                "context": {"message_id": "wamid.T"},
            },
        ),
        (
            ["interactive", "--reply-id", "row_2", "--title", "Tue", "--reply-type", "list_reply"],
            {
                "type": "interactive",
                "interactive": {"type": "list_reply", "list_reply": {"id": "row_2", "title": "Tue"}},
            },
        ),
    ],
)
def test_cli_inbound_kinds(argv: list[str], content: dict[str, Any]) -> None:
    request = cli_request(*argv)

    assert request.path == "/_admin/numbers/4915110000001/inbound"
    sender = {"from": "5511987654321", "profile_name": "Ana Souza"}
    assert request.body == sender | content | {"copies": 1, "concurrency": 1}


def test_cli_status() -> None:
    request = cli_request(
        "status", "--message-id", "wamid.OUT", "--status", "failed", "--error-code", "131026"
    )

    assert request == AdminRequest(
        path="/_admin/numbers/4915110000001/statuses",
        body={
            "message_id": "wamid.OUT",
            "status": "failed",
            "recipient_id": "5511987654321",
            "errors": [{"code": 131026, "title": "simulated error"}],
            "copies": 1,
            "concurrency": 1,
        },
    )


def test_cli_raw_reads_the_payload_file(tmp_path: Path) -> None:
    payload_file = tmp_path / "payload.json"
    payload_file.write_text('{"statuses": []}')

    request = cli_request("raw", "--file", str(payload_file), "--copies", "2")

    assert request == AdminRequest(
        path="/_admin/numbers/4915110000001/deliver",
        body={"payload": {"statuses": []}, "copies": 2, "concurrency": 1},
    )


@pytest.mark.parametrize(
    "argv",
    [
        ["text", "Hi"],
        ["media", "--kind", "document", "--filename", "a.pdf"],
        ["location", "--lat", "1", "--lon", "2"],
        ["reaction", "--message-id", "wamid.A"],
        ["button", "--payload", "P", "--text", "T", "--reply-to", "wamid.T", "--forwarded"],
        ["interactive", "--reply-id", "yes", "--title", "Yes"],
        ["status", "--message-id", "wamid.A", "--status", "read"],
    ],
)
def test_cli_requests_are_accepted_by_the_simulator(
    client: TestClient, state: SimulatorState, webhook: respx.MockRouter, argv: list[str]
) -> None:
    register_webhook(client, state.add_number("4915110000001", "cloud"))

    request = cli_request(*argv)
    response = client.post(request.path, json=request.body)

    assert response.status_code == 200, response.text
    assert len(received(webhook)) == 1


def write_stack(tmp_path: Path) -> Path:
    stack_file = tmp_path / "stack.json"
    numbers = [{"phone_number": "4915110000001", "api_key": "k", "api_generation": "cloud"}]
    stack_file.write_text(json.dumps({"simulator_url": SIMULATOR_URL, "numbers": numbers, "other": 1}))
    return stack_file


def test_cli_prints_the_webhook_answers(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    answer = {
        "message_id": "wamid.X",
        "payload": {},
        "deliveries": [{"status": 200, "body": {"ok": True}, "elapsed_ms": 3.2}],
    }
    with respx.mock(assert_all_mocked=True) as simulator:
        simulator.post(f"{SIMULATOR_URL}/_admin/numbers/4915110000001/inbound").mock(
            return_value=httpx.Response(200, json=answer)
        )

        exit_code = main(["text", "--stack", str(write_stack(tmp_path)), "Hi"])

    assert exit_code == 0
    assert capsys.readouterr().out == 'message id wamid.X\ndelivery 1: 200 in 3.2 ms: {"ok": true}\n'


def test_cli_fails_when_the_simulator_refuses(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with respx.mock(assert_all_mocked=True) as simulator:
        simulator.post(f"{SIMULATOR_URL}/_admin/numbers/4915110000001/inbound").mock(
            return_value=httpx.Response(409, json={"error": "number 4915110000001 has no webhook"})
        )

        exit_code = main(["text", "--stack", str(write_stack(tmp_path)), "Hi"])

    assert exit_code == 1
    assert "409" in capsys.readouterr().err


def test_cli_without_a_running_stack(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    exit_code = main(["text", "--stack", str(tmp_path / "missing.json"), "Hi"])

    assert exit_code == 2
    assert "make run" in capsys.readouterr().err
