"""Headline figures: how a measurement compares with its target, how it reads, how it travels."""

import pytest

from bench.figures import (
    Failure,
    Figure,
    FigureSheet,
    at_most,
    exactly,
    format_value,
    met_text,
    write_figures,
)


@pytest.mark.parametrize(("value", "met"), [(0.49, True), (0.5, True), (0.51, False), (None, False)])
def test_an_upper_bound_is_met_up_to_and_including_it(value, met):
    assert at_most(0.5).met_by(value) is met


@pytest.mark.parametrize(("value", "met"), [(10, True), (9, False), (11, False), (None, False)])
def test_an_exact_target_is_met_only_by_its_value(value, met):
    assert exactly(10).met_by(value) is met


def test_a_figure_without_a_target_is_neither_met_nor_missed():
    figure = Figure(area="webhook", name="p50 latency", value=42.0, unit="ms")

    assert figure.met is None
    assert figure.target_text() == "-"
    assert met_text(figure.met) == "-"


def test_a_figure_that_was_not_measured_misses_its_target():
    figure = Figure(area="webhook", name="lost messages", value=None, unit="count", target=exactly(0))

    assert figure.met is False
    assert (figure.measured_text(), figure.target_text(), met_text(figure.met)) == (
        "not measured",
        "= 0",
        "NO",
    )


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (0.40449, "ratio", "0.404"),
        (1.5, "ratio", "1.500"),
        (249.6, "ms", "250 ms"),
        (3.0, "count", "3"),
        (1.5, "count", "1.5"),
        (None, "ms", "not measured"),
    ],
)
def test_values_read_in_their_unit(value, unit, text):
    assert format_value(value, unit) == text


@pytest.mark.parametrize(
    ("target", "unit", "text"),
    [(at_most(0.5), "ratio", "<= 0.500"), (at_most(250), "ms", "<= 250 ms"), (exactly(1), "count", "= 1")],
)
def test_targets_read_in_their_figures_unit(target, unit, text):
    assert target.text(unit) == text


def test_a_ratio_just_over_its_bound_does_not_read_as_the_bound():
    figure = Figure(area="cold start", name="channels", value=0.503, unit="ratio", target=at_most(0.5))

    assert (figure.measured_text(), figure.target_text(), met_text(figure.met)) == ("0.503", "<= 0.500", "NO")


def test_a_met_target_reads_yes_and_a_missed_one_no():
    assert (met_text(True), met_text(False)) == ("yes", "NO")


def test_figures_written_by_a_script_read_back_the_same(tmp_path):
    figures = [
        Figure(
            area="send", name="to a contact", value=1.2, unit="ratio", target=at_most(1.5), detail="120 ms"
        ),
        Figure(area="webhook", name="p50 latency", value=None, unit="ms"),
    ]
    failures = [Failure(area="webhook at 100/s", reason="the local stack did not start")]

    write_figures(tmp_path / "figures.json", figures, failures)

    sheet = FigureSheet.model_validate_json((tmp_path / "figures.json").read_text())
    assert sheet == FigureSheet(figures=figures, failures=failures)
    assert [figure.met for figure in sheet.figures] == [True, None]
