"""Wires sending once per container."""

from __future__ import annotations

from functools import cache

from wachannel import aws
from wachannel.clock import SystemClock
from wachannel.config import SendSettings, load_settings
from wachannel.idempotency import OnceOnly
from wachannel.services.send import SendService
from wachannel.services.templates_factory import template_service
from wachannel.services.uploads import Uploads
from wachannel.store.contacts import ContactRepository
from wachannel.store.inbound import InboundRepository
from wachannel.store.media import MediaRepository
from wachannel.store.outbound import OutboundRepository
from wachannel.store.templates import TemplateRepository


@cache
def send_service() -> SendService:
    settings = load_settings(SendSettings)
    templates = template_service()
    return SendService(
        access=templates.access,
        outbound=OutboundRepository(settings.table_name, aws.dynamodb),
        contacts=ContactRepository(settings.table_name, aws.dynamodb),
        identities=InboundRepository(settings.table_name, aws.dynamodb),
        templates=TemplateRepository(settings.table_name, aws.dynamodb),
        template_service=templates,
        uploads=Uploads(
            media=MediaRepository(settings.table_name, aws.dynamodb),
            bucket=settings.media_bucket_name,
            s3=aws.s3,
            clock=SystemClock(),
        ),
        once_only=OnceOnly(settings.idempotency_table_name, aws.dynamodb),
        clock=SystemClock(),
    )
