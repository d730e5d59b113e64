from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.unit.conftest import WORKSPACE
from tests.unit.dialog360_double import NumberAt360dialog
from tests.unit.support import Api, load_function
from tests.unit.templates.conftest import listed, sync, template_sync_jobs
from tests.unit.webhook.conftest import Webhook
from wachannel import aws
from wachannel.config import ProviderSettings, load_settings
from wachannel.domain.templates import Template, TemplateKey
from wachannel.store.templates import TemplateRepository


@pytest.fixture
def webhook(channel: dict[str, Any], number: NumberAt360dialog) -> Webhook:
    assert number.webhook is not None
    return Webhook(load_function("webhook"), channel["id"], number.webhook["headers"]["X-Webhook-Token"])


def _change(field: str, value: dict[str, Any]) -> dict[str, Any]:
    """Meta's template webhooks, in the envelope 360dialog forwards (reference 2.3)."""
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {"id": "102030405060708", "time": int(time.time()), "changes": [{"field": field, "value": value}]}
        ],
    }


def _status_event(event: str, name: str, language: str, reason: str = "NONE") -> dict[str, Any]:
    return _change(
        "message_template_status_update",
        {
            "event": event,
            "message_template_id": 98765,
            "message_template_name": name,
            "message_template_language": language,
            "reason": reason,
        },
    )


def test_a_status_webhook_updates_the_template_at_once(
    api: Api, channel: dict[str, Any], number: NumberAt360dialog, webhook: Webhook
):
    number.add_template("order_update", "de", status="PENDING")
    sync(api, channel)

    assert webhook.deliver(_status_event("REJECTED", "order_update", "de", "INVALID_FORMAT")) == (
        200,
        {"received": 1},
    )
    rejected = listed(api, channel)["items"][0]
    assert (rejected["status"], rejected["rejected_reason"]) == ("REJECTED", "INVALID_FORMAT")

    webhook.deliver(_status_event("APPROVED", "order_update", "de"))
    approved = listed(api, channel)["items"][0]
    assert (approved["status"], approved["rejected_reason"]) == ("APPROVED", None)


def test_a_listing_that_lags_behind_the_webhook_does_not_undo_it(
    api: Api, channel: dict[str, Any], number: NumberAt360dialog, webhook: Webhook
):
    """360dialog still lists the template as rejected while Meta already approved it."""
    number.add_template("order_update", "de", status="REJECTED", rejected_reason="INVALID_FORMAT")
    sync(api, channel)
    webhook.deliver(_status_event("APPROVED", "order_update", "de"))

    sync(api, channel)

    assert listed(api, channel)["items"][0]["status"] == "APPROVED"


def test_a_listing_long_after_the_webhook_is_the_truth_again(
    channel: dict[str, Any], number: NumberAt360dialog, webhook: Webhook
):
    number.add_template("order_update", "de", status="PENDING")
    templates = TemplateRepository(load_settings(ProviderSettings).table_name, aws.dynamodb)
    key = TemplateKey("order_update", "de")
    event_at = datetime.now(UTC)
    templates.write(WORKSPACE, channel["id"], _pending(), now=event_at)
    templates.apply_status_event(
        WORKSPACE, channel["id"], key, status="APPROVED", rejected_reason=None, at=event_at
    )
    paused = _pending().model_copy(update={"status": "PAUSED"})

    assert not templates.write(
        WORKSPACE, channel["id"], paused, now=event_at, listed_at=event_at + timedelta(minutes=1)
    )
    assert templates.write(
        WORKSPACE, channel["id"], paused, now=event_at, listed_at=event_at + timedelta(hours=1)
    )
    stored = templates.get(WORKSPACE, channel["id"], key)
    assert stored is not None
    assert stored.template.status == "PAUSED"


def _pending() -> Template:
    return Template(
        name="order_update",
        language="de",
        category="UTILITY",
        status="PENDING",
        components=[{"type": "BODY", "text": "Hallo {{1}}", "example": {"body_text": [["Anna"]]}}],
    )


def test_quality_and_category_webhooks_update_those_fields(
    api: Api, channel: dict[str, Any], number: NumberAt360dialog, webhook: Webhook
):
    number.add_template("order_update", "de", category="MARKETING")
    sync(api, channel)

    webhook.deliver(
        _change(
            "message_template_quality_update",
            {
                "previous_quality_score": "GREEN",
                "new_quality_score": "YELLOW",
                "message_template_id": 98765,
                "message_template_name": "order_update",
                "message_template_language": "de",
            },
        )
    )
    webhook.deliver(
        _change(
            "template_category_update",
            {
                "message_template_id": 98765,
                "message_template_name": "order_update",
                "message_template_language": "de",
                "previous_category": "MARKETING",
                "new_category": "UTILITY",
            },
        )
    )

    template = listed(api, channel)["items"][0]
    assert (template["quality_score"], template["category"]) == ("YELLOW", "UTILITY")


def test_a_webhook_about_an_unknown_template_queues_a_sync_of_the_channel(
    channel: dict[str, Any], webhook: Webhook
):
    assert webhook.deliver(_status_event("APPROVED", "made_in_the_hub", "en"))[0] == 200

    assert template_sync_jobs() == [{"workspace_id": WORKSPACE, "channel_id": channel["id"]}]
