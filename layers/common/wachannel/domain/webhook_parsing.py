"""Turns a 360dialog webhook body, Cloud (waba-v2) or On-Premise (v1), into a `WebhookDelivery`.

The parser is total: any JSON value gives a delivery, and whatever cannot become a message or a
status lands in `unprocessable` with the reason. A message of a type this code does not know, or whose
content is malformed, is kept as an `unsupported` message with the original object in `raw`.

The wire shapes are read with small typed accessors instead of pydantic models: this runs on the
webhook's hot path, and a malformed part must downgrade one message, never the whole delivery, which
reads more plainly field by field than as nested validation errors."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final, TypedDict

from wachannel.domain.inbound import (
    ApiGeneration,
    InboundMessage,
    InteractiveReply,
    Location,
    MediaRef,
    MessageContext,
    Order,
    OtherChange,
    ProviderErrorInfo,
    QuickReplyButton,
    Reaction,
    StatusUpdate,
    StatusValue,
    SystemChange,
    Unprocessable,
    WebhookDelivery,
)
from wachannel.errors import InvalidJson

JsonObject = dict[str, Any]

CLOUD_OBJECT: Final = "whatsapp_business_account"
MAX_EVENT_ID_LENGTH: Final = 256  # UTF-8 bytes: ids end up in keys, which DynamoDB measures in bytes
# WhatsApp's objects nest a few levels. Free-form parts kept as they came (referral, pricing, an
# unsupported message's raw object) keep this many; deeper values are replaced by a marker, so a part
# always fits DynamoDB's 32 levels and is read and written without deep recursion.
MAX_KEPT_NESTING: Final = 16
NESTED_TOO_DEEP: Final = f"(nested deeper than {MAX_KEPT_NESTING} levels)"
_WA_ID_MAX_DIGITS: Final = 32
_ON_PREMISE_ARRAYS: Final = ("contacts", "messages", "statuses", "errors")
_INTERACTIVE_REPLY_KINDS: Final = frozenset({"button_reply", "list_reply", "nfm_reply"})
_STATUS_VALUES: Final[dict[str, StatusValue]] = {
    "sent": "sent",
    "delivered": "delivered",
    "read": "read",
    "failed": "failed",
    "deleted": "deleted",
    "warning": "warning",
    "played": "played",
}


class _MalformedContent(Exception):
    """A known message type whose content cannot be read; the message is kept as `unsupported`."""


class _MessageHeader(TypedDict):
    """What every message carries, whatever its type."""

    wamid: str
    from_wa_id: str | None
    user_id: str | None
    profile_name: str | None
    timestamp: datetime
    context: MessageContext | None
    referral: dict[str, Any] | None
    errors: list[ProviderErrorInfo]


@dataclass
class _Collected:
    messages: list[InboundMessage] = field(default_factory=list)
    statuses: list[StatusUpdate] = field(default_factory=list)
    errors: list[ProviderErrorInfo] = field(default_factory=list)
    other_changes: list[OtherChange] = field(default_factory=list)
    unprocessable: list[Unprocessable] = field(default_factory=list)

    def reject(self, reason: str, raw: object) -> None:
        self.unprocessable.append(Unprocessable(reason=reason, raw=raw))

    def delivery(self, api_generation: ApiGeneration) -> WebhookDelivery:
        return WebhookDelivery(
            api_generation=api_generation,
            messages=self.messages,
            statuses=self.statuses,
            errors=self.errors,
            other_changes=self.other_changes,
            unprocessable=self.unprocessable,
        )


def read_webhook(text: str) -> WebhookDelivery:
    """The delivery in a request body; InvalidJson when it is not JSON. Well-formed JSON that Python
    cannot read (nested about a thousand levels deep) is unprocessable, not a refusal: 360dialog
    would deliver it again for days, delaying the deliveries behind it."""
    try:
        body = json.loads(text, parse_int=_json_int)
    except RecursionError:
        collected = _Collected()
        collected.reject("JSON nested too deep to read", None)
        return collected.delivery("cloud")
    except ValueError:
        raise InvalidJson("The delivery is not valid JSON.") from None
    return parse_webhook(body)


def _json_int(digits: str) -> int | str:
    """Python converts at most 4,300 digits to an int; a longer number is kept as its digits."""
    try:
        return int(digits)
    except ValueError:
        return digits


def parse_webhook(body: object) -> WebhookDelivery:
    collected = _Collected()
    if not isinstance(body, dict):
        collected.reject("the body is not a JSON object", body)
        # A delivery must name a generation; Cloud is the one 360dialog still onboards.
        return collected.delivery("cloud")
    if body.get("object") == CLOUD_OBJECT:
        _read_cloud_body(body, collected)
        return collected.delivery("cloud")
    if any(isinstance(body.get(key), list) for key in _ON_PREMISE_ARRAYS):
        # An On-Premise body is shaped like the `value` of a Cloud messages change.
        _read_messages_value(body, collected)
        return collected.delivery("on_premise")
    collected.reject("neither a Cloud nor an On-Premise delivery", body)
    return collected.delivery("cloud")


def _read_cloud_body(body: JsonObject, collected: _Collected) -> None:
    entries = body.get("entry")
    if not isinstance(entries, list):
        collected.reject("Cloud delivery without an entry list", body)
        return
    for entry in entries:
        changes = entry.get("changes") if isinstance(entry, dict) else None
        if not isinstance(changes, list):
            collected.reject("entry without a changes list", entry)
            continue
        for change in changes:
            _read_change(change, collected)


def _read_change(change: object, collected: _Collected) -> None:
    if not isinstance(change, dict):
        collected.reject("change is not an object", change)
        return
    field_name, value = change.get("field"), change.get("value")
    if not isinstance(field_name, str) or not isinstance(value, dict):
        collected.reject("change without a field name and an object value", change)
    elif field_name == "messages":
        _read_messages_value(value, collected)
    else:
        collected.other_changes.append(OtherChange(field=field_name, value=value))


def _read_messages_value(value: JsonObject, collected: _Collected) -> None:
    contacts_by_id = _contacts_by_id(_array(value, "contacts", collected), collected)
    for message in _array(value, "messages", collected):
        _read_message(message, contacts_by_id, collected)
    for status in _array(value, "statuses", collected):
        _read_status(status, collected)
    for error in _array(value, "errors", collected):
        if isinstance(error, dict):
            collected.errors.append(_provider_error(error))
        else:
            collected.reject("error is not an object", error)


def _array(container: JsonObject, key: str, collected: _Collected) -> list[Any]:
    items = container.get(key)
    if items is None:
        return []
    if not isinstance(items, list):
        collected.reject(f"{key} is not a list", items)
        return []
    return items


def _contacts_by_id(contacts: list[Any], collected: _Collected) -> dict[str, JsonObject]:
    """Contacts keyed by phone (`wa_id`) and business-scoped id (`user_id`): a message finds its
    sender by id, since the order of `contacts` says nothing about the order of `messages`."""
    by_id: dict[str, JsonObject] = {}
    for contact in contacts:
        if not isinstance(contact, dict):
            collected.reject("contact is not an object", contact)
            continue
        for key in (_text(contact.get("wa_id")), _text(contact.get("user_id"))):
            if key:
                by_id.setdefault(key, contact)
    return by_id


def _read_message(message: object, contacts_by_id: dict[str, JsonObject], collected: _Collected) -> None:
    if not isinstance(message, dict):
        collected.reject("message is not an object", message)
        return
    wamid = _event_id(message.get("id"))
    if wamid is None:
        collected.reject("message without a usable id", message)
        return
    timestamp = _timestamp(message.get("timestamp"))
    if timestamp is None:
        collected.reject("message with an unreadable timestamp", message)
        return
    from_wa_id = _wa_id(message.get("from"))
    from_user_id = _event_id(message.get("from_user_id"))
    sender = _sender_contact(contacts_by_id, from_wa_id, from_user_id)
    header = _MessageHeader(
        wamid=wamid,
        from_wa_id=from_wa_id,
        user_id=from_user_id or _event_id(sender.get("user_id")),
        profile_name=_text(_object_or_empty(sender.get("profile")).get("name")),
        timestamp=timestamp,
        context=_context(message.get("context")),
        referral=_object_or_none(message.get("referral")),
        errors=_provider_errors(message.get("errors")),
    )
    typed = _typed_message(message, header)
    if message.get("from") is not None and from_wa_id is None and typed.raw is None:
        # A sender this code cannot read as a number: the original keeps it.
        typed = typed.model_copy(update={"raw": _raw(message)})
    collected.messages.append(typed)


def _sender_contact(
    contacts_by_id: dict[str, JsonObject], from_wa_id: str | None, from_user_id: str | None
) -> JsonObject:
    for sender_id in (from_wa_id, from_user_id):
        if sender_id and sender_id in contacts_by_id:
            return contacts_by_id[sender_id]
    return {}


def _typed_message(message: JsonObject, header: _MessageHeader) -> InboundMessage:
    message_type = message.get("type")
    read_content = _CONTENT_READERS.get(message_type) if isinstance(message_type, str) else None
    if read_content is not None:
        try:
            return read_content(message, header)
        except _MalformedContent:
            pass
    # `unsupported`, the older `unknown`, types newer than this code, and unreadable content alike.
    return InboundMessage(**header, type="unsupported", raw=_raw(message))


def _read_status(status: object, collected: _Collected) -> None:
    if not isinstance(status, dict):
        collected.reject("status is not an object", status)
        return
    wamid = _event_id(status.get("id"))
    if wamid is None:
        collected.reject("status without a usable id", status)
        return
    timestamp = _timestamp(status.get("timestamp"))
    if timestamp is None:
        collected.reject("status with an unreadable timestamp", status)
        return
    status_raw = _text(status.get("status")) or ""
    collected.statuses.append(
        StatusUpdate(
            wamid=wamid,
            status=_STATUS_VALUES.get(status_raw.strip().lower(), "unknown"),
            status_raw=status_raw,
            recipient_wa_id=_text(status.get("recipient_id")),
            recipient_user_id=_text(status.get("recipient_user_id")),
            timestamp=timestamp,
            errors=_provider_errors(status.get("errors")),
            conversation=_object_or_none(status.get("conversation")),
            pricing=_object_or_none(status.get("pricing")),
            biz_opaque_callback_data=_text(status.get("biz_opaque_callback_data")),
        )
    )


# Content readers: one per message type, each raising _MalformedContent when the part is unreadable.


def _text_message(message: JsonObject, header: _MessageHeader) -> InboundMessage:
    body = _part(message, "text").get("body")
    if not isinstance(body, str):
        raise _MalformedContent
    return InboundMessage(**header, type="text", text=body)


def _media_message(message: JsonObject, header: _MessageHeader) -> InboundMessage:
    message_type = message["type"]
    # On-Premise sends voice notes as their own type; Cloud as audio with `voice: true`.
    is_voice_type = message_type == "voice"
    media = _part(message, message_type)
    animated = media.get("animated")
    return InboundMessage(
        **header,
        type="audio" if is_voice_type else message_type,
        media=MediaRef(
            id=_text(media.get("id")),
            mime_type=_text(media.get("mime_type")),
            sha256=_text(media.get("sha256")),
            caption=_text(media.get("caption")),
            filename=_text(media.get("filename")),
            voice=is_voice_type or media.get("voice") is True,
            animated=animated if isinstance(animated, bool) else None,
        ),
    )


def _location_message(message: JsonObject, header: _MessageHeader) -> InboundMessage:
    location = _part(message, "location")
    latitude = _coordinate(location.get("latitude"), limit=90.0)
    longitude = _coordinate(location.get("longitude"), limit=180.0)
    if latitude is None or longitude is None:
        raise _MalformedContent
    return InboundMessage(
        **header,
        type="location",
        location=Location(
            latitude=latitude,
            longitude=longitude,
            name=_text(location.get("name")),
            address=_text(location.get("address")),
            url=_text(location.get("url")),
        ),
    )


def _contacts_message(message: JsonObject, header: _MessageHeader) -> InboundMessage:
    return InboundMessage(**header, type="contacts", shared_contacts=_objects(message.get("contacts")))


def _interactive_message(message: JsonObject, header: _MessageHeader) -> InboundMessage:
    interactive = _part(message, "interactive")
    kind = interactive.get("type")
    if not isinstance(kind, str) or kind not in _INTERACTIVE_REPLY_KINDS:
        raise _MalformedContent
    reply = _part(interactive, kind)
    response_json = reply.get("response_json")
    if response_json is not None and not isinstance(response_json, str):
        raise _MalformedContent
    return InboundMessage(
        **header,
        type="interactive",
        interactive=InteractiveReply(
            kind=kind,
            id=_text(reply.get("id")),
            title=_text(reply.get("title")),
            description=_text(reply.get("description")),
            name=_text(reply.get("name")),
            body=_text(reply.get("body")),
            response_json=response_json,
        ),
    )


def _button_message(message: JsonObject, header: _MessageHeader) -> InboundMessage:
    button = _part(message, "button")
    return InboundMessage(
        **header,
        type="button",
        button=QuickReplyButton(text=_text(button.get("text")), payload=_text(button.get("payload"))),
    )


def _reaction_message(message: JsonObject, header: _MessageHeader) -> InboundMessage:
    reaction = _part(message, "reaction")
    reacted_to = _event_id(reaction.get("message_id"))
    if reacted_to is None:
        raise _MalformedContent
    return InboundMessage(
        **header,
        type="reaction",
        # A removed reaction arrives without an emoji, or with an empty one.
        reaction=Reaction(message_id=reacted_to, emoji=_text(reaction.get("emoji")) or None),
    )


def _order_message(message: JsonObject, header: _MessageHeader) -> InboundMessage:
    order = _part(message, "order")
    return InboundMessage(
        **header,
        type="order",
        order=Order(
            catalog_id=_text(order.get("catalog_id")),
            text=_text(order.get("text")),
            product_items=_objects(order.get("product_items", [])),
        ),
    )


def _system_message(message: JsonObject, header: _MessageHeader) -> InboundMessage:
    system = _part(message, "system")
    return InboundMessage(
        **header,
        type="system",
        system=SystemChange(
            kind=_text(system.get("type")),
            body=_text(system.get("body")),
            # Cloud names the customer's new number `wa_id`, On-Premise `new_wa_id`.
            new_wa_id=_wa_id(system.get("wa_id")) or _wa_id(system.get("new_wa_id")),
        ),
    )


def _request_welcome_message(message: JsonObject, header: _MessageHeader) -> InboundMessage:
    return InboundMessage(**header, type="request_welcome")


_CONTENT_READERS: Final[dict[str, Callable[[JsonObject, _MessageHeader], InboundMessage]]] = {
    "text": _text_message,
    "image": _media_message,
    "video": _media_message,
    "audio": _media_message,
    "voice": _media_message,
    "document": _media_message,
    "sticker": _media_message,
    "location": _location_message,
    "contacts": _contacts_message,
    "interactive": _interactive_message,
    "button": _button_message,
    "reaction": _reaction_message,
    "order": _order_message,
    "system": _system_message,
    "request_welcome": _request_welcome_message,
}
# The message types read into typed content; any other is stored as `unsupported`.
READABLE_MESSAGE_TYPES: Final = frozenset(_CONTENT_READERS)


def _context(value: object) -> MessageContext | None:
    if not isinstance(value, dict):
        return None
    return MessageContext(
        message_id=_text(value.get("id")),
        from_wa_id=_text(value.get("from")),
        forwarded=value.get("forwarded") is True,
        frequently_forwarded=value.get("frequently_forwarded") is True,
        referred_product=_object_or_none(value.get("referred_product")),
    )


def _provider_errors(value: object) -> list[ProviderErrorInfo]:
    if not isinstance(value, list):
        return []
    return [_provider_error(error) for error in value if isinstance(error, dict)]


def _provider_error(error: JsonObject) -> ProviderErrorInfo:
    code = error.get("code")
    # Cloud nests the details in `error_data`; On-Premise puts them on the error itself.
    details = _object_or_empty(error.get("error_data")).get("details", error.get("details"))
    return ProviderErrorInfo(
        code=code if isinstance(code, str | int) and not isinstance(code, bool) else None,
        title=_text(error.get("title")),
        message=_text(error.get("message")),
        details=_text(details),
    )


# Accessors: each reads one wire value and answers None (or raises _MalformedContent) when it is unusable.


def _text(value: object) -> str | None:
    """A string field; WhatsApp writes some ids as numbers."""
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def _event_id(value: object) -> str | None:
    """An id fit to key storage (a message's, a user's): opaque text of at most 256 bytes."""
    text = _text(value)
    if text is None or not text.strip() or len(text.encode()) > MAX_EVENT_ID_LENGTH:
        return None
    return text


def _wa_id(value: object) -> str | None:
    """A WhatsApp id: the number's digits. Anything else names nobody, rather than everybody whose
    `from` holds no digits at all."""
    text = _text(value)
    if text is None or not text.isascii() or not text.isdigit() or len(text) > _WA_ID_MAX_DIGITS:
        return None
    return text


def _timestamp(value: object) -> datetime | None:
    """Unix seconds, as a string or a number."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    try:
        return datetime.fromtimestamp(float(value), tz=UTC)
    except (ValueError, OverflowError, OSError):
        return None


