"""The webhook's guarantees hold whatever 360dialog does with a set of events: each delivered one to
three times, in any order, in either API generation's shape, batched any way. Afterwards the table
holds each message once under one contact per person, each outbound message at its highest-ranked
status, each conversation at its newest message, and delivery counters that add up."""

from __future__ import annotations

import base64
import itertools
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.unit.webhook.conftest import BUSINESS_DIGITS, WORKSPACE, Webhook, table_items
from wachannel.domain.delivery_status import STATUS_RANK
from wachannel.domain.messages import message_id
from wachannel.store import keys

T0 = 1795000000
OUTBOUND_STATUSES = ("sent", "delivered", "read", "failed")
FAILURES = {
    131047: "Re-engagement message",
    131026: "Message undeliverable",
    470: "Message failed to send because more than 24 hours have passed since the customer last replied",
}
# The moto table and the channel outlive each hypothesis example: every example names its people
# and messages with a number of its own, so no example sees another's state.
_example_numbers = itertools.count(1)


@dataclass(frozen=True)
class Person:
    """A customer as the numbers their messages arrive from; `wa_ids[0]` is the canonical form."""

    kind: str
    name: str
    canonical: str
    wa_ids: tuple[str, ...]


def person(kind: str, example: int) -> Person:
    serial = f"{example:07d}"
    if kind == "br_mobile":
        local = f"9{serial}"  # a mobile: the 8-digit local part starts with 6-9
        return Person(kind, "Ana Souza", f"+55119{local}", (f"55119{local}", f"5511{local}"))
    if kind == "br_landline":
        return Person(kind, "Padaria Central", f"+55113{serial}", (f"55113{serial}",))
    if kind == "de_mobile":
        return Person(kind, "Jonas Weber", f"+491510{serial}", (f"491510{serial}",))
    return Person(kind, "Luis Hernández", f"+52550{serial}", (f"521550{serial}",))


@dataclass(frozen=True)
class MessagePlan:
    person: int
    form: int  # which of the person's numbers it comes from
    timestamp: int
    text: str


@dataclass(frozen=True)
class StatusPlan:
    outbound: int
    status: str
    timestamp: int
    error_code: int | None


@dataclass(frozen=True)
class PostPlan:
    """One POST: events as ("message" | "status", index), its shape, and for Cloud how the events
    are cut into changes and whether those changes share an entry."""

    events: tuple[tuple[str, int], ...]
    cloud: bool
    change_sizes: tuple[int, ...]
    one_entry: bool


@dataclass(frozen=True)
class Scenario:
    kinds: tuple[str, ...]
    messages: tuple[MessagePlan, ...]
    statuses: tuple[StatusPlan, ...]
    posts: tuple[PostPlan, ...]


def _cuts(draw: st.DrawFn, total: int, largest: int) -> tuple[int, ...]:
    sizes: list[int] = []
    while total:
        sizes.append(draw(st.integers(1, min(largest, total))))
        total -= sizes[-1]
    return tuple(sizes)


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    others = draw(
        st.lists(st.sampled_from(["br_landline", "de_mobile", "mx_mobile"]), unique=True, max_size=2)
    )
    kinds = ("br_mobile", *others)
    # The Brazilian mobile writes from both forms of its number, at least once each.
    forms: list[tuple[int, int]] = [(0, 0), (0, 1)]
    forms += [(0, draw(st.integers(0, 1))) for _ in range(draw(st.integers(0, 2)))]
    forms += [(p, 0) for p in range(1, len(kinds)) for _ in range(draw(st.integers(1, 3)))]
    offsets = draw(
        st.lists(st.integers(0, 3 * 86_400), min_size=len(forms), max_size=len(forms), unique=True)
    )
    messages = tuple(
        MessagePlan(p, form, T0 + offset, draw(st.text(min_size=1, max_size=30)))
        for (p, form), offset in zip(forms, offsets, strict=True)
    )
    statuses: list[StatusPlan] = []
    for outbound in range(draw(st.integers(1, 3))):
        seen = draw(st.sets(st.sampled_from(OUTBOUND_STATUSES), min_size=1))
        for status in sorted(seen, key=OUTBOUND_STATUSES.index):
            code = draw(st.sampled_from(sorted(FAILURES))) if status == "failed" else None
            at = T0 + 600 * outbound + OUTBOUND_STATUSES.index(status)
            statuses.append(StatusPlan(outbound, status, at, code))
    events = [("message", i) for i in range(len(messages))] + [("status", i) for i in range(len(statuses))]
    deliveries = [event for event in events for _ in range(draw(st.integers(1, 3)))]
    schedule = draw(st.permutations(deliveries))
    posts: list[PostPlan] = []
    start = 0
    for size in _cuts(draw, len(schedule), 4):
        batch = tuple(schedule[start : start + size])
        start += size
        cloud = draw(st.booleans())
        changes = _cuts(draw, size, size) if cloud else (size,)
        posts.append(PostPlan(batch, cloud, changes, draw(st.booleans())))
    return Scenario(kinds, messages, tuple(statuses), tuple(posts))


