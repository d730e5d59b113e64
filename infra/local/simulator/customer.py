"""The simulator playing the customer: webhook payloads as 360dialog sends them, and their delivery.

Payloads take the shape of the number's API generation (reference sections 2.3 and 2.4): Meta's
envelope for Cloud numbers, the flat On-Premise object otherwise. Deliveries carry the registered
headers; the registered header values are never logged nor echoed back.
"""

import asyncio
import base64
import json
import re
import secrets
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, Literal, Self, TypeVar, get_args

import httpx
from pydantic import Base64Bytes, BaseModel, ConfigDict, Field, StrictStr, model_validator

from infra.local.simulator.media import (
    CLOUD_MEDIA_ID_PATTERN,
    DEFAULT_SIMULATED_SIZE,
    MIB,
    MediaStore,
    new_media_id,
    simulated_content,
)
from infra.local.simulator.models import (
    PHONE_NUMBER_PATTERN,
    ApiGeneration,
    SimulatedNumber,
    StatusErrorSpec,
    WebhookRegistration,
)
from infra.local.simulator.state import random_id

InboundType = Literal[
    "text",
    "image",
    "video",
    "audio",
    "voice",
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
PayloadKind = Literal["inbound", "status", "raw", "template_status"]
ContentField = Literal[
    "text", "media", "location", "contacts", "interactive", "button", "reaction", "order", "system"
]

# Meta sends larger files as an error webhook instead (reference section 6).
MAX_INBOUND_MEDIA_SIZE = 100 * MIB
MEDIA_TYPES = frozenset({"image", "video", "audio", "voice", "document", "sticker"})
CONTENT_FIELDS: frozenset[ContentField] = frozenset(get_args(ContentField))
REQUIRED_CONTENT: dict[str, ContentField] = {
    "text": "text",
    "location": "location",
    "contacts": "contacts",
    "interactive": "interactive",
    "button": "button",
    "reaction": "reaction",
    "order": "order",
    "system": "system",
}
DEFAULT_MIME_TYPES = {
    "image": "image/jpeg",
    "video": "video/mp4",
    "audio": "audio/mpeg",
    "voice": "audio/ogg; codecs=opus",
    "document": "application/pdf",
    "sticker": "image/webp",
}
# 360dialog counts a delivery as failed when the webhook has not answered within 5 s.
WEBHOOK_TIMEOUT_SECONDS = 5.0
DELIVERY_LOG_SIZE = 1000
# Registered header values at least this long are treated as secrets in webhook answers; shorter ones
# ("1", "json") would garble answers without protecting anything.
SECRET_MIN_LENGTH = 8
REDACTED = "***"

CLOUD_REENGAGEMENT_ERROR = {
    "code": 131047,
    "title": "Re-engagement message",
    "message": "Re-engagement message",
    "error_data": {
        "details": "Message failed to send because more than 24 hours have passed since the customer "
        "last replied to this number."
    },
}
ON_PREMISE_REENGAGEMENT_ERROR = {
    "code": 470,
    "title": "Message failed to send because more than 24 hours have passed since the customer last "
    "replied to this number",
}
CLOUD_UNSUPPORTED_ERROR = {
    "code": 131051,
    "title": "Message type unknown",
    "message": "Message type unknown",
    "error_data": {"details": "Message type is currently not supported."},
}
ON_PREMISE_UNSUPPORTED_ERROR = {
    "code": 501,
    "title": "Unknown message type",
    "details": "Message type is not currently supported",
}


class CustomerInputError(ValueError):
    """A request the admin API refuses (422) because it cannot apply to this number's generation."""


class MediaContent(BaseModel):
    """Media of an inbound message. An absent `id` is generated; an explicit null leaves it out, as
    360dialog does when the media could not be fetched.

    The admin routes keep the file in the number's media store: `content_base64` as given, or
    `size_bytes` (default 1 KiB) of made-up bytes of the type. A given `sha256` is claimed instead of
    the bytes' digest, to simulate a corrupted file."""

    model_config = ConfigDict(extra="forbid")

    id: StrictStr | None = None
    mime_type: StrictStr | None = None
    caption: StrictStr | None = None
    filename: StrictStr | None = None
    sha256: StrictStr | None = None
    content_base64: Base64Bytes | None = None
    size_bytes: int | None = Field(default=None, ge=1, le=MAX_INBOUND_MEDIA_SIZE)

    @model_validator(mode="after")
    def check_one_content(self) -> Self:
        if self.content_base64 is not None and self.size_bytes is not None:
            raise ValueError("give content_base64 or size_bytes, not both")
        return self


class LocationContent(BaseModel):
    model_config = ConfigDict(extra="forbid")

    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)
    name: StrictStr | None = None
    address: StrictStr | None = None
    url: StrictStr | None = None


