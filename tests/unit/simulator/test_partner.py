import json

import pytest
from starlette.testclient import TestClient

from infra.local.simulator import SimulatedNumber
from tests.unit.simulator.support import (
    INVALID_API_KEY_BODY,
    PARTNER_API_KEY,
    PARTNER_HEADER,
    PARTNER_ID,
    key_header,
)

CHANNELS_PATH = f"/api/v2/partners/{PARTNER_ID}/channels"


def api_keys_path(number: SimulatedNumber) -> str:
    return f"{CHANNELS_PATH}/{number.partner_channel_id}/api_keys"


@pytest.mark.parametrize("headers", [{}, {"X-API-Key": "wrong"}, {"D360-API-KEY": PARTNER_API_KEY}])
def test_partner_calls_need_the_partner_key(
    client: TestClient, cloud_number: SimulatedNumber, headers: dict[str, str]
) -> None:
    for response in (
        client.get(CHANNELS_PATH, headers=headers),
        client.get(api_keys_path(cloud_number), headers=headers),
        client.post(api_keys_path(cloud_number), headers=headers),
    ):
        assert response.status_code == 401
        assert response.json() == INVALID_API_KEY_BODY


def test_another_partner_is_not_found(client: TestClient) -> None:
    response = client.get("/api/v2/partners/other01PA/channels", headers=PARTNER_HEADER)

    assert response.status_code == 404
    assert response.json()["meta"]["success"] is False


def test_channels_are_listed_with_their_setup(
    client: TestClient, cloud_number: SimulatedNumber, on_premise_number: SimulatedNumber
) -> None:
    response = client.get(CHANNELS_PATH, headers=PARTNER_HEADER)

    assert response.status_code == 200
    body = response.json()
    assert (body["count"], body["total"], body["offset"], body["limit"]) == (2, 2, 0, 1000)
    assert body["partner_channels"][0] == {
        "id": cloud_number.partner_channel_id,
        "client_id": cloud_number.client_id,
        "status": "running",
        "setup_info": {"phone_number": cloud_number.phone_number, "phone_name": cloud_number.phone_name},
        "waba_account": {"id": cloud_number.waba_account_id, "external_id": cloud_number.waba_id},
    }
    assert body["partner_channels"][1]["id"] == on_premise_number.partner_channel_id


@pytest.mark.parametrize("phone_number", ["4915187654321", "+49 151 87654321"])
def test_channels_filter_on_phone_number(
    client: TestClient, cloud_number: SimulatedNumber, on_premise_number: SimulatedNumber, phone_number: str
) -> None:
    response = client.get(
        CHANNELS_PATH, headers=PARTNER_HEADER, params={"filters": json.dumps({"phone_number": phone_number})}
    )

    body = response.json()
    assert [channel["id"] for channel in body["partner_channels"]] == [on_premise_number.partner_channel_id]
    assert (body["count"], body["total"]) == (1, 1)


def test_channels_filter_on_client_id(
    client: TestClient, cloud_number: SimulatedNumber, on_premise_number: SimulatedNumber
) -> None:
    filters = json.dumps({"client_id": cloud_number.client_id})

    body = client.get(CHANNELS_PATH, headers=PARTNER_HEADER, params={"filters": filters}).json()

    assert [channel["id"] for channel in body["partner_channels"]] == [cloud_number.partner_channel_id]


def test_a_filter_matching_nothing_lists_nothing(client: TestClient, cloud_number: SimulatedNumber) -> None:
    filters = json.dumps({"phone_number": "4930123456"})

    body = client.get(CHANNELS_PATH, headers=PARTNER_HEADER, params={"filters": filters}).json()

    assert body["partner_channels"] == []
    assert (body["count"], body["total"]) == (0, 0)


def test_channels_are_paged(
    client: TestClient, cloud_number: SimulatedNumber, on_premise_number: SimulatedNumber
) -> None:
    body = client.get(CHANNELS_PATH, headers=PARTNER_HEADER, params={"offset": "1", "limit": "5"}).json()

    assert [channel["id"] for channel in body["partner_channels"]] == [on_premise_number.partner_channel_id]
    assert (body["count"], body["total"], body["offset"], body["limit"]) == (1, 2, 1, 5)


@pytest.mark.parametrize(
    "params",
    [{"filters": "{not json"}, {"filters": '{"phone": "49151"}'}, {"filters": "[]"}, {"limit": "-1"}],
)
def test_malformed_listing_parameters_are_refused(
    client: TestClient, cloud_number: SimulatedNumber, params: dict[str, str]
) -> None:
    response = client.get(CHANNELS_PATH, headers=PARTNER_HEADER, params=params)

    assert response.status_code == 400
    assert response.json()["meta"]["http_code"] == 400


def test_a_new_api_key_works_and_revokes_the_old_one(
    client: TestClient, cloud_number: SimulatedNumber
) -> None:
    response = client.post(api_keys_path(cloud_number), headers=PARTNER_HEADER)

    assert response.status_code == 201
    created = response.json()
    assert set(created) == {"id", "api_key", "address", "app_id"}
    assert created["id"].startswith("ak_")
    assert created["address"] == "http://testserver"
    assert len(created["api_key"]) >= 32
    assert created["api_key"] != cloud_number.api_key
    assert client.get("/health_status", headers=key_header(cloud_number)).status_code == 401
    assert client.get("/health_status", headers={"D360-API-KEY": created["api_key"]}).status_code == 200


def test_api_keys_are_listed_without_their_values(client: TestClient, cloud_number: SimulatedNumber) -> None:
    created = client.post(api_keys_path(cloud_number), headers=PARTNER_HEADER).json()

    response = client.get(api_keys_path(cloud_number), headers=PARTNER_HEADER)

    assert response.status_code == 200
    assert response.json() == {
        "api_keys": [{"id": created["id"], "address": "http://testserver", "app_id": created["app_id"]}]
    }


def test_a_revoked_key_is_not_listed(client: TestClient, cloud_number: SimulatedNumber) -> None:
    client.post(f"/_admin/numbers/{cloud_number.phone_number}/revoke-key")

    assert client.get(api_keys_path(cloud_number), headers=PARTNER_HEADER).json() == {"api_keys": []}


def test_an_unknown_channel_is_not_found(client: TestClient) -> None:
    path = f"{CHANNELS_PATH}/ch_unknown/api_keys"

    for response in (client.post(path, headers=PARTNER_HEADER), client.get(path, headers=PARTNER_HEADER)):
        assert response.status_code == 404
        assert response.json()["meta"]["http_code"] == 404
