"""Wires the inbox service once per container."""

from __future__ import annotations

from functools import cache

from wachannel import aws
from wachannel.clock import SystemClock
from wachannel.config import ApiSettings, load_settings
from wachannel.services.inbox import InboxService
from wachannel.store.contacts import ContactRepository


@cache
def inbox_service() -> InboxService:
    settings = load_settings(ApiSettings)
    return InboxService(ContactRepository(settings.table_name, aws.dynamodb), SystemClock())