class InteractiveContent(BaseModel):
    """A reply to an interactive message, as it appears in the payload:
    `{"type": "button_reply", "button_reply": {"id", "title"}}`, `list_reply` likewise (plus an optional
    `description`), `nfm_reply` with `name`, `body` and `response_json`."""

    model_config = ConfigDict(extra="allow")

    type: Literal["button_reply", "list_reply", "nfm_reply"]

    @model_validator(mode="after")
    def check_reply(self) -> Self:
        if not isinstance((self.model_extra or {}).get(self.type), dict):
            raise ValueError(f"an interactive {self.type} needs a {self.type!r} object")
        return self


class ButtonContent(BaseModel):
    model_config = ConfigDict(extra="forbid")

    payload: StrictStr
    text: StrictStr


class ReactionContent(BaseModel):
    """A reaction; without `emoji` it is the removal of an earlier reaction."""

    model_config = ConfigDict(extra="forbid")

    message_id: StrictStr = Field(min_length=1)
    emoji: StrictStr | None = None


class MessageContext(BaseModel):
    """What the message replies to (`message_id`), or that it was forwarded, or both."""

    model_config = ConfigDict(extra="forbid")

    message_id: StrictStr | None = Field(default=None, min_length=1)
    forwarded: bool = False

    @model_validator(mode="after")
    def check_not_empty(self) -> Self:
        if self.message_id is None and not self.forwarded:
            raise ValueError("a context needs a message_id, forwarded: true, or both")
        return self


class InboundMessageSpec(BaseModel):
    """One message from a customer; the content field named by `type` carries its content."""

    model_config = ConfigDict(extra="forbid")

    from_: StrictStr | None = Field(default=None, alias="from", pattern=PHONE_NUMBER_PATTERN)
    user_id: StrictStr | None = Field(default=None, min_length=1)
    profile_name: StrictStr | None = None
    type: InboundType
    text: StrictStr | None = None
    media: MediaContent | None = None
    location: LocationContent | None = None
    contacts: list[dict[str, Any]] | None = Field(default=None, min_length=1)
    interactive: InteractiveContent | None = None
    button: ButtonContent | None = None
    reaction: ReactionContent | None = None
    order: dict[str, Any] | None = None
    system: dict[str, Any] | None = None
    context: MessageContext | None = None
    referral: dict[str, Any] | None = None
    id: StrictStr | None = Field(default=None, min_length=1)
    timestamp: int | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def check_sender_and_content(self) -> Self:
        if self.from_ is None and self.user_id is None:
            raise ValueError("a message needs `from` (the customer's wa_id), `user_id`, or both")
        allowed = {"media"} if self.type in MEDIA_TYPES else set()
        required = REQUIRED_CONTENT.get(self.type)
        if required is not None:
            allowed.add(required)
            if getattr(self, required) is None:
                raise ValueError(f"a {self.type} message needs `{required}`")
        misplaced = sorted(name for name in CONTENT_FIELDS - allowed if getattr(self, name) is not None)
        if misplaced:
            raise ValueError(f"{', '.join(misplaced)} does not apply to a {self.type} message")
        return self

    def sent_at(self, now: int) -> int:
        return self.timestamp if self.timestamp is not None else now


MessageSpec = TypeVar("MessageSpec", bound=InboundMessageSpec)


class StatusSpec(BaseModel):
    """A status of an outbound message. `errors` absent on a `failed` status gets the generation's
    re-engagement error; an explicit empty list sends none. `conversation` and `pricing` are passed
    as given."""

    model_config = ConfigDict(extra="forbid")

    message_id: StrictStr = Field(min_length=1)
    status: StrictStr = Field(min_length=1)
    recipient_id: StrictStr = Field(min_length=1)
    errors: list[StatusErrorSpec] | None = None
    timestamp: int | None = Field(default=None, ge=0)
    conversation: dict[str, Any] | None = None
    pricing: dict[str, Any] | None = None


class InboundRequest(InboundMessageSpec):
    copies: int = Field(default=1, ge=1, le=10)
    concurrency: int = Field(default=1, ge=1, le=10)


