"""Admin routes for a number's media: list it, read a file's bytes (so that tests compare what the
backend stored), choose how long download links last and make fetches fail, and lift the block of
Cloud's `GET /{media_id}`."""

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from infra.local.simulator.admin import ADMIN_PREFIX, parse_body
from infra.local.simulator.customer_admin import known_number
from infra.local.simulator.errors import AdminError
from infra.local.simulator.media import MediaSettings, UnknownMedia
from infra.local.simulator.media_api import file_response
from infra.local.simulator.state import SimulatorState


def media_admin_routes(state: SimulatorState) -> list[Route]:
    async def list_media(request: Request) -> Response:
        number = known_number(state, request)
        return JSONResponse([media.summary() for media in state.media.files(number.phone_number)])

    async def get_media_content(request: Request) -> Response:
        number = known_number(state, request)
        try:
            media = state.media.get(number.phone_number, request.path_params["media_id"])
        except UnknownMedia as error:
            raise AdminError(404, str(error)) from None
        return file_response(media.content, media.mime_type)

    async def set_media_settings(request: Request) -> Response:
        number = known_number(state, request)
        settings = await parse_body(request, MediaSettings)
        state.media.set_settings(number.phone_number, settings)
        return JSONResponse(settings.model_dump())

    async def clear_media_block(request: Request) -> Response:
        number = known_number(state, request)
        state.media.clear_block(number.phone_number)
        return Response(status_code=204)

    number_path = ADMIN_PREFIX + "/numbers/{phone_number}"
    return [
        Route(number_path + "/media", list_media, methods=["GET"]),
        Route(number_path + "/media/{media_id}", get_media_content, methods=["GET"]),
        Route(number_path + "/media-settings", set_media_settings, methods=["PUT"]),
        Route(number_path + "/media-block/clear", clear_media_block, methods=["POST"]),
    ]
