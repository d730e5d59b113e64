"""Business profiles of the simulated numbers (reference section 5): what is stored, the verticals each
generation accepts, and the store shared by the server's event loop and other threads."""

import threading
from collections.abc import Callable
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictStr

from infra.local.simulator.media import MediaFile
from infra.local.simulator.models import ApiGeneration, SimulatedNumber

INITIAL_ABOUT = "Available"


class BusinessProfile(BaseModel):
    """A number's business profile, its vertical in its generation's words: Meta's enum on Cloud, the old
    free-text list On-Premise. An empty field is one never filled in, or cleared."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    about: StrictStr = ""
    address: StrictStr = ""
    description: StrictStr = ""
    email: StrictStr = ""
    vertical: StrictStr = ""
    websites: list[StrictStr] = Field(default_factory=list)
    profile_picture_url: StrictStr = ""


PROFILE_FIELDS = tuple(BusinessProfile.model_fields)


class ProfileShape(BaseModel):
    """Whether Cloud's `GET /whatsapp_business_profile` answers inside Meta's `data` list or unwrapped:
    whether 360dialog unwraps it is unconfirmed."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    cloud_data_wrapper: StrictBool = True


@dataclass(frozen=True)
class Verticals:
    """The verticals a generation accepts on writes, what a profile reads before one is chosen, and
    what a new number starts with."""

    accepted: tuple[str, ...]
    unset: str
    initial: str


# Meta's docs also list UNDEFINED as writable, but public clients report Meta refusing it with the enum
# error: it is only what a profile reads before a vertical is chosen.
CLOUD_VERTICALS = Verticals(
    accepted=(
        "OTHER",
        "AUTO",
        "BEAUTY",
        "APPAREL",
        "EDU",
        "ENTERTAIN",
        "EVENT_PLAN",
        "FINANCE",
        "GROCERY",
        "GOVT",
        "HOTEL",
        "HEALTH",
        "NONPROFIT",
        "PROF_SERVICES",
        "RETAIL",
        "TRAVEL",
        "RESTAURANT",
        "NOT_A_BIZ",
        "ALCOHOL",
        "ONLINE_GAMBLING",
        "PHYSICAL_GAMBLING",
        "OTC_DRUGS",
    ),
    unset="UNDEFINED",
    initial="UNDEFINED",
)
ON_PREMISE_VERTICALS = Verticals(
    accepted=(
        "Automotive",
        "Beauty, Spa and Salon",
        "Clothing and Apparel",
        "Education",
        "Entertainment",
        "Event Planning and Service",
        "Finance and Banking",
        "Food and Grocery",
        "Public Service",
        "Hotel and Lodging",
        "Medical and Health",
        "Non-profit",
        "Professional Services",
        "Shopping and Retail",
        "Travel and Transportation",
        "Restaurant",
        "Other",
    ),
    unset="",
    initial="Other",
)
VERTICALS: dict[ApiGeneration, Verticals] = {"cloud": CLOUD_VERTICALS, "on_premise": ON_PREMISE_VERTICALS}


def initial_profile(generation: ApiGeneration) -> BusinessProfile:
    return BusinessProfile(about=INITIAL_ABOUT, vertical=VERTICALS[generation].initial)


class ProfileStore:
    """Each number's business profile, its photo's bytes and the shape Cloud reads it in; a number never
    changed shows its generation's initial profile. Every method is safe to call from any thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._profiles: dict[str, BusinessProfile] = {}
        self._photos: dict[str, MediaFile] = {}
        self._shapes: dict[str, ProfileShape] = {}

    def profile(self, number: SimulatedNumber) -> BusinessProfile:
        with self._lock:
            return self._stored_profile(number)

    def change(
        self,
        number: SimulatedNumber,
        change: Callable[[BusinessProfile], BusinessProfile],
        photo: MediaFile | None = None,
    ) -> BusinessProfile:
        """Applies `change`, and keeps a new `photo`, under the lock, so that what it checks (a vertical
        once chosen stays) is the profile it changes; if it raises, the profile stays as it was."""
        with self._lock:
            changed = change(self._stored_profile(number))
            self._profiles[number.phone_number] = changed
            if photo is not None:
                self._photos[number.phone_number] = photo
        return changed

    def photo(self, phone_number: str) -> MediaFile | None:
        """The bytes of the photo last uploaded; a picture URL set through the admin API has none."""
        with self._lock:
            return self._photos.get(phone_number)

    def shape(self, phone_number: str) -> ProfileShape:
        with self._lock:
            return self._shapes.get(phone_number, ProfileShape())

    def set_shape(self, phone_number: str, shape: ProfileShape) -> None:
        with self._lock:
            self._shapes[phone_number] = shape

    def clear(self) -> None:
        with self._lock:
            self._profiles.clear()
            self._photos.clear()
            self._shapes.clear()

    def _stored_profile(self, number: SimulatedNumber) -> BusinessProfile:
        stored = self._profiles.get(number.phone_number)
        return initial_profile(number.api_generation) if stored is None else stored
