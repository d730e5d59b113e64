"""Media on the Messaging API (reference section 6).

Cloud: `POST /media` (multipart form), `GET /{media_id}` (the info with a lookaside link), the link's
download at `GET /whatsapp_business/attachments/` on this host (where the backend points Meta's
lookaside URL), `DELETE /{media_id}`, and the resumable upload of files for the profile photo,
`POST /uploads` then `POST /upload:{session}`. On-Premise: `POST /v1/media` (raw body),
`GET /v1/media/{id}` (the bytes), `DELETE /v1/media/{id}`.

An expired or unknown download link answers 404 in Meta's error shape. After 5 refused `GET /{media_id}`
within an hour, that call answers 403 in 360dialog's gateway shape for an hour.
"""

from functools import partial

from starlette.convertors import StringConvertor, register_url_convertor
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from infra.local.simulator.errors import (
    INTERNAL_ERROR,
    MEDIA_UPLOAD_ERROR,
    NOT_FOUND,
    ON_PREMISE_META,
    GatewayError,
    MessagingApiError,
    invalid_parameter,
    missing_parameter,
    unknown_object,
)
from infra.local.simulator.media import (
    CLOUD_MEDIA_ID_PATTERN,
    InjectedMediaFault,
    MediaEndpointBlocked,
    StoredMedia,
    UnknownMedia,
    UnknownMediaLink,
    UploadRefused,
    check_upload,
)
from infra.local.simulator.messaging_auth import authenticate_number
from infra.local.simulator.models import ApiGeneration, SimulatedNumber
from infra.local.simulator.multipart_form import MalformedForm, form_parts
from infra.local.simulator.request_parsing import non_negative_int, request_content
from infra.local.simulator.state import SimulatorState

ENDPOINT_BLOCKED_MESSAGE = "The endpoint is blocked for an hour"
ATTACHMENTS_PATH = "/whatsapp_business/attachments/"
ON_PREMISE_MEDIA_PATH = "/v1/media"


class MediaIdConvertor(StringConvertor):
    regex = CLOUD_MEDIA_ID_PATTERN


# Cloud's `/{media_id}` sits beside named paths (`/messages`, `/media`, `/uploads`): Meta's media ids are
# digits, and matching digits only keeps the route from answering for those paths.
register_url_convertor("media_id", MediaIdConvertor())


def unknown_media(generation: ApiGeneration, method: str, media_id: str) -> MessagingApiError:
    status = 400 if generation == "cloud" else 404
    details = f"Object with ID '{media_id}' does not exist, cannot be loaded due to missing permissions"
    return MessagingApiError(status, unknown_object(method), generation, details)


def injected_fault_error(fault: InjectedMediaFault, generation: ApiGeneration) -> MessagingApiError:
    kind = NOT_FOUND if fault.status == 404 else INTERNAL_ERROR
    return MessagingApiError(fault.status, kind, generation, "simulated media fault")


def file_response(content: bytes, mime_type: str) -> Response:
    # The type goes in as a header: Starlette would add a charset to a `text/*` media_type.
    return Response(content, headers={"Content-Type": mime_type})


def kept_upload(
    state: SimulatorState,
    number: SimulatedNumber,
    content: bytes,
    mime_type: str,
    filename: str | None = None,
) -> StoredMedia:
    try:
        check_upload(mime_type, len(content), number.api_generation)
    except UploadRefused as error:
        raise MessagingApiError(400, MEDIA_UPLOAD_ERROR, number.api_generation, str(error)) from None
    return state.media.add(number, content, mime_type, "uploaded", filename=filename)


