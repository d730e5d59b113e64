"""The template's EventBridge Scheduler schedules that put an event on a bus, run by the local stack.

A schedule puts the event it would put on AWS: source and detail-type from its EventBridgeParameters,
its target's Input as the detail, its own ARN in resources. A `rate(...)` schedule fires at its rate,
the first time one period after the stack starts; SCHEDULE_RATE_VARIABLE, when set, replaces every
schedule's period (cron(...) and at(...) schedules fire on their own only then). Any schedule fires
at once on `POST /_local/schedules/{logical_id}/run` at the gateway, a local control route that is not
part of the product's API: tests use it to run the template sync without waiting hours.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from infra.local.aws import physical_name
from infra.local.cfn import IntrinsicResolver, TemplateError, resources_of_type

if TYPE_CHECKING:
    from mypy_boto3_events import EventBridgeClient

_logger = logging.getLogger("infra.local.schedules")
SCHEDULE = "AWS::Scheduler::Schedule"
SCHEDULE_RATE_VARIABLE = "WACHANNEL_SCHEDULE_RATE_SECONDS"
RUN_SCHEDULE_PATH = "/_local/schedules/{logical_id}/run"
_RATE = re.compile(r"rate\((?P<value>\d+) (?P<unit>minute|hour|day)s?\)")
_UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}


def rate_seconds(expression: str) -> int | None:
    """The period of a `rate(...)` expression; None for `cron(...)` and `at(...)`, which have none."""
    if expression.startswith(("cron(", "at(")):
        return None
    match = _RATE.fullmatch(expression)
    if match is None or int(match["value"]) == 0:
        raise TemplateError(f"{expression!r} is not a schedule expression (rate, cron or at)")
    return int(match["value"]) * _UNIT_SECONDS[match["unit"]]


@dataclass(frozen=True)
class BusSchedule:
    """An AWS::Scheduler::Schedule whose target is an event bus, and the event it puts there."""

    logical_id: str
    arn: str
    expression: str
    event_bus_arn: str
    source: str
    detail_type: str
    detail: str


def read_bus_schedules(
    template: Mapping[str, Any], resolver: IntrinsicResolver, stack_name: str
) -> list[BusSchedule]:
    scheduler_arn_prefix = resolver.resolve_string(
        {"Fn::Sub": "arn:${AWS::Partition}:scheduler:${AWS::Region}:${AWS::AccountId}"}, "the scheduler's ARN"
    )
    schedules = []
    for logical_id, definition in resources_of_type(template, SCHEDULE).items():
        if not resolver.is_created(definition):
            continue
        # Only what a local run needs is resolved: the target's role is IAM's, which is not emulated.
        properties = resolver.resolve(
            {key: value for key, value in definition["Properties"].items() if key != "Target"}
        )
        target = definition["Properties"]["Target"]
        target_arn = resolver.resolve_string(target["Arn"], f"{logical_id} target")
        if ":event-bus/" not in target_arn or "EventBridgeParameters" not in target:
            _logger.warning("%s targets %s, which the local stack does not run", logical_id, target_arn)
            continue
        if properties.get("State") == "DISABLED":
            continue
        expression = properties["ScheduleExpression"]
        rate_seconds(expression)
        parameters = resolver.resolve(target["EventBridgeParameters"])
        detail = resolver.resolve_string(target.get("Input", "{}"), f"{logical_id} target input")
        try:
            json.loads(detail)
        except ValueError as error:
            raise TemplateError(f"{logical_id}: the target's Input is not JSON: {error}") from error
        name = properties.get("Name", physical_name(logical_id, stack_name))
        group = properties.get("GroupName", "default")
        schedules.append(
            BusSchedule(
                logical_id=logical_id,
                arn=f"{scheduler_arn_prefix}:schedule/{group}/{name}",
                expression=expression,
                event_bus_arn=target_arn,
                source=parameters["Source"],
                detail_type=parameters["DetailType"],
                detail=detail,
            )
        )
    return schedules


class ScheduleFailed(Exception):
    """The bus refused the schedule's event."""


class LocalScheduler:
    """Fires each schedule at its period, and any schedule when asked."""

    def __init__(
        self, schedules: list[BusSchedule], events: EventBridgeClient, *, rate_override_seconds: float | None
    ) -> None:
        self.schedules = {schedule.logical_id: schedule for schedule in schedules}
        self._events = events
        self._rate_override_seconds = rate_override_seconds

    def period_seconds(self, schedule: BusSchedule) -> float | None:
        """How often the schedule fires on its own here; None: only when run by hand."""
        return self._rate_override_seconds or rate_seconds(schedule.expression)

    def describe(self) -> dict[str, str]:
        """Logical id -> when the schedule fires locally, in words."""
        descriptions = {}
        for logical_id, schedule in self.schedules.items():
            if self._rate_override_seconds:
                when = (
                    f"every {self._rate_override_seconds:g} s "
                    f"({SCHEDULE_RATE_VARIABLE}; template {schedule.expression})"
                )
            elif self.period_seconds(schedule) is None:
                when = f"{schedule.expression}: only when run by hand (or set {SCHEDULE_RATE_VARIABLE})"
            else:
                when = schedule.expression
            descriptions[logical_id] = when
        return descriptions

    def fire(self, logical_id: str) -> str:
        """Puts the schedule's event on its bus now; returns the event's id."""
        schedule = self.schedules[logical_id]
        answer = self._events.put_events(
            Entries=[
                {
                    "EventBusName": schedule.event_bus_arn,
                    "Source": schedule.source,
                    "DetailType": schedule.detail_type,
                    "Detail": schedule.detail,
                    "Resources": [schedule.arn],
                }
            ]
        )
        (entry,) = answer["Entries"]
        if "EventId" not in entry:
            raise ScheduleFailed(f"{logical_id}: the bus refused the event: {entry}")
        _logger.info("%s put %s on the bus (event %s)", logical_id, schedule.detail_type, entry["EventId"])
        return entry["EventId"]

    async def run(self) -> None:
        await asyncio.gather(
            *(
                self._every(schedule, period)
                for schedule in self.schedules.values()
                if (period := self.period_seconds(schedule)) is not None
            )
        )

    async def _every(self, schedule: BusSchedule, period_seconds: float) -> None:
        while True:
            await asyncio.sleep(period_seconds)
            try:
                await asyncio.to_thread(self.fire, schedule.logical_id)
            except Exception:
                _logger.exception("%s could not fire", schedule.logical_id)


def schedule_routes(scheduler: LocalScheduler) -> list[Route]:
    """The gateway's local control route that fires a schedule now."""

    async def run_schedule(request: Request) -> Response:
        logical_id = request.path_params["logical_id"]
        if logical_id not in scheduler.schedules:
            return JSONResponse(
                {"message": f"no schedule {logical_id}; there are {sorted(scheduler.schedules)}"},
                status_code=404,
            )
        event_id = await asyncio.to_thread(scheduler.fire, logical_id)
        return JSONResponse({"schedule": logical_id, "event_id": event_id}, status_code=202)

    return [Route(RUN_SCHEDULE_PATH, run_schedule, methods=["POST"])]
