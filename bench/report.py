"""One bench report: runs every bench script in a child process of its own, one after the other,
collects the headline figures each writes with `--json`, prints them in one table beside their
targets and writes that table, the machine and each script's own output to bench/report.md.

Run with `make bench` (or `.venv/bin/python bench/report.py --webhook-seconds 10` for a shorter webhook
load; the default is issue 4's 60 s at 100 events/s). A script that crashes or hangs is a failed row
in the table; the others still run. Exits 1 when a target is missed or a bench failed."""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import re
import shlex
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

# Run as a script, only bench/ is on sys.path: the repo root goes in front for bench.figures.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pydantic import ValidationError

from bench.figures import Failure, Figure, FigureSheet, met_text
from bench.tables import print_table

ROOT = Path(__file__).resolve().parents[1]
BENCH_DIR = ROOT / "bench"
REPORT_PATH = BENCH_DIR / "report.md"
# Far beyond a normal run (the webhook's, the longest, takes about five minutes): only a hang gets here.
BENCH_TIMEOUT_SECONDS = 30 * 60
# The webhook bench stops its local stack with SIGTERM, then SIGKILL after 20 s.
STOP_GRACE_SECONDS = 30
DETAIL_LIMIT = 120
HEADERS = ["figure", "measured", "target", "met", "detail"]


@dataclass(frozen=True)
class Bench:
    script: str  # a file in bench/
    arguments: tuple[str, ...] = ()

    def command(self, figures_path: Path) -> list[str]:
        return [sys.executable, str(BENCH_DIR / self.script), *self.arguments, "--json", str(figures_path)]


def benches(webhook_seconds: float) -> list[Bench]:
    return [
        Bench("cold_start.py"),
        Bench("webhook.py", ("--seconds", f"{webhook_seconds:g}")),
        Bench("template_sync.py"),
        Bench("send.py"),
    ]


@dataclass(frozen=True)
class BenchRun:
    bench: Bench
    exit_status: int | None  # None: stopped after BENCH_TIMEOUT_SECONDS
    seconds: float
    output: str
    errors: str
    sheet: FigureSheet  # when the script wrote none, a single failure saying why


@dataclass(frozen=True)
class Machine:
    cores: int
    cpu: str
    python: str
    system: str

    def text(self) -> str:
        return f"{self.cores} cores, {self.cpu}, Python {self.python}, {self.system}"


@dataclass(frozen=True)
class ReportContext:
    date: datetime
    machine: Machine
    command: str


# ---------------------------------------------------------------------------------------------------
# Assembly: pure functions from runs to rows and markdown
# ---------------------------------------------------------------------------------------------------


def one_line(text: str, limit: int = DETAIL_LIMIT) -> str:
    """The first non-empty line, cut to `limit` characters: a cell of a one-line-per-row table."""
    line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return line if len(line) <= limit else line[: limit - 3] + "..."


def failure_of(script: str, exit_status: int | None, errors: str) -> Failure:
    """Why a script left no figures: it was stopped, or the last line it wrote to stderr."""
    if exit_status is None:
        return Failure(area=script, reason=f"stopped after {BENCH_TIMEOUT_SECONDS} s")
    last_error = next((line.strip() for line in reversed(errors.splitlines()) if line.strip()), "")
    return Failure(area=script, reason=f"exit status {exit_status}: {last_error or 'no figures written'}")


def sheet_of(script: str, exit_status: int | None, errors: str, figures_path: Path) -> FigureSheet:
    """The figures the script wrote; a script that wrote none (or none readable) is one failure."""
    if exit_status is not None:
        with contextlib.suppress(FileNotFoundError, ValidationError):
            return FigureSheet.model_validate_json(figures_path.read_text())
    return FigureSheet(figures=[], failures=[failure_of(script, exit_status, errors)])


def figure_cells(figure: Figure) -> list[str]:
    return [figure.measured_text(), figure.target_text(), met_text(figure.met), one_line(figure.detail)]


def failure_cells(failure: Failure) -> list[str]:
    return ["failed", "-", met_text(False), one_line(failure.reason)]


def table_rows(
    runs: list[BenchRun], heading: Callable[[str], str] = str, indent: str = "  "
) -> list[list[str]]:
    """Every figure, then every failure, of each run in turn, under a heading row for each area."""
    named_rows = [
        (area, [indent + name, *cells])
        for run in runs
        for area, name, cells in [
            *((figure.area, figure.name, figure_cells(figure)) for figure in run.sheet.figures),
            *((failure.area, "all its figures", failure_cells(failure)) for failure in run.sheet.failures),
        ]
    ]
    rows: list[list[str]] = []
    for index, (area, row) in enumerate(named_rows):
        if index == 0 or area != named_rows[index - 1][0]:
            rows.append([heading(area), *[""] * (len(HEADERS) - 1)])
        rows.append(row)
    return rows


def summary(runs: list[BenchRun]) -> str:
    targeted = [figure for run in runs for figure in run.sheet.figures if figure.target is not None]
    met = sum(1 for figure in targeted if figure.met)
    failures = sum(len(run.sheet.failures) for run in runs)
    failed = f"; {failures} bench part(s) failed, their figures missing" if failures else ""
    return f"{met} of {len(targeted)} targets met{failed}."


