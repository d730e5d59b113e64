"""The audit trail of a channel: who viewed or changed its key, webhook and settings."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import ConfigDict, Field

from wachannel.models import Model

AuditAction = Literal[
    "api_key_viewed",
    "api_key_replaced",
    "api_key_refreshed",
    "webhook_registered",
    "channel_updated",
    "channel_disconnected",
]


class AuditEntry(Model):
    model_config = ConfigDict(frozen=True)

    id: str
    workspace_id: str
    channel_id: str
    at: datetime
    action: AuditAction
    actor: str
    details: dict[str, Any] = Field(default_factory=dict)
