from __future__ import annotations

from types import ModuleType
from typing import Any

from tests.unit.conftest import WORKSPACE
from tests.unit.dialog360_double import Dialog360Double, NumberAt360dialog
from tests.unit.support import Api, LambdaContext
from tests.unit.templates.conftest import channel_path, listed, run_sync_jobs, template_sync_jobs

SCHEDULE_EVENT = {
    "version": "0",
    "id": "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa",
    "detail-type": "TemplateSyncRequested",
    "source": "wachannel.schedule",
    "account": "123456789012",
    "time": "2026-11-24T06:00:00Z",
    "region": "eu-central-1",
    "resources": [],
    "detail": {"scope": "all_active_channels"},
}


def test_the_schedule_queues_one_job_per_active_channel(
    templates_app: ModuleType, channels: Api, dialog360: Dialog360Double
):
    connected = []
    for index in range(3):
        digits = f"491511234560{index}"
        dialog360.add(digits, f"cloud-key-{index:04d}-abcdef")
        connected.append(channels.connect(f"+{digits}", f"cloud-key-{index:04d}-abcdef"))
    channels.call("DELETE", "/channels/{channel_id}", path_parameters=channel_path(connected[1]), expect=204)

    answer = templates_app.fan_out_handler(SCHEDULE_EVENT, LambdaContext())

    assert answer == {"queued": 2}
    jobs = template_sync_jobs()
    assert sorted(job["channel_id"] for job in jobs) == sorted([connected[0]["id"], connected[2]["id"]])
    assert {job["workspace_id"] for job in jobs} == {WORKSPACE}


def test_jobs_sync_each_channel_and_a_failure_affects_only_its_own(
    templates_app: ModuleType, api: Api, channels: Api, dialog360: Dialog360Double
):
    numbers: list[NumberAt360dialog] = []
    connected: list[dict[str, Any]] = []
    for index in range(3):
        digits = f"491511234570{index}"
        numbers.append(dialog360.add(digits, f"cloud-key-{index:04d}-ghijkl"))
        numbers[-1].add_template(f"welcome_{index}", "en")
        connected.append(channels.connect(f"+{digits}", f"cloud-key-{index:04d}-ghijkl"))
    numbers[1].templates_unavailable = True

    result = run_sync_jobs(
        templates_app, [{"workspace_id": WORKSPACE, "channel_id": channel["id"]} for channel in connected]
    )

    assert result == {"batchItemFailures": [{"itemIdentifier": "m-1"}]}
    assert [t["name"] for t in listed(api, connected[0])["items"]] == ["welcome_0"]
    assert [t["name"] for t in listed(api, connected[2])["items"]] == ["welcome_2"]
    assert listed(api, connected[1])["items"] == []


def test_a_job_whose_key_was_revoked_is_done_and_the_failure_is_on_the_channel(
    templates_app: ModuleType, channels: Api, channel: dict[str, Any], number: NumberAt360dialog
):
    number.api_key = "rotated-elsewhere-0000"

    result = run_sync_jobs(templates_app, [{"workspace_id": WORKSPACE, "channel_id": channel["id"]}])

    assert result == {"batchItemFailures": []}
    _, health = channels.call(
        "GET", "/channels/{channel_id}/health", path_parameters=channel_path(channel), expect=200
    )
    assert "templates_sync_failed" in [problem["code"] for problem in health["problems"]]


def test_a_job_for_a_channel_disconnected_since_it_was_queued_does_nothing(
    templates_app: ModuleType, channels: Api, channel: dict[str, Any], number: NumberAt360dialog
):
    channels.call("DELETE", "/channels/{channel_id}", path_parameters=channel_path(channel), expect=204)

    result = run_sync_jobs(
        templates_app,
        [
            {"workspace_id": WORKSPACE, "channel_id": channel["id"]},
            {"workspace_id": WORKSPACE, "channel_id": "ch_never_existed"},
        ],
    )

    assert result == {"batchItemFailures": []}
    assert number.template_list_requests == 0
