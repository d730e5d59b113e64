"""Sending while 360dialog fails: the contract's answer in bounded time, the message stored `failed`
with its reason, and never sent twice: not by our retries, not by a client's retry with its
Idempotency-Key, not by the send queue's redelivery of a greeting."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.unit.conftest import SEND_QUEUE_NAME, put_uploaded_file
from tests.unit.dialog360_double import Endpoint, Fault, LostAnswer, SlowAnswer
from tests.unit.faults.support import Answer, ConnectedChannel, Tenant, drain_jobs, each_fault, handed_back
from tests.unit.send.conftest import customer_writes
from tests.unit.support import LambdaContext, load_function
from tests.unit.templates.conftest import sqs_event
from wachannel import aws
from wachannel.config import SendSettings, load_settings
from wachannel.store.media import MediaRepository

MESSAGES = Endpoint("POST", r"^/(v1/)?messages$")
MEDIA_UPLOAD = Endpoint("POST", r"^/(v1/)?media$")
TEMPLATE_LISTING = Endpoint("GET", r"^/v1/configs/templates$")
PDF = b"%PDF-1.7\n" + b"invoice 42 " * 500


def _contact_id(tenant: Tenant, connected: ConnectedChannel) -> str:
    customer_writes(connected.channel, connected.number)
    [contact] = tenant.inbox.call("GET", "/contacts", expect=200)[1]["items"]
    return str(contact["id"])


def _ready_to_send(tenant: Tenant, generation: str, kind: str) -> tuple[ConnectedChannel, dict[str, Any]]:
    """A channel whose customer just wrote, and a message for that customer."""
    connected = tenant.connected(generation)
    to = _contact_id(tenant, connected)
    if kind == "text":
        return connected, {"to": to, "type": "text", "text": "Your order has shipped."}
    connected.number.add_template("order_update")
    tenant.templates.call(
        "POST",
        "/channels/{channel_id}/templates/sync",
        path_parameters={"channel_id": connected.id},
        expect=200,
    )
    template = {"name": "order_update", "language": "en", "parameters": {"body": ["Ana", "A-1234"]}}
    return connected, {"to": to, "type": "template", "template": template}


def _send(tenant: Tenant, connected: ConnectedChannel, body: dict[str, Any], **kwargs: Any) -> Answer:
    return Answer.of(
        tenant.send.invoke(
            "POST",
            "/channels/{channel_id}/messages",
            path_parameters={"channel_id": connected.id},
            body=body,
            **kwargs,
        )
    )


def _outbound(tenant: Tenant, contact_id: str) -> list[dict[str, Any]]:
    thread = tenant.inbox.call(
        "GET", "/contacts/{contact_id}/messages", path_parameters={"contact_id": contact_id}, expect=200
    )[1]["items"]
    return [message for message in thread if message["direction"] == "outbound"]


def _maybe_sent(fault: Fault) -> bool:
    """No answer after the request went out: the message may be with the customer. An error answer
    or a connection never made means nothing was sent."""
    return isinstance(fault, LostAnswer | SlowAnswer)


@pytest.mark.parametrize(
    ("generation", "kind"),
    [
        pytest.param("cloud", "text", id="cloud text"),
        pytest.param("on_premise", "text", id="on-premise text"),
        pytest.param("cloud", "template", id="cloud template"),
    ],
)
@each_fault
def test_a_send_that_meets_a_fault_is_stored_failed_and_sent_at_most_once(
    tenant: Tenant, generation: str, kind: str, fault: Fault
):
    connected, body = _ready_to_send(tenant, generation, kind)

    with tenant.failing(fault, MESSAGES) as run:
        answer = _send(tenant, connected, body)

    answer.assert_contract_failure(fault)
    run.assert_bounded(acts_once=True)
    assert len(connected.number.sent) == int(fault.carries_out)
    [failed] = _outbound(tenant, body["to"])
    details = answer.body["error"]["details"]
    code = details["provider_code"] if details["provider_code"] is not None else answer.body["error"]["code"]
    assert (failed["status"], failed["whatsapp_message_id"]) == ("failed", None)
    assert failed["error"] == {"code": str(code), "message": details["provider_message"]}
    tenant.assert_no_secret(answer, failed)


@each_fault
def test_a_template_send_whose_first_sync_fails_sends_nothing(tenant: Tenant, fault: Fault):
    """A template not synced yet is looked up with one sync before the send."""
    connected = tenant.connected()
    to = _contact_id(tenant, connected)
    connected.number.add_template("order_update")
    template = {"name": "order_update", "language": "en", "parameters": {"body": ["Ana", "A-1234"]}}

    with tenant.failing(fault, TEMPLATE_LISTING) as run:
        answer = _send(tenant, connected, {"to": to, "type": "template", "template": template})

    answer.assert_contract_failure(fault)
    run.assert_bounded()
    assert connected.number.sent == []
    assert _outbound(tenant, to) == []
    tenant.assert_no_secret(answer)


@each_fault
def test_a_retry_with_the_same_idempotency_key_replays_a_maybe_sent_message_and_sends_the_others_once(
    tenant: Tenant, fault: Fault
):
    connected, body = _ready_to_send(tenant, "cloud", "text")
    key = {"Idempotency-Key": f"retry-{uuid.uuid4().hex}"}

    with tenant.failing(fault, MESSAGES):
        first = _send(tenant, connected, body, headers=key)
    requests_before_retry = tenant.double.requests_to(MESSAGES)
    again = _send(tenant, connected, body, headers=key)

    first.assert_contract_failure(fault)
    if _maybe_sent(fault):
        assert (again.status, again.body) == (first.status, first.body)
        assert tenant.double.requests_to(MESSAGES) == requests_before_retry
    else:
        assert again.status == 201, again.body
    assert len(connected.number.sent) == 1
    tenant.assert_no_secret(first, again)


@each_fault
def test_a_greeting_job_is_redelivered_until_sent_but_never_sent_twice(tenant: Tenant, fault: Fault):
    connected = tenant.connected(greeting_message="Hello! We answer within the hour.")
    customer_writes(connected.channel, connected.number)
    [job] = drain_jobs(SEND_QUEUE_NAME, connected.id)
    send_app = load_function("send")

    with tenant.failing(fault, MESSAGES) as run:
        retried = handed_back(lambda: send_app.send_job_handler(sqs_event([job]), LambdaContext()))
    redelivered = send_app.send_job_handler(sqs_event([job]), LambdaContext())

    run.assert_bounded(acts_once=True)
    assert retried is not _maybe_sent(fault)
    assert redelivered == {"batchItemFailures": []}
    assert [body["text"]["body"] for body in connected.number.sent] == ["Hello! We answer within the hour."]
    tenant.assert_no_secret()


@each_fault
def test_an_upload_that_meets_a_fault_is_not_marked_done_and_nothing_is_sent(tenant: Tenant, fault: Fault):
    connected = tenant.connected()
    to = _contact_id(tenant, connected)
    upload = tenant.send.call(
        "POST",
        "/channels/{channel_id}/media/uploads",
        path_parameters={"channel_id": connected.id},
        body={"filename": "invoice-42.pdf", "mime_type": "application/pdf", "file_size": len(PDF)},
        expect=201,
    )[1]
    put_uploaded_file(upload, PDF, "application/pdf")
    body = {
        "to": to,
        "type": "document",
        "media": {"upload_id": upload["upload_id"], "filename": "invoice.pdf"},
    }

    with tenant.failing(fault, MEDIA_UPLOAD) as run:
        answer = _send(tenant, connected, body)

    answer.assert_contract_failure(fault)
    run.assert_bounded(acts_once=True)
    assert connected.number.sent == []
    media = MediaRepository(load_settings(SendSettings).table_name, aws.dynamodb)
    stored = media.upload(tenant.workspace_id, connected.id, upload["upload_id"])
    assert stored is not None
    assert "provider_media_id" not in stored
    tenant.assert_no_secret(answer)


@each_fault
def test_a_read_receipt_that_meets_a_fault(tenant: Tenant, fault: Fault):
    connected = tenant.connected()
    to = _contact_id(tenant, connected)
    [inbound] = tenant.inbox.call(
        "GET", "/contacts/{contact_id}/messages", path_parameters={"contact_id": to}, expect=200
    )[1]["items"]

    with tenant.failing(fault, MESSAGES) as run:
        answer = Answer.of(
            tenant.send.invoke(
                "POST", "/messages/{message_id}/read", path_parameters={"message_id": inbound["id"]}
            )
        )

    answer.assert_contract_failure(fault)
    run.assert_bounded()
    tenant.assert_no_secret(answer)
