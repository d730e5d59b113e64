"""Template sync bench: what one sync of a channel with 1,000 templates costs, side by side, when
nothing changed and when 10 changed.

Run with `make bench` (or `.venv/bin/python bench/template_sync.py --templates 1000 --changed 10`).

The templates function runs in this process under moto's `mock_aws`, with a channel connected
through the channels function against a respx double of 360dialog that holds the templates.
The double counts requests to 360dialog; botocore's event hooks on the function's DynamoDB client
count writes, split into template items and the channel item (the sync's lease and outcome).
Times are this machine's, with moto in place of DynamoDB: compare them with each other."""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

# Run as a script, only bench/ is on sys.path: the repo root goes in front; bench.in_process puts the
# layer there too.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import respx
from moto import mock_aws

from bench.figures import Figure, exactly, write_figures
from bench.in_process import (
    BENCH_WORKSPACE,
    environment_for_in_process_run,
    functions_quiet,
    provision_in_process_aws,
)
from bench.tables import print_table
from tests.unit.dialog360_double import Dialog360Double, NumberAt360dialog
from tests.unit.support import Api, load_function
from wachannel import aws

BUSINESS_DIGITS = "4915112345678"
CHANNEL_API_KEY = "cloud-key-bench-0123456789"
WRITE_OPERATIONS = frozenset({"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"})


@dataclass(frozen=True)
class SyncMeasurement:
    scenario: str
    templates: int
    answer: dict[str, Any]
    provider_requests: int
    template_writes: int
    channel_writes: int
    milliseconds: float
    expected_template_writes: int | None  # None: no target, as for the first sync, which writes them all

    def figures(self) -> list[Figure]:
        """Targets: one list request, and a write for each new or changed template only."""
        expected = self.expected_template_writes
        detail = f"{self.channel_writes} channel writes (lease, outcome), {self.milliseconds:.0f} ms"
        area = f"template sync of a channel with {self.templates} templates"
        return [
            Figure(
                area=area,
                name=f"{self.scenario}: 360dialog requests",
                value=self.provider_requests,
                unit="count",
                target=None if expected is None else exactly(1),
                detail=detail,
            ),
            Figure(
                area=area,
                name=f"{self.scenario}: template writes",
                value=self.template_writes,
                unit="count",
                target=None if expected is None else exactly(expected),
                detail=detail,
            ),
        ]

    @property
    def target(self) -> str:
        expected = self.expected_template_writes
        return "-" if expected is None else f"1 list request, {expected} template writes"

    @property
    def met(self) -> bool | None:
        return None if self.expected_template_writes is None else all(f.met for f in self.figures())


class WriteCounter:
    """DynamoDB writes by the item they touch: a template (`TPL#...`) or anything else."""

    def __init__(self) -> None:
        self.writes: Counter[str] = Counter()

    def attach(self) -> None:
        aws.dynamodb().meta.events.register("provide-client-params.dynamodb", self._record)

    def take(self) -> Counter[str]:
        taken, self.writes = self.writes, Counter()
        return taken

    def _record(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        if model.name not in WRITE_OPERATIONS:
            return
        sort_key = params.get("Key", params.get("Item", {})).get("SK", {}).get("S", "")
        self.writes["template" if sort_key.startswith("TPL#") else "channel"] += 1


def seed(number: NumberAt360dialog, count: int) -> None:
    for index in range(count):
        number.add_template(
            f"bench_{index:05d}",
            "en" if index % 2 else "de",
            components=[
                {
                    "type": "BODY",
                    "text": f"Hi {{{{1}}}}, your order {{{{2}}}} ({index}) is on its way.",
                    "example": {"body_text": [["Anna", "A-1234"]]},
                },
                {"type": "FOOTER", "text": "Reply STOP to opt out"},
            ],
        )


def change(number: NumberAt360dialog, count: int) -> None:
    """Half of them change status (approved, then paused), half their body text."""
    for position, template in enumerate(number.templates[:count]):
        if position % 2:
            template["status"] = "PAUSED"
        else:
            body = template["components"][0]
            template["components"] = [{**body, "text": body["text"] + "!"}, *template["components"][1:]]


def measure(
    api: Api,
    channel_id: str,
    *,
    number: NumberAt360dialog,
    counter: WriteCounter,
    scenario: str,
    expected_template_writes: int | None,
) -> SyncMeasurement:
    number.template_list_requests = 0
    counter.take()
    started = time.perf_counter()
    _, answer = api.call(
        "POST",
        "/channels/{channel_id}/templates/sync",
        path_parameters={"channel_id": channel_id},
        expect=200,
    )
    elapsed = (time.perf_counter() - started) * 1000
    writes = counter.take()
    return SyncMeasurement(
        scenario=scenario,
        templates=len(number.templates),
        answer=answer,
        provider_requests=number.template_list_requests,
        template_writes=writes["template"],
        channel_writes=writes["channel"],
        milliseconds=elapsed,
        expected_template_writes=expected_template_writes,
    )


def run(templates: int, changed: int) -> list[SyncMeasurement]:
    with (
        environment_for_in_process_run(),
        mock_aws(),
        respx.mock(assert_all_mocked=True, assert_all_called=False) as router,
        functions_quiet(),
    ):
        provision_in_process_aws()
        dialog360 = Dialog360Double(router)
        number = dialog360.add(BUSINESS_DIGITS, CHANNEL_API_KEY)
        seed(number, templates)
        channel = Api(load_function("channels"), BENCH_WORKSPACE).connect(
            f"+{BUSINESS_DIGITS}", CHANNEL_API_KEY
        )
        api = Api(load_function("sync_templates"), BENCH_WORKSPACE)
        counter = WriteCounter()
        counter.attach()
        sync = partial(measure, api, channel["id"], number=number, counter=counter)
        first = sync(scenario=f"first sync ({templates} new)", expected_template_writes=None)
        unchanged = sync(scenario="nothing changed", expected_template_writes=0)
        change(number, changed)
        some = sync(scenario=f"{changed} changed", expected_template_writes=changed)
        return [first, unchanged, some]


def report(measurements: list[SyncMeasurement], templates: int) -> None:
    print(f"\nTemplate sync of one channel with {templates} templates (in-process, moto mock_aws)")
    rows = [
        [
            m.scenario,
            str(m.provider_requests),
            str(m.template_writes),
            str(m.channel_writes),
            f"{m.answer['created']}/{m.answer['updated']}/{m.answer['deleted']}/{m.answer['unchanged']}",
            f"{m.milliseconds:.0f}",
            m.target,
            "-" if m.met is None else ("met" if m.met else "MISSED"),
        ]
        for m in measurements
    ]
    headers = [
        "scenario",
        "360dialog requests",
        "template writes",
        "channel writes",
        "created/updated/deleted/unchanged",
        "ms",
        "target",
        "status",
    ]
    print_table(headers, rows)
    print(
        "channel writes: the sync's lease and its outcome (last_synced_at or the error) on the channel item"
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--templates", type=int, default=1000)
    parser.add_argument("--changed", type=int, default=10)
    parser.add_argument("--json", type=Path, help="also write the headline figures to this file")
    arguments = parser.parse_args()
    measurements = run(arguments.templates, arguments.changed)
    report(measurements, arguments.templates)
    if arguments.json:
        write_figures(arguments.json, [f for m in measurements for f in m.figures()])
    return 0 if all(m.met is not False for m in measurements) else 1


if __name__ == "__main__":
    sys.exit(main())
