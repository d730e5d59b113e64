"""What a 360dialog webhook delivery says, whichever API generation sent it: messages, statuses,
contact profiles and errors, as typed domain objects. Parsing lives in `webhook_parsing`."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import ConfigDict, Field

from wachannel.models import Model

ApiGeneration = Literal["cloud", "on_premise"]
MessageType = Literal[
    "text",
    "image",
    "video",
    "audio",
    "document",
    "sticker",
    "location",
    "contacts",
    "interactive",
    "button",
    "reaction",
    "order",
    "system",
    "request_welcome",
    "unsupported",
]
MEDIA_TYPES: frozenset[str] = frozenset({"image", "video", "audio", "document", "sticker"})


class Inbound(Model):
    model_config = ConfigDict(frozen=True, defer_build=True)


class ProviderErrorInfo(Inbound):
    code: int | str | None = None
    title: str | None = None
    message: str | None = None
    details: str | None = None


class MediaRef(Inbound):
    """A file at 360dialog, named by its media id (absent when WhatsApp could not fetch it)."""

    id: str | None = None
    mime_type: str | None = None
    sha256: str | None = None
    caption: str | None = None
    filename: str | None = None
    voice: bool = False
    animated: bool | None = None


class Location(Inbound):
    latitude: float
    longitude: float
    name: str | None = None
    address: str | None = None
    url: str | None = None


class InteractiveReply(Inbound):
    kind: Literal["button_reply", "list_reply", "nfm_reply"] | str
    id: str | None = None
    title: str | None = None
    description: str | None = None
    name: str | None = None
    body: str | None = None
    response_json: str | None = None


class QuickReplyButton(Inbound):
    """A tap on a template's quick-reply button (type `button`)."""

    text: str | None = None
    payload: str | None = None


class Reaction(Inbound):
    message_id: str
    emoji: str | None = None  # None: the reaction was removed


class Order(Inbound):
    catalog_id: str | None = None
    text: str | None = None
    product_items: list[dict[str, Any]] = Field(default_factory=list)


class SystemChange(Inbound):
    """WhatsApp's notice that the customer changed number (or identity)."""

    kind: str | None = None
    body: str | None = None
    new_wa_id: str | None = None


class MessageContext(Inbound):
    """What a message refers to: the message it replies to, a forward, a product."""

    message_id: str | None = None
    from_wa_id: str | None = None
    forwarded: bool = False
    frequently_forwarded: bool = False
    referred_product: dict[str, Any] | None = None


class InboundMessage(Inbound):
    wamid: str
    from_wa_id: str | None  # absent for a username-only customer; then user_id identifies them
    user_id: str | None = None
    profile_name: str | None = None
    timestamp: datetime
    type: MessageType
    text: str | None = None
    media: MediaRef | None = None
    location: Location | None = None
    shared_contacts: list[dict[str, Any]] = Field(default_factory=list)
    interactive: InteractiveReply | None = None
    button: QuickReplyButton | None = None
    reaction: Reaction | None = None
    order: Order | None = None
    system: SystemChange | None = None
    referral: dict[str, Any] | None = None
    context: MessageContext | None = None
    errors: list[ProviderErrorInfo] = Field(default_factory=list)
    # The original object, kept for `unsupported` messages so nothing WhatsApp sent is lost.
    raw: dict[str, Any] | None = None


StatusValue = Literal["sent", "delivered", "read", "failed", "deleted", "warning", "played", "unknown"]


class StatusUpdate(Inbound):
    wamid: str
    status: StatusValue
    status_raw: str  # what 360dialog wrote, for values this code does not know
    recipient_wa_id: str | None = None
    recipient_user_id: str | None = None
    timestamp: datetime
    errors: list[ProviderErrorInfo] = Field(default_factory=list)
    conversation: dict[str, Any] | None = None
    pricing: dict[str, Any] | None = None
    biz_opaque_callback_data: str | None = None


class OtherChange(Inbound):
    """A change that is not messages or statuses (template status, quality, account events)."""

    field: str
    value: dict[str, Any]


class Unprocessable(Inbound):
    """Something in the delivery that cannot be stored as a message or status (no id, not an
    object): kept whole so it is logged and counted, never silently dropped."""

    reason: str
    raw: Any


class WebhookDelivery(Inbound):
    """Everything in one POST, in order. Nothing in the body is left out."""

    api_generation: ApiGeneration
    messages: list[InboundMessage] = Field(default_factory=list)
    statuses: list[StatusUpdate] = Field(default_factory=list)
    errors: list[ProviderErrorInfo] = Field(default_factory=list)
    other_changes: list[OtherChange] = Field(default_factory=list)
    unprocessable: list[Unprocessable] = Field(default_factory=list)

    @property
    def event_count(self) -> int:
        return len(self.messages) + len(self.statuses) + len(self.other_changes)
