from __future__ import annotations

import time
from types import ModuleType
from typing import Any

import pytest

from tests.unit.conftest import WORKSPACE
from tests.unit.dialog360_double import Dialog360Double, NumberAt360dialog
from tests.unit.support import Api, load_function
from tests.unit.webhook.conftest import Webhook, cloud, cloud_text

OTHER_WORKSPACE = "ws_other"
CUSTOMER = "5511987654321"

ORDER_UPDATE = [
    {"type": "HEADER", "format": "IMAGE", "example": {"header_handle": ["https://cdn.example.com/h.jpg"]}},
    {
        "type": "BODY",
        "text": "Hi {{1}}, order {{2}} is on its way.",
        "example": {"body_text": [["Anna", "A-1234"]]},
    },
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


@pytest.fixture
def send_app(aws: None, dialog360: Dialog360Double) -> ModuleType:
    return load_function("send")


@pytest.fixture
def api(send_app: ModuleType) -> Api:
    return Api(send_app, WORKSPACE)


@pytest.fixture
def other_api(send_app: ModuleType) -> Api:
    return Api(send_app, OTHER_WORKSPACE)


@pytest.fixture
def inbox(aws: None) -> Api:
    return Api(load_function("inbox"), WORKSPACE)


def webhook_for(channel: dict[str, Any], number: NumberAt360dialog) -> Webhook:
    assert number.webhook is not None
    return Webhook(load_function("webhook"), channel["id"], number.webhook["headers"]["X-Webhook-Token"])


def customer_writes(
    channel: dict[str, Any],
    number: NumberAt360dialog,
    *,
    seconds_ago: float = 60,
    wa_id: str = CUSTOMER,
    wamid: str | None = None,
) -> str:
    """The customer's message, `seconds_ago` by WhatsApp's clock; returns its wamid."""
    wamid = wamid or f"wamid.in{time.time_ns()}"
    at = int(time.time() - seconds_ago)
    if number.generation == "cloud":
        payload = cloud_text(wa_id, wamid, "Hi, is my order shipped?", at)
    else:
        payload = {
            "contacts": [{"profile": {"name": "Ana Souza"}, "wa_id": wa_id}],
            "messages": [
                {"from": wa_id, "id": wamid, "timestamp": str(at), "type": "text", "text": {"body": "Hi"}}
            ],
        }
    status, _ = webhook_for(channel, number).deliver(payload)
    assert status == 200
    return wamid


def status_arrives(channel: dict[str, Any], number: NumberAt360dialog, wamid: str, status: str) -> None:
    payload = cloud(
        statuses=[
            {"id": wamid, "status": status, "timestamp": str(int(time.time())), "recipient_id": CUSTOMER}
        ]
    )
    assert webhook_for(channel, number).deliver(payload)[0] == 200


def only_contact(inbox: Api) -> dict[str, Any]:
    [contact] = inbox.call("GET", "/contacts", expect=200)[1]["items"]
    return dict(contact)


def send(api: Api, channel: dict[str, Any], body: dict[str, Any], **kwargs: Any) -> tuple[int, Any]:
    return api.call(
        "POST",
        "/channels/{channel_id}/messages",
        path_parameters={"channel_id": channel["id"]},
        body=body,
        **kwargs,
    )
