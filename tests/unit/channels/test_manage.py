from __future__ import annotations

import pytest

from tests.unit.dialog360_double import Dialog360Double
from tests.unit.support import Api

KEY = "cloud-key-abcdef123456"
NEW_KEY = "cloud-key-newnew654321"
ROUTES_WITH_ID = [
    ("GET", "/channels/{channel_id}", None),
    ("PATCH", "/channels/{channel_id}", {"name": "x"}),
    ("DELETE", "/channels/{channel_id}", None),
    ("GET", "/channels/{channel_id}/api-key", None),
    ("PUT", "/channels/{channel_id}/api-key", {"api_key": NEW_KEY}),
    ("POST", "/channels/{channel_id}/api-key/refresh", None),
    ("GET", "/channels/{channel_id}/audit", None),
    ("GET", "/channels/{channel_id}/health", None),
]


@pytest.fixture
def channel(api: Api, dialog360: Dialog360Double) -> dict:
    dialog360.add("4915112345678", KEY)
    return api.connect("+4915112345678", KEY)


def _path(channel: dict) -> dict[str, str]:
    return {"channel_id": channel["id"]}


def test_list_pages_with_an_opaque_cursor(api: Api, dialog360: Dialog360Double):
    for index in range(3):
        digits = f"491511234567{index}"
        dialog360.add(digits, f"{KEY}{index}")
        api.connect(f"+{digits}", f"{KEY}{index}")

    _, first = api.call("GET", "/channels", query={"limit": "2"}, expect=200)
    _, second = api.call("GET", "/channels", query={"limit": "2", "cursor": first["next_cursor"]}, expect=200)

    assert len(first["items"]) == 2
    assert len(second["items"]) == 1
    assert second["next_cursor"] is None
    assert {c["id"] for c in first["items"] + second["items"]} == {c["id"] for c in first["items"]} | {
        second["items"][0]["id"]
    }


def test_a_forged_or_foreign_cursor_is_400(api: Api, other_api: Api, dialog360: Dialog360Double):
    for index in range(2):
        dialog360.add(f"491511234567{index}", f"{KEY}{index}")
        api.connect(f"+491511234567{index}", f"{KEY}{index}")
    _, page = api.call("GET", "/channels", query={"limit": "1"}, expect=200)
    payload, signature = page["next_cursor"].split(".")

    for cursor in ("garbage", f"{payload}.AAAA", f"{payload[:-2]}xx.{signature}"):
        status, body = api.call("GET", "/channels", query={"cursor": cursor})
        assert status == 400
        assert body["error"]["code"] == "validation_error"
    status, _ = other_api.call("GET", "/channels", query={"cursor": page["next_cursor"]})
    assert status == 400


def test_limit_outside_1_to_100_is_422(api: Api, dialog360: Dialog360Double):
    for limit in ("0", "101", "many"):
        status, body = api.call("GET", "/channels", query={"limit": limit})
        assert status == 422
        assert body["error"]["details"][0]["field"] == "limit"


@pytest.mark.parametrize(("method", "route", "body"), ROUTES_WITH_ID)
def test_another_workspace_gets_404_on_every_channel_route(
    other_api: Api, channel: dict, method: str, route: str, body: dict | None
):
    status, answer = other_api.call(method, route, path_parameters=_path(channel), body=body)

    assert status == 404
    assert answer["error"]["code"] == "not_found"


def test_patch_changes_name_and_clears_greeting(api: Api, dialog360: Dialog360Double):
    dialog360.add("4915112345678", KEY)
    channel = api.connect("+4915112345678", KEY, greeting_message="Hello")
    registered = dialog360.numbers[0].webhook

    _, updated = api.call(
        "PATCH",
        "/channels/{channel_id}",
        path_parameters=_path(channel),
        body={"name": "Sales", "greeting_message": None},
        expect=200,
    )

    assert updated["name"] == "Sales"
    assert updated["greeting_message"] is None
    assert dialog360.numbers[0].webhook == registered
    _, fetched = api.call("GET", "/channels/{channel_id}", path_parameters=_path(channel), expect=200)
    assert fetched == updated


