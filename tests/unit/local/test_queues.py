"""SQS queues drained into their functions like Lambda's event source mapping, on moto's in-process mock."""

import asyncio
import base64
import hashlib
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from aws_lambda_powertools.utilities.parser.models import SqsModel
from moto import mock_aws

from infra.local.aws import AwsClients, provision_resources
from infra.local.cfn import LOCAL_ACCOUNT_ID, IntrinsicResolver, TemplateError, load_template
from infra.local.lambda_runtime import ENVIRONMENTS_PER_FUNCTION, LocalLambda, read_functions
from infra.local.queues import (
    QueueConsumer,
    QueueSubscription,
    failed_message_ids,
    read_queue_subscriptions,
    receive_batch,
)
from tests.unit.local.event_sources import FakeFunction, fail, queue_depth, run_until
from tests.unit.support import ROOT

REGION = "eu-central-1"
TEMPLATE = """
Transform: AWS::Serverless-2016-10-31
Resources:
  JobsDeadLetterQueue:
    Type: AWS::SQS::Queue
  JobsQueue:
    Type: AWS::SQS::Queue
    Properties:
      VisibilityTimeout: 60
      RedrivePolicy:
        deadLetterTargetArn: !GetAtt JobsDeadLetterQueue.Arn
        maxReceiveCount: 2
  WorkerFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/worker/
      Handler: app.handler
      Events:
        Jobs:
          Type: SQS
          Properties:
            Queue: !GetAtt JobsQueue.Arn
            BatchSize: 3
            FunctionResponseTypes: [ReportBatchItemFailures]
            ScalingConfig: {MaximumConcurrency: 2}
        Paused:
          Type: SQS
          Properties: {Queue: !GetAtt JobsDeadLetterQueue.Arn, Enabled: false}
"""
REPORT_BAD_BODIES = """
def handler(event, context):
    return {
        "batchItemFailures": [
            {"itemIdentifier": record["messageId"]} for record in event["Records"] if record["body"] == "bad"
        ]
    }
"""


def report_bad_bodies(event: dict[str, Any]) -> dict[str, Any]:
    return {
        "batchItemFailures": [
            {"itemIdentifier": record["messageId"]} for record in event["Records"] if record["body"] == "bad"
        ]
    }


@dataclass
class Jobs:
    clients: AwsClients
    subscription: QueueSubscription
    dead_letter_queue_url: str

    @property
    def queue_url(self) -> str:
        return self.subscription.queue_url

    def send(self, *bodies: str) -> None:
        for body in bodies:
            self.clients.sqs.send_message(QueueUrl=self.queue_url, MessageBody=body)

    def consumer(self, function: FakeFunction, **changes: Any) -> QueueConsumer:
        """A consumer that polls every 10 ms and returns failed messages at once."""
        return QueueConsumer(
            replace(self.subscription, **changes),
            function.invoke,
            self.clients.sqs,
            region=REGION,
            poll_seconds=0.01,
            retry_visibility_seconds=0,
        )

    def visible_bodies(self) -> list[str]:
        return sorted(message["Body"] for message in receive_batch(self.clients.sqs, self.queue_url, 10))


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "template.yaml").write_text(TEMPLATE)
    return tmp_path


@pytest.fixture
def jobs(project: Path) -> Iterator[Jobs]:
    with mock_aws():
        clients = AwsClients.connect(None)
        template = load_template(project / "template.yaml")
        resources = provision_resources(template, clients, parameter_values={}, stack_name="test")
        resolver = IntrinsicResolver(template, region=REGION, stack_name="test", resources=resources)
        functions = read_functions(template, project, resolver, "test")
        (subscription,) = read_queue_subscriptions(functions, resolver, resources)
        yield Jobs(clients, subscription, resources["JobsDeadLetterQueue"].attributes["QueueUrl"])


def test_an_sqs_event_of_the_template_becomes_a_subscription(jobs: Jobs) -> None:
    subscription = jobs.subscription

    assert subscription.function.logical_id == "WorkerFunction"
    assert subscription.queue_url.endswith("/test-JobsQueue")
    assert subscription.queue_arn == f"arn:aws:sqs:{REGION}:{LOCAL_ACCOUNT_ID}:test-JobsQueue"
    assert (subscription.batch_size, subscription.reports_batch_item_failures) == (3, True)
    assert subscription.maximum_concurrency == 2


