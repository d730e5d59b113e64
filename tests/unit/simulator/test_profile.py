from typing import Any

import httpx
import pytest
from starlette.testclient import TestClient

from infra.local.simulator import SimulatedNumber
from tests.unit.simulator.support import (
    INVALID_API_KEY_BODY,
    ON_PREMISE_META,
    key_header,
    meta_error,
    on_premise_error,
)

CLOUD_PATH = "/whatsapp_business_profile"
ON_PREMISE_PATH = "/v1/settings/business/profile"
ABOUT_PATH = "/v1/settings/profile/about"
PHOTO_LINK_PATH = "/v1/settings/profile/photo?format=link"
ON_PREMISE_REQUESTS = [
    ("GET", ON_PREMISE_PATH),
    ("POST", ON_PREMISE_PATH),
    ("GET", ABOUT_PATH),
    ("PATCH", ABOUT_PATH),
    ("GET", PHOTO_LINK_PATH),
]
CLOUD_REQUESTS = [("GET", CLOUD_PATH), ("POST", CLOUD_PATH)]
CLOUD_ENUM_START = "(#100) Param vertical must be one of {OTHER, AUTO, BEAUTY,"
BAKERY = {
    "about": "Fresh bread daily",
    "address": "Hauptstr. 1, Berlin",
    "description": "Bakery since 1990",
    "email": "hi@bakery.example",
    "websites": ["https://bakery.example", "http://shop.bakery.example"],
}
CLOUD_BAKERY = {**BAKERY, "vertical": "RESTAURANT"}
ON_PREMISE_BAKERY = {key: value for key, value in BAKERY.items() if key != "about"} | {
    "vertical": "Restaurant"
}
# Each breaks one of Meta's rules for a field both generations write.
INVALID_SHARED_FIELDS = [
    ("address", "a" * 257),
    ("description", "a" * 513),
    ("email", "not-an-email"),
    ("email", "a" * 117 + "@example.com"),
    ("websites", ["https://a.example", "https://b.example", "https://c.example"]),
    ("websites", ["https://example.com/" + "a" * 237]),
    ("websites", ["www.example.com"]),
]


def cloud_update(client: TestClient, number: SimulatedNumber, **fields: Any) -> httpx.Response:
    return client.post(
        CLOUD_PATH, headers=key_header(number), json={"messaging_product": "whatsapp", **fields}
    )


def cloud_profile(client: TestClient, number: SimulatedNumber, fields: str | None = None) -> dict[str, Any]:
    """The profile a Cloud number reads, out of Meta's `data` list."""
    params = {} if fields is None else {"fields": fields}
    response = client.get(CLOUD_PATH, headers=key_header(number), params=params)
    assert response.status_code == 200
    [profile] = response.json()["data"]
    return dict(profile)


def on_premise_profile(client: TestClient, number: SimulatedNumber) -> dict[str, Any]:
    response = client.get(ON_PREMISE_PATH, headers=key_header(number))
    assert response.status_code == 200
    return dict(response.json()["settings"]["business"]["profile"])


def stored_profile(client: TestClient, number: SimulatedNumber) -> dict[str, Any]:
    response = client.get(f"/_admin/numbers/{number.phone_number}/profile")
    assert response.status_code == 200
    return dict(response.json())


def cloud_invalid_parameter(response: httpx.Response) -> str:
    """The details of Meta's plain "Invalid parameter" refusal."""
    assert response.status_code == 400
    error = meta_error(response.json())
    assert (error["code"], error["message"]) == (100, "(#100) Invalid parameter")
    return str(error["error_data"]["details"])


def on_premise_invalid_parameter(response: httpx.Response) -> str:
    assert response.status_code == 400
    error = on_premise_error(response.json())
    assert (error["code"], error["title"]) == (1009, "Parameter value is not valid")
    return str(error["details"])


