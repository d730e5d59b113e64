"""The business profile: the stored copy, a fresh one from 360dialog, and edits checked against
WhatsApp's limits, written to 360dialog, then stored as 360dialog now holds them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from wachannel.clock import Clock
from wachannel.dialog360 import ApiKeyRejected, Dialog360Error, ProviderRateLimited, ProviderRequestFailed
from wachannel.domain.channels import Channel
from wachannel.domain.photo import profile_photo_problems
from wachannel.domain.profile import (
    BusinessProfile,
    ProfileChanges,
    on_premise_vertical_problems,
    profile_problems,
)
from wachannel.errors import ValidationFailed
from wachannel.observability import logger
from wachannel.services.channel_access import ChannelAccess
from wachannel.services.uploads import Uploads
from wachannel.store.profile import ProfileRepository


@dataclass(frozen=True)
class StoredProfile:
    profile: BusinessProfile | None
    last_synced_at: datetime | None


class ProfileService:
    def __init__(
        self, *, access: ChannelAccess, profiles: ProfileRepository, uploads: Uploads, clock: Clock
    ) -> None:
        self._access = access
        self._profiles = profiles
        self._uploads = uploads
        self._clock = clock

    def set_photo(self, workspace_id: str, channel_id: str, upload_id: str) -> StoredProfile:
        """An uploaded JPEG or PNG, square and at least 192 px (checked on the image itself), handed
        to 360dialog the way the channel's generation takes it; then the profile is synced."""
        channel = self._access.active_channel(workspace_id, channel_id)
        content, mime_type = self._uploads.content(channel, upload_id, field="upload_id")
        problems = profile_photo_problems(content)
        if problems:
            raise ValidationFailed(problems, message="WhatsApp does not take this image as a profile photo.")
        client = self._access.client(channel)
        client.set_profile_photo(content, mime_type)
        logger.info("Profile photo set", extra={"channel_id": channel.id})
        return self._store(channel, client.get_profile())

    def get(self, workspace_id: str, channel_id: str) -> StoredProfile:
        channel = self._access.channel(workspace_id, channel_id)
        return StoredProfile(self._profiles.get(workspace_id, channel_id), channel.profile_last_synced_at)

    def sync(self, workspace_id: str, channel_id: str) -> StoredProfile:
        """Fresh from 360dialog; a failure is kept on the channel (its health shows it) and raised."""
        channel = self._access.active_channel(workspace_id, channel_id)
        try:
            profile = self._access.client(channel).get_profile()
        except Dialog360Error as error:
            self._profiles.record_failure(
                workspace_id, channel_id, error=error.message, now=self._clock.now()
            )
            raise
        return self._store(channel, profile)

    def update(self, workspace_id: str, channel_id: str, changes: ProfileChanges) -> StoredProfile:
        """Nothing changes here unless 360dialog took the change; what is stored is what 360dialog
        holds afterwards, read back, not what was asked for."""
        channel = self._access.active_channel(workspace_id, channel_id)
        current = self._profiles.get(workspace_id, channel_id)
        client = self._access.client(channel)
        if current is None:
            current = client.get_profile()
        problems = profile_problems(changes, current_vertical=current.vertical)
        if channel.api_generation == "on_premise":
            problems += on_premise_vertical_problems(changes)
        if problems:
            raise ValidationFailed(problems, message="The profile breaks WhatsApp's limits.")
        if changes.model_fields_set:
            try:
                client.update_profile(changes)
            except (ApiKeyRejected, ProviderRateLimited):
                raise
            except ProviderRequestFailed as refusal:
                if refusal.provider_status is not None and 400 <= refusal.provider_status < 500:
                    raise ValidationFailed(
                        [
                            {
                                "field": "profile",
                                "message": f"WhatsApp refused the change: {refusal.provider_message}",
                            }
                        ],
                        message="WhatsApp refused the profile change.",
                    ) from refusal
                raise
            logger.info(
                "Business profile written",
                extra={"channel_id": channel.id, "fields": sorted(changes.model_fields_set)},
            )
        try:
            written = client.get_profile()
        except Dialog360Error as error:
            # The change is made; what was asked for is the best copy until the next sync.
            logger.warning(
                "Profile read-back failed", extra={"channel_id": channel.id, "reason": error.message}
            )
            written = changes.applied_to(current)
        return self._store(channel, written)

    def _store(self, channel: Channel, profile: BusinessProfile) -> StoredProfile:
        now = self._clock.now()
        self._profiles.save(channel.workspace_id, channel.id, profile, now=now)
        return StoredProfile(profile, now)
