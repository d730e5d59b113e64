"""Settings read from the environment once per container and validated at cold start.

Plain pydantic models over the environment, whose variable names match their fields' in any case: every
field is a string or a number, so pydantic-settings would add nothing but tens of milliseconds of
imports to each cold start."""

from __future__ import annotations

import os
from functools import cache
from typing import TypeVar

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError


class ConfigurationError(RuntimeError):
    """A missing or malformed environment variable; raised at cold start, naming the variable."""


class EnvironmentSettings(BaseModel):
    """Settings whose fields are environment variables (`TABLE_NAME` is `table_name`)."""

    model_config = ConfigDict(extra="ignore", frozen=True)


class CoreSettings(EnvironmentSettings):
    """What every function that touches the table needs."""

    table_name: str = Field(min_length=1)


class Dialog360Settings(EnvironmentSettings):
    """Where 360dialog lives; the local stack points these at its simulator."""

    dialog360_cloud_base_url: str = "https://waba-v2.360dialog.io"
    dialog360_on_premise_base_url: str = "https://waba.360dialog.io"
    dialog360_partner_base_url: str = "https://hub.360dialog.io/api/v2"
    # A channel may name its own base URL; the API key is sent there, so only these hosts are allowed.
    dialog360_allowed_hosts: str = (
        "waba-v2.360dialog.io,waba.360dialog.io,waba-sandbox.360dialog.io,waba.messagepipe.io"
    )
    dialog360_partner_id: str = ""
    dialog360_partner_api_key_parameter: str = ""
    # Each names the RetryPolicy field after the prefix; unset, the policy's own default stands.
    dialog360_retry_base_delay: float | None = Field(default=None, ge=0)
    dialog360_retry_max_delay: float | None = Field(default=None, ge=0)
    dialog360_retry_connect_timeout: float | None = Field(default=None, gt=0)
    dialog360_retry_read_timeout: float | None = Field(default=None, gt=0)
    dialog360_retry_total_budget_seconds: float | None = Field(default=None, gt=0)

    @property
    def allowed_hosts(self) -> frozenset[str]:
        return frozenset(h.strip().lower() for h in self.dialog360_allowed_hosts.split(",") if h.strip())

    @property
    def partner_configured(self) -> bool:
        return bool(self.dialog360_partner_id and self.dialog360_partner_api_key_parameter)

    @property
    def retry_overrides(self) -> dict[str, float]:
        """The RetryPolicy fields the environment sets (`DIALOG360_RETRY_READ_TIMEOUT=2` sets
        `read_timeout`). The connector builds the policy: here it would load httpx at every cold start."""
        prefix = "dialog360_retry_"
        return {
            name.removeprefix(prefix): value
            for name in type(self).model_fields
            if name.startswith(prefix) and (value := getattr(self, name)) is not None
        }


class ApiSettings(CoreSettings):
    """What every function behind the authorized HTTP API needs."""

    cursor_signing_key: SecretStr = Field(min_length=16)


class ChannelSettings(ApiSettings, Dialog360Settings):
    api_key_kms_key_id: str = Field(min_length=1)
    # Empty: the webhook URL is derived from the API's own domain on each request.
    webhook_base_url: str = ""


class WebhookSettings(CoreSettings):
    send_queue_url: str = Field(min_length=1)
    template_sync_queue_url: str = Field(min_length=1)
    media_queue_url: str = Field(min_length=1)


class ProviderSettings(CoreSettings, Dialog360Settings):
    """What a function that calls 360dialog with a channel's own key needs: the table, 360dialog's
    addresses and the KMS key that decrypts channels' API keys."""

    api_key_kms_key_id: str = Field(min_length=1)


class MediaSettings(ProviderSettings):
    """360dialog with a channel's key, and the media bucket: copying customers' files in, handing
    agents' uploads (files, the profile photo) to 360dialog."""

    media_bucket_name: str = Field(min_length=1)


class MediaApiSettings(ApiSettings):
    """What the inbox needs to hand out media: the bucket its signed URLs point into."""

    media_bucket_name: str = Field(min_length=1)


class TemplateApiSettings(ProviderSettings, ApiSettings):
    pass


class SendSettings(MediaSettings):
    """Sending: the channel's key (KMS), templates (resync on a stale one) and idempotency records."""

    idempotency_table_name: str = Field(min_length=1)


class TemplateFanOutSettings(CoreSettings):
    template_sync_queue_url: str = Field(min_length=1)


class EventsSettings(EnvironmentSettings):
    event_bus_name: str = Field(min_length=1)


SettingsT = TypeVar("SettingsT", bound=EnvironmentSettings)


@cache
def load_settings(settings_class: type[SettingsT]) -> SettingsT:
    """Builds the settings once; a problem fails the cold start with the variables it concerns."""
    environment = {name.lower(): value for name, value in os.environ.items()}
    try:
        return settings_class.model_validate(environment)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in e['loc']).upper()}: {e['msg']}" for e in error.errors()
        )
        raise ConfigurationError(f"Invalid environment for {settings_class.__name__}: {problems}") from None
