"""Template use cases: sync from 360dialog (on demand, per scheduled job), list, submit, preview,
delete. Each call to 360dialog happens before anything is saved about its outcome."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from wachannel.clock import Clock
from wachannel.dialog360 import Dialog360Error, ProviderRequestFailed
from wachannel.domain.channels import Channel
from wachannel.domain.ids import new_id
from wachannel.domain.template_rendering import RenderedTemplate, TemplateValues, render, value_count_problems
from wachannel.domain.template_settings import TemplateSettings, defaults_problems, with_defaults
from wachannel.domain.templates import (
    DELETED,
    PENDING,
    StoredTemplate,
    Template,
    TemplateKey,
    normalised_template,
    plan_sync,
)
from wachannel.domain.variables import VariableContext, resolve_values
from wachannel.errors import NotFound, RateLimited, TemplateExists, TemplateNotFound, ValidationFailed
from wachannel.observability import logger
from wachannel.services.channel_access import ChannelAccess
from wachannel.store.contacts import ContactRepository
from wachannel.store.templates import TemplateFilters, TemplateRepository

SYNC_LEASE_SECONDS = 60
# How long an API call waits for another sync of the same channel to finish before answering 429.
SYNC_WAIT_SECONDS = 20.0
SYNC_WAIT_STEP_SECONDS = 0.5
SYNC_WRITE_CONCURRENCY = 8
# Meta's "content in this language already exists": error code 100 with this subcode (On-Premise
# and older answers put it in the code).
_DUPLICATE_TEMPLATE_CODE = 2388024


@dataclass(frozen=True)
class SyncOutcome:
    created: int
    updated: int
    deleted: int
    unchanged: int
    last_synced_at: datetime
    provider_requests: int


@dataclass(frozen=True)
class TemplateSubmission:
    name: Any
    category: Any
    language: Any
    components: Any
    allow_category_change: Any = False


@dataclass(frozen=True)
class PreviewRequest:
    components: list[dict[str, Any]] | None
    name: str | None
    language: str | None
    parameters: TemplateValues | None
    contact_id: str | None


@dataclass(frozen=True)
class TemplatePage:
    templates: list[StoredTemplate]
    position: dict[str, Any] | None
    channel: Channel


class TemplateService:
    def __init__(
        self,
        *,
        access: ChannelAccess,
        templates: TemplateRepository,
        contacts: ContactRepository,
        clock: Clock,
        sleep: Callable[[float], None],
    ) -> None:
        self.access = access
        self._templates = templates
        self._contacts = contacts
        self._clock = clock
        self._sleep = sleep

    # ------------------------------------------------------------------ sync
    def sync(self, workspace_id: str, channel_id: str) -> SyncOutcome:
        """On demand: waits for a sync of the same channel that is already running, then runs its own."""
        channel = self.access.active_channel(workspace_id, channel_id)
        waited = 0.0
        while True:
            outcome = self.sync_channel(channel)
            if outcome is not None:
                return outcome
            if waited >= SYNC_WAIT_SECONDS:
                raise RateLimited(
                    "Another template sync of this channel is still running; try again in a minute.",
                    headers={"Retry-After": str(SYNC_LEASE_SECONDS)},
                )
            self._sleep(SYNC_WAIT_STEP_SECONDS)
            waited += SYNC_WAIT_STEP_SECONDS

    def sync_scheduled(self, workspace_id: str, channel_id: str) -> SyncOutcome | None:
        """A queued job: a channel gone or disconnected since it was queued has nothing to sync, and
        one whose sync is already running is left to it. Returns None when nothing ran."""
        channel = self.access.repository.get(workspace_id, channel_id)
        if channel is None or channel.status != "active":
            return None
        return self.sync_channel(channel)

    def sync_channel(self, channel: Channel) -> SyncOutcome | None:
        """One sync under the channel's lease; None if another sync holds it. A failure is kept on the
        channel (and shown by its health) and raised."""
        lease_id = new_id("lease", self._clock.now())
        workspace_id, channel_id = channel.workspace_id, channel.id
        if not self._templates.acquire_sync_lease(
            workspace_id, channel_id, lease_id, now=self._clock.now(), seconds=SYNC_LEASE_SECONDS
        ):
            return None
        error: str | None = "The sync stopped unexpectedly."
        # The time the answer reports is the time stored: one clock reading for both.
        finished_at: datetime | None = None
        try:
            outcome = self._sync_under_lease(channel)
            error, finished_at = None, outcome.last_synced_at
            return outcome
        except Dialog360Error as failure:
            error = failure.message
            raise
        finally:
            self._templates.finish_sync(
                workspace_id, channel_id, lease_id, now=finished_at or self._clock.now(), error=error
            )

    def _sync_under_lease(self, channel: Channel) -> SyncOutcome:
        listed_at = self._clock.now()
        listing = self.access.client(channel).list_templates()
        if listing.unreadable:
            logger.warning(
                "360dialog listed templates without a name or language",
                extra={"channel_id": channel.id, "unreadable": listing.unreadable},
            )
        fetched = [
            normalised_template(
                name=provided.name,
                language=provided.language,
                category=provided.category,
                status=provided.status,
                rejected_reason=provided.rejected_reason,
                components=provided.components,
                namespace=provided.namespace,
                provider_id=provided.id,
                quality_score=provided.quality_score,
            )
            for provided in listing.templates
        ]
        workspace_id, channel_id = channel.workspace_id, channel.id
        plan = plan_sync(self._templates.states(workspace_id, channel_id), fetched)
        now = self._clock.now()

        def write(template: Template) -> bool:
            return self._templates.write(
                workspace_id,
                channel_id,
                template,
                now=now,
                listed_at=listed_at,
                enabled_when_new=channel.templates_enabled_by_default,
            )

        def mark_deleted(key: TemplateKey) -> bool:
            return self._templates.mark_deleted(workspace_id, channel_id, key, now=now, listed_at=listed_at)

        # One UpdateItem per changed template: a first sync of a large account writes a thousand, so
        # they go out side by side (the client is thread-safe) to stay well inside the API's time.
        with ThreadPoolExecutor(max_workers=SYNC_WRITE_CONCURRENCY) as writers:
            created = sum(writers.map(write, plan.created))
            updated = sum(writers.map(write, plan.updated))
            deleted = sum(writers.map(mark_deleted, plan.vanished))
        outcome = SyncOutcome(
            created=created,
            updated=updated,
            deleted=deleted,
            unchanged=plan.unchanged,
            last_synced_at=now,
            provider_requests=listing.requests,
        )
        logger.info(
            "Templates synced",
            extra={
                "channel_id": channel_id,
                "templates_created": created,
                "templates_updated": updated,
                "templates_deleted": deleted,
                "templates_unchanged": plan.unchanged,
            },
        )
        return outcome

    # ------------------------------------------------------------------ read
    def page(
        self,
        workspace_id: str,
        channel_id: str,
        filters: TemplateFilters,
        limit: int,
        start: dict[str, Any] | None,
    ) -> TemplatePage:
        channel = self.access.channel(workspace_id, channel_id)
        templates, position = self._templates.page(workspace_id, channel_id, filters, limit, start)
        return TemplatePage(templates, position, channel)

    def stored(self, workspace_id: str, channel_id: str, key: TemplateKey) -> StoredTemplate:
        """The stored template, or 404 `template_not_found` naming the languages the name has."""
        stored = self._templates.get(workspace_id, channel_id, key)
        if stored is not None and stored.template.status != DELETED:
            return stored
        languages = sorted(
            found.template.language
            for found in self._templates.by_name(workspace_id, channel_id, key.name)
            if found.template.status != DELETED
        )
        raise TemplateNotFound(
            f"This channel has no template {key.name!r} in {key.language!r}."
            + (f" It exists in: {', '.join(languages)}." if languages else ""),
            details={"name": key.name, "language": key.language, "available_languages": languages},
        )

    # ------------------------------------------------------------------ submit
    def submit(self, workspace_id: str, channel_id: str, submission: TemplateSubmission) -> StoredTemplate:
        # WhatsApp's rules (and their language list) load only where a template is submitted: the
        # send function, which shares this service, would otherwise pay ~8 ms of every cold start.
        from wachannel.domain.template_rules import submission_problems

        problems = submission_problems(
            name=submission.name,
            category=submission.category,
            language=submission.language,
            components=submission.components,
            allow_category_change=submission.allow_category_change,
        )
        channel = self.access.active_channel(workspace_id, channel_id)
        if problems:
            raise ValidationFailed(problems, message="The template breaks WhatsApp's rules.")
        key = TemplateKey(submission.name, submission.language)
        existing = self._templates.get(workspace_id, channel_id, key)
        if existing is not None and existing.template.status != DELETED:
            raise _exists(key)
        body: dict[str, Any] = {
            "name": submission.name,
            "category": submission.category,
            "language": submission.language,
            "components": submission.components,
        }
        if submission.allow_category_change:
            body["allow_category_change"] = True
        try:
            answer = self.access.client(channel).submit_template(body)
        except ProviderRequestFailed as failure:
            if _DUPLICATE_TEMPLATE_CODE in (failure.provider_subcode, failure.provider_code):
                raise _exists(key) from None
            raise
        template = normalised_template(
            name=submission.name,
            language=submission.language,
            category=answer.category or submission.category,
            status=answer.status or PENDING,
            components=submission.components,
            provider_id=answer.id,
        )
        now = self._clock.now()
        enabled = channel.templates_enabled_by_default
        self._templates.write(workspace_id, channel_id, template, now=now, enabled_when_new=enabled)
        logger.info("Template submitted", extra={"channel_id": channel_id, "template": template.name})
        return StoredTemplate(
            template=template, created_at=now, updated_at=now, settings=TemplateSettings(enabled=enabled)
        )

    # ------------------------------------------------------------------ workspace settings
    def update_settings(
        self, workspace_id: str, channel_id: str, key: TemplateKey, changes: dict[str, Any]
    ) -> StoredTemplate:
        """Whether agents may send it, its parameter defaults (checked against the stored definition:
        counts, known variables, URL buttons that stay valid URLs) and its label."""
        self.access.channel(workspace_id, channel_id)
        stored = self._templates.get(workspace_id, channel_id, key)
        if stored is None:
            raise NotFound(f"This channel has no template {key.name!r} in {key.language!r}.")
        defaults = changes.get("parameter_defaults")
        if defaults is not None:
            problems = defaults_problems(stored.template.components, TemplateValues.model_validate(defaults))
            if problems:
                raise ValidationFailed(problems, message="The defaults do not fit the template.")
        if not changes:
            return stored
        updated = self._templates.update_settings(
            workspace_id, channel_id, key, changes, now=self._clock.now()
        )
        if updated is None:
            raise NotFound(f"This channel has no template {key.name!r} in {key.language!r}.")
        return updated

    # ------------------------------------------------------------------ preview
    def preview(self, workspace_id: str, channel_id: str, request: PreviewRequest) -> RenderedTemplate:
        channel = self.access.channel(workspace_id, channel_id)
        values = request.parameters or TemplateValues()
        if request.components is not None:
            components = request.components
        elif request.name is not None and request.language is not None:
            stored = self.stored(workspace_id, channel_id, TemplateKey(request.name, request.language))
            components = stored.template.components
            values = with_defaults(values, stored.settings.parameter_defaults)
        else:
            raise ValidationFailed.single("components", "Give either components, or a name and a language.")
        contact = None
        if request.contact_id is not None:
            contact = self._contacts.get(workspace_id, request.contact_id)
            if contact is None:
                raise NotFound("No such contact in this workspace.")
        problems = _given_value_count_problems(components, values)
        if problems:
            raise ValidationFailed(problems, message="The parameters do not fit the template.")
        context = VariableContext(
            contact=contact, channel_name=channel.name, channel_phone_number=channel.phone_number
        )
        return render(components, resolve_values(values, context), use_samples=True)

    # ------------------------------------------------------------------ delete
    def delete(self, workspace_id: str, channel_id: str, name: str) -> None:
        """Deleted at 360dialog in every language, then marked deleted here."""
        channel = self.access.active_channel(workspace_id, channel_id)
        live = [
            found
            for found in self._templates.by_name(workspace_id, channel_id, name)
            if found.template.status != DELETED
        ]
        deleted_there = self.access.client(channel).delete_template(name)
        if not deleted_there and not live:
            raise NotFound(f"This channel has no template {name!r}.")
        now = self._clock.now()
        for found in live:
            self._templates.mark_deleted(workspace_id, channel_id, found.template.key, now=now)
        logger.info("Template deleted", extra={"channel_id": channel_id, "template": name})


def _exists(key: TemplateKey) -> TemplateExists:
    return TemplateExists(
        f"A template {key.name!r} in {key.language!r} already exists on this channel.",
        details={"name": key.name, "language": key.language},
    )


def _given_value_count_problems(
    components: list[dict[str, Any]], values: TemplateValues
) -> list[dict[str, str]]:
    """Counts are checked for the parts a caller gave; samples fill the parts left out."""
    given = {"header": bool(values.header), "body": bool(values.body), "buttons": bool(values.buttons)}
    return [
        problem
        for problem in value_count_problems(components, values)
        if given.get(problem["field"].split(".")[1], True)
    ]
