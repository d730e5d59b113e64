"""SQS consumers with partial batch responses (Powertools batch processing): a failed record is
retried alone, the others are done.

Imported on first use: the batch utilities and Powertools' event classes cost ~45 ms, which the
HTTP functions that share a module with a consumer would otherwise pay on every cold start."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext


def process_queue_batch(
    event: dict[str, Any], record_handler: Callable[..., None], context: LambdaContext
) -> dict[str, Any]:
    from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response

    processor = BatchProcessor(event_type=EventType.SQS)
    return dict(
        process_partial_response(
            event=event, record_handler=record_handler, processor=processor, context=context
        )
    )
