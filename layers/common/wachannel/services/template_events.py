"""Template status, quality and category webhooks, applied by the webhook function. Kept apart from
the template use cases so the webhook, which answers 360dialog, loads only what it needs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from wachannel.domain.templates import (
    TemplateKey,
    normalise_category,
    normalise_quality_score,
    normalise_rejected_reason,
    normalise_status,
)
from wachannel.observability import logger
from wachannel.queues import TemplateSyncQueue
from wachannel.store.templates import TemplateRepository

_KEY_PART_MAX_BYTES = 512  # WhatsApp's longest template name


class TemplateEvents:
    """Template status, quality and category webhooks: applied at once to the stored template; one
    this service does not know yet is fetched by a sync job, so it is never a surprise later."""

    def __init__(self, templates: TemplateRepository, sync_queue: TemplateSyncQueue) -> None:
        self._templates = templates
        self._sync_queue = sync_queue

    def apply(
        self, workspace_id: str, channel_id: str, field: str, value: dict[str, Any], at: datetime
    ) -> bool:
        """False when the change is not about templates."""
        update = _template_update(field, value)
        if update is None:
            return False
        name, language, changes = update
        languages = [language] if language else self._languages_of(workspace_id, channel_id, name)
        known = False
        for each in languages:
            key = TemplateKey(name, each)
            if "status" in changes:
                known |= self._templates.apply_status_event(
                    workspace_id,
                    channel_id,
                    key,
                    status=changes["status"],
                    rejected_reason=changes.get("rejected_reason"),
                    at=at,
                )
            else:
                known |= self._templates.apply_change_event(
                    workspace_id, channel_id, key, changes=changes, at=at
                )
        if not known:
            self._sync_queue.enqueue_syncs([(workspace_id, channel_id)])
        logger.info(
            "Template webhook applied",
            extra={"channel_id": channel_id, "field": field, "template": name, "known": known},
        )
        return True

    def _languages_of(self, workspace_id: str, channel_id: str, name: str) -> list[str]:
        return [found.template.language for found in self._templates.by_name(workspace_id, channel_id, name)]


def _template_update(field: str, value: dict[str, Any]) -> tuple[str, str | None, dict[str, Any]] | None:
    name = _key_part(value.get("message_template_name"))
    if name is None:
        return None
    language = _key_part(value.get("message_template_language"))
    if field == "message_template_status_update" and isinstance(value.get("event"), str):
        reason = value.get("reason")
        changes = {
            "status": normalise_status(value["event"]),
            "rejected_reason": normalise_rejected_reason(reason if isinstance(reason, str) else None),
        }
    elif field == "message_template_quality_update":
        changes = {"quality_score": normalise_quality_score(value.get("new_quality_score"))}
    elif field == "template_category_update" and isinstance(value.get("new_category"), str):
        changes = {"category": normalise_category(value["new_category"])}
    else:
        return None
    return name, language, changes


def _key_part(value: Any) -> str | None:
    """A template name or language that fits the template's key (which DynamoDB bounds at 1,024
    bytes); a longer one names no template WhatsApp allows."""
    return value if isinstance(value, str) and 0 < len(value.encode()) <= _KEY_PART_MAX_BYTES else None
