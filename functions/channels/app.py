"""Channels: connect a WhatsApp number, configure it, view or change its key, check its health."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from wachannel.api.channels import (
    ApiKeyOut,
    AuditEntryOut,
    AuditPage,
    ChannelOut,
    ChannelPage,
    ConnectChannelRequest,
    HealthOut,
    ReplaceApiKeyRequest,
    UpdateChannelRequest,
)
from wachannel.api.paging import PageCursor, PageLimit
from wachannel.config import ChannelSettings, load_settings
from wachannel.http import (
    PAGE_LIMIT_DEFAULT,
    PROVIDER_ERRORS,
    Caller,
    CursorCodec,
    caller_of,
    create_resolver,
    documented,
)
from wachannel.observability import HTTP_CORRELATION_PATH, logger, metrics
from wachannel.services.channels import ChannelChanges, ChannelService, NewChannel
from wachannel.services.factory import channel_service

settings = load_settings(ChannelSettings)
cursors = CursorCodec(settings.cursor_signing_key.get_secret_value().encode())
app = create_resolver()


def _caller() -> Caller:
    return caller_of(app.current_event)


def _service() -> ChannelService:
    return channel_service(app.current_event.request_context.domain_name)


@app.post("/channels", responses=documented(201, ChannelOut, 409, *PROVIDER_ERRORS), tags=["Channels"])
def connect_channel(request: ConnectChannelRequest) -> Response[ChannelOut]:
    channel = _service().connect(_caller(), NewChannel(**request.model_dump()))
    metrics.add_metric(name="ChannelsConnected", unit=MetricUnit.Count, value=1)
    return Response(201, content_types.APPLICATION_JSON, ChannelOut.of(channel))


@app.get("/channels", responses=documented(200, ChannelPage), tags=["Channels"])
def list_channels(limit: PageLimit = PAGE_LIMIT_DEFAULT, cursor: PageCursor = None) -> ChannelPage:
    caller = _caller()
    scope = f"channels:{caller.workspace_id}"
    channels, position = _service().page(caller, limit, cursors.decode(scope, cursor))
    return ChannelPage(
        items=[ChannelOut.of(c) for c in channels], next_cursor=cursors.encode(scope, position)
    )


@app.get("/channels/<channel_id>", responses=documented(200, ChannelOut), tags=["Channels"])
def get_channel(channel_id: str) -> ChannelOut:
    return ChannelOut.of(_service().get(_caller(), channel_id))


@app.patch(
    "/channels/<channel_id>", responses=documented(200, ChannelOut, 409, *PROVIDER_ERRORS), tags=["Channels"]
)
def update_channel(channel_id: str, request: UpdateChannelRequest) -> ChannelOut:
    named = request.model_fields_set
    changes = ChannelChanges(
        name=request.name,
        phone_number=request.phone_number,
        api_key=request.api_key,
        templates_enabled_by_default=request.templates_enabled_by_default,
        **({"greeting_message": request.greeting_message} if "greeting_message" in named else {}),
    )
    return ChannelOut.of(_service().update(_caller(), channel_id, changes))


@app.delete(
    "/channels/<channel_id>", responses=documented(204, None, description="Disconnected"), tags=["Channels"]
)
def disconnect_channel(channel_id: str) -> Response[None]:
    _service().disconnect(_caller(), channel_id)
    return Response(204)


@app.get("/channels/<channel_id>/api-key", responses=documented(200, ApiKeyOut), tags=["Channels"])
def view_api_key(channel_id: str) -> ApiKeyOut:
    return ApiKeyOut(api_key=_service().view_api_key(_caller(), channel_id))


@app.put(
    "/channels/<channel_id>/api-key",
    responses=documented(200, ChannelOut, *PROVIDER_ERRORS),
    tags=["Channels"],
)
def replace_api_key(channel_id: str, request: ReplaceApiKeyRequest) -> ChannelOut:
    return ChannelOut.of(_service().replace_api_key(_caller(), channel_id, request.api_key))


@app.post(
    "/channels/<channel_id>/api-key/refresh",
    responses=documented(200, ChannelOut, 409, *PROVIDER_ERRORS),
    tags=["Channels"],
)
def refresh_api_key(channel_id: str) -> ChannelOut:
    return ChannelOut.of(_service().refresh_api_key(_caller(), channel_id))


@app.get("/channels/<channel_id>/audit", responses=documented(200, AuditPage), tags=["Channels"])
def list_audit(
    channel_id: str, limit: PageLimit = PAGE_LIMIT_DEFAULT, cursor: PageCursor = None
) -> AuditPage:
    caller = _caller()
    scope = f"audit:{caller.workspace_id}:{channel_id}"
    entries, position = _service().page_audit(caller, channel_id, limit, cursors.decode(scope, cursor))
    return AuditPage(
        items=[AuditEntryOut.of(e) for e in entries], next_cursor=cursors.encode(scope, position)
    )


@app.get("/channels/<channel_id>/health", responses=documented(200, HealthOut), tags=["Channels"])
def channel_health(channel_id: str) -> HealthOut:
    return HealthOut.of(_service().health(_caller(), channel_id))


@logger.inject_lambda_context(correlation_id_path=HTTP_CORRELATION_PATH)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
