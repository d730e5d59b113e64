from __future__ import annotations

from typing import Any

from tests.unit.dialog360_double import NumberAt360dialog
from tests.unit.support import Api
from tests.unit.templates.conftest import channel_path, listed, sync

ORDER_UPDATE = [
    {"type": "HEADER", "format": "TEXT", "text": "Bestellung {{1}}", "example": {"header_text": ["A-1234"]}},
    {
        "type": "BODY",
        "text": "Hallo {{1}}, deine Bestellung {{2}} ist unterwegs.",
        "example": {"body_text": [["Anna", "A-1234"]]},
    },
    {"type": "FOOTER", "text": "Fragen? Antworte einfach."},
    {
        "type": "BUTTONS",
        "buttons": [
            {"type": "QUICK_REPLY", "text": "Danke"},
            {
                "type": "URL",
                "text": "Verfolgen",
                "url": "https://track.example/{{1}}",
                "example": ["https://track.example/A-1234"],
            },
            {"type": "PHONE_NUMBER", "text": "Anrufen", "phone_number": "+4930123456"},
        ],
    },
]


def _submit(api: Api, channel: dict[str, Any], **fields: Any) -> tuple[int, Any]:
    body = {"name": "order_update", "category": "UTILITY", "language": "de", "components": ORDER_UPDATE}
    return api.call(
        "POST",
        "/channels/{channel_id}/templates",
        path_parameters=channel_path(channel),
        body={**body, **fields},
    )


def _preview(api: Api, channel: dict[str, Any], body: dict[str, Any]) -> tuple[int, Any]:
    return api.call(
        "POST", "/channels/{channel_id}/templates/preview", path_parameters=channel_path(channel), body=body
    )


# ---------------------------------------------------------------- list
def test_the_list_searches_name_and_body_and_filters(
    api: Api, channel: dict[str, Any], number: NumberAt360dialog
):
    number.add_template("order_update", "de", components=ORDER_UPDATE)
    number.add_template("order_update", "en", category="MARKETING")
    number.add_template(
        "welcome",
        "en",
        status="REJECTED",
        rejected_reason="PROMOTIONAL",
        components=[{"type": "BODY", "text": "Willkommen bei Bäckerei Müller"}],
    )
    sync(api, channel)

    def names(**query: str) -> list[tuple[str, str]]:
        return sorted((t["name"], t["language"]) for t in listed(api, channel, **query)["items"])

    assert names(search="ORDER") == [("order_update", "de"), ("order_update", "en")]
    assert names(search="backerei muller") == [("welcome", "en")]
    assert names(status="rejected") == [("welcome", "en")]
    assert names(category="marketing") == [("order_update", "en")]
    assert names(language="de") == [("order_update", "de")]
    assert names(language="de", search="nothing like it") == []
    rejected = listed(api, channel, status="REJECTED")["items"][0]
    assert rejected["rejected_reason"] == "PROMOTIONAL"
    german = listed(api, channel, language="de")["items"][0]
    assert german["parameter_count"] == {"header": 1, "body": 2, "buttons": [0, 1, 0]}


def test_filtered_pages_are_full_and_continue_with_the_cursor(
    api: Api, channel: dict[str, Any], number: NumberAt360dialog
):
    for index in range(12):
        number.add_template(f"t_{index:02d}", "en", status="APPROVED" if index % 3 else "PENDING")
    sync(api, channel)

    first = listed(api, channel, status="APPROVED", limit="5")
    second = listed(api, channel, status="APPROVED", limit="5", cursor=first["next_cursor"])

    assert len(first["items"]) == 5
    assert len(second["items"]) == 3
    assert second["next_cursor"] is None
    seen = [t["name"] for t in first["items"] + second["items"]]
    assert seen == [f"t_{i:02d}" for i in range(12) if i % 3]
    status, body = api.call(
        "GET",
        "/channels/{channel_id}/templates",
        path_parameters=channel_path(channel),
        query={"status": "PENDING", "cursor": first["next_cursor"]},
    )
    assert (status, body["error"]["code"]) == (400, "validation_error")


# ---------------------------------------------------------------- submit
def test_a_valid_template_is_submitted_stored_pending_and_listed(
    api: Api, channel: dict[str, Any], number: NumberAt360dialog
):
    status, created = _submit(api, channel)

    assert status == 201
    assert (created["name"], created["language"], created["status"]) == ("order_update", "de", "PENDING")
    assert created["parameter_count"] == {"header": 1, "body": 2, "buttons": [0, 1, 0]}
    assert created["last_synced_at"] is None
    assert [t["name"] for t in number.templates] == ["order_update"]
    assert listed(api, channel)["items"][0]["status"] == "PENDING"


def test_a_template_breaking_many_rules_lists_every_one_and_sends_nothing(
    api: Api, channel: dict[str, Any], number: NumberAt360dialog
):
    status, body = _submit(
        api,
        channel,
        name="Order Update!",
        category="TRANSACTIONAL",
        language="xx_YY",
        components=[
            {"type": "HEADER", "format": "TEXT", "text": "x" * 61},
            {"type": "BODY", "text": "{{1}} {{3}}"},
            {"type": "FOOTER", "text": "Reply {{1}}"},
        ],
    )

    assert status == 422
    assert body["error"]["code"] == "validation_error"
    fields = {problem["field"] for problem in body["error"]["details"]}
    assert {
        "name",
        "category",
        "language",
        "components.0.text",
        "components.1.text",
        "components.2.text",
    } <= fields
    assert number.templates == []


