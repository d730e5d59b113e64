"""The template's schedules: their expressions, the event they put on the bus, firing on time and by hand."""

import asyncio
import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any, cast

import pytest
import yaml
from moto import mock_aws
from starlette.testclient import TestClient

from infra.local.aws import AwsClients, provision_resources
from infra.local.cfn import (
    LOCAL_ACCOUNT_ID,
    CloudFormationLoader,
    IntrinsicResolver,
    PhysicalResource,
    TemplateError,
    load_template,
)
from infra.local.event_rules import RuleConsumer, create_rule_target, read_rule_subscriptions
from infra.local.gateway import create_gateway_app
from infra.local.lambda_runtime import read_functions
from infra.local.schedules import (
    BusSchedule,
    LocalScheduler,
    rate_seconds,
    read_bus_schedules,
    schedule_routes,
)
from tests.unit.local.event_sources import FakeFunction, queue_depth, run_until
from tests.unit.support import ROOT

REGION = "eu-central-1"
BUS_ARN = f"arn:aws:events:{REGION}:{LOCAL_ACCOUNT_ID}:event-bus/test-events"
TEMPLATE = """
Transform: AWS::Serverless-2016-10-31
Parameters:
  Every: {Type: String, Default: rate(5 minutes)}
Resources:
  Bus:
    Type: AWS::Events::EventBus
    Properties: {Name: test-events}
  Timer:
    Type: AWS::Scheduler::Schedule
    Properties:
      ScheduleExpression: !Ref Every
      FlexibleTimeWindow: {Mode: "OFF"}
      Target:
        Arn: !GetAtt Bus.Arn
        RoleArn: !GetAtt TimerRole.Arn
        EventBridgeParameters: {Source: test.schedule, DetailType: SyncRequested}
        Input: '{"scope": "all"}'
  TimerRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement: [{Effect: Allow, Principal: {Service: scheduler.amazonaws.com}, Action: sts:AssumeRole}]
  ListenerFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/listener/
      Handler: app.handler
      Events:
        SyncRequested:
          Type: EventBridgeRule
          Properties:
            EventBusName: !Ref Bus
            Pattern: {source: [test.schedule], detail-type: [SyncRequested]}
"""
TIMER = BusSchedule(
    logical_id="Timer",
    arn=f"arn:aws:scheduler:{REGION}:{LOCAL_ACCOUNT_ID}:schedule/default/test-Timer",
    expression="rate(5 minutes)",
    event_bus_arn=BUS_ARN,
    source="test.schedule",
    detail_type="SyncRequested",
    detail='{"scope": "all"}',
)


class RecordingBus:
    """Stands in for EventBridge: keeps what is put on it."""

    def __init__(self) -> None:
        self.entries: list[dict[str, Any]] = []

    def put_events(self, Entries: list[dict[str, Any]]) -> dict[str, Any]:
        self.entries += Entries
        return {"Entries": [{"EventId": f"event-{len(self.entries)}"}]}


def _scheduler(
    bus: RecordingBus, *schedules: BusSchedule, rate_override_seconds: float | None = None
) -> LocalScheduler:
    return LocalScheduler(list(schedules), cast(Any, bus), rate_override_seconds=rate_override_seconds)


def _template() -> dict[str, Any]:
    """A fresh copy, for a test to change."""
    return cast(dict[str, Any], yaml.load(TEMPLATE, Loader=CloudFormationLoader))  # noqa: S506 - a SafeLoader


def _read(template: dict[str, Any], **parameters: str) -> list[BusSchedule]:
    resolver = IntrinsicResolver(
        template,
        region=REGION,
        stack_name="test",
        parameter_values=parameters,
        resources={
            "Bus": PhysicalResource(ref="test-events", attributes={"Arn": BUS_ARN, "Name": "test-events"})
        },
    )
    return read_bus_schedules(template, resolver, "test")


@pytest.mark.parametrize(
    ("expression", "seconds"),
    [
        ("rate(1 minute)", 60),
        ("rate(5 minutes)", 300),
        ("rate(6 hours)", 6 * 3600),
        ("rate(2 days)", 2 * 86400),
        ("cron(0 6 * * ? *)", None),
        ("at(2030-01-01T06:00:00)", None),
    ],
)
def test_rate_expressions_give_their_period_and_cron_or_at_none(expression: str, seconds: int | None) -> None:
    assert rate_seconds(expression) == seconds


@pytest.mark.parametrize(
    "expression", ["rate(0 minutes)", "rate(5 weeks)", "rate(1.5 hours)", "every 5 minutes"]
)
def test_anything_else_is_not_a_schedule_expression(expression: str) -> None:
    with pytest.raises(TemplateError, match="is not a schedule expression"):
        rate_seconds(expression)


def test_a_schedule_targeting_a_bus_is_read_without_its_role() -> None:
    assert _read(_template()) == [TIMER]


def test_the_project_template_schedules_the_template_sync() -> None:
    template = load_template(ROOT / "template.yaml")
    bus_arn = f"arn:aws:events:{REGION}:{LOCAL_ACCOUNT_ID}:event-bus/wachannel-local-events"
    resolver = IntrinsicResolver(
        template,
        region=REGION,
        stack_name="wachannel-local",
        parameter_values={"JwtIssuer": "http://127.0.0.1:3000/local-issuer"},
        resources={"EventBus": PhysicalResource(ref="wachannel-local-events", attributes={"Arn": bus_arn})},
    )

    schedules = {s.logical_id: s for s in read_bus_schedules(template, resolver, "wachannel-local")}

    timer = schedules["TemplateSyncTimer"]
    assert (timer.expression, timer.event_bus_arn) == ("rate(6 hours)", bus_arn)
    assert (timer.source, timer.detail_type) == ("wachannel.schedule", "TemplateSyncRequested")
    assert json.loads(timer.detail) == {"scope": "all_active_channels"}