def test_a_cloud_number_starts_with_a_default_profile_in_meta_data_list(
    client: TestClient, cloud_number: SimulatedNumber
) -> None:
    response = client.get(CLOUD_PATH, headers=key_header(cloud_number))

    assert response.status_code == 200
    assert response.json() == {
        "data": [{"messaging_product": "whatsapp", "about": "Available", "vertical": "UNDEFINED"}]
    }


def test_the_profile_shape_switch_unwraps_the_cloud_answer(
    client: TestClient, cloud_number: SimulatedNumber
) -> None:
    switched = client.put(
        f"/_admin/numbers/{cloud_number.phone_number}/profile-shape", json={"cloud_data_wrapper": False}
    )

    response = client.get(CLOUD_PATH, headers=key_header(cloud_number), params={"fields": "about"})

    assert switched.json() == {"cloud_data_wrapper": False}
    assert response.json() == {"messaging_product": "whatsapp", "about": "Available"}


def test_fields_limits_the_cloud_answer_to_the_fields_asked_for(
    client: TestClient, cloud_number: SimulatedNumber
) -> None:
    cloud_update(client, cloud_number, **CLOUD_BAKERY)

    profile = cloud_profile(client, cloud_number, "websites, about")

    assert profile == {
        "messaging_product": "whatsapp",
        "about": "Fresh bread daily",
        "websites": ["https://bakery.example", "http://shop.bakery.example"],
    }


def test_a_cloud_read_of_an_unknown_field_is_refused(
    client: TestClient, cloud_number: SimulatedNumber
) -> None:
    response = client.get(CLOUD_PATH, headers=key_header(cloud_number), params={"fields": "about,phone"})

    assert "phone" in cloud_invalid_parameter(response)


def test_a_cloud_update_answers_success_and_is_read_back(
    client: TestClient, cloud_number: SimulatedNumber
) -> None:
    response = cloud_update(client, cloud_number, **CLOUD_BAKERY)

    assert response.status_code == 200
    assert response.json() == {"success": True}
    assert cloud_profile(client, cloud_number) == {"messaging_product": "whatsapp", **CLOUD_BAKERY}
    assert stored_profile(client, cloud_number) == {**CLOUD_BAKERY, "profile_picture_url": ""}


def test_a_cloud_update_changes_only_the_fields_it_names(
    client: TestClient, cloud_number: SimulatedNumber
) -> None:
    cloud_update(client, cloud_number, **CLOUD_BAKERY)

    cloud_update(client, cloud_number, about="Open 7-19")

    assert cloud_profile(client, cloud_number) == {
        "messaging_product": "whatsapp",
        **CLOUD_BAKERY,
        "about": "Open 7-19",
    }


def test_empty_values_clear_fields_and_cloud_leaves_them_out(
    client: TestClient, cloud_number: SimulatedNumber
) -> None:
    cloud_update(client, cloud_number, **CLOUD_BAKERY)

    response = cloud_update(client, cloud_number, address="", email="", websites=[])

    assert response.status_code == 200
    assert cloud_profile(client, cloud_number) == {
        "messaging_product": "whatsapp",
        "about": "Fresh bread daily",
        "description": "Bakery since 1990",
        "vertical": "RESTAURANT",
    }


def test_a_cloud_update_without_messaging_product_is_refused(
    client: TestClient, cloud_number: SimulatedNumber
) -> None:
    response = client.post(CLOUD_PATH, headers=key_header(cloud_number), json={"about": "Open 7-19"})

    assert response.status_code == 400
    error = meta_error(response.json())
    assert (error["code"], error["message"]) == (100, "(#100) The parameter messaging_product is required.")
    assert cloud_profile(client, cloud_number)["about"] == "Available"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("about", ""),
        ("about", "a" * 140),
        *INVALID_SHARED_FIELDS,
        ("profile_picture_handle", "upload:MTphdHRh"),
        ("nickname", "Bakery"),
    ],
)
def test_a_cloud_update_breaking_a_rule_is_refused_and_changes_nothing(
    client: TestClient, cloud_number: SimulatedNumber, field: str, value: Any
) -> None:
    before = stored_profile(client, cloud_number)

    response = cloud_update(client, cloud_number, **{"description": "Bakery", field: value})

    assert cloud_invalid_parameter(response).startswith(field)
    assert stored_profile(client, cloud_number) == before


