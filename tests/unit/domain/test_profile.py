from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from wachannel.api.profile import ProfileOut, UpdateProfileRequest
from wachannel.dialog360.profile_payloads import (
    cloud_profile_from,
    cloud_profile_update,
    on_premise_about_update,
    on_premise_business_update,
    on_premise_profile_from,
)
from wachannel.domain.profile import (
    VERTICALS,
    BusinessProfile,
    ProfileChanges,
    cloud_vertical,
    on_premise_vertical,
    on_premise_vertical_problems,
    profile_problems,
)

# Reference section 5, as written there.
CLOUD_ENTRY: dict[str, Any] = {
    "messaging_product": "whatsapp",
    "about": "Fresh bread daily",
    "address": "Hauptstr. 1, Berlin",
    "description": "Bakery since 1990",
    "email": "hi@bakery.example",
    "websites": ["https://bakery.example"],
    "vertical": "RESTAURANT",
    "profile_picture_url": "https://pps.whatsapp.net/v/t61/profile.jpg",
}
ON_PREMISE_BUSINESS = {
    "settings": {
        "business": {
            "profile": {
                "address": "Hauptstr. 1, Berlin",
                "description": "Bakery since 1990",
                "email": "hi@bakery.example",
                "vertical": "Restaurant",
                "websites": ["https://bakery.example"],
            }
        }
    },
    "meta": {"api_status": "stable", "version": "v2.45.1"},
}
ON_PREMISE_ABOUT = {"settings": {"profile": {"about": {"text": "Fresh bread daily"}}}}
BAKERY = BusinessProfile(
    about="Fresh bread daily",
    address="Hauptstr. 1, Berlin",
    description="Bakery since 1990",
    email="hi@bakery.example",
    vertical="RESTAURANT",
    websites=["https://bakery.example"],
    profile_picture_url="https://pps.whatsapp.net/v/t61/profile.jpg",
)

ON_PREMISE_TEXT = {
    "UNDEFINED": "",
    "OTHER": "Other",
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
    "NOT_A_BIZ": "Other",
    "ALCOHOL": "Other",
    "ONLINE_GAMBLING": "Other",
    "PHYSICAL_GAMBLING": "Other",
    "OTC_DRUGS": "Other",
}
WITHOUT_ON_PREMISE_WORD = ("NOT_A_BIZ", "ALCOHOL", "ONLINE_GAMBLING", "PHYSICAL_GAMBLING", "OTC_DRUGS")


def _changes(**fields: Any) -> ProfileChanges:
    return ProfileChanges.model_validate(fields)


def _problems(current_vertical: str | None = "RESTAURANT", **fields: Any) -> list[dict[str, str]]:
    return profile_problems(_changes(**fields), current_vertical=current_vertical)


def _fields(problems: list[dict[str, str]]) -> list[str]:
    return [problem["field"] for problem in problems]


# Rules


def test_a_full_valid_change_breaks_no_rule() -> None:
    assert (
        _problems(
            about="Open 7-19 🥐",
            address="Hauptstr. 1, 10115 Berlin",
            description="Bakery since 1990",
            email="hello@bakery.example",
            vertical="GROCERY",
            websites=["https://bakery.example", "http://instagram.com/bakery"],
        )
        == []
    )


def test_only_the_fields_given_are_checked() -> None:
    assert _problems() == []


def test_the_limits_themselves_are_allowed() -> None:
    assert (
        _problems(
            about="a" * 139,
            address="a" * 256,
            description="a" * 512,
            email="a" * 116 + "@bakery.test",
            websites=["https://bakery.example/" + "a" * 233, "https://b.example"],
        )
        == []
    )


