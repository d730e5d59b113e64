"""What both 360dialog clients share: auth header, time budget, retries and error mapping.

An endpoint method is one `_request` plus one `_parse`; everything else happens here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Self, TypeVar

import httpx
from pydantic import BaseModel, SecretStr, ValidationError

from wachannel.dialog360.errors import (
    Dialog360Error,
    ProviderRequestFailed,
    ProviderUnavailable,
    error_for_response,
    is_throttling,
)
from wachannel.dialog360.payloads import ProviderErrorDescription, describe_error_body
from wachannel.dialog360.retry import RetryPolicy, parse_retry_after

ModelT = TypeVar("ModelT", bound=BaseModel)
ParsedT = TypeVar("ParsedT")

# 503 means 360dialog did not take the request on, so even a send may be repeated; 500, 502 and
# 504 can follow a request that was carried out, so only idempotent calls repeat them.
_ALWAYS_RETRIED_STATUSES = frozenset({503})
_IDEMPOTENT_RETRIED_STATUSES = frozenset({500, 502, 504})
# These fail before the request leaves, so repeating them cannot act twice.
_NOT_SENT_ERRORS = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
_REDACTED = "[redacted]"


def build_http_client() -> httpx.Client:
    """The connection pool to share between clients: build one per Lambda container, on first use.

    Every request sets its own timeouts from its RetryPolicy, so none are configured here.
    """
    return httpx.Client(headers={"Accept": "application/json"})


class Dialog360HttpClient:
    """Base of the 360dialog clients. Closable; closes the httpx client only if it built it."""

    def __init__(
        self,
        *,
        base_url: str,
        auth_header: str,
        secret: str,
        http: httpx.Client | None,
        retry: RetryPolicy | None,
        sleep: Callable[[float], None],
        monotonic: Callable[[], float],
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._auth_header = auth_header
        self._secret = SecretStr(secret)
        self._owns_http = http is None
        self._http = build_http_client() if http is None else http
        self._retry = retry or RetryPolicy()
        self._sleep = sleep
        self._monotonic = monotonic

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r})"

    def close(self) -> None:
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def _request(
        self,
        method: str,
        path: str,
        *,
        json: Mapping[str, Any] | None = None,
        params: Mapping[str, str] | None = None,
        idempotent: bool,
    ) -> httpx.Response:
        """Send until a 2xx, a final error, or the budget is spent; return the 2xx answer.

        `idempotent` says whether repeating the call is harmless: only then are timeouts and
        500/502/504 retried, because the first request may have been carried out.
        """
        policy = self._retry
        started = self._monotonic()
        failed_attempts = 0
        while True:
            remaining = policy.total_budget_seconds - (self._monotonic() - started)
            cause: httpx.TransportError | None = None
            try:
                response = self._http.request(
                    method,
                    self.base_url + path,
                    json=json,
                    params=params,
                    headers={self._auth_header: self._secret.get_secret_value()},
                    timeout=policy.attempt_timeout(remaining),
                )
            except httpx.TransportError as error:
                cause = error
                failed_attempts += 1
                retryable = idempotent or isinstance(error, _NOT_SENT_ERRORS)
                delay = policy.backoff_delay(failed_attempts)
                failure: Dialog360Error = self._no_answer(error, failed_attempts)
            else:
                if response.is_success:
                    return response
                failed_attempts += 1
                description = self._redacted(describe_error_body(response.text, response.reason_phrase))
                retryable = _is_retryable_answer(response.status_code, description, idempotent)
                requested_delay = self._provider_delay(response)
                delay = policy.backoff_delay(failed_attempts) if requested_delay is None else requested_delay
                failure = error_for_response(
                    response.status_code, description, self._redact(response.text), delay
                )
            remaining = policy.total_budget_seconds - (self._monotonic() - started)
            if not retryable or failed_attempts >= policy.max_attempts or delay >= remaining:
                raise failure from cause
            self._sleep(delay)

    @contextmanager
    def _stream(self, url_or_path: str) -> Iterator[httpx.Response]:
        """A GET whose body is read in chunks (files larger than memory); one attempt: the caller's
        queue retries. An error answer becomes the same typed error as `_request` raises."""
        url = url_or_path if url_or_path.startswith(("http://", "https://")) else self.base_url + url_or_path
        timeout = self._retry.attempt_timeout(self._retry.total_budget_seconds)
        try:
            with self._http.stream(
                "GET", url, headers={self._auth_header: self._secret.get_secret_value()}, timeout=timeout
            ) as response:
                if not response.is_success:
                    response.read()
                    raise self._answer_error(response)
                yield response
        except httpx.TransportError as error:
            raise self._no_answer(error, 1) from error

    def _send_file(
        self,
        path: str,
        *,
        content: Iterable[bytes] | bytes | None = None,
        files: Mapping[str, Any] | None = None,
        data: Mapping[str, str] | None = None,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """A POST carrying a file, once: a repeat could store the file twice, and a streamed body
        cannot be sent again anyway. An error answer becomes the same typed error as `_request`'s."""
        timeout = self._retry.attempt_timeout(self._retry.total_budget_seconds)
        try:
            response = self._http.post(
                self.base_url + path,
                content=content,
                files=files,
                data=data,
                params=params,
                headers={**(headers or {}), self._auth_header: self._secret.get_secret_value()},
                timeout=timeout,
            )
        except httpx.TransportError as error:
            raise self._no_answer(error, 1) from error
        if not response.is_success:
            raise self._answer_error(response)
        return response

    def _answer_error(self, response: httpx.Response) -> Dialog360Error:
        """A failed single attempt's answer as the typed error `_request` would raise for it."""
        description = self._redacted(describe_error_body(response.text, response.reason_phrase))
        delay = self._provider_delay(response) or 0.0
        return error_for_response(response.status_code, description, self._redact(response.text), delay)

    def _parse(self, response: httpx.Response, model: type[ModelT]) -> ModelT:
        """Validate a 2xx body; a body of another shape is 360dialog's error, not ours."""
        try:
            return model.model_validate_json(response.content)
        except ValidationError as error:
            raise self._unreadable(response, error) from None

    def _parse_with(self, response: httpx.Response, reader: Callable[[object], ParsedT]) -> ParsedT:
        """A 2xx body read by a function that tells its shapes apart (e.g. wrapped or not)."""
        try:
            return reader(response.json())
        except ValidationError as error:
            raise self._unreadable(response, error) from None
        except ValueError:
            raise self._unreadable(response, None) from None

    @staticmethod
    def _unreadable(response: httpx.Response, error: ValidationError | None) -> ProviderRequestFailed:
        # Only field locations are kept: the body may hold a secret (a new API key, say),
        # so neither it nor pydantic's message (which quotes the input) goes further.
        problems = (
            "not one of the known shapes"
            if error is None
            else ", ".join(
                ".".join(str(part) for part in problem["loc"]) or problem["type"]
                for problem in error.errors(include_url=False, include_input=False)
            )
        )
        message = f"unexpected answer to {response.request.method} {response.request.url.path} ({problems})"
        return ProviderRequestFailed(
            f"360dialog gave an answer this service cannot read: {message}",
            provider_status=response.status_code,
            provider_code=None,
            provider_message=message,
        )

    def _no_answer(self, error: httpx.TransportError, attempts: int) -> ProviderUnavailable:
        budget = self._retry.total_budget_seconds
        reason = type(error).__name__
        noun = "attempt" if attempts == 1 else "attempts"
        return ProviderUnavailable(
            f"360dialog did not answer in time ({reason} after {attempts} {noun}, budget {budget:g} s).",
            provider_message=f"{reason}: {self._redact(str(error))}",
            may_have_acted=not isinstance(error, _NOT_SENT_ERRORS),
        )

    def _provider_delay(self, response: httpx.Response) -> float | None:
        retry_after = response.headers.get("Retry-After")
        return None if retry_after is None else parse_retry_after(retry_after, datetime.now(UTC))

    def _redact(self, text: str) -> str:
        secret = self._secret.get_secret_value()
        return text.replace(secret, _REDACTED) if secret else text

    def _redacted(self, description: ProviderErrorDescription) -> ProviderErrorDescription:
        return replace(description, message=self._redact(description.message))


def _is_retryable_answer(status: int, description: ProviderErrorDescription, idempotent: bool) -> bool:
    if is_throttling(status, description) or status in _ALWAYS_RETRIED_STATUSES:
        return True
    return idempotent and status in _IDEMPOTENT_RETRIED_STATUSES
