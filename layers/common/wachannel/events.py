"""Publishes domain events on the stack's EventBridge bus."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from wachannel.domain.events import SOURCE, DomainEvent

if TYPE_CHECKING:
    from mypy_boto3_events import EventBridgeClient

PUT_EVENTS_BATCH = 10


class EventsNotPublished(RuntimeError):
    """EventBridge refused some entries; the caller retries the change they came from."""


class EventPublisher:
    def __init__(self, bus_name: str, client: Callable[[], EventBridgeClient]) -> None:
        self._bus_name = bus_name
        self._client = client

    def publish(self, events: Sequence[DomainEvent]) -> None:
        for start in range(0, len(events), PUT_EVENTS_BATCH):
            chunk = events[start : start + PUT_EVENTS_BATCH]
            answer = self._client().put_events(
                Entries=[
                    {
                        "EventBusName": self._bus_name,
                        "Source": SOURCE,
                        "DetailType": event.detail_type,
                        "Detail": json.dumps(event.detail, default=str),
                    }
                    for event in chunk
                ]
            )
            if answer.get("FailedEntryCount"):
                codes = sorted({e.get("ErrorCode", "?") for e in answer["Entries"] if e.get("ErrorCode")})
                raise EventsNotPublished(f"EventBridge refused {answer['FailedEntryCount']} events: {codes}")
