"""Copying a customer's file while 360dialog fails: the job is handed back to its queue on an outage
while attempts remain and ends `failed` with the reason after the last one; a refusal is final at
once (360dialog blocks a number's media after five failed fetches). No file is left half-copied."""

from __future__ import annotations

import time
from typing import Any

import boto3
import pytest

from tests.unit.conftest import MEDIA_BUCKET_NAME, MEDIA_QUEUE_NAME
from tests.unit.dialog360_double import Endpoint, ErrorAnswer, Fault
from tests.unit.faults.support import (
    FAULTS,
    REFUSAL,
    Answer,
    ConnectedChannel,
    Tenant,
    drain_jobs,
    handed_back,
)
from tests.unit.support import LambdaContext, load_function
from tests.unit.templates.conftest import sqs_event
from tests.unit.webhook.conftest import Webhook, cloud
from wachannel.services.media import COPY_ATTEMPTS

CLOUD_MEDIA_INFO = Endpoint("GET", r"^/[0-9]+$")
CLOUD_MEDIA_DOWNLOAD = Endpoint("GET", r"^/whatsapp_business/attachments/$")
ON_PREMISE_MEDIA_DOWNLOAD = Endpoint("GET", r"^/v1/media/")
CUSTOMER = "5511987654321"
PICTURE = b"\xff\xd8\xff\xe0" + b"JFIF-picture-bytes" * 100


def _customer_sends_a_picture(connected: ConnectedChannel) -> dict[str, Any]:
    """The picture at 360dialog, its message through the webhook; returns the copy job it queued."""
    number = connected.number
    media_id = "1480239" if number.generation == "cloud" else "f1480239-picture"
    number.media[media_id] = (PICTURE, "image/jpeg")
    message = {
        "from": CUSTOMER,
        "id": f"wamid.picture{time.time_ns()}",
        "timestamp": str(int(time.time())),
        "type": "image",
        "image": {"id": media_id, "mime_type": "image/jpeg"},
    }
    contacts = [{"profile": {"name": "Ana"}, "wa_id": CUSTOMER}]
    payload = (
        cloud(messages=[message], contacts=contacts)
        if number.generation == "cloud"
        else {"contacts": contacts, "messages": [message]}
    )
    assert number.webhook is not None
    webhook = Webhook(load_function("webhook"), connected.id, number.webhook["headers"]["X-Webhook-Token"])
    assert webhook.deliver(payload)[0] == 200
    [job] = drain_jobs(MEDIA_QUEUE_NAME, connected.id)
    return job


def _copy(job: dict[str, Any], attempt: int) -> dict[str, Any]:
    event = sqs_event([job])
    event["Records"][0]["attributes"]["ApproximateReceiveCount"] = str(attempt)
    result: dict[str, Any] = load_function("media").lambda_handler(event, LambdaContext())
    return result


def _picture(tenant: Tenant) -> dict[str, Any]:
    [contact] = tenant.inbox.call("GET", "/contacts", expect=200)[1]["items"]
    [message] = tenant.inbox.call(
        "GET", "/contacts/{contact_id}/messages", path_parameters={"contact_id": contact["id"]}, expect=200
    )[1]["items"]
    return dict(message)


def _files_of(tenant: Tenant) -> list[str]:
    listed = boto3.client("s3").list_objects_v2(
        Bucket=MEDIA_BUCKET_NAME, Prefix=f"inbound/ws/{tenant.workspace_id}/"
    )
    return [item["Key"] for item in listed.get("Contents", [])]


@pytest.mark.parametrize(
    ("generation", "endpoint"),
    [
        pytest.param("cloud", CLOUD_MEDIA_INFO, id="cloud media info"),
        pytest.param("cloud", CLOUD_MEDIA_DOWNLOAD, id="cloud download"),
        pytest.param("on_premise", ON_PREMISE_MEDIA_DOWNLOAD, id="on-premise download"),
    ],
)
@pytest.mark.parametrize("fault", [*FAULTS, REFUSAL], ids=lambda fault: fault.id)
def test_a_copy_is_retried_on_an_outage_and_failed_for_good_on_a_refusal_or_the_last_attempt(
    tenant: Tenant, generation: str, endpoint: Endpoint, fault: Fault
):
    connected = tenant.connected(generation)
    job = _customer_sends_a_picture(connected)
    refused = isinstance(fault, ErrorAnswer) and fault.status < 429

    def handed_back_at(attempt: int) -> bool:
        with tenant.failing(fault, endpoint) as run:
            outcome = handed_back(lambda: _copy(job, attempt))
        run.assert_bounded()
        return outcome

    if refused:
        assert not handed_back_at(1)
    else:
        assert handed_back_at(1)
        assert _picture(tenant)["media"]["status"] == "pending"
        assert not handed_back_at(COPY_ATTEMPTS)

    message = _picture(tenant)
    assert message["media"]["status"] == "failed"
    assert _files_of(tenant) == []
    link = Answer.of(
        tenant.inbox.invoke(
            "GET", "/messages/{message_id}/media", path_parameters={"message_id": message["id"]}
        )
    )
    assert (link.status, link.body["error"]["code"]) == (502, "provider_error")
    tenant.assert_no_secret(link, message)
