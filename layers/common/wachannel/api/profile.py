"""The Business profile section of the HTTP contract: the PATCH body and the profile as answered."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field, StringConstraints

from wachannel.api.common import RequestModel, Timestamp
from wachannel.domain.profile import BusinessProfile, ProfileChanges
from wachannel.models import Model

# Bounds on input only, well above WhatsApp's limits: `profile_problems` checks those, all at once.
ProfileText = Annotated[str, StringConstraints(max_length=2000)]


class UpdateProfileRequest(RequestModel):
    """Only the fields given change; null (or "", [] for websites) clears one where WhatsApp allows."""

    about: ProfileText | None = Field(default=None, description="1 to 139 characters; cannot be removed")
    address: ProfileText | None = Field(default=None, description="at most 256 characters")
    description: ProfileText | None = Field(default=None, description="at most 512 characters")
    email: ProfileText | None = Field(default=None, description="a valid address of at most 128 characters")
    vertical: ProfileText | None = Field(
        default=None, description="WhatsApp's industry code, e.g. RESTAURANT; cannot be cleared once set"
    )
    websites: list[ProfileText] | None = Field(
        default=None, max_length=10, description="at most 2, each starting https:// or http://"
    )

    def changes(self) -> ProfileChanges:
        return ProfileChanges.model_validate({name: getattr(self, name) for name in self.model_fields_set})


class ProfileOut(Model):
    about: str | None
    address: str | None
    description: str | None
    email: str | None
    vertical: str | None
    websites: list[str]
    profile_picture_url: str | None
    last_synced_at: Timestamp | None

    @classmethod
    def of(cls, profile: BusinessProfile | None, last_synced_at: datetime | None) -> ProfileOut:
        """A channel whose profile was never synced answers with every field empty."""
        shown = profile if profile is not None else BusinessProfile()
        return cls(
            about=shown.about,
            address=shown.address,
            description=shown.description,
            email=shown.email,
            vertical=shown.vertical,
            websites=shown.websites,
            profile_picture_url=shown.profile_picture_url,
            last_synced_at=last_synced_at if profile is not None else None,
        )


class SetPhotoRequest(RequestModel):
    upload_id: Annotated[str, StringConstraints(min_length=1, max_length=64)] = Field(
        description="a JPEG or PNG uploaded through POST /channels/{channel_id}/media/uploads"
    )
