"""Redelivery storm: thousands of messages and statuses for channels of both API generations, batched
into POSTs as 360dialog batches them, each POST delivered 1 to 5 times, shuffled, from concurrent
clients, and a POST that got no 200 delivered again. Afterwards the public API (and, for messages
this stack never sent, the table itself) shows every message once, each status at its highest rank,
one contact per person whatever form their number came in, and channel health counters that add up.

`WACHANNEL_STORM_SCALE` (default 1, the CI size) multiplies the storm for a longer run."""

from __future__ import annotations

import json
import os
import random
import secrets
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from infra.local.aws import AwsClients, physical_name
from infra.local.lambda_runtime import ENVIRONMENTS_PER_FUNCTION
from infra.local.process import LocalStackProcess
from infra.local.simulator import SimulatedNumber
from infra.local.simulator.customer import (
    WEBHOOK_TIMEOUT_SECONDS,
    InboundMessageSpec,
    StatusSpec,
    cloud_message_id,
    contact_object,
    generation_payload,
    message_object,
    on_premise_message_id,
    status_object,
)
from tests.e2e.clients import Frontend, Simulator
from wachannel.store import keys
from wachannel.store.codec import from_item, to_item

SCALE_VARIABLE = "WACHANNEL_STORM_SCALE"
SEED = 20261118
GENERATIONS = ("cloud", "on_premise", "cloud")
CONCURRENT_CLIENTS = 8
# The agent's sends and reads: each function's environments start cold, and on two busy cores more
# of them at once only wait for each other.
CONCURRENT_AGENT_CALLS = 2
MAX_COPIES = 5
MAX_EVENTS_PER_POST = 20
# A Cloud POST carries its messages in several changes of one entry, a few messages each.
MESSAGES_PER_CHANGE = 3
# Events that 360dialog delivers once more inside another POST, batched differently.
REBATCHED_SHARE = 0.1
SECOND_CHANNEL_SHARE = 0.25
DELIVERY_ATTEMPTS = 6
# A POST the client gave up on still runs to its end in the stack, and counts.
HANDLED_ANSWERS = frozenset({"200", "ReadTimeout"})
OPENING_MESSAGE_AGE_SECONDS = 600
# The README's ranks: a status only replaces one ranked below it, so `failed` stands unless `read` came.
STATUS_ORDER = ("received", "accepted", "sent", "delivered", "failed", "read")
STATUS_PLANS = (
    ("sent", "delivered", "read"),
    ("sent", "delivered"),
    ("sent",),
    ("sent", "failed"),
    ("sent", "delivered", "failed"),
    ("sent", "failed", "read"),
    ("delivered", "read"),
    ("read",),
)
REENGAGEMENT_ERROR_CODES = {"cloud": "131047", "on_premise": "470"}
BRAZIL_AREA_CODES = ("11", "21", "31", "41", "51", "61", "71", "81", "91")
SHOWN_PROBLEMS = 25


@dataclass(frozen=True)
class StormSize:
    persons_per_channel: int
    max_messages_per_conversation: int
    replies_per_channel: int
    foreign_messages_per_channel: int

    @classmethod
    def from_environment(cls) -> StormSize:
        raw = os.environ.get(SCALE_VARIABLE, "1")
        try:
            scale = float(raw)
        except ValueError:
            scale = 0
        if not scale > 0:
            pytest.fail(f"{SCALE_VARIABLE} must be a number above 0, not {raw!r}", pytrace=False)
        return cls(
            persons_per_channel=max(4, round(16 * scale)),
            max_messages_per_conversation=20,
            replies_per_channel=max(2, round(5 * scale)),
            foreign_messages_per_channel=max(4, round(100 * scale)),
        )


# ---------------------------------------------------------------------------------------------------
# The people, in every form their numbers arrive in
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    name: str
    wa_ids: tuple[str, ...]
    """Every form WhatsApp writes this person's number in; the first is the usual one."""
    shown_numbers: frozenset[str]
    """What their contact's phone_number may read (E.164)."""


NumberForms = tuple[tuple[str, ...], frozenset[str]]


def _digits(rng: random.Random, count: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(count))


