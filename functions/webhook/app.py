"""360dialog's deliveries: checked against the channel's secret, parsed, stored once, answered fast.
Nothing slow happens before the answer: no call to 360dialog, no media download."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from wachannel.api.webhook import DeliveryAccepted
from wachannel.config import WebhookSettings, load_settings
from wachannel.domain.channels import WEBHOOK_TOKEN_HEADER, secret_matches
from wachannel.domain.webhook_parsing import read_webhook
from wachannel.errors import NotFound, Unauthorized
from wachannel.http import create_resolver, documented
from wachannel.observability import HTTP_CORRELATION_PATH, logger, metrics
from wachannel.services.webhook_factory import channel_repository, inbound_service

settings = load_settings(WebhookSettings)
# The body is whatever 360dialog sends; the parser, not request validation, decides what it holds.
app = create_resolver(enable_validation=False)


@app.post(
    "/webhooks/360dialog/<channel_id>",
    summary="360dialog delivers messages and statuses",
    description=(
        "Called by 360dialog with the channel's secret in X-Webhook-Token. The body is a webhook "
        "payload of either API generation (Cloud `whatsapp_business_account` envelope or On-Premise "
        "flat arrays). 200 once everything in it is stored; 5xx makes 360dialog deliver it again."
    ),
    responses=documented(200, DeliveryAccepted, 400, 401, 404, 413, common_errors=()),
    security=[],
    tags=["Webhook"],
)
def receive_delivery(channel_id: str) -> Response[str]:
    route = channel_repository().route(channel_id)
    if route is None:
        raise NotFound("No such channel.")
    token = app.current_event.headers.get(WEBHOOK_TOKEN_HEADER.lower(), "")
    if not token or not secret_matches(token, route.accepted_secret_digests):
        raise Unauthorized("The X-Webhook-Token header does not match this channel's secret.")
    delivery = read_webhook(app.current_event.decoded_body or "")
    report = inbound_service().accept(route, delivery)
    for message_type, count in report.message_types.items():
        metrics.add_metric(name=f"InboundMessages.{message_type}", unit=MetricUnit.Count, value=count)
    metrics.add_metric(name="InboundMessages", unit=MetricUnit.Count, value=report.counts.messages_received)
    metrics.add_metric(
        name="DuplicatesDropped", unit=MetricUnit.Count, value=report.counts.duplicates_dropped
    )
    metrics.add_metric(name="StatusesApplied", unit=MetricUnit.Count, value=report.counts.statuses_applied)
    metrics.add_metric(
        name="StatusesIgnored", unit=MetricUnit.Count, value=report.counts.stale_statuses_ignored
    )
    logger.info(
        "Delivery stored",
        extra={
            "channel_id": channel_id,
            "api_generation": delivery.api_generation,
            "events": report.events,
            "messages_received": report.counts.messages_received,
            "duplicates_dropped": report.counts.duplicates_dropped,
            "statuses_applied": report.counts.statuses_applied,
            "stale_statuses_ignored": report.counts.stale_statuses_ignored,
        },
    )
    return Response(
        200, content_types.APPLICATION_JSON, DeliveryAccepted(received=report.events).model_dump_json()
    )


@logger.inject_lambda_context(correlation_id_path=HTTP_CORRELATION_PATH)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
