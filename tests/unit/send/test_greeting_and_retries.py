from __future__ import annotations

import json
from types import ModuleType
from typing import Any

import boto3
import httpx
import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.unit.conftest import CLOUD_DIGITS, CLOUD_KEY
from tests.unit.dialog360_double import NumberAt360dialog
from tests.unit.send.conftest import customer_writes, only_contact, send
from tests.unit.support import Api, LambdaContext
from tests.unit.templates.conftest import sqs_event


def _send_queue_jobs() -> list[dict[str, Any]]:
    sqs = boto3.client("sqs")
    url = sqs.get_queue_url(QueueName="wachannel-test-send")["QueueUrl"]
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
    return [json.loads(message["Body"]) for message in messages]


def test_the_greeting_is_sent_once_however_often_its_job_arrives(
    send_app: ModuleType, channels: Api, number: NumberAt360dialog
):
    channel = channels.connect(
        f"+{CLOUD_DIGITS}", CLOUD_KEY, greeting_message="Hello! We answer within the hour."
    )
    customer_writes(channel, number)
    [job] = _send_queue_jobs()

    first = send_app.send_job_handler(sqs_event([job]), LambdaContext())
    again = send_app.send_job_handler(sqs_event([job, job]), LambdaContext())

    assert first == again == {"batchItemFailures": []}
    assert [body["text"]["body"] for body in number.sent] == ["Hello! We answer within the hour."]


def test_a_greeting_job_for_a_channel_without_greeting_sends_nothing(
    send_app: ModuleType, channel: dict[str, Any], number: NumberAt360dialog
):
    job = {
        "kind": "greeting",
        "workspace_id": "ws_acme",
        "channel_id": channel["id"],
        "contact_id": "ct_01JDNOSUCHCONTACT0000000000",
        "reply_to_wamid": "wamid.x",
        "idempotency_key": f"greeting:{channel['id']}:ct_x",
    }

    assert send_app.send_job_handler(sqs_event([job]), LambdaContext()) == {"batchItemFailures": []}
    assert number.sent == []


def test_a_greeting_the_provider_refuses_is_retried_by_the_queue(
    send_app: ModuleType, channels: Api, number: NumberAt360dialog
):
    channel = channels.connect(f"+{CLOUD_DIGITS}", CLOUD_KEY, greeting_message="Hi!")
    customer_writes(channel, number)
    [job] = _send_queue_jobs()
    number.send_failures.append(
        httpx.Response(500, json={"error": {"message": "(#131000) Something went wrong", "code": 131000}})
    )

    with pytest.raises(BatchProcessingError):
        send_app.send_job_handler(sqs_event([job]), LambdaContext())
    retried = send_app.send_job_handler(sqs_event([job]), LambdaContext())

    assert retried == {"batchItemFailures": []}
    assert len(number.sent) == 1


_FAULTS = st.lists(
    st.sampled_from(["throttled", "unavailable", "refused", "timeout_after_sending", "ok"]),
    min_size=1,
    max_size=6,
)


def _fault(kind: str) -> httpx.Response | Exception | None:
    if kind == "throttled":
        return httpx.Response(
            429,
            headers={"Retry-After": "0"},
            json={"error": {"message": "(#130429) Rate limit hit", "code": 130429}},
        )
    if kind == "unavailable":
        return httpx.Response(503, headers={"Retry-After": "0"}, text="Service Unavailable")
    if kind == "refused":
        return httpx.Response(
            400, json={"error": {"message": "(#131000) Something went wrong", "code": 131000}}
        )
    if kind == "timeout_after_sending":
        return httpx.ReadTimeout("no answer")
    return None


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(faults=_FAULTS, retries=st.integers(min_value=1, max_value=5))
def test_retries_with_one_key_under_faults_never_send_twice(
    *,
    api: Api,
    inbox: Api,
    channel: dict[str, Any],
    number: NumberAt360dialog,
    faults: list[str],
    retries: int,
):
    if not number.sent and not inbox.call("GET", "/contacts")[1]["items"]:
        customer_writes(channel, number)
    contact = only_contact(inbox)
    number.sent.clear()
    number.send_failures[:] = [f for f in map(_fault, faults) if f is not None]
    key = f"k-{len(faults)}-{retries}-{'.'.join(faults)}-{id(faults)}"
    body = {"to": contact["id"], "type": "text", "text": "Exactly once, please"}

    answers = [send(api, channel, body, headers={"Idempotency-Key": key})[0] for _ in range(retries)]

    assert len(number.sent) <= 1
    if 201 in answers:
        assert len(number.sent) == 1
        assert answers[answers.index(201) :] == [201] * (len(answers) - answers.index(201))
    assert set(answers) <= {201, 429, 502, 504}
