"""Hypothesis strategies for 360dialog webhook bodies of both API generations.

Valid events are the fixture payloads' own messages and statuses (every type, both generations),
given ids, senders and times of their own. Broken ones are mutations of them: keys dropped at any
depth, wrong types at any leaf, nulls, huge strings and arrays, unknown message types, deep nesting
and extra keys. A `MixedDelivery` puts valid events and broken siblings side by side in one body,
remembering which is which."""

from __future__ import annotations

import copy
import itertools
from dataclasses import dataclass, field
from typing import Any, Literal

from hypothesis import strategies as st

from tests.unit.inbound.support import FIXTURE_NAMES, load_fixture
from wachannel.domain.webhook_parsing import CLOUD_OBJECT, READABLE_MESSAGE_TYPES, parse_webhook

Json = Any
Path = tuple[str | int, ...]
Generation = Literal["cloud", "on_premise"]
GENERATIONS: tuple[Generation, ...] = ("cloud", "on_premise")

T0 = 1795000000
# WhatsApp's own name for what it cannot show, and the parser's for what it does not know.
KNOWN_MESSAGE_TYPES = READABLE_MESSAGE_TYPES | {"unsupported", "unknown"}


@dataclass(frozen=True)
class MessageSample:
    """A message of a fixture with the contact entry of its sender, and what it is stored as."""

    fixture: str
    message: dict[str, Any]
    contact: dict[str, Any] | None
    stored_type: str


@dataclass(frozen=True)
class StatusSample:
    fixture: str
    status: dict[str, Any]


def _messages_values(body: dict[str, Any]) -> list[dict[str, Any]]:
    """The objects that hold contacts, messages and statuses: Cloud's messages changes, or the
    whole On-Premise body."""
    if body.get("object") != CLOUD_OBJECT:
        return [body]
    return [
        change["value"]
        for entry in body["entry"]
        for change in entry["changes"]
        if change["field"] == "messages"
    ]


def _sender_contact(value: dict[str, Any], message: dict[str, Any]) -> dict[str, Any] | None:
    for contact in value.get("contacts", []):
        ids = {contact.get("wa_id"), contact.get("user_id")} - {None}
        if ids & {message.get("from"), message.get("from_user_id")}:
            return dict(contact)
    return None


def _samples() -> tuple[dict[Generation, list[MessageSample]], dict[Generation, list[StatusSample]]]:
    messages: dict[Generation, list[MessageSample]] = {generation: [] for generation in GENERATIONS}
    statuses: dict[Generation, list[StatusSample]] = {generation: [] for generation in GENERATIONS}
    for name in FIXTURE_NAMES:
        generation: Generation = "cloud" if name.startswith("cloud/") else "on_premise"
        body = load_fixture(name)
        # The fixture suite pins what each fixture parses to, field by field; it is the oracle here.
        stored_types = {message.wamid: message.type for message in parse_webhook(body).messages}
        for value in _messages_values(body):
            for message in value.get("messages", []):
                contact = _sender_contact(value, message)
                messages[generation].append(
                    MessageSample(name, message, contact, stored_types[message["id"]])
                )
            statuses[generation] += [StatusSample(name, status) for status in value.get("statuses", [])]
    return messages, statuses


MESSAGE_SAMPLES, STATUS_SAMPLES = _samples()


@dataclass(frozen=True)
class Sender:
    """A customer as one example sees them: a number of their own, or a business-scoped id."""

    wa_id: str
    user_id: str
    new_wa_id: str  # where a `system` message says they moved


def sender(example: int, index: int) -> Sender:
    digits = f"{example % 100_000:05d}{index:03d}"
    return Sender(wa_id=f"49151{digits}", user_id=f"DE.77{digits}", new_wa_id=f"49160{digits}")