@pytest.mark.parametrize("vertical", ["BAKERY", "Restaurant", "UNDEFINED"])
def test_a_cloud_vertical_outside_meta_enum_is_refused_with_the_enum(
    client: TestClient, cloud_number: SimulatedNumber, vertical: str
) -> None:
    response = cloud_update(client, cloud_number, vertical=vertical)

    assert response.status_code == 400
    error = meta_error(response.json())
    assert error["code"] == 100
    assert error["message"].startswith(CLOUD_ENUM_START)
    assert error["message"].endswith(f'OTC_DRUGS}} - got "{vertical}".')


def test_a_chosen_cloud_vertical_cannot_be_emptied(client: TestClient, cloud_number: SimulatedNumber) -> None:
    cloud_update(client, cloud_number, vertical="RETAIL")

    response = cloud_update(client, cloud_number, vertical="")

    assert response.status_code == 400
    error = meta_error(response.json())
    assert error["message"].startswith(CLOUD_ENUM_START)
    assert error["error_data"]["details"] == "vertical cannot be set back to empty once chosen"
    assert cloud_profile(client, cloud_number, "vertical")["vertical"] == "RETAIL"


def test_an_empty_cloud_vertical_changes_nothing_while_none_is_chosen(
    client: TestClient, cloud_number: SimulatedNumber
) -> None:
    response = cloud_update(client, cloud_number, vertical="")

    assert response.status_code == 200
    assert cloud_profile(client, cloud_number, "vertical")["vertical"] == "UNDEFINED"


def test_an_on_premise_number_starts_with_a_vertical_from_the_old_list(
    client: TestClient, on_premise_number: SimulatedNumber
) -> None:
    response = client.get(ON_PREMISE_PATH, headers=key_header(on_premise_number))

    assert response.status_code == 200
    assert response.json() == {
        "settings": {
            "business": {
                "profile": {
                    "address": "",
                    "description": "",
                    "email": "",
                    "vertical": "Other",
                    "websites": [],
                }
            }
        },
        "meta": ON_PREMISE_META,
    }


def test_an_on_premise_update_is_read_back(client: TestClient, on_premise_number: SimulatedNumber) -> None:
    response = client.post(ON_PREMISE_PATH, headers=key_header(on_premise_number), json=ON_PREMISE_BAKERY)

    assert response.status_code == 200
    assert response.json() == {"meta": ON_PREMISE_META}
    assert on_premise_profile(client, on_premise_number) == ON_PREMISE_BAKERY


@pytest.mark.parametrize(
    ("field", "value"),
    [*INVALID_SHARED_FIELDS, ("about", "Fresh bread daily"), ("messaging_product", "whatsapp")],
)
def test_an_on_premise_update_breaking_a_rule_is_refused_and_changes_nothing(
    client: TestClient, on_premise_number: SimulatedNumber, field: str, value: Any
) -> None:
    response = client.post(
        ON_PREMISE_PATH, headers=key_header(on_premise_number), json={"description": "Bakery", field: value}
    )

    assert on_premise_invalid_parameter(response).startswith(field)
    assert on_premise_profile(client, on_premise_number)["description"] == ""


@pytest.mark.parametrize("vertical", ["RESTAURANT", "restaurant", "Bakery"])
def test_an_on_premise_vertical_outside_the_old_list_is_refused_with_the_list(
    client: TestClient, on_premise_number: SimulatedNumber, vertical: str
) -> None:
    response = client.post(
        ON_PREMISE_PATH, headers=key_header(on_premise_number), json={"vertical": vertical}
    )

    details = on_premise_invalid_parameter(response)
    assert details.startswith("Param vertical must be one of {Automotive, Beauty, Spa and Salon,")
    assert details.endswith(f'Other}} - got "{vertical}".')


