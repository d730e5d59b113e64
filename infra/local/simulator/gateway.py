"""What every 360dialog request meets before its endpoint: the request log and injected faults."""

import asyncio
import json
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from infra.local.simulator.admin import ADMIN_PREFIX
from infra.local.simulator.errors import (
    INTERNAL_ERROR,
    SERVICE_UNAVAILABLE,
    GatewayError,
    MessagingApiError,
    SimulatorError,
)
from infra.local.simulator.messaging_auth import number_for_key
from infra.local.simulator.models import ApiGeneration
from infra.local.simulator.partner import PARTNER_API_PREFIX
from infra.local.simulator.state import SimulatorState

MASKED_HEADERS = frozenset({"d360-api-key", "x-api-key", "authorization"})
RATE_LIMIT_MESSAGE = "exceeded the endpoint rate limit"
LOGGED_JSON_LIMIT = 1024 * 1024


def masked_headers(headers: Mapping[str, str]) -> dict[str, str]:
    return {name: "***" if name.lower() in MASKED_HEADERS else value for name, value in headers.items()}


def logged_body(body: bytes, content_type: str | None) -> Any:
    """A JSON body as parsed; any other body (media bytes, forms) only as a note of its size and type:
    uploads reach 100 MB and the log keeps every request."""
    if not body:
        return None
    if len(body) <= LOGGED_JSON_LIMIT:
        try:
            return json.loads(body)
        except ValueError:
            pass
    return f"<{len(body)} bytes of {content_type or 'unknown type'}>"


def fault_error(status: int, retry_after: int | None, generation: ApiGeneration | None) -> SimulatorError:
    """A 429 comes from 360dialog's gateway; a 5xx comes from Meta (Cloud) or the On-Premise client,
    or from the gateway when the request names no number (Partner API, unknown key).
    """
    if status == 429:
        return GatewayError(status, RATE_LIMIT_MESSAGE, retry_after)
    if generation is None:
        return GatewayError(status, HTTPStatus(status).phrase, retry_after)
    kind = SERVICE_UNAVAILABLE if status == 503 else INTERNAL_ERROR
    return MessagingApiError(status, kind, generation, "simulated fault", retry_after)


class GatewayMiddleware:
    """Logs each request to the 360dialog endpoints (not `/_admin`), then applies the first matching fault:
    it waits `delay_seconds`, then answers with the fault's status or lets the endpoint answer.
    """

    def __init__(self, app: ASGIApp, state: SimulatorState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(ADMIN_PREFIX):
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        request = Request(scope, receive)
        body = await request.body()
        request_id = self.state.record_request(
            request.method,
            path,
            request.query_params,
            masked_headers(request.headers),
            logged_body(body, request.headers.get("content-type")),
        )
        body_replayed = False

        async def replay_body() -> Message:
            nonlocal body_replayed
            if body_replayed:
                return await receive()
            body_replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        async def send_and_record_status(message: Message) -> None:
            if message["type"] == "http.response.start":
                self.state.record_response_status(request_id, message["status"])
            await send(message)

        fault = self.state.take_fault(request.method, path)
        if fault is not None:
            await asyncio.sleep(fault.delay_seconds)
            if fault.status is not None:
                number = None if path.startswith(PARTNER_API_PREFIX) else number_for_key(self.state, request)
                generation = None if number is None else number.api_generation
                error = fault_error(fault.status, fault.retry_after, generation)
                await error.to_response()(scope, replay_body, send_and_record_status)
                return
        await self.app(scope, replay_body, send_and_record_status)
