from __future__ import annotations

import boto3
import pytest

from tests.unit.dialog360_double import Dialog360Double
from tests.unit.support import Api, load_function

CLOUD_KEY = "cloud-key-abcdef123456"
ONPREM_KEY = "onprem-key-zyxwvu987654"


def _stored_items() -> list[dict]:
    table = load_function("channels").settings.table_name
    return boto3.client("dynamodb").scan(TableName=table)["Items"]


def test_connecting_a_cloud_number_registers_our_webhook_with_a_secret(api: Api, dialog360: Dialog360Double):
    number = dialog360.add("4915112345678", CLOUD_KEY)

    channel = api.connect("+49 151 1234 5678", CLOUD_KEY, greeting_message="Hi! We answer within the hour.")

    assert channel["phone_number"] == "+4915112345678"
    assert channel["api_generation"] == "cloud"
    assert channel["api_key_masked"] == "****3456"
    assert channel["status"] == "active"
    assert channel["greeting_message"] == "Hi! We answer within the hour."
    assert channel["webhook_url"] == (
        f"https://a1b2c3d4e5.execute-api.eu-central-1.amazonaws.com/webhooks/360dialog/{channel['id']}"
    )
    assert number.webhook is not None
    assert number.webhook["url"] == channel["webhook_url"]
    assert len(number.webhook["headers"]["X-Webhook-Token"]) >= 32
    assert "api_key" not in channel


def test_the_key_and_secret_are_never_stored_in_clear(api: Api, dialog360: Dialog360Double):
    number = dialog360.add("4915112345678", CLOUD_KEY)
    api.connect("+4915112345678", CLOUD_KEY)

    dump = repr(_stored_items())
    assert CLOUD_KEY not in dump
    assert number.webhook is not None
    assert number.webhook["headers"]["X-Webhook-Token"] not in dump


def test_connecting_an_on_premise_number(api: Api, dialog360: Dialog360Double):
    number = dialog360.add("4915112345679", ONPREM_KEY, generation="on_premise")

    channel = api.connect("4915112345679", ONPREM_KEY, api_generation="on_premise")

    assert channel["api_generation"] == "on_premise"
    assert number.webhook is not None
    assert number.webhook["url"] == channel["webhook_url"]


def test_a_refused_key_is_422_and_nothing_is_stored(api: Api, dialog360: Dialog360Double):
    dialog360.add("4915112345678", CLOUD_KEY)

    status, body = api.call(
        "POST",
        "/channels",
        body={"name": "Support", "phone_number": "+4915112345678", "api_key": "wrong-key-123"},
    )

    assert status == 422
    assert body["error"]["code"] == "invalid_api_key"
    assert body["error"]["details"]["provider_status"] == 401
    assert _stored_items() == []
    assert api.connect("+4915112345678", CLOUD_KEY)["status"] == "active"


def test_the_same_number_twice_in_a_workspace_is_409(api: Api, dialog360: Dialog360Double):
    dialog360.add("4915112345678", CLOUD_KEY)
    first = api.connect("+4915112345678", CLOUD_KEY)

    status, body = api.call(
        "POST", "/channels", body={"name": "Again", "phone_number": "004915112345678", "api_key": CLOUD_KEY}
    )

    assert status == 409
    assert body["error"]["code"] == "channel_exists"
    assert dialog360.numbers[0].webhook is not None
    assert dialog360.numbers[0].webhook["url"] == first["webhook_url"]


def test_another_workspace_may_connect_the_same_number(api: Api, other_api: Api, dialog360: Dialog360Double):
    dialog360.add("4915112345678", CLOUD_KEY)
    api.connect("+4915112345678", CLOUD_KEY)

    assert other_api.connect("+4915112345678", CLOUD_KEY)["status"] == "active"


def test_provider_trouble_while_registering_stores_nothing(api: Api, dialog360: Dialog360Double):
    dialog360.add("4915112345678", CLOUD_KEY)
    dialog360.router.post("https://waba-v2.360dialog.io/v1/configs/webhook").respond(
        400,
        json={
            "error": {
                "message": "(#100) Invalid parameter",
                "type": "OAuthException",
                "code": 100,
                "error_data": {"messaging_product": "whatsapp", "details": "url is invalid"},
                "fbtrace_id": "AbC",
            }
        },
    )

    status, body = api.call(
        "POST", "/channels", body={"name": "Support", "phone_number": "+4915112345678", "api_key": CLOUD_KEY}
    )

    assert status == 502
    assert body["error"]["code"] == "provider_error"
    assert body["error"]["details"]["provider_code"] == 100
    assert _stored_items() == []


