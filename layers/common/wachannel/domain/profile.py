"""The WhatsApp business profile (reference section 5): what a number shows its customers, the changes
a PATCH asks for, WhatsApp's limits on them, and the business's industry ("vertical") in both API
generations' words. The contract speaks Cloud's enum (`RESTAURANT`); On-Premise keeps Meta's older
free-text list ("Restaurant"), which has no word for some newer verticals.

Clearing: a PATCH clears `address`, `description` or `email` with null or "", and `websites` with null
or []. `about` cannot be removed (WhatsApp wants 1 to 139 characters) and `vertical` cannot go back to
empty (null, "" or UNDEFINED) once set; both are refused rather than quietly skipped."""

from __future__ import annotations

import re
from typing import Final, TypeGuard
from urllib.parse import urlsplit

from pydantic import ConfigDict, Field

from wachannel.models import Model

Problem = dict[str, str]

ABOUT_MAX = 139
ADDRESS_MAX = 256
DESCRIPTION_MAX = 512
EMAIL_MAX = 128
WEBSITES_MAX = 2
WEBSITE_MAX = 256

UNDEFINED = "UNDEFINED"
OTHER = "OTHER"
VERTICALS: Final = (
    UNDEFINED,
    OTHER,
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
)
# Meta lists UNDEFINED as writable, but clients report it refused: it is only how a profile reads before
# a vertical is chosen, so a PATCH may give it only where "none" is accepted.
_CHOOSABLE_VERTICALS: Final = tuple(vertical for vertical in VERTICALS if vertical != UNDEFINED)
# Meta's pre-Cloud list, which On-Premise still takes as free text.
_ON_PREMISE_VERTICALS: Final = {
    OTHER: "Other",
    "AUTO": "Automotive",
    "BEAUTY": "Beauty, Spa and Salon",
    "APPAREL": "Clothing and Apparel",
    "EDU": "Education",
    "ENTERTAIN": "Entertainment",
    "EVENT_PLAN": "Event Planning and Service",
    "FINANCE": "Finance and Banking",
    "GROCERY": "Food and Grocery",
    "GOVT": "Public Service",
    "HOTEL": "Hotel and Lodging",
    "HEALTH": "Medical and Health",
    "NONPROFIT": "Non-profit",
    "PROF_SERVICES": "Professional Services",
    "RETAIL": "Shopping and Retail",
    "TRAVEL": "Travel and Transportation",
    "RESTAURANT": "Restaurant",
}
# On-Premise's own "none chosen yet".
_NO_ON_PREMISE_VERTICAL = ""


def _text_key(text: str) -> str:
    # "Beauty, Spa & Salon", "beauty spa and salon" and "Nonprofit" name the same entries as Meta's list.
    return re.sub(r"[^0-9a-z]", "", text.casefold().replace("&", "and"))


_CLOUD_VERTICALS_BY_TEXT: Final = {_text_key(text): cloud for cloud, text in _ON_PREMISE_VERTICALS.items()}

# Pragmatic, not RFC 5322: a local part, @, and a domain of at least two dot-separated labels.
_EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(?:\.[^@\s.]+)+")


class BusinessProfile(Model):
    """The profile as WhatsApp shows it; `vertical` is Cloud's enum value, whichever generation the
    number uses, and None until the business chooses one."""

    model_config = ConfigDict(frozen=True)

    about: str | None = None
    address: str | None = None
    description: str | None = None
    email: str | None = None
    vertical: str | None = None
    websites: list[str] = Field(default_factory=list)
    profile_picture_url: str | None = None


class ProfileChanges(Model):
    """The fields a PATCH names, and only those: `model_fields_set` tells a field given as null (clear
    it) from a field not given (leave it as it is)."""

    model_config = ConfigDict(frozen=True)

    about: str | None = None
    address: str | None = None
    description: str | None = None
    email: str | None = None
    vertical: str | None = None
    websites: list[str] | None = None

    def applied_to(self, profile: BusinessProfile) -> BusinessProfile:
        """The profile as it reads once the changes are written: a cleared field reads as None
        (websites as []). A vertical given as null, "" or UNDEFINED leaves the current one, because
        the rules allow that only when there is none to clear."""
        update: dict[str, object] = {}
        for name in self.model_fields_set:
            value = getattr(self, name)
            if name == "websites":
                update[name] = value or []
            elif name != "vertical" or vertical_is_set(value):
                update[name] = value or None
        return profile.model_copy(update=update)


def vertical_is_set(vertical: str | None) -> TypeGuard[str]:
    """Whether a business has chosen its vertical: WhatsApp reports "none yet" as UNDEFINED or empty."""
    return vertical not in (None, "", UNDEFINED)


def on_premise_vertical(cloud_vertical: str) -> str:
    """On-Premise's text for a Cloud vertical. UNDEFINED is On-Premise's empty vertical. A vertical the
    old list has no word for (NOT_A_BIZ, ALCOHOL, the gambling ones, OTC_DRUGS) comes out as "Other",
    so reading a profile never fails; before writing one, `on_premise_vertical_problems` refuses them."""
    if not vertical_is_set(cloud_vertical):
        return _NO_ON_PREMISE_VERTICAL
    return _ON_PREMISE_VERTICALS.get(cloud_vertical, _ON_PREMISE_VERTICALS[OTHER])


