"""Outbound messages: what a send asks for, WhatsApp's rules for it (reference sections 3 and 6),
and the content that goes to 360dialog once the rules pass.

A send is checked as a whole before anything leaves, so one 422 lists every broken rule, each with
its field written the way pydantic writes it (`interactive.buttons.2.title`). The limits are
WhatsApp's; they are rules here rather than model constraints so that no rule hides another."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Literal, get_args
from urllib.parse import urlsplit

from pydantic import ConfigDict, Field

from wachannel.domain.messages import parse_message_id
from wachannel.domain.template_rendering import TemplateValues
from wachannel.errors import ValidationFailed
from wachannel.models import Model

Problem = dict[str, str]

ContentType = Literal[
    "text",
    "image",
    "audio",
    "video",
    "document",
    "sticker",
    "location",
    "interactive",
    "reaction",
    "template",
]
MediaType = Literal["image", "audio", "video", "document", "sticker"]
MEDIA_TYPES: frozenset[MediaType] = frozenset(get_args(MediaType))
CAPTIONED_MEDIA_TYPES: frozenset[MediaType] = frozenset({"image", "video", "document"})

TEXT_MAX = 4096
CAPTION_MAX = 1024
LINK_MAX = 2000
# WhatsApp publishes no limit for a document's file name; 240 keeps it a valid name on every
# common file system once the customer saves it.
FILENAME_MAX = 240
# Meta publishes no limit for a location's name or address either: 1000 bounds what the chat
# shows to a few lines, far above any real place name or postal address.
LOCATION_TEXT_MAX = 1000
INTERACTIVE_BODY_MAX = 1024
INTERACTIVE_HEADER_MAX = 60
INTERACTIVE_FOOTER_MAX = 60
BUTTONS_MAX = 3
BUTTON_ID_MAX = 256
BUTTON_TITLE_MAX = 20
LIST_BUTTON_MAX = 20
SECTIONS_MAX = 10
ROWS_MAX = 10
ROW_ID_MAX = 200
ROW_TITLE_MAX = 24
ROW_DESCRIPTION_MAX = 72
SECTION_TITLE_MAX = 24
TEMPLATE_NAME_MAX = 512
LANGUAGE_MIN = 2
LANGUAGE_MAX = 15
_LANGUAGE_CODE = re.compile(rf"\S{{{LANGUAGE_MIN},{LANGUAGE_MAX}}}")

# One emoji as the customer sees it: a pictograph with an optional presentation selector or skin
# tone, several of those joined by zero-width joiners (family, profession), a flag (two regional
# indicators, or a tag sequence such as England's), or a keycap.
_PICTOGRAPH = (
    "[\u00a9\u00ae\u203c\u2049\u2122\u2139\u2194-\u2199\u21a9\u21aa\u231a-\u23ff\u24c2"
    "\u25aa-\u25fe\u2600-\u27bf\u2934\u2935\u2b05-\u2b55\u3030\u303d\u3297\u3299"
    "\U0001f004\U0001f0cf\U0001f170\U0001f171\U0001f17e\U0001f17f\U0001f18e\U0001f191-\U0001f19a"
    "\U0001f201-\U0001f251\U0001f300-\U0001faff]"
)
_EMOJI_PART = f"{_PICTOGRAPH}[\ufe0f\U0001f3fb-\U0001f3ff]?"
_EMOJI = re.compile(
    "[\U0001f1e6-\U0001f1ff]{2}"
    "|[0-9#*]\ufe0f?\u20e3"
    "|\U0001f3f4[\U000e0020-\U000e007e]+\U000e007f"
    f"|{_EMOJI_PART}(?:\u200d{_EMOJI_PART})*"
)


class OutboundModel(Model):
    model_config = ConfigDict(frozen=True)


class Media(OutboundModel):
    link: str | None = None
    id: str | None = None
    # A file the agent uploaded to the media bucket (POST /channels/{id}/media/uploads).
    upload_id: str | None = None
    caption: str | None = None
    filename: str | None = None


class Location(OutboundModel):
    latitude: float
    longitude: float
    name: str | None = None
    address: str | None = None


class ReplyButton(OutboundModel):
    id: str
    title: str


class ListRow(OutboundModel):
    id: str
    title: str
    description: str | None = None


class ListSection(OutboundModel):
    title: str | None = None
    rows: list[ListRow]


class Interactive(OutboundModel):
    """Reply buttons (`buttons`) or a list (`button` opens it, `sections` hold its rows)."""

    type: Literal["button", "list"]
    body: str
    header: str | None = None
    footer: str | None = None
    buttons: list[ReplyButton] | None = None
    button: str | None = None
    sections: list[ListSection] | None = None


class RequestedReaction(OutboundModel):
    """A reaction as asked for: `message_id` is our message id; an empty emoji removes a reaction."""

    message_id: str
    emoji: str


class TemplateContent(OutboundModel):
    """Parameters may still hold dynamic variables; they are resolved against the contact before sending."""

    name: str
    language: str
    parameters: TemplateValues = Field(default_factory=TemplateValues)


class OutboundContent(OutboundModel):
    """A send as asked for, before the rules: the part `type` names may be missing, others present,
    and message ids are ours (`msg_...`)."""

    type: ContentType
    text: str | None = None
    preview_url: bool = False
    media: Media | None = None
    template: TemplateContent | None = None
    location: Location | None = None
    interactive: Interactive | None = None
    reaction: RequestedReaction | None = None
    reply_to: str | None = None


class TextContent(OutboundModel):
    body: str
    preview_url: bool = False


class MediaContent(OutboundModel):
    type: MediaType
    media: Media


class ReactionContent(OutboundModel):
    """`message_wamid` is WhatsApp's id of the message reacted to; an empty emoji removes a reaction."""

    message_wamid: str
    emoji: str


