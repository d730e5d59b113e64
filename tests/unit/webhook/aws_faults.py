"""AWS refusing calls of the clients the webhook holds: DynamoDB throttling and errors, SQS and
EventBridge failing. A refusal is injected with botocore's `before-call` hook on the very client the
handler uses and answered as AWS answers it, before anything is done (after botocore's own retries,
which a hook's answer skips: this is what the handler sees once they are spent)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, cast

import boto3
from botocore.awsrequest import AWSResponse
from botocore.client import BaseClient
from botocore.compat import HTTPHeaders
from botocore.model import OperationModel

# Error codes DynamoDB answers with, and their HTTP status; the last has nothing to do with conditions.
DYNAMODB_REFUSALS: dict[str, int] = {
    "ProvisionedThroughputExceededException": 400,
    "ThrottlingException": 400,
    "InternalServerError": 500,
    "AccessDeniedException": 400,
}
SQS_REFUSALS: dict[str, int] = {"AWS.SimpleQueueService.ServiceUnavailable": 503, "ThrottlingException": 400}
EVENTBRIDGE_REFUSAL = "InternalException"


@dataclass(frozen=True)
class AwsCall:
    operation: str
    body: dict[str, Any]
    refused: str | None


@dataclass
class Refusals:
    """Refuses a client's calls by their position since `plan` (or every call with `refuse_all`)."""

    client: BaseClient
    statuses: Mapping[str, int]
    refuse_all: str | None = None
    calls: list[AwsCall] = field(default_factory=list)
    _plan: dict[int, str] = field(default_factory=dict)
    _among: str | None = None

    def plan(self, refusals: Mapping[int, str], *, among: str | None = None) -> None:
        """Refuses the calls at these positions, counting all calls or only those of one operation."""
        self._plan = dict(refusals)
        self._among = among
        self.calls = []

    @property
    def refused(self) -> list[AwsCall]:
        return [call for call in self.calls if call.refused]

    def before_call(
        self, model: OperationModel, params: dict[str, Any], **_: Any
    ) -> tuple[AWSResponse, dict[str, Any]] | None:
        position = sum(1 for call in self.calls if self._among in (None, call.operation))
        planned = self._plan.get(position) if self._among in (None, model.name) else None
        code = planned or self.refuse_all
        body = params.get("body") or b"{}"
        self.calls.append(AwsCall(model.name, json.loads(body) if body.startswith(b"{") else {}, code))
        if code is None:
            return None
        return error_answer(code, self.statuses.get(code, 400))


def error_answer(code: str, status: int) -> tuple[AWSResponse, dict[str, Any]]:
    """What botocore makes of AWS's answer with this error, as a `before-call` hook returns it."""
    answer = {
        "Error": {"Code": code, "Message": f"{code} (injected)"},
        "ResponseMetadata": {"HTTPStatusCode": status, "RequestId": "injected"},
    }
    return AWSResponse("https://injected.invalid", status, HTTPHeaders(), None), answer


@contextmanager
def refusing(
    client: BaseClient, statuses: Mapping[str, int], *, refuse_all: str | None = None
) -> Iterator[Refusals]:
    """Refusals on `client` while the block runs: the clients are built once per process, so the hook
    must not outlive the test."""
    refusals = Refusals(client, statuses, refuse_all)
    event = f"before-call.{client.meta.service_model.service_id.hyphenize()}"
    unique_id = f"refusals-{id(refusals)}"
    client.meta.events.register(event, cast("Callable[..., None]", refusals.before_call), unique_id=unique_id)
    try:
        yield refusals
    finally:
        client.meta.events.unregister(event, unique_id=unique_id)


@contextmanager
def losing_answer(client: BaseClient, operation: str, occurrence: int = 0) -> Iterator[None]:
    """The `occurrence`-th call of `operation` is carried out, but its answer is lost: the caller
    gets an InternalServerError for a write that took effect (DynamoDB's 500 promises neither)."""
    seen = 0

    def lose(http_response: AWSResponse, parsed: dict[str, Any], model: OperationModel, **_: Any) -> None:
        nonlocal seen
        if model.name != operation:
            return
        if seen == occurrence:
            http_response.status_code = 500
            parsed["Error"] = {"Code": "InternalServerError", "Message": "answer lost (injected)"}
        seen += 1

    event = f"after-call.{client.meta.service_model.service_id.hyphenize()}"
    client.meta.events.register(event, lose, unique_id="losing-answer")
    try:
        yield
    finally:
        client.meta.events.unregister(event, unique_id="losing-answer")


# DynamoDB's key size limits (bytes), which moto checks on some operations only.
_KEY_LIMITS = {"PK": 2048, "SK": 1024, "GSI1PK": 2048, "GSI1SK": 1024, "GSI2PK": 2048, "GSI2SK": 1024}


def _keys_too_long(body: Mapping[str, Any]) -> bool:
    written = [body.get("Key"), body.get("Item")]
    for operation in body.get("TransactItems", []):
        written += [part.get("Key") for part in operation.values()]
    for requests in (body.get("RequestItems") or {}).values():
        if isinstance(requests, list):
            written += [request.get("PutRequest", {}).get("Item") for request in requests]
    return any(
        len(value["S"].encode()) > _KEY_LIMITS[name]
        for attributes in written
        if attributes
        for name, value in attributes.items()
        if name in _KEY_LIMITS and "S" in value
    )


@contextmanager
def dynamodb_key_limits(client: BaseClient) -> Iterator[None]:
    """DynamoDB's refusal of a key longer than its limit, wherever moto lets one through."""

    def refuse_long_keys(params: dict[str, Any], **_: Any) -> tuple[AWSResponse, dict[str, Any]] | None:
        if not _keys_too_long(json.loads(params.get("body") or b"{}")):
            return None
        return error_answer("ValidationException", 400)

    client.meta.events.register(
        "before-call.dynamodb", cast("Callable[..., None]", refuse_long_keys), unique_id="dynamodb-key-limits"
    )
    try:
        yield
    finally:
        client.meta.events.unregister("before-call.dynamodb", unique_id="dynamodb-key-limits")


def drain_queue(name: str) -> list[dict[str, Any]]:
    """Every job on the queue, taken off it."""
    sqs = boto3.client("sqs")
    url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
    jobs: list[dict[str, Any]] = []
    while messages := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=60).get(
        "Messages", []
    ):
        for message in messages:
            jobs.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return jobs
