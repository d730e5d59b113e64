"""Sending: agents' and API clients' messages, read receipts, and the send queue's jobs (the greeting).

Two Lambda functions share this module: the HTTP routes and the send queue's consumer."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated, Any

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Header
from aws_lambda_powertools.utilities.typing import LambdaContext

from wachannel.api.media import NewUpload, NewUploadRequest
from wachannel.api.message_out import MessageOut
from wachannel.api.messages import SendMessageRequest
from wachannel.config import SendSettings, load_settings
from wachannel.http import PROVIDER_ERRORS, caller_of, create_resolver, documented
from wachannel.observability import HTTP_CORRELATION_PATH, logger, metrics
from wachannel.queue_consumer import process_queue_batch
from wachannel.services.send_factory import send_service

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

settings = load_settings(SendSettings)
app = create_resolver()

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=200,
        description="Repeat a request with the same key to get its first answer; nothing is sent twice.",
    ),
]


@app.post(
    "/channels/<channel_id>/messages",
    responses=documented(201, MessageOut, 409, *PROVIDER_ERRORS),
    tags=["Messages"],
)
def send_message(
    channel_id: str, request: SendMessageRequest, idempotency_key: IdempotencyKey = None
) -> Response[MessageOut]:
    workspace_id = caller_of(app.current_event).workspace_id
    message = send_service().send(
        workspace_id,
        channel_id,
        request.to,
        request.content(),
        idempotency_key=idempotency_key,
        invocation=app.lambda_context,
    )
    return Response(201, content_types.APPLICATION_JSON, MessageOut.of(message))


@app.post(
    "/channels/<channel_id>/media/uploads",
    responses=documented(201, NewUpload),
    tags=["Media"],
)
def create_upload(channel_id: str, request: NewUploadRequest) -> Response[NewUpload]:
    upload = send_service().create_upload(
        caller_of(app.current_event).workspace_id,
        channel_id,
        filename=request.filename,
        mime_type=request.mime_type,
        file_size=request.file_size,
    )
    body = NewUpload(upload_id=upload.upload_id, upload_url=upload.upload_url, expires_at=upload.expires_at)
    return Response(201, content_types.APPLICATION_JSON, body)


@app.post(
    "/messages/<message_id>/read",
    responses=documented(204, None, *PROVIDER_ERRORS, description="Marked read at 360dialog"),
    tags=["Messages"],
)
def mark_read(message_id: str) -> Response[None]:
    send_service().mark_read(caller_of(app.current_event).workspace_id, message_id)
    return Response(204)


def send_job(record: SQSRecord, lambda_context: LambdaContext) -> None:
    """Powertools passes the invocation by this parameter's name."""
    job = json.loads(record.body)
    if job.get("kind") != "greeting":
        logger.error("Unknown send job", extra={"kind": job.get("kind")})
        return
    outcome = send_service().send_greeting(
        job["workspace_id"], job["channel_id"], job["contact_id"], job["idempotency_key"], lambda_context
    )
    logger.info("Greeting job done", extra={"channel_id": job["channel_id"], "outcome": outcome})


@logger.inject_lambda_context(correlation_id_path=HTTP_CORRELATION_PATH)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)


@logger.inject_lambda_context
@metrics.log_metrics
def send_job_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return process_queue_batch(event, send_job, context)
