"""Domain events from the table's stream: every change that stands for an event is published on
the bus after it was stored. A change whose events EventBridge refuses is reported as a batch item
failure, so Lambda retries from it; after the retries it lands in the dead-letter queue."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from wachannel import aws
from wachannel.config import EventsSettings, load_settings
from wachannel.domain.events import events_from_change
from wachannel.events import EventPublisher
from wachannel.observability import logger, metrics
from wachannel.store.codec import from_item

settings = load_settings(EventsSettings)
publisher = EventPublisher(settings.event_bus_name, aws.events)
processor = BatchProcessor(event_type=EventType.DynamoDBStreams)


def publish_change(record: DynamoDBRecord) -> None:
    change = record.raw_event.get("dynamodb", {})
    old = from_item(change["OldImage"]) if change.get("OldImage") else None
    new = from_item(change["NewImage"]) if change.get("NewImage") else None
    events = events_from_change(old, new)
    if events:
        publisher.publish(events)
        metrics.add_metric(name="DomainEventsPublished", unit=MetricUnit.Count, value=len(events))


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(
        event=event, record_handler=publish_change, processor=processor, context=context
    )
