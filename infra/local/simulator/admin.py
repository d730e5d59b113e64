"""The admin API under `/_admin` (no auth): numbers, health, faults, the request log, reset."""

import json
from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StrictStr, ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from infra.local.simulator.errors import AdminError
from infra.local.simulator.models import (
    PHONE_NUMBER_PATTERN,
    ApiGeneration,
    FaultSpec,
    NumberHealth,
    SimulatedNumber,
)
from infra.local.simulator.state import ApiKeyInUse, NumberAlreadyExists, SimulatorState, UnknownNumber

ADMIN_PREFIX = "/_admin"

RequestModel = TypeVar("RequestModel", bound=BaseModel)


class CreateNumberRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    phone_number: StrictStr = Field(pattern=PHONE_NUMBER_PATTERN)
    api_generation: ApiGeneration
    api_key: StrictStr | None = Field(default=None, min_length=1)


async def parse_body(request: Request, model: type[RequestModel], refusal_status: int = 400) -> RequestModel:
    try:
        body = await request.json()
    except ValueError:
        raise AdminError(refusal_status, "the request body must be JSON") from None
    try:
        return model.model_validate(body)
    except ValidationError as error:
        details = json.loads(error.json(include_url=False))
        raise AdminError(refusal_status, "invalid request body", details) from None


def number_json(number: SimulatedNumber) -> dict[str, Any]:
    return number.model_dump(mode="json")


def number_response(read_or_change: Callable[[str], SimulatedNumber], phone_number: str) -> Response:
    try:
        return JSONResponse(number_json(read_or_change(phone_number)))
    except UnknownNumber as error:
        raise AdminError(404, str(error)) from None


def admin_routes(state: SimulatorState) -> list[Route]:
    async def create_number(request: Request) -> Response:
        new_number = await parse_body(request, CreateNumberRequest)
        try:
            number = state.add_number(new_number.phone_number, new_number.api_generation, new_number.api_key)
        except (NumberAlreadyExists, ApiKeyInUse) as error:
            raise AdminError(409, str(error)) from None
        return JSONResponse(number_json(number), status_code=201)

    async def list_numbers(request: Request) -> Response:
        return JSONResponse([number_json(number) for number in state.numbers()])

    async def get_number(request: Request) -> Response:
        return number_response(state.number, request.path_params["phone_number"])

    async def revoke_key(request: Request) -> Response:
        return number_response(state.revoke_api_key, request.path_params["phone_number"])

    async def set_health(request: Request) -> Response:
        health = await parse_body(request, NumberHealth)
        return number_response(
            lambda phone_number: state.set_health(phone_number, health), request.path_params["phone_number"]
        )

    async def add_fault(request: Request) -> Response:
        fault = state.add_fault(await parse_body(request, FaultSpec))
        return JSONResponse(fault.model_dump(mode="json"), status_code=201)

    async def list_faults(request: Request) -> Response:
        return JSONResponse([fault.model_dump(mode="json") for fault in state.faults()])

    async def clear_faults(request: Request) -> Response:
        state.clear_faults()
        return Response(status_code=204)

    async def list_requests(request: Request) -> Response:
        path_prefix = request.query_params.get("path_prefix", "")
        return JSONResponse([logged.model_dump(mode="json") for logged in state.requests(path_prefix)])

    async def clear_requests(request: Request) -> Response:
        state.clear_requests()
        return Response(status_code=204)

    async def reset(request: Request) -> Response:
        state.reset()
        return Response(status_code=204)

    async def get_partner(request: Request) -> Response:
        return JSONResponse({"partner_id": state.partner_id, "partner_api_key": state.partner_api_key})

    number_path = ADMIN_PREFIX + "/numbers/{phone_number}"
    return [
        Route(ADMIN_PREFIX + "/numbers", create_number, methods=["POST"]),
        Route(ADMIN_PREFIX + "/numbers", list_numbers, methods=["GET"]),
        Route(number_path, get_number, methods=["GET"]),
        Route(number_path + "/revoke-key", revoke_key, methods=["POST"]),
        Route(number_path + "/health", set_health, methods=["PUT"]),
        Route(ADMIN_PREFIX + "/faults", add_fault, methods=["POST"]),
        Route(ADMIN_PREFIX + "/faults", list_faults, methods=["GET"]),
        Route(ADMIN_PREFIX + "/faults", clear_faults, methods=["DELETE"]),
        Route(ADMIN_PREFIX + "/requests", list_requests, methods=["GET"]),
        Route(ADMIN_PREFIX + "/requests", clear_requests, methods=["DELETE"]),
        Route(ADMIN_PREFIX + "/reset", reset, methods=["POST"]),
        Route(ADMIN_PREFIX + "/partner", get_partner, methods=["GET"]),
    ]