FreeFormContent = TextContent | MediaContent | Location | Interactive | ReactionContent


class OutboundMessage(OutboundModel):
    """What goes to 360dialog: content that passed the rules, message ids turned into WhatsApp's."""

    content: FreeFormContent | TemplateContent
    reply_to_wamid: str | None = None


_CONTENT_PARTS = ("text", "media", "template", "location", "interactive", "reaction")


def send_problems(content: OutboundContent, *, channel_id: str) -> list[Problem]:
    """Every rule the send breaks, as {"field", "message"}; [] when it may be sent.

    `channel_id` is the channel sending: a reaction or a reply can only refer to one of its messages."""
    return [
        *_part_presence_problems(content),
        *_content_problems(content, channel_id),
        *_reply_to_problems(content, channel_id),
    ]


def outbound_message(content: OutboundContent, *, channel_id: str) -> OutboundMessage:
    """The message to send; ValidationFailed lists every rule the content breaks."""
    problems = send_problems(content, channel_id=channel_id)
    if problems:
        raise ValidationFailed(problems, message="The message breaks WhatsApp's rules; nothing was sent.")
    return OutboundMessage(
        content=_checked_content(content),
        reply_to_wamid=_wamid(content.reply_to) if content.reply_to is not None else None,
    )


def is_single_emoji(text: str) -> bool:
    return _EMOJI.fullmatch(text) is not None


def _checked_content(content: OutboundContent) -> FreeFormContent | TemplateContent:
    if content.type == "text" and content.text is not None:
        return TextContent(body=content.text, preview_url=content.preview_url)
    if content.type == "location" and content.location is not None:
        return content.location
    if content.type == "interactive" and content.interactive is not None:
        return content.interactive
    if content.type == "template" and content.template is not None:
        return content.template
    if content.type == "reaction" and content.reaction is not None:
        return ReactionContent(
            message_wamid=_wamid(content.reaction.message_id), emoji=content.reaction.emoji
        )
    if content.type in MEDIA_TYPES and content.media is not None:
        return MediaContent(type=content.type, media=content.media)
    raise ValueError(f"A {content.type} message without its {_named_part(content.type)} passed the rules.")


def _wamid(message_id: str) -> str:
    parsed = parse_message_id(message_id)
    if parsed is None:
        raise ValueError(f"{message_id!r} is not a message id; send_problems reports it.")
    return parsed[1]


def _problem(field: str, message: str) -> Problem:
    return {"field": field, "message": message}


def _named_part(content_type: str) -> str:
    return "media" if content_type in MEDIA_TYPES else content_type


def _part_presence_problems(content: OutboundContent) -> Iterator[Problem]:
    named = _named_part(content.type)
    if getattr(content, named) is None:
        yield _problem(named, f"A {content.type} message needs {named}; add it, or change type.")
    for part in _CONTENT_PARTS:
        if part != named and getattr(content, part) is not None:
            hint = " (a caption goes in media.caption)" if part == "text" and named == "media" else ""
            yield _problem(
                part, f"A {content.type} message takes no {part}{hint}; leave it out, or change type."
            )
    if content.preview_url and content.type != "text":
        yield _problem("preview_url", "Only a text message shows a link preview; leave preview_url out.")


def _content_problems(content: OutboundContent, channel_id: str) -> Iterable[Problem]:
    if content.type == "text" and content.text is not None:
        return _text_problems("text", content.text, label="The text", limit=TEXT_MAX)
    if content.type in MEDIA_TYPES and content.media is not None:
        return _media_problems(content.type, content.media)
    if content.type == "location" and content.location is not None:
        return _location_problems(content.location)
    if content.type == "interactive" and content.interactive is not None:
        return _interactive_problems(content.interactive)
    if content.type == "reaction" and content.reaction is not None:
        return _reaction_problems(content.reaction, channel_id)
    if content.type == "template" and content.template is not None:
        return _template_problems(content.template)
    return []


