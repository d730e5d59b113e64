from __future__ import annotations

from typing import Any

import pytest

from tests.unit.support import Api
from tests.unit.webhook.conftest import Webhook, cloud, cloud_status, cloud_text

T0 = 1795000000


def _contact_id(inbox: Api) -> str:
    _, page = inbox.call("GET", "/contacts", expect=200)
    return str(page["items"][0]["id"])


def test_the_frontend_sees_contact_conversation_and_messages(webhook: Webhook, inbox: Api):
    webhook.deliver(cloud_text("5511987654321", "wamid.A", "Hi", T0))
    webhook.deliver(cloud_text("5511987654321", "wamid.B", "Is my order shipped?", T0 + 60))

    _, contacts = inbox.call("GET", "/contacts", expect=200)
    [contact] = contacts["items"]
    assert contact["phone_number"] == "+5511987654321"
    assert contact["profile_name"] == "Ana Souza"
    assert contact["channels"] == [webhook.channel_id]
    assert contact["last_inbound_at"] == "2026-11-18T11:07:40Z"
    _, conversations = inbox.call(
        "GET", "/conversations", query={"channel_id": webhook.channel_id}, expect=200
    )
    [conversation] = conversations["items"]
    assert conversation["contact"]["id"] == contact["id"]
    assert conversation["window_expires_at"] == "2026-11-19T11:07:40Z"
    assert conversation["last_message"]["text"] == "Is my order shipped?"
    _, messages = inbox.call(
        "GET", "/contacts/{contact_id}/messages", path_parameters={"contact_id": contact["id"]}, expect=200
    )
    assert [m["text"] for m in messages["items"]] == ["Is my order shipped?", "Hi"]
    assert messages["items"][0]["direction"] == "inbound"
    assert messages["items"][0]["status"] == "received"
    assert messages["items"][0]["whatsapp_message_id"] == "wamid.B"


def test_window_open_follows_whatsapp_timestamps(webhook: Webhook, inbox: Api):
    webhook.deliver(cloud_text("5511987654321", "wamid.OLD", "a day ago", 1000000000))

    _, conversations = inbox.call("GET", "/conversations", expect=200)

    assert conversations["items"][0]["window_open"] is False


def test_messages_page_newest_first_with_cursors(webhook: Webhook, inbox: Api):
    for index in range(5):
        webhook.deliver(cloud_text("4915112345678", f"wamid.{index}", f"message {index}", T0 + index))
    contact_id = _contact_id(inbox)
    seen: list[str] = []
    cursor = None

    for _ in range(3):
        query = {"limit": "2", **({"cursor": cursor} if cursor else {})}
        _, page = inbox.call(
            "GET",
            "/contacts/{contact_id}/messages",
            path_parameters={"contact_id": contact_id},
            query=query,
            expect=200,
        )
        seen += [m["text"] for m in page["items"]]
        cursor = page["next_cursor"]

    assert seen == [f"message {i}" for i in (4, 3, 2, 1, 0)]


def test_search_by_name_or_number(webhook: Webhook, inbox: Api):
    webhook.deliver(cloud_text("5511987654321", "wamid.1", "oi", T0, name="José Silva"))
    webhook.deliver(cloud_text("4915112345678", "wamid.2", "hallo", T0, name="Anna Schmidt"))

    def found(query: str) -> list[str]:
        _, page = inbox.call("GET", "/contacts", query={"query": query}, expect=200)
        return [c["profile_name"] for c in page["items"]]

    assert found("jose") == ["José Silva"]
    assert found("Schm") == ["Anna Schmidt"]
    assert found("+55 11 98765") == ["José Silva"]
    assert found("anna sch") == ["Anna Schmidt"]
    assert found("anna silva") == []
    assert found("xyz") == []


def test_patch_sets_names_email_and_attributes_and_search_finds_them(webhook: Webhook, inbox: Api):
    webhook.deliver(cloud_text("5511987654321", "wamid.1", "oi", T0))
    contact_id = _contact_id(inbox)

    _, updated = inbox.call(
        "PATCH",
        "/contacts/{contact_id}",
        path_parameters={"contact_id": contact_id},
        body={
            "first_name": "Ana",
            "last_name": "Pereira",
            "email": "ana@Example.COM",
            "attributes": {"order_id": "A-1"},
        },
        expect=200,
    )
    webhook.deliver(cloud_text("5511987654321", "wamid.2", "again", T0 + 5, name="Aninha"))

    assert updated["email"] == "ana@example.com"
    assert updated["attributes"] == {"order_id": "A-1"}
    _, fetched = inbox.call(
        "GET", "/contacts/{contact_id}", path_parameters={"contact_id": contact_id}, expect=200
    )
    assert (fetched["first_name"], fetched["last_name"], fetched["profile_name"]) == (
        "Ana",
        "Pereira",
        "Aninha",
    )
    _, page = inbox.call("GET", "/contacts", query={"query": "pereira"}, expect=200)
    assert [c["id"] for c in page["items"]] == [contact_id]


@pytest.mark.parametrize(
    "body",
    [
        {"email": "not-an-email"},
        {"attributes": {"bad key": "x"}},
        {"attributes": {f"k{i}": "v" for i in range(51)}},
        {"first_name": ""},
        {"phone_number": "+4915112345678"},
    ],
)
def test_patch_refuses_bad_fields(webhook: Webhook, inbox: Api, body: dict[str, Any]):
    webhook.deliver(cloud_text("5511987654321", "wamid.1", "oi", T0))

    status, answer = inbox.call(
        "PATCH", "/contacts/{contact_id}", path_parameters={"contact_id": _contact_id(inbox)}, body=body
    )

    assert status == 422
    assert answer["error"]["code"] == "validation_error"


def test_a_reply_names_the_message_it_replies_to(webhook: Webhook, inbox: Api):
    webhook.deliver(cloud_text("5511987654321", "wamid.IN", "oi", T0))
    reply = {
        "from": "5511987654321",
        "id": "wamid.R",
        "timestamp": str(T0 + 1),
        "type": "text",
        "text": {"body": "replying"},
        "context": {"from": "4915112345678", "id": "wamid.IN"},
    }
    webhook.deliver(
        cloud(messages=[reply], contacts=[{"profile": {"name": "Ana"}, "wa_id": "5511987654321"}])
    )

    _, messages = inbox.call(
        "GET",
        "/contacts/{contact_id}/messages",
        path_parameters={"contact_id": _contact_id(inbox)},
        expect=200,
    )

    newest = messages["items"][0]
    assert newest["context"] == messages["items"][1]["id"]


def test_another_workspace_sees_nothing(webhook: Webhook, inbox: Api, other_inbox: Api):
    webhook.deliver(cloud_text("5511987654321", "wamid.1", "oi", T0))
    webhook.deliver(cloud_status("wamid.OUT", "read", T0))
    contact_id = _contact_id(inbox)

    for route in ("/contacts/{contact_id}", "/contacts/{contact_id}/messages"):
        status, body = other_inbox.call("GET", route, path_parameters={"contact_id": contact_id})
        assert (status, body["error"]["code"]) == (404, "not_found")
    status, _ = other_inbox.call(
        "PATCH",
        "/contacts/{contact_id}",
        path_parameters={"contact_id": contact_id},
        body={"first_name": "X"},
    )
    assert status == 404
    assert other_inbox.call("GET", "/contacts", expect=200)[1]["items"] == []
    assert other_inbox.call("GET", "/conversations", expect=200)[1]["items"] == []
    assert other_inbox.call("GET", "/contacts", query={"query": "ana"}, expect=200)[1]["items"] == []
