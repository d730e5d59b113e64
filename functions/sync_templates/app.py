"""Templates: the HTTP routes (list, sync, submit, preview, delete), the scheduled fan-out that queues
one sync job per active channel, and the queue consumer that runs those jobs.

Three Lambda functions share this module, each with its own handler. Each handler validates the
settings it needs on its first call, since the three have different environments."""

from __future__ import annotations

import json
from functools import cache
from typing import TYPE_CHECKING, Annotated, Any

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from wachannel.api.paging import PageCursor, PageLimit
from wachannel.api.templates import (
    PreviewTemplateRequest,
    SubmitTemplateRequest,
    SyncResult,
    TemplateOut,
    TemplatePage,
    TemplatePreview,
    UpdateTemplateSettingsRequest,
)
from wachannel.config import ProviderSettings, TemplateApiSettings, TemplateFanOutSettings, load_settings
from wachannel.dialog360 import ProviderRequestFailed
from wachannel.domain.contacts import fold
from wachannel.domain.templates import TemplateKey, normalise_category, normalise_status
from wachannel.http import (
    PAGE_LIMIT_DEFAULT,
    PROVIDER_ERRORS,
    CursorCodec,
    caller_of,
    create_resolver,
    documented,
)
from wachannel.observability import HTTP_CORRELATION_PATH, logger, metrics
from wachannel.queue_consumer import process_queue_batch
from wachannel.services.templates import PreviewRequest, SyncOutcome, TemplateSubmission
from wachannel.services.templates_factory import active_channels, template_service, template_sync_queue
from wachannel.store.templates import TemplateFilters

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

app = create_resolver()


@cache
def _cursors() -> CursorCodec:
    return CursorCodec(load_settings(TemplateApiSettings).cursor_signing_key.get_secret_value().encode())


def _workspace_id() -> str:
    return caller_of(app.current_event).workspace_id


def _count_sync(outcome: SyncOutcome) -> None:
    metrics.add_metric(name="TemplatesSynced", unit=MetricUnit.Count, value=1)
    changed = outcome.created + outcome.updated + outcome.deleted
    metrics.add_metric(name="TemplatesChanged", unit=MetricUnit.Count, value=changed)


@app.get("/channels/<channel_id>/templates", responses=documented(200, TemplatePage), tags=["Templates"])
def list_templates(
    channel_id: str,
    *,
    search: Annotated[str | None, Query(max_length=100, description="Part of the name or body text")] = None,
    status: Annotated[
        str | None, Query(max_length=32, description="APPROVED, PENDING, REJECTED, ...")
    ] = None,
    category: Annotated[str | None, Query(max_length=32, description="MARKETING, UTILITY, ...")] = None,
    language: Annotated[str | None, Query(max_length=16, description="Exact locale code, e.g. en_US")] = None,
    enabled: Annotated[bool | None, Query(description="Enabled for agents by the workspace")] = None,
    offered: Annotated[bool | None, Query(description="Enabled and approved: what agents may send")] = None,
    limit: PageLimit = PAGE_LIMIT_DEFAULT,
    cursor: PageCursor = None,
) -> TemplatePage:
    workspace_id = _workspace_id()
    filters = TemplateFilters(
        search=fold(search).strip() or None if search is not None else None,
        status=normalise_status(status) if status else None,
        category=normalise_category(category) if category else None,
        language=language or None,
        enabled=enabled,
        offered=offered,
    )
    scope = f"templates:{workspace_id}:{channel_id}:{json.dumps(filters.__dict__, sort_keys=True)}"
    page = template_service().page(workspace_id, channel_id, filters, limit, _cursors().decode(scope, cursor))
    synced_at = page.channel.templates_last_synced_at
    return TemplatePage(
        items=[TemplateOut.of(stored, synced_at) for stored in page.templates],
        next_cursor=_cursors().encode(scope, page.position),
        last_synced_at=synced_at,
    )