def _text_problems(
    field: str, value: str | None, *, label: str, limit: int, required: bool = True
) -> list[Problem]:
    """A required text must be given; any text given must have a visible character and fit the limit."""
    if value is None:
        return [_problem(field, f"{label} is missing; write 1 to {limit} characters.")] if required else []
    if not value.strip():
        leave_out = "" if required else ", or leave it out"
        return [_problem(field, f"{label} is empty; write 1 to {limit} characters{leave_out}.")]
    if len(value) > limit:
        return [
            _problem(
                field,
                f"{label} has {len(value)} characters; WhatsApp allows at most {limit}. Shorten it.",
            )
        ]
    return []


def _media_problems(media_type: str, media: Media) -> Iterator[Problem]:
    if [media.link, media.id, media.upload_id].count(None) != 2:
        yield _problem(
            "media",
            "Give the file one way: by link (an https URL), by id (a 360dialog media id) or by "
            "upload_id (a file uploaded through POST /channels/{channel_id}/media/uploads).",
        )
    if media.link is not None and not _is_https_url(media.link):
        yield _problem(
            "media.link", "The link must be a public https:// URL, like https://cdn.example.com/a.jpg."
        )
    elif media.link is not None and len(media.link) > LINK_MAX:
        yield _problem(
            "media.link",
            f"The link has {len(media.link)} characters; WhatsApp allows at most {LINK_MAX}. "
            "Use a shorter URL.",
        )
    if media.id is not None and not media.id.strip():
        yield _problem("media.id", "The media id is empty; give the id 360dialog returned for the upload.")
    if media.caption is not None and media_type not in CAPTIONED_MEDIA_TYPES:
        yield _problem(
            "media.caption",
            f"WhatsApp shows no caption on {media_type}; leave it out, or send the text as its own message.",
        )
    elif media.caption is not None:
        yield from _text_problems(
            "media.caption", media.caption, label="The caption", limit=CAPTION_MAX, required=False
        )
    if media.filename is not None and media_type != "document":
        yield _problem("media.filename", f"Only a document has a file name; leave it out for {media_type}.")
    elif media.filename is not None:
        yield from _text_problems(
            "media.filename", media.filename, label="The file name", limit=FILENAME_MAX, required=False
        )


def _is_https_url(value: str) -> bool:
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme == "https" and bool(parts.hostname) and not any(char.isspace() for char in value)


def _location_problems(location: Location) -> Iterator[Problem]:
    # Written as "not within" so that NaN, which compares false to everything, is refused too.
    if not -90 <= location.latitude <= 90:
        yield _problem("location.latitude", "The latitude must be between -90 and 90 degrees.")
    if not -180 <= location.longitude <= 180:
        yield _problem("location.longitude", "The longitude must be between -180 and 180 degrees.")
    yield from _text_problems(
        "location.name", location.name, label="The name", limit=LOCATION_TEXT_MAX, required=False
    )
    yield from _text_problems(
        "location.address", location.address, label="The address", limit=LOCATION_TEXT_MAX, required=False
    )


def _interactive_problems(interactive: Interactive) -> Iterator[Problem]:
    yield from _text_problems(
        "interactive.body", interactive.body, label="The body", limit=INTERACTIVE_BODY_MAX
    )
    yield from _text_problems(
        "interactive.header",
        interactive.header,
        label="The header",
        limit=INTERACTIVE_HEADER_MAX,
        required=False,
    )
    yield from _text_problems(
        "interactive.footer",
        interactive.footer,
        label="The footer",
        limit=INTERACTIVE_FOOTER_MAX,
        required=False,
    )
    if interactive.type == "button":
        yield from _reply_button_problems(interactive)
    else:
        yield from _list_problems(interactive)


def _reply_button_problems(interactive: Interactive) -> Iterator[Problem]:
    for field in ("button", "sections"):
        if getattr(interactive, field) is not None:
            yield _problem(
                f"interactive.{field}",
                f"Reply buttons take no {field}; leave it out, or set interactive.type to list.",
            )
    buttons = interactive.buttons or []
    if not 1 <= len(buttons) <= BUTTONS_MAX:
        yield _problem(
            "interactive.buttons",
            f"Give 1 to {BUTTONS_MAX} buttons, each {{id, title}}; this message has {len(buttons)}.",
        )
    for index, button in enumerate(buttons):
        field = f"interactive.buttons.{index}"
        yield from _text_problems(f"{field}.id", button.id, label="The button id", limit=BUTTON_ID_MAX)
        yield from _text_problems(
            f"{field}.title", button.title, label="The button title", limit=BUTTON_TITLE_MAX
        )
    yield from _repeat_problems(
        ((f"interactive.buttons.{index}.id", button.id) for index, button in enumerate(buttons)),
        what="button id",
    )
    yield from _repeat_problems(
        ((f"interactive.buttons.{index}.title", button.title) for index, button in enumerate(buttons)),
        what="button title",
    )


