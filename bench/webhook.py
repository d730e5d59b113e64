"""Webhook bench: the DynamoDB requests each kind of event costs, and the webhook's latency and
correctness under 360dialog-like load on the local stack.

Run with `make bench` (or `.venv/bin/python bench/webhook.py --seconds 60 --rate 100`).

1. Requests per event: the webhook function runs in this process under moto's `mock_aws`, with a channel
   connected through the channels function against a respx double of 360dialog. botocore's event hooks
   on the webhook's own DynamoDB client count every API call by operation and every failed condition.
2. Latency: the local stack (`python -m infra.local`) runs on free ports with a temporary state dir; an
   asyncio client posts Cloud-shaped text messages to the channel's registered webhook at a fixed rate,
   a share of them redeliveries, and the channel's health endpoint then says what was stored."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import random
import re
import ssl
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

# Run as a script, only bench/ is on sys.path: the repo root goes in front, and bench.in_process
# puts the layer (wachannel) there too, as pytest's `pythonpath` does.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import boto3
import httpx
import respx
from moto import mock_aws

from bench.figures import Failure, Figure, Target, at_most, exactly, met_text, write_figures
from bench.in_process import (
    BENCH_WORKSPACE,
    IN_PROCESS_ENVIRONMENT,
    environment_for_in_process_run,
    functions_quiet,
    provision_in_process_aws,
)
from bench.tables import print_table
from infra.local.aws import (
    LOCAL_ACCESS_KEY_ID,
    LOCAL_REGION,
    LOCAL_SECRET_ACCESS_KEY,
)
from infra.local.jwt_issuer import OPENID_CONFIGURATION_PATH
from infra.local.process import LocalStackDidNotStart, LocalStackProcess, log_tail, start_local_stack_process
from infra.local.simulator import SimulatedNumber, SimulatorState
from infra.local.simulator.customer import InboundMessageSpec, StatusSpec, inbound_payload, status_payload
from infra.local.stack import DEV_WORKSPACE, LOOPBACK
from tests.unit.dialog360_double import (
    PARTNER_ID,
    Dialog360Double,
)
from tests.unit.support import Api, LambdaContext, http_event, load_function
from wachannel import aws
from wachannel.domain.delivery import DeliveryStats
from wachannel.domain.messages import message_id
from wachannel.store import keys
from wachannel.store.channels import ChannelRepository
from wachannel.store.codec import to_item

if TYPE_CHECKING:
    from botocore.model import OperationModel
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import UpdateTypeDef

ROOT = Path(__file__).resolve().parents[1]
REQUEST_TIMEOUT_SECONDS = 5.0  # 360dialog gives up on a webhook call after 5 s
LATENCY_TARGET = at_most(250)
CUSTOMER_POOL_SIZE = 200
REDELIVERY_SHARE = 0.2
PHASE_PROBES = 20


BUSINESS_DIGITS = "4915112345678"
CHANNEL_API_KEY = "cloud-key-bench-0123456789"
CUSTOMER_WA_ID = "5511987654321"
CUSTOMER_NAME = "Ana Souza"
OUTBOUND_WAMID = "wamid.HBgNNTUxMTk4NzY1NDMyMRUCABEYEjQyRjQ2QkQ3RDhGMzUxQUJFNgA="

READ_OPERATIONS = frozenset({"GetItem", "BatchGetItem", "Query", "Scan", "TransactGetItems"})
WRITE_OPERATIONS = frozenset({"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"})
NO_EVENT = "-"
KNOWN_CONTACT_MESSAGE = "b"
REQUESTS_AREA = "webhook: DynamoDB requests per POST, +1 counter update"
SHOWN_OPERATIONS = ("GetItem", "PutItem", "UpdateItem", "TransactWriteItems", "Query")

GATEWAY_WEBHOOK_LINE = re.compile(r"POST /webhooks/360dialog/\S+ -> (?P<status>\d+) \(.*, (?P<ms>\d+) ms\)")
TRACEBACK_LAST_LINE = re.compile(r"^(?P<error>[A-Za-z_][\w.]*(?:Error|Exception|Exit)\b.*)$", re.MULTILINE)


class BenchFailed(Exception):
    """A part of the bench could not run (the stack did not start, a channel did not connect)."""


# ---------------------------------------------------------------------------------------------------
# Part 1: DynamoDB requests per event kind, in-process under moto
# ---------------------------------------------------------------------------------------------------


@dataclass
class RequestTally:
    """The DynamoDB requests of one POST; the delivery-counter update is kept apart from the rest."""

    operations: Counter[str] = field(default_factory=Counter)
    delivery_counter_writes: int = 0
    failed_conditional_writes: int = 0

    @property
    def reads(self) -> int:
        return sum(count for name, count in self.operations.items() if name in READ_OPERATIONS)

    @property
    def writes(self) -> int:
        return sum(count for name, count in self.operations.items() if name in WRITE_OPERATIONS)

    @property
    def requests(self) -> int:
        return sum(self.operations.values()) + self.delivery_counter_writes


class DynamoDbRequestCounter:
    """Counts a client's API calls (once per call, not per retry) and its failed condition checks."""

    def __init__(self) -> None:
        self._tally = RequestTally()

    def attach(self, client: DynamoDBClient) -> None:
        client.meta.events.register("before-parameter-build.dynamodb", self._count_request)
        client.meta.events.register("after-call.dynamodb", self._count_failed_condition)

    def take(self) -> RequestTally:
        tally, self._tally = self._tally, RequestTally()
        return tally

    def _count_request(self, params: Mapping[str, Any], model: OperationModel, **_: Any) -> None:
        if model.name == "UpdateItem" and params.get("Key", {}).get("SK") == {"S": keys.STATS_SK}:
            self._tally.delivery_counter_writes += 1
        else:
            self._tally.operations[model.name] += 1

    def _count_failed_condition(self, parsed: Mapping[str, Any], **_: Any) -> None:
        code = parsed.get("Error", {}).get("Code")
        reasons = [reason.get("Code") for reason in parsed.get("CancellationReasons", [])]
        if code == "ConditionalCheckFailedException" or (
            code == "TransactionCanceledException" and "ConditionalCheckFailed" in reasons
        ):
            self._tally.failed_conditional_writes += 1


