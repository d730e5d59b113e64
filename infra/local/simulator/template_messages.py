"""Template messages checked against the number's stored template as Meta checks them (reference
sections 3 and 3.2), and the text the customer then reads.

The (name, language) must exist and be approved; On-Premise also needs the number's namespace, and
looks templates up in it, so a wrong namespace finds no template (2001). Each component must carry
as many parameters as the template has variables: the body and a text header one per distinct
`{{...}}`, a media or location header one, a URL button with a variable, a copy-code or a one-time
password button one each; a quick reply takes an optional payload.
"""

import re
from dataclasses import dataclass, field
from typing import Any

from infra.local.simulator.errors import (
    INVALID_PARAMETER_VALUE,
    TEMPLATE_DISABLED,
    TEMPLATE_DOES_NOT_EXIST,
    TEMPLATE_PARAMETER_COUNT_MISMATCH,
    TEMPLATE_PARAMETER_FORMAT_MISMATCH,
    TEMPLATE_PAUSED,
    MessagingApiError,
    MessagingErrorKind,
    missing_parameter,
)
from infra.local.simulator.models import ApiGeneration, SimulatedNumber
from infra.local.simulator.outbound import RenderedText
from infra.local.simulator.send_requests import TemplateComponentValues, TemplateMessage, TemplateParameter
from infra.local.simulator.templates import StoredTemplate, TemplateStore

VARIABLE = re.compile(r"\{\{\s*(\w+)\s*\}\}")
TEXT_PARAMETER_TYPES = frozenset({"text", "currency", "date_time"})
MEDIA_HEADER_FORMATS = frozenset({"IMAGE", "VIDEO", "DOCUMENT", "LOCATION"})
# Statuses a send may find besides APPROVED, each with its own refusal; any other status is as if
# the template did not exist.
STATUS_REFUSALS: dict[str, tuple[MessagingErrorKind, str]] = {
    "PAUSED": (
        TEMPLATE_PAUSED,
        "Template is paused due to low quality so it cannot be sent in a template message.",
    ),
    "DISABLED": (
        TEMPLATE_DISABLED,
        "Template has been paused too many times due to low quality and is now permanently disabled.",
    ),
}


@dataclass
class SentComponents:
    """A send's parameters per component: at most one header and one body, one button per index."""

    header: list[TemplateParameter] = field(default_factory=list)
    body: list[TemplateParameter] = field(default_factory=list)
    buttons: dict[int, TemplateComponentValues] = field(default_factory=dict)


def sendable_template(
    templates: TemplateStore, number: SimulatedNumber, message: TemplateMessage
) -> StoredTemplate:
    """The approved template the message names; a missing one answers 404, as in Meta's code table."""
    generation = number.api_generation
    language = message.language.code
    if generation == "on_premise":
        if message.namespace is None:
            raise missing_parameter(generation, "template['namespace']")
        if message.namespace != number.template_namespace:
            raise MessagingApiError(
                404,
                TEMPLATE_DOES_NOT_EXIST,
                generation,
                f"namespace {message.namespace} has no template {message.name} in {language}",
            )
    template = templates.template(number.phone_number, message.name, language)
    if template is None or template.status not in ("APPROVED", *STATUS_REFUSALS):
        raise MessagingApiError(
            404,
            TEMPLATE_DOES_NOT_EXIST,
            generation,
            f"template name ({message.name}) does not exist in {language}",
        )
    if template.status in STATUS_REFUSALS:
        kind, details = STATUS_REFUSALS[template.status]
        raise MessagingApiError(400, kind, generation, details)
    return template


def rendered_template(
    generation: ApiGeneration, template: StoredTemplate, message: TemplateMessage
) -> RenderedText:
    """The template as the customer reads it, once each component's parameters fit the template."""
    sent = sent_components(generation, message.components)
    header = stored_component(template, "HEADER")
    body = stored_component(template, "BODY") or {}
    footer = stored_component(template, "FOOTER")
    buttons = (stored_component(template, "BUTTONS") or {}).get("buttons", [])
    check_buttons(generation, buttons, sent.buttons)
    return RenderedText(
        text=filled_in(generation, "body", str(body.get("text", "")), sent.body),
        header=header_text(generation, header, sent.header),
        footer=None if footer is None else str(footer.get("text", "")),
    )


