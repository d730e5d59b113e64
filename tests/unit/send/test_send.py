from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.unit.dialog360_double import NumberAt360dialog
from tests.unit.send.conftest import (
    CUSTOMER,
    ORDER_UPDATE,
    customer_writes,
    only_contact,
    send,
    status_arrives,
)
from tests.unit.support import Api, load_function
from tests.unit.templates.conftest import sync
from wachannel.clock import SystemClock

DAY = 24 * 60 * 60


def _templates_api() -> Api:
    return Api(load_function("sync_templates"), "ws_acme")


# ---------------------------------------------------------------- free-form inside the window
def test_a_text_reply_is_sent_in_the_cloud_shape_and_stored_accepted(
    api: Api, inbox: Api, channel: dict[str, Any], number: NumberAt360dialog
):
    customer_writes(channel, number)
    contact = only_contact(inbox)

    status, message = send(api, channel, {"to": contact["id"], "type": "text", "text": "It left today."})

    assert status == 201, message
    assert number.sent == [
        {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": CUSTOMER,
            "type": "text",
            "text": {"body": "It left today.", "preview_url": False},
        }
    ]
    assert (message["direction"], message["status"], message["text"]) == (
        "outbound",
        "accepted",
        "It left today.",
    )
    assert message["whatsapp_message_id"] == "wamid.sent0001"
    thread = inbox.call(
        "GET", "/contacts/{contact_id}/messages", path_parameters={"contact_id": contact["id"]}
    )[1]
    assert [m["direction"] for m in thread["items"]] == ["outbound", "inbound"]


def test_on_premise_bodies_have_no_messaging_product(
    api: Api, inbox: Api, on_premise_channel: dict[str, Any], on_premise_number: NumberAt360dialog
):
    customer_writes(on_premise_channel, on_premise_number)
    contact = only_contact(inbox)

    status, message = send(
        api,
        on_premise_channel,
        {
            "to": contact["id"],
            "type": "image",
            "media": {"link": "https://cdn.example.com/p/42.jpg", "caption": "Your item"},
        },
    )

    assert status == 201, message
    [body] = on_premise_number.sent
    assert "messaging_product" not in body
    assert body["image"] == {"link": "https://cdn.example.com/p/42.jpg", "caption": "Your item"}
    assert message["whatsapp_message_id"] == "gBEGsent0001"


def test_a_reply_quotes_the_customers_message(
    api: Api, inbox: Api, channel: dict[str, Any], number: NumberAt360dialog
):
    wamid = customer_writes(channel, number)
    contact = only_contact(inbox)
    inbound = inbox.call(
        "GET", "/contacts/{contact_id}/messages", path_parameters={"contact_id": contact["id"]}
    )[1]

    status, message = send(
        api,
        channel,
        {"to": contact["id"], "type": "text", "text": "Yes!", "reply_to": inbound["items"][0]["id"]},
    )

    assert status == 201, message
    assert number.sent[0]["context"] == {"message_id": wamid}
    assert message["context"] == inbound["items"][0]["id"]


def test_a_phone_number_finds_the_contact_whatsapp_knows_under_another_form(
    api: Api, inbox: Api, channel: dict[str, Any], number: NumberAt360dialog
):
    """Brazil's old 12-digit wa_id and the 13-digit number an agent types are one person."""
    customer_writes(channel, number, wa_id="551187654321")

    status, message = send(api, channel, {"to": "+55 11 98765-4321", "type": "text", "text": "Olá!"})

    assert status == 201, message
    assert number.sent[0]["to"] == "551187654321"
    assert message["contact_id"] == only_contact(inbox)["id"]


def test_whatsapps_limits_are_checked_first_and_nothing_is_sent(
    api: Api, inbox: Api, channel: dict[str, Any], number: NumberAt360dialog
):
    customer_writes(channel, number)
    contact = only_contact(inbox)

    status, body = send(
        api,
        channel,
        {
            "to": contact["id"],
            "type": "interactive",
            "interactive": {
                "type": "button",
                "body": "x" * 1025,
                "buttons": [{"id": "a", "title": "This title is far too long"}] * 4,
            },
        },
    )

    assert status == 422
    fields = {problem["field"] for problem in body["error"]["details"]}
    assert {"interactive.body", "interactive.buttons", "interactive.buttons.0.title"} <= fields
    assert number.sent == []


