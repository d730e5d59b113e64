import json

import httpx
import pytest
import respx

from tests.unit.dialog360.support import (
    API_KEY,
    CLOUD_BASE_URL,
    INVALID_API_KEY_BODY,
    META_INVALID_TOKEN_BODY,
    ON_PREMISE_BASE_URL,
    WEBHOOK_HEADERS,
    WEBHOOK_URL,
)
from wachannel.dialog360 import (
    ApiKeyRejected,
    Dialog360Client,
    HealthIssue,
    ProviderRequestFailed,
    WebhookConfig,
    build_http_client,
)
from wachannel.errors import ProviderError

KEY_HEADER = {"D360-API-KEY": API_KEY}
CLOUD_HEALTH_AVAILABLE = {
    "health_status": {
        "can_send_message": "AVAILABLE",
        "entities": [
            {"entity_type": "PHONE_NUMBER", "id": "1234", "can_send_message": "AVAILABLE"},
            {"entity_type": "WABA", "id": "5678", "can_send_message": "AVAILABLE"},
        ],
    },
    "id": "1234",
}
CLOUD_HEALTH_LIMITED = {
    "health_status": {
        "can_send_message": "LIMITED",
        "entities": [
            {"entity_type": "PHONE_NUMBER", "id": "1234", "can_send_message": "AVAILABLE"},
            {
                "entity_type": "WABA",
                "id": "5678",
                "can_send_message": "LIMITED",
                "additional_info": ["Your WhatsApp Business Account is restricted to 250 conversations."],
            },
        ],
    },
    "id": "1234",
}
CLOUD_HEALTH_BLOCKED = {
    "health_status": {
        "can_send_message": "BLOCKED",
        "entities": [
            {
                "entity_type": "PHONE_NUMBER",
                "id": "1234",
                "can_send_message": "BLOCKED",
                "errors": [
                    {
                        "error_code": 141006,
                        "error_description": "There is an error with the payment method.",
                        "possible_solution": "Update the payment method in Business Manager.",
                    }
                ],
            },
            {"entity_type": "WABA", "id": "5678", "can_send_message": "AVAILABLE"},
        ],
    },
    "id": "1234",
}
ON_PREMISE_META = {"api_status": "stable", "version": "2.x"}


# Key checks


def test_cloud_key_check_passes_when_health_status_answers(
    provider: respx.MockRouter, cloud_client: Dialog360Client
) -> None:
    provider.get(f"{CLOUD_BASE_URL}/health_status", headers=KEY_HEADER).respond(
        200, json=CLOUD_HEALTH_AVAILABLE
    )

    cloud_client.check_api_key()


def test_cloud_key_check_rejects_360dialogs_invalid_api_key(
    provider: respx.MockRouter, cloud_client: Dialog360Client
) -> None:
    provider.get(f"{CLOUD_BASE_URL}/health_status").respond(401, json=INVALID_API_KEY_BODY)

    with pytest.raises(ApiKeyRejected) as raised:
        cloud_client.check_api_key()

    assert raised.value.message == "360dialog refused the API key: Invalid api_key"
    assert raised.value.details == {
        "provider_status": 401,
        "provider_code": None,
        "provider_message": "Invalid api_key",
    }
    assert isinstance(raised.value, ProviderError)


def test_cloud_key_check_rejects_metas_invalid_token(
    provider: respx.MockRouter, cloud_client: Dialog360Client
) -> None:
    provider.get(f"{CLOUD_BASE_URL}/health_status").respond(400, json=META_INVALID_TOKEN_BODY)

    with pytest.raises(ApiKeyRejected) as raised:
        cloud_client.check_api_key()

    assert raised.value.provider_code == 190


def test_on_premise_key_check_passes_with_a_webhook_set(
    provider: respx.MockRouter, on_premise_client: Dialog360Client
) -> None:
    provider.get(f"{ON_PREMISE_BASE_URL}/v1/configs/webhook", headers=KEY_HEADER).respond(
        200, json={"url": WEBHOOK_URL, "headers": WEBHOOK_HEADERS}
    )

    on_premise_client.check_api_key()


def test_on_premise_key_check_passes_without_a_webhook(
    provider: respx.MockRouter, on_premise_client: Dialog360Client
) -> None:
    provider.get(f"{ON_PREMISE_BASE_URL}/v1/configs/webhook").respond(
        404, json={"errors": [{"code": 1006, "title": "Resource not found"}], "meta": ON_PREMISE_META}
    )

    on_premise_client.check_api_key()


def test_on_premise_key_check_rejects_invalid_api_key(
    provider: respx.MockRouter, on_premise_client: Dialog360Client
) -> None:
    provider.get(f"{ON_PREMISE_BASE_URL}/v1/configs/webhook").respond(401, json=INVALID_API_KEY_BODY)

    with pytest.raises(ApiKeyRejected):
        on_premise_client.check_api_key()


