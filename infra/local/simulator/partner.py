"""The Partner API under `/api/v2`: channel listing and channel API keys, authenticated by `X-API-Key`."""

import json
import secrets
from typing import Any

from pydantic import BaseModel, ConfigDict, StrictStr, ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from infra.local.simulator.errors import GatewayError
from infra.local.simulator.models import SimulatedNumber
from infra.local.simulator.request_parsing import non_negative_int
from infra.local.simulator.state import SimulatorState

PARTNER_API_PREFIX = "/api/v2"
PARTNER_KEY_HEADER = "X-API-Key"
DEFAULT_CHANNEL_PAGE_SIZE = 1000


class ChannelFilters(BaseModel):
    """The `filters` query parameter; unknown keys are refused so that a typo does not list every channel."""

    model_config = ConfigDict(extra="forbid")

    phone_number: StrictStr | None = None
    client_id: StrictStr | None = None

    def accept(self, number: SimulatedNumber) -> bool:
        """Phone numbers match on their digits, so "+49 151 12345678" finds "4915112345678"."""
        if self.phone_number is not None and digits(self.phone_number) != number.phone_number:
            return False
        return self.client_id is None or self.client_id == number.client_id


def digits(text: str) -> str:
    return "".join(character for character in text if character.isdigit())


def authenticate_partner(state: SimulatorState, request: Request) -> None:
    api_key = request.headers.get(PARTNER_KEY_HEADER)
    if not api_key or not secrets.compare_digest(api_key, state.partner_api_key):
        raise GatewayError(401, "Invalid api_key")
    if request.path_params.get("partner_id") != state.partner_id:
        raise GatewayError(404, "Partner not found")


def parse_channel_filters(raw_filters: str | None) -> ChannelFilters:
    if raw_filters is None:
        return ChannelFilters()
    try:
        return ChannelFilters.model_validate(json.loads(raw_filters))
    except (ValueError, ValidationError):
        raise GatewayError(
            400, f"filters must be a JSON object with phone_number or client_id: {raw_filters}"
        ) from None


def bad_partner_request(message: str) -> GatewayError:
    return GatewayError(400, message)


def partner_channel(number: SimulatedNumber) -> dict[str, Any]:
    return {
        "id": number.partner_channel_id,
        "client_id": number.client_id,
        "status": "running",
        "setup_info": {"phone_number": number.phone_number, "phone_name": number.phone_name},
        "waba_account": {"id": number.waba_account_id, "external_id": number.waba_id},
    }


def base_address(request: Request) -> str:
    """Where this simulator is reached: one host serves both generations, so every key gets this address."""
    return str(request.base_url).rstrip("/")


def partner_routes(state: SimulatorState) -> list[Route]:
    def channel_number(request: Request) -> SimulatedNumber:
        authenticate_partner(state, request)
        number = state.number_by_channel_id(request.path_params["channel_id"])
        if number is None:
            raise GatewayError(404, "Channel not found")
        return number

    async def list_channels(request: Request) -> Response:
        authenticate_partner(state, request)
        filters = parse_channel_filters(request.query_params.get("filters"))
        offset = non_negative_int(request, "offset", 0, bad_partner_request)
        limit = non_negative_int(request, "limit", DEFAULT_CHANNEL_PAGE_SIZE, bad_partner_request)
        matching = [partner_channel(number) for number in state.numbers() if filters.accept(number)]
        page = matching[offset : offset + limit]
        return JSONResponse(
            {
                "partner_channels": page,
                "count": len(page),
                "total": len(matching),
                "offset": offset,
                "limit": limit,
            }
        )

    async def create_api_key(request: Request) -> Response:
        number = state.rotate_api_key(channel_number(request).phone_number)
        return JSONResponse(
            {
                "id": number.api_key_id,
                "api_key": number.api_key,
                "address": base_address(request),
                "app_id": number.app_id,
            },
            status_code=201,
        )

    async def list_api_keys(request: Request) -> Response:
        number = channel_number(request)
        api_keys = (
            []
            if number.api_key is None
            else [{"id": number.api_key_id, "address": base_address(request), "app_id": number.app_id}]
        )
        return JSONResponse({"api_keys": api_keys})

    channel_keys_path = PARTNER_API_PREFIX + "/partners/{partner_id}/channels/{channel_id}/api_keys"
    return [
        Route(PARTNER_API_PREFIX + "/partners/{partner_id}/channels", list_channels, methods=["GET"]),
        Route(channel_keys_path, create_api_key, methods=["POST"]),
        Route(channel_keys_path, list_api_keys, methods=["GET"]),
    ]
