"""Copies customers' files from 360dialog into the media bucket, one media queue job per message,
after the webhook has answered."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from wachannel.config import MediaSettings, load_settings
from wachannel.observability import logger, metrics
from wachannel.queue_consumer import process_queue_batch
from wachannel.services.media_factory import media_copier

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

settings = load_settings(MediaSettings)


def copy_job(record: SQSRecord) -> None:
    job = json.loads(record.body)
    attempt = int(record.attributes.approximate_receive_count)
    outcome = media_copier().copy_inbound(job, attempt)
    metrics.add_metric(
        name=f"MediaCopies.{outcome.split(':')[0].replace(' ', '_')}", unit=MetricUnit.Count, value=1
    )
    logger.info("Media copy job done", extra={"channel_id": job.get("channel_id"), "outcome": outcome})


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return process_queue_batch(event, copy_job, context)