def test_replacing_the_key_reregisters_the_webhook_with_a_new_secret(
    api: Api, dialog360: Dialog360Double, channel: dict
):
    number = dialog360.numbers[0]
    old_secret = number.webhook["headers"]["X-Webhook-Token"]  # type: ignore[index]
    number.api_key = NEW_KEY

    _, updated = api.call(
        "PUT",
        "/channels/{channel_id}/api-key",
        path_parameters=_path(channel),
        body={"api_key": NEW_KEY},
        expect=200,
    )

    assert updated["api_key_masked"] == "****4321"
    assert number.webhook is not None
    assert number.webhook["url"] == channel["webhook_url"]
    assert number.webhook["headers"]["X-Webhook-Token"] != old_secret
    _, shown = api.call("GET", "/channels/{channel_id}/api-key", path_parameters=_path(channel), expect=200)
    assert shown == {"api_key": NEW_KEY}


def test_a_refused_new_key_changes_nothing(api: Api, dialog360: Dialog360Double, channel: dict):
    registered = dialog360.numbers[0].webhook

    status, body = api.call(
        "PATCH",
        "/channels/{channel_id}",
        path_parameters=_path(channel),
        body={"name": "Renamed", "api_key": "not-the-key-000"},
    )

    assert status == 422
    assert body["error"]["code"] == "invalid_api_key"
    _, fetched = api.call("GET", "/channels/{channel_id}", path_parameters=_path(channel), expect=200)
    assert fetched["name"] == "Support"
    assert fetched["api_key_masked"] == channel["api_key_masked"]
    assert dialog360.numbers[0].webhook == registered


@pytest.mark.parametrize("new_key", ["cl\u00e9-key-123456", "cloud-key-\u0000123456"])
def test_a_key_outside_printable_ascii_is_422_before_360dialog_hears_of_it(
    api: Api, dialog360: Dialog360Double, channel: dict, new_key: str
):
    calls_before = len(dialog360.router.calls)

    status, body = api.call(
        "PUT", "/channels/{channel_id}/api-key", path_parameters=_path(channel), body={"api_key": new_key}
    )

    assert status == 422
    assert body["error"]["details"][0]["field"] == "api_key"
    assert len(dialog360.router.calls) == calls_before


def test_moving_to_a_number_already_connected_is_409(api: Api, dialog360: Dialog360Double, channel: dict):
    dialog360.add("4915112345679", "second-key-123456")
    api.connect("+4915112345679", "second-key-123456")

    status, body = api.call(
        "PATCH",
        "/channels/{channel_id}",
        path_parameters=_path(channel),
        body={"phone_number": "+4915112345679"},
    )

    assert status == 409
    assert body["error"]["code"] == "channel_exists"


def test_viewing_the_key_is_audited_without_the_key(
    api: Api, channel: dict, caplog: pytest.LogCaptureFixture
):
    _, shown = api.call("GET", "/channels/{channel_id}/api-key", path_parameters=_path(channel), expect=200)
    _, audit = api.call("GET", "/channels/{channel_id}/audit", path_parameters=_path(channel), expect=200)

    assert shown == {"api_key": KEY}
    assert [entry["action"] for entry in audit["items"]] == ["api_key_viewed", "webhook_registered"]
    assert audit["items"][0]["actor"] == "agent-1"
    assert KEY not in repr(audit)
    viewed = [record for record in caplog.records if record.getMessage() == "API key viewed"]
    assert len(viewed) == 1
    assert KEY not in repr([record.__dict__ for record in caplog.records])


def test_refresh_gets_a_new_key_from_the_partner_api(api: Api, dialog360: Dialog360Double, channel: dict):
    number = dialog360.numbers[0]

    _, refreshed = api.call(
        "POST", "/channels/{channel_id}/api-key/refresh", path_parameters=_path(channel), expect=200
    )

    assert KEY in number.revoked
    assert refreshed["api_key_masked"] == f"****{number.api_key[-4:]}"
    assert number.webhook is not None
    assert number.webhook["url"] == channel["webhook_url"]
    _, shown = api.call("GET", "/channels/{channel_id}/api-key", path_parameters=_path(channel), expect=200)
    assert shown == {"api_key": number.api_key}
    _, audit = api.call("GET", "/channels/{channel_id}/audit", path_parameters=_path(channel), expect=200)
    assert [e["action"] for e in audit["items"]][1:3] == ["webhook_registered", "api_key_refreshed"]