def personalised_message(
    sample: MessageSample, *, wamid: str, who: Sender, timestamp: int
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The sample's message and sender contact, as if `who` had sent it at `timestamp`."""
    message = copy.deepcopy(sample.message)
    contact = copy.deepcopy(sample.contact)
    message["id"] = wamid
    message["timestamp"] = str(timestamp)
    if "from" in message:
        message["from"] = who.wa_id
    if "from_user_id" in message:
        message["from_user_id"] = who.user_id
    if contact is not None:
        if "wa_id" in contact:
            contact["wa_id"] = who.wa_id
        if "user_id" in contact:
            contact["user_id"] = who.user_id
    system = message.get("system")
    if isinstance(system, dict):
        for key in ("wa_id", "new_wa_id"):
            if key in system:
                system[key] = who.new_wa_id
    return message, contact


def personalised_status(sample: StatusSample, *, wamid: str, timestamp: int) -> dict[str, Any]:
    status = copy.deepcopy(sample.status)
    status["id"] = wamid
    status["timestamp"] = str(timestamp)
    return status


def personalised_body(body: dict[str, Any], prefix: str) -> dict[str, Any]:
    """A whole fixture with message and status ids of this example (a status keeps sharing its id
    with the other statuses of its message)."""
    body = copy.deepcopy(body)
    ids: dict[str, str] = {}
    counter = itertools.count()
    for value in _messages_values(body):
        for event in (*value.get("messages", []), *value.get("statuses", [])):
            event["id"] = ids.setdefault(event["id"], f"{prefix}.{next(counter)}")
    return body


# ------------------------------------------------------------------ JSON values, wrong and odd

JSON_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**64), max_value=2**64),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
)
# What a leaf may be replaced by: any other type, and numbers and strings no field expects.
WRONG_LEAVES = st.one_of(
    JSON_SCALARS,
    st.integers(min_value=10**38, max_value=10**300),
    st.sampled_from([1e300, -1e-300, 5e-324, 1.7976931348623157e308, -0.0]),
    st.sampled_from(["", " ", "\x00", "null", "1717171717", "wamid.", "\u202e", "🙂" * 3]),
    st.just([]),
    st.just({}),
)
json_values: st.SearchStrategy[Json] = st.recursive(
    JSON_SCALARS,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=10,
)
# Big but under the webhook's 64 KB body limit even with JSON's \u escapes, so the handler reads them.
huge_strings = st.builds(
    lambda unit, count: unit * count,
    st.sampled_from(["x", "é", "€", "🙂", "a b ", "\\", '"']),
    st.integers(min_value=1_000, max_value=4_000),
)
huge_arrays = st.builds(lambda item, count: [item] * count, JSON_SCALARS, st.integers(200, 3_000))


def nested(depth: int, leaf: Json) -> Json:
    """`leaf` inside `depth` alternating objects and arrays."""
    value = leaf
    for level in range(depth):
        value = {"n": value} if level % 2 else [value]
    return value


# Deeper than DynamoDB's 32 levels; shallow enough for the test's own deepcopy and json to copy.
deeply_nested = st.builds(nested, st.integers(min_value=33, max_value=300), JSON_SCALARS)
extreme_numbers = st.one_of(
    st.integers(min_value=10**38, max_value=10**300),
    st.integers(min_value=-(10**300), max_value=-(10**38)),
    st.sampled_from([1e300, -1e300, 1e-200, 5e-324, 1.7976931348623157e308]),
)
odd_leaves = st.one_of(extreme_numbers, huge_strings, deeply_nested, WRONG_LEAVES)
odd_objects = st.dictionaries(
    st.text(max_size=6), odd_leaves | st.lists(odd_leaves, max_size=2), min_size=1, max_size=3
)
# Fields the parser reads, or keeps as they came, each with odd values of the shape it expects
# (odd content in the right place goes deepest): where the harm would be.
_odd_object_lists = st.lists(odd_objects, min_size=1, max_size=2)
ODD_FIELD_VALUES: dict[str, st.SearchStrategy[Json]] = {
    "id": odd_leaves,
    "from": odd_leaves,
    "from_user_id": odd_leaves,
    "user_id": odd_leaves,
    "timestamp": odd_leaves,
    "profile": odd_objects,
    "context": odd_objects,
    "referral": odd_objects,
    "errors": _odd_object_lists,
    "conversation": odd_objects,
    "pricing": odd_objects,
    "product_items": _odd_object_lists,
    "system": odd_objects,
    "message_template_name": odd_leaves,
    "message_template_language": odd_leaves,
    "reason": odd_leaves,
}


