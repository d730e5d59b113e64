"""The body of a send call, checked as Meta checks it (reference section 3): the envelope first, then
the object that `type` names.

A missing parameter is refused with Meta's code 100, which names it (On-Premise 1008), an unknown
type with 131051, any other problem with 131009 (On-Premise 1009 for both).
"""

from dataclasses import dataclass
from typing import Annotated, Any, Literal, Self, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    RootModel,
    StrictBool,
    StrictStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import ErrorDetails

from infra.local.simulator.customer import LocationContent
from infra.local.simulator.errors import (
    INVALID_PARAMETER_VALUE,
    UNSUPPORTED_MESSAGE_TYPE,
    MessagingApiError,
    MessagingErrorKind,
    invalid_parameter,
    missing_parameter,
)
from infra.local.simulator.models import PHONE_NUMBER_PATTERN, ApiGeneration

ContentModel = TypeVar("ContentModel", bound=BaseModel)

# Meta takes the recipient with or without its `+`.
RECIPIENT_PATTERN = r"^\+?" + PHONE_NUMBER_PATTERN.removeprefix("^")
MEDIA_LINK_PATTERN = r"^https?://\S+$"
InteractiveType = Literal[
    "button",
    "list",
    "cta_url",
    "flow",
    "product",
    "product_list",
    "catalog_message",
    "location_request_message",
]
TemplateParameterType = Literal[
    "text",
    "currency",
    "date_time",
    "image",
    "video",
    "document",
    "location",
    "payload",
    "coupon_code",
    "action",
]


class ReplyContext(BaseModel):
    model_config = ConfigDict(extra="ignore")

    message_id: StrictStr = Field(min_length=1)


class MessageEnvelope(BaseModel):
    """What every message has besides its content; `type` defaults to text, as on Meta."""

    model_config = ConfigDict(extra="ignore")

    messaging_product: Literal["whatsapp"] | None = None
    recipient_type: Literal["individual"] = "individual"
    to: StrictStr = Field(pattern=RECIPIENT_PATTERN)
    type: StrictStr = "text"
    context: ReplyContext | None = None

    @property
    def wa_id(self) -> str:
        return self.to.removeprefix("+")


class TextContent(BaseModel):
    model_config = ConfigDict(extra="ignore")

    body: StrictStr = Field(min_length=1, max_length=4096)
    preview_url: StrictBool = False


class MediaObject(BaseModel):
    """Media by the `id` of an upload or by a public `link`, never both."""

    model_config = ConfigDict(extra="ignore")

    id: StrictStr | None = Field(default=None, min_length=1)
    link: StrictStr | None = Field(default=None, pattern=MEDIA_LINK_PATTERN)
    caption: StrictStr | None = Field(default=None, max_length=1024)
    filename: StrictStr | None = Field(default=None, min_length=1)

    @model_validator(mode="after")
    def check_source(self) -> Self:
        if (self.id is None) == (self.link is None):
            raise ValueError("give exactly one of id and link")
        return self


class UncaptionedMediaObject(MediaObject):
    """Audio and stickers show no caption."""

    @model_validator(mode="after")
    def check_no_caption(self) -> Self:
        if self.caption is not None:
            raise ValueError("caption is not allowed for this media type")
        return self


class ContactName(BaseModel):
    model_config = ConfigDict(extra="ignore")

    formatted_name: StrictStr = Field(min_length=1)


class ContactCard(BaseModel):
    model_config = ConfigDict(extra="ignore")

    name: ContactName


class ContactCards(RootModel[Annotated[list[ContactCard], Field(min_length=1)]]):
    pass


class InteractiveText(BaseModel):
    model_config = ConfigDict(extra="ignore")

    text: StrictStr = Field(min_length=1, max_length=1024)