@pytest.mark.parametrize(
    ("fields", "field", "message_part"),
    [
        ({"about": None}, "about", "can't be removed"),
        ({"about": ""}, "about", "1 to 139 characters"),
        ({"about": "   "}, "about", "not only spaces"),
        ({"about": "a" * 140}, "about", "140 characters; shorten it to 139"),
        ({"address": "a" * 257}, "address", "shorten it to 256"),
        ({"description": "a" * 513}, "description", "shorten it to 512"),
        ({"email": "bakery.example"}, "email", "like hello@bakery.example"),
        ({"email": "hi@localhost"}, "email", "like hello@bakery.example"),
        ({"email": "hi there@bakery.example"}, "email", "without spaces"),
        ({"email": "a" * 117 + "@bakery.test"}, "email", "129 characters; shorten it to 128"),
        (
            {"websites": ["https://a.example", "https://b.example", "https://c.example"]},
            "websites",
            "at most 2",
        ),
        ({"websites": ["bakery.example"]}, "websites.0", "starting with https:// or http://"),
        ({"websites": ["https://a.example", "ftp://bakery.example"]}, "websites.1", "https://"),
        ({"websites": ["https://"]}, "websites.0", "full web address"),
        ({"websites": [""]}, "websites.0", "full web address"),
        ({"websites": ["https://bakery.example/" + "a" * 234]}, "websites.0", "shorten it to 256"),
        ({"vertical": "restaurant"}, "vertical", "in capitals: RESTAURANT"),
        ({"vertical": "BAKERY"}, "vertical", "Choose the vertical from OTHER, AUTO"),
        ({"vertical": "undefined"}, "vertical", "Choose the vertical from OTHER, AUTO"),
    ],
)
def test_each_rule_names_its_field_and_what_to_do(
    fields: dict[str, Any], field: str, message_part: str
) -> None:
    problems = _problems(**fields)

    assert _fields(problems) == [field]
    assert message_part in problems[0]["message"]


def test_every_broken_rule_is_reported_at_once() -> None:
    problems = _problems(
        about=None,
        address="a" * 300,
        description="a" * 600,
        email="not-an-address" + "a" * 128,
        vertical=None,
        websites=["https://a.example", "mailto:hi@bakery.example", "https://c.example"],
    )

    assert _fields(problems) == [
        "about",
        "address",
        "description",
        "email",
        "email",
        "websites",
        "websites.1",
        "vertical",
    ]


@pytest.mark.parametrize("cleared", [None, "", "UNDEFINED"])
def test_a_vertical_once_set_cannot_be_cleared(cleared: str | None) -> None:
    problems = _problems(current_vertical="RESTAURANT", vertical=cleared)

    assert problems == [
        {
            "field": "vertical",
            "message": "The vertical can't be cleared once set (it is RESTAURANT); "
            "choose another one or leave it out.",
        }
    ]


@pytest.mark.parametrize("current", [None, "", "UNDEFINED"])
@pytest.mark.parametrize("given", [None, "", "UNDEFINED"])
def test_an_unset_vertical_may_stay_unset(current: str | None, given: str | None) -> None:
    assert _problems(current_vertical=current, vertical=given) == []


def test_a_vertical_may_change_to_another() -> None:
    assert _problems(current_vertical="RESTAURANT", vertical="GROCERY") == []


@pytest.mark.parametrize(
    ("field", "cleared"),
    [
        *[(field, cleared) for field in ("address", "description", "email") for cleared in (None, "")],
        ("websites", None),
        ("websites", []),
    ],
)
def test_address_description_email_and_websites_may_be_cleared(field: str, cleared: Any) -> None:
    assert _problems(**{field: cleared}) == []


@pytest.mark.parametrize("vertical", WITHOUT_ON_PREMISE_WORD)
def test_on_premise_refuses_a_vertical_its_list_cannot_hold(vertical: str) -> None:
    problems = on_premise_vertical_problems(_changes(vertical=vertical))

    assert _fields(problems) == ["vertical"]
    assert problems[0]["message"].startswith(f"{vertical} can't be set on this number")
    assert "OTHER, AUTO" in problems[0]["message"]


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"about": "Open 7-19"},
        {"vertical": "RESTAURANT"},
        {"vertical": "OTHER"},
        {"vertical": "UNDEFINED"},
        {"vertical": None},
        {"vertical": "BAKERY"},
    ],
)
def test_on_premise_takes_every_other_vertical(changes: dict[str, Any]) -> None:
    assert on_premise_vertical_problems(_changes(**changes)) == []


# Verticals in both generations' words


def test_every_vertical_has_on_premise_text() -> None:
    assert set(ON_PREMISE_TEXT) == set(VERTICALS)


@pytest.mark.parametrize(("cloud", "text"), ON_PREMISE_TEXT.items())
def test_a_cloud_vertical_in_on_premise_words(cloud: str, text: str) -> None:
    assert on_premise_vertical(cloud) == text


