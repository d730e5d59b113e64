"""Errors in the three shapes 360dialog answers with, plus the admin API's own."""

import secrets
from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from infra.local.simulator.models import ApiGeneration

ON_PREMISE_META = {"api_status": "stable", "version": "2.x"}


class SimulatorError(Exception, ABC):
    """An error answer; each subclass renders its own body."""

    def __init__(self, status: int, retry_after: int | None = None) -> None:
        super().__init__(status)
        self.status = status
        self.retry_after = retry_after

    @abstractmethod
    def body(self) -> dict[str, Any]: ...

    def to_response(self) -> Response:
        headers = {} if self.retry_after is None else {"Retry-After": str(self.retry_after)}
        return JSONResponse(self.body(), status_code=self.status, headers=headers)


class GatewayError(SimulatorError):
    """360dialog's own gateway refusing a request (bad key, rate limit), before Meta is involved."""

    def __init__(self, status: int, developer_message: str, retry_after: int | None = None) -> None:
        super().__init__(status, retry_after)
        self.developer_message = developer_message

    def body(self) -> dict[str, Any]:
        return {
            "meta": {"success": False, "http_code": self.status, "developer_message": self.developer_message}
        }


def invalid_api_key() -> GatewayError:
    return GatewayError(401, "Invalid api_key")


@dataclass(frozen=True)
class MessagingErrorKind:
    """One kind of Messaging API error, with the code and text each generation uses for it; Meta narrows
    some of its codes with a subcode and a title meant for people."""

    cloud_code: int
    cloud_message: str
    on_premise_code: int
    on_premise_title: str
    cloud_subcode: int | None = None
    cloud_user_title: str | None = None


NOT_FOUND = MessagingErrorKind(100, "Unsupported request", 1006, "Resource not found")
INVALID_PARAMETER = MessagingErrorKind(100, "Invalid parameter", 1009, "Parameter value is not valid")
SERVICE_UNAVAILABLE = MessagingErrorKind(2, "Service temporarily unavailable", 1011, "Service not ready")
INTERNAL_ERROR = MessagingErrorKind(131000, "Something went wrong", 1014, "Internal error")
# Meta refuses a template whose (name, language) exists with code 100 and subcode 2388024, and a name
# still held after its deletion (about four weeks) with subcode 2388023, as its docs and public
# clients show. The On-Premise codes are picks: 1004 is On-Premise's "already exists", 1009 its
# "not valid"; 360dialog's On-Premise template errors are not documented.
TEMPLATE_EXISTS = MessagingErrorKind(
    100,
    "Invalid parameter",
    1004,
    "Resource already exists",
    cloud_subcode=2388024,
    cloud_user_title="Content in this language already exists",
)
TEMPLATE_NAME_BEING_DELETED = MessagingErrorKind(
    100,
    "Invalid parameter",
    1009,
    "Parameter value is not valid",
    cloud_subcode=2388023,
    cloud_user_title="Message template language is being deleted",
)

# Refusals of a message to send (reference section 3.2). Meta's codes with the On-Premise code of
# the same meaning where its docs name one: 1008 "Required parameter is missing" (missing_parameter),
# 1009 "Parameter value is not valid", 2000, 2001, 2012.
# Picks: an unknown type is 1009 on On-Premise (its docs have no "unsupported type" code for
# sending), and paused or disabled templates keep Meta's 132015/132016 there, which On-Premise
# never documented.
INVALID_PARAMETER_VALUE = MessagingErrorKind(
    131009, "Parameter value is not valid", 1009, "Parameter value is not valid"
)
UNSUPPORTED_MESSAGE_TYPE = MessagingErrorKind(
    131051, "Unsupported message type", 1009, "Parameter value is not valid"
)
TEMPLATE_PARAMETER_COUNT_MISMATCH = MessagingErrorKind(
    132000,
    "Number of parameters does not match the expected number of params",
    2000,
    "Template Param Count Mismatch",
)
TEMPLATE_DOES_NOT_EXIST = MessagingErrorKind(
    132001, "Template name does not exist in the translation", 2001, "Template Missing"
)
TEMPLATE_PARAMETER_FORMAT_MISMATCH = MessagingErrorKind(
    132012,
    "Parameter format does not match format in the created template",
    2012,
    "Template Parameter Format Mismatch",
)
TEMPLATE_PAUSED = MessagingErrorKind(132015, "Template is Paused", 132015, "Template is Paused")
TEMPLATE_DISABLED = MessagingErrorKind(132016, "Template is Disabled", 132016, "Template is Disabled")

