"""The pieces every HTTP function shares: the resolver with the contract's error envelope, the
caller's identity from the JWT, opaque pagination cursors and the body size limit."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestUnsupportedContentType,
    RequestValidationError,
)
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel

from wachannel.errors import (
    DomainError,
    InvalidCursor,
    InvalidJson,
    NotFound,
    PayloadTooLarge,
    Unauthorized,
    ValidationFailed,
)
from wachannel.models import Model
from wachannel.observability import logger

MAX_JSON_BODY_BYTES = 64 * 1024
PAGE_LIMIT_DEFAULT = 25
PAGE_LIMIT_MAX = 100
_WORKSPACE_ID = re.compile(r"^[A-Za-z0-9_.:@-]{1,128}$")


class ErrorDetail(Model):
    code: str
    message: str
    details: Any = None


class ErrorEnvelope(Model):
    error: ErrorDetail


_ERROR_DESCRIPTIONS = {
    400: "invalid_json, or validation_error for a cursor this list did not give out",
    401: "unauthorized: the token has no workspace claim",
    404: "not_found: no such resource in this workspace",
    409: "A conflict named by the error code",
    413: "payload_too_large",
    422: "validation_error (details list every broken field), or invalid_api_key",
    429: "rate_limited: 360dialog throttled us after our retries; see Retry-After",
    502: "provider_error: 360dialog answered with an error; details give its status, code and message",
    504: "provider_timeout: 360dialog did not answer in time",
}
COMMON_ERRORS = (400, 401, 404, 413, 422)
PROVIDER_ERRORS = (429, 502, 504)


def documented(
    status: int,
    model: type[BaseModel] | None,
    *errors: int,
    description: str = "Success",
    common_errors: tuple[int, ...] = COMMON_ERRORS,
) -> dict[int, OpenAPIResponse]:
    """OpenAPI responses of a route: its success answer and, in the envelope, the errors it can give."""
    # Without a model the answer has no body; an empty map keeps Powertools from documenting one.
    success: OpenAPIResponse = {"description": description, "content": {}}
    if model is not None:
        success["content"] = {"application/json": {"model": model}}
    answers: dict[int, OpenAPIResponse] = {status: success}
    for error_status in sorted({*common_errors, *errors}):
        answers[error_status] = {
            "description": _ERROR_DESCRIPTIONS[error_status],
            "content": {"application/json": {"model": ErrorEnvelope}},
        }
    return answers


def _envelope_json(error: DomainError) -> str:
    body = ErrorEnvelope(error=ErrorDetail(code=error.code, message=error.message, details=error.details))
    return body.model_dump_json()


def error_response(error: DomainError) -> Response[str]:
    return Response(
        status_code=error.status,
        content_type=content_types.APPLICATION_JSON,
        body=_envelope_json(error),
        headers=error.headers or None,
    )


def _field_of(location: tuple[Any, ...]) -> str:
    parts = [str(part) for part in location[1:]] or [str(part) for part in location]
    return ".".join(parts)


def _validation_failure(error: RequestValidationError) -> DomainError:
    problems = error.errors()
    if any(problem.get("type") == "json_invalid" for problem in problems):
        return InvalidJson("The request body is not valid JSON.")
    return ValidationFailed(
        [{"field": _field_of(tuple(p.get("loc", ()))), "message": str(p.get("msg", ""))} for p in problems]
    )


class ContractResolver(APIGatewayHttpResolver):
    """Answers what needs no parsing before anything parses: a body above the size limit, a token
    without a workspace (who calls comes before what they sent: request validation runs before any
    middleware, so it is checked here), and, where validation parses the body, one it cannot read."""

    def __init__(self, *, enable_validation: bool) -> None:
        super().__init__(enable_validation=enable_validation)
        self._validates_body = enable_validation

    def resolve(self, event: Mapping[str, Any], context: LambdaContext) -> dict[str, Any]:
        if len(event.get("body") or "") > MAX_JSON_BODY_BYTES:
            return _raw_error(
                PayloadTooLarge(
                    f"The request body is larger than {MAX_JSON_BODY_BYTES} bytes.",
                    details={"limit_bytes": MAX_JSON_BODY_BYTES},
                )
            )
        authorizer = (event.get("requestContext") or {}).get("authorizer") or {}
        if "jwt" in authorizer and _workspace_claim((authorizer["jwt"] or {}).get("claims") or {}) is None:
            return _raw_error(Unauthorized(_NO_WORKSPACE))
        unreadable = _unreadable_body(event) if self._validates_body else None
        if unreadable is not None:
            return _raw_error(unreadable)
        return super().resolve(event, context)


# Powertools' validation parses these into form fields itself (a multipart type without a boundary
# is a bare ValueError there); this API takes JSON only, so they are refused as not JSON.
_FORM_CONTENT_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
_SEND_JSON = "Send the request body as JSON (Content-Type: application/json)."


def _unreadable_body(event: Mapping[str, Any]) -> InvalidJson | None:
    """A body Powertools' validation would fail on with an error of its own instead of a JSON error:
    a form, or bytes that are not UTF-8 (API Gateway passes those base64-encoded)."""
    body = event.get("body")
    if not body:
        return None
    content_type = str((event.get("headers") or {}).get("content-type", "")).strip().lower()
    if content_type.startswith(_FORM_CONTENT_TYPES):
        return InvalidJson(_SEND_JSON)
    if event.get("isBase64Encoded"):
        try:
            base64.b64decode(body).decode("utf-8")
        except ValueError:
            return InvalidJson("The request body is not UTF-8 text, so it is not JSON.")
    return None


def _raw_error(error: DomainError) -> dict[str, Any]:
    return {
        "statusCode": error.status,
        "headers": {"Content-Type": content_types.APPLICATION_JSON},
        "body": _envelope_json(error),
        "isBase64Encoded": False,
    }


def _domain_error(error: DomainError) -> Response[str]:
    if error.status >= 500:
        logger.warning("Request failed", extra={"error_code": error.code, "status": error.status})
    return error_response(error)


def _invalid_request(error: RequestValidationError) -> Response[str]:
    return error_response(_validation_failure(error))


def _not_json(_: RequestUnsupportedContentType) -> Response[str]:
    return error_response(InvalidJson(_SEND_JSON))


def _no_route(_: NotFoundError) -> Response[str]:
    return error_response(NotFound("No such route."))


def _unexpected(_: Exception) -> Response[str]:
    logger.exception("Unhandled error")
    return error_response(DomainError("Something went wrong on our side; the request may be retried."))


def create_resolver(*, enable_validation: bool = True) -> ContractResolver:
    """A resolver that answers every error in the envelope; with validation, pydantic checks input."""
    app = ContractResolver(enable_validation=enable_validation)
    app.exception_handler(DomainError)(_domain_error)
    app.exception_handler(RequestValidationError)(_invalid_request)
    app.exception_handler(RequestUnsupportedContentType)(_not_json)
    app.not_found(_no_route)
    app.exception_handler(Exception)(_unexpected)
    return app


@dataclass(frozen=True)
class Caller:
    """Who calls: the workspace from the token's claim (never from the request) and the subject."""

    workspace_id: str
    subject: str


