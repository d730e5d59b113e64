"""SQS queues drained into the functions that subscribe to them, as Lambda's event source mapping does:
batches of up to BatchSize in the SQS event, successes deleted (all of them, or all but the reported
`batchItemFailures`), failures left on the queue until the redrive policy moves them to the
dead-letter queue. moto applies the redrive policy itself when a message is received once too often.

Two things differ from AWS, to keep a local loop fast and cheap:
- a failed message comes back after RETRY_VISIBILITY_SECONDS instead of the queue's VisibilityTimeout;
- an empty queue is polled again after POLL_SECONDS (a short poll, not a long one: moto's server serves
  one request at a time, see aws.py, and waits for messages inside the request, so a long poll would
  stall every other AWS call of the stack meanwhile). A poll costs ~5 ms of CPU; once a second keeps
  an idle stack light, at the price of up to a second's delay for a message on an idle queue.
"""

from __future__ import annotations

import asyncio
import base64
import logging
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from infra.local.cfn import IntrinsicResolver, PhysicalResource, TemplateError
from infra.local.lambda_runtime import ENVIRONMENTS_PER_FUNCTION, LambdaFunction

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient
    from mypy_boto3_sqs.type_defs import MessageAttributeValueOutputTypeDef, MessageTypeDef

_logger = logging.getLogger("infra.local.queues")
POLL_SECONDS = 1.0
RETRY_VISIBILITY_SECONDS = 1
ERROR_BACKOFF_SECONDS = 5
SQS_RECEIVE_LIMIT = 10
"""ReceiveMessage returns at most ten messages; Lambda gathers bigger batches over a batching window,
which the local stack does not emulate: a larger BatchSize delivers batches of ten."""
_DEFAULT_BATCH_SIZE = 10
_UNSUPPORTED_PROPERTIES = ("FilterCriteria",)

Invoke = Callable[[dict[str, Any]], Any]
"""Runs the function with an event and returns its result; raises when the invocation fails."""


@dataclass(frozen=True)
class QueueSubscription:
    """One `SQS` event of a function: the queue it reads and how."""

    function: LambdaFunction
    queue_url: str
    queue_arn: str
    batch_size: int
    reports_batch_item_failures: bool
    maximum_concurrency: int | None


def read_queue_subscriptions(
    functions: Mapping[str, LambdaFunction],
    resolver: IntrinsicResolver,
    resources: Mapping[str, PhysicalResource],
) -> list[QueueSubscription]:
    queues_by_arn = {
        resource.attributes["Arn"]: resource
        for resource in resources.values()
        if "QueueUrl" in resource.attributes
    }
    subscriptions = []
    for function in functions.values():
        for event_name, event in function.properties.get("Events", {}).items():
            if event.get("Type") != "SQS":
                continue
            where = f"{function.logical_id} event {event_name}"
            properties = resolver.resolve(event["Properties"])
            unsupported = [name for name in _UNSUPPORTED_PROPERTIES if name in properties]
            if unsupported:
                raise TemplateError(f"{where}: the local stack does not emulate {', '.join(unsupported)}")
            if not properties.get("Enabled", True):
                continue
            queue = queues_by_arn.get(properties["Queue"])
            if queue is None:
                raise TemplateError(f"{where} reads {properties['Queue']}, not a queue of this template")
            maximum_concurrency = properties.get("ScalingConfig", {}).get("MaximumConcurrency")
            subscriptions.append(
                QueueSubscription(
                    function=function,
                    queue_url=queue.attributes["QueueUrl"],
                    queue_arn=properties["Queue"],
                    batch_size=int(properties.get("BatchSize", _DEFAULT_BATCH_SIZE)),
                    reports_batch_item_failures="ReportBatchItemFailures"
                    in properties.get("FunctionResponseTypes", []),
                    maximum_concurrency=int(maximum_concurrency) if maximum_concurrency else None,
                )
            )
    return subscriptions


def sqs_event(messages: list[MessageTypeDef], *, queue_arn: str, region: str) -> dict[str, Any]:
    """The event Lambda gives a function for a batch of messages."""
    return {"Records": [_sqs_record(message, queue_arn=queue_arn, region=region) for message in messages]}


def _sqs_record(message: MessageTypeDef, *, queue_arn: str, region: str) -> dict[str, Any]:
    record: dict[str, Any] = {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": dict(message.get("Attributes", {})),
        "messageAttributes": {
            name: _message_attribute(value) for name, value in message.get("MessageAttributes", {}).items()
        },
        "md5OfBody": message["MD5OfBody"],
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": region,
    }
    if "MD5OfMessageAttributes" in message:
        record["md5OfMessageAttributes"] = message["MD5OfMessageAttributes"]
    return record


def _message_attribute(value: MessageAttributeValueOutputTypeDef) -> dict[str, Any]:
    """Lambda's spelling of a message attribute: camelCase, binary values in base64."""
    attribute: dict[str, Any] = {
        "stringListValues": list(value.get("StringListValues", [])),
        "binaryListValues": [base64.b64encode(item).decode() for item in value.get("BinaryListValues", [])],
        "dataType": value["DataType"],
    }
    if "StringValue" in value:
        attribute["stringValue"] = value["StringValue"]
    if "BinaryValue" in value:
        attribute["binaryValue"] = base64.b64encode(value["BinaryValue"]).decode()
    return attribute


