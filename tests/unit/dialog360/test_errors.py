"""Every error body 360dialog sends becomes a typed error the HTTP layer can report as it is."""

from typing import Any

import pytest
import respx

from tests.unit.dialog360.support import (
    INVALID_API_KEY_BODY,
    META_TEMPLATE_MISSING_BODY,
    ON_PREMISE_BASE_URL,
    ON_PREMISE_NOT_FOUND_BODY,
)
from wachannel.dialog360 import (
    ApiKeyRejected,
    Dialog360Client,
    Dialog360Error,
    ProviderRequestFailed,
)
from wachannel.errors import ProviderError

WEBHOOK_PATH = "/v1/configs/webhook"


def _error_from(
    provider: respx.MockRouter, client: Dialog360Client, status: int, **body: Any
) -> ProviderRequestFailed:
    provider.post(f"{client.base_url}{WEBHOOK_PATH}").respond(status, **body)
    with pytest.raises(ProviderRequestFailed) as raised:
        client.clear_webhook()
    return raised.value


def test_meta_error_keeps_code_message_and_details(
    provider: respx.MockRouter, cloud_client: Dialog360Client
) -> None:
    error = _error_from(provider, cloud_client, 400, json=META_TEMPLATE_MISSING_BODY)

    assert error.details == {
        "provider_status": 400,
        "provider_code": 132001,
        "provider_message": "(#132001) Template name does not exist in the translation: "
        "template name (order_updat) does not exist in de",
    }
    assert error.message.startswith("360dialog refused the request: (#132001) Template name")
    assert error.raw_body is not None
    assert "AbCdEf123" in error.raw_body
    assert (error.code, error.status) == ("provider_error", 502)


def test_on_premise_errors_keep_code_title_and_details(
    provider: respx.MockRouter, on_premise_client: Dialog360Client
) -> None:
    error = _error_from(provider, on_premise_client, 404, json=ON_PREMISE_NOT_FOUND_BODY)

    assert (error.provider_status, error.provider_code) == (404, 1006)
    assert error.provider_message == "Resource not found: unknown contact"


def test_several_on_premise_errors_are_all_reported(
    provider: respx.MockRouter, on_premise_client: Dialog360Client
) -> None:
    body = {
        "errors": [
            {
                "code": 1008,
                "title": "Required parameter is missing",
                "details": "Parameter 'url' is required",
            },
            {"code": 1009, "title": "Parameter value is not valid"},
        ],
        "meta": {"api_status": "stable", "version": "2.x"},
    }
    error = _error_from(provider, on_premise_client, 400, json=body)

    assert error.provider_code == 1008
    assert error.provider_message == (
        "Required parameter is missing: Parameter 'url' is required; Parameter value is not valid"
    )


def test_360dialog_meta_shaped_gateway_error(
    provider: respx.MockRouter, cloud_client: Dialog360Client
) -> None:
    body = {"meta": {"success": False, "http_code": 400, "developer_message": "lack of payment"}}
    error = _error_from(provider, cloud_client, 400, json=body)

    assert error.message == "360dialog refused the request: lack of payment"
    assert error.provider_code is None


def test_360dialog_plain_error_string(provider: respx.MockRouter, cloud_client: Dialog360Client) -> None:
    error = _error_from(provider, cloud_client, 403, json={"error": "This endpoint is blocked"})

    assert (error.provider_status, error.provider_message) == (403, "This endpoint is blocked")


def test_a_text_body_is_its_own_message(provider: respx.MockRouter, cloud_client: Dialog360Client) -> None:
    error = _error_from(provider, cloud_client, 400, text="Bad request:\n  missing url")

    assert error.provider_message == "Bad request: missing url"
    assert error.raw_body == "Bad request:\n  missing url"


def test_an_html_error_page_is_described_by_its_status(
    provider: respx.MockRouter, cloud_client: Dialog360Client
) -> None:
    error = _error_from(
        provider, cloud_client, 502, html="<html><body><h1>502 Bad Gateway</h1></body></html>"
    )

    assert error.message == "360dialog failed to handle the request (HTTP 502): Bad Gateway"


def test_an_empty_body_is_described_by_its_status(
    provider: respx.MockRouter, cloud_client: Dialog360Client
) -> None:
    error = _error_from(provider, cloud_client, 405)

    assert error.provider_message == "Method Not Allowed"


def test_json_that_is_no_known_shape_is_described_by_its_text(
    provider: respx.MockRouter, cloud_client: Dialog360Client
) -> None:
    error = _error_from(provider, cloud_client, 400, json={"problem": "odd"})

    assert error.provider_message == '{"problem":"odd"}'


def test_the_key_rejection_is_a_provider_error_and_a_360dialog_error(
    provider: respx.MockRouter, cloud_client: Dialog360Client
) -> None:
    error = _error_from(provider, cloud_client, 401, json=INVALID_API_KEY_BODY)

    assert isinstance(error, ApiKeyRejected)
    assert isinstance(error, ProviderError)
    assert isinstance(error, Dialog360Error)
    assert error.headers == {}


def test_meta_code_0_is_a_key_rejection(provider: respx.MockRouter, cloud_client: Dialog360Client) -> None:
    body = {"error": {"message": "(#0) Invalid access token", "type": "OAuthException", "code": 0}}
    error = _error_from(provider, cloud_client, 401, json=body)

    assert isinstance(error, ApiKeyRejected)
    assert error.provider_code == 0


def test_a_bad_key_on_premise_gives_the_same_error(
    provider: respx.MockRouter, on_premise_client: Dialog360Client
) -> None:
    provider.get(f"{ON_PREMISE_BASE_URL}/v1/health").respond(401, json=INVALID_API_KEY_BODY)

    with pytest.raises(ApiKeyRejected) as raised:
        on_premise_client.get_account_health()

    assert raised.value.details == {
        "provider_status": 401,
        "provider_code": None,
        "provider_message": "Invalid api_key",
    }