@app.post(
    "/channels/<channel_id>/templates/sync",
    responses=documented(200, SyncResult, 429, *PROVIDER_ERRORS),
    tags=["Templates"],
)
def sync_templates(channel_id: str) -> SyncResult:
    outcome = template_service().sync(_workspace_id(), channel_id)
    _count_sync(outcome)
    return SyncResult(
        created=outcome.created,
        updated=outcome.updated,
        deleted=outcome.deleted,
        unchanged=outcome.unchanged,
        last_synced_at=outcome.last_synced_at,
    )


@app.post(
    "/channels/<channel_id>/templates",
    responses=documented(201, TemplateOut, 409, *PROVIDER_ERRORS),
    tags=["Templates"],
)
def submit_template(channel_id: str, request: SubmitTemplateRequest) -> Response[TemplateOut]:
    stored = template_service().submit(
        _workspace_id(), channel_id, TemplateSubmission(**request.model_dump())
    )
    metrics.add_metric(name="TemplatesSubmitted", unit=MetricUnit.Count, value=1)
    return Response(201, content_types.APPLICATION_JSON, TemplateOut.of(stored, None))


@app.post(
    "/channels/<channel_id>/templates/preview",
    responses=documented(200, TemplatePreview),
    tags=["Templates"],
)
def preview_template(channel_id: str, request: PreviewTemplateRequest) -> TemplatePreview:
    rendered = template_service().preview(
        _workspace_id(),
        channel_id,
        PreviewRequest(
            components=request.components,
            name=request.name,
            language=request.language,
            parameters=request.parameters.values() if request.parameters else None,
            contact_id=request.contact_id,
        ),
    )
    return TemplatePreview.model_validate(rendered.model_dump())


@app.patch(
    "/channels/<channel_id>/templates/<name>/<language>",
    responses=documented(200, TemplateOut),
    tags=["Templates"],
)
def update_template_settings(
    channel_id: str, name: str, language: str, request: UpdateTemplateSettingsRequest
) -> TemplateOut:
    workspace_id = _workspace_id()
    service = template_service()
    stored = service.update_settings(workspace_id, channel_id, TemplateKey(name, language), request.changes())
    channel = service.access.channel(workspace_id, channel_id)
    return TemplateOut.of(stored, channel.templates_last_synced_at)


@app.delete(
    "/channels/<channel_id>/templates/<name>",
    responses=documented(204, None, *PROVIDER_ERRORS, description="Deleted in every language"),
    tags=["Templates"],
)
def delete_template(channel_id: str, name: str) -> Response[None]:
    template_service().delete(_workspace_id(), channel_id, name)
    return Response(204)


def sync_job(record: SQSRecord) -> None:
    """A job that fails for a reason a retry cannot fix (the key was revoked, 360dialog refuses the
    request: a 4xx) is done, and the failure is on the channel's health. Throttling, outages and
    timeouts are raised, so SQS delivers the job again and finally to the dead-letter queue."""
    job = json.loads(record.body)
    try:
        outcome = template_service().sync_scheduled(job["workspace_id"], job["channel_id"])
    except ProviderRequestFailed as failure:
        if failure.provider_status is not None and failure.provider_status >= 500:
            raise
        logger.warning(
            "Scheduled template sync failed",
            extra={"channel_id": job["channel_id"], "reason": failure.message},
        )
        return
    if outcome is not None:
        _count_sync(outcome)


@logger.inject_lambda_context(correlation_id_path=HTTP_CORRELATION_PATH)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    load_settings(TemplateApiSettings)
    return app.resolve(event, context)


@logger.inject_lambda_context
@metrics.log_metrics
def fan_out_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    load_settings(TemplateFanOutSettings)
    queued = 0
    for page in active_channels().active_channel_pages():
        template_sync_queue().enqueue_syncs(page)
        queued += len(page)
    metrics.add_metric(name="TemplateSyncJobsQueued", unit=MetricUnit.Count, value=queued)
    logger.info("Template sync jobs queued", extra={"channels": queued})
    return {"queued": queued}


@logger.inject_lambda_context
@metrics.log_metrics
def sync_job_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    load_settings(ProviderSettings)
    return process_queue_batch(event, sync_job, context)
