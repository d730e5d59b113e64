"""Events on a bus delivered to the functions whose EventBridgeRule matches, on moto's in-process mock."""

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from moto import mock_aws

from infra.local.aws import AwsClients, provision_resources
from infra.local.cfn import (
    LOCAL_ACCOUNT_ID,
    IntrinsicResolver,
    PhysicalResource,
    TemplateError,
    load_template,
)
from infra.local.event_rules import (
    RuleConsumer,
    RuleSubscription,
    create_rule_target,
    read_rule_subscriptions,
)
from infra.local.lambda_runtime import read_functions
from tests.unit.local.event_sources import FakeFunction, fail, queue_depth, run_until
from tests.unit.support import ROOT

REGION = "eu-central-1"
BUS = "test-events"
TEMPLATE = """
Transform: AWS::Serverless-2016-10-31
Resources:
  Bus:
    Type: AWS::Events::EventBus
    Properties: {Name: test-events}
  ListenerFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/listener/
      Handler: app.handler
      EventInvokeConfig: {MaximumRetryAttempts: 1}
      Events:
        SyncRequested:
          Type: EventBridgeRule
          Properties:
            EventBusName: !Ref Bus
            Pattern:
              source: [test.schedule]
              detail-type: [SyncRequested]
            RetryPolicy: {MaximumRetryAttempts: 5}
        Switched:
          Type: EventBridgeRule
          Properties: {Pattern: {source: [test.other]}, State: DISABLED}
"""


@dataclass
class Rule:
    clients: AwsClients
    subscription: RuleSubscription
    queue_url: str

    def put(self, source: str = "test.schedule", detail_type: str = "SyncRequested", **detail: Any) -> str:
        answer = self.clients.events.put_events(
            Entries=[
                {
                    "EventBusName": BUS,
                    "Source": source,
                    "DetailType": detail_type,
                    "Detail": json.dumps(detail),
                    "Resources": ["arn:aws:scheduler:eu-central-1:123456789012:schedule/default/test"],
                }
            ]
        )
        return answer["Entries"][0]["EventId"]

    def consumer(self, function: FakeFunction) -> RuleConsumer:
        """A consumer that polls every 10 ms and retries at once."""
        return RuleConsumer(
            self.subscription,
            self.queue_url,
            function.invoke,
            self.clients.sqs,
            poll_seconds=0.01,
            retry_delay_seconds=0,
        )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "template.yaml").write_text(TEMPLATE)
    return tmp_path


def _subscriptions(project: Path, clients: AwsClients | None = None) -> list[RuleSubscription]:
    template = load_template(project / "template.yaml")
    resources = (
        provision_resources(template, clients, parameter_values={}, stack_name="test") if clients else {}
    )
    resolver = IntrinsicResolver(template, region=REGION, stack_name="test", resources=resources)
    return read_rule_subscriptions(read_functions(template, project, resolver, "test"), resolver, "test")


@pytest.fixture
def clients() -> Iterator[AwsClients]:
    with mock_aws():
        yield AwsClients.connect(None)


@pytest.fixture
def rule(project: Path, clients: AwsClients) -> Rule:
    (subscription,) = _subscriptions(project, clients)
    return Rule(clients, subscription, create_rule_target(subscription, clients.sqs, clients.events))


def test_an_eventbridge_rule_event_becomes_the_rule_sam_would_create(rule: Rule) -> None:
    subscription = rule.subscription

    assert subscription.function.logical_id == "ListenerFunction"
    assert (subscription.rule_name, subscription.event_bus_name) == (
        "test-ListenerFunctionSyncRequested",
        BUS,
    )
    assert subscription.pattern == {"source": ["test.schedule"], "detail-type": ["SyncRequested"]}
    (on_the_bus,) = rule.clients.events.list_rules(EventBusName=BUS)["Rules"]
    assert on_the_bus["Name"] == subscription.rule_name
    assert json.loads(on_the_bus["EventPattern"]) == subscription.pattern


def test_failures_are_retried_as_lambda_retries_an_asynchronous_invocation(rule: Rule) -> None:
    """EventInvokeConfig decides, not the rule's RetryPolicy: EventBridge's part ends when Lambda
    accepts the event."""
    assert rule.subscription.max_retries == 1


