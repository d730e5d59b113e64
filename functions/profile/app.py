"""The channel's WhatsApp business profile: the stored copy, a fresh sync, edits written back."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from wachannel.api.profile import ProfileOut, SetPhotoRequest, UpdateProfileRequest
from wachannel.config import MediaSettings, load_settings
from wachannel.http import PROVIDER_ERRORS, caller_of, create_resolver, documented
from wachannel.observability import HTTP_CORRELATION_PATH, logger, metrics
from wachannel.services.profile import StoredProfile
from wachannel.services.profile_factory import profile_service

settings = load_settings(MediaSettings)
app = create_resolver()


def _workspace_id() -> str:
    return caller_of(app.current_event).workspace_id


def _out(stored: StoredProfile) -> ProfileOut:
    return ProfileOut.of(stored.profile, stored.last_synced_at)


@app.get("/channels/<channel_id>/profile", responses=documented(200, ProfileOut), tags=["Business profile"])
def get_profile(channel_id: str) -> ProfileOut:
    return _out(profile_service().get(_workspace_id(), channel_id))


@app.post(
    "/channels/<channel_id>/profile/sync",
    responses=documented(200, ProfileOut, *PROVIDER_ERRORS),
    tags=["Business profile"],
)
def sync_profile(channel_id: str) -> ProfileOut:
    return _out(profile_service().sync(_workspace_id(), channel_id))


@app.patch(
    "/channels/<channel_id>/profile",
    responses=documented(200, ProfileOut, *PROVIDER_ERRORS),
    tags=["Business profile"],
)
def update_profile(channel_id: str, request: UpdateProfileRequest) -> ProfileOut:
    return _out(profile_service().update(_workspace_id(), channel_id, request.changes()))


@app.put(
    "/channels/<channel_id>/profile/photo",
    responses=documented(200, ProfileOut, *PROVIDER_ERRORS),
    tags=["Business profile"],
)
def set_profile_photo(channel_id: str, request: SetPhotoRequest) -> ProfileOut:
    return _out(profile_service().set_photo(_workspace_id(), channel_id, request.upload_id))


@logger.inject_lambda_context(correlation_id_path=HTTP_CORRELATION_PATH)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
