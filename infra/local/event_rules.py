"""Events on the buses delivered to the functions with an `EventBridgeRule` event.

moto's EventBridge cannot invoke the local functions, so each such event becomes on moto the rule SAM
would create, with the template's pattern, and a target moto can reach: an internal SQS queue, which
the stack drains into the function. moto matches the pattern (exact values, prefix, anything-but,
numeric, exists...), so every event put on the bus reaches the functions it would reach on AWS,
whoever put it: a schedule, a function, a test.

EventBridge invokes a Lambda target asynchronously, so a function error is retried as Lambda retries
an asynchronous invocation: the function's EventInvokeConfig.MaximumRetryAttempts times, two by
default, here after RETRY_VISIBILITY_SECONDS rather than one and two minutes; then the event is
dropped with an error in the log. The rule's RetryPolicy governs failures to hand the event to Lambda
at all, which do not happen locally.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from infra.local.aws import physical_name
from infra.local.cfn import LOCAL_ACCOUNT_ID, IntrinsicResolver, TemplateError
from infra.local.lambda_runtime import ENVIRONMENTS_PER_FUNCTION, INIT_ALLOWANCE_SECONDS, LambdaFunction
from infra.local.queues import (
    POLL_SECONDS,
    RETRY_VISIBILITY_SECONDS,
    Invoke,
    delete_messages,
    poll_queue,
    return_to_queue,
)

if TYPE_CHECKING:
    from mypy_boto3_events import EventBridgeClient
    from mypy_boto3_sqs import SQSClient
    from mypy_boto3_sqs.type_defs import MessageTypeDef

_logger = logging.getLogger("infra.local.event_rules")
_DEFAULT_ASYNC_RETRIES = 2
_UNSUPPORTED_PROPERTIES = ("Input", "InputPath", "InputTransformer")
_RULE_PROPERTIES = ("EventBusName", "Pattern", "RuleName", "State")
# Longer than an invocation can last locally, so that an event is never handed out twice at once.
_TARGET_QUEUE_MARGIN_SECONDS = 30


@dataclass(frozen=True)
class RuleSubscription:
    """One `EventBridgeRule` event of a function: the rule SAM would create for it."""

    function: LambdaFunction
    rule_name: str
    event_bus_name: str
    pattern: Mapping[str, Any]
    max_retries: int

    @property
    def target_queue_name(self) -> str:
        return f"{self.rule_name}-target"


def read_rule_subscriptions(
    functions: Mapping[str, LambdaFunction], resolver: IntrinsicResolver, stack_name: str
) -> list[RuleSubscription]:
    subscriptions = []
    for function in functions.values():
        invoke_config = function.properties.get("EventInvokeConfig", {})
        max_retries = int(resolver.resolve(invoke_config.get("MaximumRetryAttempts", _DEFAULT_ASYNC_RETRIES)))
        for event_name, event in function.properties.get("Events", {}).items():
            if event.get("Type") != "EventBridgeRule":
                continue
            unsupported = [name for name in _UNSUPPORTED_PROPERTIES if name in event["Properties"]]
            if unsupported:
                raise TemplateError(
                    f"{function.logical_id} event {event_name}: the local stack does not emulate "
                    + ", ".join(unsupported)
                )
            # What delivery needs; DeadLetterConfig and RetryPolicy concern EventBridge's side only.
            properties = resolver.resolve(
                {key: event["Properties"][key] for key in _RULE_PROPERTIES if key in event["Properties"]}
            )
            if properties.get("State") == "DISABLED":
                continue
            subscriptions.append(
                RuleSubscription(
                    function=function,
                    rule_name=properties.get(
                        "RuleName", physical_name(function.logical_id + event_name, stack_name)
                    ),
                    event_bus_name=properties.get("EventBusName", "default"),
                    pattern=properties["Pattern"],
                    max_retries=max_retries,
                )
            )
    return subscriptions


def create_rule_target(subscription: RuleSubscription, sqs: SQSClient, events: EventBridgeClient) -> str:
    """Puts the rule on moto's bus with the internal queue as its target; returns the queue's URL."""
    function = subscription.function
    visibility = function.timeout_seconds + INIT_ALLOWANCE_SECONDS + _TARGET_QUEUE_MARGIN_SECONDS
    queue_url = sqs.create_queue(
        QueueName=subscription.target_queue_name, Attributes={"VisibilityTimeout": str(visibility)}
    )["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    events.put_rule(
        Name=subscription.rule_name,
        EventBusName=subscription.event_bus_name,
        EventPattern=json.dumps(subscription.pattern),
        State="ENABLED",
    )
    events.put_targets(
        Rule=subscription.rule_name,
        EventBusName=subscription.event_bus_name,
        Targets=[{"Id": function.logical_id, "Arn": queue_arn}],
    )
    return queue_url


def lambda_event(delivered: Mapping[str, Any], account_id: str = LOCAL_ACCOUNT_ID) -> dict[str, Any]:
    """The event as EventBridge hands it to a Lambda target. moto's copy on the queue lacks `account`."""
    return {
        "version": delivered.get("version", "0"),
        "id": delivered["id"],
        "detail-type": delivered["detail-type"],
        "source": delivered["source"],
        "account": delivered.get("account", account_id),
        "time": delivered["time"],
        "region": delivered["region"],
        "resources": delivered.get("resources", []),
        "detail": delivered.get("detail", {}),
    }


class RuleConsumer:
    """Invokes the function with each event its rule's target queue receives, one event per invocation."""

    def __init__(
        self,
        subscription: RuleSubscription,
        queue_url: str,
        invoke: Invoke,
        sqs: SQSClient,
        *,
        poll_seconds: float = POLL_SECONDS,
        retry_delay_seconds: int = RETRY_VISIBILITY_SECONDS,
    ) -> None:
        self._subscription = subscription
        self._queue_url = queue_url
        self._invoke = invoke
        self._sqs = sqs
        self._poll_seconds = poll_seconds
        self._retry_delay_seconds = retry_delay_seconds

    async def run(self) -> None:
        await poll_queue(
            self._sqs,
            self._queue_url,
            self.deliver,
            batch_size=1,
            concurrency=ENVIRONMENTS_PER_FUNCTION,
            poll_seconds=self._poll_seconds,
        )

    async def deliver(self, messages: list[MessageTypeDef]) -> None:
        for message in messages:
            await self._deliver_one(message)

    async def _deliver_one(self, message: MessageTypeDef) -> None:
        logical_id = self._subscription.function.logical_id
        event = lambda_event(json.loads(message["Body"]))
        attempt = int(message.get("Attributes", {}).get("ApproximateReceiveCount", "1"))
        try:
            await asyncio.to_thread(self._invoke, event)
        except Exception:
            if attempt > self._subscription.max_retries:
                _logger.exception(
                    "%s failed on event %s (%s) %d times; the event is dropped",
                    logical_id,
                    event["id"],
                    event["detail-type"],
                    attempt,
                )
                await asyncio.to_thread(delete_messages, self._sqs, self._queue_url, [message])
            else:
                _logger.exception(
                    "%s failed on event %s (attempt %d); retrying", logical_id, event["id"], attempt
                )
                await asyncio.to_thread(
                    return_to_queue, self._sqs, self._queue_url, [message], self._retry_delay_seconds
                )
            return
        await asyncio.to_thread(delete_messages, self._sqs, self._queue_url, [message])
