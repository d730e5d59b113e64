"""The phone-number webhook, `GET`/`POST /v1/configs/webhook`, served to both generations."""

from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, StrictStr
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from infra.local.simulator.errors import NOT_FOUND, MessagingApiError, invalid_parameter
from infra.local.simulator.messaging_auth import authenticate_number
from infra.local.simulator.models import WebhookRegistration
from infra.local.simulator.request_parsing import parse_messaging_body
from infra.local.simulator.state import SimulatorState

WEBHOOK_PATH = "/v1/configs/webhook"


class WebhookConfigRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    url: StrictStr
    headers: dict[StrictStr, StrictStr] | None = None


def webhook_url_problem(url: str) -> str | None:
    """Why 360dialog would refuse this webhook URL, or None if it is acceptable.

    Production requires HTTPS on the default port (and no `_` in the host name); the simulator runs
    on loopback, so it also accepts plain http and an explicit port.
    """
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return f"url {url!r} is not a valid URL"
    if parts.scheme not in ("http", "https") or not parts.hostname or port == 0:
        return f"url {url!r} must be an absolute http(s) URL"
    if any(character.isspace() for character in url):
        return f"url {url!r} must not contain whitespace"
    return None


def webhook_config_routes(state: SimulatorState) -> list[Route]:
    async def get_webhook(request: Request) -> Response:
        number = authenticate_number(state, request, ("cloud", "on_premise"))
        if number.webhook is None:
            raise MessagingApiError(404, NOT_FOUND, number.api_generation, "no webhook URL is registered")
        return JSONResponse(number.webhook.model_dump())

    async def set_webhook(request: Request) -> Response:
        number = authenticate_number(state, request, ("cloud", "on_premise"))
        config = await parse_messaging_body(request, WebhookConfigRequest, number.api_generation)
        if config.url == "":
            state.set_webhook(number.phone_number, None)
            return JSONResponse({"url": ""})
        problem = webhook_url_problem(config.url)
        if problem is not None:
            raise invalid_parameter(number.api_generation, problem)
        registration = WebhookRegistration(url=config.url, headers=config.headers or {})
        state.set_webhook(number.phone_number, registration)
        return JSONResponse(registration.model_dump())

    return [
        Route(WEBHOOK_PATH, get_webhook, methods=["GET"]),
        Route(WEBHOOK_PATH, set_webhook, methods=["POST"]),
    ]