class ReplyTitle(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: StrictStr = Field(min_length=1, max_length=256)
    title: StrictStr = Field(min_length=1, max_length=20)


class ReplyButton(BaseModel):
    model_config = ConfigDict(extra="ignore")

    type: Literal["reply"]
    reply: ReplyTitle


class ReplyButtonsAction(BaseModel):
    model_config = ConfigDict(extra="ignore")

    buttons: list[ReplyButton] = Field(min_length=1, max_length=3)


class ListRow(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: StrictStr = Field(min_length=1, max_length=200)
    title: StrictStr = Field(min_length=1, max_length=24)
    description: StrictStr | None = Field(default=None, max_length=72)


class ListSection(BaseModel):
    model_config = ConfigDict(extra="ignore")

    title: StrictStr | None = Field(default=None, max_length=24)
    rows: list[ListRow] = Field(min_length=1)


class ListAction(BaseModel):
    model_config = ConfigDict(extra="ignore")

    button: StrictStr = Field(min_length=1, max_length=20)
    sections: list[ListSection] = Field(min_length=1, max_length=10)

    @model_validator(mode="after")
    def check_row_count(self) -> Self:
        if sum(len(section.rows) for section in self.sections) > 10:
            raise ValueError("a list has at most 10 rows in all its sections")
        return self


class ReplyButtonsMessage(BaseModel):
    model_config = ConfigDict(extra="ignore")

    type: Literal["button"]
    body: InteractiveText
    action: ReplyButtonsAction


class ListMessage(BaseModel):
    model_config = ConfigDict(extra="ignore")

    type: Literal["list"]
    body: InteractiveText
    action: ListAction


class InteractiveMessage(BaseModel):
    """The interactive types other than button and list, whose actions are taken as they come."""

    model_config = ConfigDict(extra="ignore")

    type: InteractiveType
    body: InteractiveText | None = None
    action: dict[str, Any]


class ReactionMessage(BaseModel):
    model_config = ConfigDict(extra="ignore")

    message_id: StrictStr = Field(min_length=1)
    # An empty emoji removes the reaction.
    emoji: StrictStr


class FallbackValue(BaseModel):
    model_config = ConfigDict(extra="ignore")

    fallback_value: StrictStr = Field(min_length=1)


class TemplateParameter(BaseModel):
    """One parameter; the object named by `type` carries its value. `parameter_name` fills a named
    variable."""

    model_config = ConfigDict(extra="ignore")

    type: TemplateParameterType
    parameter_name: StrictStr | None = Field(default=None, min_length=1)
    text: StrictStr | None = None
    payload: StrictStr | None = None
    coupon_code: StrictStr | None = None
    currency: FallbackValue | None = None
    date_time: FallbackValue | None = None
    image: MediaObject | None = None
    video: MediaObject | None = None
    document: MediaObject | None = None
    location: LocationContent | None = None
    action: dict[str, Any] | None = None

    @model_validator(mode="after")
    def check_value(self) -> Self:
        if getattr(self, self.type) is None:
            raise ValueError(f"a {self.type} parameter needs `{self.type}`")
        return self

    def shown_text(self) -> str:
        """What the customer reads in place of a variable; Meta shows currencies and dates by their
        fallback values."""
        value = getattr(self, self.type)
        return value.fallback_value if isinstance(value, FallbackValue) else str(value)


class TemplateComponentValues(BaseModel):
    """The parameters of one header, body or button (`sub_type` and `index` name the button)."""

    model_config = ConfigDict(extra="ignore")

    type: Literal["header", "body", "button"]
    sub_type: StrictStr | None = None
    index: int | None = Field(default=None, ge=0, le=9)
    parameters: list[TemplateParameter] = Field(default_factory=list)

    @field_validator("type", "sub_type", mode="before")
    @classmethod
    def lower_case(cls, value: Any) -> Any:
        return value.lower() if isinstance(value, str) else value

    @model_validator(mode="after")
    def check_button(self) -> Self:
        if self.type == "button" and (self.sub_type is None or self.index is None):
            raise ValueError("a button component needs sub_type and index")
        return self


class TemplateLanguage(BaseModel):
    model_config = ConfigDict(extra="ignore")

    code: StrictStr = Field(min_length=1)
    policy: Literal["deterministic"] = "deterministic"


class TemplateMessage(BaseModel):
    """`namespace` is required on On-Premise only."""

    model_config = ConfigDict(extra="ignore")

    name: StrictStr = Field(min_length=1)
    language: TemplateLanguage
    namespace: StrictStr | None = None
    components: list[TemplateComponentValues] = Field(default_factory=list)


CONTENT_MODELS: dict[str, type[BaseModel]] = {
    "text": TextContent,
    "image": MediaObject,
    "video": MediaObject,
    "document": MediaObject,
    "audio": UncaptionedMediaObject,
    "sticker": UncaptionedMediaObject,
    "location": LocationContent,
    "contacts": ContactCards,
    "interactive": InteractiveMessage,
    "reaction": ReactionMessage,
    "template": TemplateMessage,
}
INTERACTIVE_MODELS: dict[Any, type[BaseModel]] = {"button": ReplyButtonsMessage, "list": ListMessage}


class ReadStatus(BaseModel):
    """On-Premise's `PUT /v1/messages/{id}` body."""

    model_config = ConfigDict(extra="ignore")

    status: Literal["read"]


class CloudReadReceipt(ReadStatus):
    message_id: StrictStr = Field(min_length=1)


@dataclass(frozen=True)
class OutgoingMessage:
    envelope: MessageEnvelope
    content: BaseModel


def parameter_name(location: tuple[int | str, ...]) -> str:
    """Meta's way of naming a nested parameter: `text['body']`, `interactive['action']['buttons'][0]`."""
    head, *rest = location
    return str(head) + "".join(f"[{part}]" if isinstance(part, int) else f"['{part}']" for part in rest)


def problem_text(problem: ErrorDetails) -> str:
    """Pydantic's message without the prefix it gives a validator's own words."""
    return problem["msg"].removeprefix("Value error, ")


def validated(
    model: type[ContentModel],
    data: Any,
    generation: ApiGeneration,
    within: tuple[str, ...] = (),
    invalid: MessagingErrorKind = INVALID_PARAMETER_VALUE,
) -> ContentModel:
    """`data` as `model`, or the refusal of its first missing parameter or else of all its problems as
    `invalid` (endpoints other than sending use Meta's plain code 100); `within` names where `data` sits
    in the body."""
    try:
        return model.model_validate(data)
    except ValidationError as error:
        problems = [(within + tuple(problem["loc"]), problem) for problem in error.errors()]
        missing = [location for location, problem in problems if problem["type"] == "missing"]
        if missing:
            raise missing_parameter(generation, parameter_name(missing[0])) from None
        details = "; ".join(
            f"{parameter_name(location) if location else 'body'}: {problem_text(problem)}"
            for location, problem in problems
        )
        raise MessagingApiError(400, invalid, generation, details) from None


def json_object(body: Any, generation: ApiGeneration) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise invalid_parameter(generation, "the request body must be a JSON object")
    return body


def outgoing_message(body: dict[str, Any], generation: ApiGeneration) -> OutgoingMessage:
    """The message a send call asks for; Cloud numbers have checked `messaging_product` already."""
    envelope = validated(MessageEnvelope, body, generation)
    content_model = CONTENT_MODELS.get(envelope.type)
    if content_model is None:
        raise MessagingApiError(
            400,
            UNSUPPORTED_MESSAGE_TYPE,
            generation,
            f"type {envelope.type!r} is not one of {', '.join(CONTENT_MODELS)}",
        )
    content = body.get(envelope.type)
    if content is None:
        raise missing_parameter(generation, envelope.type)
    if envelope.type == "interactive" and isinstance(content, dict):
        content_model = INTERACTIVE_MODELS.get(content.get("type"), content_model)
    return OutgoingMessage(envelope, validated(content_model, content, generation, (envelope.type,)))


def uploaded_media(message: OutgoingMessage) -> list[tuple[str, str]]:
    """The uploaded media a message sends by id, each as (the parameter naming it, the id): the media of
    a media message, or of a template's parameters."""
    content = message.content
    located: list[tuple[tuple[int | str, ...], MediaObject]] = []
    if isinstance(content, MediaObject):
        located.append(((message.envelope.type,), content))
    if isinstance(content, TemplateMessage):
        for component_index, component in enumerate(content.components):
            for parameter_index, parameter in enumerate(component.parameters):
                media = getattr(parameter, parameter.type)
                if isinstance(media, MediaObject):
                    parameters = ("template", "components", component_index, "parameters")
                    located.append(((*parameters, parameter_index, parameter.type), media))
    return [
        (parameter_name((*location, "id")), media.id) for location, media in located if media.id is not None
    ]


def shown_text(content: BaseModel) -> str | None:
    """The text a free-form message shows: a text's body, a caption, an interactive message's body."""
    if isinstance(content, TextContent):
        return content.body
    if isinstance(content, MediaObject):
        return content.caption
    if isinstance(content, ReplyButtonsMessage | ListMessage | InteractiveMessage) and content.body:
        return content.body.text
    return None
