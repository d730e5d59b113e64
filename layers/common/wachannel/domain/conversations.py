"""WhatsApp's customer-service window: free-form messages may be sent for 24 hours after the
customer's newest inbound message (by WhatsApp's timestamp, not by when it reached us)."""

from __future__ import annotations

from datetime import datetime, timedelta

CUSTOMER_SERVICE_WINDOW = timedelta(hours=24)


def window_expires_at(last_inbound_at: datetime | None) -> datetime | None:
    return None if last_inbound_at is None else last_inbound_at + CUSTOMER_SERVICE_WINDOW


def window_open(last_inbound_at: datetime | None, now: datetime) -> bool:
    expires = window_expires_at(last_inbound_at)
    return expires is not None and now < expires
