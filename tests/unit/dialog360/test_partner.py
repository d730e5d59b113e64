import httpx
import pytest
import respx

from tests.unit.dialog360.support import (
    INVALID_API_KEY_BODY,
    PARTNER_API_KEY,
    PARTNER_BASE_URL,
    PARTNER_ID,
)
from wachannel.dialog360 import ApiKeyRejected, PartnerClient, ProviderRequestFailed

PARTNER_HEADER = {"X-API-Key": PARTNER_API_KEY}
CHANNELS_URL = f"{PARTNER_BASE_URL}/partners/{PARTNER_ID}/channels"


def _channel(channel_id: str, phone_number: str) -> dict[str, object]:
    return {
        "id": channel_id,
        "client_id": "cl01",
        "status": "running",
        "setup_info": {"phone_number": phone_number, "phone_name": "Shop"},
        "waba_account": {"id": "wa01WA"},
    }


def test_find_channel_id_matches_the_number_by_digits(
    provider: respx.MockRouter, partner_client: PartnerClient
) -> None:
    route = provider.get(CHANNELS_URL, headers=PARTNER_HEADER).respond(
        200,
        json={
            "count": 2,
            "limit": 50,
            "offset": 0,
            "total": 2,
            "partner_channels": [_channel("ch00", "+49 151 99999999"), _channel("ch01", "+49 151 12345678")],
        },
    )

    assert partner_client.find_channel_id("4915112345678") == "ch01"
    assert route.calls.last.request.url.params["filters"] == '{"phone_number": "4915112345678"}'


def test_find_channel_id_is_none_for_an_unknown_number(
    provider: respx.MockRouter, partner_client: PartnerClient
) -> None:
    provider.get(CHANNELS_URL).respond(200, json={"count": 0, "total": 0, "partner_channels": []})

    assert partner_client.find_channel_id("+4915112345678") is None


def test_find_channel_id_needs_digits(partner_client: PartnerClient) -> None:
    with pytest.raises(ValueError, match="digits"):
        partner_client.find_channel_id("+")


def test_create_api_key(provider: respx.MockRouter, partner_client: PartnerClient) -> None:
    provider.post(f"{CHANNELS_URL}/ch01/api_keys", headers=PARTNER_HEADER).respond(
        200,
        json={
            "id": "ak_01",
            "api_key": "AbCdEf-new-key",
            "address": "https://waba-v2.360dialog.io",
            "app_id": 1234,
        },
    )

    created = partner_client.create_api_key("ch01")

    assert created.id == "ak_01"
    assert created.api_key.get_secret_value() == "AbCdEf-new-key"
    assert (created.address, created.app_id) == ("https://waba-v2.360dialog.io", "1234")
    assert "AbCdEf-new-key" not in repr(created)
    assert "AbCdEf-new-key" not in str(created)


def test_create_api_key_with_an_unreadable_answer_does_not_leak_the_key(
    provider: respx.MockRouter, partner_client: PartnerClient
) -> None:
    provider.post(f"{CHANNELS_URL}/ch01/api_keys").respond(200, json={"api_key": "AbCdEf-new-key"})

    with pytest.raises(ProviderRequestFailed) as raised:
        partner_client.create_api_key("ch01")

    error = raised.value
    assert (
        error.provider_message
        == "unexpected answer to POST /api/v2/partners/abc123PA/channels/ch01/api_keys (id)"
    )
    assert "AbCdEf-new-key" not in f"{error} {error.details} {error.raw_body}"
    assert error.__cause__ is None


def test_a_refused_partner_key(provider: respx.MockRouter, partner_client: PartnerClient) -> None:
    provider.get(CHANNELS_URL).respond(401, json=INVALID_API_KEY_BODY)

    with pytest.raises(ApiKeyRejected) as raised:
        partner_client.find_channel_id("4915112345678")

    assert raised.value.provider_status == 401


def test_partner_ids_are_escaped_in_paths(provider: respx.MockRouter) -> None:
    provider.post(f"{PARTNER_BASE_URL}/partners/{PARTNER_ID}/channels/ch%2F01/api_keys").mock(
        return_value=httpx.Response(200, json={"id": "ak_02", "api_key": "k"})
    )

    with PartnerClient(PARTNER_BASE_URL, PARTNER_ID, PARTNER_API_KEY) as client:
        assert client.create_api_key("ch/01").id == "ak_02"
