"""The faults every outbound call to 360dialog is tried against, what the contract answers for each,
and a tenant of the shared stack to try them with."""

from __future__ import annotations

import itertools
import json
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import boto3
import httpx
import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

from tests.unit.dialog360_double import (
    PARTNER_API_KEY,
    Dialog360Double,
    Endpoint,
    ErrorAnswer,
    Fault,
    LostAnswer,
    NoConnection,
    NumberAt360dialog,
    SlowAnswer,
)
from tests.unit.support import Api, load_function
from wachannel.dialog360.retry import RetryPolicy
from wachannel.observability import logger

FAST_RETRY_POLICY = RetryPolicy(
    base_delay=0.01, max_delay=0.04, connect_timeout=0.1, read_timeout=0.1, total_budget_seconds=0.5
)
# "Bounded" is the point, not speed: room for the route's own work on a busy machine, while a call
# that waits out the slow answer's 30 s or a Retry-After of 30 s stands out.
SLACK_SECONDS = 8.0

_THROTTLED = (
    '{"meta": {"success": false, "http_code": 429, '
    '"developer_message": "You have exceeded the endpoint rate limit"}}'
)
FAULTS: list[Fault] = [
    ErrorAnswer("429 with Retry-After", 429, _THROTTLED, {"Retry-After": "30"}),
    ErrorAnswer("429 without Retry-After", 429, _THROTTLED),
    ErrorAnswer(
        "500",
        500,
        '{"meta": {"success": false, "http_code": 500, '
        '"developer_message": "Internal error handling the request of D360-API-KEY {api_key}"}}',
    ),
    ErrorAnswer("502", 502, "<html><body><h1>502 Bad Gateway</h1></body></html>"),
    ErrorAnswer(
        "503",
        503,
        '{"meta": {"success": false, "http_code": 503, "developer_message": "Service Unavailable"}}',
    ),
    NoConnection("connect error", httpx.ConnectError),
    NoConnection("connect timeout", httpx.ConnectTimeout),
    LostAnswer("read timeout"),
    SlowAnswer("slow answer", seconds=30.0),
]
# Only queue consumers treat a refusal differently from an outage: it is final at once.
REFUSAL = ErrorAnswer(
    "403 refused",
    403,
    '{"meta": {"success": false, "http_code": 403, "developer_message": "This endpoint is blocked"}}',
)

each_fault = pytest.mark.parametrize("fault", FAULTS, ids=lambda fault: fault.id)


def contract_answer(fault: Fault) -> tuple[int, str]:
    """The status and error code the contract gives a route whose call to 360dialog meets `fault`."""
    if isinstance(fault, ErrorAnswer):
        return (429, "rate_limited") if fault.status == 429 else (502, "provider_error")
    return 504, "provider_timeout"


def may_have_been_carried_out(fault: Fault) -> bool:
    """Faults after which the client cannot know whether 360dialog did the work: an answer lost or
    too late, or a 500/502 (which may follow the work)."""
    if isinstance(fault, ErrorAnswer):
        return fault.status in (500, 502)
    return isinstance(fault, LostAnswer | SlowAnswer)


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: Any
    text: str

    @classmethod
    def of(cls, response: dict[str, Any]) -> Answer:
        text = response.get("body") or ""
        return cls(
            response["statusCode"], response.get("headers") or {}, json.loads(text) if text else None, text
        )

    def assert_contract_failure(self, fault: Fault) -> None:
        """The contract's status and code for the fault, in the error envelope; a 429 says when to
        come back: what 360dialog said, else our own backoff."""
        status, code = contract_answer(fault)
        assert (self.status, self.body["error"]["code"]) == (status, code), self.body
        assert set(self.body) == {"error"}
        assert set(self.body["error"]) == {"code", "message", "details"}
        if status == 429:
            assert isinstance(fault, ErrorAnswer)
            asked = fault.headers.get("Retry-After")
            retry_after = self.headers["Retry-After"]
            assert retry_after == asked if asked else int(retry_after) >= 1


@dataclass
class FaultRun:
    """What happened while a fault was in place: how long it took and how often the faulted endpoint
    was asked."""

    fault: Fault
    seconds: float = 0.0
    attempts: int = 0

    def assert_bounded(self, *, acts_once: bool = False) -> None:
        """Within the retry budget, with a bounded number of attempts; a call that must not act twice
        is not repeated once 360dialog may have carried it out."""
        assert self.seconds < FAST_RETRY_POLICY.total_budget_seconds + SLACK_SECONDS
        assert 1 <= self.attempts <= FAST_RETRY_POLICY.max_attempts
        if acts_once and may_have_been_carried_out(self.fault):
            assert self.attempts == 1