def cloud_media_routes(state: SimulatorState) -> list[Route]:
    async def upload_cloud_media(request: Request) -> Response:
        number = authenticate_number(state, request, ("cloud",))
        try:
            form = form_parts(await request_content(request), request.headers.get("content-type", ""))
        except MalformedForm as error:
            raise invalid_parameter("cloud", str(error)) from None
        product = form.get("messaging_product")
        if product is None:
            raise missing_parameter("cloud", "messaging_product")
        if product.content != b"whatsapp":
            raise invalid_parameter("cloud", "messaging_product must be whatsapp")
        file = form.get("file")
        if file is None:
            raise missing_parameter("cloud", "file")
        declared_type = form.get("type")
        mime_type = file.content_type or (
            None if declared_type is None else declared_type.content.decode(errors="replace")
        )
        if mime_type is None:
            raise missing_parameter("cloud", "type")
        return JSONResponse({"id": kept_upload(state, number, file.content, mime_type, file.filename).id})

    async def get_media_info(request: Request) -> Response:
        number = authenticate_number(state, request, ("cloud",))
        media_id = request.path_params["media_id"]
        try:
            media, link = state.media.issue_link(number.phone_number, media_id)
        except MediaEndpointBlocked:
            raise GatewayError(403, ENDPOINT_BLOCKED_MESSAGE) from None
        except InjectedMediaFault as fault:
            raise injected_fault_error(fault, "cloud") from None
        except UnknownMedia:
            raise unknown_media("cloud", request.method, media_id) from None
        return JSONResponse(
            {
                "messaging_product": "whatsapp",
                "url": link.url,
                "mime_type": media.mime_type,
                "sha256": media.sha256,
                "file_size": media.file_size,
                "id": media.id,
            }
        )

    async def download_attachment(request: Request) -> Response:
        number = authenticate_number(state, request, ("cloud",))
        query = request.query_params
        try:
            media = state.media.linked_media(
                number.phone_number, query.get("mid", ""), query.get("ext", ""), query.get("hash", "")
            )
        except UnknownMediaLink:
            raise MessagingApiError(
                404, NOT_FOUND, "cloud", "the media link has expired or was not issued to this number"
            ) from None
        except InjectedMediaFault as fault:
            raise injected_fault_error(fault, "cloud") from None
        return file_response(media.content, media.mime_type)

    async def delete_cloud_media(request: Request) -> Response:
        number = authenticate_number(state, request, ("cloud",))
        media_id = request.path_params["media_id"]
        try:
            state.media.delete(number.phone_number, media_id)
        except UnknownMedia:
            raise unknown_media("cloud", request.method, media_id) from None
        return JSONResponse({"success": True})

    return [
        Route("/media", upload_cloud_media, methods=["POST"]),
        Route(ATTACHMENTS_PATH, download_attachment, methods=["GET"]),
        Route("/{media_id:media_id}", get_media_info, methods=["GET"]),
        Route("/{media_id:media_id}", delete_cloud_media, methods=["DELETE"]),
    ]


def resumable_upload_routes(state: SimulatorState) -> list[Route]:
    async def start_resumable_upload(request: Request) -> Response:
        number = authenticate_number(state, request, ("cloud",))
        file_length = non_negative_int(request, "file_length", 0, partial(invalid_parameter, "cloud"))
        if file_length == 0:
            raise invalid_parameter("cloud", "file_length must be a positive integer")
        file_type = request.query_params.get("file_type")
        if file_type is None:
            raise missing_parameter("cloud", "file_type")
        try:
            session = state.media.start_upload(number.phone_number, file_length, file_type)
        except UploadRefused as error:
            raise invalid_parameter("cloud", str(error)) from None
        return JSONResponse({"id": session.id})

    async def finish_resumable_upload(request: Request) -> Response:
        number = authenticate_number(state, request, ("cloud",))
        file_offset = request.headers.get("file_offset")
        if file_offset is None:
            raise missing_parameter("cloud", "file_offset")
        if not (file_offset.isascii() and file_offset.isdigit()):
            raise invalid_parameter("cloud", "file_offset must be a non-negative integer")
        session_id = "upload:" + request.path_params["session"]
        try:
            handle = state.media.finish_upload(
                number.phone_number, session_id, int(file_offset), await request_content(request)
            )
        except UploadRefused as error:
            raise invalid_parameter("cloud", str(error)) from None
        return JSONResponse({"h": handle})

    return [
        Route("/uploads", start_resumable_upload, methods=["POST"]),
        Route("/upload:{session}", finish_resumable_upload, methods=["POST"]),
    ]


def on_premise_media_routes(state: SimulatorState) -> list[Route]:
    async def upload_on_premise_media(request: Request) -> Response:
        number = authenticate_number(state, request, ("on_premise",))
        content = await request_content(request)
        media = kept_upload(state, number, content, request.headers.get("content-type", ""))
        return JSONResponse({"media": [{"id": media.id}], "meta": ON_PREMISE_META})

    async def download_on_premise_media(request: Request) -> Response:
        number = authenticate_number(state, request, ("on_premise",))
        media_id = request.path_params["media_id"]
        try:
            media = state.media.download(number.phone_number, media_id)
        except InjectedMediaFault as fault:
            raise injected_fault_error(fault, "on_premise") from None
        except UnknownMedia:
            raise unknown_media("on_premise", request.method, media_id) from None
        return file_response(media.content, media.mime_type)

    async def delete_on_premise_media(request: Request) -> Response:
        number = authenticate_number(state, request, ("on_premise",))
        media_id = request.path_params["media_id"]
        try:
            state.media.delete(number.phone_number, media_id)
        except UnknownMedia:
            raise unknown_media("on_premise", request.method, media_id) from None
        return JSONResponse({"meta": ON_PREMISE_META})

    return [
        Route(ON_PREMISE_MEDIA_PATH, upload_on_premise_media, methods=["POST"]),
        Route(ON_PREMISE_MEDIA_PATH + "/{media_id}", download_on_premise_media, methods=["GET"]),
        Route(ON_PREMISE_MEDIA_PATH + "/{media_id}", delete_on_premise_media, methods=["DELETE"]),
    ]


def media_api_routes(state: SimulatorState) -> list[Route]:
    return [*cloud_media_routes(state), *resumable_upload_routes(state), *on_premise_media_routes(state)]
