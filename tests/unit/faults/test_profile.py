"""The business profile while 360dialog fails: the contract's answer in bounded time, the stored copy
untouched, and a failed sync on the channel's health."""

from __future__ import annotations

import io
from typing import Any

import pytest
from PIL import Image

from tests.unit.conftest import put_uploaded_file
from tests.unit.dialog360_double import Endpoint, Fault
from tests.unit.faults.support import Answer, ConnectedChannel, Tenant, each_fault

CLOUD_PROFILE_READ = Endpoint("GET", r"^/whatsapp_business_profile$")
ON_PREMISE_PROFILE_READ = Endpoint("GET", r"^/v1/settings/business/profile$")
CLOUD_PROFILE_WRITE = Endpoint("POST", r"^/whatsapp_business_profile$")
PHOTO_UPLOAD_SESSION = Endpoint("POST", r"^/uploads$")


def _path(connected: ConnectedChannel) -> dict[str, str]:
    return {"channel_id": connected.id}


def _synced(tenant: Tenant, generation: str = "cloud") -> tuple[ConnectedChannel, dict[str, Any]]:
    """A channel whose profile is stored, and the stored copy."""
    connected = tenant.connected(generation)
    stored = tenant.profile.call(
        "POST", "/channels/{channel_id}/profile/sync", path_parameters=_path(connected), expect=200
    )[1]
    return connected, stored


def _stored(tenant: Tenant, connected: ConnectedChannel) -> dict[str, Any]:
    return dict(
        tenant.profile.call(
            "GET", "/channels/{channel_id}/profile", path_parameters=_path(connected), expect=200
        )[1]
    )


@pytest.mark.parametrize(
    ("generation", "endpoint"),
    [
        pytest.param("cloud", CLOUD_PROFILE_READ, id="cloud"),
        pytest.param("on_premise", ON_PREMISE_PROFILE_READ, id="on-premise"),
    ],
)
@each_fault
def test_a_failed_profile_sync_keeps_the_stored_copy_and_shows_in_health(
    tenant: Tenant, generation: str, endpoint: Endpoint, fault: Fault
):
    connected, before = _synced(tenant, generation)
    connected.number.profile["about"] = "Closed for the holidays"

    with tenant.failing(fault, endpoint) as run:
        answer = Answer.of(
            tenant.profile.invoke(
                "POST", "/channels/{channel_id}/profile/sync", path_parameters=_path(connected)
            )
        )

    answer.assert_contract_failure(fault)
    run.assert_bounded()
    assert _stored(tenant, connected) == before
    health = tenant.health(connected)
    assert "profile_sync_failed" in [problem["code"] for problem in health["problems"]]
    tenant.assert_no_secret(answer, health)


@each_fault
def test_a_failed_profile_edit_keeps_the_stored_copy(tenant: Tenant, fault: Fault):
    connected, before = _synced(tenant)

    with tenant.failing(fault, CLOUD_PROFILE_WRITE) as run:
        answer = Answer.of(
            tenant.profile.invoke(
                "PATCH",
                "/channels/{channel_id}/profile",
                path_parameters=_path(connected),
                body={"about": "Closed on Sundays"},
            )
        )

    answer.assert_contract_failure(fault)
    run.assert_bounded()
    assert _stored(tenant, connected) == before
    tenant.assert_no_secret(answer)


@each_fault
def test_a_failed_photo_upload_keeps_the_stored_profile(tenant: Tenant, fault: Fault):
    connected, before = _synced(tenant)
    buffer = io.BytesIO()
    Image.new("RGB", (256, 256), (200, 120, 40)).save(buffer, format="JPEG")
    photo = buffer.getvalue()
    upload = tenant.send.call(
        "POST",
        "/channels/{channel_id}/media/uploads",
        path_parameters=_path(connected),
        body={"filename": "logo.jpg", "mime_type": "image/jpeg", "file_size": len(photo)},
        expect=201,
    )[1]
    put_uploaded_file(upload, photo, "image/jpeg")

    with tenant.failing(fault, PHOTO_UPLOAD_SESSION) as run:
        answer = Answer.of(
            tenant.profile.invoke(
                "PUT",
                "/channels/{channel_id}/profile/photo",
                path_parameters=_path(connected),
                body={"upload_id": upload["upload_id"]},
            )
        )

    answer.assert_contract_failure(fault)
    # A file is sent once: a repeat could store it twice.
    run.assert_bounded(acts_once=True)
    assert connected.number.photo is None
    assert _stored(tenant, connected) == before
    tenant.assert_no_secret(answer)
