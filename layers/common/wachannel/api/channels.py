"""The Channels section of the HTTP contract: request bodies and response shapes."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, StringConstraints

from wachannel.api.common import RequestModel, Timestamp
from wachannel.domain.audit import AuditAction, AuditEntry
from wachannel.domain.channels import ApiGeneration, CanSendMessage, Channel, ChannelStatus, mask_api_key
from wachannel.domain.health import ChannelHealth
from wachannel.models import Model

ChannelName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
# Sent to a new contact as a WhatsApp text message, whose body allows 4096 characters.
Greeting = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4096)]
# Sent to 360dialog as a header value, which HTTP allows only in visible ASCII.
ApiKey = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=8, max_length=512, pattern=r"^[!-~]+$")
]
PhoneInput = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=32)]


class ConnectChannelRequest(RequestModel):
    name: ChannelName
    phone_number: PhoneInput
    api_key: ApiKey
    greeting_message: Greeting | None = None
    api_generation: ApiGeneration = "cloud"
    base_url: Annotated[str, StringConstraints(max_length=256)] | None = None
    templates_enabled_by_default: bool = Field(
        default=True, description="new templates from a sync are offered to agents at once"
    )


class UpdateChannelRequest(RequestModel):
    name: ChannelName | None = None
    greeting_message: Greeting | None = Field(default=None, description="null removes the greeting")
    phone_number: PhoneInput | None = None
    api_key: ApiKey | None = None
    templates_enabled_by_default: bool | None = None


class ReplaceApiKeyRequest(RequestModel):
    api_key: ApiKey


class ChannelOut(Model):
    id: str
    name: str
    phone_number: str
    greeting_message: str | None
    api_generation: ApiGeneration
    api_key_masked: str
    webhook_url: str
    status: ChannelStatus
    templates_enabled_by_default: bool
    created_at: Timestamp
    updated_at: Timestamp

    @classmethod
    def of(cls, channel: Channel) -> ChannelOut:
        return cls(
            id=channel.id,
            name=channel.name,
            phone_number=channel.phone_number,
            greeting_message=channel.greeting_message,
            api_generation=channel.api_generation,
            api_key_masked=mask_api_key(channel.api_key_last4),
            webhook_url=channel.webhook_url,
            status=channel.status,
            templates_enabled_by_default=channel.templates_enabled_by_default,
            created_at=channel.created_at,
            updated_at=channel.updated_at,
        )


class ChannelPage(Model):
    items: list[ChannelOut]
    next_cursor: str | None


class ApiKeyOut(Model):
    api_key: str


class AuditEntryOut(Model):
    at: Timestamp
    action: AuditAction
    actor: str
    details: dict[str, Any]

    @classmethod
    def of(cls, entry: AuditEntry) -> AuditEntryOut:
        return cls(at=entry.at, action=entry.action, actor=entry.actor, details=entry.details)


class AuditPage(Model):
    items: list[AuditEntryOut]
    next_cursor: str | None


class ProblemOut(Model):
    code: str
    message: str


class AccountOut(Model):
    can_send_message: CanSendMessage | None
    additional_info: list[str]
    errors: list[str]


class ProviderErrorOut(Model):
    code: str
    message: str
    at: Timestamp


class DeliveryOut(Model):
    last_webhook_at: Timestamp | None
    messages_received: int
    statuses_applied: int
    duplicates_dropped: int
    stale_statuses_ignored: int
    last_provider_error: ProviderErrorOut | None


class HealthOut(Model):
    api_key_valid: bool | None
    webhook_registered: bool | None
    webhook_url_matches: bool | None
    templates_last_synced_at: Timestamp | None
    templates_sync_error: str | None = Field(
        description="why the last template sync failed, until one succeeds"
    )
    profile_last_synced_at: Timestamp | None
    profile_sync_error: str | None = Field(description="why the last profile sync failed, until one succeeds")
    account: AccountOut
    delivery: DeliveryOut
    problems: list[ProblemOut]

    @classmethod
    def of(cls, health: ChannelHealth) -> HealthOut:
        return cls.model_validate(health.model_dump())
