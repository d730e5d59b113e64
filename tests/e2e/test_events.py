"""Domain events reach the stack's bus after storage, derived from the table's stream."""

from __future__ import annotations

import json
import time
from typing import Any

import boto3

from infra.local.process import LocalStackProcess
from tests.e2e.clients import Frontend, Simulator


def _tap_the_bus(stack: LocalStackProcess) -> tuple[Any, str]:
    """An SQS queue subscribed to every event on the bus, as a consumer of the events would be."""
    session = boto3.Session(
        aws_access_key_id="local", aws_secret_access_key="local", region_name="eu-central-1"
    )
    events = session.client("events", endpoint_url=stack.facts.moto_url)
    sqs = session.client("sqs", endpoint_url=stack.facts.moto_url)
    [bus] = [b["Name"] for b in events.list_event_buses()["EventBuses"] if b["Name"] != "default"]
    queue_url = sqs.create_queue(QueueName="e2e-event-tap")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    events.put_rule(Name="e2e-tap", EventBusName=bus, EventPattern=json.dumps({"source": ["wachannel"]}))
    events.put_targets(Rule="e2e-tap", EventBusName=bus, Targets=[{"Id": "tap", "Arn": queue_arn}])
    return sqs, queue_url


def _collect(sqs: Any, queue_url: str, wanted: set[str], seconds: float = 20) -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not wanted <= {e["detail-type"] for e in seen}:
        answer = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
        seen += [json.loads(m["Body"]) for m in answer.get("Messages", [])]
    return seen


def test_a_customer_message_publishes_contact_created_and_message_received(
    stack: LocalStackProcess, frontend: Frontend, simulator: Simulator
) -> None:
    sqs, queue_url = _tap_the_bus(stack)
    number = simulator.new_number()
    channel = frontend.connect(number)

    simulator.client.post(
        f"/_admin/numbers/{number['phone_number']}/inbound",
        json={"from": "4917612345678", "profile_name": "Lena", "type": "text", "text": "Hallo", "copies": 2},
    ).raise_for_status()

    events = _collect(sqs, queue_url, {"contact.created", "message.received"})
    received = [
        e
        for e in events
        if e["detail-type"] == "message.received" and e["detail"]["channel_id"] == channel["id"]
    ]
    assert len(received) == 1, events
    assert received[0]["source"] == "wachannel"
    assert received[0]["detail"]["type"] == "text"
    created = [e for e in events if e["detail-type"] == "contact.created"]
    assert any(e["detail"]["contact_id"] == received[0]["detail"]["contact_id"] for e in created)
    assert "Hallo" not in json.dumps(events)
    assert number["api_key"] not in json.dumps(events)