def brazilian_mobile(rng: random.Random) -> NumberForms:
    """Both forms deliver: with the ninth digit and, for older accounts, without it."""
    area, local = rng.choice(BRAZIL_AREA_CODES), rng.choice("6789") + _digits(rng, 7)
    return (f"55{area}9{local}", f"55{area}{local}"), frozenset({f"+55{area}9{local}"})


def brazilian_landline(rng: random.Random) -> NumberForms:
    """Twelve digits like an old mobile's, but a landline's: nothing to add, nothing to fold."""
    area, local = rng.choice(BRAZIL_AREA_CODES), rng.choice("2345") + _digits(rng, 7)
    return (f"55{area}{local}",), frozenset({f"+55{area}{local}"})


def mexican_mobile(rng: random.Random) -> NumberForms:
    ten = "55" + _digits(rng, 8)
    return (f"521{ten}", f"52{ten}"), frozenset({f"+52{ten}"})


def argentine_mobile(rng: random.Random) -> NumberForms:
    """Argentina keeps its mobile '9' in E.164, so the contact shows whichever form it came in."""
    ten = "11" + _digits(rng, 8)
    return (f"549{ten}", f"54{ten}"), frozenset({f"+549{ten}", f"+54{ten}"})


def german_mobile(rng: random.Random) -> NumberForms:
    number = "49151" + _digits(rng, 8)
    return (number,), frozenset({f"+{number}"})


NUMBER_KINDS: tuple[tuple[Callable[[random.Random], NumberForms], int], ...] = (
    (german_mobile, 4),
    (brazilian_mobile, 3),
    (mexican_mobile, 2),
    (argentine_mobile, 2),
    (brazilian_landline, 1),
)


def new_persons(rng: random.Random, count: int) -> list[Person]:
    kinds, weights = zip(*NUMBER_KINDS, strict=True)
    persons: list[Person] = []
    taken: set[str] = set()
    while len(persons) < count:
        [kind] = rng.choices(kinds, weights)
        wa_ids, shown = kind(rng)
        if taken.isdisjoint(wa_ids):
            taken.update(wa_ids)
            persons.append(Person(f"Storm Customer {len(persons):04d}", wa_ids, shown))
    return persons


# ---------------------------------------------------------------------------------------------------
# The channels, and what happens on them before the storm
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class StormChannel:
    id: str
    number: SimulatedNumber

    @property
    def generation(self) -> str:
        return self.number.api_generation


def connect_channels(agent: Frontend, simulator: Simulator) -> list[StormChannel]:
    channels = []
    for generation in GENERATIONS:
        number = simulator.new_number(generation)
        channel = agent.connect(number)
        # The simulator reports no status by itself: the storm brings every one.
        simulator.client.put(
            f"/_admin/numbers/{number['phone_number']}/outbound", json={"statuses": []}
        ).raise_for_status()
        registered = SimulatedNumber.model_validate(simulator.number(number["phone_number"]))
        channels.append(StormChannel(channel["id"], registered))
    return channels


def start_webhook_environments(channel: StormChannel) -> None:
    """Every execution environment of the webhook function at once, so that none of the storm's POSTs
    waits out a cold start on a busy machine (360dialog would give up after 5 s and deliver again)."""
    webhook = channel.number.webhook
    assert webhook is not None
    empty = {"object": "whatsapp_business_account", "entry": []}
    with (
        httpx.Client(timeout=60, trust_env=False) as client,
        ThreadPoolExecutor(ENVIRONMENTS_PER_FUNCTION) as pool,
    ):
        answers = pool.map(
            lambda _: client.post(webhook.url, json=empty, headers=webhook.headers).status_code,
            range(ENVIRONMENTS_PER_FUNCTION),
        )
        assert set(answers) == {200}


@dataclass(frozen=True)
class Conversation:
    person: Person
    channel: StormChannel
    messages: int


def plan_conversations(
    rng: random.Random, persons: Sequence[Person], channels: Sequence[StormChannel], size: StormSize
) -> list[Conversation]:
    """Each person writes on a channel of their own, some on a second channel too."""
    conversations = []
    for index, person in enumerate(persons):
        home = channels[index % len(channels)]
        written_on = [home]
        if rng.random() < SECOND_CHANNEL_SHARE:
            written_on.append(rng.choice([channel for channel in channels if channel is not home]))
        conversations += [
            Conversation(person, channel, rng.randint(1, size.max_messages_per_conversation))
            for channel in written_on
        ]
    return conversations


