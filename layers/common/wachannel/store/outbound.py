"""What sending reads and writes: who a number belongs to, the conversation's window, and the sent
message, merged with any status that arrived before the send call returned."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from wachannel.domain.channels import Channel
from wachannel.domain.contacts import Contact
from wachannel.domain.delivery_status import rank_of
from wachannel.domain.messages import message_id
from wachannel.store import keys
from wachannel.store.channels import channel_from, iso
from wachannel.store.codec import from_item, to_attribute, to_item
from wachannel.store.contacts import contact_from
from wachannel.store.paging import batch_get

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


@dataclass(frozen=True)
class SendFacts:
    channel: Channel | None
    contact: Contact | None = None
    last_inbound_at: datetime | None = None


# A send that never reached WhatsApp has no wamid; it is kept under a local id of this form.
UNSENT_PREFIX = "unsent."


class OutboundRepository:
    def __init__(self, table_name: str, client: Callable[[], DynamoDBClient]) -> None:
        self._table = table_name
        self._client = client

    def read_for_send(
        self, workspace_id: str, channel_id: str, *, contact_id: str | None, identity: str | None
    ) -> SendFacts:
        """What a send needs before calling 360dialog, in one consistent BatchGetItem: the channel and
        either the contact with its conversation, or the identity a number belongs to (then the
        contact and conversation in a second)."""
        wanted = [{"PK": keys.workspace_pk(workspace_id), "SK": keys.channel_sk(channel_id)}]
        if contact_id is not None:
            wanted += self._recipient_keys(workspace_id, contact_id, channel_id)
        if identity is not None:
            wanted.append({"PK": keys.identity_pk(workspace_id, identity), "SK": keys.IDENTITY_SK})
        found = self._read(wanted)
        channel_item = found.get((keys.workspace_pk(workspace_id), keys.channel_sk(channel_id)))
        channel = channel_from(channel_item) if channel_item else None
        if identity is not None:
            claimed = found.get((keys.identity_pk(workspace_id, identity), keys.IDENTITY_SK), {})
            contact_id = claimed.get("contact_id")
            if channel is None or contact_id is None:
                return SendFacts(channel=channel)
            found = self._read(self._recipient_keys(workspace_id, contact_id, channel_id))
        if contact_id is None:
            return SendFacts(channel=channel)
        contact_item = found.get((keys.contact_pk(workspace_id, contact_id), keys.CONTACT_SK))
        conversation = found.get(
            (keys.contact_pk(workspace_id, contact_id), keys.conversation_sk(channel_id)), {}
        )
        last_inbound = conversation.get("last_inbound_at")
        return SendFacts(
            channel=channel,
            contact=contact_from(contact_item) if contact_item else None,
            last_inbound_at=datetime.fromisoformat(last_inbound) if last_inbound else None,
        )

    @staticmethod
    def _recipient_keys(workspace_id: str, contact_id: str, channel_id: str) -> list[dict[str, str]]:
        pk = keys.contact_pk(workspace_id, contact_id)
        return [{"PK": pk, "SK": keys.CONTACT_SK}, {"PK": pk, "SK": keys.conversation_sk(channel_id)}]

    def _read(self, wanted: list[dict[str, str]]) -> dict[tuple[str, str], dict[str, Any]]:
        items = batch_get(self._client(), self._table, wanted, consistent=True)
        return {(item["PK"], item["SK"]): item for item in items}

    def inbound_message(self, workspace_id: str, channel_id: str, wamid: str) -> dict[str, Any] | None:
        answer = self._client().get_item(
            TableName=self._table,
            Key=to_item({"PK": keys.message_pk(workspace_id, channel_id, wamid), "SK": keys.MESSAGE_SK}),
        )
        item = answer.get("Item")
        return from_item(item) if item else None

    def store_sent(
        self,
        workspace_id: str,
        channel_id: str,
        *,
        wamid: str,
        contact_id: str,
        content: Mapping[str, Any],
        now: datetime,
    ) -> dict[str, Any]:
        """The message as sent, filed under its contact. A status webhook that beat the send's answer
        left a placeholder with a higher status: its status stays."""
        return self._store(
            workspace_id,
            channel_id,
            wamid=wamid,
            contact_id=contact_id,
            content={**content, "whatsapp_message_id": wamid},
            status="accepted",
            now=now,
        )

    def store_unsent(
        self,
        workspace_id: str,
        channel_id: str,
        *,
        local_id: str,
        contact_id: str,
        content: Mapping[str, Any],
        error: Mapping[str, str],
        now: datetime,
    ) -> dict[str, Any]:
        """A send 360dialog refused or never answered: kept as failed, with the reason, in the thread."""
        return self._store(
            workspace_id,
            channel_id,
            wamid=f"{UNSENT_PREFIX}{local_id}",
            contact_id=contact_id,
            content={**content, "whatsapp_message_id": None, "error": dict(error)},
            status="failed",
            now=now,
        )

    def touch_conversation(
        self, workspace_id: str, channel_id: str, contact_id: str, *, summary: Mapping[str, Any], at: datetime
    ) -> None:
        """The conversation moves up with the business's message too; only the customer's messages
        move its window (`last_inbound_at`), so that is left alone."""
        stamp = iso(at)
        activity = f"{stamp}#{channel_id}#{contact_id}"
        values = {
            ":entity": "conversation",
            ":workspace_id": workspace_id,
            ":channel_id": channel_id,
            ":contact_id": contact_id,
            ":at": stamp,
            ":summary": dict(summary),
            ":gsi1pk": keys.channel_conversations_gsi(workspace_id, channel_id),
            ":gsi2pk": keys.workspace_conversations_gsi(workspace_id),
            ":activity": activity,
        }
        client = self._client()
        try:
            client.update_item(
                TableName=self._table,
                Key=to_item(
                    {"PK": keys.contact_pk(workspace_id, contact_id), "SK": keys.conversation_sk(channel_id)}
                ),
                UpdateExpression=(
                    "SET entity = :entity, workspace_id = :workspace_id, channel_id = :channel_id, "
                    "contact_id = :contact_id, last_activity_at = :at, last_message = :summary, "
                    "GSI1PK = :gsi1pk, GSI1SK = :activity, GSI2PK = :gsi2pk, GSI2SK = :activity"
                ),
                ConditionExpression="attribute_not_exists(last_activity_at) OR last_activity_at < :at",
                ExpressionAttributeValues=to_item(values),
            )
        except client.exceptions.ConditionalCheckFailedException:
            return

    def _store(
        self,
        workspace_id: str,
        channel_id: str,
        *,
        wamid: str,
        contact_id: str,
        content: Mapping[str, Any],
        status: str,
        now: datetime,
    ) -> dict[str, Any]:
        stamp = iso(now)
        sort_key = f"{stamp}#{wamid}"
        fields: dict[str, Any] = {
            "entity": "message",
            "id": message_id(channel_id, wamid),
            "workspace_id": workspace_id,
            "channel_id": channel_id,
            "direction": "outbound",
            "timestamp": stamp,
            "filed": True,
            "contact_id": contact_id,
            "GSI1PK": keys.contact_messages_gsi(workspace_id, contact_id),
            "GSI1SK": sort_key,
            "GSI2PK": keys.contact_channel_messages_gsi(workspace_id, contact_id, channel_id),
            "GSI2SK": sort_key,
            **{name: value for name, value in content.items() if value is not None},
        }
        names = {f"#f{index}": name for index, name in enumerate(fields)}
        values = {f":f{index}": to_attribute(value) for index, value in enumerate(fields.values())}
        values.update(to_item({":status": status, ":rank": rank_of(status), ":at": stamp}))
        assignments = [f"#f{index} = :f{index}" for index in range(len(fields))]
        assignments += [
            "#status = if_not_exists(#status, :status)",
            "status_rank = if_not_exists(status_rank, :rank)",
            "status_updated_at = if_not_exists(status_updated_at, :at)",
        ]
        answer = self._client().update_item(
            TableName=self._table,
            Key=to_item({"PK": keys.message_pk(workspace_id, channel_id, wamid), "SK": keys.MESSAGE_SK}),
            UpdateExpression="SET " + ", ".join(assignments),
            ExpressionAttributeNames={**names, "#status": "status"},
            ExpressionAttributeValues=values,
            ReturnValues="ALL_NEW",
        )
        return from_item(answer.get("Attributes", {}))
