"""Wires the media copier once per container."""

from __future__ import annotations

from functools import cache

from wachannel import aws
from wachannel.clock import SystemClock
from wachannel.config import MediaSettings, load_settings
from wachannel.services.channel_access import ChannelAccess
from wachannel.services.media import MediaCopier
from wachannel.services.providers import Dialog360Connector
from wachannel.store.channels import ChannelRepository
from wachannel.store.media import MediaRepository
from wachannel.vault import ApiKeyVault


@cache
def media_copier() -> MediaCopier:
    settings = load_settings(MediaSettings)
    return MediaCopier(
        access=ChannelAccess(
            ChannelRepository(settings.table_name, aws.dynamodb),
            ApiKeyVault(aws.kms, settings.api_key_kms_key_id),
            Dialog360Connector(settings, aws.ssm),
        ),
        media=MediaRepository(settings.table_name, aws.dynamodb),
        bucket=settings.media_bucket_name,
        s3=aws.s3,
        clock=SystemClock(),
    )