@dataclass(frozen=True)
class ExpectedMessage:
    channel: StormChannel
    wamid: str
    person: Person | None
    """None for a message some other tool sent from the number: this stack never stored it."""
    direction: str
    text: str | None
    sent_at: int | None
    """A customer's message: the time WhatsApp gives it."""
    status: str
    status_at: int | None = None
    error_code: str | None = None


def open_windows(simulator: Simulator, recipients: dict[StormChannel, list[Person]]) -> list[ExpectedMessage]:
    """Each person the agent will answer writes first, once, through the simulator (which opens the
    customer service window there too)."""
    written_at = int(time.time()) - OPENING_MESSAGE_AGE_SECONDS
    opened = []
    for channel, persons in recipients.items():
        texts = [f"{person.name} opens a conversation" for person in persons]
        events = [
            {
                "kind": "inbound",
                "from": person.wa_ids[0],
                "profile_name": person.name,
                "type": "text",
                "text": text,
                "timestamp": written_at,
            }
            for person, text in zip(persons, texts, strict=True)
        ]
        answer = simulator.client.post(
            f"/_admin/numbers/{channel.number.phone_number}/batch", json={"events": events, "concurrency": 4}
        ).raise_for_status()
        assert answer.json()["statuses"] == {"200": len(events)}, answer.text
        opened += [
            ExpectedMessage(channel, wamid, person, "inbound", text, written_at, "received")
            for wamid, person, text in zip(answer.json()["message_ids"], persons, texts, strict=True)
        ]
    return opened


