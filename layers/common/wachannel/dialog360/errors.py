"""360dialog failures as domain errors, so the HTTP layer reports them in the contract with no extra code.

Each error carries `provider_status`, `provider_code` and `provider_message`, repeated in `details`.
The raw response body stays on `raw_body`, out of `details` and the message: it is for logs a
person chooses to read, not for API clients.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from wachannel.errors import DomainError, ProviderError, ProviderTimeout, RateLimited

if TYPE_CHECKING:
    from wachannel.dialog360.payloads import ProviderErrorDescription

# Meta's "application / number throughput reached" codes (reference 3.2).
META_THROUGHPUT_CODES = frozenset({4, 80007, 130429})
# Meta's "access token invalid or expired" codes, which 360dialog passes through for a bad key.
META_KEY_REJECTED_CODES = frozenset({0, 190})


class Dialog360Error(DomainError):
    """Any failure talking to 360dialog. Catch this to handle them all."""

    def __init__(
        self,
        message: str,
        *,
        provider_status: int | None,
        provider_code: int | str | None,
        provider_message: str,
        raw_body: str | None = None,
        extra_details: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        details: dict[str, Any] = {
            "provider_status": provider_status,
            "provider_code": provider_code,
            "provider_message": provider_message,
            **(extra_details or {}),
        }
        super().__init__(message, details=details, headers=headers)
        self.provider_status = provider_status
        self.provider_code = provider_code
        self.provider_message = provider_message
        self.raw_body = raw_body
        self.provider_subcode: int | None = None


class ProviderRequestFailed(Dialog360Error, ProviderError):
    """360dialog answered with an error (502 provider_error)."""


class ApiKeyRejected(ProviderRequestFailed):
    """360dialog refused the API key. On connect or key change, callers report 422 invalid_api_key."""


class ProviderRateLimited(Dialog360Error, RateLimited):
    """360dialog or Meta still throttled us after our retries (429, with Retry-After)."""

    def __init__(
        self,
        *,
        retry_after: int,
        provider_status: int,
        provider_code: int | str | None,
        provider_message: str,
        raw_body: str | None,
    ) -> None:
        super().__init__(
            f"360dialog is throttling requests ({provider_message}); try again in {retry_after} seconds.",
            provider_status=provider_status,
            provider_code=provider_code,
            provider_message=provider_message,
            raw_body=raw_body,
            extra_details={"retry_after_seconds": retry_after},
            headers={"Retry-After": str(retry_after)},
        )
        self.retry_after = retry_after


class ProviderUnavailable(Dialog360Error, ProviderTimeout):
    """No answer from 360dialog within the budget: timeouts or connection failures (504 provider_timeout).

    `may_have_acted` is False when the last attempt never reached 360dialog (no connection was made),
    so the request was surely not carried out; otherwise it may have been, and only its answer is lost.
    """

    def __init__(self, message: str, *, provider_message: str, may_have_acted: bool) -> None:
        super().__init__(message, provider_status=None, provider_code=None, provider_message=provider_message)
        self.may_have_acted = may_have_acted


def is_throttling(status: int, description: ProviderErrorDescription) -> bool:
    if status == 429:
        return True
    if description.shape == "meta":
        return description.code in META_THROUGHPUT_CODES
    # 360dialog's own limit arrives as HTTP 400 "exceeded the endpoint rate limit". Meta-shaped
    # bodies are excluded above: Meta's pair rate limit (131056) says "rate limit" too but must
    # not be retried at once.
    return status == 400 and "rate limit" in description.message.lower()


def is_key_rejection(status: int, description: ProviderErrorDescription) -> bool:
    return status == 401 or (description.shape == "meta" and description.code in META_KEY_REJECTED_CODES)


def error_for_response(
    status: int, description: ProviderErrorDescription, raw_body: str, retry_after_seconds: float
) -> Dialog360Error:
    """The error to raise for a failed answer; `retry_after_seconds` is used when it is throttling."""
    if is_throttling(status, description):
        return ProviderRateLimited(
            retry_after=max(math.ceil(retry_after_seconds), 1),
            provider_status=status,
            provider_code=description.code,
            provider_message=description.message,
            raw_body=raw_body,
        )
    if is_key_rejection(status, description):
        return ApiKeyRejected(
            f"360dialog refused the API key: {description.message}",
            provider_status=status,
            provider_code=description.code,
            provider_message=description.message,
            raw_body=raw_body,
        )
    verdict = "refused the request" if status < 500 else f"failed to handle the request (HTTP {status})"
    failure = ProviderRequestFailed(
        f"360dialog {verdict}: {description.message}",
        provider_status=status,
        provider_code=description.code,
        provider_message=description.message,
        raw_body=raw_body,
        extra_details=None if description.subcode is None else {"provider_subcode": description.subcode},
    )
    failure.provider_subcode = description.subcode
    return failure