@pytest.mark.parametrize(
    "cloud", [vertical for vertical in VERTICALS if ON_PREMISE_TEXT[vertical] != "Other"]
)
def test_on_premise_text_reads_back_as_the_same_vertical(cloud: str) -> None:
    expected = None if cloud == "UNDEFINED" else cloud

    assert cloud_vertical(on_premise_vertical(cloud)) == expected


@pytest.mark.parametrize("cloud", [*WITHOUT_ON_PREMISE_WORD, "OTHER"])
def test_verticals_written_as_other_read_back_as_other(cloud: str) -> None:
    assert cloud_vertical(on_premise_vertical(cloud)) == "OTHER"


@pytest.mark.parametrize(
    ("text", "cloud"),
    [
        ("  restaurant ", "RESTAURANT"),
        ("BEAUTY, SPA AND SALON", "BEAUTY"),
        ("Beauty, Spa & Salon", "BEAUTY"),
        ("Event  Planning and   Service", "EVENT_PLAN"),
        ("Nonprofit", "NONPROFIT"),
        ("Bakery", "OTHER"),
        ("", None),
        ("   ", None),
        (None, None),
    ],
)
def test_on_premise_text_is_read_loosely(text: str | None, cloud: str | None) -> None:
    assert cloud_vertical(text) == cloud


# Changes applied to a profile


def test_changes_apply_only_the_fields_given_and_clear_with_null_or_empty() -> None:
    changed = _changes(
        about="Open 7-19", address=None, email="", websites=None, vertical="GROCERY"
    ).applied_to(BAKERY)

    assert changed == BAKERY.model_copy(
        update={"about": "Open 7-19", "address": None, "email": None, "websites": [], "vertical": "GROCERY"}
    )


@pytest.mark.parametrize("given", [None, "", "UNDEFINED"])
def test_a_vertical_given_empty_leaves_the_current_one(given: str | None) -> None:
    assert _changes(vertical=given).applied_to(BAKERY).vertical == "RESTAURANT"


# Reading 360dialog's bodies


def test_cloud_profile_in_metas_data_wrapper() -> None:
    assert cloud_profile_from({"data": [CLOUD_ENTRY]}) == BAKERY


def test_cloud_profile_unwrapped() -> None:
    assert cloud_profile_from(CLOUD_ENTRY) == BAKERY


def test_cloud_profile_with_fields_missing_empty_or_unknown() -> None:
    body = {
        "messaging_product": "whatsapp",
        "about": "Hi",
        "email": "",
        "websites": None,
        "vertical": "UNDEFINED",
        "id": "1234",
    }

    assert cloud_profile_from({"data": [body]}) == BusinessProfile(about="Hi")


@pytest.mark.parametrize(
    "body",
    [
        None,
        "Fresh bread daily",
        [CLOUD_ENTRY],
        {},
        {"data": []},
        {"data": "nothing"},
        {"success": True},
        {"error": {"message": "Invalid parameter", "code": 100}},
        {"messaging_product": "whatsapp", "websites": "https://bakery.example"},
    ],
)
def test_a_body_that_is_no_cloud_profile_is_an_error(body: object) -> None:
    with pytest.raises(ValueError, match=r"."):
        cloud_profile_from(body)


def test_on_premise_profile_from_its_two_settings_and_the_photo_link() -> None:
    profile = on_premise_profile_from(
        ON_PREMISE_BUSINESS, ON_PREMISE_ABOUT, "https://pps.whatsapp.net/v/t61/profile.jpg"
    )

    assert profile == BAKERY


def test_on_premise_profile_with_nothing_filled_in() -> None:
    business = {"settings": {"business": {"profile": {"vertical": "", "email": "", "websites": None}}}}
    about: dict[str, Any] = {"settings": {"profile": {}}}

    assert on_premise_profile_from(business, about, None) == BusinessProfile()


def test_on_premise_vertical_outside_the_old_list_reads_as_other() -> None:
    business = {"settings": {"business": {"profile": {"vertical": "Bakery"}}}}

    assert on_premise_profile_from(business, ON_PREMISE_ABOUT, None).vertical == "OTHER"


@pytest.mark.parametrize(
    ("business", "about"),
    [
        ({"settings": {"business": {}}}, ON_PREMISE_ABOUT),
        ({"address": "Hauptstr. 1"}, ON_PREMISE_ABOUT),
        (ON_PREMISE_BUSINESS, {"about": {"text": "Hi"}}),
        (ON_PREMISE_BUSINESS, None),
    ],
)
def test_on_premise_bodies_of_another_shape_are_an_error(business: object, about: object) -> None:
    with pytest.raises(ValueError, match=r"."):
        on_premise_profile_from(business, about, None)