def test_disconnect_clears_the_webhook_keeps_history_and_frees_the_number(
    api: Api, dialog360: Dialog360Double, channel: dict
):
    status, body = api.call("DELETE", "/channels/{channel_id}", path_parameters=_path(channel))

    assert (status, body) == (204, None)
    assert dialog360.numbers[0].webhook is None
    _, fetched = api.call("GET", "/channels/{channel_id}", path_parameters=_path(channel), expect=200)
    assert fetched["status"] == "disconnected"
    assert api.call("DELETE", "/channels/{channel_id}", path_parameters=_path(channel))[0] == 204
    _, audit = api.call("GET", "/channels/{channel_id}/audit", path_parameters=_path(channel), expect=200)
    assert audit["items"][0]["action"] == "channel_disconnected"
    again = api.connect("+4915112345678", KEY)
    assert again["id"] != channel["id"]


def test_health_of_a_fresh_channel(api: Api, channel: dict):
    _, health = api.call("GET", "/channels/{channel_id}/health", path_parameters=_path(channel), expect=200)

    assert health["api_key_valid"] is True
    assert health["webhook_registered"] is True
    assert health["webhook_url_matches"] is True
    assert health["account"]["can_send_message"] == "AVAILABLE"
    assert health["templates_last_synced_at"] is None
    assert health["profile_last_synced_at"] is None
    assert health["delivery"] == {
        "last_webhook_at": None,
        "messages_received": 0,
        "statuses_applied": 0,
        "duplicates_dropped": 0,
        "stale_statuses_ignored": 0,
        "last_provider_error": None,
    }
    assert [p["code"] for p in health["problems"]] == ["templates_never_synced", "no_webhook_received"]


def test_health_says_what_is_wrong(api: Api, dialog360: Dialog360Double, channel: dict):
    number = dialog360.numbers[0]
    number.can_send_message = "BLOCKED"
    number.webhook = {"url": "https://other-crm.example.com/hook", "headers": {}}

    _, health = api.call("GET", "/channels/{channel_id}/health", path_parameters=_path(channel), expect=200)

    codes = [p["code"] for p in health["problems"]]
    assert health["webhook_url_matches"] is False
    assert "webhook_points_elsewhere" in codes
    assert "account_blocked" in codes
    blocked = next(p for p in health["problems"] if p["code"] == "account_blocked")
    assert "Business account is restricted" in blocked["message"]


def test_health_with_a_revoked_key(api: Api, dialog360: Dialog360Double, channel: dict):
    dialog360.numbers[0].api_key = "someone-else-rotated-it"

    _, health = api.call("GET", "/channels/{channel_id}/health", path_parameters=_path(channel), expect=200)

    assert health["api_key_valid"] is False
    assert health["problems"][0]["code"] == "api_key_invalid"
    assert "PUT /channels/" in health["problems"][0]["message"]


def test_health_when_360dialog_does_not_answer(api: Api, dialog360: Dialog360Double, channel: dict):
    dialog360.router.get("https://waba-v2.360dialog.io/health_status").respond(
        503, json={"meta": {"success": False, "http_code": 503, "developer_message": "Service Unavailable"}}
    )

    _, health = api.call("GET", "/channels/{channel_id}/health", path_parameters=_path(channel), expect=200)

    assert health["api_key_valid"] is None
    assert health["problems"][0]["code"] == "provider_unreachable"


def test_moving_to_another_number_with_its_key_lets_the_old_number_go(
    api: Api, dialog360: Dialog360Double, channel: dict
):
    new_number = dialog360.add("4915112345670", "new-number-key-98765")

    _, moved = api.call(
        "PATCH",
        "/channels/{channel_id}",
        path_parameters=_path(channel),
        body={"phone_number": "+4915112345670", "api_key": "new-number-key-98765"},
        expect=200,
    )

    assert moved["phone_number"] == "+4915112345670"
    assert new_number.webhook is not None
    assert new_number.webhook["url"] == channel["webhook_url"]
    assert dialog360.numbers[0].webhook is None
    other = api.connect("+4915112345678", KEY)
    assert other["phone_number"] == "+4915112345678"
