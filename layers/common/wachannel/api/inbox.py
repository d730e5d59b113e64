"""The inbox section of the HTTP contract: contacts, conversations, messages."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, Field, StringConstraints

from wachannel.api.common import RequestModel, Timestamp
from wachannel.domain.contacts import Contact
from wachannel.domain.conversations import window_expires_at, window_open
from wachannel.domain.messages import message_id
from wachannel.models import Model

PersonName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
AttributeName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_]{1,64}$")]
AttributeValue = Annotated[str, StringConstraints(max_length=1024)]
ATTRIBUTES_MAX = 50
# What a message's `media` shows of the stored copy: the contract's fields and the customer's own
# flags. 360dialog's media id, the bucket key and the copy's failure details stay inside.
MEDIA_FIELDS_SHOWN = frozenset(
    {"mime_type", "filename", "caption", "file_size", "sha256", "status", "voice", "animated", "link"}
)


def _plausible_email(value: str) -> str:
    local, _, domain = value.partition("@")
    if not local or "." not in domain or domain.startswith(".") or domain.endswith(".") or " " in value:
        raise ValueError("not an e-mail address")
    return f"{local}@{domain.lower()}"


Email = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=3, max_length=254),
    AfterValidator(_plausible_email),
]


class UpdateContactRequest(RequestModel):
    first_name: PersonName | None = None
    last_name: PersonName | None = None
    email: Email | None = None
    attributes: dict[AttributeName, AttributeValue] | None = Field(
        default=None, max_length=ATTRIBUTES_MAX, description="Replaces the whole map; null or {} empties it"
    )


class ContactOut(Model):
    id: str
    phone_number: str | None
    whatsapp_id: str | None
    profile_name: str | None
    first_name: str | None
    last_name: str | None
    email: str | None
    attributes: dict[str, str]
    channels: list[str]
    created_at: Timestamp
    last_inbound_at: Timestamp | None

    @classmethod
    def of(cls, contact: Contact, last_inbound_at: datetime | None) -> ContactOut:
        return cls(
            id=contact.id,
            phone_number=contact.phone_number,
            whatsapp_id=contact.whatsapp_id,
            profile_name=contact.profile_name,
            first_name=contact.first_name,
            last_name=contact.last_name,
            email=contact.email,
            attributes=dict(contact.attributes),
            channels=sorted(contact.channels),
            created_at=contact.created_at,
            last_inbound_at=last_inbound_at,
        )


class ContactPage(Model):
    items: list[ContactOut]
    next_cursor: str | None


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


class ConversationOut(Model):
    contact: ContactOut
    channel_id: str
    last_message: dict[str, Any] | None
    last_inbound_at: Timestamp | None
    window_expires_at: Timestamp | None
    window_open: bool

    @classmethod
    def of(cls, item: dict[str, Any], contact: ContactOut, now: datetime) -> ConversationOut:
        last_inbound = (
            datetime.fromisoformat(item["last_inbound_at"]) if item.get("last_inbound_at") else None
        )
        return cls(
            contact=contact,
            channel_id=item["channel_id"],
            last_message=item.get("last_message"),
            last_inbound_at=last_inbound,
            window_expires_at=window_expires_at(last_inbound),
            window_open=window_open(last_inbound, now),
        )


class ConversationPage(Model):
    items: list[ConversationOut]
    next_cursor: str | None
