"""Health endpoints: Cloud `GET /health_status`, On-Premise `GET /v1/health`."""

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from infra.local.simulator.errors import ON_PREMISE_META
from infra.local.simulator.messaging_auth import authenticate_number
from infra.local.simulator.models import SimulatedNumber
from infra.local.simulator.state import SimulatorState


def cloud_health_status(number: SimulatedNumber) -> dict[str, Any]:
    """Meta's health status; both entities report the number's capability, the WABA entity carries the why."""
    health = number.health
    waba: dict[str, Any] = {
        "entity_type": "WABA",
        "id": number.waba_id,
        "can_send_message": health.can_send_message,
    }
    if health.can_send_message == "LIMITED":
        waba["additional_info"] = health.additional_info
    if health.can_send_message == "BLOCKED":
        waba["errors"] = [error.model_dump() for error in health.errors]
    phone_number = {
        "entity_type": "PHONE_NUMBER",
        "id": number.phone_number_id,
        "can_send_message": health.can_send_message,
    }
    return {
        "health_status": {"can_send_message": health.can_send_message, "entities": [phone_number, waba]},
        "id": number.phone_number_id,
    }


def on_premise_health(number: SimulatedNumber) -> dict[str, Any]:
    """The On-Premise client's health: `gateway_status` is "connected" while the number can send
    (AVAILABLE or LIMITED) and "disconnected" when it is BLOCKED.
    """
    gateway_status = "disconnected" if number.health.can_send_message == "BLOCKED" else "connected"
    return {"health": {"gateway_status": gateway_status}, "meta": ON_PREMISE_META}


def health_routes(state: SimulatorState) -> list[Route]:
    async def get_cloud_health_status(request: Request) -> Response:
        number = authenticate_number(state, request, ("cloud",))
        return JSONResponse(cloud_health_status(number))

    async def get_on_premise_health(request: Request) -> Response:
        number = authenticate_number(state, request, ("on_premise",))
        return JSONResponse(on_premise_health(number))

    return [
        Route("/health_status", get_cloud_health_status, methods=["GET"]),
        Route("/v1/health", get_on_premise_health, methods=["GET"]),
    ]