class StatusRequest(StatusSpec):
    copies: int = Field(default=1, ge=1, le=10)
    concurrency: int = Field(default=1, ge=1, le=10)


class RawDeliveryRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    payload: Any
    copies: int = Field(default=1, ge=1, le=10)
    concurrency: int = Field(default=1, ge=1, le=10)


class InboundEvent(InboundMessageSpec):
    kind: Literal["inbound"]


class StatusEvent(StatusSpec):
    kind: Literal["status"]


BatchEvent = Annotated[InboundEvent | StatusEvent, Field(discriminator="kind")]


class BatchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    events: list[BatchEvent] = Field(min_length=1, max_length=1000)
    shuffle: bool = False
    seed: int | None = None
    copies_per_event: int = Field(default=1, ge=1, le=5)
    concurrency: int = Field(default=1, ge=1, le=20)


@dataclass(frozen=True)
class WebhookPayload:
    """A body to post; `message_id` names the message it carries or reports on (none for raw payloads
    and template statuses)."""

    kind: PayloadKind
    body: Any
    message_id: str | None = None


def cloud_message_id(customer: str) -> str:
    """Shaped like Meta's ids: `wamid.` and base64 of the customer (sender or recipient) and a random
    hex id."""
    raw = (
        b"\x1c\x18"
        + bytes([len(customer) % 256])
        + customer.encode()
        + b"\x15\x02\x00\x12\x18\x14"
        + secrets.token_hex(10).upper().encode()
        + b"\x00"
    )
    return "wamid." + base64.b64encode(raw).decode()


def on_premise_message_id(prefix: str = "ABEG") -> str:
    """Opaque ids; the client's own outbound ids start `gBEG`, inbound ones `ABEG`."""
    return random_id(prefix, 24)


def media_object(generation: ApiGeneration, message_type: str, media: MediaContent) -> dict[str, Any]:
    media_json: dict[str, Any] = {}
    if "id" not in media.model_fields_set:
        media_json["id"] = new_media_id(generation)
    elif media.id is not None:
        media_json["id"] = media.id
    media_json["mime_type"] = media.mime_type or DEFAULT_MIME_TYPES[message_type]
    media_json["sha256"] = media.sha256 or secrets.token_hex(32)
    if media.caption is not None:
        media_json["caption"] = media.caption
    if media.filename is not None:
        media_json["filename"] = media.filename
    if generation == "cloud" and message_type in ("audio", "voice"):
        media_json["voice"] = message_type == "voice"
    if generation == "cloud" and message_type == "sticker":
        media_json["animated"] = False
    return media_json


def wire_type(generation: ApiGeneration, message_type: InboundType) -> str:
    """Cloud sends voice notes as `audio` with `voice: true`; On-Premise calls unsupported types `unknown`."""
    if generation == "cloud" and message_type == "voice":
        return "audio"
    if generation == "on_premise" and message_type == "unsupported":
        return "unknown"
    return message_type


def message_content(generation: ApiGeneration, message: InboundMessageSpec) -> dict[str, Any]:
    """The type's fields of the message object, besides `from`, `id`, `timestamp` and `type`."""
    message_type = message.type
    if message_type in MEDIA_TYPES:
        return {
            wire_type(generation, message_type): media_object(
                generation, message_type, message.media or MediaContent()
            )
        }
    if message_type == "unsupported":
        error = CLOUD_UNSUPPORTED_ERROR if generation == "cloud" else ON_PREMISE_UNSUPPORTED_ERROR
        return {"errors": [error]}
    if message_type == "text":
        return {"text": {"body": message.text}}
    content: Any = getattr(message, message_type, None)
    if isinstance(content, BaseModel):
        return {message_type: content.model_dump(exclude_none=True)}
    if content is None:
        return {}
    return {message_type: content}


def message_object(
    number: SimulatedNumber, message: InboundMessageSpec, message_id: str, now: int
) -> dict[str, Any]:
    generation = number.api_generation
    message_json: dict[str, Any] = {}
    if message.from_ is not None:
        message_json["from"] = message.from_
    if message.user_id is not None:
        message_json["from_user_id"] = message.user_id
    message_json |= {
        "id": message_id,
        "timestamp": str(message.sent_at(now)),
        "type": wire_type(generation, message.type),
    }
    if message.context is not None:
        context: dict[str, Any] = {}
        if message.context.message_id is not None:
            context = {"from": number.phone_number, "id": message.context.message_id}
        if message.context.forwarded:
            context["forwarded"] = True
        message_json["context"] = context
    message_json |= message_content(generation, message)
    if message.referral is not None:
        message_json["referral"] = message.referral
    return message_json