# ---------------------------------------------------------------- the window
@pytest.mark.parametrize(
    ("after_seconds", "status"),
    [(DAY - 1, 201), (DAY + 1, 409)],
    ids=["23:59:59 after the last inbound message", "24:00:01 after"],
)
def test_the_window_closes_24_hours_after_the_last_inbound_message(
    *,
    api: Api,
    inbox: Api,
    channel: dict[str, Any],
    number: NumberAt360dialog,
    monkeypatch: pytest.MonkeyPatch,
    after_seconds: int,
    status: int,
):
    customer_writes(channel, number, seconds_ago=3600)
    contact = only_contact(inbox)
    [inbound] = inbox.call(
        "GET", "/contacts/{contact_id}/messages", path_parameters={"contact_id": contact["id"]}
    )[1]["items"]
    last_inbound = datetime.fromisoformat(inbound["timestamp"])
    monkeypatch.setattr(SystemClock, "now", lambda self: last_inbound + timedelta(seconds=after_seconds))

    answer, body = send(api, channel, {"to": contact["id"], "type": "text", "text": "Are you still there?"})

    assert answer == status, body
    if status == 409:
        assert body["error"]["code"] == "outside_customer_service_window"
        assert body["error"]["details"] == {
            "last_inbound_at": inbound["timestamp"],
            "window_expired_at": (last_inbound + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
        assert number.sent == []


def test_free_form_to_a_number_that_never_wrote_is_409(
    api: Api, channel: dict[str, Any], number: NumberAt360dialog
):
    status, body = send(api, channel, {"to": "+4917012345678", "type": "text", "text": "Hello?"})

    assert (status, body["error"]["code"]) == (409, "outside_customer_service_window")
    assert body["error"]["details"] == {"last_inbound_at": None, "window_expired_at": None}


# ---------------------------------------------------------------- templates
def _approved_order_update(number: NumberAt360dialog) -> None:
    number.add_template("order_update", "en", components=ORDER_UPDATE)
    number.add_template("order_update", "de", components=ORDER_UPDATE)


def test_a_template_goes_out_any_time_with_the_contacts_variables(
    api: Api, inbox: Api, channel: dict[str, Any], number: NumberAt360dialog
):
    _approved_order_update(number)
    customer_writes(channel, number, seconds_ago=3 * DAY)
    contact = only_contact(inbox)
    inbox.call(
        "PATCH",
        "/contacts/{contact_id}",
        path_parameters={"contact_id": contact["id"]},
        body={"first_name": "Ana", "attributes": {"order_id": "A-77"}},
        expect=200,
    )

    status, message = send(
        api,
        channel,
        {
            "to": contact["id"],
            "type": "template",
            "template": {
                "name": "order_update",
                "language": "en",
                "parameters": {
                    "header": ["https://cdn.example.com/h.jpg"],
                    "body": ["{{contact.first_name}}", "{{contact.attributes.order_id}}"],
                    "buttons": [[], ["{{contact.attributes.order_id}}"]],
                },
            },
        },
    )

    assert status == 201, message
    template = number.sent[0]["template"]
    assert template["language"] == {"code": "en", "policy": "deterministic"}
    assert template["components"] == [
        {
            "type": "header",
            "parameters": [{"type": "image", "image": {"link": "https://cdn.example.com/h.jpg"}}],
        },
        {"type": "body", "parameters": [{"type": "text", "text": "Ana"}, {"type": "text", "text": "A-77"}]},
        {"type": "button", "sub_type": "url", "index": "1", "parameters": [{"type": "text", "text": "A-77"}]},
    ]
    assert message["text"] == "Hi Ana, order A-77 is on its way."
    assert message["template"]["name"] == "order_update"


def test_a_template_to_a_new_number_creates_its_contact(
    api: Api, inbox: Api, channel: dict[str, Any], number: NumberAt360dialog
):
    number.add_template("welcome", "en", components=[{"type": "BODY", "text": "Welcome to our shop!"}])

    status, message = send(
        api,
        channel,
        {"to": "+49 170 1234567", "type": "template", "template": {"name": "welcome", "language": "en"}},
    )

    assert status == 201, message
    contact = only_contact(inbox)
    assert (contact["phone_number"], message["contact_id"]) == ("+491701234567", contact["id"])
    assert number.sent[0]["to"] == "491701234567"


def test_an_unknown_template_is_synced_once_then_404_with_the_languages_that_exist(
    api: Api, inbox: Api, channel: dict[str, Any], number: NumberAt360dialog
):
    customer_writes(channel, number)
    contact = only_contact(inbox)
    _approved_order_update(number)

    status, body = send(
        api,
        channel,
        {"to": contact["id"], "type": "template", "template": {"name": "order_update", "language": "pt_BR"}},
    )

    assert status == 404
    assert body["error"]["code"] == "template_not_found"
    assert body["error"]["details"]["available_languages"] == ["de", "en"]
    assert number.template_list_requests == 1
    assert number.sent == []


def test_a_template_made_in_the_hub_a_minute_ago_is_found_by_that_sync(
    api: Api, inbox: Api, channel: dict[str, Any], number: NumberAt360dialog
):
    customer_writes(channel, number)
    sync(_templates_api(), channel)
    number.add_template("brand_new", "en", components=[{"type": "BODY", "text": "Fresh from the hub"}])

    status, message = send(
        api,
        channel,
        {
            "to": only_contact(inbox)["id"],
            "type": "template",
            "template": {"name": "brand_new", "language": "en"},
        },
    )

    assert status == 201, message


def test_a_template_not_approved_is_409_with_status_and_reason(
    api: Api, inbox: Api, channel: dict[str, Any], number: NumberAt360dialog
):
    customer_writes(channel, number)
    number.add_template("promo", "en", status="REJECTED", rejected_reason="PROMOTIONAL")

    status, body = send(
        api,
        channel,
        {
            "to": only_contact(inbox)["id"],
            "type": "template",
            "template": {"name": "promo", "language": "en"},
        },
    )

    assert (status, body["error"]["code"]) == (409, "template_not_approved")
    assert body["error"]["details"] == {"status": "REJECTED", "rejected_reason": "PROMOTIONAL"}


@pytest.mark.parametrize(
    ("parameters", "field"),
    [
        (
            {"header": ["https://cdn.example.com/h.jpg"], "body": ["Ana"], "buttons": [[], ["A-1"]]},
            "template.parameters.body",
        ),
        ({"body": ["Ana", "A-1"], "buttons": [[], ["A-1"]]}, "template.parameters.header"),
        (
            {"header": ["https://cdn.example.com/h.jpg"], "body": ["Ana", "A-1"]},
            "template.parameters.buttons.1",
        ),
    ],
)
def test_a_parameter_count_mismatch_is_422_before_360dialog_is_called(
    *,
    api: Api,
    inbox: Api,
    channel: dict[str, Any],
    number: NumberAt360dialog,
    parameters: dict[str, Any],
    field: str,
):
    customer_writes(channel, number)
    _approved_order_update(number)

    status, body = send(
        api,
        channel,
        {
            "to": only_contact(inbox)["id"],
            "type": "template",
            "template": {"name": "order_update", "language": "en", "parameters": parameters},
        },
    )

    assert status == 422, body
    assert field in {problem["field"] for problem in body["error"]["details"]}
    assert number.sent == []


def test_an_unresolvable_variable_is_422_naming_it(
    api: Api, inbox: Api, channel: dict[str, Any], number: NumberAt360dialog
):
    customer_writes(channel, number)
    _approved_order_update(number)

    status, body = _send_order_update(
        api, inbox, channel, ["{{contact.first_name}}", "{{contact.attributes.order_id}}"]
    )

    assert status == 422
    assert "contact.attributes.order_id" in " ".join(p["message"] for p in body["error"]["details"])
    assert number.sent == []


@pytest.mark.parametrize("blank", ["", "   "])
def test_a_blank_value_without_a_default_is_422_and_nothing_is_sent(
    api: Api, inbox: Api, channel: dict[str, Any], number: NumberAt360dialog, blank: str
):
    customer_writes(channel, number)
    _approved_order_update(number)

    status, body = _send_order_update(api, inbox, channel, ["Ana", blank])

    assert status == 422, body
    assert [p["field"] for p in body["error"]["details"]] == ["template.parameters.body.1"]
    assert number.sent == []


def _send_order_update(
    api: Api, inbox: Api, channel: dict[str, Any], body_values: list[str]
) -> tuple[int, Any]:
    """order_update to the only contact, with its header and button filled and the body as given."""
    template = {
        "name": "order_update",
        "language": "en",
        "parameters": {
            "header": ["https://cdn.example.com/h.jpg"],
            "body": body_values,
            "buttons": [[], ["x"]],
        },
    }
    return send(api, channel, {"to": only_contact(inbox)["id"], "type": "template", "template": template})


# ---------------------------------------------------------------- failures
def test_a_refusal_is_stored_failed_and_answered_as_provider_error(
    api: Api, inbox: Api, channel: dict[str, Any], number: NumberAt360dialog
):
    customer_writes(channel, number)
    contact = only_contact(inbox)
    number.send_failures.append(
        httpx.Response(
            400,
            json={
                "error": {
                    "message": "(#131026) Message undeliverable",
                    "type": "OAuthException",
                    "code": 131026,
                }
            },
        )
    )

    status, body = send(api, channel, {"to": contact["id"], "type": "text", "text": "Anyone there?"})

    assert status == 502
    assert body["error"]["details"]["provider_code"] == 131026
    thread = inbox.call(
        "GET", "/contacts/{contact_id}/messages", path_parameters={"contact_id": contact["id"]}
    )[1]
    failed = thread["items"][0]
    assert (failed["status"], failed["error"]["code"], failed["whatsapp_message_id"]) == (
        "failed",
        "131026",
        None,
    )


def test_throttling_is_retried_within_the_budget(
    api: Api, inbox: Api, channel: dict[str, Any], number: NumberAt360dialog
):
    customer_writes(channel, number)
    number.send_failures.append(
        httpx.Response(
            429,
            headers={"Retry-After": "0"},
            json={"error": {"message": "(#130429) Rate limit hit", "code": 130429}},
        )
    )

    status, _ = send(api, channel, {"to": only_contact(inbox)["id"], "type": "text", "text": "Hello"})

    assert status == 201
    assert len(number.sent) == 1


def test_a_stale_template_answer_resyncs_the_templates(
    api: Api, inbox: Api, channel: dict[str, Any], number: NumberAt360dialog
):
    customer_writes(channel, number)
    _approved_order_update(number)
    sync(_templates_api(), channel)
    number.template_list_requests = 0
    number.send_failures.append(
        httpx.Response(
            400,
            json={
                "error": {
                    "message": "(#132001) Template name does not exist in the translation",
                    "code": 132001,
                    "error_data": {"details": "template name (order_update) does not exist in en"},
                }
            },
        )
    )

    status, body = send(
        api,
        channel,
        {
            "to": only_contact(inbox)["id"],
            "type": "template",
            "template": {
                "name": "order_update",
                "language": "en",
                "parameters": {
                    "header": ["https://cdn.example.com/h.jpg"],
                    "body": ["Ana", "A-1"],
                    "buttons": [[], ["A-1"]],
                },
            },
        },
    )

    assert (status, body["error"]["details"]["provider_code"]) == (502, 132001)
    assert number.template_list_requests == 1


def test_a_status_that_beat_the_send_answer_is_kept(
    api: Api, inbox: Api, channel: dict[str, Any], number: NumberAt360dialog
):
    customer_writes(channel, number)
    status_arrives(channel, number, "wamid.sent0001", "delivered")

    status, message = send(api, channel, {"to": only_contact(inbox)["id"], "type": "text", "text": "Hello"})

    assert status == 201
    assert message["status"] == "delivered"


# ---------------------------------------------------------------- idempotency
def test_the_same_idempotency_key_sends_once_and_answers_the_same(
    api: Api, inbox: Api, channel: dict[str, Any], number: NumberAt360dialog
):
    customer_writes(channel, number)
    body = {"to": only_contact(inbox)["id"], "type": "text", "text": "Once only"}

    first = send(api, channel, body, headers={"Idempotency-Key": "k-1"})
    again = send(api, channel, body, headers={"Idempotency-Key": "k-1"})
    other_body = send(api, channel, {**body, "text": "Something else"}, headers={"Idempotency-Key": "k-1"})

    assert first == again
    assert first[0] == 201
    assert len(number.sent) == 1
    assert (other_body[0], other_body[1]["error"]["code"]) == (409, "idempotency_conflict")


def test_a_send_that_timed_out_after_reaching_360dialog_is_not_repeated_with_its_key(
    api: Api, inbox: Api, channel: dict[str, Any], number: NumberAt360dialog
):
    customer_writes(channel, number)
    body = {"to": only_contact(inbox)["id"], "type": "text", "text": "Maybe sent"}
    number.send_failures.append(httpx.ReadTimeout("no answer"))

    first = send(api, channel, body, headers={"Idempotency-Key": "k-timeout"})
    again = send(api, channel, body, headers={"Idempotency-Key": "k-timeout"})

    assert first[0] == again[0] == 504
    assert first[1]["error"]["code"] == "provider_timeout"
    assert len(number.sent) == 1


def test_a_refused_send_frees_its_key_for_a_retry(
    api: Api, inbox: Api, channel: dict[str, Any], number: NumberAt360dialog
):
    customer_writes(channel, number)
    body = {"to": only_contact(inbox)["id"], "type": "text", "text": "Try again"}
    number.send_failures.append(
        httpx.Response(400, json={"error": {"message": "(#131000) Something went wrong", "code": 131000}})
    )

    assert send(api, channel, body, headers={"Idempotency-Key": "k-retry"})[0] == 502
    assert send(api, channel, body, headers={"Idempotency-Key": "k-retry"})[0] == 201
    assert len(number.sent) == 1


# ---------------------------------------------------------------- read receipts and tenancy
def test_marking_a_customers_message_read(
    api: Api, inbox: Api, channel: dict[str, Any], number: NumberAt360dialog
):
    wamid = customer_writes(channel, number)
    contact = only_contact(inbox)
    [inbound] = inbox.call(
        "GET", "/contacts/{contact_id}/messages", path_parameters={"contact_id": contact["id"]}
    )[1]["items"]

    api.call("POST", "/messages/{message_id}/read", path_parameters={"message_id": inbound["id"]}, expect=204)

    assert number.read_receipts == [wamid]


def test_on_premise_read_receipts(
    api: Api, inbox: Api, on_premise_channel: dict[str, Any], on_premise_number: NumberAt360dialog
):
    wamid = customer_writes(on_premise_channel, on_premise_number, wamid="ABGGFlA5FpafAgo6EhCQRG2M")
    [inbound] = inbox.call(
        "GET", "/contacts/{contact_id}/messages", path_parameters={"contact_id": only_contact(inbox)["id"]}
    )[1]["items"]

    api.call("POST", "/messages/{message_id}/read", path_parameters={"message_id": inbound["id"]}, expect=204)

    assert on_premise_number.read_receipts == [wamid]


def test_another_workspace_can_neither_send_nor_mark_read(
    other_api: Api, inbox: Api, channel: dict[str, Any], number: NumberAt360dialog
):
    customer_writes(channel, number)
    contact = only_contact(inbox)
    [inbound] = inbox.call(
        "GET", "/contacts/{contact_id}/messages", path_parameters={"contact_id": contact["id"]}
    )[1]["items"]

    sent = send(other_api, channel, {"to": contact["id"], "type": "text", "text": "Hi"})
    read = other_api.call(
        "POST", "/messages/{message_id}/read", path_parameters={"message_id": inbound["id"]}
    )

    assert sent[0] == read[0] == 404
    assert number.sent == []
    assert number.read_receipts == []


def test_a_template_deleted_at_360dialog_since_the_last_sync_is_template_not_found(
    api: Api, inbox: Api, channel: dict[str, Any], number: NumberAt360dialog
):
    customer_writes(channel, number)
    _approved_order_update(number)
    sync(_templates_api(), channel)
    number.templates = [t for t in number.templates if t["language"] != "en"]
    number.send_failures.append(
        httpx.Response(
            404,
            json={
                "error": {
                    "message": "(#132001) Template name does not exist in the translation",
                    "code": 132001,
                }
            },
        )
    )

    status, body = send(
        api,
        channel,
        {
            "to": only_contact(inbox)["id"],
            "type": "template",
            "template": {
                "name": "order_update",
                "language": "en",
                "parameters": {
                    "header": ["https://cdn.example.com/h.jpg"],
                    "body": ["Ana", "A-1"],
                    "buttons": [[], ["A-1"]],
                },
            },
        },
    )

    assert (status, body["error"]["code"]) == (404, "template_not_found")
    assert body["error"]["details"]["available_languages"] == ["de"]