# Media (reference section 6). Meta refuses an upload breaking its rules with 131053; On-Premise has no
# upload code of its own, so its "not valid" 1009 stands in. An object id Meta does not know is a 400
# with code 100 and subcode 33 ("Unsupported get request. Object with ID ... does not exist").
MEDIA_UPLOAD_ERROR = MessagingErrorKind(131053, "Media upload error", 1009, "Parameter value is not valid")


def unknown_object(method: str) -> MessagingErrorKind:
    return MessagingErrorKind(
        100, f"Unsupported {method.lower()} request", 1006, "Resource not found", cloud_subcode=33
    )


class MessagingApiError(SimulatorError):
    """An error from the Messaging API: Meta's shape for Cloud numbers, the On-Premise shape otherwise.

    `user_message` is the explanation Meta adds for people (`error_user_msg`), as it does when it
    refuses a template.
    """

    def __init__(
        self,
        status: int,
        kind: MessagingErrorKind,
        generation: ApiGeneration,
        details: str,
        retry_after: int | None = None,
        *,
        user_message: str | None = None,
    ) -> None:
        super().__init__(status, retry_after)
        self.kind = kind
        self.generation = generation
        self.details = details
        self.user_message = user_message

    def body(self) -> dict[str, Any]:
        if self.generation == "cloud":
            error: dict[str, Any] = {
                "message": f"(#{self.kind.cloud_code}) {self.kind.cloud_message}",
                "type": "OAuthException",
                "code": self.kind.cloud_code,
                "error_data": {"messaging_product": "whatsapp", "details": self.details},
            }
            if self.kind.cloud_subcode is not None:
                error["error_subcode"] = self.kind.cloud_subcode
            if self.kind.cloud_user_title is not None:
                error["error_user_title"] = self.kind.cloud_user_title
            if self.user_message is not None:
                error["error_user_msg"] = self.user_message
            return {"error": error | {"fbtrace_id": "A" + secrets.token_urlsafe(16)}}
        return {
            "errors": [
                {
                    "code": self.kind.on_premise_code,
                    "title": self.kind.on_premise_title,
                    "details": self.details,
                }
            ],
            "meta": ON_PREMISE_META,
        }


def enum_parameter_message(name: str, accepted: Iterable[str], given: str) -> str:
    """Meta's words for a value outside a parameter's enum."""
    return f'Param {name} must be one of {{{", ".join(accepted)}}} - got "{given}".'


def invalid_parameter(generation: ApiGeneration, details: str) -> MessagingApiError:
    return MessagingApiError(400, INVALID_PARAMETER, generation, details)


def missing_parameter(generation: ApiGeneration, name: str) -> MessagingApiError:
    """Meta names the missing parameter in its message (`The parameter text['body'] is required.`)."""
    kind = MessagingErrorKind(
        100, f"The parameter {name} is required.", 1008, "Required parameter is missing"
    )
    return MessagingApiError(400, kind, generation, f"{name} is required")


class AdminError(SimulatorError):
    def __init__(self, status: int, message: str, details: list[Any] | None = None) -> None:
        super().__init__(status)
        self.message = message
        self.details = details

    def body(self) -> dict[str, Any]:
        if self.details is None:
            return {"error": self.message}
        return {"error": self.message, "details": self.details}


async def render_simulator_error(request: Request, error: Exception) -> Response:
    if not isinstance(error, SimulatorError):
        raise error
    return error.to_response()
