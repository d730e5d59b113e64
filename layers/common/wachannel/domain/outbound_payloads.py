"""360dialog's request bodies for outbound messages and read receipts, for each API generation
(reference sections 1 and 3). Cloud bodies carry `"messaging_product": "whatsapp"`; On-Premise
bodies are the same objects without it, posted under `/v1/`."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import PurePosixPath
from typing import Any, Literal, NamedTuple
from urllib.parse import quote, unquote, urlsplit

from wachannel.domain.channels import ApiGeneration
from wachannel.domain.outbound import (
    FreeFormContent,
    Interactive,
    Location,
    MediaContent,
    Problem,
    ReactionContent,
    TextContent,
)
from wachannel.domain.template_components import (
    MEDIA_HEADER_FORMATS,
    buttons_of,
    find_component,
    header_format,
    kind,
)
from wachannel.domain.template_rendering import TemplateValues, render, value_count_problems

# Cloud media ids are digits, On-Premise ones UUIDs: anything else in a media header is neither an
# id nor a URL, and would reach the customer as a broken attachment.
_MEDIA_ID = re.compile(r"[A-Za-z0-9._-]{1,256}")


class ProviderCall(NamedTuple):
    method: Literal["POST", "PUT"]
    path: str
    body: dict[str, Any]


def send_path(generation: ApiGeneration) -> str:
    return "/messages" if generation == "cloud" else "/v1/messages"


def message_body(
    generation: ApiGeneration,
    to_wa_id: str,
    content: FreeFormContent,
    *,
    reply_to_wamid: str | None = None,
) -> dict[str, Any]:
    """The body of a free-form send; `reply_to_wamid` quotes the message it names."""
    match content:
        case TextContent():
            body = _envelope(generation, to_wa_id, "text", reply_to_wamid)
            if generation == "cloud":
                body["text"] = {"body": content.body, "preview_url": content.preview_url}
            else:
                # On-Premise reads preview_url beside the text object, not inside it.
                body["text"] = {"body": content.body}
                body["preview_url"] = content.preview_url
            return body
        case MediaContent():
            media = content.media
            body = _envelope(generation, to_wa_id, content.type, reply_to_wamid)
            body[content.type] = _present(
                link=media.link, id=media.id, caption=media.caption, filename=media.filename
            )
            return body
        case Location():
            body = _envelope(generation, to_wa_id, "location", reply_to_wamid)
            body["location"] = _present(
                latitude=content.latitude,
                longitude=content.longitude,
                name=content.name,
                address=content.address,
            )
            return body
        case Interactive():
            body = _envelope(generation, to_wa_id, "interactive", reply_to_wamid)
            body["interactive"] = _interactive(content)
            return body
        case ReactionContent():
            body = _envelope(generation, to_wa_id, "reaction", reply_to_wamid)
            body["reaction"] = {"message_id": content.message_wamid, "emoji": content.emoji}
            return body


def template_value_problems(components: Sequence[Mapping[str, Any]], values: TemplateValues) -> list[Problem]:
    """Values that cannot be sent: a blank one (WhatsApp would show the customer a gap), and values a
    template's header cannot take: a location header (a text value cannot give a place), or a media
    header value that is neither a URL nor a media id."""
    return _blank_value_problems(values) or _header_value_problems(components, values)


def _blank_value_problems(values: TemplateValues) -> list[Problem]:
    located = [
        *((f"header.{index}", value) for index, value in enumerate(values.header)),
        *((f"body.{index}", value) for index, value in enumerate(values.body)),
        *(
            (f"buttons.{button}.{index}", value)
            for button, texts in enumerate(values.buttons)
            for index, value in enumerate(texts)
        ),
    ]
    return [
        {
            "field": f"template.parameters.{place}",
            "message": "This value is empty, and WhatsApp would show the customer a gap: give a value, "
            "a variable with a fallback, or save a default for this parameter.",
        }
        for place, value in located
        if not value.strip()
    ]


def _header_value_problems(components: Sequence[Mapping[str, Any]], values: TemplateValues) -> list[Problem]:
    header = find_component(components, "HEADER")
    header_kind = header_format(header)
    field = "template.parameters.header.0"
    if header_kind == "LOCATION":
        return [
            {
                "field": field,
                "message": "This template's header is a location, which cannot be sent from this API yet; "
                "choose a template without a location header.",
            }
        ]
    if header_kind in MEDIA_HEADER_FORMATS and values.header and not _is_media_reference(values.header[0]):
        media = header_kind.lower()
        return [
            {
                "field": field,
                "message": f"The header takes the {media} itself: give a public https URL of the file "
                "or a 360dialog media id.",
            }
        ]
    return []


def template_body(
    generation: ApiGeneration,
    to_wa_id: str,
    *,
    name: str,
    language: str,
    components: Sequence[Mapping[str, Any]],
    values: TemplateValues,
    namespace: str | None,
    reply_to_wamid: str | None = None,
) -> dict[str, Any]:
    """The body of a template send, its parameters laid out by the stored template's `components`.

    `values` must be resolved (no dynamic variables left). Raises ValueError when they do not fit
    the template (see `value_count_problems` and `template_value_problems`, which callers check
    first to answer 422) or when an On-Premise send has no namespace."""
    problems = [*value_count_problems(components, values), *template_value_problems(components, values)]
    if problems:
        raise ValueError(" ".join(problem["message"] for problem in problems))
    if generation == "on_premise" and not namespace:
        raise ValueError(
            "On-Premise template sends need the template's namespace; sync the channel's templates."
        )
    template: dict[str, Any] = {"name": name, "language": {"code": language, "policy": "deterministic"}}
    if namespace:
        template["namespace"] = namespace
    parameter_components = _parameter_components(components, values)
    if parameter_components:
        template["components"] = parameter_components
    body = _envelope(generation, to_wa_id, "template", reply_to_wamid)
    body["template"] = template
    return body


def read_receipt(generation: ApiGeneration, wamid: str) -> ProviderCall:
    """The call that marks an inbound message read (blue ticks)."""
    if generation == "cloud":
        return ProviderCall(
            "POST", "/messages", {"messaging_product": "whatsapp", "status": "read", "message_id": wamid}
        )
    return ProviderCall("PUT", f"/v1/messages/{quote(wamid, safe='')}", {"status": "read"})


def summary_text(content: FreeFormContent) -> str | None:
    """What a free-form message says, stored as the message's `text`."""
    match content:
        case TextContent():
            return content.body
        case MediaContent():
            return content.media.caption
        case Location():
            return ", ".join(part for part in (content.name, content.address) if part) or None
        case Interactive():
            return content.body
        case ReactionContent():
            return content.emoji or None


