"""A message as the HTTP contract shows it: the inbox's threads and the answer to a send."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from wachannel.api.common import Timestamp
from wachannel.domain.messages import message_id
from wachannel.models import Model

# What a message's `media` shows of the stored copy: the contract's fields and the customer's own
# flags. 360dialog's media id, the bucket key and the copy's failure details stay inside.
MEDIA_FIELDS_SHOWN = frozenset(
    {"mime_type", "filename", "caption", "file_size", "sha256", "status", "voice", "animated", "link"}
)


class MessageError(Model):
    code: str
    message: str


class MessageOut(Model):
    id: str
    channel_id: str
    contact_id: str | None
    direction: str
    type: str
    text: str | None = None
    media: dict[str, Any] | None = None
    template: dict[str, Any] | None = None
    location: dict[str, Any] | None = None
    interactive: dict[str, Any] | None = None
    button: dict[str, Any] | None = None
    reaction: dict[str, Any] | None = None
    order: dict[str, Any] | None = None
    system: dict[str, Any] | None = None
    shared_contacts: list[dict[str, Any]] | None = None
    referral: dict[str, Any] | None = None
    context: str | None = Field(default=None, description="Id of the message this one replies to")
    forwarded: bool = False
    whatsapp_message_id: str | None = Field(description="null for a send 360dialog never took")
    status: str
    error: MessageError | None = None
    timestamp: Timestamp
    status_updated_at: Timestamp | None

    @classmethod
    def of(cls, item: dict[str, Any]) -> MessageOut:
        context = item.get("context") or {}
        replied_to = context.get("message_id")
        media = item.get("media")
        return cls(
            id=item["id"],
            channel_id=item["channel_id"],
            contact_id=item.get("contact_id"),
            direction=item["direction"],
            type=item["type"],
            text=item.get("text"),
            media={k: v for k, v in media.items() if k in MEDIA_FIELDS_SHOWN} if media else None,
            template=item.get("template"),
            location=item.get("location"),
            interactive=item.get("interactive"),
            button=item.get("button"),
            reaction=item.get("reaction"),
            order=item.get("order"),
            system=item.get("system"),
            shared_contacts=item.get("shared_contacts"),
            referral=item.get("referral"),
            context=message_id(item["channel_id"], replied_to) if replied_to else None,
            forwarded=bool(context.get("forwarded")),
            whatsapp_message_id=item.get("whatsapp_message_id"),
            status=item["status"],
            error=item.get("error"),
            timestamp=item["timestamp"],
            status_updated_at=item.get("status_updated_at"),
        )


class MessagePage(Model):
    items: list[MessageOut]
    next_cursor: str | None
