from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.unit.conftest import WORKSPACE
from tests.unit.dialog360_double import Dialog360Double, NumberAt360dialog
from tests.unit.support import Api, load_function


@pytest.fixture
def api(aws: None, dialog360: Dialog360Double) -> Api:
    return Api(load_function("profile"), WORKSPACE)


def _call(api: Api, method: str, route: str, channel: dict[str, Any], **kwargs: Any) -> tuple[int, Any]:
    return api.call(method, route, path_parameters={"channel_id": channel["id"]}, **kwargs)


def test_a_profile_never_synced_has_no_last_synced_at(api: Api, channel: dict[str, Any]):
    status, profile = _call(api, "GET", "/channels/{channel_id}/profile", channel)

    assert status == 200
    assert profile == {
        "about": None,
        "address": None,
        "description": None,
        "email": None,
        "vertical": None,
        "websites": [],
        "profile_picture_url": None,
        "last_synced_at": None,
    }


@pytest.mark.parametrize("wrapped", [True, False], ids=["meta data wrapper", "unwrapped"])
def test_a_sync_reads_either_cloud_shape_and_keeps_it(
    api: Api, channels: Api, channel: dict[str, Any], number: NumberAt360dialog, wrapped: bool
):
    number.profile_wrapped = wrapped
    number.profile.update({"address": "Hauptstr. 1, Berlin", "websites": ["https://bakery.example"]})

    synced = _call(api, "POST", "/channels/{channel_id}/profile/sync", channel, expect=200)[1]
    stored = _call(api, "GET", "/channels/{channel_id}/profile", channel, expect=200)[1]

    assert synced == stored
    assert (stored["about"], stored["vertical"], stored["websites"]) == (
        "Available",
        "RESTAURANT",
        ["https://bakery.example"],
    )
    assert stored["last_synced_at"] is not None
    health = channels.call(
        "GET", "/channels/{channel_id}/health", path_parameters={"channel_id": channel["id"]}
    )[1]
    assert health["profile_last_synced_at"] == stored["last_synced_at"]


def test_an_on_premise_profile_maps_the_old_vertical_and_reads_about_separately(
    api: Api, on_premise_channel: dict[str, Any], on_premise_number: NumberAt360dialog
):
    on_premise_number.profile = {"about": "Fresh bread daily", "vertical": "Food and Grocery", "websites": []}

    profile = _call(api, "POST", "/channels/{channel_id}/profile/sync", on_premise_channel, expect=200)[1]

    assert (profile["about"], profile["vertical"]) == ("Fresh bread daily", "GROCERY")


def test_an_edit_is_written_to_360dialog_then_stored_as_it_holds_it(
    api: Api, channel: dict[str, Any], number: NumberAt360dialog
):
    status, profile = _call(
        api,
        "PATCH",
        "/channels/{channel_id}/profile",
        channel,
        body={"about": "Open 7-19", "websites": ["https://bakery.example"], "vertical": "GROCERY"},
    )

    assert status == 200, profile
    assert number.profile["about"] == "Open 7-19"
    assert (profile["about"], profile["vertical"], profile["websites"]) == (
        "Open 7-19",
        "GROCERY",
        ["https://bakery.example"],
    )


def test_on_premise_edits_go_to_both_endpoints_in_its_words(
    api: Api, on_premise_channel: dict[str, Any], on_premise_number: NumberAt360dialog
):
    status, profile = _call(
        api,
        "PATCH",
        "/channels/{channel_id}/profile",
        on_premise_channel,
        body={"about": "Baked today", "vertical": "HOTEL", "email": "hi@bakery.example"},
    )

    assert status == 200, profile
    assert on_premise_number.profile["vertical"] == "Hotel and Lodging"
    assert on_premise_number.profile["about"] == "Baked today"
    assert (profile["vertical"], profile["email"]) == ("HOTEL", "hi@bakery.example")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"about": ""}, "about"),
        ({"about": "x" * 140}, "about"),
        ({"address": "x" * 257}, "address"),
        ({"description": "x" * 513}, "description"),
        ({"email": "not-an-address"}, "email"),
        ({"email": f"{'a' * 120}@bakery.example"}, "email"),
        ({"websites": ["https://a.example", "https://b.example", "https://c.example"]}, "websites"),
        ({"websites": ["ftp://bakery.example"]}, "websites.0"),
        ({"websites": [f"https://bakery.example/{'x' * 250}"]}, "websites.0"),
        ({"vertical": "BAKERY"}, "vertical"),
        ({"vertical": None}, "vertical"),
    ],
)
def test_each_limit_is_checked_before_anything_is_sent(
    api: Api, channel: dict[str, Any], number: NumberAt360dialog, body: dict[str, Any], field: str
):
    before = dict(number.profile)

    status, answer = _call(api, "PATCH", "/channels/{channel_id}/profile", channel, body=body)

    assert status == 422, answer
    assert field in {problem["field"] for problem in answer["error"]["details"]}
    assert number.profile == before


def test_many_broken_fields_are_listed_at_once(api: Api, channel: dict[str, Any]):
    status, answer = _call(
        api,
        "PATCH",
        "/channels/{channel_id}/profile",
        channel,
        body={"about": "", "email": "nope", "websites": ["ftp://x"], "vertical": "BAKERY"},
    )

    assert status == 422
    assert {"about", "email", "websites.0", "vertical"} <= {p["field"] for p in answer["error"]["details"]}


def test_a_refusal_by_360dialog_changes_nothing_here(
    api: Api, channel: dict[str, Any], number: NumberAt360dialog
):
    synced = _call(api, "POST", "/channels/{channel_id}/profile/sync", channel, expect=200)[1]
    number.profile_refusal = httpx.Response(
        400,
        json={
            "error": {
                "message": "(#100) Invalid parameter",
                "type": "OAuthException",
                "code": 100,
                "error_data": {"messaging_product": "whatsapp", "details": "Param about is too long"},
            }
        },
    )

    status, answer = _call(
        api, "PATCH", "/channels/{channel_id}/profile", channel, body={"about": "Closed on Sundays"}
    )

    assert status == 422
    assert "Param about is too long" in answer["error"]["details"][0]["message"]
    assert _call(api, "GET", "/channels/{channel_id}/profile", channel, expect=200)[1] == synced


def test_a_failed_sync_is_shown_in_channel_health(
    api: Api, channels: Api, channel: dict[str, Any], number: NumberAt360dialog
):
    number.api_key = "revoked-elsewhere-0000"

    status, _ = _call(api, "POST", "/channels/{channel_id}/profile/sync", channel)

    assert status == 502
    health = channels.call(
        "GET", "/channels/{channel_id}/health", path_parameters={"channel_id": channel["id"]}
    )[1]
    assert "profile_sync_failed" in [problem["code"] for problem in health["problems"]]
    assert health["profile_sync_error"]


def test_another_workspaces_channel_is_404(aws: None, dialog360: Dialog360Double, channel: dict[str, Any]):
    other = Api(load_function("profile"), "ws_other")
    for method, route, body in (
        ("GET", "/channels/{channel_id}/profile", None),
        ("POST", "/channels/{channel_id}/profile/sync", None),
        ("PATCH", "/channels/{channel_id}/profile", {"about": "Hijacked"}),
    ):
        status, answer = _call(other, method, route, channel, body=body)
        assert (status, answer["error"]["code"]) == (404, "not_found")
