"""What the simulator remembers of the messages its numbers send: each accepted message with the
statuses reported for it, read receipts, when each customer last wrote (the 24-hour customer service
window, reference section 8), the conversations Meta bills, and how a number's messages fare.
"""

import secrets
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from infra.local.simulator.models import StatusErrorSpec
from infra.local.simulator.templates import iso_time, utc_now

DeliveryStatus = Literal["sent", "delivered", "read"]

CUSTOMER_SERVICE_WINDOW = timedelta(hours=24)
# Meta's conversations, and with them the ids in status webhooks, last 24 hours from their first message.
CONVERSATION_LIFETIME = timedelta(hours=24)


class OutboundBehaviour(BaseModel):
    """What follows a number's accepted messages: `statuses` in order, or, with `fail`, `sent` and then
    `failed` with that error; every status twice (`duplicate`), in reverse order (`reorder`), the first
    one before the send call answers (`early`), `delay_seconds` apart. `latency_seconds` is how long
    the send call takes to answer."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    statuses: tuple[DeliveryStatus, ...] = ("sent", "delivered")
    fail: StatusErrorSpec | None = None
    duplicate: bool = False
    reorder: bool = False
    early: bool = False
    delay_seconds: float = Field(default=0.0, ge=0, le=60)
    latency_seconds: float = Field(default=0.0, ge=0, le=60)


@dataclass(frozen=True)
class RenderedText:
    """What the customer reads: the text (a text's body, a caption, a template's filled-in body), and a
    template's header and footer."""

    text: str | None = None
    header: str | None = None
    footer: str | None = None


@dataclass
class SentMessage:
    """An accepted message; `body` is the request body as received. `status_history` holds each status
    object as it was reported, in the order reported."""

    id: str
    to: str
    type: str
    body: dict[str, Any]
    rendered: RenderedText
    received_at: datetime = field(default_factory=utc_now)
    status_history: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "to": self.to,
            "type": self.type,
            "body": self.body,
            "rendered_text": self.rendered.text,
            "rendered_header": self.rendered.header,
            "rendered_footer": self.rendered.footer,
            "status_history": list(self.status_history),
            "received_at": iso_time(self.received_at),
        }


@dataclass(frozen=True)
class Conversation:
    id: str
    category: str
    expires_at: datetime

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "expiration_timestamp": str(int(self.expires_at.timestamp())),
            "origin": {"type": self.category},
        }


@dataclass
class NumberOutbound:
    messages: dict[str, SentMessage] = field(default_factory=dict)
    read_receipts: list[dict[str, str]] = field(default_factory=list)
    last_inbound: dict[str, datetime] = field(default_factory=dict)
    conversations: dict[tuple[str, str], Conversation] = field(default_factory=dict)
    behaviour: OutboundBehaviour = field(default_factory=OutboundBehaviour)


class OutboundStore:
    """Each number's outbound messages and customers; every method is safe to call from any thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._numbers: defaultdict[str, NumberOutbound] = defaultdict(NumberOutbound)

    def behaviour(self, phone_number: str) -> OutboundBehaviour:
        with self._lock:
            return self._numbers[phone_number].behaviour

    def set_behaviour(self, phone_number: str, behaviour: OutboundBehaviour) -> None:
        with self._lock:
            self._numbers[phone_number].behaviour = behaviour

    def note_inbound(self, phone_number: str, wa_id: str, sent_at: datetime) -> None:
        """Keeps the latest message time: messages delivered out of order do not move it back."""
        with self._lock:
            last_inbound = self._numbers[phone_number].last_inbound
            last_inbound[wa_id] = max(sent_at, last_inbound.get(wa_id, sent_at))

    def set_last_inbound(self, phone_number: str, wa_id: str, sent_at: datetime | None) -> None:
        with self._lock:
            last_inbound = self._numbers[phone_number].last_inbound
            if sent_at is None:
                last_inbound.pop(wa_id, None)
            else:
                last_inbound[wa_id] = sent_at

    def last_inbound(self, phone_number: str, wa_id: str) -> datetime | None:
        with self._lock:
            return self._numbers[phone_number].last_inbound.get(wa_id)

    def window_open(self, phone_number: str, wa_id: str) -> bool:
        last_inbound = self.last_inbound(phone_number, wa_id)
        return last_inbound is not None and utc_now() - last_inbound < CUSTOMER_SERVICE_WINDOW

    def conversation(self, phone_number: str, wa_id: str, category: str) -> Conversation:
        """The customer's open conversation of this category, or a new one."""
        with self._lock:
            conversations = self._numbers[phone_number].conversations
            now = utc_now()
            current = conversations.get((wa_id, category))
            if current is None or current.expires_at <= now:
                current = Conversation(secrets.token_hex(16), category, now + CONVERSATION_LIFETIME)
                conversations[wa_id, category] = current
            return current

    def record_message(self, phone_number: str, message: SentMessage) -> None:
        with self._lock:
            self._numbers[phone_number].messages[message.id] = message

    def has_message(self, phone_number: str, message_id: str) -> bool:
        with self._lock:
            return message_id in self._numbers[phone_number].messages

    def add_status(self, phone_number: str, status_json: dict[str, Any]) -> None:
        """Adds a reported status to its message's history; statuses of other messages are not kept."""
        with self._lock:
            message = self._numbers[phone_number].messages.get(status_json["id"])
            if message is not None:
                message.status_history.append(status_json)

    def messages(self, phone_number: str) -> list[dict[str, Any]]:
        with self._lock:
            return [message.to_json() for message in self._numbers[phone_number].messages.values()]

    def record_read_receipt(self, phone_number: str, message_id: str) -> None:
        with self._lock:
            self._numbers[phone_number].read_receipts.append(
                {"message_id": message_id, "received_at": iso_time(utc_now())}
            )

    def read_receipts(self, phone_number: str) -> list[dict[str, str]]:
        with self._lock:
            return list(self._numbers[phone_number].read_receipts)

    def clear(self) -> None:
        with self._lock:
            self._numbers.clear()
