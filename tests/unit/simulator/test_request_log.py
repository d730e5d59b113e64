from starlette.testclient import TestClient

from infra.local.simulator import SimulatedNumber
from tests.unit.simulator.support import PARTNER_HEADER, PARTNER_ID, key_header


def test_requests_are_logged_with_their_keys_masked(
    client: TestClient, cloud_number: SimulatedNumber
) -> None:
    client.post(
        "/v1/configs/webhook",
        headers={**key_header(cloud_number), "X-Trace": "t1"},
        json={"url": "https://h.example/hook", "headers": {"X-Webhook-Token": "s3cr3t"}},
    )
    client.get(f"/api/v2/partners/{PARTNER_ID}/channels", headers=PARTNER_HEADER, params={"filters": "{}"})

    webhook_call, channels_call = client.get("/_admin/requests").json()

    assert webhook_call["method"] == "POST"
    assert webhook_call["path"] == "/v1/configs/webhook"
    assert webhook_call["query"] == {}
    assert webhook_call["headers"]["d360-api-key"] == "***"
    assert webhook_call["headers"]["x-trace"] == "t1"
    assert webhook_call["body"] == {"url": "https://h.example/hook", "headers": {"X-Webhook-Token": "s3cr3t"}}
    assert webhook_call["status"] == 200
    assert webhook_call["time"]
    assert channels_call["headers"]["x-api-key"] == "***"
    assert channels_call["query"] == {"filters": "{}"}
    assert channels_call["body"] is None
    assert str(cloud_number.api_key) not in str([webhook_call, channels_call])


def test_refused_and_faulted_requests_are_logged_with_their_status(
    client: TestClient, cloud_number: SimulatedNumber
) -> None:
    client.post("/_admin/faults", json={"status": 429})
    client.get("/health_status", headers=key_header(cloud_number))
    client.get("/health_status", headers={"D360-API-KEY": "wrong"})

    assert [logged["status"] for logged in client.get("/_admin/requests").json()] == [429, 401]


def test_admin_calls_are_not_logged(client: TestClient) -> None:
    client.get("/_admin/numbers")
    client.get("/_admin/partner")

    assert client.get("/_admin/requests").json() == []


def test_the_log_filters_on_path_prefix_and_can_be_cleared(
    client: TestClient, cloud_number: SimulatedNumber
) -> None:
    client.get("/health_status", headers=key_header(cloud_number))
    client.get("/v1/configs/webhook", headers=key_header(cloud_number))

    filtered = client.get("/_admin/requests", params={"path_prefix": "/v1/configs"}).json()
    cleared = client.delete("/_admin/requests")

    assert [logged["path"] for logged in filtered] == ["/v1/configs/webhook"]
    assert cleared.status_code == 204
    assert client.get("/_admin/requests").json() == []