def sent_components(generation: ApiGeneration, components: list[TemplateComponentValues]) -> SentComponents:
    sent = SentComponents()
    seen: set[tuple[str, int | None]] = set()
    for component in components:
        key = (component.type, component.index if component.type == "button" else None)
        if key in seen:
            where = "button" if component.type == "button" else component.type
            raise MessagingApiError(
                400, INVALID_PARAMETER_VALUE, generation, f"template['components'] repeats the {where}"
            )
        seen.add(key)
        if component.type == "header":
            sent.header = component.parameters
        elif component.type == "body":
            sent.body = component.parameters
        elif component.index is not None:
            sent.buttons[component.index] = component
    return sent


def stored_component(template: StoredTemplate, component_type: str) -> dict[str, Any] | None:
    return next(
        (
            component
            for component in template.components
            if str(component.get("type", "")).upper() == component_type
        ),
        None,
    )


def variables(text: str) -> list[str]:
    """The distinct variables of a text: numbered ones by number, named ones in order of appearance."""
    names = list(dict.fromkeys(match.group(1) for match in VARIABLE.finditer(text)))
    return sorted(names, key=lambda name: (not name.isdigit(), int(name) if name.isdigit() else 0))


def check_count(generation: ApiGeneration, where: str, sent: int, expected: int) -> None:
    if sent != expected:
        raise MessagingApiError(
            400,
            TEMPLATE_PARAMETER_COUNT_MISMATCH,
            generation,
            f"{where}: number of localizable_params ({sent}) does not match the expected number of "
            f"params ({expected})",
        )


def format_mismatch(generation: ApiGeneration, where: str, expected: str, received: str) -> MessagingApiError:
    return MessagingApiError(
        400,
        TEMPLATE_PARAMETER_FORMAT_MISMATCH,
        generation,
        f"{where}: Format mismatch, expected {expected.upper()}, received {received.upper()}",
    )


def filled_in(generation: ApiGeneration, where: str, text: str, parameters: list[TemplateParameter]) -> str:
    """The text with its variables replaced: a named variable by the parameter of that name, others by
    position."""
    names = variables(text)
    check_count(generation, where, len(parameters), len(names))
    for parameter in parameters:
        if parameter.type not in TEXT_PARAMETER_TYPES:
            raise format_mismatch(generation, where, "text", parameter.type)
    by_name = {parameter.parameter_name: parameter for parameter in parameters if parameter.parameter_name}
    values = {
        name: by_name.get(name, parameters[position]).shown_text() for position, name in enumerate(names)
    }
    return VARIABLE.sub(lambda match: values[match.group(1)], text)


def header_text(
    generation: ApiGeneration, header: dict[str, Any] | None, parameters: list[TemplateParameter]
) -> str | None:
    """A text header filled in; None for no header or a media or location one."""
    if header is None:
        check_count(generation, "header", len(parameters), 0)
        return None
    header_format = str(header.get("format", "TEXT")).upper()
    if header_format not in MEDIA_HEADER_FORMATS:
        return filled_in(generation, "header", str(header.get("text", "")), parameters)
    check_count(generation, "header", len(parameters), 1)
    if parameters[0].type != header_format.lower():
        raise format_mismatch(generation, "header", header_format, parameters[0].type)
    return None


def button_sub_type(button: dict[str, Any]) -> str:
    """How a send names the button's kind; one-time password buttons are sent as `url` buttons."""
    button_type = str(button.get("type", "")).upper()
    return "url" if button_type == "OTP" else button_type.lower()


def expected_button_parameters(button: dict[str, Any], sent: int) -> int:
    button_type = str(button.get("type", "")).upper()
    if button_type == "QUICK_REPLY":
        # Its payload is optional.
        return min(sent, 1)
    if button_type in ("OTP", "COPY_CODE") or (
        button_type == "URL" and VARIABLE.search(str(button.get("url", "")))
    ):
        return 1
    return 0


def check_buttons(
    generation: ApiGeneration, buttons: list[dict[str, Any]], sent: dict[int, TemplateComponentValues]
) -> None:
    for index, component in sorted(sent.items()):
        if index >= len(buttons):
            raise MessagingApiError(
                400,
                INVALID_PARAMETER_VALUE,
                generation,
                f"button at index {index}: the template has {len(buttons)} button(s)",
            )
        if component.sub_type != button_sub_type(buttons[index]):
            raise MessagingApiError(
                400,
                INVALID_PARAMETER_VALUE,
                generation,
                f"button at index {index}: sub_type {component.sub_type} does not match the template's "
                f"{button_sub_type(buttons[index])} button",
            )
    for index, button in enumerate(buttons):
        sent_count = len(sent[index].parameters) if index in sent else 0
        check_count(
            generation, f"button at index {index}", sent_count, expected_button_parameters(button, sent_count)
        )
