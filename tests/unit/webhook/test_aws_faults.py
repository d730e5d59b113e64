"""DynamoDB, SQS and EventBridge failing on the webhook path. Whatever call AWS refuses, the webhook
answers 5xx, so 360dialog delivers again; once a delivery gets through, everything is stored exactly
once: one message per wamid, one contact per person, the highest status, the right window, the
greeting and media jobs queued, and the channel's counters with nothing lost and nothing counted
twice. Domain events never depend on the webhook reaching EventBridge: they come from the stream."""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from infra.local.aws import physical_name
from infra.local.streams import InProcessShardReader
from tests.unit.conftest import EVENT_BUS_NAME, MEDIA_QUEUE_NAME, SEND_QUEUE_NAME, TEMPLATE_SYNC_QUEUE_NAME
from tests.unit.support import LambdaContext, load_function
from tests.unit.webhook.aws_faults import (
    DYNAMODB_REFUSALS,
    EVENTBRIDGE_REFUSAL,
    SQS_REFUSALS,
    Refusals,
    drain_queue,
    losing_answer,
    refusing,
)
from tests.unit.webhook.conftest import KEY, WORKSPACE, Webhook, cloud, stored_item
from wachannel import aws
from wachannel.domain.delivery_status import STATUS_RANK
from wachannel.store import keys
from wachannel.store.codec import from_item, to_item

T0 = 1795000000
OUTBOUND_STATUSES = ("sent", "delivered", "read", "failed")
COUNTERS = ("messages_received", "duplicates_dropped", "statuses_applied", "stale_statuses_ignored")
FAULTS = settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# The moto table and the channel outlive the examples: each example has numbers and ids of its own.
_examples = itertools.count(1)


@dataclass(frozen=True)
class InboundPlan:
    person: int
    media: bool
    timestamp: int


@dataclass(frozen=True)
class StatusPlan:
    outbound: int
    status: str
    timestamp: int


@dataclass(frozen=True)
class Attempt:
    """One delivery that meets refusals: DynamoDB's and SQS's calls by position."""

    dynamodb: dict[int, str]
    sqs: dict[int, str]


@dataclass(frozen=True)
class FaultScenario:
    cloud: bool
    known: tuple[bool, ...]  # per person: wrote before this delivery
    messages: tuple[InboundPlan, ...]
    statuses: tuple[StatusPlan, ...]
    template_change: bool
    attempts: tuple[Attempt, ...]


@st.composite
def fault_scenarios(draw: st.DrawFn) -> FaultScenario:
    known = tuple(draw(st.lists(st.booleans(), min_size=1, max_size=3)))
    count = draw(st.integers(1, 4))
    offsets = draw(st.lists(st.integers(0, 86_400), min_size=count, max_size=count, unique=True))
    messages = tuple(
        InboundPlan(draw(st.integers(0, len(known) - 1)), draw(st.booleans()), T0 + offset)
        for offset in offsets
    )
    statuses = tuple(
        StatusPlan(draw(st.integers(0, 1)), draw(st.sampled_from(OUTBOUND_STATUSES)), T0 + 500 + index)
        for index in range(draw(st.integers(0, 3)))
    )
    cloud = draw(st.booleans())
    attempt = st.builds(
        Attempt,
        st.dictionaries(st.integers(0, 40), st.sampled_from(sorted(DYNAMODB_REFUSALS)), max_size=2),
        st.dictionaries(st.integers(0, 1), st.sampled_from(sorted(SQS_REFUSALS)), max_size=1),
    ).filter(lambda planned: planned.dynamodb or planned.sqs)
    attempts = draw(st.lists(attempt, min_size=1, max_size=3))
    return FaultScenario(cloud, known, messages, statuses, cloud and draw(st.booleans()), tuple(attempts))