@dataclass(frozen=True)
class Concrete:
    """A scenario with this example's numbers and message ids."""

    people: tuple[Person, ...]
    scenario: Scenario
    example: int

    def inbound_wamid(self, index: int) -> str:
        return "wamid." + base64.b64encode(f"in:{self.example}:{index}".encode()).decode()

    def outbound_wamid(self, index: int) -> str:
        return "wamid." + base64.b64encode(f"out:{self.example}:{index}".encode()).decode()

    def sender(self, index: int) -> tuple[Person, str]:
        plan = self.scenario.messages[index]
        who = self.people[plan.person]
        return who, who.wa_ids[plan.form]

    def message(self, index: int) -> dict[str, Any]:
        plan = self.scenario.messages[index]
        _, wa_id = self.sender(index)
        return {
            "from": wa_id,
            "id": self.inbound_wamid(index),
            "timestamp": str(plan.timestamp),
            "type": "text",
            "text": {"body": plan.text},
        }

    def status(self, index: int, *, cloud: bool) -> dict[str, Any]:
        plan = self.scenario.statuses[index]
        recipient = self.people[plan.outbound % len(self.people)].wa_ids[0]
        entry: dict[str, Any] = {
            "id": self.outbound_wamid(plan.outbound),
            "status": plan.status,
            "timestamp": str(plan.timestamp),
            "recipient_id": recipient,
        }
        if cloud and plan.status in ("sent", "delivered"):
            entry["pricing"] = {
                "billable": True,
                "pricing_model": "PMP",
                "category": "utility",
                "type": "regular",
            }
        if not cloud:
            entry["type"] = "message"
        if plan.error_code is not None:
            title = FAILURES[plan.error_code]
            error: dict[str, Any] = {"code": plan.error_code, "title": title}
            if cloud:
                error |= {
                    "message": title,
                    "error_data": {"details": title},
                    "href": "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/",
                }
            else:
                error |= {
                    "details": title,
                    "href": "https://developers.facebook.com/docs/whatsapp/api/errors/",
                }
            entry["errors"] = [error]
        return entry

    def value(self, events: tuple[tuple[str, int], ...], *, cloud: bool) -> dict[str, Any]:
        """The `value` of a Cloud messages change, which is also the whole On-Premise body."""
        contacts: dict[str, dict[str, Any]] = {}
        messages, statuses = [], []
        for kind, index in events:
            if kind == "message":
                who, wa_id = self.sender(index)
                contacts.setdefault(wa_id, {"profile": {"name": who.name}, "wa_id": wa_id})
                messages.append(self.message(index))
            else:
                statuses.append(self.status(index, cloud=cloud))
        value: dict[str, Any] = {}
        if cloud:
            value["messaging_product"] = "whatsapp"
            value["metadata"] = {
                "display_phone_number": BUSINESS_DIGITS,
                "phone_number_id": "111222333444555",
            }
        if contacts:
            value["contacts"] = list(contacts.values())
        if messages:
            value["messages"] = messages
        if statuses:
            value["statuses"] = statuses
        return value

    def payload(self, post: PostPlan) -> dict[str, Any]:
        if not post.cloud:
            return self.value(post.events, cloud=False)
        changes, start = [], 0
        for size in post.change_sizes:
            value = self.value(post.events[start : start + size], cloud=True)
            changes.append({"value": value, "field": "messages"})
            start += size
        waba = "102030405060708"
        entries = (
            [{"id": waba, "changes": changes}]
            if post.one_entry
            else [{"id": waba, "changes": [change]} for change in changes]
        )
        return {"object": "whatsapp_business_account", "entry": entries}


@dataclass
class ExpectedCounts:
    """What the channel's counters should grow by, from replaying the schedule as the webhook sees it:
    per POST, its statuses in order, each compared with the highest rank stored for its message."""

    messages_received: int
    duplicates_dropped: int
    statuses_applied: int
    stale_statuses_ignored: int
    message_deliveries: int
    status_deliveries: int


def expected_counts(scenario: Scenario) -> ExpectedCounts:
    stored_rank: dict[int, int] = {}
    applied = stale = same_rank = status_deliveries = message_deliveries = 0
    for post in scenario.posts:
        for kind, index in post.events:
            if kind == "message":
                message_deliveries += 1
                continue
            status_deliveries += 1
            plan = scenario.statuses[index]
            rank = STATUS_RANK[plan.status]
            current = stored_rank.get(plan.outbound)
            if current is None or rank > current:
                applied += 1
                stored_rank[plan.outbound] = rank
            elif rank == current:
                same_rank += 1
            else:
                stale += 1
    redelivered = message_deliveries - len(scenario.messages)
    return ExpectedCounts(
        messages_received=len(scenario.messages),
        duplicates_dropped=redelivered + same_rank,
        statuses_applied=applied,
        stale_statuses_ignored=stale,
        message_deliveries=message_deliveries,
        status_deliveries=status_deliveries,
    )


