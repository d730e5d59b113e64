"""The one bench report: its rows, failed benches among them, and the markdown it writes."""

from datetime import UTC, datetime
from pathlib import Path

from bench.figures import Failure, Figure, FigureSheet, at_most, exactly, write_figures
from bench.report import (
    BENCH_TIMEOUT_SECONDS,
    HEADERS,
    Bench,
    BenchRun,
    Machine,
    ReportContext,
    all_met,
    benches,
    one_line,
    render_markdown,
    sheet_of,
    summary,
    table_rows,
)

COLD_START = "cold start: function / naive function"
WEBHOOK_LOAD = "webhook at 100/s for 60 s, 20% redeliveries"
CONTEXT = ReportContext(
    date=datetime(2026, 11, 24, 10, 30, tzinfo=UTC),
    machine=Machine(
        cores=2, cpu="AMD EPYC", python="3.11.7", system="Debian GNU/Linux 12 (bookworm), Linux 6.18"
    ),
    command=".venv/bin/python bench/report.py",
)


def run_of(script, figures=(), failures=(), *, exit_status=0, output="its own tables\n", errors=""):
    return BenchRun(
        bench=Bench(script),
        exit_status=exit_status,
        seconds=12.3,
        output=output,
        errors=errors,
        sheet=FigureSheet(figures=list(figures), failures=list(failures)),
    )


def cold_start_run():
    return run_of(
        "cold_start.py",
        [
            Figure(
                area=COLD_START,
                name="channels",
                value=0.6,
                unit="ratio",
                target=at_most(0.5),
                detail="648 ms",
            ),
            Figure(
                area=COLD_START, name="docs", value=0.06, unit="ratio", target=at_most(0.5), detail="62 ms"
            ),
        ],
    )


def webhook_run():
    return run_of(
        "webhook.py",
        [Figure(area=WEBHOOK_LOAD, name="p50 latency", value=41.7, unit="ms")],
        [Failure(area="webhook: DynamoDB requests per POST", reason="no webhook registered\nat the double")],
        exit_status=1,
    )


def test_each_area_heads_its_figures_and_each_figure_sits_beside_its_target():
    assert table_rows([cold_start_run()]) == [
        [COLD_START, "", "", "", ""],
        ["  channels", "0.600", "<= 0.500", "NO", "648 ms"],
        ["  docs", "0.060", "<= 0.500", "yes", "62 ms"],
    ]


def test_a_part_that_failed_is_a_failed_row_under_its_area():
    assert table_rows([webhook_run()]) == [
        [WEBHOOK_LOAD, "", "", "", ""],
        ["  p50 latency", "42 ms", "-", "-", ""],
        ["webhook: DynamoDB requests per POST", "", "", "", ""],
        ["  all its figures", "failed", "-", "NO", "no webhook registered"],
    ]


def test_every_row_has_a_cell_per_header():
    rows = table_rows([cold_start_run(), webhook_run()])

    assert {len(row) for row in rows} == {len(HEADERS)}


def test_a_script_that_wrote_figures_is_read_even_when_it_exits_non_zero(tmp_path):
    figure = Figure(area="send", name="to a contact", value=2.3, unit="ratio", target=at_most(1.5))
    write_figures(tmp_path / "send.json", [figure])

    sheet = sheet_of("send.py", 1, "", tmp_path / "send.json")

    assert sheet == FigureSheet(figures=[figure])


def test_a_script_that_crashed_fails_with_the_last_line_it_wrote(tmp_path):
    errors = "Traceback (most recent call last):\n  File ...\nRuntimeError: the send failed: 500\n\n"

    sheet = sheet_of("send.py", 1, errors, tmp_path / "never-written.json")

    assert sheet == FigureSheet(
        figures=[],
        failures=[Failure(area="send.py", reason="exit status 1: RuntimeError: the send failed: 500")],
    )
    assert table_rows([run_of("send.py", failures=sheet.failures)])[1] == [
        "  all its figures",
        "failed",
        "-",
        "NO",
        "exit status 1: RuntimeError: the send failed: 500",
    ]


