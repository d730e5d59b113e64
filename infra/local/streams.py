"""The table's stream delivered to the functions that subscribe to it, as Lambda's event source
mapping does: records in order, the template's filter criteria, a failed record retried with
what follows it, and after the last retry the batch described in the on-failure queue."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from moto.dynamodb.models import dynamodb_backends

from infra.local.cfn import PhysicalResource
from infra.local.lambda_runtime import LambdaFunction, LocalLambda

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient

_logger = logging.getLogger("infra.local.streams")
POLL_SECONDS = 0.3
_RECORDS_PER_READ = 1000


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


class InProcessShardReader:
    """Reads a table's stream from TRIM_HORIZON straight out of moto's backend, which runs in this
    process, as Lambda's poller reads it inside AWS. GetRecords over HTTP cost the stack more than
    the webhook's own writes: moto serialises every record, both images included, through its
    generic serialiser, even those that the filter then drops. moto's single shard is an append-only
    list, so a position in it is the iterator. Records come out as Lambda delivers them: epoch
    seconds for ApproximateCreationDateTime, the stack's region, the stream's ARN."""

    def __init__(self, table_name: str, *, account_id: str, region: str) -> None:
        table = dynamodb_backends[account_id][region].get_table(table_name)
        if table.stream_shard is None:
            raise ValueError(f"table {table_name} has no stream")
        self._shard = table.stream_shard
        self._stream_arn = table.describe()["TableDescription"]["LatestStreamArn"]
        self._region = region
        self._position = 0

    def read(self, limit: int) -> list[dict[str, Any]]:
        records = self._shard.items[self._position : self._position + limit]
        self._position += len(records)
        return [self._as_delivered(record.to_json()) for record in records]

    def _as_delivered(self, record: Mapping[str, Any]) -> dict[str, Any]:
        change = dict(record["dynamodb"])
        created = change["ApproximateCreationDateTime"]
        if isinstance(created, datetime):
            change["ApproximateCreationDateTime"] = int(created.timestamp())
        return {**record, "awsRegion": self._region, "dynamodb": change, "eventSourceARN": self._stream_arn}


class StreamConsumer:
    def __init__(
        self,
        subscription: StreamSubscription,
        environment: LocalLambda,
        shard: InProcessShardReader,
        sqs: SQSClient,
    ) -> None:
        self._subscription = subscription
        self._environment = environment
        self._shard = shard
        self._sqs = sqs

    async def run(self) -> None:
        pending: list[dict[str, Any]] = []
        while True:
            pending += [
                record
                for record in self._shard.read(_RECORDS_PER_READ)
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
