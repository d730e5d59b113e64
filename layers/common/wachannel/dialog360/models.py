"""What the 360dialog clients return. Tolerant of fields 360dialog may add."""

from __future__ import annotations

from typing import Annotated, Any, Literal, get_args

from pydantic import AliasChoices, BaseModel, BeforeValidator, ConfigDict, Field, SecretStr

ApiGeneration = Literal["cloud", "on_premise"]
SendAbility = Literal["AVAILABLE", "LIMITED", "BLOCKED"]


class Dialog360Model(BaseModel):
    """Base for everything read from 360dialog: unknown fields are ignored, numeric ids become text."""

    model_config = ConfigDict(extra="ignore", coerce_numbers_to_str=True, frozen=True)


def _known_send_ability(value: object) -> object:
    # A value Meta adds later must not break the health check; `raw` still holds it.
    return value if value in get_args(SendAbility) else None


KnownSendAbility = Annotated[SendAbility | None, BeforeValidator(_known_send_ability)]


class HealthIssue(Dialog360Model):
    """Why an entity cannot send, e.g. Meta's {"error_code", "error_description", "possible_solution"}."""

    model_config = ConfigDict(validate_by_name=True)

    code: str | None = Field(default=None, validation_alias=AliasChoices("error_code", "code"))
    description: str = Field(default="", validation_alias=AliasChoices("error_description", "description"))
    possible_solution: str | None = None


class HealthEntity(Dialog360Model):
    """One thing whose state decides whether the number can send: the number, its WABA, the business."""

    entity_type: str
    id: str | None = None
    can_send_message: KnownSendAbility = None
    additional_info: list[str] = Field(default_factory=list)
    errors: list[HealthIssue] = Field(default_factory=list)


class AccountHealth(Dialog360Model):
    """Whether the number can send, per entity, for either API generation. `raw` is 360dialog's answer."""

    can_send_message: KnownSendAbility = None
    entities: list[HealthEntity] = Field(default_factory=list)
    raw: dict[str, Any] = Field(default_factory=dict, repr=False)


class WebhookConfig(Dialog360Model):
    """The number's webhook at 360dialog. The headers carry the delivery secret, so they stay out of repr."""

    url: str
    headers: dict[str, str] = Field(default_factory=dict, repr=False)


class PartnerApiKey(Dialog360Model):
    """A channel API key made through the Partner API; `address` is the base URL the key belongs to."""

    id: str
    api_key: SecretStr
    address: str | None = None
    app_id: str | None = None


class ProviderTemplate(Dialog360Model):
    """One template as 360dialog lists it, in either generation's shape; values as 360dialog wrote them
    (status casing and legacy categories vary: the domain normalises them)."""

    name: str = Field(min_length=1)
    language: str = Field(min_length=1)
    category: str | None = None
    status: str | None = None
    rejected_reason: str | None = None
    namespace: str | None = None
    components: list[dict[str, Any]] = Field(default_factory=list)
    id: str | None = None
    quality_score: Any = None


class TemplateListing(Dialog360Model):
    """Every template of the number; `unreadable` counts list entries without a name or language."""

    templates: list[ProviderTemplate]
    unreadable: int = 0
    requests: int = 1


class SubmittedTemplate(Dialog360Model):
    """360dialog's answer to a new template (exact shape unconfirmed: every field optional)."""

    id: str | None = None
    status: str | None = None
    category: str | None = None


class SendReceipt(Dialog360Model):
    """What a send returns: the message's id for later statuses, and the recipient as WhatsApp
    normalised it (Cloud only; it may differ from the number sent to)."""

    wamid: str
    wa_id: str | None = None
    message_status: str | None = None


class MediaInfo(Dialog360Model):
    """`GET /{media_id}` (Cloud): where the file is for a few minutes, and what it is."""

    url: str
    mime_type: str | None = None
    sha256: str | None = None
    file_size: int | None = None


class UploadedMedia(Dialog360Model):
    """`POST /media` (Cloud): {"id"}; `POST /v1/media` (On-Premise): {"media": [{"id"}]}."""

    id: str | None = None
    media: list[dict[str, Any]] = Field(default_factory=list)

    @property
    def media_id(self) -> str | None:
        return self.id or next((str(m["id"]) for m in self.media if m.get("id")), None)


class UploadSession(Dialog360Model):
    id: str


class UploadedHandle(Dialog360Model):
    h: str
