"""The 360dialog HTTP clients (Messaging API of both generations, Partner API) and their typed errors."""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from wachannel.dialog360.errors import (
    ApiKeyRejected,
    Dialog360Error,
    ProviderRateLimited,
    ProviderRequestFailed,
    ProviderUnavailable,
)

if TYPE_CHECKING:
    from wachannel.dialog360.client import Dialog360Client
    from wachannel.dialog360.models import (
        AccountHealth,
        ApiGeneration,
        HealthEntity,
        HealthIssue,
        PartnerApiKey,
        ProviderTemplate,
        SendAbility,
        SendReceipt,
        SubmittedTemplate,
        TemplateListing,
        WebhookConfig,
    )
    from wachannel.dialog360.partner import PartnerClient
    from wachannel.dialog360.retry import RetryPolicy
    from wachannel.dialog360.transport import build_http_client

# The clients bring httpx and the models pydantic schemas (~55 ms together); the errors neither. A
# handler that only catches 360dialog's errors at import so loads them when a request needs them.
_LOADED_ON_FIRST_USE = {
    **dict.fromkeys(
        (
            "AccountHealth",
            "ApiGeneration",
            "HealthEntity",
            "HealthIssue",
            "PartnerApiKey",
            "ProviderTemplate",
            "SendAbility",
            "SendReceipt",
            "SubmittedTemplate",
            "TemplateListing",
            "WebhookConfig",
        ),
        "wachannel.dialog360.models",
    ),
    "Dialog360Client": "wachannel.dialog360.client",
    "PartnerClient": "wachannel.dialog360.partner",
    "RetryPolicy": "wachannel.dialog360.retry",
    "build_http_client": "wachannel.dialog360.transport",
}


def __getattr__(name: str) -> Any:
    module = _LOADED_ON_FIRST_USE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(module), name)


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
    "ProviderTemplate",
    "ProviderUnavailable",
    "RetryPolicy",
    "SendAbility",
    "SendReceipt",
    "SubmittedTemplate",
    "TemplateListing",
    "WebhookConfig",
    "build_http_client",
]
