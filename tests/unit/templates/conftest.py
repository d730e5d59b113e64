from __future__ import annotations

import json
from types import ModuleType
from typing import Any

import boto3
import pytest

from tests.unit.conftest import WORKSPACE
from tests.unit.dialog360_double import Dialog360Double, NumberAt360dialog
from tests.unit.support import Api, LambdaContext, load_function
from tests.unit.webhook.conftest import Webhook, cloud_text

OTHER_WORKSPACE = "ws_other"


@pytest.fixture
def templates_app(aws: None, dialog360: Dialog360Double) -> ModuleType:
    return load_function("sync_templates")


@pytest.fixture
def api(templates_app: ModuleType) -> Api:
    return Api(templates_app, WORKSPACE)


@pytest.fixture
def other_api(templates_app: ModuleType) -> Api:
    return Api(templates_app, OTHER_WORKSPACE)


def channel_path(channel: dict[str, Any], **more: str) -> dict[str, str]:
    return {"channel_id": channel["id"], **more}


def sync(api: Api, channel: dict[str, Any]) -> dict[str, Any]:
    return api.call(
        "POST", "/channels/{channel_id}/templates/sync", path_parameters=channel_path(channel), expect=200
    )[1]


def listed(api: Api, channel: dict[str, Any], **query: str) -> dict[str, Any]:
    return api.call(
        "GET",
        "/channels/{channel_id}/templates",
        path_parameters=channel_path(channel),
        query=query,
        expect=200,
    )[1]


def template_sync_jobs() -> list[dict[str, Any]]:
    sqs = boto3.client("sqs")
    url = sqs.get_queue_url(QueueName="wachannel-test-template-sync")["QueueUrl"]
    jobs: list[dict[str, Any]] = []
    while True:
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        if not messages:
            return jobs
        jobs.extend(json.loads(m["Body"]) for m in messages)
        for message in messages:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])


def sqs_event(jobs: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "Records": [
            {
                "messageId": f"m-{index}",
                "receiptHandle": f"r-{index}",
                "body": json.dumps(job),
                "attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": "1717171717000"},
                "messageAttributes": {},
                "md5OfBody": "",
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:eu-central-1:123456789012:wachannel-test-template-sync",
                "awsRegion": "eu-central-1",
            }
            for index, job in enumerate(jobs)
        ]
    }


def run_sync_jobs(module: ModuleType, jobs: list[dict[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = module.sync_job_handler(sqs_event(jobs), LambdaContext())
    return result


@pytest.fixture
def contact(channel: dict[str, Any], number: NumberAt360dialog) -> dict[str, Any]:
    """A customer who wrote to the channel, then named by an agent."""
    assert number.webhook is not None
    webhook = Webhook(load_function("webhook"), channel["id"], number.webhook["headers"]["X-Webhook-Token"])
    status, _ = webhook.deliver(
        cloud_text("4917012345678", "wamid.contact-1", "Hi", 1717171717, name="Bruno S")
    )
    assert status == 200
    inbox = Api(load_function("inbox"), WORKSPACE)
    found = inbox.call("GET", "/contacts", expect=200)[1]["items"][0]
    contact: dict[str, Any] = inbox.call(
        "PATCH",
        "/contacts/{contact_id}",
        path_parameters={"contact_id": found["id"]},
        body={"first_name": "Bruno", "attributes": {"order_id": "B-777"}},
        expect=200,
    )[1]
    return contact
