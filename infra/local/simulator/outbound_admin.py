"""Admin routes for what a number sends: its accepted messages with their status histories, the read
receipts it sent, how statuses follow its messages, and when a customer last wrote to it (which opens
the 24-hour customer service window)."""

import re
from datetime import UTC

from pydantic import AwareDatetime, BaseModel, ConfigDict
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from infra.local.simulator.admin import ADMIN_PREFIX, parse_body
from infra.local.simulator.customer_admin import known_number
from infra.local.simulator.errors import AdminError
from infra.local.simulator.models import PHONE_NUMBER_PATTERN
from infra.local.simulator.outbound import OutboundBehaviour
from infra.local.simulator.state import SimulatorState
from infra.local.simulator.templates import iso_time


class CustomerUpdate(BaseModel):
    """`last_inbound_at` as Unix seconds or an ISO time with its zone; null forgets it."""

    model_config = ConfigDict(extra="forbid")

    last_inbound_at: AwareDatetime | None


def outbound_admin_routes(state: SimulatorState) -> list[Route]:
    async def list_messages(request: Request) -> Response:
        number = known_number(state, request)
        return JSONResponse(state.outbound.messages(number.phone_number))

    async def list_read_receipts(request: Request) -> Response:
        number = known_number(state, request)
        return JSONResponse(state.outbound.read_receipts(number.phone_number))

    async def set_outbound_behaviour(request: Request) -> Response:
        number = known_number(state, request)
        behaviour = await parse_body(request, OutboundBehaviour)
        state.outbound.set_behaviour(number.phone_number, behaviour)
        return JSONResponse(behaviour.model_dump(mode="json"))

    async def set_customer(request: Request) -> Response:
        number = known_number(state, request)
        wa_id = request.path_params["wa_id"]
        if not re.fullmatch(PHONE_NUMBER_PATTERN, wa_id):
            raise AdminError(400, f"{wa_id} is not a wa_id: digits with the country code, no +")
        given = (await parse_body(request, CustomerUpdate)).last_inbound_at
        last_inbound_at = None if given is None else given.astimezone(UTC)
        state.outbound.set_last_inbound(number.phone_number, wa_id, last_inbound_at)
        return JSONResponse(
            {
                "wa_id": wa_id,
                "last_inbound_at": None if last_inbound_at is None else iso_time(last_inbound_at),
                "window_open": state.outbound.window_open(number.phone_number, wa_id),
            }
        )

    number_path = ADMIN_PREFIX + "/numbers/{phone_number}"
    return [
        Route(number_path + "/messages", list_messages, methods=["GET"]),
        Route(number_path + "/read-receipts", list_read_receipts, methods=["GET"]),
        Route(number_path + "/outbound", set_outbound_behaviour, methods=["PUT"]),
        Route(number_path + "/customers/{wa_id}", set_customer, methods=["PUT"]),
    ]
