import pytest
from starlette.testclient import TestClient

from infra.local.simulator import SimulatorState
from tests.unit.simulator.support import INVALID_API_KEY_BODY, PARTNER_API_KEY, PARTNER_ID

NUMBER_FIELDS = {
    "phone_number",
    "api_generation",
    "api_key",
    "api_key_id",
    "app_id",
    "partner_channel_id",
    "client_id",
    "waba_account_id",
    "phone_number_id",
    "waba_id",
    "phone_name",
    "template_namespace",
    "webhook",
    "health",
}


def test_a_created_number_gets_a_key_and_a_channel(client: TestClient) -> None:
    response = client.post(
        "/_admin/numbers", json={"phone_number": "4915112345678", "api_generation": "cloud"}
    )

    assert response.status_code == 201
    number = response.json()
    assert set(number) == NUMBER_FIELDS
    assert (number["phone_number"], number["api_generation"]) == ("4915112345678", "cloud")
    assert len(number["api_key"]) >= 32
    assert number["partner_channel_id"].startswith("ch_")
    assert number["webhook"] is None
    assert number["health"] == {"can_send_message": "AVAILABLE", "additional_info": [], "errors": []}
    assert client.get("/health_status", headers={"D360-API-KEY": number["api_key"]}).status_code == 200


def test_a_number_can_be_given_its_key(client: TestClient) -> None:
    body = {"phone_number": "4915187654321", "api_generation": "on_premise", "api_key": "chosen-key"}

    number = client.post("/_admin/numbers", json=body).json()

    assert number["api_key"] == "chosen-key"
    assert client.get("/v1/health", headers={"D360-API-KEY": "chosen-key"}).status_code == 200


def test_numbers_are_listed_and_read_one_by_one(client: TestClient) -> None:
    cloud = client.post(
        "/_admin/numbers", json={"phone_number": "4915112345678", "api_generation": "cloud"}
    ).json()
    legacy = client.post(
        "/_admin/numbers", json={"phone_number": "4915187654321", "api_generation": "on_premise"}
    ).json()

    assert client.get("/_admin/numbers").json() == [cloud, legacy]
    assert client.get("/_admin/numbers/4915187654321").json() == legacy


@pytest.mark.parametrize(
    "second",
    [
        {"phone_number": "4915112345678", "api_generation": "on_premise"},
        {"phone_number": "4915187654321", "api_generation": "cloud", "api_key": "same-key"},
    ],
)
def test_a_duplicate_number_or_key_conflicts(client: TestClient, second: dict[str, str]) -> None:
    client.post(
        "/_admin/numbers",
        json={"phone_number": "4915112345678", "api_generation": "cloud", "api_key": "same-key"},
    )

    response = client.post("/_admin/numbers", json=second)

    assert response.status_code == 409
    assert response.json()["error"]


@pytest.mark.parametrize(
    "body",
    [
        {"phone_number": "+4915112345678", "api_generation": "cloud"},
        {"phone_number": "12", "api_generation": "cloud"},
        {"phone_number": "4915112345678", "api_generation": "v3"},
        {"phone_number": "4915112345678", "api_generation": "cloud", "api_key": ""},
        {"api_generation": "cloud"},
    ],
)
def test_an_invalid_number_is_refused(client: TestClient, body: dict[str, str]) -> None:
    response = client.post("/_admin/numbers", json=body)

    assert response.status_code == 400
    assert response.json()["details"]


def test_a_body_that_is_not_json_is_refused(client: TestClient) -> None:
    response = client.post("/_admin/numbers", content=b"phone_number=4915112345678")

    assert response.status_code == 400
    assert response.json() == {"error": "the request body must be JSON"}


def test_revoking_a_key_makes_it_stop_working(client: TestClient) -> None:
    number = client.post(
        "/_admin/numbers", json={"phone_number": "4915112345678", "api_generation": "cloud"}
    ).json()

    response = client.post("/_admin/numbers/4915112345678/revoke-key")

    assert response.status_code == 200
    assert response.json()["api_key"] is None
    rejected = client.get("/health_status", headers={"D360-API-KEY": number["api_key"]})
    assert rejected.status_code == 401
    assert rejected.json() == INVALID_API_KEY_BODY


def test_setting_health_answers_with_the_number(client: TestClient) -> None:
    client.post("/_admin/numbers", json={"phone_number": "4915112345678", "api_generation": "cloud"})

    response = client.put("/_admin/numbers/4915112345678/health", json={"can_send_message": "LIMITED"})

    assert response.status_code == 200
    assert response.json()["health"]["can_send_message"] == "LIMITED"
    assert response.json()["health"]["additional_info"]


@pytest.mark.parametrize(
    "health", [{"can_send_message": "MAYBE"}, {"can_send_message": "BLOCKED", "errors": [{}]}]
)
def test_an_invalid_health_is_refused(client: TestClient, health: dict[str, object]) -> None:
    client.post("/_admin/numbers", json={"phone_number": "4915112345678", "api_generation": "cloud"})

    assert client.put("/_admin/numbers/4915112345678/health", json=health).status_code == 400


def test_an_unknown_number_is_not_found(client: TestClient) -> None:
    responses = [
        client.get("/_admin/numbers/4915100000000"),
        client.post("/_admin/numbers/4915100000000/revoke-key"),
        client.put("/_admin/numbers/4915100000000/health", json={"can_send_message": "AVAILABLE"}),
    ]

    assert [response.status_code for response in responses] == [404, 404, 404]
    assert responses[0].json() == {"error": "no number 4915100000000"}


def test_an_unknown_admin_path_answers_in_the_admin_shape(client: TestClient) -> None:
    response = client.get("/_admin/nothing")

    assert response.status_code == 404
    assert response.json() == {"error": "Not Found"}


def test_the_partner_identity_is_shown(client: TestClient) -> None:
    assert client.get("/_admin/partner").json() == {
        "partner_id": PARTNER_ID,
        "partner_api_key": PARTNER_API_KEY,
    }


def test_reset_forgets_everything_but_the_partner(client: TestClient) -> None:
    number = client.post(
        "/_admin/numbers", json={"phone_number": "4915112345678", "api_generation": "cloud"}
    ).json()
    client.post("/_admin/faults", json={"status": 500, "path_prefix": "/v1/"})
    client.get("/health_status", headers={"D360-API-KEY": number["api_key"]})

    response = client.post("/_admin/reset")

    assert response.status_code == 204
    assert client.get("/_admin/numbers").json() == []
    assert client.get("/_admin/faults").json() == []
    assert client.get("/_admin/requests").json() == []
    assert client.get("/_admin/partner").json()["partner_api_key"] == PARTNER_API_KEY


def test_a_new_state_has_a_random_partner_key_unless_given_one() -> None:
    first, second = SimulatorState(), SimulatorState()

    assert first.partner_id == "sim01PA"
    assert len(first.partner_api_key) >= 32
    assert first.partner_api_key != second.partner_api_key
    assert SimulatorState(partner_id="test02PA", partner_api_key="k").partner_api_key == "k"


def test_the_launcher_adds_numbers_directly(state: SimulatorState, client: TestClient) -> None:
    number = state.add_number("4915112345678", "on_premise", api_key="launcher-key")

    shown = client.get("/_admin/numbers/4915112345678").json()

    assert shown["api_key"] == "launcher-key"
    assert shown["partner_channel_id"] == number.partner_channel_id
    assert client.get("/v1/health", headers={"D360-API-KEY": "launcher-key"}).status_code == 200
