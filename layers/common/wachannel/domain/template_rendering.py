"""Rendering a template for preview: its `{{n}}` variables filled with given values or its samples."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import Field

from wachannel.domain.template_components import (
    MEDIA_HEADER_FORMATS,
    PLACEHOLDER,
    buttons_of,
    example_of,
    find_component,
    header_format,
    kind,
    parameter_count,
    text_of,
)
from wachannel.models import Model


class TemplateValues(Model):
    """The values a send gives: `buttons[i]` holds the values of the template's i-th button."""

    header: list[str] = Field(default_factory=list)
    body: list[str] = Field(default_factory=list)
    buttons: list[list[str]] = Field(default_factory=list)


class RenderedButton(Model):
    type: str
    text: str
    url: str | None = None
    phone_number: str | None = None


class RenderedTemplate(Model):
    header: str | None
    header_format: str | None
    header_media_url: str | None
    body: str
    footer: str | None
    buttons: list[RenderedButton]


def render(
    components: Sequence[Mapping[str, Any]],
    values: TemplateValues | None = None,
    *,
    use_samples: bool = True,
) -> RenderedTemplate:
    """Fills `{{n}}` with the n-th value of its component. A value left out (or empty) is taken from
    the template's sample when `use_samples`, else the placeholder stays as written, so a preview
    shows what is still to be filled."""
    given = values or TemplateValues()
    header = find_component(components, "HEADER")
    header_kind = header_format(header)
    body = find_component(components, "BODY")
    footer = find_component(components, "FOOTER")
    header_text = text_of(header)
    return RenderedTemplate(
        header=(
            _fill(header_text, given.header, _header_samples(header), use_samples=use_samples)
            if header_kind == "TEXT" and header_text is not None
            else None
        ),
        header_format=header_kind,
        header_media_url=_media_url(header, header_kind, given.header, use_samples=use_samples),
        body=_fill(text_of(body) or "", given.body, _body_samples(body), use_samples=use_samples),
        footer=text_of(footer),
        buttons=[
            _render_button(button, _values_at(given.buttons, index), use_samples=use_samples)
            for index, button in enumerate(buttons_of(components))
        ],
    )


def value_count_problems(
    components: Sequence[Mapping[str, Any]], values: TemplateValues
) -> list[dict[str, str]]:
    """One problem per component given a different number of values than its variables."""
    expected = parameter_count(components)
    buttons = buttons_of(components)
    problems = [
        {"field": f"parameters.{part}", "message": _count_message(f"The {part}", wanted, len(got))}
        for part, wanted, got in (
            ("header", expected.header, values.header),
            ("body", expected.body, values.body),
        )
        if wanted != len(got)
    ]
    for index, wanted in enumerate(expected.buttons):
        got = len(_values_at(values.buttons, index))
        if wanted != got:
            problems.append(
                {
                    "field": f"parameters.buttons.{index}",
                    "message": _count_message(_button_name(buttons[index], index), wanted, got),
                }
            )
    if len(values.buttons) > len(expected.buttons):
        problems.append(
            {
                "field": "parameters.buttons",
                "message": f"The template has {_counted(len(expected.buttons), 'button')}, but values were "
                f"given for {len(values.buttons)}. Give one entry per button, in the template's order.",
            }
        )
    return problems


def _fill(text: str, values: Sequence[str], samples: Sequence[str], *, use_samples: bool) -> str:
    def value_for(placeholder: re.Match[str]) -> str:
        index = int(placeholder.group(1)) - 1
        value = _at(values, index) or (_at(samples, index) if use_samples else None)
        return value or placeholder.group(0)

    return PLACEHOLDER.sub(value_for, text)


def _media_url(
    header: Mapping[str, Any] | None, header_kind: str | None, values: Sequence[str], *, use_samples: bool
) -> str | None:
    if header is None or header_kind not in MEDIA_HEADER_FORMATS:
        return None
    handles = example_of(header).get("header_handle")
    sample = _at(handles, 0) if use_samples and isinstance(handles, list) else None
    return _at(values, 0) or sample


def _render_button(button: Mapping[str, Any], values: Sequence[str], *, use_samples: bool) -> RenderedButton:
    button_type = kind(button.get("type")) or ""
    url = button.get("url")
    phone_number = button.get("phone_number")
    return RenderedButton(
        type=button_type,
        text=text_of(button) or "",
        url=(
            _fill(url, values, [_url_sample_value(button, url) or ""], use_samples=use_samples)
            if button_type == "URL" and isinstance(url, str)
            else None
        ),
        phone_number=phone_number
        if button_type == "PHONE_NUMBER" and isinstance(phone_number, str)
        else None,
    )


def _url_sample_value(button: Mapping[str, Any], url: str) -> str | None:
    """The value inside the button's example URL: the example is a full URL, the send gives only
    the part that replaces `{{1}}`."""
    example = button.get("example")
    sample = _at(example, 0) if isinstance(example, list) else example
    placeholder = PLACEHOLDER.search(url)
    if not isinstance(sample, str) or placeholder is None:
        return None
    before, after = url[: placeholder.start()], url[placeholder.end() :]
    if len(sample) <= len(before) + len(after) or not sample.startswith(before) or not sample.endswith(after):
        return None
    return sample[len(before) : len(sample) - len(after)]


def _header_samples(header: Mapping[str, Any] | None) -> list[str]:
    samples = example_of(header).get("header_text") if header is not None else None
    return _strings(samples)


def _body_samples(body: Mapping[str, Any] | None) -> list[str]:
    rows = example_of(body).get("body_text") if body is not None else None
    return _strings(rows[0]) if isinstance(rows, list) and rows else []


def _strings(items: object) -> list[str]:
    """Keeps positions: a sample that is not a string reads as missing, not as a shift of the rest."""
    return [item if isinstance(item, str) else "" for item in items] if isinstance(items, list) else []


def _at(items: Sequence[object], index: int) -> str | None:
    item = items[index] if 0 <= index < len(items) else None
    return item if isinstance(item, str) and item else None


def _values_at(buttons: Sequence[Sequence[str]], index: int) -> Sequence[str]:
    return buttons[index] if index < len(buttons) else []


def _button_name(button: Mapping[str, Any], index: int) -> str:
    text = text_of(button)
    return f"Button {index} ({text})" if text else f"Button {index}"


def _count_message(what: str, wanted: int, got: int) -> str:
    advice = f"Give exactly {wanted}." if wanted else "Leave its values out."
    return (
        f"{what} takes {_counted(wanted, 'value')}, but {got} {'was' if got == 1 else 'were'} given. {advice}"
    )


def _counted(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"