def test_a_script_that_was_stopped_fails_as_stopped(tmp_path):
    write_figures(tmp_path / "webhook.json", [])

    sheet = sheet_of("webhook.py", None, "", tmp_path / "webhook.json")

    assert sheet.failures == [Failure(area="webhook.py", reason=f"stopped after {BENCH_TIMEOUT_SECONDS} s")]


def test_unreadable_figures_are_a_failure(tmp_path):
    (tmp_path / "cold_start.json").write_text('{"figures": [{"name": "half a figure"}]}')

    sheet = sheet_of("cold_start.py", 0, "", tmp_path / "cold_start.json")

    assert sheet.figures == []
    assert sheet.failures == [Failure(area="cold_start.py", reason="exit status 0: no figures written")]


def test_long_or_multi_line_details_are_cut_to_one_line():
    assert one_line("\n  first line  \nsecond line") == "first line"
    assert one_line("x" * 200, limit=20) == "x" * 17 + "..."


def test_the_summary_counts_targets_met_and_failed_parts():
    runs = [cold_start_run(), webhook_run()]

    assert summary(runs) == "1 of 2 targets met; 1 bench part(s) failed, their figures missing."
    assert not all_met(runs)


def test_all_met_needs_every_target_met_and_no_failure():
    met = Figure(area="template sync", name="template writes", value=0, unit="count", target=exactly(0))
    context_only = Figure(area="webhook", name="p50 latency", value=41.7, unit="ms")

    assert all_met([run_of("template_sync.py", [met, context_only])])
    assert summary([run_of("template_sync.py", [met, context_only])]) == "1 of 1 targets met."


def test_the_markdown_report_names_date_machine_and_command_above_the_table():
    markdown = render_markdown(CONTEXT, [cold_start_run(), webhook_run()])

    assert markdown.splitlines()[:9] == [
        "# Bench report",
        "",
        "- Date: 2026-11-24 10:30 UTC",
        "- Machine: 2 cores, AMD EPYC, Python 3.11.7, Debian GNU/Linux 12 (bookworm), Linux 6.18",
        "- Command: `.venv/bin/python bench/report.py`",
        "",
        "| figure | measured | target | met | detail |",
        "| --- | --- | --- | --- | --- |",
        f"| **{COLD_START}** |  |  |  |  |",
    ]
    assert "| channels | 0.600 | <= 0.500 | NO | 648 ms |" in markdown
    assert "| all its figures | failed | - | NO | no webhook registered |" in markdown
    assert "1 of 2 targets met; 1 bench part(s) failed, their figures missing." in markdown


def test_the_markdown_report_lists_each_run_and_keeps_each_scripts_own_output():
    runs = [run_of("webhook.py", exit_status=None, output="", errors="the stack's log ends with ```x```\n")]

    markdown = render_markdown(CONTEXT, runs)

    assert "| webhook.py |  | 12 s | stopped (timeout) |" in markdown
    assert "### webhook.py\n\n```text\n(no output)\n```" in markdown
    assert "stderr:\n\n````text\nthe stack's log ends with ```x```\n````" in markdown


def test_pipes_in_cells_do_not_split_markdown_columns():
    figure = Figure(area="send", name="a | b", value=1.0, unit="ratio", target=at_most(1.5))

    markdown = render_markdown(CONTEXT, [run_of("send.py", [figure])])

    assert "| a \\| b | 1.000 | <= 1.500 | yes |  |" in markdown


def test_the_benches_run_with_their_own_defaults_but_the_webhook_load_length(tmp_path):
    commands = {bench.script: bench.command(tmp_path / "f.json")[1:] for bench in benches(10)}

    assert commands["webhook.py"][1:] == ["--seconds", "10", "--json", str(tmp_path / "f.json")]
    assert [Path(command[0]).name for command in commands.values()] == [
        "cold_start.py",
        "webhook.py",
        "template_sync.py",
        "send.py",
    ]
    assert benches(60)[1].arguments == ("--seconds", "60")
