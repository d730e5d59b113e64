"""Jobs the webhook hands to other functions through SQS, sent after the webhook has stored what
they refer to."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient


class GreetingQueue(Protocol):
    def enqueue_greeting(
        self, workspace_id: str, channel_id: str, contact_id: str, reply_to_wamid: str
    ) -> None: ...


class SqsSendQueue:
    """The send queue; its consumer (functions/send) sends what each job names. A job carries an
    idempotency key, so a job delivered twice by SQS is sent once."""

    def __init__(self, queue_url: str, client: Callable[[], SQSClient]) -> None:
        self._queue_url = queue_url
        self._client = client

    def enqueue_greeting(
        self, workspace_id: str, channel_id: str, contact_id: str, reply_to_wamid: str
    ) -> None:
        job = {
            "kind": "greeting",
            "workspace_id": workspace_id,
            "channel_id": channel_id,
            "contact_id": contact_id,
            "reply_to_wamid": reply_to_wamid,
            "idempotency_key": f"greeting:{channel_id}:{contact_id}",
        }
        self._client().send_message(QueueUrl=self._queue_url, MessageBody=json.dumps(job))
