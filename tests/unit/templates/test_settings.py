from __future__ import annotations

from typing import Any

from tests.unit.conftest import WORKSPACE
from tests.unit.dialog360_double import NumberAt360dialog
from tests.unit.support import Api, load_function
from tests.unit.templates.conftest import channel_path, listed, sync

ORDER_UPDATE = [
    {"type": "HEADER", "format": "TEXT", "text": "Order {{1}}", "example": {"header_text": ["A-1234"]}},
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
DEFAULTS = {
    "header": ["{{contact.attributes.order_id}}"],
    "body": ["{{contact.first_name|there}}", "{{contact.attributes.order_id}}"],
    "buttons": [[], ["{{contact.attributes.order_id}}"]],
}


def _patch(
    api: Api, channel: dict[str, Any], body: dict[str, Any], name: str = "order_update"
) -> tuple[int, Any]:
    return api.call(
        "PATCH",
        "/channels/{channel_id}/templates/{name}/{language}",
        path_parameters=channel_path(channel, name=name, language="en"),
        body=body,
    )


def _synced_order_update(api: Api, channel: dict[str, Any], number: NumberAt360dialog) -> None:
    number.add_template("order_update", "en", components=ORDER_UPDATE)
    sync(api, channel)


def test_settings_are_saved_shown_and_survive_a_sync(
    api: Api, channel: dict[str, Any], number: NumberAt360dialog
):
    _synced_order_update(api, channel, number)

    status, template = _patch(
        api, channel, {"enabled": False, "parameter_defaults": DEFAULTS, "label": "Shipping"}
    )

    assert status == 200, template
    assert (template["enabled"], template["offered"], template["label"]) == (False, False, "Shipping")
    assert template["parameter_defaults"] == DEFAULTS
    number.add_template("order_update", "en", status="PAUSED", components=ORDER_UPDATE)
    sync(api, channel)
    [after] = listed(api, channel)["items"]
    assert (after["status"], after["enabled"], after["label"]) == ("PAUSED", False, "Shipping")
    assert after["parameter_defaults"] == DEFAULTS


def test_defaults_that_do_not_fit_the_template_are_422_listing_each(
    api: Api, channel: dict[str, Any], number: NumberAt360dialog
):
    _synced_order_update(api, channel, number)

    status, body = _patch(
        api,
        channel,
        {
            "parameter_defaults": {
                "body": ["{{contact.nickname}}"],
                "buttons": [[], ["has spaces/{{contact.first_name}}"], ["extra"]],
            }
        },
    )

    assert status == 422
    fields = {problem["field"] for problem in body["error"]["details"]}
    assert {
        "parameter_defaults.body",
        "parameter_defaults.body.0",
        "parameter_defaults.buttons",
        "parameter_defaults.buttons.1.0",
    } <= fields


def test_new_templates_start_disabled_when_the_channel_says_so(
    api: Api, channels: Api, channel: dict[str, Any], number: NumberAt360dialog
):
    number.add_template("known_before", "en")
    sync(api, channel)
    channels.call(
        "PATCH",
        "/channels/{channel_id}",
        path_parameters=channel_path(channel),
        body={"templates_enabled_by_default": False},
        expect=200,
    )
    number.add_template("appeared_later", "en")
    sync(api, channel)

    by_name = {t["name"]: t for t in listed(api, channel)["items"]}

    assert (by_name["known_before"]["enabled"], by_name["appeared_later"]["enabled"]) == (True, False)
    assert [t["name"] for t in listed(api, channel, enabled="true")["items"]] == ["known_before"]
    assert [t["name"] for t in listed(api, channel, enabled="false")["items"]] == ["appeared_later"]


def test_offered_means_enabled_and_approved(api: Api, channel: dict[str, Any], number: NumberAt360dialog):
    number.add_template("approved_enabled", "en")
    number.add_template("approved_disabled", "en")
    number.add_template("pending_enabled", "en", status="PENDING")
    sync(api, channel)
    _patch(api, channel, {"enabled": False}, name="approved_disabled")

    assert [t["name"] for t in listed(api, channel, offered="true")["items"]] == ["approved_enabled"]
    assert sorted(t["name"] for t in listed(api, channel, offered="false")["items"]) == [
        "approved_disabled",
        "pending_enabled",
    ]


def test_a_disabled_template_is_refused_and_an_enabled_one_takes_its_defaults(
    api: Api, channel: dict[str, Any], number: NumberAt360dialog, contact: dict[str, Any]
):
    _synced_order_update(api, channel, number)
    send_api = Api(load_function("send"), WORKSPACE)
    message = {
        "to": contact["id"],
        "type": "template",
        "template": {"name": "order_update", "language": "en"},
    }
    _patch(api, channel, {"enabled": False, "parameter_defaults": DEFAULTS})

    refused = send_api.call(
        "POST", "/channels/{channel_id}/messages", path_parameters=channel_path(channel), body=message
    )
    _patch(api, channel, {"enabled": True})
    sent = send_api.call(
        "POST", "/channels/{channel_id}/messages", path_parameters=channel_path(channel), body=message
    )

    assert (refused[0], refused[1]["error"]["code"]) == (409, "template_not_enabled")
    assert sent[0] == 201, sent[1]
    assert sent[1]["text"] == "Hi Bruno, order B-777 is on its way."
    assert number.sent[0]["template"]["components"][0] == {
        "type": "header",
        "parameters": [{"type": "text", "text": "B-777"}],
    }


def test_preview_uses_the_defaults_for_a_contact(
    api: Api, channel: dict[str, Any], number: NumberAt360dialog, contact: dict[str, Any]
):
    _synced_order_update(api, channel, number)
    _patch(api, channel, {"parameter_defaults": DEFAULTS})

    status, preview = api.call(
        "POST",
        "/channels/{channel_id}/templates/preview",
        path_parameters=channel_path(channel),
        body={"name": "order_update", "language": "en", "contact_id": contact["id"]},
    )

    assert status == 200, preview
    assert (preview["header"], preview["body"]) == ("Order B-777", "Hi Bruno, order B-777 is on its way.")
    assert preview["buttons"][1]["url"] == "https://track.example/B-777"


def test_an_unknown_template_or_another_workspace_is_404(
    api: Api, other_api: Api, channel: dict[str, Any], number: NumberAt360dialog
):
    _synced_order_update(api, channel, number)

    assert _patch(api, channel, {"enabled": False}, name="no_such_template")[0] == 404
    assert _patch(other_api, channel, {"enabled": False})[0] == 404
    assert listed(api, channel)["items"][0]["enabled"] is True