@dataclass(frozen=True)
class RequestBudget:
    """The issue's target for one event kind. The read it allows is the channel route lookup that
    every POST makes; `only_failed_writes` means the writes allowed are condition checks that fail."""

    text: str
    max_reads: int
    max_writes: int
    only_failed_writes: bool = False


@dataclass(frozen=True)
class EventKind:
    key: str
    label: str
    body: Any
    budget: RequestBudget | None


@dataclass(frozen=True)
class KindMeasurement:
    kind: EventKind
    status: int
    tally: RequestTally
    outcome: str


@dataclass(frozen=True)
class InProcessChannel:
    webhook: ModuleType
    channel_id: str
    token: str


def connect_in_process_channel(router: respx.MockRouter) -> InProcessChannel:
    dialog360 = Dialog360Double(router)
    dialog360.add(BUSINESS_DIGITS, CHANNEL_API_KEY)
    channel = Api(load_function("channels"), BENCH_WORKSPACE).connect(
        f"+{BUSINESS_DIGITS}", CHANNEL_API_KEY, greeting_message="Hello! We answer within the hour."
    )
    registered = dialog360.numbers[0].webhook
    if registered is None:
        raise BenchFailed("connecting the channel registered no webhook at the 360dialog double")
    return InProcessChannel(
        load_function("webhook"), str(channel["id"]), registered["headers"]["X-Webhook-Token"]
    )


def seed_outbound_message(channel_id: str, client: DynamoDBClient) -> None:
    """An outbound message as sending stores it, at `sent`, for the statuses to land on."""
    table = IN_PROCESS_ENVIRONMENT["TABLE_NAME"]
    sent_at = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())
    client.put_item(
        TableName=table,
        Item=to_item(
            {
                "PK": keys.message_pk(BENCH_WORKSPACE, channel_id, OUTBOUND_WAMID),
                "SK": keys.MESSAGE_SK,
                "entity": "message",
                "id": message_id(channel_id, OUTBOUND_WAMID),
                "workspace_id": BENCH_WORKSPACE,
                "channel_id": channel_id,
                "direction": "outbound",
                "whatsapp_message_id": OUTBOUND_WAMID,
                "type": "text",
                "text": {"body": "Your order ships today."},
                "timestamp": sent_at,
                "status": "sent",
                "status_rank": 2,
                "status_updated_at": sent_at,
            }
        ),
    )


def event_kinds(number: SimulatedNumber, now: int) -> list[EventKind]:
    def text(wamid_suffix: str, body: str, at: int) -> Any:
        spec = InboundMessageSpec.model_validate(
            {
                "from": CUSTOMER_WA_ID,
                "profile_name": CUSTOMER_NAME,
                "type": "text",
                "text": body,
                "id": f"wamid.bench{wamid_suffix}",
                "timestamp": at,
            }
        )
        return inbound_payload(number, spec, now).body

    def status(name: str, at: int) -> Any:
        spec = StatusSpec(message_id=OUTBOUND_WAMID, status=name, recipient_id=CUSTOMER_WA_ID, timestamp=at)
        return status_payload(number, spec, now).body

    known_contact_message = text("2", "And when does it arrive?", now - 8)
    status_budget = RequestBudget("<= 1 conditional update", max_reads=1, max_writes=1)
    return [
        EventKind(
            NO_EVENT,
            "no event (the per-POST cost)",
            {"object": "whatsapp_business_account", "entry": []},
            None,
        ),
        EventKind(
            "a", "a new contact's first message", text("1", "Hi, is my order shipped?", now - 10), None
        ),
        EventKind(
            KNOWN_CONTACT_MESSAGE,
            "a known contact's message",
            known_contact_message,
            RequestBudget("<= 1 read + 3 writes", max_reads=1, max_writes=3),
        ),
        EventKind(
            "c",
            "a duplicate of that message",
            known_contact_message,
            RequestBudget(
                "<= 1 read + 1 failed cond. write", max_reads=1, max_writes=1, only_failed_writes=True
            ),
        ),
        EventKind("d", "a status for a stored outbound", status("delivered", now - 4), status_budget),
        EventKind("e", "a stale status (sent after delivered)", status("sent", now - 6), status_budget),
    ]


def deliver_in_process(channel: InProcessChannel, body: Any) -> int:
    event = http_event(
        "POST",
        "/webhooks/360dialog/{channel_id}",
        path_parameters={"channel_id": channel.channel_id},
        raw_body=json.dumps(body),
        headers={"X-Webhook-Token": channel.token},
    )
    event["requestContext"].pop("authorizer")
    response = channel.webhook.lambda_handler(event, LambdaContext())
    status: int = response["statusCode"]
    return status