def _list_problems(interactive: Interactive) -> Iterator[Problem]:
    if interactive.buttons is not None:
        yield _problem(
            "interactive.buttons",
            "A list takes no buttons; give its rows in sections, or set interactive.type to button.",
        )
    yield from _text_problems(
        "interactive.button",
        interactive.button,
        label="The label of the button that opens the list",
        limit=LIST_BUTTON_MAX,
    )
    sections = interactive.sections or []
    if not 1 <= len(sections) <= SECTIONS_MAX:
        yield _problem(
            "interactive.sections",
            f"Give 1 to {SECTIONS_MAX} sections, each with its rows; this list has {len(sections)}.",
        )
    row_count = sum(len(section.rows) for section in sections)
    if row_count > ROWS_MAX:
        yield _problem(
            "interactive.sections",
            f"A list holds at most {ROWS_MAX} rows over all its sections; this one has {row_count}. "
            "Remove some, or send a second list.",
        )
    for index, section in enumerate(sections):
        yield from _section_problems(f"interactive.sections.{index}", section, titled=len(sections) > 1)
    yield from _repeat_problems(
        (
            (f"interactive.sections.{section_index}.rows.{row_index}.id", row.id)
            for section_index, section in enumerate(sections)
            for row_index, row in enumerate(section.rows)
        ),
        what="row id",
    )


def _section_problems(field: str, section: ListSection, *, titled: bool) -> Iterator[Problem]:
    if titled and section.title is None:
        yield _problem(f"{field}.title", "A list with several sections needs a title on each; add one.")
    yield from _text_problems(
        f"{field}.title", section.title, label="The section title", limit=SECTION_TITLE_MAX, required=False
    )
    if not section.rows:
        yield _problem(f"{field}.rows", "A section needs at least one row; add a row or remove the section.")
    for index, row in enumerate(section.rows):
        yield from _text_problems(f"{field}.rows.{index}.id", row.id, label="The row id", limit=ROW_ID_MAX)
        yield from _text_problems(
            f"{field}.rows.{index}.title", row.title, label="The row title", limit=ROW_TITLE_MAX
        )
        yield from _text_problems(
            f"{field}.rows.{index}.description",
            row.description,
            label="The row description",
            limit=ROW_DESCRIPTION_MAX,
            required=False,
        )


def _repeat_problems(values: Iterable[tuple[str, str]], *, what: str) -> Iterator[Problem]:
    """One problem at every use of a value after its first: the customer's reply names only the value."""
    seen: Counter[str] = Counter()
    for field, value in values:
        if seen[value]:
            yield _problem(field, f"The {what} {value!r} is used more than once; give each a different one.")
        seen[value] += 1


def _reaction_problems(reaction: RequestedReaction, channel_id: str) -> Iterator[Problem]:
    yield from _message_reference_problems(
        "reaction.message_id", reaction.message_id, channel_id, purpose="react to"
    )
    if reaction.emoji and not is_single_emoji(reaction.emoji):
        yield _problem("reaction.emoji", 'Give a single emoji, like "👍", or "" to remove the reaction.')


def _template_problems(template: TemplateContent) -> Iterator[Problem]:
    yield from _text_problems(
        "template.name", template.name, label="The template name", limit=TEMPLATE_NAME_MAX
    )
    if _LANGUAGE_CODE.fullmatch(template.language) is None:
        yield _problem(
            "template.language",
            "Give the language code of an approved translation exactly, like en_US or de.",
        )


def _reply_to_problems(content: OutboundContent, channel_id: str) -> Iterator[Problem]:
    if content.reply_to is None:
        return
    if content.type == "reaction":
        yield _problem(
            "reply_to", "A reaction already names its message in reaction.message_id; leave reply_to out."
        )
    else:
        yield from _message_reference_problems("reply_to", content.reply_to, channel_id, purpose="reply to")


def _message_reference_problems(
    field: str, value: str, channel_id: str, *, purpose: str
) -> Iterator[Problem]:
    parsed = parse_message_id(value)
    if parsed is None:
        yield _problem(
            field,
            f"This is not a message id; give the id of the message to {purpose}, as listed with messages.",
        )
    elif parsed[0] != channel_id:
        yield _problem(
            field,
            f"That message belongs to another channel; {purpose} a message of this channel's conversation.",
        )
