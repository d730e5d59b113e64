"""Cold-start bench: each function's import + init time, and its first invocation, measured in fresh
interpreters beside a naive function that imports everything at module level.

Run with `make bench` (or `.venv/bin/python bench/cold_start.py --runs 5`). Figures are taken inside
each child, so interpreter start-up is excluded; runs are interleaved across targets so that machine
noise falls on all of them alike."""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Run as a script, only bench/ is on sys.path: the repo root goes in front for bench.tables.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.figures import Figure, at_most, write_figures
from bench.tables import print_table

ROOT = Path(__file__).resolve().parents[1]
LAYER_PATH = ROOT / "layers" / "common"
CHILD_TIMEOUT_SECONDS = 60
TARGET_RATIO = 0.5
TARGET = at_most(TARGET_RATIO)
RESULT_MARKER = "COLD_START_RESULT "
REGION = "eu-central-1"

# Dummy values that satisfy every settings class in wachannel/config.py. The AWS config files point
# nowhere so a developer's ~/.aws does not change what botocore reads, as on Lambda.
CHILD_ENVIRONMENT = {
    "TABLE_NAME": "wachannel-bench",
    "IDEMPOTENCY_TABLE_NAME": "wachannel-bench-idempotency",
    "API_KEY_KMS_KEY_ID": f"arn:aws:kms:{REGION}:123456789012:key/00000000-0000-0000-0000-000000000000",
    "CURSOR_SIGNING_KEY": "bench-cursor-signing-key-0123456789",
    "SEND_QUEUE_URL": f"https://sqs.{REGION}.amazonaws.com/123456789012/wachannel-bench-send",
    "TEMPLATE_SYNC_QUEUE_URL": f"https://sqs.{REGION}.amazonaws.com/123456789012/wachannel-bench-sync",
    "MEDIA_QUEUE_URL": f"https://sqs.{REGION}.amazonaws.com/123456789012/wachannel-bench-media",
    "MEDIA_BUCKET_NAME": "wachannel-bench-media",
    "EVENT_BUS_NAME": "wachannel-bench-events",
    "AWS_DEFAULT_REGION": REGION,
    "AWS_REGION": REGION,
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_CONFIG_FILE": "/dev/null",
    "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
    "POWERTOOLS_SERVICE_NAME": "wachannel",
    "POWERTOOLS_METRICS_NAMESPACE": "WaChannel",
    "POWERTOOLS_LOG_LEVEL": "WARNING",
}

# A route no function declares: the resolver answers 404 in the envelope without touching AWS, so the
# figure is the cost of the first request's own code path (lazy imports included).
FIRST_REQUEST_EVENT: dict[str, Any] = {
    "version": "2.0",
    "routeKey": "GET /bench/no-such-route",
    "rawPath": "/bench/no-such-route",
    "rawQueryString": "",
    "headers": {"accept": "application/json", "host": "bench.execute-api.eu-central-1.amazonaws.com"},
    "requestContext": {
        "accountId": "123456789012",
        "apiId": "bench",
        "authorizer": {"jwt": {"claims": {"workspace_id": "ws_bench", "sub": "bench"}, "scopes": None}},
        "domainName": "bench.execute-api.eu-central-1.amazonaws.com",
        "domainPrefix": "bench",
        "http": {
            "method": "GET",
            "path": "/bench/no-such-route",
            "protocol": "HTTP/1.1",
            "sourceIp": "203.0.113.10",
            "userAgent": "cold-start-bench",
        },
        "requestId": "bench-request",
        "routeKey": "GET /bench/no-such-route",
        "stage": "$default",
        "time": "24/Nov/2026:10:00:00 +0000",
        "timeEpoch": 1795082400000,
    },
    "isBase64Encoded": False,
}