def outcome_of(before: DeliveryStats, after: DeliveryStats) -> str:
    """What the channel's own counters say the POST amounted to."""
    changes = {
        "received": after.messages_received - before.messages_received,
        "duplicate": after.duplicates_dropped - before.duplicates_dropped,
        "applied": after.statuses_applied - before.statuses_applied,
        "stale": after.stale_statuses_ignored - before.stale_statuses_ignored,
    }
    return ", ".join(f"{count} {name}" for name, count in changes.items() if count) or "nothing"


def measure_requests_per_event() -> list[KindMeasurement]:
    with (
        environment_for_in_process_run(),
        mock_aws(),
        respx.mock(assert_all_mocked=True, assert_all_called=False) as router,
        functions_quiet(),
    ):
        provision_in_process_aws()
        channel = connect_in_process_channel(router)
        plain_client = boto3.client("dynamodb")
        seed_outbound_message(channel.channel_id, plain_client)
        stats = ChannelRepository(IN_PROCESS_ENVIRONMENT["TABLE_NAME"], lambda: plain_client)
        counter = DynamoDbRequestCounter()
        counter.attach(aws.dynamodb())
        number = SimulatorState(partner_id=PARTNER_ID).add_number(BUSINESS_DIGITS, "cloud", CHANNEL_API_KEY)
        measurements = []
        for kind in event_kinds(number, int(time.time())):
            before = stats.delivery_stats(BENCH_WORKSPACE, channel.channel_id)
            counter.take()
            status = deliver_in_process(channel, kind.body)
            tally = counter.take()
            after = stats.delivery_stats(BENCH_WORKSPACE, channel.channel_id)
            measurements.append(KindMeasurement(kind, status, tally, outcome_of(before, after)))
        return measurements


def request_figures(measurement: KindMeasurement) -> list[Figure]:
    """Reads and writes of one event kind, each against its budget; a budget of failed writes also
    allows no write whose condition held. The delivery-counter update is left out, as in the table."""
    tally, budget = measurement.tally, measurement.kind.budget
    detail = f"{measurement.outcome}, answered {measurement.status}"

    def figure(quantity: str, value: int, target: Target | None) -> Figure:
        return Figure(
            area=REQUESTS_AREA,
            name=f"{measurement.kind.label}: {quantity}",
            value=value,
            unit="count",
            target=target,
            detail=detail,
        )

    figures = [
        figure("reads", tally.reads, at_most(budget.max_reads) if budget else None),
        figure("writes", tally.writes, at_most(budget.max_writes) if budget else None),
    ]
    if budget and budget.only_failed_writes:
        successful = tally.writes - tally.failed_conditional_writes
        figures.append(figure("successful writes", successful, exactly(0)))
    return figures


def report_requests(measurements: list[KindMeasurement]) -> None:
    print("\nDynamoDB requests per POST holding one event (in-process webhook, moto mock_aws)")
    headers = [
        "event kind",
        *SHOWN_OPERATIONS,
        "other",
        "reads",
        "writes",
        "failed cond.",
        "+counter write",
        "outcome",
        "status",
        "target",
        "met",
    ]
    rows = []
    for measurement in measurements:
        tally, budget = measurement.tally, measurement.kind.budget
        others = sorted(set(tally.operations) - set(SHOWN_OPERATIONS))
        rows.append(
            [
                f"{measurement.kind.key} {measurement.kind.label}",
                *(str(tally.operations[name]) for name in SHOWN_OPERATIONS),
                " ".join(f"{name}:{tally.operations[name]}" for name in others) or "-",
                str(tally.reads),
                str(tally.writes),
                str(tally.failed_conditional_writes),
                str(tally.delivery_counter_writes),
                measurement.outcome,
                str(measurement.status),
                budget.text if budget else "-",
                ("yes" if all(f.met for f in request_figures(measurement)) else "NO") if budget else "-",
            ]
        )
    print_table(headers, rows)
    print(
        "reads/writes count API calls; a TransactWriteItems is one call however many items it writes.\n"
        "+counter write: the channel's delivery-counter UpdateItem, one per POST whatever it holds, shown\n"
        "apart and not in writes or targets. The GetItem in every row is the channel route lookup, also\n"
        "once per POST; the targets' one read is that lookup. Outcome is read from the channel's counters."
    )


# ---------------------------------------------------------------------------------------------------
# Part 2: latency and correctness on the local stack
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StackChannel:
    channel_id: str
    number: SimulatedNumber
    webhook_url: str
    webhook_headers: dict[str, str]


@dataclass(frozen=True)
class PostResult:
    latency_ms: float
    status: int | None
    error: str | None


@dataclass
class LoadRun:
    results: list[PostResult]
    distinct_wamids: set[str]
    redeliveries: int
    send_window_seconds: float
    answered_seconds: float


@dataclass(frozen=True)
class Drain:
    """How the stack caught up after the load: every POST handled (drained) or not when the bench
    stopped waiting. The counters and the table are read only from a drained stack."""

    drained: bool
    seconds_after_load: float
    posts_handled: int


@dataclass(frozen=True)
class TableCheck:
    stored_wamids: set[str]
    filed_wamids: set[str]


@dataclass(frozen=True)
class MotoTimings:
    """Median ms of requests sent straight to the stack's moto server, one at a time."""

    table_items: int
    by_operation: dict[str, float]


@dataclass(frozen=True)
class PhaseProbe:
    gateway_only_ms: list[float]
    client_ms: list[float]
    gateway_ms: list[float]
    moto: MotoTimings


