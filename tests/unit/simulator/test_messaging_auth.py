import pytest
from starlette.testclient import TestClient

from infra.local.simulator import SimulatedNumber
from tests.unit.simulator.support import INVALID_API_KEY_BODY, ON_PREMISE_META, key_header

MESSAGING_PATHS = ["/health_status", "/v1/health", "/v1/configs/webhook"]


@pytest.mark.parametrize("path", MESSAGING_PATHS)
def test_a_missing_key_is_refused_by_the_gateway(client: TestClient, path: str) -> None:
    response = client.get(path)

    assert response.status_code == 401
    assert response.json() == INVALID_API_KEY_BODY


@pytest.mark.parametrize("path", MESSAGING_PATHS)
def test_an_unknown_key_is_refused_by_the_gateway(
    client: TestClient, cloud_number: SimulatedNumber, path: str
) -> None:
    response = client.get(path, headers={"D360-API-KEY": "not-a-key"})

    assert response.status_code == 401
    assert response.json() == INVALID_API_KEY_BODY


def test_the_key_header_name_is_case_insensitive(client: TestClient, cloud_number: SimulatedNumber) -> None:
    response = client.get("/health_status", headers={"d360-api-key": str(cloud_number.api_key)})

    assert response.status_code == 200


@pytest.mark.parametrize(
    ("number_fixture", "path"), [("cloud_number", "/health_status"), ("on_premise_number", "/v1/health")]
)
def test_a_revoked_key_is_refused(
    client: TestClient, request: pytest.FixtureRequest, number_fixture: str, path: str
) -> None:
    number: SimulatedNumber = request.getfixturevalue(number_fixture)
    client.post(f"/_admin/numbers/{number.phone_number}/revoke-key")

    response = client.get(path, headers=key_header(number))

    assert response.status_code == 401
    assert response.json() == INVALID_API_KEY_BODY


def test_a_cloud_number_cannot_call_on_premise_paths(
    client: TestClient, cloud_number: SimulatedNumber
) -> None:
    response = client.get("/v1/health", headers=key_header(cloud_number))

    assert response.status_code == 404
    error = response.json()["error"]
    assert error["code"] == 100
    assert error["type"] == "OAuthException"
    assert error["error_data"] == {
        "messaging_product": "whatsapp",
        "details": "GET /v1/health does not exist",
    }
    assert error["fbtrace_id"]


def test_an_on_premise_number_cannot_call_cloud_paths(
    client: TestClient, on_premise_number: SimulatedNumber
) -> None:
    response = client.get("/health_status", headers=key_header(on_premise_number))

    assert response.status_code == 404
    assert response.json() == {
        "errors": [
            {"code": 1006, "title": "Resource not found", "details": "GET /health_status does not exist"}
        ],
        "meta": ON_PREMISE_META,
    }


def test_an_unknown_path_checks_the_key_first(client: TestClient, cloud_number: SimulatedNumber) -> None:
    assert client.get("/no/such/path").json() == INVALID_API_KEY_BODY

    response = client.get("/no/such/path", headers=key_header(cloud_number))

    assert response.status_code == 404
    assert response.json()["error"]["code"] == 100


def test_an_unsupported_method_answers_in_the_generation_shape(
    client: TestClient, on_premise_number: SimulatedNumber
) -> None:
    response = client.delete("/v1/configs/webhook", headers=key_header(on_premise_number))

    assert response.status_code == 405
    assert response.json()["errors"][0]["code"] == 1006
