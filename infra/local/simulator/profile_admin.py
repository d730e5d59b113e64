"""Admin routes for a number's business profile: read it, store fields as given (without Meta's checks,
so that tests can set up any profile), read its uploaded photo's bytes, and choose the shape Cloud reads
it in."""

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from infra.local.simulator.admin import ADMIN_PREFIX, parse_body
from infra.local.simulator.customer_admin import known_number
from infra.local.simulator.errors import AdminError
from infra.local.simulator.media_api import file_response
from infra.local.simulator.profiles import BusinessProfile, ProfileShape
from infra.local.simulator.state import SimulatorState


def profile_admin_routes(state: SimulatorState) -> list[Route]:
    async def get_profile(request: Request) -> Response:
        number = known_number(state, request)
        return JSONResponse(state.profiles.profile(number).model_dump())

    async def put_profile(request: Request) -> Response:
        number = known_number(state, request)
        given = await parse_body(request, BusinessProfile)
        changes = given.model_dump(include=given.model_fields_set)
        profile = state.profiles.change(number, lambda stored: stored.model_copy(update=changes))
        return JSONResponse(profile.model_dump())

    async def get_profile_photo(request: Request) -> Response:
        number = known_number(state, request)
        photo = state.profiles.photo(number.phone_number)
        if photo is None:
            raise AdminError(404, f"number {number.phone_number} has no uploaded profile photo")
        return file_response(photo.content, photo.mime_type)

    async def set_profile_shape(request: Request) -> Response:
        number = known_number(state, request)
        shape = await parse_body(request, ProfileShape)
        state.profiles.set_shape(number.phone_number, shape)
        return JSONResponse(shape.model_dump())

    number_path = ADMIN_PREFIX + "/numbers/{phone_number}"
    return [
        Route(number_path + "/profile", get_profile, methods=["GET"]),
        Route(number_path + "/profile", put_profile, methods=["PUT"]),
        Route(number_path + "/profile-photo", get_profile_photo, methods=["GET"]),
        Route(number_path + "/profile-shape", set_profile_shape, methods=["PUT"]),
    ]