@dataclass(frozen=True)
class StackBenchResult:
    cold_start_ms: float
    load: LoadRun
    load_gateway_ms: list[float]
    received_before_load: DeliveryStats
    drain: Drain
    delivery: DeliveryStats | None
    table: TableCheck | None
    errors_in_log: Counter[str]
    probe_before: PhaseProbe
    probe_after: PhaseProbe | None


def require_loopback(url: str) -> str:
    if urlsplit(url).hostname != LOOPBACK:
        raise BenchFailed(f"{url} is not on {LOOPBACK}; the bench sends traffic only there")
    return url


def loopback_client(timeout: float = 30) -> httpx.Client:
    # trust_env off: no proxy from the environment may stand between the bench and 127.0.0.1.
    return httpx.Client(timeout=timeout, trust_env=False)


def dev_authorization(stack: LocalStackProcess) -> dict[str, str]:
    return {"Authorization": f"Bearer {stack.tokens[DEV_WORKSPACE]}"}


def connect_stack_channel(stack: LocalStackProcess, http: httpx.Client) -> StackChannel:
    """Connects the first Cloud number over HTTP with the dev token, then reads what the simulator
    has registered as that number's webhook."""
    ready = next((n for n in stack.numbers if n.api_generation == "cloud"), None)
    if ready is None:
        raise BenchFailed("the local stack made no Cloud number ready")
    created = http.post(
        require_loopback(f"{stack.api_url}/channels"),
        headers=dev_authorization(stack),
        json={
            "name": "Bench",
            "phone_number": f"+{ready.phone_number}",
            "api_key": ready.api_key,
            "api_generation": "cloud",
        },
    )
    if created.status_code != 201:
        raise BenchFailed(f"connecting {ready.phone_number} answered {created.status_code}: {created.text}")
    admin = http.get(require_loopback(f"{stack.simulator_url}/_admin/numbers/{ready.phone_number}"))
    number = SimulatedNumber.model_validate(admin.raise_for_status().json())
    if number.webhook is None:
        raise BenchFailed(f"the simulator has no webhook registered for {ready.phone_number}")
    return StackChannel(
        str(created.json()["id"]), number, require_loopback(number.webhook.url), dict(number.webhook.headers)
    )


@dataclass(frozen=True)
class Delivery:
    wamid: str
    body: bytes


def customer_text(
    number: SimulatedNumber, customer: int, text: str, timestamp: int | None = None
) -> Delivery:
    """A fresh Cloud text message from customer number `customer`, as 360dialog would post it."""
    spec = InboundMessageSpec.model_validate(
        {
            "from": f"55119{87650000 + customer}",
            "profile_name": f"Customer {customer:03d}",
            "type": "text",
            "text": text,
            "timestamp": timestamp,
        }
    )
    payload = inbound_payload(number, spec, int(time.time()))
    return Delivery(str(payload.message_id), json.dumps(payload.body).encode())


@dataclass(frozen=True)
class WebhookSender:
    """Posts each delivery through a short-lived client, on a connection of its own: a shared httpcore
    pool matches every waiting request against every connection whenever one changes, which stalled
    this loop for minutes once a slow server held hundreds of requests. The TLS context is made once
    because httpx would build one per client (~17 ms); the URLs are plain http anyway."""

    url: str
    headers: dict[str, str]
    tls_context: ssl.SSLContext = field(default_factory=ssl.create_default_context)

    async def post(self, body: bytes) -> PostResult:
        started = time.perf_counter()
        try:
            async with (
                asyncio.timeout(REQUEST_TIMEOUT_SECONDS),
                httpx.AsyncClient(
                    headers=self.headers,
                    timeout=REQUEST_TIMEOUT_SECONDS,
                    verify=self.tls_context,
                    trust_env=False,
                ) as client,
            ):
                response = await client.post(self.url, content=body)
        except TimeoutError:
            return PostResult((time.perf_counter() - started) * 1000, None, "timeout")
        except httpx.HTTPError as error:
            return PostResult((time.perf_counter() - started) * 1000, None, type(error).__name__)
        return PostResult((time.perf_counter() - started) * 1000, response.status_code, None)


async def drive_load(channel: StackChannel, rate: float, seconds: float, seed: int) -> LoadRun:
    """Open loop, like 360dialog: a POST leaves every 1/rate s whether or not earlier ones are answered."""
    rng = random.Random(seed)  # noqa: S311 - reproducible traffic, not a secret
    sender = WebhookSender(
        channel.webhook_url, {"Content-Type": "application/json", **channel.webhook_headers}
    )
    sent: list[Delivery] = []
    redeliveries = 0
    posts: list[asyncio.Task[PostResult]] = []
    loop = asyncio.get_running_loop()
    started = loop.time()
    for index in range(math.ceil(rate * seconds)):
        delay = started + index / rate - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        if sent and rng.random() < REDELIVERY_SHARE:
            delivery = rng.choice(sent)
            redeliveries += 1
        else:
            delivery = customer_text(channel.number, rng.randrange(CUSTOMER_POOL_SIZE), f"Message {index}")
            sent.append(delivery)
        posts.append(asyncio.create_task(sender.post(delivery.body)))
    send_window = loop.time() - started
    results = list(await asyncio.gather(*posts))  # each bounded by REQUEST_TIMEOUT_SECONDS
    answered = loop.time() - started
    return LoadRun(results, {delivery.wamid for delivery in sent}, redeliveries, send_window, answered)


