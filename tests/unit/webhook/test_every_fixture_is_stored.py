"""Every fixture payload, as 360dialog sends it, goes through the webhook into the table."""

from __future__ import annotations

import pytest

from tests.unit.inbound.support import FIXTURE_NAMES, load_fixture
from tests.unit.webhook.conftest import Webhook, items_of, table_items
from wachannel.domain.webhook_parsing import parse_webhook


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_the_delivery_is_answered_and_everything_in_it_stored(webhook: Webhook, name: str):
    payload = load_fixture(name)
    delivery = parse_webhook(payload)

    status, body = webhook.deliver(payload)

    assert (status, body) == (200, {"received": delivery.event_count})
    stored = {item["whatsapp_message_id"]: item for item in items_of("message")}
    for message in delivery.messages:
        item = stored[message.wamid]
        assert item["type"] == message.type
        assert item["filed"] is True, "every message with a sender is filed under a contact"
        if message.type == "unsupported":
            assert item["raw"]
        if message.media is not None:
            assert item["media"]["status"] == "pending"
    status_items = {i["PK"].rsplit("#M#", 1)[1]: i for i in table_items() if "#M#" in i["PK"]}
    for update in delivery.statuses:
        assert update.wamid in status_items


def test_a_delivery_stored_twice_changes_nothing_the_second_time(webhook: Webhook):
    payload = load_fixture("cloud/several_entries_changes_messages_statuses")
    webhook.deliver(payload)
    first = table_items()

    webhook.deliver(payload)

    def without_counters(items: list[dict]) -> list[dict]:
        return sorted(
            (
                {
                    k: v
                    for k, v in item.items()
                    if k not in ("updated_at", "last_webhook_at", "duplicates_dropped")
                }
                for item in items
                if item["SK"] != "STATS"
            ),
            key=lambda item: (item["PK"], item["SK"]),
        )

    assert without_counters(table_items()) == without_counters(first)
