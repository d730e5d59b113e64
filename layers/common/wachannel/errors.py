"""Domain errors: each carries the contract's error code and HTTP status (see shared/design/api.md)."""

from __future__ import annotations

from typing import Any, ClassVar


class DomainError(Exception):
    """An outcome the API reports in the error envelope. Subclasses fix `code` and `status`."""

    code: ClassVar[str] = "internal_error"
    status: ClassVar[int] = 500

    def __init__(self, message: str, details: Any = None, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details
        self.headers = headers or {}


class InvalidJson(DomainError):
    code = "invalid_json"
    status = 400


class Unauthorized(DomainError):
    code = "unauthorized"
    status = 401


class NotFound(DomainError):
    code = "not_found"
    status = 404


class TemplateNotFound(DomainError):
    code = "template_not_found"
    status = 404


class TemplateExists(DomainError):
    code = "template_exists"
    status = 409


class TemplateNotApproved(DomainError):
    code = "template_not_approved"
    status = 409


class TemplateNotEnabled(DomainError):
    code = "template_not_enabled"
    status = 409


class MediaNotReady(DomainError):
    code = "media_not_ready"
    status = 409


class OutsideCustomerServiceWindow(DomainError):
    code = "outside_customer_service_window"
    status = 409


class IdempotencyConflict(DomainError):
    code = "idempotency_conflict"
    status = 409


class ChannelExists(DomainError):
    code = "channel_exists"
    status = 409


class RefreshNotAvailable(DomainError):
    code = "refresh_not_available"
    status = 409


class PayloadTooLarge(DomainError):
    code = "payload_too_large"
    status = 413


class ValidationFailed(DomainError):
    """422 with details as a list of {"field", "message"}."""

    code = "validation_error"
    status = 422

    def __init__(self, problems: list[dict[str, str]], message: str = "The request breaks a rule.") -> None:
        super().__init__(message, details=problems)

    @classmethod
    def single(cls, field: str, message: str) -> ValidationFailed:
        return cls([{"field": field, "message": message}], message=message)


class InvalidCursor(ValidationFailed):
    """A pagination cursor this list did not give out: forged, altered, or another workspace's."""

    status = 400

    def __init__(self) -> None:
        super().__init__(
            [{"field": "cursor", "message": "The cursor is not one this list gave out."}],
            message="Invalid cursor.",
        )


class InvalidApiKey(DomainError):
    code = "invalid_api_key"
    status = 422


class RateLimited(DomainError):
    code = "rate_limited"
    status = 429


class ProviderError(DomainError):
    code = "provider_error"
    status = 502


class ProviderTimeout(DomainError):
    code = "provider_timeout"
    status = 504
