from starlette.testclient import TestClient

from infra.local.simulator import SimulatedNumber
from tests.unit.simulator.support import ON_PREMISE_META, key_header


def test_an_available_cloud_number_reports_every_entity_available(
    client: TestClient, cloud_number: SimulatedNumber
) -> None:
    response = client.get("/health_status", headers=key_header(cloud_number))

    assert response.status_code == 200
    assert response.json() == {
        "health_status": {
            "can_send_message": "AVAILABLE",
            "entities": [
                {
                    "entity_type": "PHONE_NUMBER",
                    "id": cloud_number.phone_number_id,
                    "can_send_message": "AVAILABLE",
                },
                {"entity_type": "WABA", "id": cloud_number.waba_id, "can_send_message": "AVAILABLE"},
            ],
        },
        "id": cloud_number.phone_number_id,
    }


def test_a_limited_cloud_number_explains_why_on_the_waba(
    client: TestClient, cloud_number: SimulatedNumber
) -> None:
    client.put(
        f"/_admin/numbers/{cloud_number.phone_number}/health",
        json={"can_send_message": "LIMITED", "additional_info": ["Messaging limit reached"]},
    )

    health_status = client.get("/health_status", headers=key_header(cloud_number)).json()["health_status"]

    assert health_status["can_send_message"] == "LIMITED"
    assert health_status["entities"][1] == {
        "entity_type": "WABA",
        "id": cloud_number.waba_id,
        "can_send_message": "LIMITED",
        "additional_info": ["Messaging limit reached"],
    }


def test_a_blocked_cloud_number_lists_its_errors(client: TestClient, cloud_number: SimulatedNumber) -> None:
    error = {"error_code": 141006, "error_description": "Payment issue", "possible_solution": "Fix the card"}
    client.put(
        f"/_admin/numbers/{cloud_number.phone_number}/health",
        json={"can_send_message": "BLOCKED", "errors": [error]},
    )

    health_status = client.get("/health_status", headers=key_header(cloud_number)).json()["health_status"]

    assert health_status["can_send_message"] == "BLOCKED"
    assert health_status["entities"][0]["can_send_message"] == "BLOCKED"
    assert health_status["entities"][1]["errors"] == [error]


def test_a_blocked_number_without_given_errors_still_reports_one(
    client: TestClient, cloud_number: SimulatedNumber
) -> None:
    client.put(f"/_admin/numbers/{cloud_number.phone_number}/health", json={"can_send_message": "BLOCKED"})

    waba = client.get("/health_status", headers=key_header(cloud_number)).json()["health_status"]["entities"][
        1
    ]

    assert len(waba["errors"]) == 1
    assert set(waba["errors"][0]) == {"error_code", "error_description", "possible_solution"}


def test_an_available_on_premise_number_is_connected(
    client: TestClient, on_premise_number: SimulatedNumber
) -> None:
    response = client.get("/v1/health", headers=key_header(on_premise_number))

    assert response.status_code == 200
    assert response.json() == {"health": {"gateway_status": "connected"}, "meta": ON_PREMISE_META}


def test_a_limited_on_premise_number_is_still_connected(
    client: TestClient, on_premise_number: SimulatedNumber
) -> None:
    client.put(
        f"/_admin/numbers/{on_premise_number.phone_number}/health", json={"can_send_message": "LIMITED"}
    )

    response = client.get("/v1/health", headers=key_header(on_premise_number))

    assert response.json()["health"] == {"gateway_status": "connected"}


def test_a_blocked_on_premise_number_is_disconnected(
    client: TestClient, on_premise_number: SimulatedNumber
) -> None:
    client.put(
        f"/_admin/numbers/{on_premise_number.phone_number}/health", json={"can_send_message": "BLOCKED"}
    )

    response = client.get("/v1/health", headers=key_header(on_premise_number))

    assert response.json()["health"] == {"gateway_status": "disconnected"}