def read_delivery_stats(stack: LocalStackProcess, channel: StackChannel, http: httpx.Client) -> DeliveryStats:
    url = require_loopback(f"{stack.api_url}/channels/{channel.channel_id}/health")
    answer = http.get(url, headers=dev_authorization(stack))
    if answer.status_code != 200:
        raise BenchFailed(f"channel health answered {answer.status_code}: {answer.text}")
    return DeliveryStats.model_validate(answer.json()["delivery"])


def wait_for_drain(log_path: Path, *, posts_sent: int, log_offset: int, settle_seconds: float) -> Drain:
    """Waits, at most `settle_seconds`, until the gateway has handled every POST of the load: a POST
    the client gave up on is still handled, since nothing cancels a running handler."""
    started = time.monotonic()
    handled = len(gateway_webhook_ms(log_path, log_offset))
    while handled < posts_sent and time.monotonic() - started < settle_seconds:
        time.sleep(1)
        handled = len(gateway_webhook_ms(log_path, log_offset))
    return Drain(handled >= posts_sent, time.monotonic() - started, handled)


def gateway_webhook_ms(log_path: Path, from_offset: int) -> list[float]:
    """The gateway's own timing of each webhook POST it handled (event built, handler run, response
    mapped), in whole ms, from its log."""
    return [float(found["ms"]) for found in GATEWAY_WEBHOOK_LINE.finditer(log_text(log_path, from_offset))]


def errors_in_log(log_path: Path, from_offset: int) -> Counter[str]:
    """The last line of every traceback the stack logged (moto's and the handlers'), counted."""
    return Counter(
        found["error"][:100] for found in TRACEBACK_LAST_LINE.finditer(log_text(log_path, from_offset))
    )


def log_text(log_path: Path, from_offset: int) -> str:
    with log_path.open("rb") as log:
        log.seek(from_offset)
        return log.read().decode("utf-8", errors="replace")


def log_size(log_path: Path) -> int:
    return log_path.stat().st_size if log_path.exists() else 0


def median_ms(call: Callable[[int], object], times: int) -> float:
    elapsed = []
    for index in range(times):
        started = time.perf_counter()
        call(index)
        elapsed.append((time.perf_counter() - started) * 1000)
    return statistics.median(elapsed)


def moto_table(stack: LocalStackProcess) -> tuple[DynamoDBClient, str]:
    """A client of the stack's moto server, and the name of the template's table there."""
    session = boto3.session.Session(
        aws_access_key_id=LOCAL_ACCESS_KEY_ID,
        aws_secret_access_key=LOCAL_SECRET_ACCESS_KEY,
        region_name=LOCAL_REGION,
    )
    moto = session.client("dynamodb", endpoint_url=require_loopback(stack.facts.moto_url))
    return moto, next(name for name in moto.list_tables()["TableNames"] if name.endswith("-Table"))


def stored_inbound_messages(stack: LocalStackProcess, channel: StackChannel) -> TableCheck:
    """A second opinion beside the counters: which of the channel's inbound messages the table holds,
    and how many of them are filed under a contact."""
    moto, table = moto_table(stack)
    stored, filed = set(), set()
    for page in moto.get_paginator("scan").paginate(
        TableName=table,
        FilterExpression="#entity = :message AND #channel = :channel AND #direction = :inbound",
        ProjectionExpression="#wamid, #filed",
        ExpressionAttributeNames={
            "#entity": "entity",
            "#channel": "channel_id",
            "#direction": "direction",
            "#wamid": "whatsapp_message_id",
            "#filed": "filed",
        },
        ExpressionAttributeValues=to_item(
            {":message": "message", ":channel": channel.channel_id, ":inbound": "inbound"}
        ),
    ):
        for item in page["Items"]:
            wamid = item["whatsapp_message_id"]["S"]
            stored.add(wamid)
            if item.get("filed", {}).get("BOOL"):
                filed.add(wamid)
    return TableCheck(stored, filed)


def time_moto(stack: LocalStackProcess, channel: StackChannel, label: str) -> MotoTimings:
    """The stack's moto server alone: one request at a time, each kind the webhook sends, on the
    table as it is now (moto copies a whole table for each transaction, so its size matters)."""
    moto, table = moto_table(stack)
    items = int(moto.describe_table(TableName=table)["Table"].get("ItemCount", 0))
    route_key = to_item({"PK": keys.route_pk(channel.channel_id), "SK": keys.ROUTE_SK})

    def probe_key(index: int, part: str) -> dict[str, Any]:
        return to_item({"PK": f"BENCH#{label}#{index}", "SK": f"PROBE#{part}"})

    def update(index: int, part: str) -> UpdateTypeDef:
        return {
            "TableName": table,
            "Key": probe_key(index, part),
            "UpdateExpression": "ADD seen :one",
            "ExpressionAttributeValues": {":one": {"N": "1"}},
        }

    def put(index: int) -> object:
        item = {**probe_key(index, "P"), "entity": {"S": "bench-probe"}}
        return moto.put_item(TableName=table, Item=item, ConditionExpression="attribute_not_exists(PK)")

    moto.get_item(TableName=table, Key=route_key)  # the client's first call opens its connection
    timings = {
        "GetItem": median_ms(
            lambda _: moto.get_item(TableName=table, Key=route_key, ConsistentRead=True), PHASE_PROBES
        ),
        "PutItem": median_ms(put, PHASE_PROBES),
        "UpdateItem": median_ms(lambda index: moto.update_item(**update(index, "U")), PHASE_PROBES),
        "TransactWriteItems": median_ms(
            lambda index: moto.transact_write_items(
                TransactItems=[{"Update": update(index, "T1")}, {"Update": update(index, "T2")}]
            ),
            PHASE_PROBES,
        ),
    }
    return MotoTimings(items, timings)


