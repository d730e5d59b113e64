"""How the Messaging API finds the calling number: its `D360-API-KEY`, valid for one generation's paths."""

from starlette.requests import Request

from infra.local.simulator.errors import NOT_FOUND, MessagingApiError, invalid_api_key
from infra.local.simulator.models import ApiGeneration, SimulatedNumber
from infra.local.simulator.state import SimulatorState

API_KEY_HEADER = "D360-API-KEY"


def number_for_key(state: SimulatorState, request: Request) -> SimulatedNumber | None:
    api_key = request.headers.get(API_KEY_HEADER)
    return None if not api_key else state.number_by_api_key(api_key)


def authenticate_number(
    state: SimulatorState, request: Request, generations: tuple[ApiGeneration, ...]
) -> SimulatedNumber:
    """The number whose key the request carries, if that number's generation serves this path.

    Both generations share one host here, so a path of the other generation answers 404 as an
    unknown path would on that number's real host.
    """
    number = number_for_key(state, request)
    if number is None:
        raise invalid_api_key()
    if number.api_generation not in generations:
        raise MessagingApiError(
            404, NOT_FOUND, number.api_generation, f"{request.method} {request.url.path} does not exist"
        )
    return number