def contact_object(message: InboundMessageSpec) -> dict[str, Any]:
    contact: dict[str, Any] = {}
    if message.profile_name is not None:
        contact["profile"] = {"name": message.profile_name}
    if message.from_ is not None:
        contact["wa_id"] = message.from_
    if message.user_id is not None:
        contact["user_id"] = message.user_id
    return contact


def business_account_change(
    number: SimulatedNumber, field: str, value: dict[str, Any], event_time: int | None = None
) -> dict[str, Any]:
    """Meta's envelope around one change of the number's WABA; message changes carry no entry time,
    template changes do."""
    entry: dict[str, Any] = {"id": number.waba_id}
    if event_time is not None:
        entry["time"] = event_time
    entry["changes"] = [{"field": field, "value": value}]
    return {"object": "whatsapp_business_account", "entry": [entry]}


def cloud_envelope(number: SimulatedNumber, value: dict[str, Any]) -> dict[str, Any]:
    metadata = {"display_phone_number": number.phone_number, "phone_number_id": number.phone_number_id}
    return business_account_change(
        number, "messages", {"messaging_product": "whatsapp", "metadata": metadata, **value}
    )


def generation_payload(number: SimulatedNumber, value: dict[str, Any]) -> dict[str, Any]:
    return cloud_envelope(number, value) if number.api_generation == "cloud" else value


def with_stored_media(store: MediaStore, number: SimulatedNumber, message: MessageSpec) -> MessageSpec:
    """The message with its media kept in the number's media store, its id and sha256 naming the stored
    file; media without id (not fetched by 360dialog) is not stored."""
    if message.type not in MEDIA_TYPES:
        return message
    media = message.media or MediaContent()
    if "id" in media.model_fields_set and media.id is None:
        return message
    media_id = media.id or new_media_id(number.api_generation)
    if number.api_generation == "cloud" and not re.fullmatch(CLOUD_MEDIA_ID_PATTERN, media_id):
        raise CustomerInputError(f"Cloud media ids are digits, not {media_id!r}")
    mime_type = media.mime_type or DEFAULT_MIME_TYPES[message.type]
    content = media.content_base64
    if content is None:
        content = simulated_content(mime_type, media.size_bytes or DEFAULT_SIMULATED_SIZE, media_id)
    stored = store.add(
        number,
        content,
        mime_type,
        "inbound",
        media_id=media_id,
        filename=media.filename,
        sha256=media.sha256,
    )
    stored_media = media.model_copy(update={"id": stored.id, "sha256": stored.sha256})
    return message.model_copy(update={"media": stored_media})


def inbound_payload(number: SimulatedNumber, message: InboundMessageSpec, now: int) -> WebhookPayload:
    """The webhook body 360dialog would send for this message to this number."""
    if number.api_generation == "on_premise" and (message.user_id is not None or message.from_ is None):
        raise CustomerInputError("On-Premise numbers know customers by `from` only (user_id is Cloud-only)")
    sender = message.from_ or message.user_id or ""
    message_id = message.id or (
        cloud_message_id(sender) if number.api_generation == "cloud" else on_premise_message_id()
    )
    value = {
        "contacts": [contact_object(message)],
        "messages": [message_object(number, message, message_id, now)],
    }
    return WebhookPayload("inbound", generation_payload(number, value), message_id)


def status_errors(generation: ApiGeneration, status: StatusSpec) -> list[dict[str, Any]]:
    if status.errors is None:
        if status.status != "failed":
            return []
        return [CLOUD_REENGAGEMENT_ERROR if generation == "cloud" else ON_PREMISE_REENGAGEMENT_ERROR]
    if generation == "cloud":
        return [
            {
                "code": error.code,
                "title": error.title,
                "message": error.message or error.title,
                "error_data": {"details": error.details or error.title},
            }
            for error in status.errors
        ]
    return [error.model_dump(exclude_none=True, exclude={"message"}) for error in status.errors]


def status_object(generation: ApiGeneration, status: StatusSpec, now: int) -> dict[str, Any]:
    """One entry of a payload's `statuses`."""
    status_json: dict[str, Any] = {
        "id": status.message_id,
        "status": status.status,
        "timestamp": str(status.timestamp if status.timestamp is not None else now),
        "recipient_id": status.recipient_id,
    }
    if status.conversation is not None:
        status_json["conversation"] = status.conversation
    if status.pricing is not None:
        status_json["pricing"] = status.pricing
    errors = status_errors(generation, status)
    if errors:
        status_json["errors"] = errors
    return status_json


