"""The business profile on the Messaging API (reference section 5), checked as Meta checks it.

Cloud: `GET`/`POST /whatsapp_business_profile`; a `profile_picture_handle` must come from a resumable
upload of the number (media_api.py). On-Premise: `GET`/`POST /v1/settings/business/profile`,
`GET`/`PATCH /v1/settings/profile/about`, and `POST`/`GET /v1/settings/profile/photo` (the bytes, or
with `format=link` the link).

A new photo gets a link shaped like the WhatsApp CDN's, as Meta gives: nothing is served behind it.
"""

import re
import secrets
from functools import partial
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictStr
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from infra.local.simulator.errors import (
    INVALID_PARAMETER,
    NOT_FOUND,
    ON_PREMISE_META,
    MessagingApiError,
    MessagingErrorKind,
    enum_parameter_message,
    invalid_parameter,
)
from infra.local.simulator.media import MediaFile, UploadRefused, check_profile_photo
from infra.local.simulator.media_api import file_response
from infra.local.simulator.messaging_auth import authenticate_number
from infra.local.simulator.models import ApiGeneration, SimulatedNumber
from infra.local.simulator.profiles import PROFILE_FIELDS, VERTICALS, BusinessProfile
from infra.local.simulator.request_parsing import RequestModel, messaging_json, request_content
from infra.local.simulator.send_requests import validated
from infra.local.simulator.state import SimulatorState, random_digits

CLOUD_PROFILE_PATH = "/whatsapp_business_profile"
ON_PREMISE_PROFILE_PATH = "/v1/settings/business/profile"
ABOUT_PATH = "/v1/settings/profile/about"
PHOTO_PATH = "/v1/settings/profile/photo"
ON_PREMISE_PROFILE_FIELDS = ("address", "description", "email", "vertical", "websites")
EMAIL_PATTERN = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
WEBSITE_PATTERN = re.compile(r"https?://\S+")
UPLOAD_HANDLE_PATTERN = re.compile(r"[24]:\S+")


def website_url(url: str) -> str:
    if not WEBSITE_PATTERN.fullmatch(url):
        raise ValueError(f"{url!r} must be a URL starting with http:// or https://")
    return url


def email_address(email: str) -> str:
    """An email address, or the empty string that clears it."""
    if email and not EMAIL_PATTERN.fullmatch(email):
        raise ValueError(f"{email!r} is not a valid email address")
    return email


def upload_handle(handle: str) -> str:
    if not UPLOAD_HANDLE_PATTERN.fullmatch(handle):
        raise ValueError(f"{handle!r} is not the handle of a resumable upload")
    return handle


AboutText = Annotated[StrictStr, Field(min_length=1, max_length=139)]
Email = Annotated[StrictStr, Field(max_length=128), AfterValidator(email_address)]
Website = Annotated[StrictStr, Field(max_length=256), AfterValidator(website_url)]


class ProfileFieldsUpdate(BaseModel):
    """The profile fields both generations write, each optional; an empty string or list clears a field.
    Whether `vertical` is accepted depends on the generation and the stored profile (`accepted_vertical`)."""

    model_config = ConfigDict(extra="forbid")

    address: StrictStr | None = Field(default=None, max_length=256)
    description: StrictStr | None = Field(default=None, max_length=512)
    email: Email | None = None
    vertical: StrictStr | None = None
    websites: list[Website] | None = Field(default=None, max_length=2)


class CloudProfileUpdate(ProfileFieldsUpdate):
    messaging_product: Literal["whatsapp"]
    about: AboutText | None = None
    profile_picture_handle: Annotated[StrictStr, AfterValidator(upload_handle)] | None = None


class AboutUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: AboutText


def vertical_refusal(generation: ApiGeneration, given: str, details: str) -> MessagingApiError:
    """Meta names the accepted verticals in the message itself."""
    message = enum_parameter_message("vertical", VERTICALS[generation].accepted, given)
    kind = MessagingErrorKind(
        100, message, INVALID_PARAMETER.on_premise_code, INVALID_PARAMETER.on_premise_title
    )
    return MessagingApiError(400, kind, generation, details)


def accepted_vertical(generation: ApiGeneration, given: str, current: str) -> str:
    """The vertical to store; an empty one is accepted (and changes nothing) only while none is chosen."""
    verticals = VERTICALS[generation]
    if given in verticals.accepted:
        return given
    if given != "":
        raise vertical_refusal(
            generation, given, enum_parameter_message("vertical", verticals.accepted, given)
        )
    if current != verticals.unset:
        raise vertical_refusal(generation, given, "vertical cannot be set back to empty once chosen")
    return current


def changed_profile(
    generation: ApiGeneration, changes: dict[str, Any], profile: BusinessProfile
) -> BusinessProfile:
    if "vertical" in changes:
        changes = {
            **changes,
            "vertical": accepted_vertical(generation, changes["vertical"], profile.vertical),
        }
    return profile.model_copy(update=changes)


def profile_picture_url() -> str:
    """Shaped like the WhatsApp CDN links Meta reads profile pictures from; there is no picture behind it."""
    return (
        f"https://pps.whatsapp.net/v/t61.24694-24/{random_digits(9)}_{random_digits(16)}_n.jpg"
        f"?ccb=11-4&oh=01_{secrets.token_urlsafe(24)}&oe={secrets.token_hex(4).upper()}"
    )


def checked_photo(generation: ApiGeneration, photo: MediaFile) -> MediaFile:
    try:
        check_profile_photo(photo)
    except UploadRefused as error:
        raise invalid_parameter(generation, str(error)) from None
    return photo


