"""Domain events, derived from what the table stored: a message filed under its contact, a status
that moved, a contact created or changed. They carry ids and facts, never content or secrets."""

from __future__ import annotations

from typing import Any

from wachannel.models import Model

SOURCE = "wachannel"


class DomainEvent(Model):
    detail_type: str
    detail: dict[str, Any]


_CONTACT_FIELDS = (
    "phone_number",
    "whatsapp_id",
    "profile_name",
    "first_name",
    "last_name",
    "email",
    "attributes",
)


def events_from_change(old: dict[str, Any] | None, new: dict[str, Any] | None) -> list[DomainEvent]:
    """The events one stored change stands for (a stream record's old and new item images)."""
    if new is None:
        return []
    entity = new.get("entity")
    if entity == "message":
        return _message_events(old or {}, new)
    if entity == "contact":
        return _contact_events(old, new)
    return []


def _message_events(old: dict[str, Any], new: dict[str, Any]) -> list[DomainEvent]:
    events = []
    base = {
        "workspace_id": new.get("workspace_id"),
        "channel_id": new.get("channel_id"),
        "message_id": new.get("id"),
        "whatsapp_message_id": new.get("whatsapp_message_id"),
    }
    if new.get("direction") == "inbound" and new.get("filed") and not old.get("filed"):
        events.append(
            DomainEvent(
                detail_type="message.received",
                detail={
                    **base,
                    "contact_id": new.get("contact_id"),
                    "type": new.get("type"),
                    "timestamp": new.get("timestamp"),
                },
            )
        )
    sent = new.get("direction") == "outbound" and new.get("whatsapp_message_id")
    if sent and new.get("filed") and not old.get("filed"):
        events.append(
            DomainEvent(
                detail_type="message.sent",
                detail={
                    **base,
                    "contact_id": new.get("contact_id"),
                    "type": new.get("type"),
                    "status": new.get("status"),
                    "timestamp": new.get("timestamp"),
                },
            )
        )
    if old and new.get("status") != old.get("status") and new.get("direction") == "outbound":
        events.append(
            DomainEvent(
                detail_type="message.status_changed",
                detail={
                    **base,
                    "contact_id": new.get("contact_id"),
                    "status": new.get("status"),
                    "previous_status": old.get("status"),
                    "error": new.get("error"),
                    "status_updated_at": new.get("status_updated_at"),
                },
            )
        )
    return events


def _contact_events(old: dict[str, Any] | None, new: dict[str, Any]) -> list[DomainEvent]:
    base = {"workspace_id": new.get("workspace_id"), "contact_id": new.get("id")}
    if old is None:
        return [
            DomainEvent(
                detail_type="contact.created", detail={**base, "channels": sorted(new.get("channels", ()))}
            )
        ]
    changed = [name for name in _CONTACT_FIELDS if old.get(name) != new.get(name)]
    channels_added = sorted(set(new.get("channels", ())) - set(old.get("channels", ())))
    if not changed and not channels_added:
        return []
    return [
        DomainEvent(
            detail_type="contact.updated",
            detail={**base, "changed": changed, "channels_added": channels_added},
        )
    ]
