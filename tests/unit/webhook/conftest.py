from __future__ import annotations

import json
from types import ModuleType
from typing import Any

import boto3
import pytest

from tests.unit.dialog360_double import Dialog360Double
from tests.unit.support import Api, LambdaContext, http_event, load_function

WORKSPACE = "ws_acme"
BUSINESS_DIGITS = "4915112345678"
KEY = "cloud-key-abcdef123456"


class Webhook:
    """Delivers payloads to the webhook function the way 360dialog does."""

    def __init__(self, module: ModuleType, channel_id: str, token: str) -> None:
        self.module = module
        self.channel_id = channel_id
        self.token = token

    def deliver(
        self, payload: Any, *, token: str | None = None, channel_id: str | None = None
    ) -> tuple[int, Any]:
        raw = payload if isinstance(payload, str) else json.dumps(payload)
        event = http_event(
            "POST",
            "/webhooks/360dialog/{channel_id}",
            path_parameters={"channel_id": channel_id or self.channel_id},
            raw_body=raw,
            headers={"X-Webhook-Token": self.token if token is None else token},
        )
        event["requestContext"].pop("authorizer")
        response = self.module.lambda_handler(event, LambdaContext())
        return response["statusCode"], json.loads(response["body"])


@pytest.fixture
def api(aws: None, dialog360: Dialog360Double) -> Api:
    return Api(load_function("channels"), WORKSPACE)


@pytest.fixture
def channel(api: Api, dialog360: Dialog360Double) -> dict[str, Any]:
    dialog360.add(BUSINESS_DIGITS, KEY)
    return api.connect(f"+{BUSINESS_DIGITS}", KEY, greeting_message="Hello! We answer within the hour.")


@pytest.fixture
def webhook(channel: dict[str, Any], dialog360: Dialog360Double) -> Webhook:
    registered = dialog360.numbers[0].webhook
    assert registered is not None
    return Webhook(load_function("webhook"), channel["id"], registered["headers"]["X-Webhook-Token"])


def table_items() -> list[dict[str, Any]]:
    from wachannel.store.codec import from_item

    table = load_function("channels").settings.table_name
    pages = boto3.client("dynamodb").get_paginator("scan").paginate(TableName=table)
    return [from_item(item) for page in pages for item in page["Items"]]


def stored_item(pk: str, sk: str) -> dict[str, Any] | None:
    """One item of the table, read consistently; cheaper than a scan once a test has stored a lot."""
    from wachannel.store.codec import from_item, to_item

    table = load_function("channels").settings.table_name
    item = boto3.client("dynamodb").get_item(
        TableName=table, Key=to_item({"PK": pk, "SK": sk}), ConsistentRead=True
    )
    return from_item(item["Item"]) if "Item" in item else None


def items_of(entity: str) -> list[dict[str, Any]]:
    return [item for item in table_items() if item.get("entity") == entity]


def queued_jobs() -> list[dict[str, Any]]:
    sqs = boto3.client("sqs")
    url = sqs.get_queue_url(QueueName="wachannel-test-send")["QueueUrl"]
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0).get(
        "Messages", []
    )
    return [json.loads(m["Body"]) for m in messages]


def cloud(
    messages: list[dict[str, Any]] | None = None,
    statuses: list[dict[str, Any]] | None = None,
    contacts: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    value: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": BUSINESS_DIGITS, "phone_number_id": "111222333444555"},
    }
    if contacts is not None:
        value["contacts"] = contacts
    if messages is not None:
        value["messages"] = messages
    if statuses is not None:
        value["statuses"] = statuses
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": "102030405060708", "changes": [{"field": "messages", "value": value}]}],
    }


def cloud_text(
    wa_id: str, wamid: str, text: str, timestamp: int, name: str | None = "Ana Souza"
) -> dict[str, Any]:
    contacts = [{"profile": {"name": name}, "wa_id": wa_id}] if name else []
    message = {
        "from": wa_id,
        "id": wamid,
        "timestamp": str(timestamp),
        "type": "text",
        "text": {"body": text},
    }
    return cloud(messages=[message], contacts=contacts)


def cloud_status(
    wamid: str, status: str, timestamp: int, recipient: str = "5511987654321", **extra: Any
) -> dict[str, Any]:
    entry = {"id": wamid, "status": status, "timestamp": str(timestamp), "recipient_id": recipient, **extra}
    return cloud(statuses=[entry])
