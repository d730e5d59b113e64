from typing import Any

import pytest
from starlette.testclient import TestClient

from infra.local.simulator import SimulatedNumber
from tests.unit.simulator.support import ON_PREMISE_META, key_header

WEBHOOK = {
    "url": "https://api.example.com/webhooks/360dialog/ch_01",
    "headers": {"X-Webhook-Token": "s3cr3t"},
}


@pytest.fixture(params=["cloud_number", "on_premise_number"])
def number(request: pytest.FixtureRequest) -> SimulatedNumber:
    return request.getfixturevalue(request.param)


def error_code(number: SimulatedNumber, body: dict[str, Any]) -> int:
    """The Meta error code of a Cloud error, the On-Premise code otherwise; checks the shape on the way."""
    if number.api_generation == "cloud":
        assert set(body["error"]) == {"message", "type", "code", "error_data", "fbtrace_id"}
        assert body["error"]["error_data"]["messaging_product"] == "whatsapp"
        return int(body["error"]["code"])
    assert body["meta"] == ON_PREMISE_META
    assert set(body["errors"][0]) == {"code", "title", "details"}
    return int(body["errors"][0]["code"])


def test_no_registration_answers_not_found(client: TestClient, number: SimulatedNumber) -> None:
    response = client.get("/v1/configs/webhook", headers=key_header(number))

    assert response.status_code == 404
    assert error_code(number, response.json()) in (100, 1006)


def test_a_registration_is_echoed_stored_and_shown_to_admins(
    client: TestClient, number: SimulatedNumber
) -> None:
    response = client.post("/v1/configs/webhook", headers=key_header(number), json=WEBHOOK)

    assert response.status_code == 200
    assert response.json() == WEBHOOK
    assert client.get("/v1/configs/webhook", headers=key_header(number)).json() == WEBHOOK
    assert client.get(f"/_admin/numbers/{number.phone_number}").json()["webhook"] == WEBHOOK


def test_headers_are_optional(client: TestClient, number: SimulatedNumber) -> None:
    response = client.post(
        "/v1/configs/webhook", headers=key_header(number), json={"url": "https://h.example/x"}
    )

    assert response.json() == {"url": "https://h.example/x", "headers": {}}


def test_registering_again_overwrites(client: TestClient, number: SimulatedNumber) -> None:
    client.post("/v1/configs/webhook", headers=key_header(number), json=WEBHOOK)
    client.post("/v1/configs/webhook", headers=key_header(number), json={"url": "https://other.example/hook"})

    stored = client.get("/v1/configs/webhook", headers=key_header(number)).json()

    assert stored == {"url": "https://other.example/hook", "headers": {}}


def test_an_empty_url_clears_the_registration(client: TestClient, number: SimulatedNumber) -> None:
    client.post("/v1/configs/webhook", headers=key_header(number), json=WEBHOOK)

    response = client.post("/v1/configs/webhook", headers=key_header(number), json={"url": ""})

    assert response.status_code == 200
    assert response.json() == {"url": ""}
    assert client.get("/v1/configs/webhook", headers=key_header(number)).status_code == 404
    assert client.get(f"/_admin/numbers/{number.phone_number}").json()["webhook"] is None


def test_loopback_http_with_a_port_is_accepted(client: TestClient, number: SimulatedNumber) -> None:
    hook = {"url": "http://127.0.0.1:3001/webhooks/360dialog/ch_01", "headers": {"X-Webhook-Token": "t"}}

    response = client.post("/v1/configs/webhook", headers=key_header(number), json=hook)

    assert response.status_code == 200
    assert response.json() == hook


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"url": 42},
        {"url": None},
        {"url": "/webhooks/relative"},
        {"url": "ftp://files.example.com/hook"},
        {"url": "https://"},
        {"url": "https://api.example.com:99999/hook"},
        {"url": "https://api.example.com/a hook"},
        {"url": "https://api.example.com/hook", "headers": {"X-Token": 1}},
        {"url": "https://api.example.com/hook", "headers": ["X-Token"]},
        ["https://api.example.com/hook"],
    ],
)
def test_an_invalid_registration_is_refused(client: TestClient, number: SimulatedNumber, body: Any) -> None:
    response = client.post("/v1/configs/webhook", headers=key_header(number), json=body)

    assert response.status_code == 400
    assert error_code(number, response.json()) in (100, 1009)
    assert client.get("/v1/configs/webhook", headers=key_header(number)).status_code == 404


def test_a_body_that_is_not_json_is_refused(client: TestClient, number: SimulatedNumber) -> None:
    response = client.post(
        "/v1/configs/webhook", headers=key_header(number), content=b"url=https://x.example"
    )

    assert response.status_code == 400
    assert error_code(number, response.json()) in (100, 1009)
