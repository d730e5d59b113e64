"""The table's stream delivered to the functions that subscribe to it, as Lambda's event source
mapping does: records in order, the template's filter criteria, a failed record retried with
what follows it, and after the last retry the batch described in the on-failure queue."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from infra.local.cfn import PhysicalResource
from infra.local.lambda_runtime import LambdaFunction, LocalLambda

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodbstreams import DynamoDBStreamsClient
    from mypy_boto3_sqs import SQSClient

_logger = logging.getLogger("infra.local.streams")
POLL_SECONDS = 0.3


@dataclass(frozen=True)
class StreamSubscription:
    function: LambdaFunction
    table_name: str
    batch_size: int
    max_retries: int
    filters: tuple[Mapping[str, Any], ...]
    dead_letter_queue_url: str | None


def read_stream_subscriptions(
    functions: Mapping[str, LambdaFunction], resources: Mapping[str, PhysicalResource]
) -> list[StreamSubscription]:
    subscriptions = []
    for function in functions.values():
        for event in function.properties.get("Events", {}).values():
            if event.get("Type") != "DynamoDB":
                continue
            properties = event["Properties"]
            table_logical_id = properties["Stream"]["Fn::GetAtt"][0]
            destination = properties.get("DestinationConfig", {}).get("OnFailure", {}).get("Destination")
            queue = resources[destination["Fn::GetAtt"][0]] if destination else None
            subscriptions.append(
                StreamSubscription(
                    function=function,
                    table_name=resources[table_logical_id].ref,
                    batch_size=int(properties.get("BatchSize", 100)),
                    max_retries=int(properties.get("MaximumRetryAttempts", 3)),
                    filters=tuple(
                        json.loads(f["Pattern"])
                        for f in properties.get("FilterCriteria", {}).get("Filters", [])
                    ),
                    dead_letter_queue_url=queue.attributes.get("QueueUrl", queue.ref) if queue else None,
                )
            )
    return subscriptions


def matches(pattern: Mapping[str, Any], record: Mapping[str, Any]) -> bool:
    """EventBridge-style matching as filter criteria use it: nested keys, lists of allowed values."""
    for key, expected in pattern.items():
        actual = record.get(key)
        if isinstance(expected, Mapping):
            if not isinstance(actual, Mapping) or not matches(expected, actual):
                return False
        elif actual not in expected:
            return False
    return True


class StreamConsumer:
    def __init__(
        self,
        subscription: StreamSubscription,
        environment: LocalLambda,
        dynamodb: DynamoDBClient,
        streams: DynamoDBStreamsClient,
        sqs: SQSClient,
    ) -> None:
        self._subscription = subscription
        self._environment = environment
        self._dynamodb = dynamodb
        self._streams = streams
        self._sqs = sqs

    async def run(self) -> None:
        stream_arn = self._dynamodb.describe_table(TableName=self._subscription.table_name)["Table"][
            "LatestStreamArn"
        ]
        iterators = {}
        for shard in self._streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"]:
            iterators[shard["ShardId"]] = self._streams.get_shard_iterator(
                StreamArn=stream_arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
            )["ShardIterator"]
        pending: list[dict[str, Any]] = []
        while True:
            for shard_id, iterator in list(iterators.items()):
                answer = await asyncio.to_thread(
                    self._streams.get_records, ShardIterator=iterator, Limit=1000
                )
                iterators[shard_id] = answer.get("NextShardIterator") or iterator
                pending += [
                    {**record, "eventSourceARN": stream_arn}
                    for record in answer.get("Records", [])
                    if not self._subscription.filters
                    or any(matches(f, record) for f in self._subscription.filters)
                ]
            while pending:
                batch, pending = (
                    pending[: self._subscription.batch_size],
                    pending[self._subscription.batch_size :],
                )
                await self._deliver(batch)
            await asyncio.sleep(POLL_SECONDS)

    async def _deliver(self, batch: list[dict[str, Any]]) -> None:
        for attempt in range(self._subscription.max_retries + 1):
            try:
                answer = await asyncio.to_thread(self._environment.invoke, {"Records": batch})
            except Exception:
                _logger.exception("%s failed on a stream batch", self._subscription.function.logical_id)
                continue
            failed = {f["itemIdentifier"] for f in (answer or {}).get("batchItemFailures", [])}
            if not failed:
                return
            first = next(i for i, r in enumerate(batch) if r["dynamodb"]["SequenceNumber"] in failed)
            batch = batch[first:]
            _logger.warning("retrying %d stream records (attempt %d)", len(batch), attempt + 1)
        self._give_up(batch)

    def _give_up(self, batch: list[dict[str, Any]]) -> None:
        _logger.error("%d stream records not processed after retries", len(batch))
        if self._subscription.dead_letter_queue_url:
            description = {
                "requestContext": {"condition": "RetryAttemptsExhausted"},
                "DDBStreamBatchInfo": {
                    "batchSize": len(batch),
                    "startSequenceNumber": batch[0]["dynamodb"]["SequenceNumber"],
                    "endSequenceNumber": batch[-1]["dynamodb"]["SequenceNumber"],
                },
            }
            self._sqs.send_message(
                QueueUrl=self._subscription.dead_letter_queue_url, MessageBody=json.dumps(description)
            )