@dataclass(frozen=True)
class Concrete:
    """A scenario with this example's numbers and ids."""

    scenario: FaultScenario
    example: int

    def wa_id(self, person: int) -> str:
        return f"49152{self.example % 100_000:05d}{person}"

    def inbound_wamid(self, index: int) -> str:
        return f"wamid.fault{self.example}.in{index}"

    def outbound_wamid(self, outbound: int) -> str:
        return f"wamid.fault{self.example}.out{outbound}"

    @property
    def template_name(self) -> str:
        return f"fault_{self.example}"

    def message(self, index: int) -> dict[str, Any]:
        plan = self.scenario.messages[index]
        message: dict[str, Any] = {
            "from": self.wa_id(plan.person),
            "id": self.inbound_wamid(index),
            "timestamp": str(plan.timestamp),
        }
        if plan.media:
            media = {"id": f"media{self.example}{index}", "mime_type": "image/jpeg", "sha256": "c2hh"}
            return message | {"type": "image", "image": media}
        return message | {"type": "text", "text": {"body": f"Message {index}"}}

    def status(self, plan: StatusPlan) -> dict[str, Any]:
        status: dict[str, Any] = {
            "id": self.outbound_wamid(plan.outbound),
            "status": plan.status,
            "timestamp": str(plan.timestamp),
            "recipient_id": self.wa_id(0),
        }
        if plan.status == "failed":
            status["errors"] = [{"code": 131047, "title": "Re-engagement message"}]
        return status

    def payload(self) -> dict[str, Any]:
        people = sorted({plan.person for plan in self.scenario.messages})
        contacts = [{"profile": {"name": f"Person {p}"}, "wa_id": self.wa_id(p)} for p in people]
        messages = [self.message(index) for index in range(len(self.scenario.messages))]
        statuses = [self.status(plan) for plan in self.scenario.statuses]
        if not self.scenario.cloud:
            return {
                "contacts": contacts,
                "messages": messages,
                **({"statuses": statuses} if statuses else {}),
            }
        body = cloud(messages=messages, statuses=statuses or None, contacts=contacts)
        if self.scenario.template_change:
            value = {
                "event": "APPROVED",
                "message_template_name": self.template_name,
                "message_template_language": "en",
            }
            body["entry"][0]["changes"].append({"field": "message_template_status_update", "value": value})
        return body


def counters(channel_id: str) -> dict[str, int]:
    stats = stored_item(keys.channel_scoped_pk(WORKSPACE, channel_id), keys.STATS_SK) or {}
    return {name: int(stats.get(name, 0)) for name in COUNTERS}


def grown(after: dict[str, int], before: dict[str, int]) -> dict[str, int]:
    return {name: after[name] - before[name] for name in COUNTERS}


def message_item(channel_id: str, wamid: str) -> dict[str, Any] | None:
    return stored_item(keys.message_pk(WORKSPACE, channel_id, wamid), keys.MESSAGE_SK)


def contact_of(wa_id: str) -> str:
    claimed = stored_item(keys.identity_pk(WORKSPACE, f"P#{wa_id}"), keys.IDENTITY_SK)
    assert claimed is not None
    contact_id: str = claimed["contact_id"]
    return contact_id


def contacts_indexed_under(wa_id: str) -> set[str]:
    """The contacts the search index finds by this number: one per person."""
    answer = boto3.client("dynamodb").query(
        TableName=physical_name("Table"),
        KeyConditionExpression="PK = :pk AND begins_with(SK, :number)",
        ExpressionAttributeValues=to_item(
            {":pk": keys.contact_search_pk(WORKSPACE), ":number": f"p:{wa_id}#"}
        ),
    )
    return {from_item(item)["contact_id"] for item in answer["Items"]}


def record_highs(statuses: tuple[StatusPlan, ...]) -> int:
    """How many of the statuses, in the order delivered, outrank every one before them for their message."""
    highest: dict[int, int] = {}
    highs = 0
    for plan in statuses:
        rank = STATUS_RANK[plan.status]
        if rank > highest.get(plan.outbound, -1):
            highs += 1
            highest[plan.outbound] = rank
    return highs


