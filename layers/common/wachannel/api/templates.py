"""The Templates section of the HTTP contract: request bodies and response shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import Field, StringConstraints

from wachannel.api.common import RequestModel, Timestamp
from wachannel.api.template_parameters import TemplateParameters
from wachannel.domain.template_components import ParameterCount, parameter_count
from wachannel.domain.template_rendering import RenderedTemplate, TemplateValues
from wachannel.domain.templates import StoredTemplate
from wachannel.models import Model

TemplateName = Annotated[str, StringConstraints(min_length=1, max_length=512)]
LanguageCode = Annotated[str, StringConstraints(min_length=2, max_length=16)]
ParameterValue = Annotated[str, StringConstraints(max_length=2000)]


class SubmitTemplateRequest(RequestModel):
    """Fields are typed loosely on purpose: WhatsApp's rules are checked together afterwards, so a
    422 lists every broken rule with its path, not only the first type error."""

    name: Any = Field(description="lower case a-z, 0-9 and _; at most 512 characters")
    category: Any = Field(description="MARKETING, UTILITY or AUTHENTICATION")
    language: Any = Field(description="Meta's locale code, e.g. en_US, de, pt_BR")
    components: Any = Field(description="HEADER?, BODY, FOOTER?, BUTTONS? in 360dialog's shape")
    allow_category_change: Any = False


class UpdateTemplateSettingsRequest(RequestModel):
    enabled: bool | None = Field(default=None, description="whether agents may send this template")
    parameter_defaults: TemplateParameters | None = Field(
        default=None, description="values a send that leaves a part out is filled with; variables allowed"
    )
    label: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] | None = None

    def changes(self) -> dict[str, Any]:
        """Only the fields the request names; a null label removes it."""
        given = self.model_dump(include=self.model_fields_set)
        if "parameter_defaults" in given and self.parameter_defaults is not None:
            given["parameter_defaults"] = self.parameter_defaults.values().model_dump(mode="json")
        if given.get("enabled") is None:
            given.pop("enabled", None)
        if given.get("parameter_defaults") is None:
            given.pop("parameter_defaults", None)
        return given


class PreviewTemplateRequest(RequestModel):
    components: list[dict[str, Any]] | None = Field(default=None, max_length=4)
    name: TemplateName | None = None
    language: LanguageCode | None = None
    parameters: TemplateParameters | None = None
    contact_id: Annotated[str, StringConstraints(min_length=1, max_length=64)] | None = None


class TemplateOut(Model):
    name: str
    language: str
    category: str
    status: str
    rejected_reason: str | None
    quality_score: str | None
    components: list[dict[str, Any]]
    parameter_count: ParameterCount
    enabled: bool
    offered: bool = Field(description="enabled and approved: agents may send it now")
    parameter_defaults: TemplateValues
    label: str | None
    last_synced_at: Timestamp | None
    created_at: Timestamp
    updated_at: Timestamp

    @classmethod
    def of(cls, stored: StoredTemplate, channel_last_synced_at: datetime | None) -> TemplateOut:
        template = stored.template
        return cls(
            name=template.name,
            language=template.language,
            category=template.category,
            status=template.status,
            rejected_reason=template.rejected_reason,
            quality_score=template.quality_score,
            components=template.components,
            parameter_count=parameter_count(template.components),
            enabled=stored.settings.enabled,
            offered=stored.offered,
            parameter_defaults=stored.settings.parameter_defaults,
            label=stored.settings.label,
            last_synced_at=stored.last_synced_at(channel_last_synced_at),
            created_at=stored.created_at,
            updated_at=stored.updated_at,
        )


class TemplatePage(Model):
    items: list[TemplateOut]
    next_cursor: str | None
    last_synced_at: Timestamp | None = Field(description="when the channel's templates were last synced")


class SyncResult(Model):
    created: int
    updated: int
    deleted: int
    unchanged: int
    last_synced_at: Timestamp


class TemplatePreview(RenderedTemplate):
    """The template as a customer would read it."""
