import time
from typing import Any

import pytest
from starlette.testclient import TestClient

from infra.local.simulator import SimulatedNumber
from tests.unit.simulator.support import ON_PREMISE_META, PARTNER_HEADER, PARTNER_ID, key_header

RATE_LIMITED_BODY = {
    "meta": {"success": False, "http_code": 429, "developer_message": "exceeded the endpoint rate limit"}
}


def add_fault(client: TestClient, **fault: Any) -> dict[str, Any]:
    response = client.post("/_admin/faults", json=fault)
    assert response.status_code == 201
    created: dict[str, Any] = response.json()
    return created


def test_a_rate_limit_fault_answers_429_once_with_retry_after(
    client: TestClient, cloud_number: SimulatedNumber
) -> None:
    add_fault(client, path_prefix="/v1/configs/webhook", method="POST", status=429, retry_after=7)
    webhook = {"url": "https://h.example/hook"}

    limited = client.post("/v1/configs/webhook", headers=key_header(cloud_number), json=webhook)
    retried = client.post("/v1/configs/webhook", headers=key_header(cloud_number), json=webhook)

    assert limited.status_code == 429
    assert limited.headers["Retry-After"] == "7"
    assert limited.json() == RATE_LIMITED_BODY
    assert retried.status_code == 200


def test_a_rate_limit_fault_without_retry_after_still_sends_one(
    client: TestClient, cloud_number: SimulatedNumber
) -> None:
    created = add_fault(client, status=429)

    response = client.get("/health_status", headers=key_header(cloud_number))

    assert created["retry_after"] == 1
    assert response.headers["Retry-After"] == "1"


def test_a_server_error_on_cloud_is_a_transient_meta_error(
    client: TestClient, cloud_number: SimulatedNumber
) -> None:
    add_fault(client, status=503)

    response = client.get("/health_status", headers=key_header(cloud_number))

    assert response.status_code == 503
    error = response.json()["error"]
    assert (error["code"], error["message"]) == (2, "(#2) Service temporarily unavailable")
    assert error["error_data"]["messaging_product"] == "whatsapp"


@pytest.mark.parametrize("status", [500, 502])
def test_an_internal_error_on_cloud_uses_meta_code_131000(
    client: TestClient, cloud_number: SimulatedNumber, status: int
) -> None:
    add_fault(client, status=status)

    response = client.get("/health_status", headers=key_header(cloud_number))

    assert response.status_code == status
    assert response.json()["error"]["code"] == 131000


def test_a_server_error_on_premise_uses_the_on_premise_shape(
    client: TestClient, on_premise_number: SimulatedNumber
) -> None:
    add_fault(client, status=500, retry_after=3)

    response = client.get("/v1/health", headers=key_header(on_premise_number))

    assert response.status_code == 500
    assert response.headers["Retry-After"] == "3"
    assert response.json() == {
        "errors": [{"code": 1014, "title": "Internal error", "details": "simulated fault"}],
        "meta": ON_PREMISE_META,
    }


def test_a_server_error_on_the_partner_api_uses_the_gateway_shape(client: TestClient) -> None:
    add_fault(client, path_prefix="/api/v2", status=502)

    response = client.get(f"/api/v2/partners/{PARTNER_ID}/channels", headers=PARTNER_HEADER)

    assert response.status_code == 502
    assert response.json() == {
        "meta": {"success": False, "http_code": 502, "developer_message": "Bad Gateway"}
    }


def test_a_fault_hits_as_many_requests_as_asked(client: TestClient, cloud_number: SimulatedNumber) -> None:
    add_fault(client, status=500, times=2)

    statuses = [client.get("/health_status", headers=key_header(cloud_number)).status_code for _ in range(3)]

    assert statuses == [500, 500, 200]


def test_a_fault_only_hits_its_method_and_path(client: TestClient, cloud_number: SimulatedNumber) -> None:
    add_fault(client, path_prefix="/v1/configs/webhook", method="post", status=503)

    assert client.get("/health_status", headers=key_header(cloud_number)).status_code == 200
    assert client.get("/v1/configs/webhook", headers=key_header(cloud_number)).status_code == 404
    posted = client.post("/v1/configs/webhook", headers=key_header(cloud_number), json={"url": ""})
    assert posted.status_code == 503


def test_a_delay_fault_answers_normally_after_waiting(
    client: TestClient, cloud_number: SimulatedNumber
) -> None:
    add_fault(client, path_prefix="/health_status", delay_seconds=0.05)

    started = time.monotonic()
    response = client.get("/health_status", headers=key_header(cloud_number))

    assert time.monotonic() - started >= 0.05
    assert response.status_code == 200
    assert response.json()["health_status"]["can_send_message"] == "AVAILABLE"


def test_a_delay_can_precede_an_error(client: TestClient, cloud_number: SimulatedNumber) -> None:
    add_fault(client, status=429, delay_seconds=0.01)

    assert client.get("/health_status", headers=key_header(cloud_number)).status_code == 429


def test_the_admin_api_is_never_faulted(client: TestClient) -> None:
    add_fault(client, status=500)

    assert client.get("/_admin/numbers").status_code == 200
    assert len(client.get("/_admin/faults").json()) == 1


def test_faults_are_listed_and_cleared(client: TestClient, cloud_number: SimulatedNumber) -> None:
    created = add_fault(client, path_prefix="/v1/", status=429, times=3)

    listed = client.get("/_admin/faults").json()
    cleared = client.delete("/_admin/faults")

    assert listed == [
        {
            "id": created["id"],
            "path_prefix": "/v1/",
            "method": None,
            "status": 429,
            "retry_after": 1,
            "delay_seconds": 0.0,
            "times": 3,
            "remaining": 3,
        }
    ]
    assert cleared.status_code == 204
    assert client.get("/_admin/faults").json() == []
    assert client.get("/v1/configs/webhook", headers=key_header(cloud_number)).status_code == 404


def test_a_used_up_fault_is_no_longer_listed(client: TestClient, cloud_number: SimulatedNumber) -> None:
    add_fault(client, status=500, times=2)
    client.get("/health_status", headers=key_header(cloud_number))

    assert [fault["remaining"] for fault in client.get("/_admin/faults").json()] == [1]

    client.get("/health_status", headers=key_header(cloud_number))

    assert client.get("/_admin/faults").json() == []


@pytest.mark.parametrize(
    "fault",
    [
        {},
        {"status": 404},
        {"status": 429, "times": 0},
        {"delay_seconds": -1},
        {"path_prefix": "v1"},
        {"colour": "red"},
    ],
)
def test_a_meaningless_fault_is_refused(client: TestClient, fault: dict[str, Any]) -> None:
    response = client.post("/_admin/faults", json=fault)

    assert response.status_code == 400
    assert response.json()["error"] == "invalid request body"