def probe_phases(stack: LocalStackProcess, channel: StackChannel, label: str, customer: int) -> PhaseProbe:
    """One request at a time: the client's view, the gateway's, and moto's alone. The probe customer
    writes once untimed, so every timed POST is a known contact's message, each a second later."""
    headers = {"Content-Type": "application/json", **channel.webhook_headers}
    first_second = int(time.time())
    gateway_only_url = require_loopback(stack.api_url + OPENID_CONFIGURATION_PATH)
    with loopback_client(REQUEST_TIMEOUT_SECONDS) as http:
        http.post(
            channel.webhook_url,
            content=customer_text(channel.number, customer, "Hi", first_second).body,
            headers=headers,
        ).raise_for_status()
        offset = log_size(stack.log_path)
        client_ms = []
        for index in range(PHASE_PROBES):
            body = customer_text(channel.number, customer, f"Probe {index}", first_second + 1 + index).body
            started = time.perf_counter()
            http.post(channel.webhook_url, content=body, headers=headers).raise_for_status()
            client_ms.append((time.perf_counter() - started) * 1000)
        gateway_only_ms = []
        for _ in range(PHASE_PROBES):
            started = time.perf_counter()
            http.get(gateway_only_url).raise_for_status()
            gateway_only_ms.append((time.perf_counter() - started) * 1000)
    time.sleep(0.2)  # the gateway logs just after it answers
    return PhaseProbe(
        gateway_only_ms,
        client_ms,
        gateway_webhook_ms(stack.log_path, offset),
        time_moto(stack, channel, label),
    )


def start_stack(state_dir: Path, log_path: Path) -> LocalStackProcess:
    """Ports are found free, then bound by the child: another process may take one in between, so a
    start that fails is tried once more."""
    with contextlib.suppress(LocalStackDidNotStart):
        return start_local_stack_process(state_dir, log_path)
    try:
        return start_local_stack_process(state_dir, log_path)
    except LocalStackDidNotStart as error:
        raise BenchFailed(str(error)) from None


def run_stack_bench(rate: float, seconds: float, seed: int, settle_seconds: float) -> StackBenchResult:
    """Starts the stack, probes it quiet, loads it, reads the channel's health, probes it again; the
    stack is stopped whatever happens."""
    with tempfile.TemporaryDirectory(prefix="webhook-bench-") as scratch:
        state_dir = Path(scratch)
        log_path = state_dir / "stack.log"
        stack = start_stack(state_dir, log_path)
        try:
            require_loopback(stack.api_url)
            with loopback_client() as http:
                channel = connect_stack_channel(stack, http)
                # The function's cold start, paid by an empty delivery rather than inside the probe.
                empty = json.dumps({"object": "whatsapp_business_account", "entry": []}).encode()
                started = time.perf_counter()
                http.post(
                    channel.webhook_url, content=empty, headers=channel.webhook_headers
                ).raise_for_status()
                cold_start_ms = (time.perf_counter() - started) * 1000
                probe_before = probe_phases(stack, channel, "before", customer=CUSTOMER_POOL_SIZE)
                received_before_load = read_delivery_stats(stack, channel, http)
                print(
                    f"\nLocal stack up; channel {channel.channel_id} on +{channel.number.phone_number}; "
                    f"driving {rate:g} POST/s for {seconds:g} s ...",
                    flush=True,
                )
                load_offset = log_size(log_path)
                load = asyncio.run(drive_load(channel, rate, seconds, seed))
                drain = wait_for_drain(
                    log_path,
                    posts_sent=len(load.results),
                    log_offset=load_offset,
                    settle_seconds=settle_seconds,
                )
                load_gateway_ms = gateway_webhook_ms(log_path, load_offset)
                load_errors = errors_in_log(log_path, load_offset)
                # Behind an undrained backlog the health route and the probe would only queue.
                delivery = read_delivery_stats(stack, channel, http) if drain.drained else None
            table = stored_inbound_messages(stack, channel) if drain.drained else None
            probe_after = (
                probe_phases(stack, channel, "after", customer=CUSTOMER_POOL_SIZE + 1)
                if drain.drained
                else None
            )
        except Exception:
            print(f"\nThe local stack's log ends with:\n{log_tail(log_path)}", file=sys.stderr)
            raise
        finally:
            stack.stop()
    return StackBenchResult(
        cold_start_ms,
        load,
        load_gateway_ms,
        received_before_load,
        drain,
        delivery,
        table,
        load_errors,
        probe_before,
        probe_after,
    )


def percentile(values: list[float], share: float) -> float:
    """Nearest rank: the smallest value with at least `share` of all values at or below it."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def spread(values: list[float]) -> list[str]:
    if not values:
        return ["n/a"] * 4 + ["0"]
    shares = (0.5, 0.9, 0.99)
    return [f"{percentile(values, share):.0f}" for share in shares] + [f"{max(values):.0f}", str(len(values))]


@dataclass(frozen=True)
class Correctness:
    """Messages over the load by the channel's own counters (their change from before it)."""

    distinct_sent: int
    received: int
    duplicates_dropped: int

    @property
    def lost(self) -> int:
        return max(0, self.distinct_sent - self.received)

    @property
    def duplicated(self) -> int:
        return max(0, self.received - self.distinct_sent)


def correctness(result: StackBenchResult) -> Correctness | None:
    """None when the counters were not read: the stack had not handled every POST of the load."""
    if result.delivery is None:
        return None
    before = result.received_before_load
    return Correctness(
        len(result.load.distinct_wamids),
        result.delivery.messages_received - before.messages_received,
        result.delivery.duplicates_dropped - before.duplicates_dropped,
    )