def all_pages(agent: Frontend, path: str, **params: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        page = agent.client.get(
            path, params={**params, "limit": "100", **({"cursor": cursor} if cursor else {})}
        )
        assert page.status_code == 200, page.text
        items += page.json()["items"]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            return items


@dataclass(frozen=True)
class Reply:
    channel: StormChannel
    person: Person
    text: str
    wamid: str


def send_replies(agent: Frontend, recipients: dict[StormChannel, list[Person]]) -> list[Reply]:
    """An agent answers each of them through the API, inside the window their message opened."""
    contact_ids = {contact["whatsapp_id"]: contact["id"] for contact in all_pages(agent, "/contacts")}

    def reply(channel: StormChannel, person: Person) -> Reply:
        text = f"Hello {person.name}, how can we help?"
        answer = agent.client.post(
            f"/channels/{channel.id}/messages",
            json={"to": contact_ids[person.wa_ids[0]], "type": "text", "text": text},
        )
        assert answer.status_code == 201, answer.text
        return Reply(channel, person, text, str(answer.json()["whatsapp_message_id"]))

    pairs = [(channel, person) for channel, persons in recipients.items() for person in persons]
    with ThreadPoolExecutor(CONCURRENT_AGENT_CALLS) as pool:
        return list(pool.map(lambda pair: reply(*pair), pairs))


# ---------------------------------------------------------------------------------------------------
# The storm's events, batched into POSTs
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StormMessage:
    channel: StormChannel
    person: Person
    wamid: str
    spec: InboundMessageSpec


@dataclass(frozen=True)
class StormStatus:
    channel: StormChannel
    wamid: str
    spec: StatusSpec


StormEvent = StormMessage | StormStatus
EventKey = tuple[str, str]
"""(wamid, "message") or (wamid, status)."""


def event_key(event: StormEvent) -> EventKey:
    return (event.wamid, "message") if isinstance(event, StormMessage) else (event.wamid, event.spec.status)


def new_wamid(channel: StormChannel, customer: str) -> str:
    return cloud_message_id(customer) if channel.generation == "cloud" else on_premise_message_id()


def conversation_messages(
    rng: random.Random, conversation: Conversation, first_second: int
) -> list[StormMessage]:
    """A second apart, the person's number forms taking turns from a random one."""
    person, channel = conversation.person, conversation.channel
    start = rng.randrange(len(person.wa_ids))
    messages = []
    for index in range(conversation.messages):
        wa_id = person.wa_ids[(start + index) % len(person.wa_ids)]
        wamid = new_wamid(channel, wa_id)
        spec = InboundMessageSpec.model_validate(
            {
                "from": wa_id,
                "profile_name": person.name,
                "type": "text",
                "text": f"{person.name} on {channel.id}: message {index}",
                "id": wamid,
                "timestamp": first_second + index,
            }
        )
        messages.append(StormMessage(channel, person, wamid, spec))
    return messages


def reported_statuses(
    rng: random.Random, channel: StormChannel, wamid: str, recipient: str, first_second: int
) -> list[StormStatus]:
    """One of the plans, each status a second after the one before."""
    return [
        StormStatus(
            channel,
            wamid,
            StatusSpec(
                message_id=wamid, status=status, recipient_id=recipient, timestamp=first_second + index
            ),
        )
        for index, status in enumerate(rng.choice(STATUS_PLANS))
    ]


def top_status(statuses: Iterable[StormStatus]) -> StormStatus:
    return max(statuses, key=lambda status: STATUS_ORDER.index(status.spec.status))


def expected_outbound(
    channel: StormChannel,
    wamid: str,
    person: Person | None,
    text: str | None,
    statuses: Sequence[StormStatus],
) -> ExpectedMessage:
    top = top_status(statuses)
    return ExpectedMessage(
        channel,
        wamid,
        person,
        "outbound",
        text,
        None,
        top.spec.status,
        top.spec.timestamp,
        REENGAGEMENT_ERROR_CODES[channel.generation] if top.spec.status == "failed" else None,
    )


@dataclass(frozen=True)
class Post:
    channel: StormChannel
    body: bytes
    events: tuple[EventKey, ...]
    copies: int


def chunked(items: Sequence[StormMessage], size: int) -> list[Sequence[StormMessage]]:
    return [items[start : start + size] for start in range(0, len(items), size)]


def events_value(
    number: SimulatedNumber, messages: Sequence[StormMessage], statuses: Sequence[StormStatus]
) -> dict[str, Any]:
    """The `value` of a Cloud messages change, which is also a whole On-Premise body."""
    now = int(time.time())
    value: dict[str, Any] = {}
    if messages:
        value["contacts"] = list({m.spec.from_: contact_object(m.spec) for m in messages}.values())
        value["messages"] = [message_object(number, m.spec, m.wamid, now) for m in messages]
    if statuses:
        value["statuses"] = [status_object(number.api_generation, s.spec, now) for s in statuses]
    return value


def webhook_body(number: SimulatedNumber, events: Sequence[StormEvent]) -> dict[str, Any]:
    """One POST as 360dialog batches it: On-Premise's flat arrays, or a Cloud envelope whose entry
    holds a change per few messages and one with the statuses."""
    messages = [event for event in events if isinstance(event, StormMessage)]
    statuses = [event for event in events if isinstance(event, StormStatus)]
    if number.api_generation == "on_premise":
        return generation_payload(number, events_value(number, messages, statuses))
    values = [events_value(number, chunk, []) for chunk in chunked(messages, MESSAGES_PER_CHANGE)]
    if statuses:
        values.append(events_value(number, [], statuses))
    envelopes = [generation_payload(number, value) for value in values]
    entry = {**envelopes[0]["entry"][0], "changes": [e["entry"][0]["changes"][0] for e in envelopes]}
    return {**envelopes[0], "entry": [entry]}


def new_post(rng: random.Random, channel: StormChannel, events: Sequence[StormEvent]) -> Post:
    return Post(
        channel,
        json.dumps(webhook_body(channel.number, events), separators=(",", ":")).encode(),
        tuple(event_key(event) for event in events),
        rng.randint(1, MAX_COPIES),
    )


def batch_into_posts(rng: random.Random, channel: StormChannel, events: Sequence[StormEvent]) -> list[Post]:
    """The events shuffled into POSTs of 1 to MAX_EVENTS_PER_POST; some ride in a second POST too."""
    shuffled = list(events)
    rng.shuffle(shuffled)
    batches: list[list[StormEvent]] = []
    while shuffled:
        size = rng.randint(1, MAX_EVENTS_PER_POST)
        batches.append(shuffled[:size])
        shuffled = shuffled[size:]
    if len(batches) > 1:
        for index, batch in enumerate([list(batch) for batch in batches]):
            for event in batch:
                if rng.random() < REBATCHED_SHARE:
                    rng.choice(batches[:index] + batches[index + 1 :]).append(event)
    return [new_post(rng, channel, batch) for batch in batches]


def delivery_order(rng: random.Random, posts: Sequence[Post], leading: Sequence[Post]) -> list[Post]:
    """Every copy of every POST, shuffled, behind one copy each of `leading`, which go out side by side."""
    rest = [post for post in posts for _ in range(post.copies - (post in leading))]
    rng.shuffle(rest)
    return [*leading, *rest]


# ---------------------------------------------------------------------------------------------------
# Delivering it as 360dialog does
# ---------------------------------------------------------------------------------------------------


def deliver_until_accepted(client: httpx.Client, post: Post) -> list[str]:
    """Each attempt's answer (a status code, or why there was none) until a 200."""
    webhook = post.channel.number.webhook
    assert webhook is not None
    headers = {**webhook.headers, "Content-Type": "application/json"}
    answers = []
    for attempt in range(DELIVERY_ATTEMPTS):
        try:
            answer = str(client.post(webhook.url, content=post.body, headers=headers).status_code)
        except httpx.TransportError as error:
            answer = type(error).__name__
        answers.append(answer)
        if answer == "200":
            return answers
        time.sleep(0.25 * 2**attempt)
    raise AssertionError(f"a POST of {len(post.events)} events got no 200: {answers}")


@dataclass(frozen=True)
class StormRun:
    handled_copies: Counter[EventKey]
    """How many times the stack handled each event."""
    answers: Counter[str]
    seconds: float


def run_storm(deliveries: Sequence[Post]) -> StormRun:
    """Each delivery in turn, from concurrent clients."""
    with (
        httpx.Client(
            timeout=WEBHOOK_TIMEOUT_SECONDS,
            trust_env=False,
            limits=httpx.Limits(max_connections=CONCURRENT_CLIENTS),
        ) as client,
        ThreadPoolExecutor(CONCURRENT_CLIENTS) as pool,
    ):
        started = time.monotonic()
        attempts = list(pool.map(lambda post: deliver_until_accepted(client, post), deliveries))
        seconds = time.monotonic() - started
    handled: Counter[EventKey] = Counter()
    for post, answers in zip(deliveries, attempts, strict=True):
        handled.update(post.events * sum(answer in HANDLED_ANSWERS for answer in answers))
    return StormRun(handled, Counter(answer for answers in attempts for answer in answers), seconds)


# ---------------------------------------------------------------------------------------------------
# What the stack shows afterwards
# ---------------------------------------------------------------------------------------------------


def at(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def read_at(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


@dataclass(frozen=True)
class DeliveryCounters:
    messages_received: int
    duplicates_dropped: int
    statuses_applied: int
    stale_statuses_ignored: int

    @classmethod
    def of(cls, agent: Frontend, channel: StormChannel) -> DeliveryCounters:
        delivery = agent.client.get(f"/channels/{channel.id}/health").raise_for_status().json()["delivery"]
        return cls(
            delivery["messages_received"],
            delivery["duplicates_dropped"],
            delivery["statuses_applied"],
            delivery["stale_statuses_ignored"],
        )

    def __sub__(self, other: DeliveryCounters) -> DeliveryCounters:
        return DeliveryCounters(
            self.messages_received - other.messages_received,
            self.duplicates_dropped - other.duplicates_dropped,
            self.statuses_applied - other.statuses_applied,
            self.stale_statuses_ignored - other.stale_statuses_ignored,
        )


def counter_problems(
    channel: StormChannel, counters: DeliveryCounters, events: Sequence[StormEvent], copies: Counter[EventKey]
) -> list[str]:
    """Every handled copy of an event counts once: a message as received or a duplicate; a status as
    applied, stale (a higher one was there) or a duplicate (the same one was). Of each message's
    statuses the highest is applied exactly once, whatever the order, and the rest at most once each."""
    messages = [event for event in events if isinstance(event, StormMessage)]
    statuses_of: defaultdict[str, list[StormStatus]] = defaultdict(list)
    for event in events:
        if isinstance(event, StormStatus):
            statuses_of[event.wamid].append(event)
    status_events = sum(len(group) for group in statuses_of.values())
    message_redeliveries = sum(copies[event_key(message)] for message in messages) - len(messages)
    status_copies = sum(copies[event_key(s)] for group in statuses_of.values() for s in group)
    status_duplicates = counters.duplicates_dropped - message_redeliveries
    top_redeliveries = sum(copies[event_key(top_status(group))] - 1 for group in statuses_of.values())
    facts = (
        f"channel {channel.id} ({channel.generation}): {counters}; sent {len(messages)} messages "
        f"({message_redeliveries} redeliveries), {status_events} statuses of {len(statuses_of)} messages "
        f"({status_copies} copies)"
    )
    checks = [
        counters.messages_received == len(messages),
        status_duplicates >= top_redeliveries,
        counters.statuses_applied + counters.stale_statuses_ignored + status_duplicates == status_copies,
        len(statuses_of) <= counters.statuses_applied <= status_events,
    ]
    return [] if all(checks) else [f"delivery counters do not add up: {facts}"]


NewestMessages = dict[tuple[Person, StormChannel], ExpectedMessage]
"""The newest message each person wrote on each channel they wrote on."""


def newest_messages(expected: Iterable[ExpectedMessage]) -> NewestMessages:
    newest: NewestMessages = {}
    for message in expected:
        if message.person is None or message.sent_at is None:
            continue
        key = (message.person, message.channel)
        if key not in newest or (newest[key].sent_at or 0) < message.sent_at:
            newest[key] = message
    return newest


def contacts_by_person(
    agent: Frontend, persons: Sequence[Person], newest: NewestMessages
) -> tuple[dict[Person, dict[str, Any]], list[str]]:
    """One contact per person, showing their number in one of its own forms, with the channels they
    wrote on and the time of the newest message they sent."""
    contacts = all_pages(agent, "/contacts")
    person_of_wa_id = {wa_id: person for person in persons for wa_id in person.wa_ids}
    found: defaultdict[Person, list[dict[str, Any]]] = defaultdict(list)
    problems = []
    for contact in contacts:
        person = person_of_wa_id.get(contact["whatsapp_id"])
        if person is None:
            problems.append(f"a contact of nobody who wrote: {contact}")
        else:
            found[person].append(contact)
    for person in persons:
        if len(found[person]) != 1:
            problems.append(f"{person.name} {person.wa_ids} has {len(found[person])} contacts")
            continue
        [contact] = found[person]
        written = [message for (writer, _), message in newest.items() if writer == person]
        wanted = {
            "phone_number": contact["phone_number"] in person.shown_numbers,
            "profile_name": contact["profile_name"] == person.name,
            "channels": set(contact["channels"]) == {message.channel.id for message in written},
            "last_inbound_at": read_at(contact["last_inbound_at"])
            == at(max(message.sent_at or 0 for message in written)),
        }
        problems += [
            f"{person.name} {person.wa_ids}: {name} {contact[name]!r}"
            for name, ok in wanted.items()
            if not ok
        ]
    return {person: contacts[0] for person, contacts in found.items() if len(contacts) == 1}, problems


def conversation_problems(
    agent: Frontend, channel: StormChannel, contacts: dict[Person, dict[str, Any]], newest: NewestMessages
) -> list[str]:
    """One conversation per person who wrote on the channel, its window and last message from the
    newest message they sent, whatever order the copies came in."""
    person_of_contact = {contact["id"]: person for person, contact in contacts.items()}
    newest_here = {person: message for (person, on), message in newest.items() if on is channel}
    conversations = all_pages(agent, "/conversations", channel_id=channel.id)
    problems = []
    seen = Counter(person_of_contact.get(c["contact"]["id"]) for c in conversations)
    if seen != Counter(newest_here.keys()):
        names = sorted(person.name if person else "nobody" for person in seen.elements())
        problems.append(f"channel {channel.id}: conversations of {names}, not one each of {len(newest_here)}")
    for conversation in conversations:
        person = person_of_contact.get(conversation["contact"]["id"])
        if person not in newest_here:
            continue
        message = newest_here[person]
        last = conversation["last_message"] or {}
        if (
            read_at(conversation["last_inbound_at"]) != at(message.sent_at or 0)
            or last.get("text") != message.text
            or last.get("direction") != "inbound"
        ):
            problems.append(f"channel {channel.id}, {person.name}: {conversation}, newest is {message}")
    return problems


def thread_problems(
    agent: Frontend, contact: dict[str, Any], expected: Sequence[ExpectedMessage]
) -> list[str]:
    """The person's messages on every channel, each once and at its status, and nothing else."""
    thread = all_pages(agent, f"/contacts/{contact['id']}/messages")
    by_wamid = {message.wamid: message for message in expected}
    seen = Counter(item["whatsapp_message_id"] for item in thread)
    problems = [f"{wamid} listed {count} times" for wamid, count in seen.items() if count > 1]
    problems += [f"{wamid} is not in the thread" for wamid in by_wamid.keys() - seen.keys()]
    problems += [f"{wamid} is not one of theirs" for wamid in seen.keys() - by_wamid.keys()]
    for item in thread:
        message = by_wamid.get(item["whatsapp_message_id"])
        if message is None:
            continue
        error = item.get("error") or {}
        wanted = {
            "channel_id": item["channel_id"] == message.channel.id,
            "direction": item["direction"] == message.direction,
            "text": item["text"] == message.text,
            "status": item["status"] == message.status,
            "error": error.get("code") == message.error_code,
            "timestamp": message.sent_at is None or read_at(item["timestamp"]) == at(message.sent_at),
            "status_updated_at": message.status_at is None
            or read_at(item["status_updated_at"]) == at(message.status_at),
        }
        problems += [f"{message.wamid}: {name} in {item}" for name, ok in wanted.items() if not ok]
    return problems


def inbox_problems(
    agent: Frontend,
    persons: Sequence[Person],
    channels: Sequence[StormChannel],
    expected: Sequence[ExpectedMessage],
) -> list[str]:
    """What the frontend sees: contacts, each channel's conversations, and every contact's thread."""
    newest = newest_messages(expected)
    contacts, problems = contacts_by_person(agent, persons, newest)
    for channel in channels:
        problems += conversation_problems(agent, channel, contacts, newest)
    expected_of: defaultdict[Person | None, list[ExpectedMessage]] = defaultdict(list)
    for message in expected:
        expected_of[message.person].append(message)
    with ThreadPoolExecutor(CONCURRENT_AGENT_CALLS) as pool:
        threads = pool.map(
            lambda pair: thread_problems(agent, pair[1], expected_of[pair[0]]), contacts.items()
        )
        return problems + [problem for thread in threads for problem in thread]


def stored_messages(stack: LocalStackProcess, workspace_id: str) -> dict[str, dict[str, Any]]:
    """Every message item of the workspace, by key, read from the table through moto's endpoint:
    placeholders of statuses included, which no route lists."""
    dynamodb = AwsClients.connect(stack.facts.moto_url).dynamodb
    items = {}
    for page in dynamodb.get_paginator("scan").paginate(
        TableName=physical_name("Table"),
        FilterExpression="begins_with(PK, :workspace) AND SK = :message",
        ExpressionAttributeValues=to_item(
            {":workspace": f"{keys.workspace_pk(workspace_id)}#", ":message": keys.MESSAGE_SK}
        ),
    ):
        items.update({item["PK"]["S"]: from_item(item) for item in page["Items"]})
    return items


def table_problems(
    stack: LocalStackProcess, workspace_id: str, expected: Sequence[ExpectedMessage]
) -> list[str]:
    """One item per wamid and no other; a message never sent from here at its highest status too."""
    stored = stored_messages(stack, workspace_id)
    by_key = {
        keys.message_pk(workspace_id, message.channel.id, message.wamid): message for message in expected
    }
    problems = [f"no item for {by_key[key].wamid}" for key in by_key.keys() - stored.keys()]
    problems += [f"an item nobody sent: {stored[key]}" for key in stored.keys() - by_key.keys()]
    for key in by_key.keys() & stored.keys():
        message, item = by_key[key], stored[key]
        if message.direction == "inbound" and not item.get("filed"):
            problems.append(f"{message.wamid} is not filed under its contact: {item}")
        if message.person is None and (
            item.get("status") != message.status
            or (item.get("error") or {}).get("code") != message.error_code
            or read_at(item.get("status_updated_at")) != at(message.status_at or 0)
        ):
            problems.append(f"{message.wamid} should be {message.status}: {item}")
    return problems


# ---------------------------------------------------------------------------------------------------
# The storm
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Storm:
    events: list[StormEvent]
    expected: list[ExpectedMessage]
    posts: list[Post]
    together: list[Post]
    """A new customer's first two messages, one in each form of their number, each in a POST of its
    own, delivered at the same moment: both race to create the contact."""


def plan_storm(
    rng: random.Random,
    size: StormSize,
    channels: Sequence[StormChannel],
    conversations: Sequence[Conversation],
    replies: Sequence[Reply],
) -> Storm:
    """Every conversation's messages, and statuses for the agent's replies and for messages some other
    tool sent from the numbers, all newer than anything before, as fresh traffic is."""
    first_second = int(time.time()) + 1
    events: list[StormEvent] = []
    expected: list[ExpectedMessage] = []
    together: list[Post] = []
    introduced = {reply.person for reply in replies}
    for conversation in conversations:
        messages = conversation_messages(rng, conversation, first_second)
        events += messages
        expected += [
            ExpectedMessage(
                m.channel, m.wamid, m.person, "inbound", m.spec.text, m.spec.timestamp, "received"
            )
            for m in messages
        ]
        person = conversation.person
        if len(person.wa_ids) > 1 and len(messages) > 1 and person not in introduced:
            together += [new_post(rng, conversation.channel, [message]) for message in messages[:2]]
        introduced.add(person)
    for reply in replies:
        statuses = reported_statuses(rng, reply.channel, reply.wamid, reply.person.wa_ids[0], first_second)
        events += statuses
        expected.append(expected_outbound(reply.channel, reply.wamid, reply.person, reply.text, statuses))
    strangers = new_persons(rng, size.foreign_messages_per_channel * len(channels))
    for index, stranger in enumerate(strangers):
        channel = channels[index % len(channels)]
        wamid = new_wamid(channel, stranger.wa_ids[0])
        statuses = reported_statuses(rng, channel, wamid, stranger.wa_ids[0], first_second)
        events += statuses
        expected.append(expected_outbound(channel, wamid, None, None, statuses))
    posted_together = {key for post in together for key in post.events}
    posts = together + [
        post
        for channel in channels
        for post in batch_into_posts(
            rng, channel, [e for e in events if e.channel is channel and event_key(e) not in posted_together]
        )
    ]
    return Storm(events, expected, posts, together)


def test_a_redelivery_storm_leaves_every_message_once_at_its_highest_status(
    stack: LocalStackProcess, simulator: Simulator
) -> None:
    size = StormSize.from_environment()
    rng = random.Random(SEED)
    workspace_id = f"ws_storm_{secrets.token_hex(4)}"
    agent = Frontend(stack.api_url, stack.issuer.mint(workspace_id, "storm-agent"))
    channels = connect_channels(agent, simulator)
    start_webhook_environments(channels[0])
    persons = new_persons(rng, size.persons_per_channel * len(channels))
    conversations = plan_conversations(rng, persons, channels, size)
    recipients = {
        channel: rng.sample(
            [c.person for c in conversations if c.channel is channel], size.replies_per_channel
        )
        for channel in channels
    }
    opened = open_windows(simulator, recipients)
    replies = send_replies(agent, recipients)
    before = {channel: DeliveryCounters.of(agent, channel) for channel in channels}
    storm = plan_storm(rng, size, channels, conversations, replies)

    run = run_storm(delivery_order(rng, storm.posts, storm.together))

    print(
        f"\nstorm: {len(storm.events)} events ({sum(isinstance(e, StormMessage) for e in storm.events)} "
        f"messages) in {len(storm.posts)} POSTs, {sum(run.answers.values())} deliveries in {run.seconds:.0f} s "
        f"({sum(run.answers.values()) / run.seconds:.1f} POST/s), answers {dict(run.answers)}"
    )
    problems = [
        problem
        for channel in channels
        for problem in counter_problems(
            channel,
            DeliveryCounters.of(agent, channel) - before[channel],
            [event for event in storm.events if event.channel is channel],
            run.handled_copies,
        )
    ]
    expected = opened + storm.expected
    problems += inbox_problems(agent, persons, channels, expected)
    problems += table_problems(stack, workspace_id, expected)
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:SHOWN_PROBLEMS])
