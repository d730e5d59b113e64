"""Wires the template use cases once per container."""

from __future__ import annotations

import time
from functools import cache

from wachannel import aws
from wachannel.clock import SystemClock
from wachannel.config import ProviderSettings, TemplateFanOutSettings, load_settings
from wachannel.queues import SqsTemplateSyncQueue
from wachannel.services.channel_access import ChannelAccess
from wachannel.services.providers import Dialog360Connector
from wachannel.services.templates import TemplateService
from wachannel.store.channels import ChannelRepository
from wachannel.store.contacts import ContactRepository
from wachannel.store.templates import TemplateRepository
from wachannel.vault import ApiKeyVault


@cache
def template_service() -> TemplateService:
    settings = load_settings(ProviderSettings)
    return TemplateService(
        access=ChannelAccess(
            ChannelRepository(settings.table_name, aws.dynamodb),
            ApiKeyVault(aws.kms, settings.api_key_kms_key_id),
            Dialog360Connector(settings, aws.ssm),
        ),
        templates=TemplateRepository(settings.table_name, aws.dynamodb),
        contacts=ContactRepository(settings.table_name, aws.dynamodb),
        clock=SystemClock(),
        sleep=time.sleep,
    )


@cache
def active_channels() -> ChannelRepository:
    return ChannelRepository(load_settings(TemplateFanOutSettings).table_name, aws.dynamodb)


@cache
def template_sync_queue() -> SqsTemplateSyncQueue:
    return SqsTemplateSyncQueue(load_settings(TemplateFanOutSettings).template_sync_queue_url, aws.sqs)
