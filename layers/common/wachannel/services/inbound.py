"""Turns a webhook delivery into stored state: each message once, under one contact per person, its
conversation's window moved forward, statuses by rank, a greeting for a first message."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from wachannel.clock import Clock
from wachannel.domain.contacts import search_tokens
from wachannel.domain.ids import new_id
from wachannel.domain.inbound import InboundMessage, OtherChange, WebhookDelivery
from wachannel.domain.messages import message_id
from wachannel.domain.phone import canonical_whatsapp_number, identity_key
from wachannel.observability import logger
from wachannel.queues import GreetingQueue, MediaCopyQueue
from wachannel.services.template_events import TemplateEvents
from wachannel.store.channels import ChannelRoute, iso
from wachannel.store.inbound import DeliveryCounts, InboundRepository, MessageWrite, StatusWrite

SUMMARY_TEXT_LENGTH = 200
# WhatsApp's own notices, not something the customer wrote: they neither open the window nor greet.
_NOT_CUSTOMER_ACTIVITY = frozenset({"system"})


@dataclass
class DeliveryReport:
    events: int
    counts: DeliveryCounts
    message_types: Counter[str] = field(default_factory=Counter)
    statuses_recorded: int = 0


@dataclass
class _Tally:
    """What a delivery amounted to so far."""

    received: int = 0
    duplicates: int = 0
    applied: int = 0
    stale: int = 0
    recorded: int = 0
    types: Counter[str] = field(default_factory=Counter)

    def counts(self) -> DeliveryCounts:
        return DeliveryCounts(
            messages_received=self.received,
            duplicates_dropped=self.duplicates,
            statuses_applied=self.applied,
            stale_statuses_ignored=self.stale,
        )


class InboundService:
    def __init__(
        self,
        repository: InboundRepository,
        greetings: GreetingQueue,
        media: MediaCopyQueue,
        template_events: TemplateEvents,
        clock: Clock,
    ) -> None:
        self._repository = repository
        self._greetings = greetings
        self._media = media
        self._template_events = template_events
        self._clock = clock

    def accept(self, route: ChannelRoute, delivery: WebhookDelivery) -> DeliveryReport:
        """Stores everything in the delivery; raises when something could not be, so that 360dialog
        delivers it again. The channel's counters grow once per delivery, also by what a delivery
        that fails half way stored: its redelivery then finds that stored and counts a duplicate,
        never a second message or status."""
        now = self._clock.now()
        tally = _Tally()
        try:
            self._store_events(route, delivery, now, tally)
            unhandled = [
                change
                for change in delivery.other_changes
                if not self._template_events.apply(
                    route.workspace_id, route.channel_id, change.field, change.value, now
                )
            ]
        finally:
            self._repository.record_delivery(route.workspace_id, route.channel_id, tally.counts(), now)
        self._log_leftovers(route, delivery, unhandled)
        return DeliveryReport(delivery.event_count, tally.counts(), tally.types, tally.recorded)

    def _store_events(
        self, route: ChannelRoute, delivery: WebhookDelivery, now: datetime, tally: _Tally
    ) -> None:
        workspace_id, channel_id = route.workspace_id, route.channel_id
        active = route.status == "active"
        copies: list[dict[str, str]] = []
        for message in delivery.messages:
            stored = self._repository.store_message(workspace_id, channel_id, message, now)
            if stored.write is MessageWrite.STORED:
                tally.received += 1
                tally.types[message.type] += 1
            else:
                tally.duplicates += 1
            if stored.media_pending and active and message.media and message.media.id:
                copies.append(
                    {
                        "workspace_id": workspace_id,
                        "channel_id": channel_id,
                        "wamid": message.wamid,
                        "media_id": message.media.id,
                    }
                )
            if stored.write is not MessageWrite.DUPLICATE:
                # A redelivery that finds the message unfiled (a concurrent delivery is filing it, or an
                # earlier one stopped half way) files it too: filing is idempotent.
                resumed = stored.write is MessageWrite.RESUMED
                self._file(route, message, now, resumed=resumed, active=active)
        for status in delivery.statuses:
            written = self._repository.apply_status(workspace_id, channel_id, status)
            tally.applied += written is StatusWrite.APPLIED
            tally.stale += written is StatusWrite.STALE
            tally.duplicates += written is StatusWrite.DUPLICATE
            tally.recorded += written is StatusWrite.RECORDED
        if copies:
            # After the messages are stored: a job never names a message that is not there.
            self._media.enqueue_copies(copies)

    def _file(
        self, route: ChannelRoute, message: InboundMessage, now: datetime, *, resumed: bool, active: bool
    ) -> None:
        workspace_id, channel_id = route.workspace_id, route.channel_id
        identity = _identity_of(message)
        if identity is None:
            logger.warning("Message without sender", extra={"channel_id": channel_id, "wamid": message.wamid})
            return
        resolution = self._repository.resolve_contact(
            workspace_id,
            identity=identity,
            channel_id=channel_id,
            new_contact_id=new_id("ct", now),
            wa_id=message.from_wa_id,
            profile_name=message.profile_name,
            now=now,
            first_event=message.wamid,
        )
        contact_id = resolution.contact_id
        changed_name = message.profile_name and message.profile_name != resolution.previous_profile_name
        changed_wa_id = message.from_wa_id and message.from_wa_id != resolution.previous_wa_id
        if resolution.created or resumed:
            self._create_contact(route, contact_id, message, now)
        elif (resolution.first_on_channel or changed_name or changed_wa_id) and not self._update_contact(
            route, contact_id, message, now
        ):
            # The person's first message, delivered at the same moment, has claimed the identity but
            # not written the contact yet: whichever of the two gets there first creates it.
            self._create_contact(route, contact_id, message, now)
        if not resolution.created and changed_name:
            # Old name entries stay: they may also stand for names an agent gave, which this does not read.
            self._repository.index_contact(
                workspace_id,
                contact_id,
                remove=set(),
                add=search_tokens(_phone_number(message), message.profile_name, None, None, None),
            )
        if message.type == "system" and message.system and message.system.new_wa_id:
            self._move_number(route, contact_id, message.system.new_wa_id, message.timestamp, now)
        customer_activity = active and message.type not in _NOT_CUSTOMER_ACTIVITY
        greet = customer_activity and resolution.first_on_channel and route.has_greeting
        self._repository.link_message(
            workspace_id,
            channel_id,
            message=message,
            contact_id=contact_id,
            summary=_summary(channel_id, message),
            counts_as_activity=customer_activity,
            # The greeting is queued once the message is in its conversation (whose window lets it be
            # sent), and the message is done only then: a delivery stopped in between is resumed.
            done=not greet,
        )
        if greet:
            self._greetings.enqueue_greeting(workspace_id, channel_id, contact_id, message.wamid)
            self._repository.mark_filed(workspace_id, channel_id, message.wamid)

    def _create_contact(
        self, route: ChannelRoute, contact_id: str, message: InboundMessage, now: datetime
    ) -> None:
        phone_number = _phone_number(message)
        created = self._repository.put_contact(
            route.workspace_id,
            {
                "id": contact_id,
                "phone_number": phone_number,
                "whatsapp_id": message.from_wa_id,
                "user_id": message.user_id,
                "profile_name": message.profile_name,
                "attributes": {},
                "channels": {route.channel_id},
                "identity_seen_at": iso(message.timestamp),
                "created_at": iso(now),
                "updated_at": iso(now),
            },
        )
        if not created:
            # Written by another message of the person first: what this one saw still counts.
            self._update_contact(route, contact_id, message, now)
        self._repository.index_contact(
            route.workspace_id,
            contact_id,
            remove=set(),
            add=search_tokens(phone_number, message.profile_name, None, None, None),
        )

    def _update_contact(
        self, route: ChannelRoute, contact_id: str, message: InboundMessage, now: datetime
    ) -> bool:
        return self._repository.update_contact_seen(
            route.workspace_id,
            contact_id,
            channel_id=route.channel_id,
            wa_id=message.from_wa_id,
            phone_number=_phone_number(message),
            profile_name=message.profile_name,
            seen_at=message.timestamp,
            now=now,
        )

    def _move_number(
        self, route: ChannelRoute, contact_id: str, new_wa_id: str, seen_at: datetime, now: datetime
    ) -> None:
        """The customer changed number: the new number now leads to the same contact."""
        moved = self._repository.resolve_contact(
            route.workspace_id,
            identity=f"P#{identity_key(new_wa_id)}",
            channel_id=route.channel_id,
            new_contact_id=contact_id,
            wa_id=new_wa_id,
            profile_name=None,
            now=now,
        )
        if moved.contact_id != contact_id:
            logger.warning("New number already belongs to another contact", extra={"contact_id": contact_id})
            return
        self._repository.update_contact_seen(
            route.workspace_id,
            contact_id,
            channel_id=route.channel_id,
            wa_id=new_wa_id,
            phone_number=canonical_whatsapp_number(new_wa_id),
            profile_name=None,
            seen_at=seen_at,
            now=now,
        )

    def _log_leftovers(
        self, route: ChannelRoute, delivery: WebhookDelivery, unhandled_changes: list[OtherChange]
    ) -> None:
        for error in delivery.errors:
            logger.warning(
                "360dialog reported an error in a delivery",
                extra={"channel_id": route.channel_id, "code": error.code, "title": error.title},
            )
        for item in delivery.unprocessable:
            logger.warning(
                "Unprocessable part of a delivery",
                extra={"channel_id": route.channel_id, "reason": item.reason},
            )
        for change in unhandled_changes:
            logger.info(
                "Delivery change not handled here",
                extra={"channel_id": route.channel_id, "field": change.field},
            )


def _phone_number(message: InboundMessage) -> str | None:
    return canonical_whatsapp_number(message.from_wa_id) if message.from_wa_id else None


def _identity_of(message: InboundMessage) -> str | None:
    if message.from_wa_id:
        return f"P#{identity_key(message.from_wa_id)}"
    if message.user_id:
        return f"U#{message.user_id}"
    return None


def _summary(channel_id: str, message: InboundMessage) -> dict[str, Any]:
    text = message.text or (message.media.caption if message.media else None)
    if text is None and message.interactive:
        text = message.interactive.title or message.interactive.body
    if text is None and message.button:
        text = message.button.text
    if text is None and message.reaction:
        text = message.reaction.emoji
    return {
        "id": message_id(channel_id, message.wamid),
        "direction": "inbound",
        "type": message.type,
        "text": text[:SUMMARY_TEXT_LENGTH] if text else None,
        "timestamp": iso(message.timestamp),
    }
