"""The Partner API client (reference section 7): finds a number's channel and makes channel API keys."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from urllib.parse import quote

import httpx

from wachannel.dialog360.models import PartnerApiKey
from wachannel.dialog360.payloads import PartnerChannelsBody
from wachannel.dialog360.retry import RetryPolicy
from wachannel.dialog360.transport import Dialog360HttpClient


class PartnerClient(Dialog360HttpClient):
    """Authenticates with the partner's API key (`X-API-Key`), never with a channel's key."""

    def __init__(
        self,
        base_url: str,
        partner_id: str,
        partner_api_key: str,
        *,
        http: httpx.Client | None = None,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(
            base_url=base_url,
            auth_header="X-API-Key",
            secret=partner_api_key,
            http=http,
            retry=retry,
            sleep=sleep,
            monotonic=monotonic,
        )
        self.partner_id = partner_id

    def __repr__(self) -> str:
        return f"PartnerClient(base_url={self.base_url!r}, partner_id={self.partner_id!r})"

    def find_channel_id(self, phone_number_digits: str) -> str | None:
        """The partner channel id of a number, matched on digits ("+49 151..." equals "49151...")."""
        wanted = _digits(phone_number_digits)
        if not wanted:
            raise ValueError("A phone number needs digits to be looked up.")
        response = self._request(
            "GET",
            f"/partners/{quote(self.partner_id, safe='')}/channels",
            params={"filters": json.dumps({"phone_number": wanted})},
            idempotent=True,
        )
        channels = self._parse(response, PartnerChannelsBody).partner_channels
        for channel in channels:
            if channel.setup_info and _digits(channel.setup_info.phone_number or "") == wanted:
                return channel.id
        return None

    def create_api_key(self, partner_channel_id: str) -> PartnerApiKey:
        """A new API key for the channel; earlier keys may stop working, so store this one at once."""
        path = (
            f"/partners/{quote(self.partner_id, safe='')}"
            f"/channels/{quote(partner_channel_id, safe='')}/api_keys"
        )
        # Not idempotent: a repeat could make a second key and revoke the first.
        response = self._request("POST", path, idempotent=False)
        return self._parse(response, PartnerApiKey)


def _digits(phone_number: str) -> str:
    return re.sub(r"\D", "", phone_number)
