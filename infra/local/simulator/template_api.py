"""Templates on the Messaging API, the same paths for both generations: `GET`/`POST /v1/configs/templates`
and `DELETE /v1/configs/templates/{name}`.

Cloud numbers see 360dialog's newer item shape (ids, Meta's upper-case statuses, quality score);
On-Premise numbers the older one with 360dialog's lower-case statuses (reference section 4).
"""

import json
from collections.abc import Callable
from functools import partial
from operator import attrgetter
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictStr, ValidationError
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from infra.local.simulator.errors import (
    INVALID_PARAMETER,
    NOT_FOUND,
    TEMPLATE_EXISTS,
    TEMPLATE_NAME_BEING_DELETED,
    MessagingApiError,
    MessagingErrorKind,
    invalid_parameter,
)
from infra.local.simulator.messaging_auth import authenticate_number
from infra.local.simulator.models import ApiGeneration, SimulatedNumber
from infra.local.simulator.request_parsing import non_negative_int, parse_messaging_body
from infra.local.simulator.state import SimulatorState
from infra.local.simulator.template_review import TemplateReviewer
from infra.local.simulator.templates import (
    StoredTemplate,
    TemplateExists,
    TemplateNameHeld,
    TemplateStatus,
    TemplateSubmission,
    UnknownTemplate,
    iso_time,
)

TEMPLATES_PATH = "/v1/configs/templates"
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 1000
DEFAULT_SORT = "id"
SORT_KEYS: dict[str, Callable[[StoredTemplate], Any]] = {
    "id": attrgetter("id"),
    "external_id": attrgetter("message_template_id"),
    "name": attrgetter("name"),
    "language": attrgetter("language"),
    "category": attrgetter("category"),
    "status": attrgetter("status"),
    "rejected_reason": attrgetter("rejected_reason"),
    "created_at": attrgetter("created_at"),
    "modified_at": attrgetter("modified_at"),
}


def shown_status(generation: ApiGeneration, status: TemplateStatus) -> str:
    """On-Premise numbers see 360dialog's older statuses: lower case, `submitted` while in review."""
    if generation == "cloud":
        return status
    return "submitted" if status == "PENDING" else status.lower()


class TemplateFilters(BaseModel):
    """The `filters` query parameter; unknown keys are refused so that a typo does not list every template.
    Status and category match case-insensitively, the status in either generation's wording."""

    model_config = ConfigDict(extra="forbid")

    business_templates_name: StrictStr | None = Field(default=None, alias="business_templates.name")
    name: StrictStr | None = None
    id: StrictStr | None = None
    status: StrictStr | None = None
    category: StrictStr | None = None
    language: StrictStr | None = None

    def accept(self, template: StoredTemplate, generation: ApiGeneration) -> bool:
        exact = (
            (self.business_templates_name, template.name),
            (self.name, template.name),
            (self.id, template.id),
            (self.language, template.language),
        )
        if any(wanted is not None and wanted != actual for wanted, actual in exact):
            return False
        if self.category is not None and self.category.casefold() != template.category.casefold():
            return False
        return self.status is None or self.status.casefold() in (
            template.status.casefold(),
            shown_status(generation, template.status).casefold(),
        )


def parse_filters(
    raw_filters: str | None, generation: ApiGeneration
) -> tuple[dict[str, Any], TemplateFilters]:
    """The filters as given (echoed in the answer) and as understood."""
    if raw_filters is None:
        return {}, TemplateFilters()
    try:
        given = json.loads(raw_filters)
        return given, TemplateFilters.model_validate(given)
    except (ValueError, ValidationError):
        raise invalid_parameter(
            generation,
            "filters must be a JSON object with business_templates.name, name, id, status, category "
            f"or language: {raw_filters}",
        ) from None


def parse_sort(raw_sort: str | None, generation: ApiGeneration) -> list[str]:
    """Field names separated by commas, each descending with a `-` prefix."""
    fields = [field.strip() for field in (raw_sort or DEFAULT_SORT).split(",") if field.strip()]
    unknown = [field for field in fields if field.removeprefix("-") not in SORT_KEYS]
    if unknown or not fields:
        raise invalid_parameter(
            generation, f"sort fields must be among {', '.join(SORT_KEYS)}, optionally with a - prefix"
        )
    return fields


