"""Admin routes for a number's templates: list, put and seed them without review, review one (which
sends its status webhook), and set the policy that reviews new submissions."""

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictStr
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from infra.local.simulator.admin import ADMIN_PREFIX, parse_body
from infra.local.simulator.customer_admin import known_number
from infra.local.simulator.errors import AdminError
from infra.local.simulator.state import SimulatorState
from infra.local.simulator.template_review import StatusChange, TemplateReviewer
from infra.local.simulator.templates import (
    MAX_SEEDED_TEMPLATES,
    NO_REASON,
    TEMPLATE_NAME_PATTERN,
    ReviewPolicy,
    StoredTemplate,
    TemplateContent,
    TemplateEvent,
    TemplateStatus,
    UnknownTemplate,
    iso_time,
    seeded_templates,
)


class TemplatePutRequest(BaseModel):
    """A template as the admin wants it stored; any category, so that legacy data can be played too."""

    model_config = ConfigDict(extra="forbid")

    category: StrictStr = Field(min_length=1)
    components: list[dict[str, Any]]
    status: TemplateStatus = "APPROVED"
    rejected_reason: StrictStr = Field(default=NO_REASON, min_length=1)


class TemplateReviewRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: TemplateEvent
    reason: StrictStr | None = Field(default=None, min_length=1)


class SeedRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    count: int = Field(ge=1, le=MAX_SEEDED_TEMPLATES)
    status: TemplateStatus = "APPROVED"
    languages: list[StrictStr] = Field(default_factory=lambda: ["en"], min_length=1)
    # Room for the `_00001` suffix within Meta's 512 characters.
    prefix: StrictStr = Field(default="seed", pattern=TEMPLATE_NAME_PATTERN.pattern, max_length=506)


def stored_json(template: StoredTemplate) -> dict[str, Any]:
    return {
        "id": template.id,
        "message_template_id": template.message_template_id,
        "name": template.name,
        "language": template.language,
        "category": template.category,
        "status": template.status,
        "rejected_reason": template.rejected_reason,
        "components": template.components,
        "created_at": iso_time(template.created_at),
        "modified_at": iso_time(template.modified_at),
    }


def status_change_answer(change: StatusChange) -> dict[str, Any]:
    return {
        "template": stored_json(change.template),
        "payload": None if change.payload is None else change.payload.body,
        "deliveries": [] if change.answer is None else [change.answer.to_json()],
    }


def template_admin_routes(state: SimulatorState, reviewer: TemplateReviewer) -> list[Route]:
    async def list_templates(request: Request) -> Response:
        number = known_number(state, request)
        templates = sorted(
            state.templates.templates(number.phone_number),
            key=lambda template: (template.name, template.language),
        )
        return JSONResponse([stored_json(template) for template in templates])

    async def put_template(request: Request) -> Response:
        number = known_number(state, request)
        wanted = await parse_body(request, TemplatePutRequest)
        content = TemplateContent(
            name=request.path_params["name"], language=request.path_params["language"], **wanted.model_dump()
        )
        [template] = state.templates.put(number.phone_number, [content])
        return JSONResponse(stored_json(template))

    async def review_template(request: Request) -> Response:
        number = known_number(state, request)
        review = await parse_body(request, TemplateReviewRequest)
        try:
            change = await reviewer.change_status(
                number,
                request.path_params["name"],
                request.path_params["language"],
                review.status,
                review.reason,
            )
        except UnknownTemplate as error:
            raise AdminError(404, str(error)) from None
        return JSONResponse(status_change_answer(change))

    async def set_review_policy(request: Request) -> Response:
        number = known_number(state, request)
        policy = await parse_body(request, ReviewPolicy)
        state.templates.set_review_policy(number.phone_number, policy)
        return JSONResponse(policy.model_dump())

    async def seed_templates(request: Request) -> Response:
        number = known_number(state, request)
        seed = await parse_body(request, SeedRequest)
        contents = seeded_templates(seed.prefix, seed.count, seed.languages, seed.status)
        return JSONResponse({"created": len(state.templates.put(number.phone_number, contents))})

    templates_path = ADMIN_PREFIX + "/numbers/{phone_number}/templates"
    template_path = templates_path + "/{name}/{language}"
    return [
        Route(templates_path, list_templates, methods=["GET"]),
        Route(templates_path + "/seed", seed_templates, methods=["POST"]),
        Route(template_path, put_template, methods=["PUT"]),
        Route(template_path + "/review", review_template, methods=["POST"]),
        Route(ADMIN_PREFIX + "/numbers/{phone_number}/template-review", set_review_policy, methods=["PUT"]),
    ]