def load_area(rate: float, seconds: float) -> str:
    return f"webhook at {rate:g}/s for {seconds:g} s, {REDELIVERY_SHARE:.0%} redeliveries"


def load_figures(result: StackBenchResult, rate: float, seconds: float) -> list[Figure]:
    load, drain = result.load, result.drain
    area = load_area(rate, seconds)
    latencies = [r.latency_ms for r in load.results]
    answered = sum(1 for r in load.results if r.status == 200)
    latency_detail = (
        f"client's view of {len(latencies)} POSTs, {answered} answered 200 within "
        f"{REQUEST_TIMEOUT_SECONDS:g} s"
    )
    counted = correctness(result)
    if counted is None:
        count_detail = (
            f"not checked: {len(load.results) - drain.posts_handled} POSTs still queued "
            f"{drain.seconds_after_load:.0f} s after the load"
        )
    else:
        count_detail = (
            f"{counted.distinct_sent} distinct sent, {counted.received} received, "
            f"{counted.duplicates_dropped} of {load.redeliveries} redeliveries dropped"
        )
    return [
        Figure(
            area=area, name="p50 latency", value=percentile(latencies, 0.5), unit="ms", detail=latency_detail
        ),
        Figure(
            area=area,
            name="p99 latency",
            value=percentile(latencies, 0.99),
            unit="ms",
            target=LATENCY_TARGET,
            detail=latency_detail,
        ),
        Figure(
            area=area,
            name="lost messages",
            value=None if counted is None else counted.lost,
            unit="count",
            target=exactly(0),
            detail=count_detail,
        ),
        Figure(
            area=area,
            name="duplicated messages",
            value=None if counted is None else counted.duplicated,
            unit="count",
            target=exactly(0),
            detail=count_detail,
        ),
    ]


def report_latency(
    result: StackBenchResult, rate: float, known_message: RequestTally | None, figures: list[Figure]
) -> None:
    load, drain = result.load, result.drain
    statuses = Counter(r.status for r in load.results if r.status is not None)
    unanswered = Counter(r.error for r in load.results if r.status is None)
    other_statuses = {status: count for status, count in statuses.items() if status != 200}
    latencies = [r.latency_ms for r in load.results]
    print(
        f"\nWebhook on the local stack: {len(load.results)} POSTs offered at {rate:g}/s, one event each, "
        f"{REDELIVERY_SHARE:.0%} redeliveries, {CUSTOMER_POOL_SIZE} customers, "
        f"{REQUEST_TIMEOUT_SECONDS:g} s limit"
    )
    print_table(
        ["figure", "value"],
        [
            ["requests sent", str(len(load.results))],
            ["  distinct messages", str(len(load.distinct_wamids))],
            ["  redeliveries", str(load.redeliveries)],
            ["answered 200", str(statuses[200])],
            ["other statuses", json.dumps(other_statuses) if other_statuses else "none"],
            ["no answer within 5 s (or error)", json.dumps(dict(unanswered)) if unanswered else "none"],
            ["achieved send rate /s", f"{len(load.results) / load.send_window_seconds:.1f}"],
            ["answered 200 /s (until the last answer)", f"{statuses[200] / load.answered_seconds:.1f}"],
            [
                "handled by the gateway /s (answered or not)",
                f"{drain.posts_handled / (load.answered_seconds + drain.seconds_after_load):.1f}",
            ],
            [
                "backlog after the load",
                f"handled all in {drain.seconds_after_load:.0f} s"
                if drain.drained
                else f"{len(load.results) - drain.posts_handled} POSTs still queued after "
                f"{drain.seconds_after_load:.0f} s (--settle-seconds)",
            ],
            ["first POST (cold start, before the load) ms", f"{result.cold_start_ms:.0f}"],
        ],
    )
    print("\nLatency ms (a POST without an answer counts with the time until the client gave up)")
    print_table(
        ["seen by", "p50", "p90", "p99", "max", "n"],
        [
            ["client (360dialog's view)", *spread(latencies)],
            ["gateway log (queue for a worker, handler, response)", *spread(result.load_gateway_ms)],
        ],
    )
    if result.errors_in_log:
        print("\nErrors in the stack's log during the load (last line of each traceback)")
        print_table(["count", "error"], [[str(n), error] for error, n in result.errors_in_log.most_common(8)])

    report_correctness(result)
    print("\nTargets")
    print_table(
        ["figure", "target", "measured", "met"],
        [
            [figure.name, figure.target_text(), figure.measured_text(), met_text(figure.met)]
            for figure in figures
            if figure.target is not None
        ],
    )
    report_phases(result.probe_before, result.probe_after, known_message)


def report_correctness(result: StackBenchResult) -> None:
    load, table, counted = result.load, result.table, correctness(result)
    print("\nCorrectness, from GET /channels/{id}/health (change over the load)")
    if counted is None or table is None:
        print(
            f"not checked: {len(load.results) - result.drain.posts_handled} POSTs were still queued in the "
            "stack, and the health route would queue behind them."
        )
        return
    print_table(
        ["figure", "value"],
        [
            ["distinct messages sent", str(counted.distinct_sent)],
            ["messages_received", str(counted.received)],
            [
                f"duplicates_dropped (redeliveries sent: {load.redeliveries})",
                str(counted.duplicates_dropped),
            ],
            ["lost (distinct sent - received)", str(counted.lost)],
            ["duplicated (received - distinct sent)", str(counted.duplicated)],
        ],
    )
    stored = load.distinct_wamids & table.stored_wamids
    filed = load.distinct_wamids & table.filed_wamids
    distinct = counted.distinct_sent
    print(
        f"Second opinion, the table itself (scan through moto): {len(stored)} of the {distinct} distinct "
        f"messages stored, {len(filed)} filed under a contact, {distinct - len(stored)} missing."
    )