# Runs in each fresh interpreter; the timer starts once the environment and sys.path are in place.
CHILD_SNIPPET = f"""
import importlib.util, json, os, sys, time

config = json.loads(sys.argv[1])
os.environ.update(config["environment"])
sys.path.insert(0, config["layer_path"])


class FakeLambdaContext:
    function_name = "cold-start-bench"
    function_version = "$LATEST"
    memory_limit_in_mb = 1024
    invoked_function_arn = "arn:aws:lambda:{REGION}:123456789012:function:cold-start-bench"
    aws_request_id = "00000000-0000-0000-0000-000000000000"
    log_group_name = "/aws/lambda/cold-start-bench"
    log_stream_name = "bench"

    def get_remaining_time_in_millis(self):
        return 29_000


started = time.perf_counter()
spec = importlib.util.spec_from_file_location(config["module_name"], config["module_path"])
module = importlib.util.module_from_spec(spec)
sys.modules[config["module_name"]] = module
spec.loader.exec_module(module)
imported = time.perf_counter()
result = {{"import_seconds": imported - started, "invoke_seconds": None, "status": None}}
if config["event"] is not None:
    response = module.lambda_handler(config["event"], FakeLambdaContext())
    result["invoke_seconds"] = time.perf_counter() - imported
    failed = response.get("batchItemFailures")
    result["status"] = response.get("statusCode", "batch failed" if failed else "batch ok")
print({RESULT_MARKER!r} + json.dumps(result))
"""

# A change of an item that stands for no domain event: the stream consumer runs without AWS calls.
STREAM_RECORD_WITHOUT_EVENTS = {
    "eventID": "1",
    "eventName": "MODIFY",
    "eventSource": "aws:dynamodb",
    "awsRegion": REGION,
    "dynamodb": {
        "Keys": {"PK": {"S": "bench"}, "SK": {"S": "bench"}},
        "NewImage": {"PK": {"S": "bench"}, "SK": {"S": "bench"}, "entity": {"S": "channel"}},
        "SequenceNumber": "1",
        "SizeBytes": 10,
        "StreamViewType": "NEW_AND_OLD_IMAGES",
    },
}

NAIVE_BASELINE_SOURCE = f'''
"""What a careless function does at import: everything, whether or not the request needs it."""
import boto3
from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from pydantic import BaseModel

app = APIGatewayHttpResolver(enable_validation=True)
tracer = Tracer()
logger = Logger()
metrics = Metrics()
dynamodb = boto3.client("dynamodb", region_name="{REGION}")


class NewNote(BaseModel):
    text: str


@app.post("/notes")
def create_note(note: NewNote) -> dict:
    dynamodb.put_item(TableName="notes", Item={{"text": {{"S": note.text}}}})
    return {{"text": note.text}}


@logger.inject_lambda_context
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event, context):
    return app.resolve(event, context)
'''

DEPENDENCY_SOURCES = {
    "boto3": "import boto3\n",
    "boto3 + dynamodb client": f'import boto3\nboto3.client("dynamodb", region_name="{REGION}")\n',
    "aws_xray_sdk via Tracer()": "from aws_lambda_powertools import Tracer\nTracer()\n",
    "pydantic": "from pydantic import BaseModel\n",
    "httpx": "import httpx\n",
    "Powertools resolver (validation)": (
        "from aws_lambda_powertools.event_handler import APIGatewayHttpResolver\n"
        "APIGatewayHttpResolver(enable_validation=True)\n"
    ),
}


@dataclass(frozen=True)
class Target:
    """A module to load in a fresh interpreter; with a first-request event if it is a function."""

    label: str
    module_path: Path
    module_name: str
    invokes: bool


@dataclass
class Measurement:
    target: Target
    import_seconds: list[float] = field(default_factory=list)
    invoke_seconds: list[float] = field(default_factory=list)
    statuses: set[int] = field(default_factory=set)
    error: str | None = None

    def import_median_ms(self) -> float:
        return statistics.median(self.import_seconds) * 1000

    def import_min_ms(self) -> float:
        return min(self.import_seconds) * 1000

    def invoke_median_ms(self) -> float | None:
        return statistics.median(self.invoke_seconds) * 1000 if self.invoke_seconds else None


class ChildFailed(Exception):
    """The child exited with an error, timed out or printed no result; the message is one line."""


