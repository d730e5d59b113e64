"""Wires the channel service from settings, once per container; only the API base URL varies per
request (it may come from the request's own domain)."""

from __future__ import annotations

from functools import cache

from wachannel import aws
from wachannel.clock import SystemClock
from wachannel.config import ChannelSettings, load_settings
from wachannel.services.channels import ChannelService
from wachannel.services.providers import Dialog360Connector
from wachannel.store.channels import ChannelRepository
from wachannel.vault import ApiKeyVault


@cache
def _parts() -> tuple[ChannelSettings, ChannelRepository, ApiKeyVault, Dialog360Connector]:
    settings = load_settings(ChannelSettings)
    return (
        settings,
        ChannelRepository(settings.table_name, aws.dynamodb),
        ApiKeyVault(aws.kms, settings.api_key_kms_key_id),
        Dialog360Connector(settings, aws.ssm),
    )


def channel_service(request_domain: str) -> ChannelService:
    settings, repository, vault, connector = _parts()
    return ChannelService(
        repository=repository,
        vault=vault,
        connector=connector,
        clock=SystemClock(),
        api_base_url=settings.webhook_base_url or f"https://{request_domain}",
        allowed_provider_hosts=settings.allowed_hosts,
    )
