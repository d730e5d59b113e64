"""360dialog's wire bodies, as sent for each API generation (reference sections 1, 2.1, 3.1, 7)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from typing import Any, Literal, TypeVar

from pydantic import Field, ValidationError

from wachannel.dialog360.models import Dialog360Model, HealthEntity, KnownSendAbility


class CloudHealthStatus(Dialog360Model):
    can_send_message: KnownSendAbility = None
    entities: list[HealthEntity] = Field(default_factory=list)


class CloudHealthStatusBody(Dialog360Model):
    """`GET /health_status`: {"health_status": {"can_send_message", "entities": [...]}, "id"}."""

    health_status: CloudHealthStatus


class OnPremiseGatewayHealth(Dialog360Model):
    gateway_status: str | None = None


class OnPremiseHealthBody(Dialog360Model):
    """`GET /v1/health`: {"health": {"gateway_status"}} or, multi-connect, {"health": {"<node>": {...}}}."""

    health: dict[str, Any]

    def gateway_statuses(self) -> dict[str, str]:
        """Gateway status per node; a single-instance setup is one node called "gateway"."""
        single = OnPremiseGatewayHealth.model_validate(self.health)
        if single.gateway_status is not None:
            return {"gateway": single.gateway_status}
        statuses: dict[str, str] = {}
        for node_name, node in self.health.items():
            if isinstance(node, dict):
                status = OnPremiseGatewayHealth.model_validate(node).gateway_status
                if status is not None:
                    statuses[node_name] = status
        return statuses


class WebhookConfigBody(Dialog360Model):
    """`GET`/`POST /v1/configs/webhook`: {"url", "headers"}; an empty url means none is set."""

    url: str | None = None
    headers: dict[str, str] | None = None


class PartnerChannelSetupInfo(Dialog360Model):
    phone_number: str | None = None


class PartnerChannel(Dialog360Model):
    id: str
    setup_info: PartnerChannelSetupInfo | None = None


class PartnerChannelsBody(Dialog360Model):
    """`GET /partners/{partner_id}/channels`: {"partner_channels": [...], "count", "total", ...}."""

    partner_channels: list[PartnerChannel] = Field(default_factory=list)


class TemplateListBody(Dialog360Model):
    """`GET /v1/configs/templates`: {"count", "total", "limit", "offset", "waba_templates": [...]}.

    Entries stay raw so that one malformed template does not hide the others."""

    total: int | None = None
    waba_templates: list[Any] = Field(default_factory=list)


class SentMessageId(Dialog360Model):
    id: str = Field(min_length=1)
    message_status: str | None = None


class SentContact(Dialog360Model):
    input: str | None = None
    wa_id: str | None = None


class SendAnswerBody(Dialog360Model):
    """`POST /messages` (Cloud): {"messaging_product", "contacts": [{"input", "wa_id"}],
    "messages": [{"id"}]}; `POST /v1/messages` (On-Premise): {"messages": [{"id"}], "meta": {...}}."""

    messages: list[SentMessageId] = Field(min_length=1)
    contacts: list[SentContact] = Field(default_factory=list)


class MetaErrorData(Dialog360Model):
    details: str | None = None


class MetaError(Dialog360Model):
    message: str = ""
    code: int | None = None
    error_subcode: int | None = None
    error_data: MetaErrorData | None = None


class MetaErrorBody(Dialog360Model):
    """Cloud API errors, passed through from Meta: {"error": {"message", "code", "error_data", ...}}."""

    error: MetaError


class OnPremiseError(Dialog360Model):
    code: int | str | None = None
    title: str = ""
    details: str = ""


class OnPremiseErrorBody(Dialog360Model):
    """On-Premise errors: {"errors": [{"code", "title", "details"}], "meta": {...}}."""

    errors: list[OnPremiseError] = Field(min_length=1)


class GatewayMeta(Dialog360Model):
    developer_message: str


class GatewayErrorBody(Dialog360Model):
    """360dialog's own errors: {"meta": {"success": false, "http_code", "developer_message"}}."""

    meta: GatewayMeta


class GatewayErrorTextBody(Dialog360Model):
    """360dialog's own errors in its newer specs: {"error": "..."}."""

    error: str


ErrorBodyShape = Literal["meta", "on_premise", "gateway", "unparsed"]

_LONGEST_TEXT_MESSAGE = 300

BodyT = TypeVar("BodyT", bound=Dialog360Model)


@dataclass(frozen=True)
class ProviderErrorDescription:
    """What an error body says, whichever of 360dialog's shapes it came in."""

    shape: ErrorBodyShape
    code: int | str | None
    message: str
    # Meta's `error_subcode`: what a generic code (100, "Invalid parameter") is about.
    subcode: int | None = None


def describe_error_body(body: str, reason_phrase: str) -> ProviderErrorDescription:
    """Read any of the error shapes; a body that is none of them is described by its text."""
    try:
        document = json.loads(body)
    except ValueError:
        document = None
    described = _describe_json_error(document) if isinstance(document, dict) else None
    if described is None:
        return ProviderErrorDescription(
            shape="unparsed", code=None, message=_text_message(body, reason_phrase)
        )
    if not described.message:
        return replace(described, message=reason_phrase)
    return described


def _describe_json_error(document: dict[str, Any]) -> ProviderErrorDescription | None:
    # On-Premise bodies carry a "meta" block too, so "errors" is looked at before "meta".
    if (on_premise := _validated(OnPremiseErrorBody, document)) is not None:
        message = "; ".join(_joined(error.title, error.details) for error in on_premise.errors)
        return ProviderErrorDescription(shape="on_premise", code=on_premise.errors[0].code, message=message)
    if (meta := _validated(MetaErrorBody, document)) is not None:
        details = meta.error.error_data.details if meta.error.error_data else None
        return ProviderErrorDescription(
            shape="meta",
            code=meta.error.code,
            message=_joined(meta.error.message, details),
            subcode=meta.error.error_subcode,
        )
    if (gateway_text := _validated(GatewayErrorTextBody, document)) is not None:
        return ProviderErrorDescription(shape="gateway", code=None, message=gateway_text.error)
    if (gateway := _validated(GatewayErrorBody, document)) is not None:
        return ProviderErrorDescription(shape="gateway", code=None, message=gateway.meta.developer_message)
    return None


def _validated(shape: type[BodyT], document: dict[str, Any]) -> BodyT | None:
    try:
        return shape.model_validate(document)
    except ValidationError:
        return None


def _joined(headline: str, details: str | None) -> str:
    if not details or details in headline:
        return headline
    return f"{headline}: {details}" if headline else details


def _text_message(body: str, reason_phrase: str) -> str:
    text = re.sub(r"\s+", " ", body).strip()
    # An HTML error page (a proxy's 502, say) says nothing its status line does not.
    if not text or text.startswith("<"):
        return reason_phrase
    return text[:_LONGEST_TEXT_MESSAGE]