def _first_event(target: Target) -> dict[str, Any]:
    """An HTTP request for functions behind the API; an empty batch for stream and queue consumers."""
    if "create_resolver" in target.module_path.read_text() or target.module_name == "bench_naive_baseline":
        return FIRST_REQUEST_EVENT
    return {"Records": [STREAM_RECORD_WITHOUT_EVENTS]}


def run_child(target: Target, bytecode_cache: Path) -> dict[str, Any]:
    config = {
        "environment": CHILD_ENVIRONMENT,
        "layer_path": str(LAYER_PATH),
        "module_path": str(target.module_path),
        "module_name": target.module_name,
        "event": _first_event(target) if target.invokes else None,
    }
    try:
        completed = subprocess.run(
            [sys.executable, "-c", CHILD_SNIPPET, json.dumps(config)],
            env=_child_process_environment(bytecode_cache),
            capture_output=True,
            text=True,
            timeout=CHILD_TIMEOUT_SECONDS,
            cwd=ROOT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise ChildFailed(f"timed out after {CHILD_TIMEOUT_SECONDS} s") from None
    if completed.returncode != 0:
        error_lines = [line for line in completed.stderr.splitlines() if line.strip()]
        raise ChildFailed(error_lines[-1] if error_lines else f"exit status {completed.returncode}")
    for line in reversed(completed.stdout.splitlines()):
        if line.startswith(RESULT_MARKER):
            result: dict[str, Any] = json.loads(line.removeprefix(RESULT_MARKER))
            return result
    raise ChildFailed("the child printed no result")


def _child_process_environment(bytecode_cache: Path) -> dict[str, str]:
    """Every module, the project's and its dependencies', loads from compiled bytecode kept in a
    scratch folder, so no side pays for compiling source (PYTHONDONTWRITEBYTECODE is lifted)."""
    environment = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    environment["PYTHONPYCACHEPREFIX"] = str(bytecode_cache)
    return environment


def measure(targets: list[Target], runs: int, bytecode_cache: Path) -> dict[str, Measurement]:
    """Round-robin over the targets; a target that fails once is not run again."""
    measurements = {target.label: Measurement(target) for target in targets}
    for _ in range(runs):
        for measurement in measurements.values():
            if measurement.error is not None:
                continue
            try:
                result = run_child(measurement.target, bytecode_cache)
            except ChildFailed as failure:
                measurement.error = str(failure)
                continue
            measurement.import_seconds.append(result["import_seconds"])
            if result["invoke_seconds"] is not None:
                measurement.invoke_seconds.append(result["invoke_seconds"])
                measurement.statuses.add(result["status"])
    return measurements


def function_targets() -> list[Target]:
    """A queue consumer's first job needs AWS and 360dialog, which the child has not: its figure is
    the import alone (its batch utilities load with the first job, and count there)."""
    return [
        Target(
            app.parent.name,
            app,
            f"bench_{app.parent.name}_app",
            invokes="process_queue_batch" not in app.read_text() or "create_resolver" in app.read_text(),
        )
        for app in sorted((ROOT / "functions").glob("*/app.py"))
    ]


def write_module(directory: Path, file_name: str, source: str) -> Path:
    path = directory / file_name
    path.write_text(source)
    return path


def baseline_median_ms(baseline: Measurement) -> float | None:
    return baseline.import_median_ms() if baseline.error is None else None


def ratio_to_baseline(measurement: Measurement, baseline_ms: float | None) -> float | None:
    """The function's median import + init over the naive baseline's; None if either failed."""
    if measurement.error is not None or baseline_ms is None:
        return None
    return measurement.import_median_ms() / baseline_ms


def function_rows(functions: list[Measurement], baseline: Measurement) -> list[list[str]]:
    baseline_ms = baseline_median_ms(baseline)
    rows = []
    for measurement in functions:
        if measurement.error is not None:
            rows.append([measurement.target.label, "failed", "", "", "", "", "", ""])
            continue
        ratio = ratio_to_baseline(measurement, baseline_ms)
        invoke_ms = measurement.invoke_median_ms()
        rows.append(
            [
                measurement.target.label,
                f"{measurement.import_median_ms():.0f}",
                f"{measurement.import_min_ms():.0f}",
                f"{baseline_ms:.0f}" if baseline_ms else "n/a",
                f"{ratio:.2f}" if ratio is not None else "n/a",
                ("yes" if TARGET.met_by(ratio) else "NO") if ratio is not None else "n/a",
                f"{invoke_ms:.0f}" if invoke_ms is not None else "n/a",
                ",".join(str(status) for status in sorted(measurement.statuses)),
            ]
        )
    return rows


def headline_figures(functions: list[Measurement], baseline: Measurement) -> list[Figure]:
    baseline_ms = baseline_median_ms(baseline)
    figures = []
    for measurement in functions:
        if measurement.error is not None:
            detail = f"failed: {measurement.error}"
        elif baseline_ms is None:
            detail = f"the naive baseline failed: {baseline.error}"
        else:
            detail = (
                f"{measurement.import_median_ms():.0f} ms vs the baseline's {baseline_ms:.0f} ms "
                f"(medians of {len(measurement.import_seconds)} runs)"
            )
        figures.append(
            Figure(
                area="cold start: function / naive function",
                name=measurement.target.label,
                value=ratio_to_baseline(measurement, baseline_ms),
                unit="ratio",
                target=TARGET,
                detail=detail,
            )
        )
    return figures


def report(functions: list[Measurement], baseline: Measurement, dependencies: list[Measurement]) -> None:
    print(f"\nFunctions: import + init in a fresh interpreter (target: ratio <= {TARGET_RATIO})")
    headers = ["function", "median ms", "min ms", "baseline median ms", "ratio", "meets target"]
    print_table([*headers, "first invoke ms", "status"], function_rows(functions, baseline))
    if baseline.error is None:
        baseline_invoke_ms = baseline.invoke_median_ms()
        invoke_text = f"{baseline_invoke_ms:.0f} ms" if baseline_invoke_ms is not None else "n/a"
        print(
            f"\nNaive baseline: median {baseline.import_median_ms():.0f} ms, "
            f"min {baseline.import_min_ms():.0f} ms, first invoke {invoke_text}"
        )
    print("\nDependencies alone, for context")
    print_table(
        ["import", "median ms", "min ms"],
        [
            [m.target.label, f"{m.import_median_ms():.0f}", f"{m.import_min_ms():.0f}"]
            if m.error is None
            else [m.target.label, "failed", ""]
            for m in dependencies
        ],
    )
    failures = [m for m in [*functions, baseline, *dependencies] if m.error is not None]
    if failures:
        print("\nFailures")
        for measurement in failures:
            print(f"  {measurement.target.label}: {measurement.error}")


def positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument(
        "--runs", type=positive_int, default=7, help="fresh interpreters per target (default 7)"
    )
    parser.add_argument("--json", type=Path, help="also write the headline figures to this file")
    arguments = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="cold-start-bench-") as scratch:
        directory = Path(scratch)
        functions = function_targets()
        baseline = Target(
            "naive baseline",
            write_module(directory, "naive_baseline.py", NAIVE_BASELINE_SOURCE),
            "bench_naive_baseline",
            invokes=True,
        )
        dependencies = [
            Target(
                label,
                write_module(directory, f"dependency_{index}.py", source),
                f"bench_dependency_{index}",
                invokes=False,
            )
            for index, (label, source) in enumerate(DEPENDENCY_SOURCES.items())
        ]
        print(
            f"Python {sys.version.split()[0]}, {arguments.runs} runs per target, "
            f"{len(functions)} function(s) found under functions/*/app.py"
        )
        targets = [*functions, baseline, *dependencies]
        bytecode_cache = directory / "bytecode"
        measure(targets, 1, bytecode_cache)  # compiles and caches every module once, unmeasured
        measurements = measure(targets, arguments.runs, bytecode_cache)

    function_measurements = [measurements[target.label] for target in functions]
    report(
        function_measurements,
        measurements[baseline.label],
        [measurements[target.label] for target in dependencies],
    )
    if arguments.json:
        write_figures(arguments.json, headline_figures(function_measurements, measurements[baseline.label]))


if __name__ == "__main__":
    main()
