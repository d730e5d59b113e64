"""Channels: a workspace's connected WhatsApp number, and the rules about it that need no I/O."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime
from ipaddress import ip_address
from typing import Literal
from urllib.parse import urlsplit

from pydantic import ConfigDict, Field

from wachannel.errors import ValidationFailed
from wachannel.models import Model

ApiGeneration = Literal["cloud", "on_premise"]
ChannelStatus = Literal["active", "disconnected"]
CanSendMessage = Literal["AVAILABLE", "LIMITED", "BLOCKED"]

WEBHOOK_TOKEN_HEADER = "X-Webhook-Token"


class Channel(Model):
    model_config = ConfigDict(frozen=True)

    id: str
    workspace_id: str
    name: str
    phone_number: str
    greeting_message: str | None
    api_generation: ApiGeneration
    base_url: str | None
    api_key_ciphertext: bytes = Field(repr=False)
    api_key_last4: str
    webhook_url: str
    status: ChannelStatus
    created_at: datetime
    updated_at: datetime
    # Whether a template that appears in a sync is offered to agents before anyone enables it.
    templates_enabled_by_default: bool = True
    templates_last_synced_at: datetime | None = None
    # The last template sync's failure, kept until a sync succeeds; None after a success.
    templates_sync_error: str | None = None
    templates_sync_attempted_at: datetime | None = None
    profile_last_synced_at: datetime | None = None
    profile_sync_error: str | None = None
    profile_sync_attempted_at: datetime | None = None


def mask_api_key(last4: str) -> str:
    return f"****{last4}"


def last4(api_key: str) -> str:
    return api_key[-4:]


def new_webhook_secret() -> str:
    return secrets.token_urlsafe(32)


def webhook_secret_digest(secret: str) -> str:
    """Only a digest is stored: the webhook compares digests, and a table dump reveals no secret."""
    return hashlib.sha256(secret.encode()).hexdigest()


def secret_matches(presented: str, accepted_digests: frozenset[str]) -> bool:
    digest = webhook_secret_digest(presented)
    matched = False
    for accepted in accepted_digests:
        matched |= hmac.compare_digest(digest, accepted)
    return matched


def webhook_url(api_base_url: str, channel_id: str) -> str:
    return f"{api_base_url.rstrip('/')}/webhooks/360dialog/{channel_id}"


def validate_base_url(
    base_url: str | None, allowed_hosts: frozenset[str], field: str = "base_url"
) -> str | None:
    """The API key is sent to this URL, so it must be one of 360dialog's hosts (or loopback, locally)."""
    if base_url is None or not base_url.strip():
        return None
    parts = urlsplit(base_url.strip())
    host = (parts.hostname or "").lower()
    secure = parts.scheme == "https" or (parts.scheme == "http" and _is_loopback(host))
    if not secure or host not in allowed_hosts or parts.query or parts.fragment or parts.username:
        raise ValidationFailed.single(
            field, f"base_url must be an https URL on one of: {', '.join(sorted(allowed_hosts))}."
        )
    return base_url.strip().rstrip("/")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False