def test_the_project_template_subscribes_the_fan_out_to_the_schedule_event() -> None:
    template = load_template(ROOT / "template.yaml")
    resolver = IntrinsicResolver(
        template,
        region=REGION,
        stack_name="wachannel-local",
        parameter_values={"JwtIssuer": "http://127.0.0.1:3000/local-issuer"},
        resources={
            "EventBus": PhysicalResource(
                ref="wachannel-local-events",
                attributes={
                    "Arn": f"arn:aws:events:{REGION}:{LOCAL_ACCOUNT_ID}:event-bus/wachannel-local-events"
                },
            )
        },
    )
    functions = read_functions(template, ROOT, resolver, "wachannel-local")

    subscriptions = {
        s.function.logical_id: s for s in read_rule_subscriptions(functions, resolver, "wachannel-local")
    }

    fan_out = subscriptions["TemplateSyncFanOutFunction"]
    assert fan_out.event_bus_name == "wachannel-local-events"
    assert fan_out.pattern == {"source": ["wachannel.schedule"], "detail-type": ["TemplateSyncRequested"]}
    assert fan_out.max_retries == 2


def test_transforming_the_input_is_refused_rather_than_ignored(project: Path) -> None:
    (project / "template.yaml").write_text(
        TEMPLATE.replace("RetryPolicy:", 'Input: "{}"\n            RetryPolicy:')
    )

    with pytest.raises(
        TemplateError, match=r"ListenerFunction event SyncRequested: .* does not emulate Input"
    ):
        _subscriptions(project)


@pytest.mark.parametrize(
    ("pattern", "matching", "other"),
    [
        (
            {"source": ["test.schedule"], "detail-type": ["SyncRequested", "SyncForced"]},
            {"detail_type": "SyncForced"},
            {"detail_type": "SyncCancelled"},
        ),
        ({"detail": {"channel_id": [{"prefix": "ch_"}]}}, {"channel_id": "ch_1"}, {"channel_id": "xx_1"}),
        (
            {"detail": {"status": [{"anything-but": ["deleted"]}]}},
            {"status": "active"},
            {"status": "deleted"},
        ),
        ({"detail": {"channel": {"generation": ["cloud"]}}}, {"channel": {"generation": "cloud"}}, {}),
    ],
)
def test_only_events_matching_the_pattern_reach_the_function(
    rule: Rule, pattern: dict[str, Any], matching: dict[str, Any], other: dict[str, Any]
) -> None:
    narrowed = replace(rule.subscription, rule_name="test-narrowed", pattern=pattern)
    narrowed_rule = replace(rule, subscription=narrowed)
    narrowed_rule.queue_url = create_rule_target(narrowed, rule.clients.sqs, rule.clients.events)

    narrowed_rule.put(**other)
    not_matched = queue_depth(rule.clients, narrowed_rule.queue_url)
    narrowed_rule.put(**matching)

    assert (not_matched, queue_depth(rule.clients, narrowed_rule.queue_url)) == (0, 1)


def test_the_function_gets_the_event_as_eventbridge_hands_it_to_lambda(rule: Rule) -> None:
    event_id = rule.put(channel_id="ch_1")
    function = FakeFunction()

    run_until(rule.consumer(function).run(), lambda: queue_depth(rule.clients, rule.queue_url) == 0)

    (event,) = function.events
    assert event == {
        "version": "0",
        "id": event_id,
        "detail-type": "SyncRequested",
        "source": "test.schedule",
        "account": LOCAL_ACCOUNT_ID,
        "time": event["time"],
        "region": REGION,
        "resources": ["arn:aws:scheduler:eu-central-1:123456789012:schedule/default/test"],
        "detail": {"channel_id": "ch_1"},
    }
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", event["time"])


def test_a_failing_function_gets_the_event_again_then_it_is_dropped(
    rule: Rule, caplog: pytest.LogCaptureFixture
) -> None:
    rule.put()
    function = FakeFunction(fail)

    run_until(rule.consumer(function).run(), lambda: queue_depth(rule.clients, rule.queue_url) == 0)

    assert len(function.events) == 1 + rule.subscription.max_retries
    assert len({event["id"] for event in function.events}) == 1
    assert "ListenerFunction failed on event" in caplog.text
    assert "the event is dropped" in caplog.text


def test_a_retry_that_succeeds_ends_the_delivery(rule: Rule, caplog: pytest.LogCaptureFixture) -> None:
    rule.put()
    attempts = iter([fail, lambda _: None])

    def fails_once(event: dict[str, Any]) -> Any:
        return next(attempts)(event)

    function = FakeFunction(fails_once)

    run_until(rule.consumer(function).run(), lambda: queue_depth(rule.clients, rule.queue_url) == 0)

    assert len(function.events) == 2
    assert "dropped" not in caplog.text
