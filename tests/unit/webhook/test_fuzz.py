"""The webhook under fuzzing: any body 360dialog could send, of either API generation, valid or
broken anywhere, goes through the real handler under moto. Properties: a well-formed JSON body is
never answered with a server error; anything the parser reads is stored, an unknown shape as
`unsupported` with its raw object; every valid event beside broken siblings is stored exactly as
it would be alone; no secret reaches a log line."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tests.unit.webhook.aws_faults import dynamodb_key_limits
from tests.unit.webhook.conftest import KEY, WORKSPACE, Webhook, stored_item
from tests.unit.webhook.payload_strategies import (
    MixedDelivery,
    ValidMessage,
    mixed_deliveries,
    mutated_fixture,
)
from wachannel import aws
from wachannel.domain.delivery_status import STATUS_RANK
from wachannel.domain.phone import identity_key
from wachannel.domain.webhook_parsing import MAX_KEPT_NESTING, NESTED_TOO_DEEP, parse_webhook
from wachannel.http import MAX_JSON_BODY_BYTES
from wachannel.store import keys
from wachannel.store.inbound import RAW_KEPT_CHARACTERS

# Bounded for CI: the moto table and the channel outlive the examples (each example names its events
# with a number of its own), and the whole file stays well under a minute on a busy 2-core machine.
FUZZ = settings(
    max_examples=20,
    deadline=None,
    derandomize=True,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)
_examples = itertools.count(1)


@pytest.fixture(autouse=True)
def _key_limits() -> Iterator[None]:
    """Keys as long as DynamoDB refuses them are refused here too, where moto would let them by."""
    with dynamodb_key_limits(aws.dynamodb()):
        yield


def nesting(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max(map(nesting, value.values()), default=0)
    if isinstance(value, list):
        return 1 + max(map(nesting, value), default=0)
    return 0


# Limits of DynamoDB's that moto leaves unchecked on some writes (nesting always, index keys on updates).
DYNAMODB_MAX_NESTING = 32
KEY_LIMITS = {"PK": 2048, "GSI1PK": 2048, "GSI2PK": 2048, "SK": 1024, "GSI1SK": 1024, "GSI2SK": 1024}


def stored_message(channel_id: str, wamid: str) -> dict[str, Any] | None:
    item = stored_item(keys.message_pk(WORKSPACE, channel_id, wamid), keys.MESSAGE_SK)
    if item is not None:
        assert nesting(item) <= DYNAMODB_MAX_NESTING
        for name, limit in KEY_LIMITS.items():
            assert len(item.get(name, "").encode()) <= limit, name
    return item


def assert_no_secret_logged(capfd: pytest.CaptureFixture[str], webhook: Webhook) -> None:
    out, err = capfd.readouterr()
    for secret in (webhook.token, KEY):
        assert secret not in out
        assert secret not in err
    assert "Unhandled error" not in out + err


def assert_raw_kept(item: dict[str, Any], original: dict[str, Any]) -> None:
    """The message as it came, as far as storage keeps it: its first 32,000 characters, 16 levels."""
    assert item["type"] == "unsupported"
    raw: str = item["raw"]
    text = json.dumps(original, ensure_ascii=False)
    if nesting(original) > MAX_KEPT_NESTING:
        assert NESTED_TOO_DEEP in raw
    elif len(text) <= RAW_KEPT_CHARACTERS:
        assert json.loads(raw) == original
    else:
        assert raw == text[:RAW_KEPT_CHARACTERS]


@FUZZ
@given(data=st.data())
def test_any_body_broken_anywhere_is_answered_and_what_it_holds_is_stored(
    webhook: Webhook, capfd: pytest.CaptureFixture[str], data: st.DataObject
) -> None:
    prefix = f"wamid.any{next(_examples)}"
    body = data.draw(mutated_fixture(prefix))
    raw = json.dumps(body)

    status, answer = webhook.deliver(raw)

    if len(raw) > MAX_JSON_BODY_BYTES:
        assert (status, answer["error"]["code"]) == (413, "payload_too_large")
        return
    delivery = parse_webhook(json.loads(raw))
    assert (status, answer) == (200, {"received": delivery.event_count})
    # Only this example's ids: a mutated id may name a message an earlier example stored.
    for message in delivery.messages:
        if message.wamid.startswith(prefix):
            item = stored_message(webhook.channel_id, message.wamid)
            assert item is not None
            assert item["type"] == message.type
            if message.type == "unsupported":
                assert message.raw is not None
                assert_raw_kept(item, message.raw)
    for update in delivery.statuses:
        if update.wamid.startswith(prefix):
            assert stored_message(webhook.channel_id, update.wamid) is not None
    assert_no_secret_logged(capfd, webhook)


def contact_of(message: ValidMessage) -> str:
    identity = (
        f"P#{identity_key(message.who.wa_id)}" if "from" in message.original else f"U#{message.who.user_id}"
    )
    claimed = stored_item(keys.identity_pk(WORKSPACE, identity), keys.IDENTITY_SK)
    assert claimed is not None
    contact_id: str = claimed["contact_id"]
    assert stored_item(keys.contact_pk(WORKSPACE, contact_id), keys.CONTACT_SK) is not None
    return contact_id


def assert_valid_events_stored(webhook: Webhook, mixed: MixedDelivery) -> None:
    for valid in mixed.valid_messages:
        item = stored_message(webhook.channel_id, valid.original["id"])
        assert item is not None, valid.original
        assert item["type"] == valid.stored_type
        assert item["filed"] is True
        assert item["contact_id"] == contact_of(valid)
        if valid.stored_type == "text":
            assert item["text"] == valid.original["text"]["body"]
        if valid.stored_type == "unsupported":
            assert_raw_kept(item, valid.original)
    for outbound in mixed.valid_statuses:
        item = stored_message(webhook.channel_id, outbound.wamid)
        assert item is not None
        ranked = [s["status"] for s in outbound.statuses if s["status"] in STATUS_RANK]
        if ranked:
            assert item["status"] == max(ranked, key=STATUS_RANK.__getitem__)
        others = {s["status"] for s in outbound.statuses} - set(ranked)
        assert others <= {seen["status"] for seen in item.get("other_statuses", [])}
    for original in mixed.unknown_messages:
        item = stored_message(webhook.channel_id, original["id"])
        assert item is not None
        assert item["filed"] is True
        assert_raw_kept(item, original)


@FUZZ
@given(data=st.data())
def test_every_valid_event_is_stored_whatever_its_siblings_hold(
    webhook: Webhook, capfd: pytest.CaptureFixture[str], data: st.DataObject
) -> None:
    mixed = data.draw(mixed_deliveries(next(_examples)))
    raw = json.dumps(mixed.body)
    assume(len(raw) <= MAX_JSON_BODY_BYTES)

    status, answer = webhook.deliver(raw)

    assert (status, answer) == (200, {"received": parse_webhook(json.loads(raw)).event_count})
    assert_valid_events_stored(webhook, mixed)
    assert_no_secret_logged(capfd, webhook)
