"""The inbox section of the HTTP contract: contacts and conversations (messages: message_out.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, Field, StringConstraints

from wachannel.api.common import RequestModel, Timestamp
from wachannel.domain.contacts import Contact
from wachannel.domain.conversations import window_expires_at, window_open
from wachannel.models import Model

PersonName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
AttributeName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_]{1,64}$")]
AttributeValue = Annotated[str, StringConstraints(max_length=1024)]
ATTRIBUTES_MAX = 50


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
