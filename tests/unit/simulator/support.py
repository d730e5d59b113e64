"""Numbers, keys, webhooks and expected bodies shared by the simulator tests."""

import json
import time
from collections.abc import Callable
from typing import Any

import respx
from starlette.testclient import TestClient

from infra.local.simulator import SimulatedNumber

CLOUD_PHONE_NUMBER = "4915112345678"
ON_PREMISE_PHONE_NUMBER = "4915187654321"
PARTNER_ID = "sim01PA"
PARTNER_API_KEY = "partner-key-for-tests"
PARTNER_HEADER = {"X-API-Key": PARTNER_API_KEY}
INVALID_API_KEY_BODY = {"meta": {"success": False, "http_code": 401, "developer_message": "Invalid api_key"}}
ON_PREMISE_META = {"api_status": "stable", "version": "2.x"}
WEBHOOK_URL = "http://127.0.0.1:3000/webhooks/360dialog/ch_01"
WEBHOOK_TOKEN = "s3cr3t-webhook-token-0123"


def key_header(number: SimulatedNumber) -> dict[str, str]:
    assert number.api_key is not None
    return {"D360-API-KEY": number.api_key}


def register_webhook(client: TestClient, number: SimulatedNumber) -> SimulatedNumber:
    registration = {"url": WEBHOOK_URL, "headers": {"X-Webhook-Token": WEBHOOK_TOKEN}}
    response = client.post("/v1/configs/webhook", headers=key_header(number), json=registration)
    assert response.status_code == 200
    return number


def received(webhook: respx.MockRouter) -> list[Any]:
    """The bodies the `webhook` fixture's URL received, oldest first."""
    return [json.loads(call.request.content) for call in webhook.routes["webhook"].calls]


def wait_until(condition: Callable[[], bool], timeout: float = 3.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def meta_error(body: dict[str, Any]) -> dict[str, Any]:
    error: dict[str, Any] = body["error"]
    assert error["type"] == "OAuthException"
    assert error["error_data"]["messaging_product"] == "whatsapp"
    assert error["fbtrace_id"]
    return error


def on_premise_error(body: dict[str, Any]) -> dict[str, Any]:
    assert body["meta"] == ON_PREMISE_META
    [error] = body["errors"]
    assert set(error) == {"code", "title", "details"}
    return dict(error)


def error_code(number: SimulatedNumber, body: dict[str, Any]) -> int:
    error = meta_error(body) if number.api_generation == "cloud" else on_premise_error(body)
    return int(error["code"])
