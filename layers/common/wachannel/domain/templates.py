"""Message templates as this service keeps them: 360dialog's values normalised (status casing,
legacy categories), identified by (name, language), and compared by a hash of their content so a
sync writes only what changed."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from pydantic import ConfigDict, Field

from wachannel.domain.contacts import fold
from wachannel.domain.template_settings import TemplateSettings
from wachannel.models import Model

APPROVED = "APPROVED"
PENDING = "PENDING"
DELETED = "DELETED"
UNKNOWN = "UNKNOWN"

# 360dialog's older states, before it passed Meta's through (reference 4).
_LEGACY_STATUSES = {"CREATED": PENDING, "SUBMITTED": PENDING}
CURRENT_CATEGORIES = ("MARKETING", "UTILITY", "AUTHENTICATION")
LEGACY_CATEGORIES = {
    **dict.fromkeys(
        (
            "ACCOUNT_UPDATE",
            "PAYMENT_UPDATE",
            "PERSONAL_FINANCE_UPDATE",
            "SHIPPING_UPDATE",
            "RESERVATION_UPDATE",
            "ISSUE_RESOLUTION",
            "APPOINTMENT_UPDATE",
            "TRANSPORTATION_UPDATE",
            "TICKET_UPDATE",
            "ALERT_UPDATE",
            "AUTO_REPLY",
            "TRANSACTIONAL",
        ),
        "UTILITY",
    ),
    "OTP": "AUTHENTICATION",
}


class TemplateKey(NamedTuple):
    name: str
    language: str


def normalise_status(raw: str | None) -> str:
    """Upper case, Meta's spelling; 360dialog's `submitted`/`created` are `PENDING`."""
    status = _upper_code(raw)
    if not status:
        return UNKNOWN
    return _LEGACY_STATUSES.get(status, status)


def normalise_category(raw: str | None) -> str:
    category = _upper_code(raw)
    if not category:
        return UNKNOWN
    return LEGACY_CATEGORIES.get(category, category)


def normalise_rejected_reason(raw: str | None) -> str | None:
    """Meta writes "NONE" for a template that was not rejected."""
    reason = _upper_code(raw)
    return None if reason in ("", "NONE") else reason


def normalise_quality_score(raw: Any) -> str | None:
    """`{"score": "GREEN", "date": ...}` on newer accounts, a bare string on some older ones."""
    if isinstance(raw, Mapping):
        raw = raw.get("score")
    return _upper_code(raw) or None if isinstance(raw, str) else None


def _upper_code(raw: str | None) -> str:
    return (raw or "").strip().upper().replace(" ", "_").replace("-", "_")


class Template(Model):
    """A template's content as 360dialog holds it; what a sync compares."""

    model_config = ConfigDict(frozen=True)

    name: str
    language: str
    category: str
    status: str
    rejected_reason: str | None = None
    components: list[dict[str, Any]]
    namespace: str | None = None
    provider_id: str | None = None
    quality_score: str | None = None

    @property
    def key(self) -> TemplateKey:
        return TemplateKey(self.name, self.language)

    def content_hash(self) -> str:
        canonical = json.dumps(self.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()

    def body_text(self) -> str:
        return next(
            (
                str(component.get("text") or "")
                for component in self.components
                if str(component.get("type", "")).upper() == "BODY"
            ),
            "",
        )

    def search_text(self) -> str:
        """What `search` matches: the name and the body, folded like contact names."""
        return fold(f"{self.name} {self.body_text()}")


class StoredTemplate(Model):
    """A template as stored for a channel, with when it was written."""

    model_config = ConfigDict(frozen=True)

    template: Template
    created_at: datetime
    updated_at: datetime
    synced_at: datetime | None = None
    settings: TemplateSettings = Field(default_factory=TemplateSettings)

    @property
    def offered(self) -> bool:
        """Whether agents may send it: enabled by the workspace and approved by WhatsApp. A template
        that stops being approved keeps its settings; it is just not offered meanwhile."""
        return self.settings.enabled and self.template.status == APPROVED

    def last_synced_at(self, channel_last_synced_at: datetime | None) -> datetime | None:
        """A successful sync confirms every template it found, without rewriting unchanged ones: one
        still present and older than the channel's last sync was confirmed by it."""
        if channel_last_synced_at is None or self.template.status == DELETED:
            return self.synced_at
        confirmed = self.created_at <= channel_last_synced_at
        if confirmed and (self.synced_at is None or self.synced_at < channel_last_synced_at):
            return channel_last_synced_at
        return self.synced_at


@dataclass(frozen=True)
class StoredTemplateState:
    """What a sync needs to know about a stored template to decide whether to write it."""

    key: TemplateKey
    content_hash: str
    status: str


@dataclass
class SyncPlan:
    created: list[Template] = field(default_factory=list)
    updated: list[Template] = field(default_factory=list)
    vanished: list[TemplateKey] = field(default_factory=list)
    unchanged: int = 0


def plan_sync(stored: Iterable[StoredTemplateState], fetched: Iterable[Template]) -> SyncPlan:
    """What a sync writes: new and changed templates, and the stored ones 360dialog no longer lists
    (marked deleted once). The last of two entries for one (name, language) wins."""
    known = {state.key: state for state in stored}
    listed = {template.key: template for template in fetched}
    plan = SyncPlan()
    for key, template in listed.items():
        state = known.get(key)
        if state is None:
            plan.created.append(template)
        elif state.content_hash != template.content_hash():
            plan.updated.append(template)
        else:
            plan.unchanged += 1
    plan.vanished = [key for key, state in known.items() if key not in listed and state.status != DELETED]
    return plan


def normalised_template(
    *,
    name: str,
    language: str,
    category: str | None,
    status: str | None,
    components: list[dict[str, Any]],
    rejected_reason: str | None = None,
    namespace: str | None = None,
    provider_id: str | None = None,
    quality_score: Any = None,
) -> Template:
    """A template from 360dialog's values, whichever generation and era wrote them."""
    return Template(
        name=name,
        language=language,
        category=normalise_category(category),
        status=normalise_status(status),
        rejected_reason=normalise_rejected_reason(rejected_reason),
        components=components,
        namespace=namespace,
        provider_id=provider_id,
        quality_score=normalise_quality_score(quality_score),
    )
