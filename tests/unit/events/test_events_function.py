from __future__ import annotations

import json
from typing import Any

import boto3

from tests.unit.conftest import EVENT_BUS_NAME
from tests.unit.support import LambdaContext, load_function
from wachannel.store.codec import to_item

CONTACT = {"entity": "contact", "id": "ct_1", "workspace_id": "ws_a", "channels": {"ch_1"}}
MESSAGE = {
    "entity": "message",
    "direction": "inbound",
    "workspace_id": "ws_a",
    "channel_id": "ch_1",
    "id": "msg_x",
    "whatsapp_message_id": "wamid.X",
    "type": "text",
    "timestamp": "2026-11-18T11:06:40.000Z",
    "filed": True,
    "contact_id": "ct_1",
}


def _record(sequence: str, new: dict[str, Any], old: dict[str, Any] | None = None) -> dict[str, Any]:
    change: dict[str, Any] = {
        "ApproximateCreationDateTime": 1795000000,
        "Keys": to_item({"PK": "x", "SK": "y"}),
        "NewImage": to_item(new),
        "SequenceNumber": sequence,
        "SizeBytes": 200,
        "StreamViewType": "NEW_AND_OLD_IMAGES",
    }
    if old is not None:
        change["OldImage"] = to_item(old)
    return {
        "eventID": f"e{sequence}",
        "eventName": "MODIFY" if old else "INSERT",
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": "eu-central-1",
        "dynamodb": change,
        "eventSourceARN": "arn:aws:dynamodb:eu-central-1:123456789012:table/t/stream/2026-11-24T00:00:00.000",
    }


def _tap() -> str:
    sqs, events = boto3.client("sqs"), boto3.client("events")
    url = sqs.create_queue(QueueName="tap")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.put_rule(
        Name="tap", EventBusName=EVENT_BUS_NAME, EventPattern=json.dumps({"source": ["wachannel"]})
    )
    events.put_targets(Rule="tap", EventBusName=EVENT_BUS_NAME, Targets=[{"Id": "tap", "Arn": arn}])
    return url


def test_changes_become_events_on_the_bus(aws: None):
    url = _tap()
    stream = {"Records": [_record("1", CONTACT), _record("2", MESSAGE, {**MESSAGE, "filed": False})]}

    answer = load_function("events").lambda_handler(stream, LambdaContext())

    assert answer == {"batchItemFailures": []}
    bodies = boto3.client("sqs").receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert sorted(json.loads(m["Body"])["detail-type"] for m in bodies) == [
        "contact.created",
        "message.received",
    ]


def test_a_change_whose_events_are_refused_is_retried(aws: None):
    boto3.client("events").delete_event_bus(Name=EVENT_BUS_NAME)
    stream = {"Records": [_record("7", CONTACT), _record("8", {**CONTACT, "entity": "channel"})]}

    answer = load_function("events").lambda_handler(stream, LambdaContext())

    assert answer == {"batchItemFailures": [{"itemIdentifier": "7"}]}
