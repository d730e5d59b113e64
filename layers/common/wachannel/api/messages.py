"""The send route of the HTTP contract: `POST /channels/{channel_id}/messages`.

Fields carry only their types and size bounds that keep a request small. WhatsApp's limits are
checked afterwards by `wachannel.domain.outbound.send_problems`, so that one 422 lists every broken
rule instead of stopping at the first."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from wachannel.api.common import RequestModel
from wachannel.api.template_parameters import TemplateParameters
from wachannel.domain.outbound import (
    ContentType,
    Interactive,
    ListRow,
    ListSection,
    Location,
    Media,
    OutboundContent,
    ReplyButton,
    RequestedReaction,
    TemplateContent,
)

BoundedText = Annotated[str, StringConstraints(max_length=10_000)]
# Bounds on list sizes sit far above WhatsApp's own (3 buttons, 10 sections, 10 rows), which
# `send_problems` reports with a message that says what to do.
LIST_ITEMS_MAX = 100


class MediaInput(RequestModel):
    link: BoundedText | None = Field(default=None, description="A public https URL of the file")
    id: BoundedText | None = Field(default=None, description="A 360dialog media id")
    upload_id: BoundedText | None = Field(default=None, description="A file uploaded to POST /media/uploads")
    caption: BoundedText | None = Field(default=None, description="image, video and document only")
    filename: BoundedText | None = Field(default=None, description="document only")

    def media(self) -> Media:
        return Media(
            link=self.link, id=self.id, upload_id=self.upload_id, caption=self.caption, filename=self.filename
        )


class TemplateInput(RequestModel):
    name: BoundedText
    language: BoundedText = Field(description="The code of an approved translation, e.g. en_US")
    parameters: TemplateParameters | None = None

    def template(self) -> TemplateContent:
        parameters = self.parameters or TemplateParameters()
        return TemplateContent(name=self.name, language=self.language, parameters=parameters.values())


class LocationInput(RequestModel):
    latitude: float
    longitude: float
    name: BoundedText | None = None
    address: BoundedText | None = None

    def location(self) -> Location:
        return Location(
            latitude=self.latitude, longitude=self.longitude, name=self.name, address=self.address
        )


class ReplyButtonInput(RequestModel):
    id: BoundedText = Field(description="Comes back in the customer's reply")
    title: BoundedText

    def reply_button(self) -> ReplyButton:
        return ReplyButton(id=self.id, title=self.title)


class ListRowInput(RequestModel):
    id: BoundedText = Field(description="Comes back in the customer's reply")
    title: BoundedText
    description: BoundedText | None = None

    def list_row(self) -> ListRow:
        return ListRow(id=self.id, title=self.title, description=self.description)


class ListSectionInput(RequestModel):
    title: BoundedText | None = Field(default=None, description="Required when the list has several sections")
    rows: list[ListRowInput] = Field(max_length=LIST_ITEMS_MAX)

    def list_section(self) -> ListSection:
        return ListSection(title=self.title, rows=[row.list_row() for row in self.rows])


class InteractiveInput(RequestModel):
    type: Literal["button", "list"]
    body: BoundedText
    header: BoundedText | None = None
    footer: BoundedText | None = None
    buttons: list[ReplyButtonInput] | None = Field(
        default=None, max_length=LIST_ITEMS_MAX, description="Reply buttons (type button)"
    )
    button: BoundedText | None = Field(default=None, description="Label of the button that opens a list")
    sections: list[ListSectionInput] | None = Field(
        default=None, max_length=LIST_ITEMS_MAX, description="The list's sections (type list)"
    )

    def interactive(self) -> Interactive:
        return Interactive(
            type=self.type,
            body=self.body,
            header=self.header,
            footer=self.footer,
            buttons=[button.reply_button() for button in self.buttons] if self.buttons is not None else None,
            button=self.button,
            sections=(
                [section.list_section() for section in self.sections] if self.sections is not None else None
            ),
        )


class ReactionInput(RequestModel):
    message_id: BoundedText = Field(description="Our id of the message to react to (msg_...)")
    emoji: BoundedText = Field(description='One emoji; "" removes the reaction')

    def reaction(self) -> RequestedReaction:
        return RequestedReaction(message_id=self.message_id, emoji=self.emoji)


class SendMessageRequest(RequestModel):
    to: Annotated[str, StringConstraints(min_length=1, max_length=64)] = Field(
        description="A contact id or a phone number"
    )
    type: ContentType
    text: BoundedText | None = None
    preview_url: bool = Field(default=False, description="Text only: show a preview of the first link")
    media: MediaInput | None = None
    template: TemplateInput | None = None
    location: LocationInput | None = None
    interactive: InteractiveInput | None = None
    reaction: ReactionInput | None = None
    reply_to: BoundedText | None = Field(default=None, description="Our id of the message to reply to")

    def content(self) -> OutboundContent:
        return OutboundContent(
            type=self.type,
            text=self.text,
            preview_url=self.preview_url,
            media=self.media.media() if self.media is not None else None,
            template=self.template.template() if self.template is not None else None,
            location=self.location.location() if self.location is not None else None,
            interactive=self.interactive.interactive() if self.interactive is not None else None,
            reaction=self.reaction.reaction() if self.reaction is not None else None,
            reply_to=self.reply_to,
        )