def test_invalid_fields_are_all_reported(api: Api, dialog360: Dialog360Double):
    status, body = api.call(
        "POST",
        "/channels",
        body={"name": "", "phone_number": "+4915112345678", "api_key": "short", "api_generation": "v3"},
    )

    assert status == 422
    assert body["error"]["code"] == "validation_error"
    fields = {problem["field"] for problem in body["error"]["details"]}
    assert {"name", "api_key", "api_generation"} <= fields


def test_an_impossible_phone_number_is_422(api: Api, dialog360: Dialog360Double):
    status, body = api.call(
        "POST", "/channels", body={"name": "Support", "phone_number": "+49 12", "api_key": CLOUD_KEY}
    )

    assert status == 422
    assert body["error"]["details"] == [{"field": "phone_number", "message": body["error"]["message"]}]


def test_a_base_url_outside_360dialog_is_refused_before_the_key_leaves(api: Api, dialog360: Dialog360Double):
    status, body = api.call(
        "POST",
        "/channels",
        body={
            "name": "Support",
            "phone_number": "+4915112345678",
            "api_key": CLOUD_KEY,
            "base_url": "https://attacker.example.com",
        },
    )

    assert status == 422
    assert body["error"]["details"][0]["field"] == "base_url"
    assert not dialog360.router.calls


def test_non_json_body_is_400(api: Api, dialog360: Dialog360Double):
    status, body = api.call("POST", "/channels", raw_body="{name: nope")

    assert status == 400
    assert body["error"]["code"] == "invalid_json"


@pytest.mark.parametrize(
    "content_type",
    ["multipart/form-data", "multipart/form-data; boundary=x", "application/x-www-form-urlencoded"],
)
def test_a_form_body_is_400_not_json(api: Api, dialog360: Dialog360Double, content_type: str):
    dialog360.add("4915112345678", CLOUD_KEY)
    form = f"name=Support&phone_number=%2B4915112345678&api_key={CLOUD_KEY}"

    status, body = api.call("POST", "/channels", raw_body=form, headers={"Content-Type": content_type})

    assert status == 400
    assert body["error"]["code"] == "invalid_json"
    assert not dialog360.router.calls


def test_a_body_that_is_not_utf8_is_400_not_json(api: Api, dialog360: Dialog360Double):
    status, body = api.call(
        "PATCH",
        "/channels/{channel_id}",
        path_parameters={"channel_id": "ch_x"},
        raw_body=b'{"name": "\xff"}',
        headers={"Content-Type": "application/json"},
    )

    assert status == 400
    assert body["error"]["code"] == "invalid_json"


def test_unknown_fields_are_refused(api: Api, dialog360: Dialog360Double):
    status, body = api.call(
        "POST",
        "/channels",
        body={
            "name": "Support",
            "phone_number": "+4915112345678",
            "api_key": CLOUD_KEY,
            "workspace_id": "ws_x",
        },
    )

    assert status == 422
    assert body["error"]["details"][0]["field"] == "workspace_id"


def test_an_oversized_body_is_413(api: Api, dialog360: Dialog360Double):
    status, body = api.call(
        "POST",
        "/channels",
        body={"name": "x" * 70_000, "phone_number": "+4915112345678", "api_key": CLOUD_KEY},
    )

    assert status == 413
    assert body["error"]["code"] == "payload_too_large"
    assert body["error"]["details"]["limit_bytes"] == 65536


def test_a_token_without_workspace_is_401_in_the_envelope(api: Api, dialog360: Dialog360Double):
    status, body = api.call("GET", "/channels", claims={"sub": "user-1", "iss": "https://issuer"})

    assert status == 401
    assert body["error"]["code"] == "unauthorized"


def test_a_token_without_workspace_is_401_before_the_body_is_read(api: Api, dialog360: Dialog360Double):
    status, body = api.call("POST", "/channels", body={"nonsense": True}, claims={"sub": "user-1"})

    assert (status, body["error"]["code"]) == (401, "unauthorized")
    assert dialog360.numbers == []


@pytest.mark.parametrize("workspace_id", ["ws_acme\n", "", "ws acme", "w" * 129, "ws/acme"])
def test_a_workspace_claim_outside_the_rule_is_401(api: Api, dialog360: Dialog360Double, workspace_id: str):
    status, body = api.call("GET", "/channels", claims={"sub": "u", "workspace_id": workspace_id})

    assert (status, body["error"]["code"]) == (401, "unauthorized")


def test_cognito_workspace_claim_is_understood(api: Api, dialog360: Dialog360Double):
    status, body = api.call("GET", "/channels", claims={"sub": "u", "custom:workspace_id": "ws_acme"})

    assert status == 200
    assert body == {"items": [], "next_cursor": None}
