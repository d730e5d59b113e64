"""Wires sending once per container."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from wachannel import aws
from wachannel.clock import SystemClock
from wachannel.config import SendSettings, load_settings
from wachannel.idempotency import OnceOnly
from wachannel.services.channel_access import ChannelAccess
from wachannel.services.providers import Dialog360Connector
from wachannel.services.send import SendService
from wachannel.services.uploads import Uploads
from wachannel.store.channels import ChannelRepository
from wachannel.store.contacts import ContactRepository
from wachannel.store.media import MediaRepository
from wachannel.store.outbound import OutboundRepository
from wachannel.store.templates import TemplateRepository
from wachannel.vault import ApiKeyVault

if TYPE_CHECKING:
    from wachannel.services.templates import TemplateService
    from wachannel.store.inbound import InboundRepository


@cache
def send_service() -> SendService:
    settings = load_settings(SendSettings)
    return SendService(
        access=ChannelAccess(
            ChannelRepository(settings.table_name, aws.dynamodb),
            ApiKeyVault(aws.kms, settings.api_key_kms_key_id),
            Dialog360Connector(settings, aws.ssm),
        ),
        outbound=OutboundRepository(settings.table_name, aws.dynamodb),
        contacts=ContactRepository(settings.table_name, aws.dynamodb),
        identities=_identities,
        templates=TemplateRepository(settings.table_name, aws.dynamodb),
        template_service=_template_service,
        uploads=Uploads(
            media=MediaRepository(settings.table_name, aws.dynamodb),
            bucket=settings.media_bucket_name,
            s3=aws.s3,
            clock=SystemClock(),
        ),
        once_only=OnceOnly(settings.idempotency_table_name, aws.dynamodb),
        clock=SystemClock(),
    )


def _template_service() -> TemplateService:
    """Loaded on the first template send: a text reply never pays for the templates' machinery."""
    from wachannel.services.templates_factory import template_service

    return template_service()


@cache
def _identities() -> InboundRepository:
    """Loaded on the first send to a number nobody wrote from: the identity rules inbound uses."""
    from wachannel.store.inbound import InboundRepository

    return InboundRepository(load_settings(SendSettings).table_name, aws.dynamodb)