def reported_status_payload(number: SimulatedNumber, status_json: dict[str, Any]) -> WebhookPayload:
    return WebhookPayload(
        "status", generation_payload(number, {"statuses": [status_json]}), status_json["id"]
    )


def status_payload(number: SimulatedNumber, status: StatusSpec, now: int) -> WebhookPayload:
    """The webhook body 360dialog would send to report this status of an outbound message."""
    return reported_status_payload(number, status_object(number.api_generation, status, now))


@dataclass(frozen=True)
class WebhookAnswer:
    """What the webhook answered, or, when it did not (`status` None), why."""

    status: int | None
    body: Any
    elapsed_ms: float
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        answer = {"status": self.status, "body": self.body, "elapsed_ms": self.elapsed_ms}
        return answer if self.error is None else answer | {"error": self.error}

    @property
    def status_key(self) -> str:
        return "no_answer" if self.status is None else str(self.status)


class DeliveryRecord(BaseModel):
    time: datetime
    phone_number: str
    url: str
    kind: PayloadKind
    message_id: str | None
    status: int | None
    elapsed_ms: float
    error: str | None


class DeliveryLog:
    """The latest deliveries, oldest first; used from the simulator's event loop only."""

    def __init__(self) -> None:
        self._records: deque[DeliveryRecord] = deque(maxlen=DELIVERY_LOG_SIZE)

    def append(self, record: DeliveryRecord) -> None:
        self._records.append(record)

    def records(self) -> list[DeliveryRecord]:
        return list(self._records)

    def clear(self) -> None:
        self._records.clear()


def redact_secrets(text: str, webhook: WebhookRegistration) -> str:
    for value in webhook.headers.values():
        if len(value) >= SECRET_MIN_LENGTH:
            text = text.replace(value, REDACTED)
    return text


def answer_body(text: str) -> Any:
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


class WebhookDeliverer:
    """Posts payloads to one number's registered webhook and logs each delivery."""

    def __init__(self, number: SimulatedNumber, webhook: WebhookRegistration, log: DeliveryLog) -> None:
        self.number = number
        self.webhook = webhook
        self.log = log
        self.headers = httpx.Headers(webhook.headers)
        self.headers["Content-Type"] = "application/json"

    async def deliver_all(self, payloads: Sequence[WebhookPayload], concurrency: int) -> list[WebhookAnswer]:
        """Starts the deliveries in the given order, `concurrency` at a time; answers in the same order."""
        slots = asyncio.Semaphore(concurrency)
        async with httpx.AsyncClient(timeout=WEBHOOK_TIMEOUT_SECONDS, trust_env=False) as client:

            async def deliver_in_slot(payload: WebhookPayload) -> WebhookAnswer:
                async with slots:
                    return await self.deliver(client, payload)

            return list(await asyncio.gather(*(deliver_in_slot(payload) for payload in payloads)))

    async def deliver(self, client: httpx.AsyncClient, payload: WebhookPayload) -> WebhookAnswer:
        content = json.dumps(payload.body, separators=(",", ":")).encode()
        started = time.perf_counter()
        try:
            response = await client.post(self.webhook.url, content=content, headers=self.headers)
        except httpx.TimeoutException:
            answer = self._no_answer(started, f"no answer within {WEBHOOK_TIMEOUT_SECONDS:g} s")
        except httpx.TransportError as error:
            answer = self._no_answer(
                started, redact_secrets(f"{type(error).__name__}: {error}", self.webhook)
            )
        else:
            answer = WebhookAnswer(
                status=response.status_code,
                body=answer_body(redact_secrets(response.text, self.webhook)),
                elapsed_ms=_elapsed_ms(started),
            )
        self.log.append(
            DeliveryRecord(
                time=datetime.now(UTC),
                phone_number=self.number.phone_number,
                url=self.webhook.url,
                kind=payload.kind,
                message_id=payload.message_id,
                status=answer.status,
                elapsed_ms=answer.elapsed_ms,
                error=answer.error,
            )
        )
        return answer

    @staticmethod
    def _no_answer(started: float, reason: str) -> WebhookAnswer:
        return WebhookAnswer(status=None, body=None, elapsed_ms=_elapsed_ms(started), error=reason)


def _elapsed_ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)
