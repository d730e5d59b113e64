"""What a workspace decides about a synced template: whether agents may send it, how its parameters
are filled when a send leaves them out, and a label. 360dialog knows nothing of these; a sync never
touches them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

from pydantic import ConfigDict, Field

from wachannel.domain.template_components import buttons_of, kind, parameter_count
from wachannel.domain.template_rendering import TemplateValues
from wachannel.domain.variables import VARIABLE, variable_problems
from wachannel.models import Model

Problem = dict[str, str]
# What a variable stands for while checking that a URL button's default makes a valid URL.
_SAMPLE_VALUE = "sample"


class TemplateSettings(Model):
    model_config = ConfigDict(frozen=True)

    # A template stored before settings existed was offered to agents, so it stays enabled.
    enabled: bool = True
    parameter_defaults: TemplateValues = Field(default_factory=TemplateValues)
    label: str | None = None


def defaults_problems(components: Sequence[Mapping[str, Any]], defaults: TemplateValues) -> list[Problem]:
    """Every way the defaults do not fit the stored definition: a part given with the wrong number of
    values, a variable this service does not know, a URL button whose default makes no valid URL."""
    expected = parameter_count(components)
    problems: list[Problem] = []
    for part, wanted, given in (
        ("header", expected.header, defaults.header),
        ("body", expected.body, defaults.body),
    ):
        if given and len(given) != wanted:
            problems.append(_count_problem(f"parameter_defaults.{part}", wanted, len(given)))
    if len(defaults.buttons) > len(expected.buttons):
        problems.append(
            {
                "field": "parameter_defaults.buttons",
                "message": f"The template has {len(expected.buttons)} buttons, but defaults for "
                f"{len(defaults.buttons)} were given.",
            }
        )
    buttons = buttons_of(components)
    for index, given in enumerate(defaults.buttons[: len(expected.buttons)]):
        if given and len(given) != expected.buttons[index]:
            problems.append(
                _count_problem(f"parameter_defaults.buttons.{index}", expected.buttons[index], len(given))
            )
        elif given and kind(buttons[index].get("type")) == "URL":
            problems.extend(_url_problems(f"parameter_defaults.buttons.{index}.0", buttons[index], given[0]))
    for part, values in (("header", defaults.header), ("body", defaults.body)):
        problems.extend(_variable_problems(f"parameter_defaults.{part}", values))
    for index, values in enumerate(defaults.buttons):
        problems.extend(_variable_problems(f"parameter_defaults.buttons.{index}", values))
    return problems


def with_defaults(given: TemplateValues, defaults: TemplateValues) -> TemplateValues:
    """The send's own values; a part (or a button) it leaves out takes the saved defaults."""
    buttons = [
        given.buttons[index] if index < len(given.buttons) and given.buttons[index] else default
        for index, default in enumerate(defaults.buttons)
    ]
    buttons += given.buttons[len(defaults.buttons) :]
    return TemplateValues(
        header=given.header or defaults.header,
        body=given.body or defaults.body,
        buttons=buttons,
    )


def _count_problem(field: str, wanted: int, given: int) -> Problem:
    return {
        "field": field,
        "message": f"The template takes {wanted} value{'s' if wanted != 1 else ''} here, but {given} "
        f"{'was' if given == 1 else 'were'} given.",
    }


def _variable_problems(field: str, values: Sequence[str]) -> list[Problem]:
    return [
        {"field": f"{field}.{index}", "message": f"{{{{{name}}}}} is not a variable this service knows."}
        for index, value in enumerate(values)
        for name in variable_problems(value)
    ]


def _url_problems(field: str, button: Mapping[str, Any], default: str) -> list[Problem]:
    url = str(button.get("url") or "")
    suffix = VARIABLE.sub(_SAMPLE_VALUE, default)
    candidate = url.replace("{{1}}", suffix)
    parts = urlsplit(candidate)
    if parts.scheme in ("http", "https") and parts.netloc and not any(c.isspace() for c in candidate):
        return []
    return [
        {
            "field": field,
            "message": f"With this default the button's URL would be {candidate!r}, not a valid URL.",
        }
    ]