def template_summary_text(components: Sequence[Mapping[str, Any]], values: TemplateValues) -> str:
    """A template message's body as the customer reads it, stored as the message's `text`."""
    return render(components, values, use_samples=False).body


def _envelope(
    generation: ApiGeneration, to_wa_id: str, message_type: str, reply_to_wamid: str | None
) -> dict[str, Any]:
    body: dict[str, Any] = {"messaging_product": "whatsapp"} if generation == "cloud" else {}
    body.update({"recipient_type": "individual", "to": to_wa_id, "type": message_type})
    if reply_to_wamid is not None:
        body["context"] = {"message_id": reply_to_wamid}
    return body


def _present(**fields: object) -> dict[str, object]:
    return {name: value for name, value in fields.items() if value is not None}


def _interactive(interactive: Interactive) -> dict[str, Any]:
    result: dict[str, Any] = {"type": interactive.type}
    if interactive.header is not None:
        result["header"] = {"type": "text", "text": interactive.header}
    result["body"] = {"text": interactive.body}
    if interactive.footer is not None:
        result["footer"] = {"text": interactive.footer}
    if interactive.type == "button":
        result["action"] = {
            "buttons": [
                {"type": "reply", "reply": {"id": button.id, "title": button.title}}
                for button in interactive.buttons or []
            ]
        }
    else:
        result["action"] = {
            "button": interactive.button,
            "sections": [
                _present(
                    title=section.title,
                    rows=[
                        _present(id=row.id, title=row.title, description=row.description)
                        for row in section.rows
                    ],
                )
                for section in interactive.sections or []
            ],
        }
    return result


def _parameter_components(
    components: Sequence[Mapping[str, Any]], values: TemplateValues
) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = []
    header_kind = header_format(find_component(components, "HEADER"))
    if values.header and header_kind is not None:
        result.append(
            {
                "type": "header",
                "parameters": [_header_parameter(header_kind, value) for value in values.header],
            }
        )
    if values.body:
        result.append({"type": "body", "parameters": [_text_parameter(value) for value in values.body]})
    for index, (button, button_values) in enumerate(
        zip(buttons_of(components), values.buttons, strict=False)
    ):
        if button_values:
            result.append(_button_component(index, kind(button.get("type")), button_values))
    return result


def _header_parameter(header_kind: str, value: str) -> dict[str, Any]:
    if header_kind not in MEDIA_HEADER_FORMATS:
        return _text_parameter(value)
    media_type = header_kind.lower()
    if not _is_web_url(value):
        return {"type": media_type, media_type: {"id": value}}
    media: dict[str, str] = {"link": value}
    filename = _filename_in(value) if media_type == "document" else None
    if filename:
        media["filename"] = filename
    return {"type": media_type, media_type: media}


def _button_component(index: int, button_type: str | None, values: Sequence[str]) -> dict[str, Any]:
    # Meta addresses a button by its position among all the template's buttons, as a string.
    if button_type == "COPY_CODE":
        return {
            "type": "button",
            "sub_type": "copy_code",
            "index": str(index),
            "parameters": [{"type": "coupon_code", "coupon_code": value} for value in values],
        }
    # URL buttons take the end of their URL; an authentication template's OTP button takes the code
    # the same way.
    return {
        "type": "button",
        "sub_type": "url",
        "index": str(index),
        "parameters": [_text_parameter(value) for value in values],
    }


def _text_parameter(value: str) -> dict[str, str]:
    return {"type": "text", "text": value}


def _is_media_reference(value: str) -> bool:
    return _is_web_url(value) or _MEDIA_ID.fullmatch(value) is not None


def _is_web_url(value: str) -> bool:
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname) and not any(c.isspace() for c in value)


def _filename_in(url: str) -> str | None:
    """The last segment of the URL's path, which WhatsApp shows as the document's name."""
    name = PurePosixPath(unquote(urlsplit(url).path)).name
    return name or None
