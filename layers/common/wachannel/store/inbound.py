"""What webhook deliveries write: messages (once per WhatsApp id), contacts found by identity,
conversations with their window, statuses by rank, and the channel's delivery counters.

Request budget per event (bench/webhook.py counts them): a known contact's message is one
conditional put, one identity update and one transaction; a redelivered message is one failed
conditional put; a status is one conditional update."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Any, cast

from wachannel.domain.delivery_status import rank_of
from wachannel.domain.inbound import MEDIA_TYPES, InboundMessage, StatusUpdate
from wachannel.domain.messages import message_id
from wachannel.store import keys
from wachannel.store.channels import iso
from wachannel.store.codec import from_item, to_attribute, to_item
from wachannel.store.contacts import write_search_tokens
from wachannel.store.expressions import Update

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

RAW_KEPT_CHARACTERS = 32_000  # an unsupported message's original object, bounded far below 400 KB
_CONTENT_FIELDS = (
    "text",
    "media",
    "location",
    "shared_contacts",
    "interactive",
    "button",
    "reaction",
    "order",
    "system",
    "referral",
    "context",
    "errors",
)


class MessageWrite(Enum):
    STORED = "stored"
    DUPLICATE = "duplicate"
    # Stored by an earlier delivery that stopped before linking it to its contact: finish that work.
    RESUMED = "resumed"


@dataclass(frozen=True)
class StoredMessage:
    write: MessageWrite
    # The message's file is still to be copied: true for a new media message, and for a stored one
    # whose copy is not done (the delivery that stored it may have stopped before queueing the job).
    media_pending: bool


class StatusWrite(Enum):
    APPLIED = "applied"
    DUPLICATE = "duplicate"
    STALE = "stale"
    RECORDED = "recorded"


@dataclass(frozen=True)
class ContactResolution:
    contact_id: str
    created: bool
    first_on_channel: bool
    previous_wa_id: str | None
    previous_profile_name: str | None


@dataclass(frozen=True)
class DeliveryCounts:
    messages_received: int = 0
    duplicates_dropped: int = 0
    statuses_applied: int = 0
    stale_statuses_ignored: int = 0


def _first_event_attribute(channel_id: str) -> str:
    return f"first_event#{channel_id}"


class InboundRepository:
    def __init__(self, table_name: str, client: Callable[[], DynamoDBClient]) -> None:
        self._table = table_name
        self._client = client

    def store_message(
        self, workspace_id: str, channel_id: str, message: InboundMessage, now: datetime
    ) -> StoredMessage:
        content = message.model_dump(mode="json", include=set(_CONTENT_FIELDS), exclude_none=True)
        if not content.get("errors"):
            content.pop("errors", None)
        if not content.get("shared_contacts"):
            content.pop("shared_contacts", None)
        if message.type in MEDIA_TYPES and "media" in content:
            content["media"]["status"] = "pending"
        values: dict[str, Any] = {
            "PK": keys.message_pk(workspace_id, channel_id, message.wamid),
            "SK": keys.MESSAGE_SK,
            "entity": "message",
            "id": message_id(channel_id, message.wamid),
            "workspace_id": workspace_id,
            "channel_id": channel_id,
            "direction": "inbound",
            "whatsapp_message_id": message.wamid,
            "type": message.type,
            "from_wa_id": message.from_wa_id,
            "user_id": message.user_id,
            "timestamp": iso(message.timestamp),
            "received_at": iso(now),
            "status": "received",
            "status_rank": rank_of("received"),
            "status_updated_at": iso(message.timestamp),
            "filed": False,
            **content,
        }
        if message.raw is not None:
            values["raw"] = json.dumps(message.raw, ensure_ascii=False)[:RAW_KEPT_CHARACTERS]
        client = self._client()
        try:
            client.put_item(
                TableName=self._table,
                Item=to_item({k: v for k, v in values.items() if v is not None}),
                ConditionExpression="attribute_not_exists(PK)",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except client.exceptions.ConditionalCheckFailedException as error:
            existing = from_item(cast("dict[str, Any]", error.response.get("Item") or {}))
            return StoredMessage(
                MessageWrite.DUPLICATE if existing.get("filed") else MessageWrite.RESUMED,
                media_pending=(existing.get("media") or {}).get("status") == "pending",
            )
        return StoredMessage(
            MessageWrite.STORED, media_pending="media" in content and message.type in MEDIA_TYPES
        )

    def resolve_contact(
        self,
        workspace_id: str,
        *,
        identity: str,
        channel_id: str,
        new_contact_id: str,
        wa_id: str | None,
        profile_name: str | None,
        now: datetime,
        first_event: str | None = None,
    ) -> ContactResolution:
        """Claims the identity for a new contact, or finds the contact that holds it, in one write:
        concurrent first messages of one person all land on the contact the first one created.

        The identity also keeps which message brought the person onto each channel
        (`first_event`), so a redelivery of that message, after a delivery that stopped half way,
        is still the first on the channel. A contact made by a send has no such message."""
        sets = [
            "contact_id = if_not_exists(contact_id, :new_id)",
            "created_at = if_not_exists(created_at, :now)",
            "#first_event = if_not_exists(#first_event, :first_event)",
        ]
        values: dict[str, Any] = {
            ":new_id": new_contact_id,
            ":now": iso(now),
            ":channel": {channel_id},
            # False, which no message id equals, when a send made the contact.
            ":first_event": first_event or False,
        }
        if wa_id:
            sets.append("wa_id = :wa_id")
            values[":wa_id"] = wa_id
        if profile_name:
            sets.append("profile_name = :profile_name")
            values[":profile_name"] = profile_name
        answer = self._client().update_item(
            TableName=self._table,
            Key=to_item({"PK": keys.identity_pk(workspace_id, identity), "SK": keys.IDENTITY_SK}),
            UpdateExpression=f"SET {', '.join(sets)} ADD channel_ids :channel",
            ExpressionAttributeNames={"#first_event": _first_event_attribute(channel_id)},
            ExpressionAttributeValues=to_item(values),
            ReturnValues="ALL_OLD",
        )
        previous = from_item(answer.get("Attributes", {}))
        return ContactResolution(
            contact_id=str(previous.get("contact_id", new_contact_id)),
            created="contact_id" not in previous,
            first_on_channel=channel_id not in previous.get("channel_ids", set())
            or (first_event is not None and previous.get(_first_event_attribute(channel_id)) == first_event),
            previous_wa_id=previous.get("wa_id"),
            previous_profile_name=previous.get("profile_name"),
        )

    def put_contact(self, workspace_id: str, contact: dict[str, Any]) -> bool:
        """Creates the contact item once; False when it is there already (another message of the
        person wrote it, or a resumed delivery tries again)."""
        client = self._client()
        values = {
            "PK": keys.contact_pk(workspace_id, contact["id"]),
            "SK": keys.CONTACT_SK,
            "entity": "contact",
            "workspace_id": workspace_id,
            "GSI1PK": keys.workspace_contacts_gsi(workspace_id),
            "GSI1SK": f"{contact['created_at']}#{contact['id']}",
            **contact,
        }
        try:
            client.put_item(
                TableName=self._table,
                Item=to_item({k: v for k, v in values.items() if v is not None}),
                ConditionExpression="attribute_not_exists(PK)",
            )
        except client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def index_contact(self, workspace_id: str, contact_id: str, *, remove: set[str], add: set[str]) -> None:
        write_search_tokens(self._client(), self._table, workspace_id, contact_id, remove=remove, add=add)

    def update_contact_seen(
        self,
        workspace_id: str,
        contact_id: str,
        *,
        channel_id: str,
        wa_id: str | None,
        phone_number: str | None,
        profile_name: str | None,
        seen_at: datetime,
        now: datetime,
    ) -> bool:
        """Records the channel and, unless a newer message of the person got there first, how the
        message at `seen_at` named them: a late redelivery of an older message must not switch the
        number form that sends go to. False when the contact item is not there (yet): its identity is
        claimed before it is written."""
        key = to_item({"PK": keys.contact_pk(workspace_id, contact_id), "SK": keys.CONTACT_SK})
        sets = ["updated_at = :now", "identity_seen_at = :seen"]
        values: dict[str, Any] = {":now": iso(now), ":channel": {channel_id}, ":seen": iso(seen_at)}
        for name, value in (
            ("whatsapp_id", wa_id),
            ("phone_number", phone_number),
            ("profile_name", profile_name),
        ):
            if value:
                sets.append(f"{name} = :{name}")
                values[f":{name}"] = value
        client = self._client()
        try:
            client.update_item(
                TableName=self._table,
                Key=key,
                UpdateExpression=f"SET {', '.join(sets)} ADD channels :channel",
                ConditionExpression=(
                    "attribute_exists(PK) AND "
                    "(attribute_not_exists(identity_seen_at) OR identity_seen_at <= :seen)"
                ),
                ExpressionAttributeValues=to_item(values),
            )
            return True
        except client.exceptions.ConditionalCheckFailedException:
            pass
        # Not there, or a newer message named the person already: only the channel is news.
        try:
            client.update_item(
                TableName=self._table,
                Key=key,
                UpdateExpression="SET updated_at = :now ADD channels :channel",
                ConditionExpression="attribute_exists(PK)",
                ExpressionAttributeValues=to_item({":now": iso(now), ":channel": {channel_id}}),
            )
        except client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def link_message(
        self,
        workspace_id: str,
        channel_id: str,
        *,
        message: InboundMessage,
        contact_id: str,
        summary: dict[str, Any],
        counts_as_activity: bool,
        done: bool = True,
    ) -> bool:
        """Files the message under its contact and, unless a newer message got there first, moves
        the conversation's activity and window forward. True when the conversation moved. With
        `done` false the message stays marked unfiled, so that a redelivery finishes its work
        (`mark_filed` ends it)."""
        sort_key = f"{iso(message.timestamp)}#{message.wamid}"
        filing = Update(
            sets={
                "filed": done,
                "contact_id": contact_id,
                "GSI1PK": keys.contact_messages_gsi(workspace_id, contact_id),
                "GSI1SK": sort_key,
                "GSI2PK": keys.contact_channel_messages_gsi(workspace_id, contact_id, channel_id),
                "GSI2SK": sort_key,
            }
        ).request()
        link: dict[str, Any] = {
            "Update": {
                "TableName": self._table,
                "Key": to_item(
                    {"PK": keys.message_pk(workspace_id, channel_id, message.wamid), "SK": keys.MESSAGE_SK}
                ),
                **filing,
            }
        }
        if not counts_as_activity:
            self._client().update_item(**link["Update"])
            return False
        at = iso(message.timestamp)
        activity = f"{at}#{channel_id}#{contact_id}"
        conversation_update = Update(
            sets={
                "entity": "conversation",
                "workspace_id": workspace_id,
                "channel_id": channel_id,
                "contact_id": contact_id,
                "last_inbound_at": at,
                "last_activity_at": at,
                "last_message": summary,
                "GSI1PK": keys.channel_conversations_gsi(workspace_id, channel_id),
                "GSI1SK": activity,
                "GSI2PK": keys.workspace_conversations_gsi(workspace_id),
                "GSI2SK": activity,
            },
            condition="attribute_not_exists(#last_inbound_at) OR #last_inbound_at < :s_last_inbound_at",
        ).request()
        conversation = {
            "Update": {
                "TableName": self._table,
                "Key": to_item(
                    {"PK": keys.contact_pk(workspace_id, contact_id), "SK": keys.conversation_sk(channel_id)}
                ),
                **conversation_update,
            }
        }
        client = self._client()
        try:
            client.transact_write_items(TransactItems=[link, conversation])  # type: ignore[list-item]
        except client.exceptions.TransactionCanceledException as error:
            reasons = [r.get("Code") for r in error.response.get("CancellationReasons", [])]
            if reasons[1:2] != ["ConditionalCheckFailed"] or reasons[0] not in ("None", None):
                raise
            client.update_item(**link["Update"])
            return False
        return True

    def mark_filed(self, workspace_id: str, channel_id: str, wamid: str) -> None:
        self._client().update_item(
            TableName=self._table,
            Key=to_item({"PK": keys.message_pk(workspace_id, channel_id, wamid), "SK": keys.MESSAGE_SK}),
            UpdateExpression="SET filed = :filed",
            ExpressionAttributeValues=to_item({":filed": True}),
        )

    def apply_status(self, workspace_id: str, channel_id: str, status: StatusUpdate) -> StatusWrite:
        """One conditional update: the status replaces only one of lower rank. A status for a message
        not stored yet creates a placeholder that the message merges into when it is stored."""
        key = to_item({"PK": keys.message_pk(workspace_id, channel_id, status.wamid), "SK": keys.MESSAGE_SK})
        observed = {
            "status": status.status_raw,
            "at": iso(status.timestamp),
            **({"errors": [e.model_dump(exclude_none=True) for e in status.errors]} if status.errors else {}),
        }
        rank = rank_of(status.status)
        client = self._client()
        if rank is None:
            # Kept once per value and time, however often it is delivered.
            seen = f"{status.status_raw}@{observed['at']}"
            try:
                client.update_item(
                    TableName=self._table,
                    Key=key,
                    UpdateExpression=(
                        "SET other_statuses = list_append(if_not_exists(other_statuses, :empty), :observed) "
                        "ADD other_statuses_seen :seen_set"
                    ),
                    ConditionExpression="NOT contains(other_statuses_seen, :seen)",
                    ExpressionAttributeValues=to_item(
                        {":empty": [], ":observed": [observed], ":seen_set": {seen}, ":seen": seen}
                    ),
                )
            except client.exceptions.ConditionalCheckFailedException:
                return StatusWrite.DUPLICATE
            return StatusWrite.RECORDED
        sets = ["#status = :status", "status_rank = :rank", "status_updated_at = :at"]
        values: dict[str, Any] = {":status": status.status, ":rank": rank, ":at": iso(status.timestamp)}
        removes: list[str] = []
        if status.status == "failed":
            first = status.errors[0] if status.errors else None
            sets.append("#error = :error")
            values[":error"] = {
                "code": str(first.code) if first and first.code is not None else "unknown",
                "message": (first.title or first.message or "") if first else "",
            }
        elif status.status == "read":
            removes.append("#error")
        for name, value in (("conversation", status.conversation), ("pricing", status.pricing)):
            if value:
                sets.append(f"{name} = :{name}")
                values[f":{name}"] = value
        if status.recipient_wa_id:
            sets.append("recipient_wa_id = :recipient")
            values[":recipient"] = status.recipient_wa_id
        names = {"#status": "status"}
        if status.status in ("failed", "read"):
            names["#error"] = "error"
        expression = "SET " + ", ".join(sets) + (" REMOVE " + ", ".join(removes) if removes else "")
        try:
            client.update_item(
                TableName=self._table,
                Key=key,
                UpdateExpression=expression,
                ConditionExpression="attribute_not_exists(status_rank) OR status_rank < :rank",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues={k: to_attribute(v) for k, v in values.items()},
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except client.exceptions.ConditionalCheckFailedException as error:
            existing = from_item(cast("dict[str, Any]", error.response.get("Item") or {}))
            return StatusWrite.DUPLICATE if existing.get("status_rank") == rank else StatusWrite.STALE
        return StatusWrite.APPLIED

    def record_delivery(
        self, workspace_id: str, channel_id: str, counts: DeliveryCounts, now: datetime
    ) -> None:
        """The channel's delivery counters, once per POST whatever it held."""
        self._client().update_item(
            TableName=self._table,
            Key=to_item({"PK": keys.channel_scoped_pk(workspace_id, channel_id), "SK": keys.STATS_SK}),
            UpdateExpression=(
                "SET last_webhook_at = :now ADD messages_received :m, duplicates_dropped :d, "
                "statuses_applied :s, stale_statuses_ignored :x"
            ),
            ExpressionAttributeValues=to_item(
                {
                    ":now": iso(now),
                    ":m": counts.messages_received,
                    ":d": counts.duplicates_dropped,
                    ":s": counts.statuses_applied,
                    ":x": counts.stale_statuses_ignored,
                }
            ),
        )