def test_the_project_template_feeds_the_template_sync_queue_to_its_worker() -> None:
    template = load_template(ROOT / "template.yaml")
    parameters = {"JwtIssuer": "http://127.0.0.1:3000/local-issuer", "JwtAudience": "wachannel-local"}
    with mock_aws():
        resources = provision_resources(template, AwsClients.connect(None), parameter_values=parameters)
        resolver = IntrinsicResolver(
            template,
            region=REGION,
            stack_name="wachannel-local",
            parameter_values=parameters,
            resources=resources,
        )
        functions = read_functions(template, ROOT, resolver, "wachannel-local")
        subscriptions = {
            s.function.logical_id: s for s in read_queue_subscriptions(functions, resolver, resources)
        }

    worker = subscriptions["TemplateSyncWorkerFunction"]
    assert worker.queue_url == resources["TemplateSyncQueue"].attributes["QueueUrl"]
    assert (worker.batch_size, worker.reports_batch_item_failures, worker.maximum_concurrency) == (
        5,
        True,
        10,
    )


def test_an_sqs_event_on_a_queue_the_template_does_not_create_is_an_error(project: Path) -> None:
    template = load_template(project / "template.yaml")
    events = template["Resources"]["WorkerFunction"]["Properties"]["Events"]
    events["Jobs"]["Properties"]["Queue"] = "arn:aws:sqs:eu-central-1:123456789012:elsewhere"
    resolver = IntrinsicResolver(template, region=REGION, stack_name="test")
    functions = read_functions(template, project, resolver, "test")

    with pytest.raises(TemplateError, match=r"WorkerFunction event Jobs reads .*elsewhere"):
        read_queue_subscriptions(functions, resolver, {})


def test_concurrency_is_the_maximum_but_no_more_than_the_local_environments(jobs: Jobs) -> None:
    concurrency = {
        maximum: jobs.consumer(FakeFunction(), maximum_concurrency=maximum).concurrency
        for maximum in (2, 10, None)
    }

    assert concurrency == {2: 2, 10: ENVIRONMENTS_PER_FUNCTION, None: ENVIRONMENTS_PER_FUNCTION}


def test_the_function_gets_the_sqs_event_lambda_sends(jobs: Jobs) -> None:
    jobs.clients.sqs.send_message(
        QueueUrl=jobs.queue_url,
        MessageBody='{"channel_id": "ch_1"}',
        MessageAttributes={
            "kind": {"DataType": "String", "StringValue": "sync"},
            "blob": {"DataType": "Binary", "BinaryValue": b"\x01\x02"},
        },
    )
    function = FakeFunction()

    run_until(jobs.consumer(function).run(), lambda: queue_depth(jobs.clients, jobs.queue_url) == 0)

    (event,) = function.events
    SqsModel.model_validate(event)
    (record,) = event["Records"]
    assert set(record) == {
        "messageId",
        "receiptHandle",
        "body",
        "attributes",
        "messageAttributes",
        "md5OfBody",
        "md5OfMessageAttributes",
        "eventSource",
        "eventSourceARN",
        "awsRegion",
    }
    assert record["body"] == '{"channel_id": "ch_1"}'
    assert record["md5OfBody"] == hashlib.md5(record["body"].encode()).hexdigest()  # noqa: S324 - SQS's own digest
    assert (record["eventSource"], record["eventSourceARN"], record["awsRegion"]) == (
        "aws:sqs",
        jobs.subscription.queue_arn,
        REGION,
    )
    assert record["attributes"]["ApproximateReceiveCount"] == "1"
    assert {"SentTimestamp", "SenderId", "ApproximateFirstReceiveTimestamp"} <= set(record["attributes"])
    assert record["messageAttributes"] == {
        "kind": {"stringValue": "sync", "stringListValues": [], "binaryListValues": [], "dataType": "String"},
        "blob": {
            "binaryValue": base64.b64encode(b"\x01\x02").decode(),
            "stringListValues": [],
            "binaryListValues": [],
            "dataType": "Binary",
        },
    }


def test_a_partial_batch_failure_deletes_only_the_successes(jobs: Jobs) -> None:
    jobs.send("ok-1", "bad", "ok-2")
    consumer = jobs.consumer(FakeFunction(report_bad_bodies))

    asyncio.run(consumer.deliver(receive_batch(jobs.clients.sqs, jobs.queue_url, 10)))

    (left,) = receive_batch(jobs.clients.sqs, jobs.queue_url, 10)
    assert left["Body"] == "bad"
    assert left["Attributes"]["ApproximateReceiveCount"] == "2"


