"""Channels, their phone-number locks, route items and audit trail in the single table."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from pydantic import ConfigDict

from wachannel.domain.audit import AuditEntry
from wachannel.domain.channels import ApiGeneration, Channel, ChannelStatus
from wachannel.domain.delivery import DeliveryStats
from wachannel.errors import ChannelExists, InvalidCursor, NotFound
from wachannel.models import Model
from wachannel.store import keys
from wachannel.store.codec import Item, from_item, to_attribute, to_item

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef

_CHANNEL_FIELDS = tuple(Channel.model_fields)
PHONE_RESERVATION_SECONDS = 60


class ChannelRoute(Model):
    """What the webhook needs to accept a delivery, read with one GetItem by channel id."""

    model_config = ConfigDict(frozen=True)

    channel_id: str
    workspace_id: str
    status: ChannelStatus
    api_generation: ApiGeneration
    accepted_secret_digests: frozenset[str]
    has_greeting: bool = False


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _stored_value(value: Any) -> Any:
    return iso(value) if isinstance(value, datetime) else value


def _channel_item(channel: Channel) -> Item:
    values = {name: _stored_value(getattr(channel, name)) for name in _CHANNEL_FIELDS}
    return to_item(
        {"PK": keys.workspace_pk(channel.workspace_id), "SK": keys.channel_sk(channel.id), **values}
    )


def _channel_from(item: Mapping[str, Any]) -> Channel:
    return channel_from(from_item(item))


def channel_from(values: Mapping[str, Any]) -> Channel:
    """A channel from its stored item, already decoded from DynamoDB's attribute format."""
    return Channel.model_validate({name: values.get(name) for name in _CHANNEL_FIELDS})


def _audit_put(table: str, entry: AuditEntry) -> TransactWriteItemTypeDef:
    values = {
        "PK": keys.channel_scoped_pk(entry.workspace_id, entry.channel_id),
        "SK": keys.audit_sk(iso(entry.at), entry.id),
        **{name: _stored_value(value) for name, value in entry.model_dump().items()},
    }
    return {"Put": {"TableName": table, "Item": to_item(values)}}