def _coordinate(value: object, *, limit: float) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        coordinate = float(value)
    except (ValueError, OverflowError):
        return None
    # The comparison also turns away NaN and infinities.
    return coordinate if -limit <= coordinate <= limit else None


def _object_or_none(value: object) -> JsonObject | None:
    return _kept(value) if isinstance(value, dict) else None


def _kept(value: JsonObject) -> JsonObject:
    """A free-form part as it came, to be stored as a map: cut at `MAX_KEPT_NESTING` levels, and
    without entries under an empty name (DynamoDB does not document empty map keys, and moto cannot
    read them back)."""
    kept: JsonObject = _cut(value, MAX_KEPT_NESTING, named_only=True)
    return kept


def _raw(message: JsonObject) -> JsonObject:
    """A message as it came, to be stored as JSON text: cut at `MAX_KEPT_NESTING` levels."""
    raw: JsonObject = _cut(message, MAX_KEPT_NESTING, named_only=False)
    return raw


def _cut(value: Any, levels: int, *, named_only: bool) -> Any:
    if not isinstance(value, dict | list):
        return value
    if levels == 0:
        return NESTED_TOO_DEEP
    if isinstance(value, dict):
        return {
            key: _cut(item, levels - 1, named_only=named_only)
            for key, item in value.items()
            if key or not named_only
        }
    return [_cut(item, levels - 1, named_only=named_only) for item in value]


def _object_or_empty(value: object) -> JsonObject:
    return value if isinstance(value, dict) else {}


def _part(container: JsonObject, key: str) -> JsonObject:
    part = container.get(key)
    if not isinstance(part, dict):
        raise _MalformedContent
    return part


def _objects(value: object) -> list[JsonObject]:
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise _MalformedContent
    return [_kept(item) for item in value]
