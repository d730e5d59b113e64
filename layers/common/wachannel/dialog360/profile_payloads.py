"""360dialog's business profile bodies for each API generation (reference section 5): reading them into
a `BusinessProfile`, and building the update bodies from a PATCH's `ProfileChanges`.

WhatsApp leaves out or empties a field that has no value, and Cloud reads an unchosen vertical as
UNDEFINED; all of these read as None (websites as []). To clear a field the update bodies send ""
(websites []); that WhatsApp clears every field this way is assumed (documented only for vertical)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator, Field

from wachannel.dialog360.models import Dialog360Model
from wachannel.domain.profile import (
    BusinessProfile,
    ProfileChanges,
    cloud_vertical,
    on_premise_vertical,
    vertical_is_set,
)


def _blank_as_none(value: object) -> object:
    return None if isinstance(value, str) and not value.strip() else value


def _none_as_empty(value: object) -> object:
    return [] if value is None else value


OptionalText = Annotated[str | None, BeforeValidator(_blank_as_none)]
Websites = Annotated[list[str], BeforeValidator(_none_as_empty)]


class CloudProfile(Dialog360Model):
    """One entry of `GET /whatsapp_business_profile`."""

    about: OptionalText = None
    address: OptionalText = None
    description: OptionalText = None
    email: OptionalText = None
    vertical: OptionalText = None
    websites: Websites = Field(default_factory=list)
    profile_picture_url: OptionalText = None


class CloudProfileListBody(Dialog360Model):
    """Meta's wrapper: {"data": [{"messaging_product": "whatsapp", "about", ...}]}."""

    data: list[CloudProfile] = Field(min_length=1)


_CLOUD_PROFILE_KEYS = frozenset({"messaging_product", *CloudProfile.model_fields})


class OnPremiseBusinessProfile(Dialog360Model):
    address: OptionalText = None
    description: OptionalText = None
    email: OptionalText = None
    vertical: OptionalText = None
    websites: Websites = Field(default_factory=list)


class OnPremiseBusinessSettings(Dialog360Model):
    profile: OnPremiseBusinessProfile


class OnPremiseBusinessProfileSettings(Dialog360Model):
    business: OnPremiseBusinessSettings


class OnPremiseBusinessProfileBody(Dialog360Model):
    """`GET /v1/settings/business/profile`: {"settings": {"business": {"profile": {...}}}}."""

    settings: OnPremiseBusinessProfileSettings


class OnPremiseAbout(Dialog360Model):
    text: OptionalText = None


class OnPremiseAboutProfile(Dialog360Model):
    about: OnPremiseAbout | None = None


class OnPremiseAboutSettings(Dialog360Model):
    profile: OnPremiseAboutProfile


class OnPremiseAboutBody(Dialog360Model):
    """`GET /v1/settings/profile/about`: {"settings": {"profile": {"about": {"text"}}}}."""

    settings: OnPremiseAboutSettings


class OnPremisePhotoLink(Dialog360Model):
    link: str | None = None


class OnPremisePhotoProfile(Dialog360Model):
    photo: OnPremisePhotoLink = OnPremisePhotoLink()


class OnPremisePhotoSettings(Dialog360Model):
    profile: OnPremisePhotoProfile = OnPremisePhotoProfile()


class OnPremisePhotoBody(Dialog360Model):
    """`GET /v1/settings/profile/photo?format=link`: {"settings": {"profile": {"photo": {"link"}}}}."""

    settings: OnPremisePhotoSettings = OnPremisePhotoSettings()

    @property
    def link(self) -> str | None:
        return self.settings.profile.photo.link


def cloud_profile_from(body: object) -> BusinessProfile:
    """Meta's {"data": [{...}]} or the same entry unwrapped (whether 360dialog unwraps it is
    unconfirmed). Raises ValueError for a body that is neither."""
    if isinstance(body, dict) and "data" in body:
        profile = CloudProfileListBody.model_validate(body).data[0]
    elif isinstance(body, dict) and _CLOUD_PROFILE_KEYS & body.keys():
        profile = CloudProfile.model_validate(body)
    else:
        raise ValueError('a Cloud business profile body is {"data": [{...}]} or the profile object itself')
    return BusinessProfile(
        about=profile.about,
        address=profile.address,
        description=profile.description,
        email=profile.email,
        vertical=profile.vertical if vertical_is_set(profile.vertical) else None,
        websites=profile.websites,
        profile_picture_url=profile.profile_picture_url,
    )


def on_premise_profile_from(
    business_body: object, about_body: object, photo_link: str | None
) -> BusinessProfile:
    """The answers of `GET /v1/settings/business/profile` and `GET /v1/settings/profile/about`, and the
    photo's link; the vertical is read into Cloud's enum. Raises ValueError for a body of another shape."""
    business = OnPremiseBusinessProfileBody.model_validate(business_body).settings.business.profile
    about = OnPremiseAboutBody.model_validate(about_body).settings.profile.about
    return BusinessProfile(
        about=about.text if about else None,
        address=business.address,
        description=business.description,
        email=business.email,
        vertical=cloud_vertical(business.vertical),
        websites=business.websites,
        profile_picture_url=photo_link,
    )


def cloud_profile_update(changes: ProfileChanges) -> dict[str, Any]:
    """`POST /whatsapp_business_profile` with only the fields the PATCH names."""
    return {"messaging_product": "whatsapp", **_written_fields(changes)}


def on_premise_business_update(changes: ProfileChanges) -> dict[str, Any] | None:
    """`POST /v1/settings/business/profile` with only the business fields the PATCH names (On-Premise
    takes partial updates since v2.23), the vertical in On-Premise's words; None when it names none."""
    update = {name: value for name, value in _written_fields(changes).items() if name != "about"}
    if "vertical" in update:
        update["vertical"] = on_premise_vertical(update["vertical"])
    return update or None


def on_premise_about_update(changes: ProfileChanges) -> dict[str, Any] | None:
    """`PATCH /v1/settings/profile/about`: {"text"}; None when the PATCH leaves the about text alone."""
    if "about" not in changes.model_fields_set:
        return None
    return {"text": changes.about}


def _written_fields(changes: ProfileChanges) -> dict[str, Any]:
    """The fields given, a cleared one as "" (websites []). A vertical given as null, "" or UNDEFINED
    is left out: the rules let it through only when none is set, so there is nothing to write."""
    written: dict[str, Any] = {}
    for name in sorted(changes.model_fields_set):
        value = getattr(changes, name)
        if name == "websites":
            written[name] = value or []
        elif name != "vertical" or vertical_is_set(value):
            written[name] = value or ""
    return written
