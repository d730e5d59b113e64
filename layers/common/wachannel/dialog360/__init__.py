"""The 360dialog HTTP clients (Messaging API of both generations, Partner API) and their typed errors."""

from wachannel.dialog360.client import Dialog360Client
from wachannel.dialog360.errors import (
    ApiKeyRejected,
    Dialog360Error,
    ProviderRateLimited,
    ProviderRequestFailed,
    ProviderUnavailable,
)
from wachannel.dialog360.models import (
    AccountHealth,
    ApiGeneration,
    HealthEntity,
    HealthIssue,
    PartnerApiKey,
    SendAbility,
    WebhookConfig,
)
from wachannel.dialog360.partner import PartnerClient
from wachannel.dialog360.retry import RetryPolicy
from wachannel.dialog360.transport import build_http_client

__all__ = [
    "AccountHealth",
    "ApiGeneration",
    "ApiKeyRejected",
    "Dialog360Client",
    "Dialog360Error",
    "HealthEntity",
    "HealthIssue",
    "PartnerApiKey",
    "PartnerClient",
    "ProviderRateLimited",
    "ProviderRequestFailed",
    "ProviderUnavailable",
    "RetryPolicy",
    "SendAbility",
    "WebhookConfig",
    "build_http_client",
]