def caller_of(event: APIGatewayProxyEventV2) -> Caller:
    claims = event.request_context.authorizer.jwt_claim or {}
    workspace_id = _workspace_claim(claims)
    if workspace_id is None:
        raise Unauthorized(_NO_WORKSPACE)
    subject = claims.get("sub")
    return Caller(workspace_id=workspace_id, subject=subject if isinstance(subject, str) else "unknown")


def _workspace_claim(claims: Mapping[str, Any]) -> str | None:
    workspace_id = claims.get("workspace_id") or claims.get("custom:workspace_id")
    return workspace_id if isinstance(workspace_id, str) and _WORKSPACE_ID.fullmatch(workspace_id) else None


_NO_WORKSPACE = "The token carries no valid workspace_id claim."


class CursorCodec:
    """Opaque, tamper-checked cursors: the position is signed together with the scope (workspace and
    list), so a forged cursor, or one from another workspace or list, is refused."""

    def __init__(self, signing_key: bytes) -> None:
        self._key = signing_key

    def encode(self, scope: str, position: dict[str, Any] | None) -> str | None:
        if not position:
            return None
        payload = json.dumps(position, separators=(",", ":"), sort_keys=True).encode()
        return f"{_b64(payload)}.{_b64(self._sign(scope, payload))}"

    def decode(self, scope: str, cursor: str | None) -> dict[str, Any] | None:
        if cursor is None:
            return None
        try:
            payload_part, signature_part = cursor.split(".", 1)
            payload = _unb64(payload_part)
            signature = _unb64(signature_part)
        except (ValueError, binascii.Error):
            raise InvalidCursor() from None
        if not hmac.compare_digest(signature, self._sign(scope, payload)):
            raise InvalidCursor()
        position = json.loads(payload)
        if not isinstance(position, dict):
            raise InvalidCursor()
        return position

    def _sign(self, scope: str, payload: bytes) -> bytes:
        return hmac.new(self._key, scope.encode() + b"\x00" + payload, hashlib.sha256).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