def iso_millis(unix_seconds: int) -> str:
    return datetime.fromtimestamp(unix_seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


COUNTERS = ("messages_received", "duplicates_dropped", "statuses_applied", "stale_statuses_ignored")


def delivery_counters(items: list[dict[str, Any]], channel_id: str) -> dict[str, int]:
    key = (keys.channel_scoped_pk(WORKSPACE, channel_id), keys.STATS_SK)
    stats = next((item for item in items if (item["PK"], item["SK"]) == key), {})
    return {name: int(stats.get(name, 0)) for name in COUNTERS}


@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(scenario=scenarios())
def test_any_schedule_of_redeliveries_gives_the_same_stored_state(webhook: Webhook, scenario: Scenario):
    example = next(_example_numbers)
    concrete = Concrete(tuple(person(kind, example) for kind in scenario.kinds), scenario, example)
    channel_id = webhook.channel_id
    before = delivery_counters(table_items(), channel_id)

    for post in scenario.posts:
        assert webhook.deliver(concrete.payload(post)) == (200, {"received": len(post.events)})

    items = table_items()
    by_key = {(item["PK"], item["SK"]): item for item in items}

    # One message item per inbound wamid, filed under the contact of the person who wrote it.
    inbound = {concrete.inbound_wamid(i) for i in range(len(scenario.messages))}
    stored_messages = [
        i for i in items if i.get("entity") == "message" and i["whatsapp_message_id"] in inbound
    ]
    assert sorted(m["whatsapp_message_id"] for m in stored_messages) == sorted(inbound)
    # A contact is this example's if any of its numbers is, in whatever form it was stored.
    numbers = {n for p in concrete.people for n in (p.canonical, *p.wa_ids, *(f"+{w}" for w in p.wa_ids))}
    contacts = [i for i in items if i.get("entity") == "contact"]
    ours = [c for c in contacts if {c.get("phone_number"), c.get("whatsapp_id")} & numbers]
    assert sorted(c["phone_number"] for c in ours) == sorted(p.canonical for p in concrete.people)
    contact_of = {c["phone_number"]: c["id"] for c in ours}
    for index, plan in enumerate(scenario.messages):
        item = by_key[
            (keys.message_pk(WORKSPACE, channel_id, concrete.inbound_wamid(index)), keys.MESSAGE_SK)
        ]
        assert item["filed"] is True
        assert item["contact_id"] == contact_of[concrete.people[plan.person].canonical]
        assert item["text"] == plan.text

    # Each conversation stands at its customer's newest message, whatever arrived last.
    conversations = [i for i in items if i.get("entity") == "conversation" and i["channel_id"] == channel_id]
    for p, who in enumerate(concrete.people):
        [conversation] = [c for c in conversations if c["contact_id"] == contact_of[who.canonical]]
        newest = max(
            (i for i, plan in enumerate(scenario.messages) if plan.person == p),
            key=lambda i: scenario.messages[i].timestamp,
        )
        newest_plan = scenario.messages[newest]
        assert conversation["last_inbound_at"] == iso_millis(newest_plan.timestamp)
        assert conversation["last_message"]["id"] == message_id(channel_id, concrete.inbound_wamid(newest))
        assert conversation["last_message"]["text"] == newest_plan.text
        assert conversation["last_message"]["timestamp"] == iso_millis(newest_plan.timestamp)

    # Each outbound message at the highest-ranked status delivered; a failure keeps its error
    # unless a read proved the message arrived after all.
    for outbound in {plan.outbound for plan in scenario.statuses}:
        plans = [plan for plan in scenario.statuses if plan.outbound == outbound]
        highest = max(plans, key=lambda plan: STATUS_RANK[plan.status])
        item = by_key[
            (keys.message_pk(WORKSPACE, channel_id, concrete.outbound_wamid(outbound)), keys.MESSAGE_SK)
        ]
        assert item["status"] == highest.status
        if highest.status == "failed":
            assert highest.error_code is not None
            assert item["error"] == {"code": str(highest.error_code), "message": FAILURES[highest.error_code]}
        else:
            assert "error" not in item

    # The channel's counters add up to what was delivered.
    after = delivery_counters(items, channel_id)
    grown = {name: after[name] - before[name] for name in COUNTERS}
    expected = expected_counts(scenario)
    assert grown == {name: getattr(expected, name) for name in COUNTERS}
    assert grown["messages_received"] == len(inbound)
    status_duplicates = grown["duplicates_dropped"] - (expected.message_deliveries - len(inbound))
    assert (
        grown["statuses_applied"] + grown["stale_statuses_ignored"] + status_duplicates
        == expected.status_deliveries
    )