def no_photo() -> MessagingApiError:
    return MessagingApiError(404, NOT_FOUND, "on_premise", "no profile photo is set")


def requested_fields(raw_fields: str | None) -> list[str]:
    """The profile fields `fields` names, in Meta's order; all of them when it names none."""
    asked = {name.strip() for name in (raw_fields or "").split(",") if name.strip()}
    if not asked:
        return list(PROFILE_FIELDS)
    unknown = sorted(asked - {*PROFILE_FIELDS, "messaging_product"})
    if unknown:
        raise invalid_parameter(
            "cloud", f"fields {', '.join(unknown)} do not exist; profiles have {', '.join(PROFILE_FIELDS)}"
        )
    return [name for name in PROFILE_FIELDS if name in asked]


def cloud_profile(profile: BusinessProfile, fields: list[str]) -> dict[str, Any]:
    """The fields asked for; like the Graph API, fields without a value are left out."""
    stored = profile.model_dump()
    return {"messaging_product": "whatsapp", **{name: stored[name] for name in fields if stored[name]}}


def on_premise_settings(settings: dict[str, Any]) -> dict[str, Any]:
    return {"settings": settings, "meta": ON_PREMISE_META}


async def parse_profile_update(
    request: Request, model: type[RequestModel], generation: ApiGeneration
) -> RequestModel:
    return validated(model, await messaging_json(request, generation), generation, invalid=INVALID_PARAMETER)


def profile_api_routes(state: SimulatorState) -> list[Route]:
    async def get_cloud_profile(request: Request) -> Response:
        number = authenticate_number(state, request, ("cloud",))
        fields = requested_fields(request.query_params.get("fields"))
        shown = cloud_profile(state.profiles.profile(number), fields)
        wrapped = state.profiles.shape(number.phone_number).cloud_data_wrapper
        return JSONResponse({"data": [shown]} if wrapped else shown)

    def uploaded_photo(number: SimulatedNumber, handle: str) -> MediaFile:
        photo = state.media.uploaded_file(number.phone_number, handle)
        if photo is None:
            raise invalid_parameter(
                "cloud", f"profile_picture_handle: {handle!r} is not the handle of an upload of this number"
            )
        return checked_photo("cloud", photo)

    async def update_cloud_profile(request: Request) -> Response:
        number = authenticate_number(state, request, ("cloud",))
        update = await parse_profile_update(request, CloudProfileUpdate, "cloud")
        changes = update.model_dump(
            exclude_none=True, exclude={"messaging_product", "profile_picture_handle"}
        )
        photo = None
        if update.profile_picture_handle is not None:
            photo = uploaded_photo(number, update.profile_picture_handle)
            changes["profile_picture_url"] = profile_picture_url()
        state.profiles.change(number, partial(changed_profile, "cloud", changes), photo)
        return JSONResponse({"success": True})

    async def get_on_premise_profile(request: Request) -> Response:
        number = authenticate_number(state, request, ("on_premise",))
        profile = state.profiles.profile(number).model_dump(include=set(ON_PREMISE_PROFILE_FIELDS))
        return JSONResponse(on_premise_settings({"business": {"profile": profile}}))

    async def update_on_premise_profile(request: Request) -> Response:
        number = authenticate_number(state, request, ("on_premise",))
        update = await parse_profile_update(request, ProfileFieldsUpdate, "on_premise")
        state.profiles.change(
            number, partial(changed_profile, "on_premise", update.model_dump(exclude_none=True))
        )
        return JSONResponse({"meta": ON_PREMISE_META})

    async def get_about(request: Request) -> Response:
        number = authenticate_number(state, request, ("on_premise",))
        about = state.profiles.profile(number).about
        return JSONResponse(on_premise_settings({"profile": {"about": {"text": about}}}))

    async def set_about(request: Request) -> Response:
        number = authenticate_number(state, request, ("on_premise",))
        update = await parse_profile_update(request, AboutUpdate, "on_premise")
        state.profiles.change(number, partial(changed_profile, "on_premise", {"about": update.text}))
        return JSONResponse({"meta": ON_PREMISE_META})

    async def get_photo(request: Request) -> Response:
        number = authenticate_number(state, request, ("on_premise",))
        if request.query_params.get("format") == "link":
            link = state.profiles.profile(number).profile_picture_url
            if not link:
                raise no_photo()
            return JSONResponse(on_premise_settings({"profile": {"photo": {"link": link}}}))
        photo = state.profiles.photo(number.phone_number)
        if photo is None:
            raise no_photo()
        return file_response(photo.content, photo.mime_type)

    async def set_photo(request: Request) -> Response:
        number = authenticate_number(state, request, ("on_premise",))
        photo = MediaFile(await request_content(request), request.headers.get("content-type", ""))
        changes = {"profile_picture_url": profile_picture_url()}
        state.profiles.change(
            number, partial(changed_profile, "on_premise", changes), checked_photo("on_premise", photo)
        )
        return JSONResponse({"meta": ON_PREMISE_META})

    return [
        Route(CLOUD_PROFILE_PATH, get_cloud_profile, methods=["GET"]),
        Route(CLOUD_PROFILE_PATH, update_cloud_profile, methods=["POST"]),
        Route(ON_PREMISE_PROFILE_PATH, get_on_premise_profile, methods=["GET"]),
        Route(ON_PREMISE_PROFILE_PATH, update_on_premise_profile, methods=["POST"]),
        Route(ABOUT_PATH, get_about, methods=["GET"]),
        Route(ABOUT_PATH, set_about, methods=["PATCH"]),
        Route(PHOTO_PATH, get_photo, methods=["GET"]),
        Route(PHOTO_PATH, set_photo, methods=["POST"]),
    ]
