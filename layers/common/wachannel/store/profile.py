"""A channel's business profile as 360dialog last held it (`WS#<ws>#CH#<ch>` / `PROFILE`), and the
outcome of the last sync on the channel item, where channel health reads it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from wachannel.domain.profile import BusinessProfile
from wachannel.store import keys
from wachannel.store.channels import iso
from wachannel.store.codec import from_item, to_item

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

PROFILE_SK = "PROFILE"


class ProfileRepository:
    def __init__(self, table_name: str, client: Callable[[], DynamoDBClient]) -> None:
        self._table = table_name
        self._client = client

    def get(self, workspace_id: str, channel_id: str) -> BusinessProfile | None:
        answer = self._client().get_item(
            TableName=self._table,
            Key=to_item({"PK": keys.channel_scoped_pk(workspace_id, channel_id), "SK": PROFILE_SK}),
        )
        item = answer.get("Item")
        if not item:
            return None
        values = from_item(item)
        return BusinessProfile.model_validate(
            {name: values.get(name) for name in BusinessProfile.model_fields}
        )

    def save(self, workspace_id: str, channel_id: str, profile: BusinessProfile, *, now: datetime) -> None:
        """The profile 360dialog now holds, and the channel's `profile_last_synced_at`, together."""
        values: dict[str, Any] = {
            "PK": keys.channel_scoped_pk(workspace_id, channel_id),
            "SK": PROFILE_SK,
            "entity": "profile",
            "synced_at": iso(now),
            **profile.model_dump(mode="json"),
        }
        self._client().transact_write_items(
            TransactItems=[
                {"Put": {"TableName": self._table, "Item": to_item(values)}},
                {
                    "Update": {
                        "TableName": self._table,
                        "Key": to_item(_channel_key(workspace_id, channel_id)),
                        "UpdateExpression": (
                            "SET profile_last_synced_at = :now, profile_sync_attempted_at = :now, "
                            "profile_sync_error = :none"
                        ),
                        "ConditionExpression": "attribute_exists(PK)",
                        "ExpressionAttributeValues": to_item({":now": iso(now), ":none": None}),
                    }
                },
            ]
        )

    def record_failure(self, workspace_id: str, channel_id: str, *, error: str, now: datetime) -> None:
        self._client().update_item(
            TableName=self._table,
            Key=to_item(_channel_key(workspace_id, channel_id)),
            UpdateExpression="SET profile_sync_error = :error, profile_sync_attempted_at = :now",
            ConditionExpression="attribute_exists(PK)",
            ExpressionAttributeValues=to_item({":error": error, ":now": iso(now)}),
        )


def _channel_key(workspace_id: str, channel_id: str) -> dict[str, str]:
    return {"PK": keys.workspace_pk(workspace_id), "SK": keys.channel_sk(channel_id)}
