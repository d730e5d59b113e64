"""What a channel's webhook deliveries amount to, as channel health reports it."""

from __future__ import annotations

from datetime import datetime

from wachannel.models import Model


class ProviderErrorSeen(Model):
    code: str
    message: str
    at: datetime


class DeliveryStats(Model):
    last_webhook_at: datetime | None = None
    messages_received: int = 0
    statuses_applied: int = 0
    duplicates_dropped: int = 0
    stale_statuses_ignored: int = 0
    last_provider_error: ProviderErrorSeen | None = None