def all_met(runs: list[BenchRun]) -> bool:
    return all(not run.sheet.failures and all(f.met is not False for f in run.sheet.figures) for run in runs)


def markdown_cell(text: str) -> str:
    return text.replace("|", "\\|")


def markdown_table(headers: list[str], rows: list[list[str]]) -> list[str]:
    return [
        "| " + " | ".join(markdown_cell(cell) for cell in row) + " |"
        for row in [headers, ["---"] * len(headers), *rows]
    ]


def fenced(text: str) -> list[str]:
    """A code block whose fence is longer than any run of backticks inside it."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return [fence + "text", text.rstrip("\n"), fence]


def run_status(run: BenchRun) -> str:
    return "stopped (timeout)" if run.exit_status is None else str(run.exit_status)


def render_markdown(context: ReportContext, runs: list[BenchRun]) -> str:
    lines = [
        "# Bench report",
        "",
        f"- Date: {context.date:%Y-%m-%d %H:%M} UTC",
        f"- Machine: {context.machine.text()}",
        f"- Command: `{context.command}`",
        "",
        *markdown_table(HEADERS, table_rows(runs, heading=lambda area: f"**{area}**", indent="")),
        "",
        summary(runs),
        "",
        "## Runs",
        "",
        *markdown_table(
            ["script", "arguments", "took", "exit status"],
            [
                [run.bench.script, shlex.join(run.bench.arguments), f"{run.seconds:.0f} s", run_status(run)]
                for run in runs
            ],
        ),
        "",
        "## Each script's own output",
    ]
    for run in runs:
        lines += ["", f"### {run.bench.script}", "", *fenced(run.output or "(no output)")]
        if run.errors.strip():
            lines += ["", "stderr:", "", *fenced(run.errors)]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------------
# Running the scripts and describing the machine
# ---------------------------------------------------------------------------------------------------


def stop_group(process: subprocess.Popen[str]) -> tuple[str, str]:
    """SIGTERM to the script's process group (the webhook bench's local stack is in it), then SIGKILL."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        return process.communicate(timeout=STOP_GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        return process.communicate()


def run_bench(bench: Bench, scratch: Path) -> BenchRun:
    figures_path = scratch / f"{Path(bench.script).stem}.json"
    started = time.monotonic()
    # A group of its own, so that a hung script is stopped with everything it started.
    process = subprocess.Popen(
        bench.command(figures_path),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        errors="replace",
        start_new_session=True,
    )
    exit_status: int | None
    try:
        output, errors = process.communicate(timeout=BENCH_TIMEOUT_SECONDS)
        exit_status = process.returncode
    except subprocess.TimeoutExpired:
        output, errors = stop_group(process)
        exit_status = None
    except BaseException:  # Ctrl-C reaches only the report's own group
        stop_group(process)
        raise
    return BenchRun(
        bench,
        exit_status,
        time.monotonic() - started,
        output,
        errors,
        sheet_of(bench.script, exit_status, errors, figures_path),
    )


def this_machine() -> Machine:
    cpu = platform.processor() or "unknown CPU"
    with contextlib.suppress(OSError):
        models = re.findall(r"^model name\s*:\s*(.+)$", Path("/proc/cpuinfo").read_text(), re.MULTILINE)
        cpu = models[0].strip() if models else cpu
    try:
        system = (
            f"{platform.freedesktop_os_release()['PRETTY_NAME']}, {platform.system()} {platform.release()}"
        )
    except (OSError, KeyError):
        system = platform.platform()
    # The cores this process may run on, which a container or taskset can make fewer than the host's.
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 0
    return Machine(cores, cpu, platform.python_version(), system)


def shown_command() -> str:
    def shown(path: str) -> str:
        absolute = Path(path).absolute()
        return str(absolute.relative_to(ROOT)) if absolute.is_relative_to(ROOT) else path

    return shlex.join([shown(sys.executable), shown(sys.argv[0]), *sys.argv[1:]])


def positive_float(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError("must be greater than 0")
    return value


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument(
        "--webhook-seconds",
        type=positive_float,
        default=60,
        help="how long the webhook load runs, at 100 events/s (default 60, as issue 4 asks)",
    )
    arguments = parser.parse_args()

    context = ReportContext(datetime.now(UTC), this_machine(), shown_command())
    runs = []
    with tempfile.TemporaryDirectory(prefix="bench-report-") as scratch:
        for bench in benches(arguments.webhook_seconds):
            print(f"{shlex.join([bench.script, *bench.arguments])} ...", end=" ", flush=True)
            run = run_bench(bench, Path(scratch))
            failed = " (failed)" if run.sheet.failures else ""
            print(f"{run.seconds:.0f} s, exit status {run_status(run)}{failed}", flush=True)
            runs.append(run)

    REPORT_PATH.write_text(render_markdown(context, runs))
    print(f"\n{context.date:%Y-%m-%d %H:%M} UTC; {context.machine.text()}; {context.command}\n")
    print_table(HEADERS, table_rows(runs))
    print(f"\n{summary(runs)}\nWritten to {REPORT_PATH.relative_to(ROOT)}, with each script's own output.")
    return 0 if all_met(runs) else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:  # the running script's group has been stopped on the way out
        sys.exit(130)
