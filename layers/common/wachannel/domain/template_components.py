"""Reading WhatsApp template components as 360dialog returns them: a list of HEADER, BODY, FOOTER
and BUTTONS objects. Stored templates come from the provider over years of API changes, so a part
with an odd shape reads as absent here, never as an error; `template_rules` judges new input."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import Field

from wachannel.models import Model

PLACEHOLDER = re.compile(r"\{\{\s*(\d+)\s*\}\}")
MEDIA_HEADER_FORMATS = frozenset({"IMAGE", "VIDEO", "DOCUMENT"})
# A location header has no sample, but a send must give the location, so it takes a value too.
_HEADER_FORMATS_TAKING_A_VALUE = MEDIA_HEADER_FORMATS | {"LOCATION"}
_BUTTON_TYPES_TAKING_A_VALUE = frozenset({"COPY_CODE", "OTP"})


class ParameterCount(Model):
    """How many values a send gives each component; `buttons` has one entry per button, in order."""

    header: int = 0
    body: int = 0
    buttons: list[int] = Field(default_factory=list)


def placeholders(text: str) -> list[int]:
    """The numbers of the `{{n}}` variables in order of appearance, repeats included."""
    return [int(number) for number in PLACEHOLDER.findall(text)]


def kind(value: object) -> str | None:
    """A `type` or `format` in upper case (the provider's casing varies); None if not a string."""
    return value.upper() if isinstance(value, str) else None


def find_component(components: Sequence[Mapping[str, Any]], component_type: str) -> Mapping[str, Any] | None:
    """The first component of a type (HEADER, BODY, FOOTER or BUTTONS), or None."""
    for component in _objects(components):
        if kind(component.get("type")) == component_type:
            return component
    return None


def text_of(component: Mapping[str, Any] | None) -> str | None:
    text = component.get("text") if component is not None else None
    return text if isinstance(text, str) else None


def header_format(header: Mapping[str, Any] | None) -> str | None:
    """TEXT, IMAGE, VIDEO, DOCUMENT or LOCATION; a header with text but no format is a text header."""
    if header is None:
        return None
    given = kind(header.get("format"))
    if given is None and text_of(header) is not None:
        return "TEXT"
    return given


def buttons_of(components: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The buttons in order. An entry that is not an object reads as an empty button rather than
    being skipped, because sends address buttons by their index."""
    component = find_component(components, "BUTTONS")
    buttons = component.get("buttons") if component is not None else None
    if not isinstance(buttons, list):
        return []
    return [button if isinstance(button, Mapping) else {} for button in buttons]


def example_of(item: Mapping[str, Any]) -> Mapping[str, Any]:
    example = item.get("example")
    return example if isinstance(example, Mapping) else {}


def parameter_count(components: Sequence[Mapping[str, Any]]) -> ParameterCount:
    return ParameterCount(
        header=_header_parameters(find_component(components, "HEADER")),
        body=len(set(placeholders(text_of(find_component(components, "BODY")) or ""))),
        buttons=[_button_parameters(button) for button in buttons_of(components)],
    )


def _header_parameters(header: Mapping[str, Any] | None) -> int:
    header_kind = header_format(header)
    if header_kind == "TEXT":
        return len(set(placeholders(text_of(header) or "")))
    return 1 if header_kind in _HEADER_FORMATS_TAKING_A_VALUE else 0


def _button_parameters(button: Mapping[str, Any]) -> int:
    button_type = kind(button.get("type"))
    if button_type == "URL":
        url = button.get("url")
        return 1 if isinstance(url, str) and placeholders(url) else 0
    return 1 if button_type in _BUTTON_TYPES_TAKING_A_VALUE else 0


def _objects(components: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    if not isinstance(components, Sequence) or isinstance(components, str):
        return []
    return [component for component in components if isinstance(component, Mapping)]