# Building the update bodies


def test_cloud_update_carries_only_the_fields_given() -> None:
    update = cloud_profile_update(_changes(about="Open 7-19", websites=["https://bakery.example"]))

    assert update == {
        "messaging_product": "whatsapp",
        "about": "Open 7-19",
        "websites": ["https://bakery.example"],
    }


def test_cloud_update_clears_with_empty_values() -> None:
    update = cloud_profile_update(_changes(address=None, description="", email=None, websites=None))

    assert update == {
        "messaging_product": "whatsapp",
        "address": "",
        "description": "",
        "email": "",
        "websites": [],
    }


def test_cloud_update_writes_a_vertical_and_leaves_out_an_empty_one() -> None:
    assert cloud_profile_update(_changes(vertical="GROCERY")) == {
        "messaging_product": "whatsapp",
        "vertical": "GROCERY",
    }
    assert cloud_profile_update(_changes(vertical=None)) == {"messaging_product": "whatsapp"}
    assert cloud_profile_update(_changes(vertical="UNDEFINED")) == {"messaging_product": "whatsapp"}


def test_on_premise_business_update_carries_only_the_business_fields_given() -> None:
    update = on_premise_business_update(_changes(email=None, vertical="HOTEL", about="Open 7-19"))

    assert update == {"email": "", "vertical": "Hotel and Lodging"}


def test_on_premise_business_update_clears_with_empty_values() -> None:
    update = on_premise_business_update(_changes(address="", description=None, websites=[]))

    assert update == {"address": "", "description": "", "websites": []}


def test_on_premise_business_update_leaves_out_an_empty_vertical() -> None:
    assert on_premise_business_update(_changes(vertical=None, address="Markt 2")) == {"address": "Markt 2"}
    assert on_premise_business_update(_changes(vertical="")) is None


def test_on_premise_business_update_is_none_when_only_about_changes() -> None:
    assert on_premise_business_update(_changes(about="Open 7-19")) is None
    assert on_premise_business_update(_changes()) is None


def test_on_premise_about_update() -> None:
    assert on_premise_about_update(_changes(about="Open 7-19")) == {"text": "Open 7-19"}
    assert on_premise_about_update(_changes(email="hi@bakery.example")) is None


# The HTTP contract's shapes


def test_a_patch_body_tells_null_from_not_given() -> None:
    request = UpdateProfileRequest.model_validate({"address": None, "vertical": "HOTEL"})

    changes = request.changes()

    assert changes.model_fields_set == {"address", "vertical"}
    assert cloud_profile_update(changes) == {
        "messaging_product": "whatsapp",
        "address": "",
        "vertical": "HOTEL",
    }


@pytest.mark.parametrize(
    "body",
    [
        {"last_synced_at": "2026-11-24T10:00:00Z"},
        {"profile_picture_url": "https://pps.whatsapp.net/x.jpg"},
        {"about": 42},
        {"about": "a" * 2001},
        {"websites": "https://bakery.example"},
        {"websites": ["https://bakery.example"] * 11},
    ],
)
def test_a_patch_body_refuses_other_fields_and_unbounded_input(body: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        UpdateProfileRequest.model_validate(body)


def test_a_profile_never_synced_answers_empty() -> None:
    assert ProfileOut.of(None, None).model_dump(mode="json") == {
        "about": None,
        "address": None,
        "description": None,
        "email": None,
        "vertical": None,
        "websites": [],
        "profile_picture_url": None,
        "last_synced_at": None,
    }


def test_a_synced_profile_answers_with_its_sync_time() -> None:
    synced = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)

    assert ProfileOut.of(BAKERY, synced).model_dump(mode="json") == {
        "about": "Fresh bread daily",
        "address": "Hauptstr. 1, Berlin",
        "description": "Bakery since 1990",
        "email": "hi@bakery.example",
        "vertical": "RESTAURANT",
        "websites": ["https://bakery.example"],
        "profile_picture_url": "https://pps.whatsapp.net/v/t61/profile.jpg",
        "last_synced_at": "2026-11-24T10:00:00Z",
    }