def iso(unix_seconds: int) -> str:
    return datetime.fromtimestamp(unix_seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def counter_write_refused(dynamodb: Refusals) -> bool:
    return any(
        call.operation == "UpdateItem" and call.body.get("Key", {}).get("SK") == {"S": keys.STATS_SK}
        for call in dynamodb.refused
    )


def seed_known_people(webhook: Webhook, concrete: Concrete) -> None:
    for person, known in enumerate(concrete.scenario.known):
        if known:
            seed = {
                "from": concrete.wa_id(person),
                "id": f"wamid.fault{concrete.example}.seed{person}",
                "timestamp": str(T0 - 1_000),
                "type": "text",
                "text": {"body": "Hello"},
            }
            assert webhook.deliver(cloud(messages=[seed]))[0] == 200


@pytest.fixture
def refusals() -> Any:
    """Refusals on the clients the webhook holds; EventBridge refuses everything all along."""
    with (
        refusing(aws.dynamodb(), DYNAMODB_REFUSALS) as dynamodb,
        refusing(aws.sqs(), SQS_REFUSALS) as sqs,
        refusing(aws.events(), {}, refuse_all=EVENTBRIDGE_REFUSAL) as events,
    ):
        yield dynamodb, sqs, events


@FAULTS
@given(scenario=fault_scenarios())
def test_after_any_refusals_a_redelivery_stores_everything_once(
    webhook: Webhook,
    refusals: tuple[Refusals, Refusals, Refusals],
    capfd: pytest.CaptureFixture[str],
    scenario: FaultScenario,
) -> None:
    dynamodb, sqs, events = refusals
    concrete = Concrete(scenario, next(_examples))
    channel_id = webhook.channel_id
    dynamodb.plan({})
    sqs.plan({})
    seed_known_people(webhook, concrete)
    for queue in (SEND_QUEUE_NAME, MEDIA_QUEUE_NAME, TEMPLATE_SYNC_QUEUE_NAME):
        drain_queue(queue)
    payload = concrete.payload()
    inbound = {concrete.inbound_wamid(index) for index in range(len(scenario.messages))}
    stored: set[str] = set()
    totals = dict.fromkeys(COUNTERS, 0)
    any_counter_write_refused = False

    for attempt in (*scenario.attempts, Attempt({}, {})):
        dynamodb.plan(attempt.dynamodb)
        sqs.plan(attempt.sqs)
        before = counters(channel_id)

        status, answer = webhook.deliver(payload)

        refused = dynamodb.refused + sqs.refused
        assert status == (500 if refused else 200), (refused, answer)
        now_stored = {wamid for wamid in inbound if message_item(channel_id, wamid) is not None}
        growth = grown(counters(channel_id), before)
        counter_refused = counter_write_refused(dynamodb)
        any_counter_write_refused |= counter_refused
        # A delivery counts the messages it stored itself, even when it fails later on; a refused
        # counter write loses its counts, and nothing ever counts a message twice.
        assert growth["messages_received"] == (0 if counter_refused else len(now_stored - stored))
        if not refused:
            events_delivered = len(scenario.messages) + len(scenario.statuses)
            assert sum(growth.values()) == events_delivered
        stored = now_stored
        totals = {name: totals[name] + growth[name] for name in COUNTERS}

    assert stored == inbound
    highs = record_highs(scenario.statuses)
    if any_counter_write_refused:
        assert totals["statuses_applied"] <= highs
    else:
        assert totals["messages_received"] == len(inbound)
        assert totals["statuses_applied"] == highs

    # One contact per person, each message filed under it, each conversation at its newest message.
    people = {plan.person for plan in scenario.messages}
    contact = {person: contact_of(concrete.wa_id(person)) for person in people}
    for person in people:
        assert contacts_indexed_under(concrete.wa_id(person)) == {contact[person]}
        item = stored_item(keys.contact_pk(WORKSPACE, contact[person]), keys.CONTACT_SK)
        assert item is not None
        assert channel_id in item["channels"]
        newest = max(plan.timestamp for plan in scenario.messages if plan.person == person)
        conversation = stored_item(
            keys.contact_pk(WORKSPACE, contact[person]), keys.conversation_sk(channel_id)
        )
        assert conversation is not None
        assert conversation["last_inbound_at"] == iso(newest)
    for index, plan in enumerate(scenario.messages):
        item = message_item(channel_id, concrete.inbound_wamid(index))
        assert item is not None
        assert item["filed"] is True
        assert item["contact_id"] == contact[plan.person]
        assert item["type"] == ("image" if plan.media else "text")
    for outbound in {plan.outbound for plan in scenario.statuses}:
        item = message_item(channel_id, concrete.outbound_wamid(outbound))
        assert item is not None
        ranked = [plan.status for plan in scenario.statuses if plan.outbound == outbound]
        assert item["status"] == max(ranked, key=STATUS_RANK.__getitem__)

    # The jobs the delivery hands on, each at least once (a greeting queued twice is sent once, by
    # its key; a file copied twice lands on the same key; a second sync writes nothing): a greeting
    # for each new person, a copy of each file, a sync for the template nobody knew.
    greetings = drain_queue(SEND_QUEUE_NAME)
    new_people = {contact[person] for person in people if not scenario.known[person]}
    assert {job["contact_id"] for job in greetings} == new_people
    assert all(job["idempotency_key"] == f"greeting:{channel_id}:{job['contact_id']}" for job in greetings)
    copies = {job["wamid"] for job in drain_queue(MEDIA_QUEUE_NAME)}
    assert copies == {concrete.inbound_wamid(i) for i, plan in enumerate(scenario.messages) if plan.media}
    syncs = {(job["workspace_id"], job["channel_id"]) for job in drain_queue(TEMPLATE_SYNC_QUEUE_NAME)}
    assert syncs == ({(WORKSPACE, channel_id)} if scenario.template_change else set())

    assert events.calls == []
    out, err = capfd.readouterr()
    assert webhook.token not in out + err
    assert KEY not in out + err


def text_from(wa_id: str, wamid: str, timestamp: int = T0) -> dict[str, Any]:
    message = {
        "from": wa_id,
        "id": wamid,
        "timestamp": str(timestamp),
        "type": "text",
        "text": {"body": "Oi"},
    }
    return cloud(messages=[message], contacts=[{"profile": {"name": "Ana"}, "wa_id": wa_id}])


def test_a_refused_greeting_job_is_queued_by_the_redelivery(webhook: Webhook) -> None:
    payload = text_from("4915300000001", "wamid.greeting-refused")
    with refusing(aws.sqs(), SQS_REFUSALS) as sqs:
        sqs.plan({0: "AWS.SimpleQueueService.ServiceUnavailable"})
        assert webhook.deliver(payload)[0] == 500
        sqs.plan({})
        assert webhook.deliver(payload)[0] == 200

    [job] = drain_queue(SEND_QUEUE_NAME)
    assert job["contact_id"] == contact_of("4915300000001")
    assert message_item(webhook.channel_id, "wamid.greeting-refused")["filed"] is True  # type: ignore[index]


def test_a_first_message_stopped_after_its_contact_was_claimed_is_still_greeted(webhook: Webhook) -> None:
    payload = text_from("4915300000002", "wamid.stopped-after-claim")
    with refusing(aws.dynamodb(), DYNAMODB_REFUSALS) as dynamodb:
        # Route read, message put, identity claim; the contact's own item is refused.
        dynamodb.plan({3: "ProvisionedThroughputExceededException"})
        assert webhook.deliver(payload)[0] == 500
        assert [call.operation for call in dynamodb.calls][:3] == ["GetItem", "PutItem", "UpdateItem"]
        dynamodb.plan({})
        assert webhook.deliver(payload)[0] == 200

    [job] = drain_queue(SEND_QUEUE_NAME)
    assert job["contact_id"] == contact_of("4915300000002")


def test_a_refused_media_copy_job_is_queued_by_the_redelivery(webhook: Webhook) -> None:
    image = {"id": "1480239", "mime_type": "image/jpeg", "sha256": "c2hh"}
    message = {"from": "4915300000003", "id": "wamid.copy-refused", "timestamp": str(T0), "type": "image"}
    payload = cloud(messages=[message | {"image": image}])
    with refusing(aws.sqs(), SQS_REFUSALS) as sqs:
        sqs.plan({1: "ThrottlingException"})  # the greeting goes first, then the copy jobs
        assert webhook.deliver(payload)[0] == 500
        assert [call.operation for call in sqs.calls] == ["SendMessage", "SendMessageBatch"]
        sqs.plan({})
        assert webhook.deliver(payload)[0] == 200

    [job] = drain_queue(MEDIA_QUEUE_NAME)
    assert (job["wamid"], job["media_id"]) == ("wamid.copy-refused", "1480239")


def test_a_delivery_that_fails_half_way_counts_what_it_stored_once(webhook: Webhook) -> None:
    assert webhook.deliver(text_from("4915300000004", "wamid.counted-0"))[0] == 200
    messages = [
        text_from("4915300000004", wamid)["entry"][0]["changes"][0]["value"]["messages"][0]
        for wamid in ("wamid.counted-1", "wamid.counted-2")
    ]
    payload = cloud(messages=messages)
    before = counters(webhook.channel_id)
    with refusing(aws.dynamodb(), DYNAMODB_REFUSALS) as dynamodb:
        dynamodb.plan({1: "InternalServerError"}, among="PutItem")  # the second message's put
        assert webhook.deliver(payload)[0] == 500
        assert grown(counters(webhook.channel_id), before)["messages_received"] == 1
        dynamodb.plan({})
        assert webhook.deliver(payload)[0] == 200

    assert grown(counters(webhook.channel_id), before) == {
        "messages_received": 2,
        "duplicates_dropped": 1,
        "statuses_applied": 0,
        "stale_statuses_ignored": 0,
    }


@pytest.mark.parametrize("operation", ["PutItem", "UpdateItem", "TransactWriteItems"])
def test_a_write_whose_answer_is_lost_is_stored_once_and_never_counted_twice(
    webhook: Webhook, operation: str
) -> None:
    payload = text_from("4915300000007", f"wamid.lost-{operation}")
    before = counters(webhook.channel_id)
    with losing_answer(aws.dynamodb(), operation):
        assert webhook.deliver(payload)[0] == 500
    assert webhook.deliver(payload)[0] == 200

    item = message_item(webhook.channel_id, f"wamid.lost-{operation}")
    assert item is not None
    assert item["filed"] is True
    assert item["contact_id"] == contact_of("4915300000007")
    assert contacts_indexed_under("4915300000007") == {item["contact_id"]}
    assert len(drain_queue(SEND_QUEUE_NAME)) == 1
    # A delivery that lost the answer to the message's own put cannot know it stored the message:
    # the one count a lost answer costs. Nothing is ever counted twice.
    received = grown(counters(webhook.channel_id), before)["messages_received"]
    assert received == (0 if operation == "PutItem" else 1)


def test_a_refused_template_sync_job_is_queued_by_the_redelivery(webhook: Webhook) -> None:
    value = {"event": "APPROVED", "message_template_name": "order_update", "message_template_language": "en"}
    payload = {
        "object": "whatsapp_business_account",
        "entry": [{"id": "1", "changes": [{"field": "message_template_status_update", "value": value}]}],
    }
    with refusing(aws.sqs(), SQS_REFUSALS) as sqs:
        sqs.plan(
            {0: "AWS.SimpleQueueService.ServiceUnavailable", 1: "AWS.SimpleQueueService.ServiceUnavailable"}
        )
        assert webhook.deliver(payload)[0] == 500
        sqs.plan({})
        assert webhook.deliver(payload)[0] == 200

    assert drain_queue(TEMPLATE_SYNC_QUEUE_NAME) == [
        {"workspace_id": WORKSPACE, "channel_id": webhook.channel_id}
    ]


def test_domain_events_come_from_the_stream_and_wait_out_a_refusing_bus(webhook: Webhook) -> None:
    reader = InProcessShardReader(physical_name("Table"), account_id="123456789012", region="eu-central-1")
    reader.read(10_000)  # what the fixtures stored before
    tap = _tap_bus()
    with refusing(aws.events(), {}, refuse_all=EVENTBRIDGE_REFUSAL) as bus:
        assert webhook.deliver(text_from("4915300000006", "wamid.evented")) == (200, {"received": 1})
        assert bus.calls == []  # the webhook never calls EventBridge
        records = reader.read(10_000)
        refused = load_function("events").lambda_handler({"Records": records}, LambdaContext())
        assert refused["batchItemFailures"]  # Lambda retries from the first refused record

    retried = load_function("events").lambda_handler({"Records": records}, LambdaContext())

    assert retried == {"batchItemFailures": []}
    published = _receive_all(tap)
    received = [e for e in published if e["detail-type"] == "message.received"]
    assert [e["detail"]["whatsapp_message_id"] for e in received] == ["wamid.evented"]


def _tap_bus() -> str:
    sqs, events = boto3.client("sqs"), boto3.client("events")
    url = sqs.create_queue(QueueName="fault-tap")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.put_rule(
        Name="fault-tap", EventBusName=EVENT_BUS_NAME, EventPattern=json.dumps({"source": ["wachannel"]})
    )
    events.put_targets(Rule="fault-tap", EventBusName=EVENT_BUS_NAME, Targets=[{"Id": "tap", "Arn": arn}])
    return url


def _receive_all(url: str) -> list[dict[str, Any]]:
    messages = boto3.client("sqs").receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
    return [json.loads(message["Body"]) for message in messages]