def known_message_requests(known_message: RequestTally | None) -> Counter[str]:
    """A known contact's message POST by operation, the delivery counter included."""
    if known_message is None:  # part 1 did not run: the budget's figure
        return Counter({"GetItem": 1, "PutItem": 1, "UpdateItem": 2, "TransactWriteItems": 1})
    requests = Counter(known_message.operations)
    requests["UpdateItem"] += known_message.delivery_counter_writes
    return requests


def report_phases(before: PhaseProbe, after: PhaseProbe | None, known_message: RequestTally | None) -> None:
    requests = known_message_requests(known_message)
    described = " + ".join(f"{count} {name}" for name, count in sorted(requests.items()))

    def column(probe: PhaseProbe) -> list[str]:
        client = statistics.median(probe.client_ms)
        gateway = statistics.median(probe.gateway_ms) if probe.gateway_ms else math.nan
        moto = probe.moto.by_operation
        dynamodb = sum(count * moto.get(name, moto["PutItem"]) for name, count in requests.items())
        return [
            f"{statistics.median(probe.gateway_only_ms):.1f}",
            f"{client:.1f}",
            f"{client - gateway:.1f}",
            f"{gateway:.1f}",
            f"{dynamodb:.1f}",
            f"{gateway - dynamodb:.1f}",
            *(f"{moto[name]:.1f}" for name in ("GetItem", "PutItem", "UpdateItem", "TransactWriteItems")),
        ]

    labels = [
        "a route the gateway answers itself (no function), round trip",
        "client round trip",
        "  HTTP, uvicorn, gateway mapping (client - gateway)",
        "  gateway's timing of the function (its log, whole ms)",
        "    DynamoDB at moto's one-at-a-time speed (estimate)",
        "    handler's own Python (the rest; noisy, may come out below 0)",
        "moto server alone: GetItem",
        "moto server alone: conditional PutItem",
        "moto server alone: UpdateItem",
        "moto server alone: TransactWriteItems (2 updates)",
    ]
    print(
        f"\nWhere a request's time goes, one POST at a time "
        f"({PHASE_PROBES} known-contact messages; median ms)"
    )
    columns = [column(before)] + ([column(after)] if after else [])
    headers = [f"quiet, before the load ({before.moto.table_items} items)"]
    if after:
        headers.append(f"after the load ({after.moto.table_items} items)")
    print_table(
        ["phase", *headers], [[label, *cells] for label, *cells in zip(labels, *columns, strict=True)]
    )
    print(
        f"DynamoDB estimate: the POST's {described} requests, each at moto's median for its kind.\n"
        "The stack is one Python process (moto server, gateway, simulator, handlers on worker threads):\n"
        "one GIL for all of it."
        + ("" if after else "\nNo probe after the load: the stack had not caught up with it.")
    )


def positive_float(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError("must be greater than 0")
    return value


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument(
        "--seconds", type=positive_float, default=60, help="how long the load runs (default 60)"
    )
    parser.add_argument(
        "--rate", type=positive_float, default=100, help="webhook POSTs per second (default 100)"
    )
    parser.add_argument("--seed", type=int, default=1, help="seed of the traffic's choices (default 1)")
    parser.add_argument(
        "--only",
        choices=("requests", "latency"),
        help="run one part: DynamoDB requests per event, or latency on the local stack",
    )
    parser.add_argument(
        "--settle-seconds",
        type=positive_float,
        # The local stack handles about 27 POSTs/s on two cores: 6,000 take it some 225 s.
        default=300,
        help="longest wait, after the load, for the stack to handle every POST (default 300)",
    )
    parser.add_argument("--json", type=Path, help="also write the headline figures to this file")
    arguments = parser.parse_args()

    known_message: RequestTally | None = None
    figures: list[Figure] = []
    failures: list[Failure] = []
    if arguments.only in (None, "requests"):
        try:
            measurements = measure_requests_per_event()
        except BenchFailed as requests_failure:
            failures.append(Failure(area=REQUESTS_AREA, reason=str(requests_failure)))
        else:
            report_requests(measurements)
            known_message = next(m.tally for m in measurements if m.kind.key == KNOWN_CONTACT_MESSAGE)
            figures += [
                figure
                for measurement in measurements
                if measurement.kind.key != NO_EVENT
                for figure in request_figures(measurement)
            ]
    if arguments.only in (None, "latency"):
        try:
            result = run_stack_bench(
                arguments.rate, arguments.seconds, arguments.seed, arguments.settle_seconds
            )
        except BenchFailed as stack_failure:
            failures.append(
                Failure(area=load_area(arguments.rate, arguments.seconds), reason=str(stack_failure))
            )
        else:
            latency_figures = load_figures(result, arguments.rate, arguments.seconds)
            report_latency(result, arguments.rate, known_message, latency_figures)
            figures += latency_figures
    for failure in failures:
        print(f"\nFailed: {failure.area}: {failure.reason}", file=sys.stderr)
    if arguments.json:
        write_figures(arguments.json, figures, failures)
    return 1 if failures else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:  # the stack has been stopped on the way out
        sys.exit(130)
