"""Jobs the webhook hands to other functions through SQS, sent after the webhook has stored what
they refer to."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient
    from mypy_boto3_sqs.type_defs import SendMessageBatchRequestEntryTypeDef


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


class TemplateSyncQueue(Protocol):
    def enqueue_syncs(self, channels: list[tuple[str, str]]) -> None: ...


class SqsTemplateSyncQueue:
    """One job per channel for the template-sync worker. A job delivered twice syncs twice, which
    writes nothing the second time."""

    def __init__(self, queue_url: str, client: Callable[[], SQSClient]) -> None:
        self._queue_url = queue_url
        self._client = client

    def enqueue_syncs(self, channels: list[tuple[str, str]]) -> None:
        """Raises if a job could not be queued after one retry, so the caller's trigger runs again."""
        jobs = [
            {"workspace_id": workspace_id, "channel_id": channel_id} for workspace_id, channel_id in channels
        ]
        send_batches(self._client(), self._queue_url, jobs, what="template-sync jobs")


class MediaCopyQueue(Protocol):
    def enqueue_copies(self, jobs: list[dict[str, str]]) -> None: ...


class SqsMediaQueue:
    """One job per inbound media message; its consumer copies the file from 360dialog to the media
    bucket after the webhook has answered. A job delivered twice copies twice, to the same key."""

    def __init__(self, queue_url: str, client: Callable[[], SQSClient]) -> None:
        self._queue_url = queue_url
        self._client = client

    def enqueue_copies(self, jobs: list[dict[str, str]]) -> None:
        send_batches(self._client(), self._queue_url, jobs, what="media copy jobs")


def send_batches(client: SQSClient, queue_url: str, jobs: list[dict[str, str]], *, what: str) -> None:
    """SendMessageBatch in tens; entries SQS refuses are sent once more, then it raises."""
    for start in range(0, len(jobs), _BATCH):
        entries: list[SendMessageBatchRequestEntryTypeDef] = [
            {"Id": str(position), "MessageBody": json.dumps(job)}
            for position, job in enumerate(jobs[start : start + _BATCH])
        ]
        for _attempt in range(2):
            answer = client.send_message_batch(QueueUrl=queue_url, Entries=entries)
            failed = {failure["Id"] for failure in answer.get("Failed", [])}
            entries = [entry for entry in entries if entry["Id"] in failed]
            if not entries:
                break
        if entries:
            raise RuntimeError(f"SQS refused {len(entries)} {what}")


_BATCH = 10  # SendMessageBatch's most entries