def test_a_chosen_on_premise_vertical_cannot_be_emptied(
    client: TestClient, on_premise_number: SimulatedNumber
) -> None:
    response = client.post(ON_PREMISE_PATH, headers=key_header(on_premise_number), json={"vertical": ""})

    assert on_premise_invalid_parameter(response) == "vertical cannot be set back to empty once chosen"
    assert on_premise_profile(client, on_premise_number)["vertical"] == "Other"


def test_on_premise_about_starts_with_the_default_and_is_read_back(
    client: TestClient, on_premise_number: SimulatedNumber
) -> None:
    initial = client.get(ABOUT_PATH, headers=key_header(on_premise_number))

    changed = client.patch(ABOUT_PATH, headers=key_header(on_premise_number), json={"text": "Open 7-19"})

    assert initial.json() == {
        "settings": {"profile": {"about": {"text": "Available"}}},
        "meta": ON_PREMISE_META,
    }
    assert changed.status_code == 200
    assert changed.json() == {"meta": ON_PREMISE_META}
    read_back = client.get(ABOUT_PATH, headers=key_header(on_premise_number)).json()
    assert read_back["settings"]["profile"]["about"] == {"text": "Open 7-19"}


@pytest.mark.parametrize("text", ["", "a" * 140])
def test_an_on_premise_about_of_the_wrong_length_is_refused(
    client: TestClient, on_premise_number: SimulatedNumber, text: str
) -> None:
    response = client.patch(ABOUT_PATH, headers=key_header(on_premise_number), json={"text": text})

    assert on_premise_invalid_parameter(response).startswith("text")


def test_an_on_premise_about_without_text_is_refused(
    client: TestClient, on_premise_number: SimulatedNumber
) -> None:
    response = client.patch(ABOUT_PATH, headers=key_header(on_premise_number), json={})

    assert response.status_code == 400
    assert on_premise_error(response.json()) == {
        "code": 1008,
        "title": "Required parameter is missing",
        "details": "text is required",
    }


def test_an_on_premise_photo_link_is_not_found_until_a_photo_is_set(
    client: TestClient, on_premise_number: SimulatedNumber
) -> None:
    missing = client.get(PHOTO_LINK_PATH, headers=key_header(on_premise_number))
    link = "https://pps.whatsapp.net/v/t61.24694-24/1_2_n.jpg"
    client.put(
        f"/_admin/numbers/{on_premise_number.phone_number}/profile", json={"profile_picture_url": link}
    )

    found = client.get(PHOTO_LINK_PATH, headers=key_header(on_premise_number))

    assert missing.status_code == 404
    assert on_premise_error(missing.json())["code"] == 1006
    assert found.json() == {"settings": {"profile": {"photo": {"link": link}}}, "meta": ON_PREMISE_META}


def test_an_on_premise_photo_set_only_as_a_link_has_no_bytes(
    client: TestClient, on_premise_number: SimulatedNumber
) -> None:
    link = "https://pps.whatsapp.net/v/t61.24694-24/1_2_n.jpg"
    client.put(
        f"/_admin/numbers/{on_premise_number.phone_number}/profile", json={"profile_picture_url": link}
    )

    response = client.get("/v1/settings/profile/photo", headers=key_header(on_premise_number))

    assert response.status_code == 404
    assert on_premise_error(response.json())["code"] == 1006


@pytest.mark.parametrize(("method", "path"), ON_PREMISE_REQUESTS)
def test_a_cloud_key_finds_no_on_premise_profile_paths(
    client: TestClient, cloud_number: SimulatedNumber, method: str, path: str
) -> None:
    response = client.request(method, path, headers=key_header(cloud_number), json={"text": "Hi"})

    assert response.status_code == 404
    assert meta_error(response.json())["message"] == "(#100) Unsupported request"


