"""Connecting, changing and checking a channel while 360dialog fails: the contract's answer in bounded
time, and nothing saved that 360dialog did not confirm."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.unit.dialog360_double import Endpoint, Fault
from tests.unit.faults.support import Answer, ConnectedChannel, Tenant, each_fault

CLOUD_KEY_CHECK = Endpoint("GET", r"^/health_status$")
ON_PREMISE_KEY_CHECK = Endpoint("GET", r"^/v1/configs/webhook$")
WEBHOOK_REGISTRATION = Endpoint("POST", r"^/v1/configs/webhook$")
PARTNER_CHANNELS = Endpoint("GET", r"/partners/[^/]+/channels$")
PARTNER_NEW_KEY = Endpoint("POST", r"/channels/[^/]+/api_keys$")


def _path(connected: ConnectedChannel) -> dict[str, str]:
    return {"channel_id": connected.id}


def _stored_key(tenant: Tenant, connected: ConnectedChannel) -> str:
    answer = tenant.channels.call(
        "GET", "/channels/{channel_id}/api-key", path_parameters=_path(connected), expect=200
    )
    return str(answer[1]["api_key"])


def _channel(tenant: Tenant, connected: ConnectedChannel) -> dict[str, Any]:
    return dict(
        tenant.channels.call("GET", "/channels/{channel_id}", path_parameters=_path(connected), expect=200)[1]
    )


def _audit_actions(tenant: Tenant, connected: ConnectedChannel) -> list[str]:
    entries = tenant.channels.call(
        "GET", "/channels/{channel_id}/audit", path_parameters=_path(connected), expect=200
    )[1]["items"]
    return [entry["action"] for entry in entries]


@pytest.mark.parametrize(
    ("generation", "endpoint"),
    [
        pytest.param("cloud", CLOUD_KEY_CHECK, id="cloud key check"),
        pytest.param("cloud", WEBHOOK_REGISTRATION, id="cloud webhook registration"),
        pytest.param("on_premise", ON_PREMISE_KEY_CHECK, id="on-premise key check"),
    ],
)
@each_fault
def test_a_failed_connect_leaves_no_channel_and_the_number_free(
    tenant: Tenant, generation: str, endpoint: Endpoint, fault: Fault
):
    number = tenant.new_number(generation)
    body = {
        "name": "Support",
        "phone_number": f"+{number.phone_digits}",
        "api_key": number.api_key,
        "api_generation": generation,
    }

    with tenant.failing(fault, endpoint) as run:
        answer = Answer.of(tenant.channels.invoke("POST", "/channels", body=body))

    answer.assert_contract_failure(fault)
    run.assert_bounded()
    assert tenant.channels.call("GET", "/channels", expect=200)[1]["items"] == []
    assert tenant.connect(number).channel["status"] == "active", "the number was left reserved"
    tenant.assert_no_secret(answer)


@pytest.mark.parametrize(
    "endpoint",
    [
        pytest.param(CLOUD_KEY_CHECK, id="key check"),
        pytest.param(WEBHOOK_REGISTRATION, id="webhook registration"),
    ],
)
@each_fault
def test_a_failed_key_replacement_keeps_the_stored_key(tenant: Tenant, endpoint: Endpoint, fault: Fault):
    connected = tenant.connected()
    number = connected.number
    old_key, number.api_key = number.api_key, f"cloud-key-{uuid.uuid4().hex}"
    number.revoked.add(old_key)

    with tenant.failing(fault, endpoint) as run:
        answer = Answer.of(
            tenant.channels.invoke(
                "PUT",
                "/channels/{channel_id}/api-key",
                path_parameters=_path(connected),
                body={"api_key": number.api_key},
            )
        )

    answer.assert_contract_failure(fault)
    run.assert_bounded()
    assert _stored_key(tenant, connected) == old_key
    assert _channel(tenant, connected) == connected.channel
    assert "api_key_replaced" not in _audit_actions(tenant, connected)
    tenant.assert_no_secret(answer)


@each_fault
def test_a_failed_move_to_another_number_keeps_the_old_one_and_frees_the_new(tenant: Tenant, fault: Fault):
    connected = tenant.connected()
    other = tenant.new_number()

    with tenant.failing(fault, CLOUD_KEY_CHECK) as run:
        answer = Answer.of(
            tenant.channels.invoke(
                "PATCH",
                "/channels/{channel_id}",
                path_parameters=_path(connected),
                body={"phone_number": f"+{other.phone_digits}", "api_key": other.api_key},
            )
        )

    answer.assert_contract_failure(fault)
    run.assert_bounded()
    assert _channel(tenant, connected) == connected.channel
    assert _stored_key(tenant, connected) == connected.number.api_key
    assert tenant.connect(other).channel["status"] == "active", "the new number was left reserved"
    tenant.assert_no_secret(answer)


@pytest.mark.parametrize(
    ("endpoint", "acts_once"),
    [
        pytest.param(PARTNER_CHANNELS, False, id="channel lookup"),
        # A repeat could make a second key and revoke the first.
        pytest.param(PARTNER_NEW_KEY, True, id="new key"),
    ],
)
@each_fault
def test_a_failed_key_refresh_keeps_the_stored_key(
    tenant: Tenant, endpoint: Endpoint, acts_once: bool, fault: Fault
):
    connected = tenant.connected()
    key_before = connected.number.api_key

    with tenant.failing(fault, endpoint) as run:
        answer = Answer.of(
            tenant.channels.invoke(
                "POST", "/channels/{channel_id}/api-key/refresh", path_parameters=_path(connected)
            )
        )

    answer.assert_contract_failure(fault)
    run.assert_bounded(acts_once=acts_once)
    assert _stored_key(tenant, connected) == key_before
    assert _channel(tenant, connected) == connected.channel
    tenant.assert_no_secret(answer)


@each_fault
def test_a_refresh_whose_webhook_registration_fails_keeps_the_new_key(tenant: Tenant, fault: Fault):
    """360dialog revokes the old key at once, so the new one is saved before anything else."""
    connected = tenant.connected()
    key_before = connected.number.api_key

    with tenant.failing(fault, WEBHOOK_REGISTRATION) as run:
        answer = Answer.of(
            tenant.channels.invoke(
                "POST", "/channels/{channel_id}/api-key/refresh", path_parameters=_path(connected)
            )
        )

    answer.assert_contract_failure(fault)
    run.assert_bounded()
    assert connected.number.api_key != key_before
    assert _stored_key(tenant, connected) == connected.number.api_key
    assert "api_key_refreshed" in _audit_actions(tenant, connected)
    tenant.assert_no_secret(answer)


@each_fault
def test_a_disconnect_goes_ahead_when_360dialog_cannot_be_told(tenant: Tenant, fault: Fault):
    connected = tenant.connected()

    with tenant.failing(fault, WEBHOOK_REGISTRATION) as run:
        answer = Answer.of(
            tenant.channels.invoke("DELETE", "/channels/{channel_id}", path_parameters=_path(connected))
        )

    assert answer.status == 204
    run.assert_bounded()
    assert _channel(tenant, connected)["status"] == "disconnected"
    [disconnected] = tenant.channels.call(
        "GET", "/channels/{channel_id}/audit", path_parameters=_path(connected), query={"limit": "1"}
    )[1]["items"]
    assert (disconnected["action"], disconnected["details"]) == (
        "channel_disconnected",
        {"webhook_cleared": False},
    )
    tenant.assert_no_secret(answer)


@each_fault
def test_health_says_360dialog_is_unreachable(tenant: Tenant, fault: Fault):
    connected = tenant.connected()

    with tenant.failing(fault, CLOUD_KEY_CHECK) as run:
        answer = Answer.of(
            tenant.channels.invoke("GET", "/channels/{channel_id}/health", path_parameters=_path(connected))
        )

    assert answer.status == 200, answer.body
    run.assert_bounded()
    assert answer.body["api_key_valid"] is None
    assert "provider_unreachable" in [problem["code"] for problem in answer.body["problems"]]
    tenant.assert_no_secret(answer)