def test_an_existing_name_and_language_is_409_here_or_at_360dialog(
    api: Api, channel: dict[str, Any], number: NumberAt360dialog
):
    _submit(api, channel)
    status, body = _submit(api, channel)
    assert (status, body["error"]["code"]) == (409, "template_exists")

    number.add_template("order_update", "en")
    status, body = _submit(api, channel, language="en")
    assert (status, body["error"]["code"]) == (409, "template_exists")


def test_a_disconnected_channel_takes_no_template(api: Api, channels: Api, channel: dict[str, Any]):
    channels.call("DELETE", "/channels/{channel_id}", path_parameters=channel_path(channel), expect=204)

    status, body = _submit(api, channel)

    assert (status, body["error"]["code"]) == (422, "validation_error")


# ---------------------------------------------------------------- preview
def test_preview_of_components_fills_samples(api: Api, channel: dict[str, Any]):
    status, preview = _preview(api, channel, {"components": ORDER_UPDATE})

    assert status == 200
    assert preview["header"] == "Bestellung A-1234"
    assert preview["body"] == "Hallo Anna, deine Bestellung A-1234 ist unterwegs."
    assert preview["footer"] == "Fragen? Antworte einfach."
    assert [b["text"] for b in preview["buttons"]] == ["Danke", "Verfolgen", "Anrufen"]
    assert preview["buttons"][1]["url"] == "https://track.example/A-1234"


def test_preview_of_a_stored_template_with_a_contacts_variables(
    api: Api, channel: dict[str, Any], number: NumberAt360dialog, contact: dict[str, Any]
):
    number.add_template("order_update", "de", components=ORDER_UPDATE)
    sync(api, channel)

    status, preview = _preview(
        api,
        channel,
        {
            "name": "order_update",
            "language": "de",
            "contact_id": contact["id"],
            "parameters": {
                "body": ["{{contact.first_name}}", "{{contact.attributes.order_id}}"],
                "buttons": [[], ["{{contact.attributes.order_id}}"], []],
            },
        },
    )

    assert status == 200, preview
    assert preview["body"] == "Hallo Bruno, deine Bestellung B-777 ist unterwegs."
    assert preview["header"] == "Bestellung A-1234"
    assert preview["buttons"][1]["url"] == "https://track.example/B-777"


def test_an_unresolvable_variable_is_422_naming_it(
    api: Api, channel: dict[str, Any], contact: dict[str, Any]
):
    status, body = _preview(
        api,
        channel,
        {
            "components": ORDER_UPDATE,
            "contact_id": contact["id"],
            "parameters": {"body": ["{{contact.attributes.missing}}", "{{contact.nickname}}"]},
        },
    )

    assert status == 422
    messages = " ".join(problem["message"] for problem in body["error"]["details"])
    assert "contact.attributes.missing" in messages
    assert "contact.nickname" in messages


def test_wrong_parameter_counts_are_422(api: Api, channel: dict[str, Any]):
    status, body = _preview(api, channel, {"components": ORDER_UPDATE, "parameters": {"body": ["only one"]}})

    assert status == 422
    assert body["error"]["details"][0]["field"] == "parameters.body"


def test_preview_of_an_unknown_template_names_the_languages_it_has(
    api: Api, channel: dict[str, Any], number: NumberAt360dialog
):
    number.add_template("order_update", "de", components=ORDER_UPDATE)
    sync(api, channel)

    status, body = _preview(api, channel, {"name": "order_update", "language": "en"})

    assert status == 404
    assert body["error"]["code"] == "template_not_found"
    assert body["error"]["details"]["available_languages"] == ["de"]


# ---------------------------------------------------------------- delete
def test_delete_removes_every_language_there_and_marks_them_deleted_here(
    api: Api, channel: dict[str, Any], number: NumberAt360dialog
):
    number.add_template("order_update", "de")
    number.add_template("order_update", "en")
    number.add_template("welcome", "en")
    sync(api, channel)

    api.call(
        "DELETE",
        "/channels/{channel_id}/templates/{name}",
        path_parameters=channel_path(channel, name="order_update"),
        expect=204,
    )

    assert [t["name"] for t in number.templates] == ["welcome"]
    assert [t["name"] for t in listed(api, channel)["items"]] == ["welcome"]
    assert len(listed(api, channel, status="DELETED")["items"]) == 2
    status, body = api.call(
        "DELETE",
        "/channels/{channel_id}/templates/{name}",
        path_parameters=channel_path(channel, name="order_update"),
    )
    assert (status, body["error"]["code"]) == (404, "not_found")


def test_another_workspace_gets_404_on_every_template_route(
    other_api: Api, channel: dict[str, Any], number: NumberAt360dialog
):
    number.add_template("order_update", "de")
    for method, route, body in (
        (
            "POST",
            "/channels/{channel_id}/templates",
            {
                "name": "x",
                "category": "UTILITY",
                "language": "en",
                "components": [{"type": "BODY", "text": "Hello there"}],
            },
        ),
        ("POST", "/channels/{channel_id}/templates/preview", {"name": "order_update", "language": "de"}),
        ("DELETE", "/channels/{channel_id}/templates/order_update", None),
    ):
        status, answer = other_api.call(method, route, path_parameters=channel_path(channel), body=body)
        assert (status, answer["error"]["code"]) == (404, "not_found"), route
    assert len(number.templates) == 1