class ChannelRepository:
    def __init__(self, table_name: str, client: Callable[[], DynamoDBClient]) -> None:
        self._table = table_name
        self._client = client

    def get(self, workspace_id: str, channel_id: str) -> Channel | None:
        answer = self._client().get_item(
            TableName=self._table,
            Key=to_item({"PK": keys.workspace_pk(workspace_id), "SK": keys.channel_sk(channel_id)}),
            ConsistentRead=True,
        )
        item = answer.get("Item")
        return _channel_from(item) if item else None

    def page(
        self, workspace_id: str, limit: int, start: dict[str, Any] | None
    ) -> tuple[list[Channel], dict[str, Any] | None]:
        query: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "PK = :pk AND begins_with(SK, :prefix)",
            "ExpressionAttributeValues": to_item(
                {":pk": keys.workspace_pk(workspace_id), ":prefix": keys.CHANNEL_SK_PREFIX}
            ),
            "Limit": limit,
        }
        if start:
            query["ExclusiveStartKey"] = _start_key(start, keys.workspace_pk(workspace_id))
        answer = self._client().query(**query)
        last = answer.get("LastEvaluatedKey")
        return [_channel_from(item) for item in answer.get("Items", [])], (from_item(last) if last else None)

    def route(self, channel_id: str) -> ChannelRoute | None:
        answer = self._client().get_item(
            TableName=self._table,
            Key=to_item({"PK": keys.route_pk(channel_id), "SK": keys.ROUTE_SK}),
            ConsistentRead=True,
        )
        item = answer.get("Item")
        if not item:
            return None
        values = from_item(item)
        values["accepted_secret_digests"] = values.get("accepted_secret_digests") or frozenset()
        return ChannelRoute.model_validate(values)

    def active_channel_pages(self) -> Iterator[list[tuple[str, str]]]:
        """(workspace id, channel id) of every active channel, a page at a time."""
        query: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": "GSI1",
            "KeyConditionExpression": "GSI1PK = :active",
            "ProjectionExpression": "workspace_id, channel_id",
            "ExpressionAttributeValues": to_item({":active": keys.ACTIVE_CHANNELS_GSI}),
        }
        while True:
            answer = self._client().query(**query)
            yield [(item["workspace_id"]["S"], item["channel_id"]["S"]) for item in answer.get("Items", [])]
            last = answer.get("LastEvaluatedKey")
            if not last:
                return
            query["ExclusiveStartKey"] = last

    def delivery_stats(self, workspace_id: str, channel_id: str) -> DeliveryStats:
        answer = self._client().get_item(
            TableName=self._table,
            Key=to_item({"PK": keys.channel_scoped_pk(workspace_id, channel_id), "SK": keys.STATS_SK}),
        )
        item = answer.get("Item")
        return DeliveryStats.model_validate(from_item(item)) if item else DeliveryStats()

    def create(self, channel: Channel, secret_digest: str, audit: Sequence[AuditEntry]) -> None:
        """Writes the channel and its route and confirms its phone reservation, all at once."""
        route = ChannelRoute(
            channel_id=channel.id,
            workspace_id=channel.workspace_id,
            status=channel.status,
            api_generation=channel.api_generation,
            accepted_secret_digests=frozenset({secret_digest}),
            has_greeting=channel.greeting_message is not None,
        )
        operations: list[TransactWriteItemTypeDef] = [
            self._phone_lock_confirm(channel),
            {
                "Put": {
                    "TableName": self._table,
                    "Item": _channel_item(channel),
                    "ConditionExpression": "attribute_not_exists(PK)",
                }
            },
            {
                "Put": {
                    "TableName": self._table,
                    "Item": to_item(
                        {
                            "PK": keys.route_pk(channel.id),
                            "SK": keys.ROUTE_SK,
                            **_active_channel_index(channel),
                            **route.model_dump(),
                        }
                    ),
                    "ConditionExpression": "attribute_not_exists(PK)",
                }
            },
            *(_audit_put(self._table, entry) for entry in audit),
        ]
        self._transact(operations, phone_lock_index=0)

    def accept_secret(self, channel_id: str, secret_digest: str) -> None:
        """Accepts a second webhook secret before 360dialog is told about it, so deliveries signed with
        either secret pass while the registration changes."""
        self._client().update_item(
            TableName=self._table,
            Key=to_item({"PK": keys.route_pk(channel_id), "SK": keys.ROUTE_SK}),
            UpdateExpression="ADD accepted_secret_digests :digest",
            ConditionExpression="attribute_exists(PK)",
            ExpressionAttributeValues={":digest": {"SS": [secret_digest]}},
        )

    def update(
        self,
        before: Channel,
        after: Channel,
        *,
        audit: Sequence[AuditEntry],
        only_secret_digest: str | None = None,
    ) -> None:
        """Saves what changed between `before` and `after` in one transaction: the channel's changed
        attributes, the phone lock when the number moves, the route, and the audit entries."""
        changed = {
            name: _stored_value(getattr(after, name))
            for name in _CHANNEL_FIELDS
            if getattr(after, name) != getattr(before, name) or name == "updated_at"
        }
        names = {f"#f{i}": name for i, name in enumerate(changed)}
        values = {f":v{i}": to_attribute(value) for i, value in enumerate(changed.values())}
        operations: list[TransactWriteItemTypeDef] = []
        phone_lock_index: int | None = None
        if after.phone_number != before.phone_number and after.status == "active":
            phone_lock_index = len(operations)
            operations.append(self._phone_lock_confirm(after))
        if after.phone_number != before.phone_number or after.status == "disconnected":
            operations.append(self._phone_lock_delete(before))
        operations.append(
            {
                "Update": {
                    "TableName": self._table,
                    "Key": to_item(
                        {"PK": keys.workspace_pk(before.workspace_id), "SK": keys.channel_sk(before.id)}
                    ),
                    "UpdateExpression": "SET "
                    + ", ".join(f"{n} = {v}" for n, v in zip(names, values, strict=True)),
                    "ConditionExpression": "attribute_exists(PK) AND #status = :active",
                    "ExpressionAttributeNames": {**names, "#status": "status"},
                    "ExpressionAttributeValues": {**values, ":active": {"S": "active"}},
                }
            }
        )
        operations.append(self._route_update(after, only_secret_digest))
        operations.extend(_audit_put(self._table, entry) for entry in audit)
        self._transact(operations, phone_lock_index=phone_lock_index)

    def page_audit(
        self, workspace_id: str, channel_id: str, limit: int, start: dict[str, Any] | None
    ) -> tuple[list[AuditEntry], dict[str, Any] | None]:
        query: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "PK = :pk AND begins_with(SK, :prefix)",
            "ExpressionAttributeValues": to_item(
                {":pk": keys.channel_scoped_pk(workspace_id, channel_id), ":prefix": keys.AUDIT_SK_PREFIX}
            ),
            "ScanIndexForward": False,
            "Limit": limit,
        }
        if start:
            query["ExclusiveStartKey"] = _start_key(start, keys.channel_scoped_pk(workspace_id, channel_id))
        answer = self._client().query(**query)
        last = answer.get("LastEvaluatedKey")
        entries = [AuditEntry.model_validate(from_item(item)) for item in answer.get("Items", [])]
        return entries, (from_item(last) if last else None)

    def reserve_phone(self, workspace_id: str, phone_number: str, channel_id: str, now: datetime) -> None:
        """Holds a number for a channel while 360dialog is being set up, so two connects of one number
        cannot both re-register its webhook. A reservation left by a crash lapses after a minute."""
        try:
            self._client().put_item(
                TableName=self._table,
                Item=to_item(
                    {
                        "PK": keys.workspace_pk(workspace_id),
                        "SK": keys.phone_lock_sk(phone_number),
                        "channel_id": channel_id,
                        "state": "reserved",
                        "reserved_until": int(now.timestamp()) + PHONE_RESERVATION_SECONDS,
                    }
                ),
                ConditionExpression=(
                    "attribute_not_exists(PK) OR (#state = :reserved AND reserved_until < :now)"
                ),
                ExpressionAttributeNames={"#state": "state"},
                ExpressionAttributeValues=to_item({":reserved": "reserved", ":now": int(now.timestamp())}),
            )
        except self._client().exceptions.ConditionalCheckFailedException:
            raise ChannelExists("This number is already connected in this workspace.") from None

    def release_phone(self, workspace_id: str, phone_number: str, channel_id: str) -> None:
        client = self._client()
        try:
            client.delete_item(
                TableName=self._table,
                Key=to_item({"PK": keys.workspace_pk(workspace_id), "SK": keys.phone_lock_sk(phone_number)}),
                ConditionExpression="channel_id = :id AND #state = :reserved",
                ExpressionAttributeNames={"#state": "state"},
                ExpressionAttributeValues=to_item({":id": channel_id, ":reserved": "reserved"}),
            )
        except client.exceptions.ConditionalCheckFailedException:
            return

    def add_audit(self, entry: AuditEntry) -> None:
        put = _audit_put(self._table, entry)["Put"]
        self._client().put_item(TableName=put["TableName"], Item=put["Item"])

    def _phone_lock_confirm(self, channel: Channel) -> TransactWriteItemTypeDef:
        return {
            "Update": {
                "TableName": self._table,
                "Key": to_item(
                    {
                        "PK": keys.workspace_pk(channel.workspace_id),
                        "SK": keys.phone_lock_sk(channel.phone_number),
                    }
                ),
                "UpdateExpression": "SET #state = :connected REMOVE reserved_until",
                "ConditionExpression": "channel_id = :id",
                "ExpressionAttributeNames": {"#state": "state"},
                "ExpressionAttributeValues": to_item({":id": channel.id, ":connected": "connected"}),
            }
        }

    def _phone_lock_delete(self, channel: Channel) -> TransactWriteItemTypeDef:
        return {
            "Delete": {
                "TableName": self._table,
                "Key": to_item(
                    {
                        "PK": keys.workspace_pk(channel.workspace_id),
                        "SK": keys.phone_lock_sk(channel.phone_number),
                    }
                ),
                "ConditionExpression": "attribute_not_exists(PK) OR channel_id = :id",
                "ExpressionAttributeValues": {":id": {"S": channel.id}},
            }
        }

    def _route_update(self, channel: Channel, only_secret_digest: str | None) -> TransactWriteItemTypeDef:
        expression = "SET #status = :status, has_greeting = :greets"
        values: dict[str, Any] = {
            ":status": {"S": channel.status},
            ":greets": {"BOOL": channel.greeting_message is not None},
        }
        if only_secret_digest is not None:
            expression += ", accepted_secret_digests = :digests"
            values[":digests"] = {"SS": [only_secret_digest]}
        if channel.status == "active":
            expression += ", GSI1PK = :active_index, GSI1SK = :channel_id"
            values.update(to_item({":active_index": keys.ACTIVE_CHANNELS_GSI, ":channel_id": channel.id}))
        else:
            expression += " REMOVE GSI1PK, GSI1SK"
        return {
            "Update": {
                "TableName": self._table,
                "Key": to_item({"PK": keys.route_pk(channel.id), "SK": keys.ROUTE_SK}),
                "UpdateExpression": expression,
                "ExpressionAttributeNames": {"#status": "status"},
                "ExpressionAttributeValues": values,
            }
        }

    def _transact(self, operations: list[TransactWriteItemTypeDef], phone_lock_index: int | None) -> None:
        client = self._client()
        try:
            client.transact_write_items(TransactItems=operations)
        except client.exceptions.TransactionCanceledException as error:
            reasons = [r.get("Code") for r in error.response.get("CancellationReasons", [])]
            lock_failed = phone_lock_index is not None and len(reasons) > phone_lock_index
            if lock_failed and reasons[phone_lock_index or 0] == "ConditionalCheckFailed":
                raise ChannelExists("This number is already connected in this workspace.") from None
            if "ConditionalCheckFailed" in reasons:
                raise NotFound("No such channel, or it was disconnected meanwhile.") from None
            raise


def _active_channel_index(channel: Channel) -> dict[str, str]:
    if channel.status != "active":
        return {}
    return {"GSI1PK": keys.ACTIVE_CHANNELS_GSI, "GSI1SK": channel.id}


def _start_key(position: dict[str, Any], expected_pk: str) -> Item:
    """A cursor's position must lie in the caller's own partition, whatever its signature says."""
    if position.get("PK") != expected_pk or not isinstance(position.get("SK"), str):
        raise InvalidCursor()
    return to_item({"PK": position["PK"], "SK": position["SK"]})
