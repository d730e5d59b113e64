"""Builds 360dialog clients for channels: one shared connection pool per container, the retry policy
from the environment, the base URL of each channel's API generation, and the Partner API key read
from SSM on first use."""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING

from wachannel.config import Dialog360Settings
from wachannel.domain.channels import ApiGeneration
from wachannel.errors import RefreshNotAvailable

if TYPE_CHECKING:
    import httpx
    from mypy_boto3_ssm import SSMClient

    from wachannel.dialog360 import Dialog360Client, PartnerClient, RetryPolicy

REFRESH_SETUP_HINT = (
    "Key refresh needs 360dialog Partner API credentials: deploy with the parameters Dialog360PartnerId "
    "and Dialog360PartnerApiKeyParameter (an SSM SecureString holding the Partner API key). Until then, "
    "create a key in the 360dialog hub and send it to PUT /channels/{channel_id}/api-key."
)


class Dialog360Connector:
    def __init__(self, settings: Dialog360Settings, ssm_client: Callable[[], SSMClient]) -> None:
        self._settings = settings
        self._ssm = ssm_client

    @cached_property
    def _http(self) -> httpx.Client:
        from wachannel.dialog360 import build_http_client

        return build_http_client()

    @cached_property
    def _retry(self) -> RetryPolicy:
        from wachannel.dialog360 import RetryPolicy

        return RetryPolicy.model_validate(self._settings.retry_overrides)

    def base_url(self, api_generation: ApiGeneration, channel_base_url: str | None) -> str:
        if channel_base_url:
            return channel_base_url
        if api_generation == "cloud":
            return self._settings.dialog360_cloud_base_url
        return self._settings.dialog360_on_premise_base_url

    def messaging(
        self, api_key: str, api_generation: ApiGeneration, channel_base_url: str | None
    ) -> Dialog360Client:
        from wachannel.dialog360 import Dialog360Client

        return Dialog360Client(
            api_key,
            api_generation,
            self.base_url(api_generation, channel_base_url),
            http=self._http,
            retry=self._retry,
        )

    def partner(self) -> PartnerClient:
        if not self._settings.partner_configured:
            raise RefreshNotAvailable(REFRESH_SETUP_HINT)
        from wachannel.dialog360 import PartnerClient

        return PartnerClient(
            self._settings.dialog360_partner_base_url,
            self._settings.dialog360_partner_id,
            self._partner_api_key,
            http=self._http,
            retry=self._retry,
        )

    @cached_property
    def _partner_api_key(self) -> str:
        answer = self._ssm().get_parameter(
            Name=self._settings.dialog360_partner_api_key_parameter, WithDecryption=True
        )
        return answer["Parameter"]["Value"]