@dataclass(frozen=True)
class ConnectedChannel:
    channel: dict[str, Any]
    number: NumberAt360dialog

    @property
    def id(self) -> str:
        return str(self.channel["id"])


_PHONE_NUMBERS = itertools.count(10_000_000)


class Tenant:
    """A workspace of its own in the shared stack, numbers of its own at 360dialog, and the
    functions' routes as its agents call them."""

    def __init__(self, double: Dialog360Double, caplog: pytest.LogCaptureFixture) -> None:
        self.workspace_id = f"ws_{uuid.uuid4().hex[:16]}"
        self.double = double
        self._caplog = caplog
        self._numbers: list[NumberAt360dialog] = []
        self.channels = Api(load_function("channels"), self.workspace_id)
        self.send = Api(load_function("send"), self.workspace_id)
        self.templates = Api(load_function("sync_templates"), self.workspace_id)
        self.profile = Api(load_function("profile"), self.workspace_id)
        self.inbox = Api(load_function("inbox"), self.workspace_id)

    def new_number(self, generation: str = "cloud") -> NumberAt360dialog:
        digits = f"49151{next(_PHONE_NUMBERS):08d}"
        number = self.double.add(digits, f"{generation}-key-{uuid.uuid4().hex}", generation)
        self._numbers.append(number)
        return number

    def connect(self, number: NumberAt360dialog, **fields: Any) -> ConnectedChannel:
        channel = self.channels.connect(
            f"+{number.phone_digits}", number.api_key, api_generation=number.generation, **fields
        )
        return ConnectedChannel(channel, number)

    def connected(self, generation: str = "cloud", **fields: Any) -> ConnectedChannel:
        return self.connect(self.new_number(generation), **fields)

    @contextmanager
    def failing(self, fault: Fault, endpoint: Endpoint) -> Iterator[FaultRun]:
        """Every request to `endpoint` meets `fault` inside the block, which is timed."""
        run = FaultRun(fault)
        before = self.double.requests_to(endpoint)
        with self.double.failing(fault, endpoint):
            started = time.monotonic()
            yield run
            run.seconds = time.monotonic() - started
        run.attempts = self.double.requests_to(endpoint) - before

    def health(self, connected: ConnectedChannel) -> dict[str, Any]:
        path = {"channel_id": connected.id}
        return dict(
            self.channels.call("GET", "/channels/{channel_id}/health", path_parameters=path, expect=200)[1]
        )

    def assert_no_secret(self, *answers: Answer | dict[str, Any] | list[Any]) -> None:
        """No API key, webhook secret or partner key in these answers nor in the test's log lines, as
        CloudWatch would get them (extra fields and exceptions included)."""
        lines = [logger.registered_formatter.format(record) for record in self._caplog.records]
        assert lines, "nothing was logged, so there is nothing to search"
        texts = [*lines, *(a.text if isinstance(a, Answer) else json.dumps(a) for a in answers)]
        for secret in self._secrets():
            assert not [text for text in texts if secret in text], "a secret leaked"

    def _secrets(self) -> set[str]:
        keys = {number.api_key for number in self._numbers}
        revoked = {key for number in self._numbers for key in number.revoked}
        tokens = {
            str(value)
            for number in self._numbers
            if number.webhook is not None
            for value in number.webhook.get("headers", {}).values()
        }
        return keys | revoked | tokens | {PARTNER_API_KEY}


def drain_jobs(queue_name: str, channel_id: str) -> list[dict[str, Any]]:
    """The queue's jobs for one channel; the shared queue is emptied of every tenant's jobs."""
    sqs = boto3.client("sqs")
    url = sqs.get_queue_url(QueueName=queue_name)["QueueUrl"]
    jobs: list[dict[str, Any]] = []
    while messages := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
        for message in messages:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
            jobs.append(json.loads(message["Body"]))
    return [job for job in jobs if job.get("channel_id") == channel_id]


def handed_back(run_batch: Callable[[], dict[str, Any]]) -> bool:
    """Runs a batch of one SQS record; True when the record failed, so SQS delivers it again."""
    try:
        result = run_batch()
    except BatchProcessingError:
        return True
    assert result == {"batchItemFailures": []}
    return False
