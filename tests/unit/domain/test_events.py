from __future__ import annotations

from wachannel.domain.events import events_from_change

INBOUND = {
    "entity": "message",
    "direction": "inbound",
    "workspace_id": "ws_a",
    "channel_id": "ch_1",
    "id": "msg_x",
    "whatsapp_message_id": "wamid.X",
    "type": "text",
    "text": "private words",
    "timestamp": "2026-11-18T11:06:40.000Z",
    "filed": False,
}


def test_an_inbound_message_is_received_once_it_is_filed():
    stored = events_from_change(None, INBOUND)
    filed = events_from_change(INBOUND, {**INBOUND, "filed": True, "contact_id": "ct_1"})
    refiled = events_from_change({**INBOUND, "filed": True}, {**INBOUND, "filed": True})

    assert stored == []
    assert [e.detail_type for e in filed] == ["message.received"]
    assert filed[0].detail["contact_id"] == "ct_1"
    assert "private words" not in str(filed[0].detail)
    assert refiled == []


def test_an_outbound_status_change_is_published_with_its_previous_status():
    before = {**INBOUND, "direction": "outbound", "status": "sent"}

    [event] = events_from_change(before, {**before, "status": "read"})

    assert event.detail_type == "message.status_changed"
    assert (event.detail["previous_status"], event.detail["status"]) == ("sent", "read")


def test_contacts_are_created_and_updated_with_what_changed():
    contact = {
        "entity": "contact",
        "id": "ct_1",
        "workspace_id": "ws_a",
        "channels": {"ch_1"},
        "profile_name": "Ana",
    }

    [created] = events_from_change(None, contact)
    [updated] = events_from_change(
        contact, {**contact, "profile_name": "Ana S.", "channels": {"ch_1", "ch_2"}}
    )
    unchanged = events_from_change(contact, {**contact, "updated_at": "later"})

    assert created.detail_type == "contact.created"
    assert updated.detail == {
        "workspace_id": "ws_a",
        "contact_id": "ct_1",
        "changed": ["profile_name"],
        "channels_added": ["ch_2"],
    }
    assert unchanged == []


def test_other_items_publish_nothing():
    assert events_from_change(None, {"entity": "channel", "api_key_ciphertext": b"x"}) == []
    assert events_from_change({"entity": "contact"}, None) == []


def test_a_sent_message_is_published_once_and_an_unsent_one_never():
    sent = {**INBOUND, "direction": "outbound", "filed": True, "contact_id": "ct_1", "status": "accepted"}
    placeholder = {"entity": "message", "status": "delivered", "status_rank": 4}

    [event] = events_from_change(None, sent)
    merged = events_from_change(placeholder, {**sent, "status": "delivered"})
    unsent = events_from_change(None, {**sent, "whatsapp_message_id": None, "status": "failed"})

    assert (event.detail_type, event.detail["contact_id"], event.detail["status"]) == (
        "message.sent",
        "ct_1",
        "accepted",
    )
    assert "private words" not in str(event.detail)
    assert [e.detail_type for e in merged] == ["message.sent"]
    assert unsent == []
