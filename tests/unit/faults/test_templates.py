"""Syncing, submitting and deleting templates while 360dialog fails: the contract's answer in bounded
time, the stored copies untouched, the failure on the channel's health; the scheduled sync retried by
its queue on an outage and done on a refusal."""

from __future__ import annotations

from typing import Any

import pytest

from tests.unit.dialog360_double import Endpoint, ErrorAnswer, Fault
from tests.unit.faults.support import (
    FAULTS,
    REFUSAL,
    Answer,
    ConnectedChannel,
    Tenant,
    each_fault,
    handed_back,
)
from tests.unit.support import load_function
from tests.unit.templates.conftest import run_sync_jobs

LISTING = Endpoint("GET", r"^/v1/configs/templates$")
SUBMISSION = Endpoint("POST", r"^/v1/configs/templates$")
DELETION = Endpoint("DELETE", r"^/v1/configs/templates/[^/]+$")
NEW_TEMPLATE = {
    "name": "parcel_sent",
    "category": "UTILITY",
    "language": "en",
    "components": [
        {"type": "BODY", "text": "Your parcel {{1}} is on its way.", "example": {"body_text": [["A-1234"]]}}
    ],
}


def _path(connected: ConnectedChannel, **more: str) -> dict[str, str]:
    return {"channel_id": connected.id, **more}


def _synced(tenant: Tenant) -> ConnectedChannel:
    """A channel whose one approved template is synced."""
    connected = tenant.connected()
    connected.number.add_template("order_update")
    tenant.templates.call(
        "POST", "/channels/{channel_id}/templates/sync", path_parameters=_path(connected), expect=200
    )
    return connected


def _listed(tenant: Tenant, connected: ConnectedChannel) -> dict[str, Any]:
    return dict(
        tenant.templates.call(
            "GET", "/channels/{channel_id}/templates", path_parameters=_path(connected), expect=200
        )[1]
    )


def _changed_at_360dialog(connected: ConnectedChannel) -> None:
    """What a successful sync would store: the known template rejected, and a new one."""
    connected.number.add_template("order_update", status="REJECTED", rejected_reason="INVALID_FORMAT")
    connected.number.add_template("delivery_window")


def _health_showing_the_failed_sync(tenant: Tenant, connected: ConnectedChannel) -> dict[str, Any]:
    health = tenant.health(connected)
    assert "templates_sync_failed" in [problem["code"] for problem in health["problems"]]
    return health


@each_fault
def test_a_failed_sync_changes_no_template_and_shows_in_health(tenant: Tenant, fault: Fault):
    connected = _synced(tenant)
    before = _listed(tenant, connected)
    _changed_at_360dialog(connected)

    with tenant.failing(fault, LISTING) as run:
        answer = Answer.of(
            tenant.templates.invoke(
                "POST", "/channels/{channel_id}/templates/sync", path_parameters=_path(connected)
            )
        )

    answer.assert_contract_failure(fault)
    run.assert_bounded()
    assert _listed(tenant, connected) == before
    health = _health_showing_the_failed_sync(tenant, connected)
    assert health["templates_last_synced_at"] == before["last_synced_at"]
    retried = tenant.templates.call(
        "POST", "/channels/{channel_id}/templates/sync", path_parameters=_path(connected), expect=200
    )[1]
    assert (retried["created"], retried["updated"]) == (1, 1), "the sync's lease was not given back"
    tenant.assert_no_secret(answer, health)


@each_fault
def test_a_failed_submission_stores_nothing(tenant: Tenant, fault: Fault):
    connected = tenant.connected()

    with tenant.failing(fault, SUBMISSION) as run:
        answer = Answer.of(
            tenant.templates.invoke(
                "POST",
                "/channels/{channel_id}/templates",
                path_parameters=_path(connected),
                body=NEW_TEMPLATE,
            )
        )

    answer.assert_contract_failure(fault)
    # A repeat after a lost answer would meet "already exists".
    run.assert_bounded(acts_once=True)
    assert _listed(tenant, connected)["items"] == []
    tenant.assert_no_secret(answer)


@each_fault
def test_a_failed_delete_keeps_the_template(tenant: Tenant, fault: Fault):
    connected = _synced(tenant)
    before = _listed(tenant, connected)

    with tenant.failing(fault, DELETION) as run:
        answer = Answer.of(
            tenant.templates.invoke(
                "DELETE",
                "/channels/{channel_id}/templates/{name}",
                path_parameters=_path(connected, name="order_update"),
            )
        )

    answer.assert_contract_failure(fault)
    run.assert_bounded()
    assert _listed(tenant, connected) == before
    tenant.assert_no_secret(answer)


@pytest.mark.parametrize("fault", [*FAULTS, REFUSAL], ids=lambda fault: fault.id)
def test_a_scheduled_sync_is_retried_on_an_outage_and_done_on_a_refusal(tenant: Tenant, fault: Fault):
    connected = _synced(tenant)
    before = _listed(tenant, connected)
    _changed_at_360dialog(connected)
    job = {"workspace_id": tenant.workspace_id, "channel_id": connected.id}

    with tenant.failing(fault, LISTING) as run:
        retried = handed_back(lambda: run_sync_jobs(load_function("sync_templates"), [job]))

    refused = isinstance(fault, ErrorAnswer) and fault.status < 429
    assert retried is not refused
    run.assert_bounded()
    assert _listed(tenant, connected) == before
    health = _health_showing_the_failed_sync(tenant, connected)
    tenant.assert_no_secret(health)