def cloud_vertical(on_premise_text: str | None) -> str | None:
    """The Cloud vertical for On-Premise's text, ignoring case, spacing and punctuation; None when no
    vertical is chosen (null or blank). Text that is not on Meta's old list is still a choice the
    business made, and the contract speaks only Cloud's enum, so it reads as OTHER."""
    if on_premise_text is None or not on_premise_text.strip():
        return None
    return _CLOUD_VERTICALS_BY_TEXT.get(_text_key(on_premise_text), OTHER)


def on_premise_vertical_problems(changes: ProfileChanges) -> list[Problem]:
    """For a number on the On-Premise API: a vertical its list cannot hold is refused, not written as
    something else."""
    vertical = changes.vertical
    # Outside Cloud's enum is a problem `profile_problems` reports; null, "" or UNDEFINED writes nothing.
    if vertical not in _CHOOSABLE_VERTICALS or vertical in _ON_PREMISE_VERTICALS:
        return []
    return [
        _problem(
            "vertical",
            f"{vertical} can't be set on this number: it uses WhatsApp's On-Premise API, whose list of "
            f"verticals has no such entry. Choose one of {_one_of(tuple(_ON_PREMISE_VERTICALS))}.",
        )
    ]


def profile_problems(changes: ProfileChanges, *, current_vertical: str | None) -> list[Problem]:
    """Every rule the changes break, as {"field", "message"}; [] when they may be written. Only the
    fields the PATCH names are checked."""
    given = changes.model_fields_set
    problems: list[Problem] = []
    if "about" in given:
        problems += _about_problems(changes.about)
    if "address" in given:
        problems += _length_problems(changes.address, ADDRESS_MAX, "address", "address")
    if "description" in given:
        problems += _length_problems(changes.description, DESCRIPTION_MAX, "description", "description")
    if "email" in given:
        problems += _email_problems(changes.email)
    if "websites" in given:
        problems += _websites_problems(changes.websites)
    if "vertical" in given:
        problems += _vertical_problems(changes.vertical, current_vertical)
    return problems


def _problem(field: str, message: str) -> Problem:
    return {"field": field, "message": message}


def _about_problems(about: str | None) -> list[Problem]:
    if about is None:
        return [
            _problem(
                "about",
                f"The about text can't be removed; give a new one of 1 to {ABOUT_MAX} characters instead.",
            )
        ]
    if not about.strip():
        return [_problem("about", f"Give the about text: 1 to {ABOUT_MAX} characters, not only spaces.")]
    return _length_problems(about, ABOUT_MAX, "about", "about text")


def _email_problems(email: str | None) -> list[Problem]:
    if not email:
        return []
    problems = _length_problems(email, EMAIL_MAX, "email", "email address")
    if not _EMAIL.fullmatch(email):
        problems.append(_problem("email", "Give an email address like hello@bakery.example, without spaces."))
    return problems


def _websites_problems(websites: list[str] | None) -> list[Problem]:
    if not websites:
        return []
    problems = []
    if len(websites) > WEBSITES_MAX:
        problems.append(
            _problem(
                "websites",
                f"Give at most {WEBSITES_MAX} websites; remove {len(websites) - WEBSITES_MAX}.",
            )
        )
    for index, website in enumerate(websites):
        field = f"websites.{index}"
        problems += _length_problems(website, WEBSITE_MAX, field, "web address")
        if not _is_web_address(website):
            problems.append(
                _problem(
                    field,
                    "Give a full web address starting with https:// or http://, like https://bakery.example.",
                )
            )
    return problems


def _vertical_problems(vertical: str | None, current_vertical: str | None) -> list[Problem]:
    if not vertical_is_set(vertical) and vertical_is_set(current_vertical):
        return [
            _problem(
                "vertical",
                f"The vertical can't be cleared once set (it is {current_vertical}); "
                "choose another one or leave it out.",
            )
        ]
    if not vertical_is_set(vertical) or vertical in _CHOOSABLE_VERTICALS:
        return []
    if vertical.upper() in _CHOOSABLE_VERTICALS:
        return [_problem("vertical", f"Write {vertical} in capitals: {vertical.upper()}.")]
    return [_problem("vertical", f"Choose the vertical from {_one_of(_CHOOSABLE_VERTICALS)}.")]


def _length_problems(text: str | None, limit: int, field: str, what: str) -> list[Problem]:
    if text is None or len(text) <= limit:
        return []
    return [_problem(field, f"The {what} has {len(text)} characters; shorten it to {limit}.")]


def _is_web_address(url: str) -> bool:
    if not url.startswith(("https://", "http://")) or any(character.isspace() for character in url):
        return False
    try:
        return bool(urlsplit(url).hostname)
    except ValueError:  # an unbalanced [ ] host
        return False


def _one_of(values: tuple[str, ...]) -> str:
    return f"{', '.join(values[:-1])} or {values[-1]}"
