from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from tests.unit.conftest import WORKSPACE
from tests.unit.dialog360_double import NumberAt360dialog
from tests.unit.support import Api
from tests.unit.templates.conftest import channel_path, listed, sync
from wachannel import aws
from wachannel.clock import SystemClock
from wachannel.config import ProviderSettings, load_settings
from wachannel.errors import RateLimited
from wachannel.services.channel_access import ChannelAccess
from wachannel.services.providers import Dialog360Connector
from wachannel.services.templates import TemplateService
from wachannel.store.channels import ChannelRepository
from wachannel.store.contacts import ContactRepository
from wachannel.store.templates import TemplateRepository
from wachannel.vault import ApiKeyVault


def _count_writes() -> list[str]:
    """Every DynamoDB write the next calls make, by operation name."""
    writes: list[str] = []

    def record(event_name: str, **_: Any) -> None:
        operation = event_name.rsplit(".", 1)[-1]
        if operation in {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"}:
            writes.append(operation)

    aws.dynamodb().meta.events.register("before-call.dynamodb", record)
    return writes


def test_a_first_sync_creates_every_template_and_stamps_the_channel(
    api: Api, channel: dict[str, Any], number: NumberAt360dialog
):
    number.add_template("order_update", "de")
    number.add_template("order_update", "en")
    number.add_template("welcome", "en", status="PENDING")

    counts = sync(api, channel)

    assert counts["created"] == 3
    assert (counts["updated"], counts["deleted"], counts["unchanged"]) == (0, 0, 0)
    page = listed(api, channel)
    assert page["last_synced_at"] == counts["last_synced_at"]
    assert sorted((t["name"], t["language"], t["status"]) for t in page["items"]) == [
        ("order_update", "de", "APPROVED"),
        ("order_update", "en", "APPROVED"),
        ("welcome", "en", "PENDING"),
    ]
    assert all(t["last_synced_at"] == counts["last_synced_at"] for t in page["items"])


def test_a_sync_with_nothing_changed_lists_once_and_writes_no_template(
    api: Api, channel: dict[str, Any], number: NumberAt360dialog
):
    for index in range(30):
        number.add_template(f"template_{index:03d}", "en")
    sync(api, channel)
    number.template_list_requests = 0
    writes = _count_writes()

    counts = sync(api, channel)

    assert counts == {**counts, "created": 0, "updated": 0, "deleted": 0, "unchanged": 30}
    assert number.template_list_requests == 1
    # The lease and the outcome on the channel item; no template item is written.
    assert writes == ["UpdateItem", "UpdateItem"]


def test_only_changed_templates_are_written_and_vanished_ones_are_marked_deleted(
    api: Api, channel: dict[str, Any], number: NumberAt360dialog
):
    for index in range(5):
        number.add_template(f"template_{index}", "en", status="PENDING")
    sync(api, channel)
    number.add_template("template_0", "en", status="APPROVED")
    number.add_template("template_1", "en", status="REJECTED", rejected_reason="INVALID_FORMAT")
    number.templates = [t for t in number.templates if t["name"] != "template_4"]
    writes = _count_writes()

    counts = sync(api, channel)

    assert (counts["created"], counts["updated"], counts["deleted"], counts["unchanged"]) == (0, 2, 1, 2)
    assert writes.count("UpdateItem") == 2 + 1 + 2
    by_name = {t["name"]: t for t in listed(api, channel)["items"]}
    assert set(by_name) == {"template_0", "template_1", "template_2", "template_3"}
    assert by_name["template_1"]["status"] == "REJECTED"
    assert by_name["template_1"]["rejected_reason"] == "INVALID_FORMAT"
    assert by_name["template_0"]["rejected_reason"] is None
    deleted = listed(api, channel, status="deleted")["items"]
    assert [t["name"] for t in deleted] == ["template_4"]
    # Marked once: the next sync does not mark it again.
    assert sync(api, channel)["deleted"] == 0


def test_on_premise_statuses_and_legacy_categories_are_normalised(
    api: Api, on_premise_channel: dict[str, Any], on_premise_number: NumberAt360dialog
):
    on_premise_number.add_template("shipping", "en", status="approved", category="SHIPPING_UPDATE")
    on_premise_number.add_template("code", "en", status="submitted", category="OTP")

    sync(api, on_premise_channel)

    by_name = {t["name"]: t for t in listed(api, on_premise_channel)["items"]}
    assert (by_name["shipping"]["status"], by_name["shipping"]["category"]) == ("APPROVED", "UTILITY")
    assert (by_name["code"]["status"], by_name["code"]["category"]) == ("PENDING", "AUTHENTICATION")
    assert listed(api, on_premise_channel, status="approved")["items"][0]["name"] == "shipping"


def test_a_failed_sync_keeps_the_error_and_shows_it_in_health(
    api: Api, channels: Api, channel: dict[str, Any], number: NumberAt360dialog
):
    number.add_template("welcome", "en")
    first = sync(api, channel)
    number.revoked.add(number.api_key)
    number.api_key = "someone-else-rotated-it"

    status, body = api.call(
        "POST", "/channels/{channel_id}/templates/sync", path_parameters=channel_path(channel)
    )

    assert status == 502
    assert body["error"]["code"] == "provider_error"
    page = listed(api, channel)
    assert page["last_synced_at"] == first["last_synced_at"]
    assert [t["name"] for t in page["items"]] == ["welcome"]
    _, health = channels.call(
        "GET", "/channels/{channel_id}/health", path_parameters=channel_path(channel), expect=200
    )
    problem = next(p for p in health["problems"] if p["code"] == "templates_sync_failed")
    assert "Invalid api_key" in problem["message"]
    assert health["templates_sync_error"] is not None


def test_a_sync_while_another_holds_the_lease_waits_and_then_gives_up(
    templates_app, channel: dict[str, Any], number: NumberAt360dialog
):
    settings = load_settings(ProviderSettings)
    templates = TemplateRepository(settings.table_name, aws.dynamodb)
    slept: list[float] = []
    service = TemplateService(
        access=ChannelAccess(
            ChannelRepository(settings.table_name, aws.dynamodb),
            ApiKeyVault(aws.kms, settings.api_key_kms_key_id),
            Dialog360Connector(settings, aws.ssm),
        ),
        templates=templates,
        contacts=ContactRepository(settings.table_name, aws.dynamodb),
        clock=SystemClock(),
        sleep=slept.append,
    )
    assert templates.acquire_sync_lease(WORKSPACE, channel["id"], "other", now=datetime.now(UTC), seconds=60)

    with pytest.raises(RateLimited) as refused:
        service.sync(WORKSPACE, channel["id"])

    assert refused.value.headers["Retry-After"] == "60"
    assert sum(slept) >= 20
    assert number.template_list_requests == 0
    assert service.sync_scheduled(WORKSPACE, channel["id"]) is None
    assert not templates.acquire_sync_lease(
        WORKSPACE, channel["id"], "third", now=datetime.now(UTC), seconds=60
    )


def test_another_workspace_cannot_sync_or_list_the_channel(other_api: Api, channel: dict[str, Any]):
    for method, route in (
        ("POST", "/channels/{channel_id}/templates/sync"),
        ("GET", "/channels/{channel_id}/templates"),
    ):
        status, body = other_api.call(method, route, path_parameters=channel_path(channel))
        assert (status, body["error"]["code"]) == (404, "not_found")