@pytest.mark.parametrize(("method", "path"), CLOUD_REQUESTS)
def test_an_on_premise_key_finds_no_cloud_profile_path(
    client: TestClient, on_premise_number: SimulatedNumber, method: str, path: str
) -> None:
    response = client.request(
        method, path, headers=key_header(on_premise_number), json={"messaging_product": "whatsapp"}
    )

    assert response.status_code == 404
    assert on_premise_error(response.json())["code"] == 1006


@pytest.mark.parametrize(("method", "path"), CLOUD_REQUESTS + ON_PREMISE_REQUESTS)
def test_a_wrong_key_is_refused_by_the_gateway(
    client: TestClient, cloud_number: SimulatedNumber, method: str, path: str
) -> None:
    response = client.request(method, path, headers={"D360-API-KEY": "not-a-key"}, json={"text": "Hi"})

    assert response.status_code == 401
    assert response.json() == INVALID_API_KEY_BODY


def test_the_admin_stores_profile_fields_as_given(client: TestClient, cloud_number: SimulatedNumber) -> None:
    response = client.put(
        f"/_admin/numbers/{cloud_number.phone_number}/profile", json={"about": "", "vertical": "Bakery"}
    )

    assert response.status_code == 200
    assert response.json() == stored_profile(client, cloud_number)
    assert cloud_profile(client, cloud_number) == {"messaging_product": "whatsapp", "vertical": "Bakery"}


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/profile", {"about": 7}),
        ("/profile", {"websites": "https://bakery.example"}),
        ("/profile", {"nickname": "Bakery"}),
        ("/profile-shape", {"cloud_data_wrapper": "no"}),
    ],
)
def test_the_admin_refuses_a_malformed_profile(
    client: TestClient, cloud_number: SimulatedNumber, path: str, body: dict[str, Any]
) -> None:
    response = client.put(f"/_admin/numbers/{cloud_number.phone_number}{path}", json=body)

    assert response.status_code == 400
    assert response.json()["error"] == "invalid request body"


@pytest.mark.parametrize(
    ("method", "path"), [("GET", "/profile"), ("PUT", "/profile"), ("PUT", "/profile-shape")]
)
def test_the_admin_knows_no_profile_of_an_unknown_number(client: TestClient, method: str, path: str) -> None:
    response = client.request(method, f"/_admin/numbers/4915100000000{path}", json={})

    assert response.status_code == 404
    assert response.json() == {"error": "no number 4915100000000"}


def test_reset_forgets_profiles(client: TestClient, cloud_number: SimulatedNumber) -> None:
    cloud_update(client, cloud_number, **CLOUD_BAKERY)
    client.put(
        f"/_admin/numbers/{cloud_number.phone_number}/profile-shape", json={"cloud_data_wrapper": False}
    )
    client.post("/_admin/reset")
    client.post(
        "/_admin/numbers",
        json={
            "phone_number": cloud_number.phone_number,
            "api_generation": "cloud",
            "api_key": cloud_number.api_key,
        },
    )

    response = client.get(CLOUD_PATH, headers=key_header(cloud_number))

    assert response.json() == {
        "data": [{"messaging_product": "whatsapp", "about": "Available", "vertical": "UNDEFINED"}]
    }


def test_faults_and_the_request_log_cover_the_profile(
    client: TestClient, cloud_number: SimulatedNumber
) -> None:
    client.post("/_admin/faults", json={"path_prefix": CLOUD_PATH, "method": "POST", "status": 503})

    faulted = cloud_update(client, cloud_number, about="Open 7-19")
    retried = cloud_update(client, cloud_number, about="Open 7-19")

    assert faulted.status_code == 503
    assert meta_error(faulted.json())["code"] == 2
    assert retried.json() == {"success": True}
    logged = client.get("/_admin/requests", params={"path_prefix": CLOUD_PATH}).json()
    assert [(call["method"], call["status"]) for call in logged] == [("POST", 503), ("POST", 200)]
    assert logged[0]["body"] == {"messaging_product": "whatsapp", "about": "Open 7-19"}