def test_disabled_schedules_and_targets_other_than_a_bus_are_not_run(
    caplog: pytest.LogCaptureFixture,
) -> None:
    disabled = _template()
    disabled["Resources"]["Timer"]["Properties"]["State"] = "DISABLED"
    to_a_queue = _template()
    to_a_queue["Resources"]["Timer"]["Properties"]["Target"] = {
        "Arn": f"arn:aws:sqs:{REGION}:{LOCAL_ACCOUNT_ID}:jobs",
        "RoleArn": "arn:aws:iam::123456789012:role/timer",
    }

    assert (_read(disabled), _read(to_a_queue)) == ([], [])
    assert (
        "Timer targets arn:aws:sqs:eu-central-1:123456789012:jobs, which the local stack does not run"
        in caplog.text
    )


def test_a_malformed_expression_or_input_stops_the_stack_early() -> None:
    bad_input = _template()
    bad_input["Resources"]["Timer"]["Properties"]["Target"]["Input"] = "scope=all"

    with pytest.raises(TemplateError, match="not a schedule expression"):
        _read(_template(), Every="rate(5 fortnights)")
    with pytest.raises(TemplateError, match="Timer: the target's Input is not JSON"):
        _read(bad_input)


def test_the_fired_event_reaches_the_subscribed_function_through_moto(tmp_path: Path) -> None:
    template = _template()
    function = FakeFunction()
    with mock_aws():
        clients = AwsClients.connect(None)
        resources = provision_resources(template, clients, parameter_values={}, stack_name="test")
        resolver = IntrinsicResolver(template, region=REGION, stack_name="test", resources=resources)
        (rule,) = read_rule_subscriptions(
            read_functions(template, tmp_path, resolver, "test"), resolver, "test"
        )
        queue_url = create_rule_target(rule, clients.sqs, clients.events)
        scheduler = LocalScheduler(
            read_bus_schedules(template, resolver, "test"), clients.events, rate_override_seconds=None
        )

        event_id = scheduler.fire("Timer")
        consumer = RuleConsumer(rule, queue_url, function.invoke, clients.sqs, poll_seconds=0.01)
        run_until(consumer.run(), lambda: queue_depth(clients, queue_url) == 0)

    (event,) = function.events
    assert (event["id"], event["source"], event["detail-type"]) == (
        event_id,
        "test.schedule",
        "SyncRequested",
    )
    assert event["detail"] == {"scope": "all"}
    assert event["resources"] == [TIMER.arn]


def test_a_rate_schedule_fires_every_period_and_the_override_replaces_the_period() -> None:
    bus = RecordingBus()
    scheduler = _scheduler(bus, TIMER, rate_override_seconds=0.02)

    run_until(scheduler.run(), lambda: len(bus.entries) >= 2)

    assert scheduler.period_seconds(TIMER) == 0.02
    assert _scheduler(bus, TIMER).period_seconds(TIMER) == 300
    assert bus.entries[0] == {
        "EventBusName": BUS_ARN,
        "Source": "test.schedule",
        "DetailType": "SyncRequested",
        "Detail": '{"scope": "all"}',
        "Resources": [TIMER.arn],
    }


def test_a_cron_schedule_fires_on_its_own_only_with_the_override() -> None:
    bus = RecordingBus()
    nightly = replace(TIMER, logical_id="Nightly", expression="cron(0 2 * * ? *)")
    scheduler = _scheduler(bus, nightly)

    asyncio.run(asyncio.wait_for(scheduler.run(), timeout=1))

    assert bus.entries == []
    assert scheduler.describe() == {
        "Nightly": "cron(0 2 * * ? *): only when run by hand (or set WACHANNEL_SCHEDULE_RATE_SECONDS)"
    }
    assert _scheduler(bus, nightly, rate_override_seconds=30).describe() == {
        "Nightly": "every 30 s (WACHANNEL_SCHEDULE_RATE_SECONDS; template cron(0 2 * * ? *))"
    }


@pytest.fixture
def gateway() -> Iterator[tuple[TestClient, RecordingBus]]:
    bus = RecordingBus()
    app = create_gateway_app(
        [], region=REGION, account_id=LOCAL_ACCOUNT_ID, local_routes=schedule_routes(_scheduler(bus, TIMER))
    )
    with TestClient(app, base_url="http://127.0.0.1:3000") as client:
        yield client, bus


def test_a_schedule_fires_now_on_the_gateway_local_route(gateway: tuple[TestClient, RecordingBus]) -> None:
    client, bus = gateway

    response = client.post("/_local/schedules/Timer/run")

    assert (response.status_code, response.json()) == (202, {"schedule": "Timer", "event_id": "event-1"})
    assert [entry["DetailType"] for entry in bus.entries] == ["SyncRequested"]


def test_an_unknown_schedule_is_404_and_names_the_known_ones(
    gateway: tuple[TestClient, RecordingBus],
) -> None:
    client, bus = gateway

    response = client.post("/_local/schedules/Nope/run")

    assert response.status_code == 404
    assert response.json() == {"message": "no schedule Nope; there are ['Timer']"}
    assert bus.entries == []
