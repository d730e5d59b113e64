"""Wires the inbox service once per container."""

from __future__ import annotations

from functools import cache

from wachannel import aws
from wachannel.clock import SystemClock
from wachannel.config import MediaApiSettings, load_settings
from wachannel.services.inbox import InboxService
from wachannel.services.media import MediaReader
from wachannel.store.contacts import ContactRepository
from wachannel.store.media import MediaRepository


@cache
def inbox_service() -> InboxService:
    settings = load_settings(MediaApiSettings)
    return InboxService(ContactRepository(settings.table_name, aws.dynamodb), SystemClock())


@cache
def media_service() -> MediaReader:
    settings = load_settings(MediaApiSettings)
    return MediaReader(
        MediaRepository(settings.table_name, aws.dynamodb), settings.media_bucket_name, aws.s3, SystemClock()
    )
