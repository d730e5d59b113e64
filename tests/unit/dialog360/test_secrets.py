"""The channel key and the partner key never show in a repr, a message or error details."""

import httpx
import pytest
import respx

from tests.unit.dialog360.support import (
    API_KEY,
    CLOUD_BASE_URL,
    PARTNER_API_KEY,
    PARTNER_BASE_URL,
    PARTNER_ID,
)
from wachannel.dialog360 import Dialog360Client, Dialog360Error, PartnerClient

HEALTH_URL = f"{CLOUD_BASE_URL}/health_status"


def _visible_text(error: Dialog360Error) -> str:
    return " ".join([str(error), repr(error), error.message, repr(error.details), repr(error.headers)])


def test_the_clients_do_not_show_their_keys(
    cloud_client: Dialog360Client, partner_client: PartnerClient
) -> None:
    assert API_KEY not in repr(cloud_client)
    assert API_KEY not in str(cloud_client)
    assert PARTNER_API_KEY not in repr(partner_client)
    assert PARTNER_API_KEY not in str(partner_client)


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(
            401,
            json={
                "meta": {
                    "success": False,
                    "http_code": 401,
                    "developer_message": f"Invalid api_key {API_KEY}",
                }
            },
        ),
        httpx.Response(400, json={"error": {"message": f"Bad key {API_KEY}", "code": 190}}),
        httpx.Response(400, json={"errors": [{"code": 1005, "title": "Access denied", "details": API_KEY}]}),
        httpx.Response(429, json={"error": f"slow down, {API_KEY}"}),
        httpx.Response(403, text=f"blocked key={API_KEY}"),
    ],
)
def test_an_error_body_that_echoes_the_key_is_redacted(
    provider: respx.MockRouter, cloud_client: Dialog360Client, answer: httpx.Response
) -> None:
    provider.get(HEALTH_URL).mock(return_value=answer)

    with pytest.raises(Dialog360Error) as raised:
        cloud_client.check_api_key()

    assert API_KEY not in _visible_text(raised.value)
    assert API_KEY not in (raised.value.raw_body or "")


def test_a_transport_error_that_names_the_key_is_redacted(
    provider: respx.MockRouter, cloud_client: Dialog360Client
) -> None:
    provider.get(HEALTH_URL).mock(side_effect=httpx.ConnectError(f"refused for {API_KEY}"))

    with pytest.raises(Dialog360Error) as raised:
        cloud_client.check_api_key()

    assert API_KEY not in _visible_text(raised.value)


def test_the_partner_key_is_redacted_too(provider: respx.MockRouter, partner_client: PartnerClient) -> None:
    provider.get(f"{PARTNER_BASE_URL}/partners/{PARTNER_ID}/channels").respond(
        403, json={"error": f"key {PARTNER_API_KEY} may not list channels"}
    )

    with pytest.raises(Dialog360Error) as raised:
        partner_client.find_channel_id("4915112345678")

    assert PARTNER_API_KEY not in _visible_text(raised.value)
    assert raised.value.provider_message == "key [redacted] may not list channels"