def failed_message_ids(result: Any, batch_ids: list[str]) -> set[str]:
    """The messages a partial batch response reports as failed. As on Lambda, a response naming
    something that is not a message of the batch fails the whole batch."""
    if not isinstance(result, Mapping) or not result.get("batchItemFailures"):
        return set()
    identifiers = {
        failure.get("itemIdentifier") if isinstance(failure, Mapping) else None
        for failure in result["batchItemFailures"]
    }
    if not identifiers <= set(batch_ids):
        _logger.error("the batch response %r is not valid; the whole batch failed", result)
        return set(batch_ids)
    return {str(identifier) for identifier in identifiers}


def receive_batch(sqs: SQSClient, queue_url: str, max_messages: int) -> list[MessageTypeDef]:
    """A short poll for up to `max_messages`, with every attribute a Lambda event carries."""
    return sqs.receive_message(
        QueueUrl=queue_url,
        MaxNumberOfMessages=min(max_messages, SQS_RECEIVE_LIMIT),
        WaitTimeSeconds=0,
        MessageSystemAttributeNames=["All"],
        MessageAttributeNames=["All"],
    ).get("Messages", [])


def return_to_queue(
    sqs: SQSClient, queue_url: str, messages: list[MessageTypeDef], after_seconds: int
) -> None:
    """Makes messages visible again soon, for another attempt."""
    sqs.change_message_visibility_batch(
        QueueUrl=queue_url,
        Entries=[
            {"Id": str(index), "ReceiptHandle": message["ReceiptHandle"], "VisibilityTimeout": after_seconds}
            for index, message in enumerate(messages)
        ],
    )


def delete_messages(sqs: SQSClient, queue_url: str, messages: list[MessageTypeDef]) -> None:
    sqs.delete_message_batch(
        QueueUrl=queue_url,
        Entries=[{"Id": str(index), "ReceiptHandle": m["ReceiptHandle"]} for index, m in enumerate(messages)],
    )


async def poll_queue(
    sqs: SQSClient,
    queue_url: str,
    deliver: Callable[[list[MessageTypeDef]], Coroutine[Any, Any, None]],
    *,
    batch_size: int,
    concurrency: int,
    poll_seconds: float = POLL_SECONDS,
) -> None:
    """Hands batches to `deliver`, up to `concurrency` at once; a full house stops receiving, so
    messages wait on the queue rather than in memory. Sleeps between empty polls."""
    slots = asyncio.Semaphore(concurrency)
    deliveries: set[asyncio.Task[None]] = set()

    def finished(delivery: asyncio.Task[None]) -> None:
        deliveries.discard(delivery)
        slots.release()
        if not delivery.cancelled() and delivery.exception() is not None:
            _logger.error("delivering from %s failed", queue_url, exc_info=delivery.exception())

    try:
        while True:
            await slots.acquire()
            try:
                messages = await asyncio.to_thread(receive_batch, sqs, queue_url, batch_size)
            except Exception:
                slots.release()
                _logger.exception("cannot receive from %s", queue_url)
                await asyncio.sleep(ERROR_BACKOFF_SECONDS)
                continue
            if not messages:
                slots.release()
                await asyncio.sleep(poll_seconds)
                continue
            delivery = asyncio.create_task(deliver(messages))
            deliveries.add(delivery)
            delivery.add_done_callback(finished)
    finally:
        for delivery in list(deliveries):
            delivery.cancel()


class QueueConsumer:
    """The event source mapping of one `SQS` event."""

    def __init__(
        self,
        subscription: QueueSubscription,
        invoke: Invoke,
        sqs: SQSClient,
        *,
        region: str,
        poll_seconds: float = POLL_SECONDS,
        retry_visibility_seconds: int = RETRY_VISIBILITY_SECONDS,
    ) -> None:
        self._subscription = subscription
        self._invoke = invoke
        self._sqs = sqs
        self._region = region
        self._poll_seconds = poll_seconds
        self._retry_visibility_seconds = retry_visibility_seconds

    @property
    def concurrency(self) -> int:
        """MaximumConcurrency, but no more batches at once than the function has local environments."""
        return min(
            self._subscription.maximum_concurrency or ENVIRONMENTS_PER_FUNCTION, ENVIRONMENTS_PER_FUNCTION
        )

    async def run(self) -> None:
        await poll_queue(
            self._sqs,
            self._subscription.queue_url,
            self.deliver,
            batch_size=self._subscription.batch_size,
            concurrency=self.concurrency,
            poll_seconds=self._poll_seconds,
        )

    async def deliver(self, messages: list[MessageTypeDef]) -> None:
        """Invokes the function with one batch, then deletes what succeeded and returns the rest."""
        subscription = self._subscription
        event = sqs_event(messages, queue_arn=subscription.queue_arn, region=self._region)
        batch_ids = [message["MessageId"] for message in messages]
        try:
            result = await asyncio.to_thread(self._invoke, event)
        except Exception:
            _logger.exception(
                "%s failed on a batch of %d messages", subscription.function.logical_id, len(messages)
            )
            failed = set(batch_ids)
        else:
            failed = (
                failed_message_ids(result, batch_ids) if subscription.reports_batch_item_failures else set()
            )
        succeeded = [message for message in messages if message["MessageId"] not in failed]
        if succeeded:
            await asyncio.to_thread(delete_messages, self._sqs, subscription.queue_url, succeeded)
        if failed:
            _logger.warning(
                "%s: %d of %d messages failed and return to the queue",
                subscription.function.logical_id,
                len(failed),
                len(messages),
            )
            retried = [message for message in messages if message["MessageId"] in failed]
            await asyncio.to_thread(
                return_to_queue, self._sqs, subscription.queue_url, retried, self._retry_visibility_seconds
            )