# Account health


def test_cloud_health_available(provider: respx.MockRouter, cloud_client: Dialog360Client) -> None:
    provider.get(f"{CLOUD_BASE_URL}/health_status").respond(200, json=CLOUD_HEALTH_AVAILABLE)

    health = cloud_client.get_account_health()

    assert health.can_send_message == "AVAILABLE"
    assert [(entity.entity_type, entity.can_send_message) for entity in health.entities] == [
        ("PHONE_NUMBER", "AVAILABLE"),
        ("WABA", "AVAILABLE"),
    ]
    assert health.raw == CLOUD_HEALTH_AVAILABLE


def test_cloud_health_limited_keeps_additional_info(
    provider: respx.MockRouter, cloud_client: Dialog360Client
) -> None:
    provider.get(f"{CLOUD_BASE_URL}/health_status").respond(200, json=CLOUD_HEALTH_LIMITED)

    health = cloud_client.get_account_health()

    assert health.can_send_message == "LIMITED"
    assert health.entities[1].additional_info == [
        "Your WhatsApp Business Account is restricted to 250 conversations."
    ]


def test_cloud_health_blocked_keeps_the_errors(
    provider: respx.MockRouter, cloud_client: Dialog360Client
) -> None:
    provider.get(f"{CLOUD_BASE_URL}/health_status").respond(200, json=CLOUD_HEALTH_BLOCKED)

    health = cloud_client.get_account_health()

    assert health.can_send_message == "BLOCKED"
    assert health.entities[0].errors == [
        HealthIssue(
            code="141006",
            description="There is an error with the payment method.",
            possible_solution="Update the payment method in Business Manager.",
        )
    ]


def test_cloud_health_tolerates_a_state_and_fields_it_does_not_know(
    provider: respx.MockRouter, cloud_client: Dialog360Client
) -> None:
    body = {
        "health_status": {
            "can_send_message": "PAUSED",
            "entities": [{"entity_type": "BUSINESS", "id": "99", "can_send_message": "AVAILABLE", "new": 1}],
            "future_field": True,
        },
        "id": "1234",
    }
    provider.get(f"{CLOUD_BASE_URL}/health_status").respond(200, json=body)

    health = cloud_client.get_account_health()

    assert health.can_send_message is None
    assert health.entities[0].entity_type == "BUSINESS"
    assert health.raw["health_status"]["can_send_message"] == "PAUSED"


def test_on_premise_health_connected_is_available(
    provider: respx.MockRouter, on_premise_client: Dialog360Client
) -> None:
    body = {"health": {"gateway_status": "connected"}, "meta": ON_PREMISE_META}
    provider.get(f"{ON_PREMISE_BASE_URL}/v1/health", headers=KEY_HEADER).respond(200, json=body)

    health = on_premise_client.get_account_health()

    assert health.can_send_message == "AVAILABLE"
    assert health.raw == body


def test_on_premise_health_anything_but_connected_is_blocked_with_its_text(
    provider: respx.MockRouter, on_premise_client: Dialog360Client
) -> None:
    body = {"health": {"gateway_status": "unregistered"}, "meta": ON_PREMISE_META}
    provider.get(f"{ON_PREMISE_BASE_URL}/v1/health").respond(200, json=body)

    health = on_premise_client.get_account_health()

    assert health.can_send_message == "BLOCKED"
    assert health.entities[0].errors[0].description == "The WhatsApp gateway is unregistered."


def test_on_premise_health_of_a_multi_connect_setup_looks_at_every_gateway(
    provider: respx.MockRouter, on_premise_client: Dialog360Client
) -> None:
    body = {
        "health": {
            "wacore1": {"gateway_status": "connected", "role": "coreapp"},
            "wacore2": {"gateway_status": "disconnected", "role": "coreapp"},
            "master1": {"role": "primary_master"},
        },
        "meta": ON_PREMISE_META,
    }
    provider.get(f"{ON_PREMISE_BASE_URL}/v1/health").respond(200, json=body)

    health = on_premise_client.get_account_health()

    assert health.can_send_message == "BLOCKED"
    assert [(entity.id, entity.can_send_message) for entity in health.entities] == [
        ("wacore1", "AVAILABLE"),
        ("wacore2", "BLOCKED"),
    ]


# Webhook


def test_get_webhook_returns_the_stored_config(
    provider: respx.MockRouter, cloud_client: Dialog360Client
) -> None:
    provider.get(f"{CLOUD_BASE_URL}/v1/configs/webhook", headers=KEY_HEADER).respond(
        200, json={"url": WEBHOOK_URL, "headers": WEBHOOK_HEADERS}
    )

    assert cloud_client.get_webhook() == WebhookConfig(url=WEBHOOK_URL, headers=WEBHOOK_HEADERS)


