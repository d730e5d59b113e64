"""Dynamic variables in template parameter values: `{{contact.first_name}}` and the like, anywhere in
a value ("Dear {{contact.first_name}}!"), filled from the contact and the channel a message goes to.

`{{name|fallback}}` gives the text to use when the variable has no value. A variable that cannot be
filled is refused, never replaced by an empty string: WhatsApp would send the gap to the customer.
Positional `{{1}}` belongs to the template text, not to values, and is left alone here."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Final

from wachannel.domain.contacts import Contact
from wachannel.domain.template_rendering import TemplateValues
from wachannel.errors import ValidationFailed
from wachannel.models import Model

ATTRIBUTE_PREFIX = "contact.attributes."

KNOWN_VARIABLES: Final[dict[str, str]] = {
    "contact.id": "The contact's id in this workspace.",
    "contact.first_name": "The contact's first name.",
    "contact.last_name": "The contact's last name.",
    "contact.name": "First and last name; the WhatsApp profile name when neither is set.",
    "contact.profile_name": "The name the customer set in their WhatsApp profile.",
    "contact.phone_number": "The contact's number in E.164 (+4915112345678).",
    "contact.whatsapp_id": "The contact's WhatsApp id (digits, no +).",
    "contact.email": "The contact's e-mail address.",
    f"{ATTRIBUTE_PREFIX}<key>": "The contact's attribute <key> (any key, spelled exactly as stored).",
    "channel.name": "The name of the channel the message goes out through.",
    "channel.phone_number": "The channel's WhatsApp number in E.164.",
}

# A name starts with a letter or underscore, which is what tells it from a positional {{1}}.
VARIABLE = re.compile(r"\{\{\s*([A-Za-z_][^{}|]*?)\s*(?:\|([^{}]*))?\}\}")


class VariableContext(Model):
    contact: Contact | None = None
    channel_name: str | None = None
    channel_phone_number: str | None = None


def _full_name(contact: Contact) -> str | None:
    names = " ".join(
        name.strip() for name in (contact.first_name, contact.last_name) if name and name.strip()
    )
    return names or contact.profile_name


_CONTACT_VALUES: Final[dict[str, Callable[[Contact], str | None]]] = {
    "contact.id": lambda contact: contact.id,
    "contact.first_name": lambda contact: contact.first_name,
    "contact.last_name": lambda contact: contact.last_name,
    "contact.name": _full_name,
    "contact.profile_name": lambda contact: contact.profile_name,
    "contact.phone_number": lambda contact: contact.phone_number,
    "contact.whatsapp_id": lambda contact: contact.whatsapp_id,
    "contact.email": lambda contact: contact.email,
}
_CHANNEL_VALUES: Final[dict[str, Callable[[VariableContext], str | None]]] = {
    "channel.name": lambda context: context.channel_name,
    "channel.phone_number": lambda context: context.channel_phone_number,
}


def has_variables(text: str) -> bool:
    return VARIABLE.search(text) is not None


def variable_problems(text: str) -> list[str]:
    """The names of the unknown variables in a text, each once, in order of appearance."""
    unknown = (match.group(1) for match in VARIABLE.finditer(text) if not _is_known(match.group(1)))
    return list(dict.fromkeys(unknown))


def resolve_values(values: TemplateValues, context: VariableContext) -> TemplateValues:
    """The values with every variable filled in; ValidationFailed lists each one that cannot be."""
    problems: list[dict[str, str]] = []

    def resolved(text: str, field: str) -> str:
        filled, messages = _resolve_text(text, context)
        problems.extend({"field": field, "message": message} for message in messages)
        return filled

    result = TemplateValues(
        header=[resolved(text, f"parameters.header.{index}") for index, text in enumerate(values.header)],
        body=[resolved(text, f"parameters.body.{index}") for index, text in enumerate(values.body)],
        buttons=[
            [resolved(text, f"parameters.buttons.{button}.{index}") for index, text in enumerate(texts)]
            for button, texts in enumerate(values.buttons)
        ],
    )
    if problems:
        raise ValidationFailed(problems, message="A parameter uses a variable that cannot be filled in.")
    return result


def _resolve_text(text: str, context: VariableContext) -> tuple[str, list[str]]:
    messages: list[str] = []

    def value_for(variable: re.Match[str]) -> str:
        name, fallback = variable.group(1), (variable.group(2) or "").strip()
        if not _is_known(name):
            messages.append(_unknown_message(name))
            return variable.group(0)
        value = _value(name, context)
        if value is not None and value.strip():
            return value
        if fallback:
            return fallback
        messages.append(_no_value_message(name, context))
        return variable.group(0)

    # One pass: a contact's data that itself looks like a variable is sent as written.
    filled = VARIABLE.sub(value_for, text)
    return filled, list(dict.fromkeys(messages))


def _is_known(name: str) -> bool:
    return name in _CONTACT_VALUES or name in _CHANNEL_VALUES or _attribute_key(name) is not None


def _attribute_key(name: str) -> str | None:
    key = name.removeprefix(ATTRIBUTE_PREFIX)
    return key if name.startswith(ATTRIBUTE_PREFIX) and key else None


def _value(name: str, context: VariableContext) -> str | None:
    if name in _CHANNEL_VALUES:
        return _CHANNEL_VALUES[name](context)
    if context.contact is None:
        return None
    key = _attribute_key(name)
    if key is not None:
        return context.contact.attributes.get(key)
    return _CONTACT_VALUES[name](context.contact)


def _unknown_message(name: str) -> str:
    return (
        f"{{{{{name}}}}} is not a variable. Use one of "
        + ", ".join(f"{{{{{known}}}}}" for known in KNOWN_VARIABLES)
        + ", or write the value itself."
    )


def _no_value_message(name: str, context: VariableContext) -> str:
    fallback_hint = f"or add a fallback after a bar, like {{{{{name}|text to use instead}}}}."
    if name in _CHANNEL_VALUES:
        return f"{{{{{name}}}}} has no value for this channel; write the value itself {fallback_hint}"
    if context.contact is None:
        return f"{{{{{name}}}}} needs a contact and none was given; choose a contact {fallback_hint}"
    return f"{{{{{name}}}}} has no value for this contact; fill it in on the contact {fallback_hint}"