def sorted_templates(templates: list[StoredTemplate], sort: list[str]) -> list[StoredTemplate]:
    """Sorted by the first field, ties by the next: stable sorts from the last field to the first."""
    ordered = list(templates)
    for field in reversed(sort):
        ordered.sort(key=SORT_KEYS[field.removeprefix("-")], reverse=field.startswith("-"))
    return ordered


def template_item(number: SimulatedNumber, partner_id: str, template: StoredTemplate) -> dict[str, Any]:
    older_fields = {
        "name": template.name,
        "language": template.language,
        "category": template.category,
        "status": shown_status(number.api_generation, template.status),
        "rejected_reason": template.rejected_reason,
        "namespace": number.template_namespace,
        "components": template.components,
    }
    if number.api_generation == "on_premise":
        return older_fields
    return {
        "id": template.id,
        "external_id": str(template.message_template_id),
        **older_fields,
        "quality_score": {"score": "UNKNOWN", "date": int(template.modified_at.timestamp())},
        "partner_id": partner_id,
        "waba_account_id": number.waba_account_id,
        "created_at": iso_time(template.created_at),
        "modified_at": iso_time(template.modified_at),
    }


def template_refusal(kind: MessagingErrorKind, generation: ApiGeneration, message: str) -> MessagingApiError:
    """Meta explains refused templates to people too (`error_user_msg`)."""
    return MessagingApiError(400, kind, generation, message, user_message=message)


def template_api_routes(state: SimulatorState, reviewer: TemplateReviewer) -> list[Route]:
    def templates_number(request: Request) -> SimulatedNumber:
        return authenticate_number(state, request, ("cloud", "on_premise"))

    async def list_templates(request: Request) -> Response:
        number = templates_number(request)
        generation = number.api_generation
        refuse = partial(invalid_parameter, generation)
        limit = min(non_negative_int(request, "limit", DEFAULT_PAGE_SIZE, refuse), MAX_PAGE_SIZE)
        offset = non_negative_int(request, "offset", 0, refuse)
        sort = parse_sort(request.query_params.get("sort"), generation)
        given_filters, filters = parse_filters(request.query_params.get("filters"), generation)
        matching = sorted_templates(
            [
                template
                for template in state.templates.templates(number.phone_number)
                if filters.accept(template, generation)
            ],
            sort,
        )
        page = matching[offset : offset + limit]
        return JSONResponse(
            {
                "count": len(page),
                "total": len(matching),
                "limit": limit,
                "offset": offset,
                "sort": sort,
                "filters": given_filters,
                "waba_templates": [template_item(number, state.partner_id, template) for template in page],
            }
        )

    async def submit_template(request: Request) -> Response:
        number = templates_number(request)
        generation = number.api_generation
        submission = await parse_messaging_body(request, TemplateSubmission, generation)
        problem = submission.problem()
        if problem is not None:
            raise template_refusal(INVALID_PARAMETER, generation, problem)
        try:
            template = state.templates.submit(number.phone_number, submission.pending())
        except TemplateExists as error:
            raise template_refusal(TEMPLATE_EXISTS, generation, str(error)) from None
        except TemplateNameHeld as error:
            raise template_refusal(TEMPLATE_NAME_BEING_DELETED, generation, str(error)) from None
        return JSONResponse(
            template_item(number, state.partner_id, template),
            background=BackgroundTask(reviewer.start_review, number.phone_number, template),
        )

    async def delete_template(request: Request) -> Response:
        number = templates_number(request)
        name = request.path_params["name"]
        try:
            deleted = state.templates.delete_name(number.phone_number, name)
        except UnknownTemplate as error:
            raise MessagingApiError(404, NOT_FOUND, number.api_generation, str(error)) from None
        languages = ", ".join(sorted(template.language for template in deleted))
        # 360dialog's own envelope, as its gateway answers; the exact success body is unconfirmed.
        return JSONResponse(
            {
                "meta": {
                    "success": True,
                    "http_code": 200,
                    "developer_message": f"template {name} deleted ({languages})",
                }
            }
        )

    return [
        Route(TEMPLATES_PATH, list_templates, methods=["GET"]),
        Route(TEMPLATES_PATH, submit_template, methods=["POST"]),
        Route(TEMPLATES_PATH + "/{name}", delete_template, methods=["DELETE"]),
    ]
