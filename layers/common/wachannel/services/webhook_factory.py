"""Wires the webhook's pieces once per container."""

from __future__ import annotations

from functools import cache

from wachannel import aws
from wachannel.clock import SystemClock
from wachannel.config import WebhookSettings, load_settings
from wachannel.queues import SqsMediaQueue, SqsSendQueue, SqsTemplateSyncQueue
from wachannel.services.inbound import InboundService
from wachannel.services.template_events import TemplateEvents
from wachannel.store.channels import ChannelRepository
from wachannel.store.inbound import InboundRepository
from wachannel.store.templates import TemplateRepository


@cache
def channel_repository() -> ChannelRepository:
    return ChannelRepository(load_settings(WebhookSettings).table_name, aws.dynamodb)


@cache
def inbound_service() -> InboundService:
    return inbound_service_over(InboundRepository(load_settings(WebhookSettings).table_name, aws.dynamodb))


def inbound_service_over(repository: InboundRepository) -> InboundService:
    """The inbound service wired to this function's queues, over `repository` (tests pass one that
    interleaves a concurrent delivery)."""
    settings = load_settings(WebhookSettings)
    return InboundService(
        repository=repository,
        greetings=SqsSendQueue(settings.send_queue_url, aws.sqs),
        media=SqsMediaQueue(settings.media_queue_url, aws.sqs),
        template_events=TemplateEvents(
            TemplateRepository(settings.table_name, aws.dynamodb),
            SqsTemplateSyncQueue(settings.template_sync_queue_url, aws.sqs),
        ),
        clock=SystemClock(),
    )
