"""Headline figures: what a bench measured, next to its target. Each bench script writes its own with
`--json PATH`; bench/report.py collects them into one table."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel

Unit = Literal["ratio", "ms", "count"]


class Target(BaseModel, frozen=True):
    relation: Literal["at most", "exactly"]
    bound: float

    def met_by(self, value: float | None) -> bool:
        """A figure that could not be measured does not meet its target."""
        if value is None:
            return False
        return value <= self.bound if self.relation == "at most" else value == self.bound

    def text(self, unit: Unit) -> str:
        return f"{'<=' if self.relation == 'at most' else '='} {format_value(self.bound, unit)}"


def at_most(bound: float) -> Target:
    return Target(relation="at most", bound=bound)


def exactly(bound: float) -> Target:
    return Target(relation="exactly", bound=bound)


class Figure(BaseModel, frozen=True):
    area: str
    name: str
    value: float | None  # None: not measured; the detail says why
    unit: Unit
    target: Target | None = None
    detail: str = ""

    @property
    def met(self) -> bool | None:
        """None when the figure has no target (it is context for the others)."""
        return None if self.target is None else self.target.met_by(self.value)

    def measured_text(self) -> str:
        return format_value(self.value, self.unit)

    def target_text(self) -> str:
        return "-" if self.target is None else self.target.text(self.unit)


def format_value(value: float | None, unit: Unit) -> str:
    """Ratios to three decimals: with two, 0.503 would read as 0.50 and seem to meet <= 0.50."""
    if value is None:
        return "not measured"
    if unit == "ratio":
        return f"{value:.3f}"
    if unit == "ms":
        return f"{value:.0f} ms"
    return f"{value:g}"


def met_text(met: bool | None) -> str:
    return "-" if met is None else "yes" if met else "NO"


class Failure(BaseModel, frozen=True):
    """A part of a bench that could not run, so that its figures are missing."""

    area: str
    reason: str


class FigureSheet(BaseModel, frozen=True):
    figures: list[Figure]
    failures: list[Failure] = []


def write_figures(path: Path, figures: list[Figure], failures: list[Failure] | None = None) -> None:
    path.write_text(FigureSheet(figures=figures, failures=failures or []).model_dump_json(indent=2))