def test_without_report_batch_item_failures_the_response_is_ignored(jobs: Jobs) -> None:
    jobs.send("ok-1", "bad")
    consumer = jobs.consumer(FakeFunction(report_bad_bodies), reports_batch_item_failures=False)

    asyncio.run(consumer.deliver(receive_batch(jobs.clients.sqs, jobs.queue_url, 10)))

    assert queue_depth(jobs.clients, jobs.queue_url) == 0


def test_a_function_error_returns_the_whole_batch(jobs: Jobs) -> None:
    jobs.send("one", "two")

    asyncio.run(
        jobs.consumer(FakeFunction(fail)).deliver(receive_batch(jobs.clients.sqs, jobs.queue_url, 10))
    )

    assert jobs.visible_bodies() == ["one", "two"]


@pytest.mark.parametrize(
    ("result", "failed"),
    [
        (None, set()),
        ({"batchItemFailures": []}, set()),
        ({"batchItemFailures": [{"itemIdentifier": "m2"}]}, {"m2"}),
        ({"batchItemFailures": [{"itemIdentifier": "not-in-the-batch"}]}, {"m1", "m2"}),
        ({"batchItemFailures": [{"itemIdentifier": None}]}, {"m1", "m2"}),
        ({"batchItemFailures": ["m2"]}, {"m1", "m2"}),
    ],
)
def test_a_batch_response_naming_something_else_than_a_message_fails_the_whole_batch(
    result: Any, failed: set[str]
) -> None:
    assert failed_message_ids(result, ["m1", "m2"]) == failed


def test_a_failed_message_comes_back_after_a_second_not_the_queue_visibility_timeout(jobs: Jobs) -> None:
    jobs.send("flaky")
    consumer = QueueConsumer(jobs.subscription, FakeFunction(fail).invoke, jobs.clients.sqs, region=REGION)

    asyncio.run(consumer.deliver(receive_batch(jobs.clients.sqs, jobs.queue_url, 10)))

    assert jobs.visible_bodies() == []
    time.sleep(1.1)
    assert jobs.visible_bodies() == ["flaky"]


def test_a_message_that_keeps_failing_ends_in_the_dead_letter_queue(jobs: Jobs) -> None:
    jobs.send("poison")
    function = FakeFunction(fail)

    run_until(
        jobs.consumer(function).run(), lambda: queue_depth(jobs.clients, jobs.dead_letter_queue_url) == 1
    )

    assert queue_depth(jobs.clients, jobs.queue_url) == 0
    assert [event["Records"][0]["attributes"]["ApproximateReceiveCount"] for event in function.events] == [
        "1",
        "2",
    ]
    (dead,) = receive_batch(jobs.clients.sqs, jobs.dead_letter_queue_url, 10)
    assert dead["Body"] == "poison"


def test_batches_run_concurrently_up_to_the_maximum_concurrency(jobs: Jobs) -> None:
    jobs.send(*(f"job-{index}" for index in range(6)))
    running, most_at_once = 0, 0
    lock = threading.Lock()

    def slow(_: dict[str, Any]) -> None:
        nonlocal running, most_at_once
        with lock:
            running += 1
            most_at_once = max(most_at_once, running)
        time.sleep(0.05)
        with lock:
            running -= 1

    function = FakeFunction(slow)

    run_until(
        jobs.consumer(function, batch_size=1, maximum_concurrency=2).run(),
        lambda: queue_depth(jobs.clients, jobs.queue_url) == 0,
    )

    assert len(function.events) == 6
    assert most_at_once == 2


def test_a_worker_process_without_its_code_returns_the_batch_until_the_code_appears(
    jobs: Jobs, project: Path
) -> None:
    environment = LocalLambda(jobs.subscription.function, region=REGION, account_id=LOCAL_ACCOUNT_ID)
    consumer = QueueConsumer(
        jobs.subscription, environment.invoke, jobs.clients.sqs, region=REGION, retry_visibility_seconds=0
    )
    jobs.send("ok", "bad")
    try:
        asyncio.run(consumer.deliver(receive_batch(jobs.clients.sqs, jobs.queue_url, 10)))
        without_code = jobs.visible_bodies()
        jobs.clients.sqs.purge_queue(QueueUrl=jobs.queue_url)
        (project / "functions/worker").mkdir(parents=True)
        (project / "functions/worker/app.py").write_text(REPORT_BAD_BODIES)
        jobs.send("ok", "bad")
        asyncio.run(consumer.deliver(receive_batch(jobs.clients.sqs, jobs.queue_url, 10)))
    finally:
        environment.close()

    assert without_code == ["bad", "ok"]
    assert jobs.visible_bodies() == ["bad"]
