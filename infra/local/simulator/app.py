"""Builds the simulator's Starlette app from its route groups."""

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response

from infra.local.simulator.admin import ADMIN_PREFIX, admin_routes
from infra.local.simulator.customer import DeliveryLog
from infra.local.simulator.customer_admin import customer_admin_routes
from infra.local.simulator.errors import (
    NOT_FOUND,
    AdminError,
    GatewayError,
    MessagingApiError,
    SimulatorError,
    invalid_api_key,
    render_simulator_error,
)
from infra.local.simulator.gateway import GatewayMiddleware
from infra.local.simulator.health import health_routes
from infra.local.simulator.media_admin import media_admin_routes
from infra.local.simulator.media_api import media_api_routes
from infra.local.simulator.messages_api import message_routes
from infra.local.simulator.messaging_auth import number_for_key
from infra.local.simulator.outbound_admin import outbound_admin_routes
from infra.local.simulator.outbound_statuses import StatusReporter
from infra.local.simulator.partner import PARTNER_API_PREFIX, partner_routes
from infra.local.simulator.profile_admin import profile_admin_routes
from infra.local.simulator.profile_api import profile_api_routes
from infra.local.simulator.state import SimulatorState
from infra.local.simulator.template_admin import template_admin_routes
from infra.local.simulator.template_api import template_api_routes
from infra.local.simulator.template_review import TemplateReviewer
from infra.local.simulator.webhook_config import webhook_config_routes


def unmatched_request_error(
    state: SimulatorState, request: Request, status: int, reason: str
) -> SimulatorError:
    """An unknown path or method answered the way its area would: the Messaging API checks the key first."""
    path = request.url.path
    if path.startswith(ADMIN_PREFIX):
        return AdminError(status, reason)
    if path.startswith(PARTNER_API_PREFIX):
        return GatewayError(status, reason)
    number = number_for_key(state, request)
    if number is None:
        return invalid_api_key()
    return MessagingApiError(
        status, NOT_FOUND, number.api_generation, f"{request.method} {path} does not exist"
    )


def create_app(state: SimulatorState) -> Starlette:
    async def render_unmatched_request(request: Request, error: Exception) -> Response:
        if not isinstance(error, HTTPException):
            raise error
        return unmatched_request_error(state, request, error.status_code, error.detail).to_response()

    # Customer deliveries, message statuses and template status webhooks share one delivery log.
    delivery_log = DeliveryLog()
    reviewer = TemplateReviewer(state, delivery_log)
    status_reporter = StatusReporter(state, delivery_log)
    return Starlette(
        routes=[
            *health_routes(state),
            *webhook_config_routes(state),
            *template_api_routes(state, reviewer),
            *message_routes(state, status_reporter),
            *profile_api_routes(state),
            *media_api_routes(state),
            *partner_routes(state),
            *admin_routes(state),
            *customer_admin_routes(state, delivery_log),
            *template_admin_routes(state, reviewer),
            *outbound_admin_routes(state),
            *profile_admin_routes(state),
            *media_admin_routes(state),
        ],
        middleware=[Middleware(GatewayMiddleware, state=state)],
        exception_handlers={SimulatorError: render_simulator_error, HTTPException: render_unmatched_request},
    )