def test_get_webhook_is_none_on_404(provider: respx.MockRouter, cloud_client: Dialog360Client) -> None:
    provider.get(f"{CLOUD_BASE_URL}/v1/configs/webhook").respond(
        404, json={"meta": {"success": False, "http_code": 404, "developer_message": "Not found"}}
    )

    assert cloud_client.get_webhook() is None


def test_get_webhook_is_none_for_an_empty_url(
    provider: respx.MockRouter, cloud_client: Dialog360Client
) -> None:
    provider.get(f"{CLOUD_BASE_URL}/v1/configs/webhook").respond(200, json={"url": ""})

    assert cloud_client.get_webhook() is None


def test_get_webhook_raises_other_errors(provider: respx.MockRouter, cloud_client: Dialog360Client) -> None:
    provider.get(f"{CLOUD_BASE_URL}/v1/configs/webhook").respond(
        403, json={"meta": {"success": False, "http_code": 403, "developer_message": "Endpoint is blocked"}}
    )

    with pytest.raises(ProviderRequestFailed) as raised:
        cloud_client.get_webhook()

    assert raised.value.provider_status == 403


def test_set_webhook_posts_url_and_headers(provider: respx.MockRouter, cloud_client: Dialog360Client) -> None:
    route = provider.post(f"{CLOUD_BASE_URL}/v1/configs/webhook", headers=KEY_HEADER).respond(
        200, json={"url": WEBHOOK_URL, "headers": WEBHOOK_HEADERS}
    )

    stored = cloud_client.set_webhook(WEBHOOK_URL, WEBHOOK_HEADERS)

    assert stored == WebhookConfig(url=WEBHOOK_URL, headers=WEBHOOK_HEADERS)
    assert json.loads(route.calls.last.request.content) == {"url": WEBHOOK_URL, "headers": WEBHOOK_HEADERS}


def test_set_webhook_without_an_echo_returns_what_was_sent(
    provider: respx.MockRouter, on_premise_client: Dialog360Client
) -> None:
    provider.post(f"{ON_PREMISE_BASE_URL}/v1/configs/webhook").respond(200, json={"meta": ON_PREMISE_META})

    stored = on_premise_client.set_webhook(WEBHOOK_URL, WEBHOOK_HEADERS)

    assert stored == WebhookConfig(url=WEBHOOK_URL, headers=WEBHOOK_HEADERS)


def test_webhook_headers_stay_out_of_repr() -> None:
    assert "s3cr3t-token" not in repr(WebhookConfig(url=WEBHOOK_URL, headers=WEBHOOK_HEADERS))


def test_clear_webhook_posts_an_empty_url(provider: respx.MockRouter, cloud_client: Dialog360Client) -> None:
    route = provider.post(f"{CLOUD_BASE_URL}/v1/configs/webhook", headers=KEY_HEADER).respond(
        200, json={"url": ""}
    )

    cloud_client.clear_webhook()

    assert json.loads(route.calls.last.request.content) == {"url": ""}


def test_an_unreadable_success_body_is_a_provider_error(
    provider: respx.MockRouter, cloud_client: Dialog360Client
) -> None:
    provider.get(f"{CLOUD_BASE_URL}/health_status").respond(200, json={"status": "ok"})

    with pytest.raises(ProviderRequestFailed) as raised:
        cloud_client.get_account_health()

    assert raised.value.provider_message == "unexpected answer to GET /health_status (health_status)"


# Lifecycle


def test_a_shared_http_client_stays_open_after_the_channel_client_closes(provider: respx.MockRouter) -> None:
    provider.get(f"{CLOUD_BASE_URL}/health_status").respond(200, json=CLOUD_HEALTH_AVAILABLE)
    shared = build_http_client()

    with Dialog360Client(API_KEY, "cloud", CLOUD_BASE_URL, http=shared):
        pass
    with Dialog360Client(API_KEY, "cloud", CLOUD_BASE_URL, http=shared) as second:
        second.check_api_key()

    assert not shared.is_closed
    shared.close()


def test_an_own_http_client_is_closed_with_the_channel_client() -> None:
    client = Dialog360Client(API_KEY, "cloud", CLOUD_BASE_URL)
    client.close()

    with pytest.raises(RuntimeError):
        client.check_api_key()


def test_a_trailing_slash_in_the_base_url_is_ignored(provider: respx.MockRouter) -> None:
    provider.get(f"{CLOUD_BASE_URL}/health_status").mock(
        return_value=httpx.Response(200, json=CLOUD_HEALTH_AVAILABLE)
    )

    with Dialog360Client(API_KEY, "cloud", CLOUD_BASE_URL + "/") as client:
        client.check_api_key()
