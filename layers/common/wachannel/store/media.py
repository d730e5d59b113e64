"""The media part of stored messages: what the copy to the media bucket found, and where it put the
file. Outbound uploads are kept under their channel (`WS#<ws>#CH#<ch>` / `UPLOAD#<id>`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from wachannel.store import keys
from wachannel.store.channels import iso
from wachannel.store.codec import from_item, to_item

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


def upload_sk(upload_id: str) -> str:
    return f"UPLOAD#{upload_id}"


class MediaRepository:
    def __init__(self, table_name: str, client: Callable[[], DynamoDBClient]) -> None:
        self._table = table_name
        self._client = client

    def message(self, workspace_id: str, channel_id: str, wamid: str) -> dict[str, Any] | None:
        answer = self._client().get_item(
            TableName=self._table,
            Key=to_item({"PK": keys.message_pk(workspace_id, channel_id, wamid), "SK": keys.MESSAGE_SK}),
            ConsistentRead=True,
        )
        item = answer.get("Item")
        return from_item(item) if item else None

    def mark_stored(
        self,
        workspace_id: str,
        channel_id: str,
        wamid: str,
        *,
        s3_key: str,
        mime_type: str | None,
        file_size: int,
        now: datetime,
    ) -> None:
        self._set_media(
            workspace_id,
            channel_id,
            wamid,
            {
                "status": "stored",
                "s3_key": s3_key,
                "mime_type": mime_type,
                "file_size": file_size,
                "stored_at": iso(now),
            },
        )

    def mark_failed(
        self, workspace_id: str, channel_id: str, wamid: str, *, reason: str, now: datetime
    ) -> None:
        self._set_media(
            workspace_id, channel_id, wamid, {"status": "failed", "failure": reason, "failed_at": iso(now)}
        )

    def _set_media(self, workspace_id: str, channel_id: str, wamid: str, fields: Mapping[str, Any]) -> None:
        given = {name: value for name, value in fields.items() if value is not None}
        self._client().update_item(
            TableName=self._table,
            Key=to_item({"PK": keys.message_pk(workspace_id, channel_id, wamid), "SK": keys.MESSAGE_SK}),
            UpdateExpression="SET " + ", ".join(f"#media.#{name} = :{name}" for name in given),
            ConditionExpression="attribute_exists(#media)",
            ExpressionAttributeNames={"#media": "media", **{f"#{name}": name for name in given}},
            ExpressionAttributeValues=to_item({f":{name}": value for name, value in given.items()}),
        )

    # ------------------------------------------------------------------ outbound uploads
    def put_upload(self, workspace_id: str, channel_id: str, upload: Mapping[str, Any]) -> None:
        self._client().put_item(
            TableName=self._table,
            Item=to_item(
                {
                    "PK": keys.channel_scoped_pk(workspace_id, channel_id),
                    "SK": upload_sk(upload["id"]),
                    "entity": "upload",
                    **upload,
                }
            ),
        )

    def upload(self, workspace_id: str, channel_id: str, upload_id: str) -> dict[str, Any] | None:
        answer = self._client().get_item(
            TableName=self._table,
            Key=to_item({"PK": keys.channel_scoped_pk(workspace_id, channel_id), "SK": upload_sk(upload_id)}),
            ConsistentRead=True,
        )
        item = answer.get("Item")
        return from_item(item) if item else None

    def remember_provider_media(
        self, workspace_id: str, channel_id: str, upload_id: str, media_id: str
    ) -> None:
        """The id 360dialog gave the uploaded file: a second send of the same upload reuses it."""
        self._client().update_item(
            TableName=self._table,
            Key=to_item({"PK": keys.channel_scoped_pk(workspace_id, channel_id), "SK": upload_sk(upload_id)}),
            UpdateExpression="SET provider_media_id = :media_id",
            ExpressionAttributeValues=to_item({":media_id": media_id}),
        )