# Parts an event keeps as they came whatever they hold: odd ones there leave the event valid.
KEPT_MESSAGE_PARTS = ("context", "referral", "errors")
KEPT_STATUS_PARTS = ("conversation", "pricing", "errors")


@st.composite
def odd_fields(
    draw: st.DrawFn, event: dict[str, Any], fields: tuple[str, ...] = tuple(ODD_FIELD_VALUES)
) -> dict[str, Any]:
    """`event` with one to three of `fields` set to values no sender writes."""
    event = copy.deepcopy(event)
    for name in draw(st.lists(st.sampled_from(fields), min_size=1, max_size=3, unique=True)):
        event[name] = draw(ODD_FIELD_VALUES[name])
    return event


def maybe_odd_kept_parts(event: dict[str, Any], parts: tuple[str, ...]) -> st.SearchStrategy[dict[str, Any]]:
    """The event as it is, or with odd values in parts it keeps as they came."""
    return st.just(event) | odd_fields(event, parts)


unknown_types = st.text(min_size=1, max_size=20).filter(lambda text: text not in KNOWN_MESSAGE_TYPES)


# ------------------------------------------------------------------ mutations at any depth


def _paths(value: Json, path: Path = ()) -> list[Path]:
    found = [path]
    if isinstance(value, dict):
        for key, child in value.items():
            found += _paths(child, (*path, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += _paths(child, (*path, index))
    return found


def _parent(value: Json, path: Path) -> Any:
    for step in path[:-1]:
        value = value[step]
    return value


def _replace(value: Json, path: Path, new: Json) -> Json:
    if not path:
        return new
    _parent(value, path)[path[-1]] = new
    return value


MutationKind = Literal["drop", "retype", "null", "extra_key", "odd_field", "huge", "deep", "unknown_type"]
MUTATION_KINDS: tuple[MutationKind, ...] = (
    "drop",
    "retype",
    "null",
    "extra_key",
    "odd_field",
    "huge",
    "deep",
    "unknown_type",
)


@st.composite
def mutated(draw: st.DrawFn, value: Json, max_mutations: int = 3) -> Json:
    """`value` broken in one to `max_mutations` places, anywhere in it (never the root's type)."""
    value = copy.deepcopy(value)
    for _ in range(draw(st.integers(1, max_mutations))):
        kind = draw(st.sampled_from(MUTATION_KINDS))
        inner = [path for path in _paths(value) if path]
        if kind == "unknown_type":
            typed = [path for path in _paths(value) if isinstance(_at(value, path), dict)]
            typed = [path for path in typed if "type" in _at(value, path)]
            if typed:
                value = _replace(value, (*draw(st.sampled_from(typed)), "type"), draw(unknown_types))
                continue
            kind = "retype"
        if kind in ("extra_key", "odd_field"):
            objects = [path for path in _paths(value) if isinstance(_at(value, path), dict)]
            target = _at(value, draw(st.sampled_from(objects))) if objects else None
            if isinstance(target, dict) and kind == "extra_key":
                target[draw(st.text(min_size=1, max_size=10))] = draw(json_values)
            elif isinstance(target, dict):
                name = draw(st.sampled_from(sorted(ODD_FIELD_VALUES)))
                target[name] = draw(ODD_FIELD_VALUES[name])
            continue
        if not inner:
            continue
        path = draw(st.sampled_from(inner))
        if kind == "drop":
            del _parent(value, path)[path[-1]]
        elif kind == "null":
            value = _replace(value, path, None)
        elif kind == "retype":
            value = _replace(value, path, draw(WRONG_LEAVES))
        elif kind == "huge":
            value = _replace(value, path, draw(huge_strings | huge_arrays))
        else:
            value = _replace(value, path, draw(deeply_nested))
    return value


def _at(value: Json, path: Path) -> Json:
    for step in path:
        value = value[step]
    return value


# ------------------------------------------------------------------ whole deliveries


def cloud_body(values: list[dict[str, Any]], *, one_entry: bool) -> dict[str, Any]:
    changes = [{"value": value, "field": "messages"} for value in values]
    waba = "102030405060708"
    entries = (
        [{"id": waba, "changes": changes}] if one_entry else [{"id": waba, "changes": [c]} for c in changes]
    )
    return {"object": CLOUD_OBJECT, "entry": entries}


def messages_value(
    generation: Generation,
    contacts: list[Json],
    messages: list[Json],
    statuses: list[Json],
) -> dict[str, Any]:
    value: dict[str, Any] = {}
    if generation == "cloud":
        value["messaging_product"] = "whatsapp"
        value["metadata"] = {"display_phone_number": "4915112345678", "phone_number_id": "111222333444555"}
    if contacts:
        value["contacts"] = contacts
    if messages:
        value["messages"] = messages
    if statuses:
        value["statuses"] = statuses
    return value


@st.composite
def mutated_fixture(draw: st.DrawFn, prefix: str) -> dict[str, Any]:
    """Any fixture with this example's ids, broken anywhere, the envelope included."""
    name = draw(st.sampled_from(FIXTURE_NAMES))
    body = personalised_body(load_fixture(name), prefix)
    events: list[dict[str, Any]] = [
        event
        for value in _messages_values(body)
        for key in ("messages", "statuses")
        for event in value.get(key, [])
    ]
    odd_event = draw(st.booleans())
    if events and odd_event:
        event = draw(st.sampled_from(events))
        event.update(draw(odd_fields(event)))
    broken: dict[str, Any] = draw(mutated(body, max_mutations=3))
    return broken


@dataclass(frozen=True)
class ValidMessage:
    original: dict[str, Any]
    who: Sender
    stored_type: str


@dataclass(frozen=True)
class ValidStatuses:
    """Statuses of one outbound message, each one as 360dialog sends it."""

    wamid: str
    statuses: tuple[dict[str, Any], ...]


@dataclass(frozen=True)
class MixedDelivery:
    generation: Generation
    body: dict[str, Any]
    valid_messages: tuple[ValidMessage, ...]
    valid_statuses: tuple[ValidStatuses, ...]
    unknown_messages: tuple[dict[str, Any], ...]  # readable headers, types nobody knows


def _placed(draw: st.DrawFn, items: list[Json], extra: list[Json]) -> list[Json]:
    """`items` in their order, with `extra` inserted at drawn places."""
    placed = list(items)
    for item in extra:
        placed.insert(draw(st.integers(0, len(placed))), item)
    return placed


@dataclass
class _Siblings:
    """Broken parts of a delivery, by where they go."""

    messages: list[Json] = field(default_factory=list)
    statuses: list[Json] = field(default_factory=list)
    contacts: list[Json] = field(default_factory=list)
    changes: list[Json] = field(default_factory=list)
    entries: list[Json] = field(default_factory=list)


@st.composite
def _broken_siblings(
    draw: st.DrawFn, generation: Generation, prefix: str, senders: list[Sender], contacts: list[Json]
) -> _Siblings:
    siblings = _Siblings()
    for index in range(draw(st.integers(1, 3))):
        where = draw(st.sampled_from(["message", "status", "contact", "junk", "change", "entry"]))
        # Half of the broken events keep their own fields but carry odd values in the ones read.
        breaking = odd_fields if draw(st.booleans()) else mutated
        if where == "message":
            message_sample = draw(st.sampled_from(MESSAGE_SAMPLES[generation]))
            who = draw(st.sampled_from(senders))
            message, _ = personalised_message(
                message_sample, wamid=f"{prefix}.b{index}", who=who, timestamp=T0 + 30
            )
            siblings.messages.append(draw(breaking(message)))
        elif where == "status" and STATUS_SAMPLES[generation]:
            status_sample = draw(st.sampled_from(STATUS_SAMPLES[generation]))
            status = personalised_status(status_sample, wamid=f"{prefix}.bs{index}", timestamp=T0 + 30)
            siblings.statuses.append(draw(breaking(status)))
        elif where == "contact" and contacts:
            siblings.contacts.append(draw(mutated(draw(st.sampled_from(contacts)))))
        elif where in ("change", "entry") and generation == "cloud":
            change = {"value": messages_value(generation, [], [draw(json_values)], []), "field": "messages"}
            if where == "change":
                siblings.changes.append(draw(mutated(change)))
            else:
                siblings.entries.append(draw(mutated({"id": "102030405060708", "changes": [change]})))
        else:
            target = draw(st.sampled_from([siblings.messages, siblings.statuses, siblings.contacts]))
            target.append(draw(json_values | huge_strings | deeply_nested))
    return siblings


@st.composite
def _unknown_messages(draw: st.DrawFn, prefix: str, senders: list[Sender]) -> list[dict[str, Any]]:
    """Messages with readable headers and a type nobody knows, holding anything."""
    unknown = []
    for index in range(draw(st.integers(0, 2))):
        kind = draw(unknown_types)
        message = {
            "from": draw(st.sampled_from(senders)).wa_id,
            "id": f"{prefix}.u{index}",
            "timestamp": str(T0 + 7 + index),
            "type": kind,
        }
        message |= draw(st.dictionaries(st.sampled_from([kind, "errors", "extra"]), json_values, max_size=2))
        unknown.append(message)
    return unknown


@st.composite
def _valid_statuses(draw: st.DrawFn, generation: Generation, prefix: str) -> list[ValidStatuses]:
    valid = []
    for outbound in range(draw(st.integers(0, 2))):
        wamid = f"{prefix}.out{outbound}"
        chosen = draw(st.lists(st.sampled_from(STATUS_SAMPLES[generation]), min_size=1, max_size=3))
        sent = [
            personalised_status(sample, wamid=wamid, timestamp=T0 + 600 + index)
            for index, sample in enumerate(chosen)
        ]
        valid.append(
            ValidStatuses(wamid, tuple(draw(maybe_odd_kept_parts(s, KEPT_STATUS_PARTS)) for s in sent))
        )
    return valid


@st.composite
def mixed_deliveries(draw: st.DrawFn, example: int) -> MixedDelivery:
    """Valid messages and statuses of one generation with broken siblings beside them: mutated
    messages, statuses and contacts, values that are not objects at all, unknown message types and,
    on Cloud, broken changes and entries."""
    generation = draw(st.sampled_from(GENERATIONS))
    prefix = f"wamid.fuzz{example}"
    senders = [sender(example, index) for index in range(draw(st.integers(1, 2)))]
    valid_messages: list[ValidMessage] = []
    contacts: dict[str, Json] = {}
    samples = draw(st.lists(st.sampled_from(MESSAGE_SAMPLES[generation]), min_size=1, max_size=3))
    for index, sample in enumerate(samples):
        who = draw(st.sampled_from(senders))
        message, contact = personalised_message(
            sample, wamid=f"{prefix}.v{index}", who=who, timestamp=T0 + 60 * index
        )
        valid_messages.append(
            ValidMessage(draw(maybe_odd_kept_parts(message, KEPT_MESSAGE_PARTS)), who, sample.stored_type)
        )
        if contact is not None:
            contacts.setdefault(who.wa_id if "wa_id" in contact else who.user_id, contact)
    valid_statuses = draw(_valid_statuses(generation, prefix))
    unknown = draw(_unknown_messages(prefix, senders))
    broken = draw(_broken_siblings(generation, prefix, senders, list(contacts.values())))

    contacts_list = _placed(draw, list(contacts.values()), broken.contacts)
    messages = _placed(draw, [valid.original for valid in valid_messages], [*unknown, *broken.messages])
    statuses = _placed(draw, [s for valid in valid_statuses for s in valid.statuses], broken.statuses)
    if generation == "on_premise":
        body = messages_value(generation, contacts_list, messages, statuses)
    else:
        # The events are cut into changes at drawn places; every change names the contacts.
        events = [("message", m) for m in messages] + [("status", s) for s in statuses]
        cuts = sorted(draw(st.lists(st.integers(0, len(events)), max_size=2)))
        values = [
            messages_value(
                generation,
                contacts_list,
                [event for kind, event in events[start:end] if kind == "message"],
                [event for kind, event in events[start:end] if kind == "status"],
            )
            for start, end in zip([0, *cuts], [*cuts, len(events)], strict=True)
        ]
        body = cloud_body(values, one_entry=draw(st.booleans()))
        changes = body["entry"][0]["changes"]
        for change in broken.changes:
            changes.insert(draw(st.integers(0, len(changes))), change)
        body["entry"] = _placed(draw, body["entry"], broken.entries)
    return MixedDelivery(generation, body, tuple(valid_messages), tuple(valid_statuses), tuple(unknown))
