"""One page of a key-condition query, and the start position a cursor may name. A position must
lie in the partition being read, so a cursor can never move a query into another tenant's data."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from wachannel.errors import InvalidCursor
from wachannel.store.codec import from_item, to_item

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

_KEY_ATTRIBUTES = frozenset({"PK", "SK", "GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK"})
# Items read per request while filling a filtered page.
_FILTERED_READ_SIZE = 100
_INDEX_KEYS = {None: ("PK", "SK"), "GSI1": ("GSI1PK", "GSI1SK"), "GSI2": ("GSI2PK", "GSI2SK")}


def query_page(
    client: DynamoDBClient,
    table: str,
    *,
    partition: str,
    limit: int,
    start: Mapping[str, Any] | None,
    index: str | None = None,
    sort_prefix: str | None = None,
    newest_first: bool = False,
) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    partition_attribute, sort_attribute = _INDEX_KEYS[index]
    condition = f"{partition_attribute} = :partition"
    values: dict[str, Any] = {":partition": partition}
    if sort_prefix is not None:
        condition += f" AND begins_with({sort_attribute}, :prefix)"
        values[":prefix"] = sort_prefix
    query: dict[str, Any] = {
        "TableName": table,
        "KeyConditionExpression": condition,
        "ExpressionAttributeValues": to_item(values),
        "Limit": limit,
        "ScanIndexForward": not newest_first,
    }
    if index is not None:
        query["IndexName"] = index
    if start:
        query["ExclusiveStartKey"] = _checked_start(start, partition_attribute, partition)
    answer = client.query(**query)
    last = answer.get("LastEvaluatedKey")
    return [from_item(item) for item in answer.get("Items", [])], (from_item(last) if last else None)


def query_filtered_page(
    client: DynamoDBClient,
    table: str,
    *,
    partition: str,
    sort_prefix: str,
    limit: int,
    start: Mapping[str, Any] | None,
    filter_expression: str | None,
    filter_names: Mapping[str, str],
    filter_values: Mapping[str, Any],
) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """Up to `limit` items of the base table's partition that pass the filter. DynamoDB applies
    `Limit` before the filter, so this reads on until the page is full: a page is never short
    while more matches exist, and the position is the last item returned, not the last one read."""
    condition = "PK = :partition AND begins_with(SK, :prefix)"
    query: dict[str, Any] = {
        "TableName": table,
        "KeyConditionExpression": condition,
        "ExpressionAttributeValues": to_item(
            {":partition": partition, ":prefix": sort_prefix, **filter_values}
        ),
        "Limit": max(limit, _FILTERED_READ_SIZE),
    }
    if filter_expression:
        query["FilterExpression"] = filter_expression
    if filter_names:
        query["ExpressionAttributeNames"] = dict(filter_names)
    if start:
        query["ExclusiveStartKey"] = _checked_start(start, "PK", partition)
    collected: list[dict[str, Any]] = []
    while True:
        answer = client.query(**query)
        items = answer.get("Items", [])
        last = answer.get("LastEvaluatedKey")
        for position, item in enumerate(items):
            collected.append(from_item(item))
            if len(collected) == limit:
                more = last is not None or position < len(items) - 1
                return collected, ({"PK": item["PK"]["S"], "SK": item["SK"]["S"]} if more else None)
        if last is None:
            return collected, None
        query["ExclusiveStartKey"] = last


def _checked_start(start: Mapping[str, Any], partition_attribute: str, partition: str) -> dict[str, Any]:
    if start.get(partition_attribute) != partition or not set(start) <= _KEY_ATTRIBUTES:
        raise InvalidCursor()
    return to_item(start)


def batch_get(
    client: DynamoDBClient, table: str, item_keys: list[dict[str, str]], *, consistent: bool = False
) -> list[dict[str, Any]]:
    """Items by key, in no particular order; keys that name nothing are left out."""
    found: list[dict[str, Any]] = []
    pending = [to_item(key) for key in item_keys]
    while pending:
        chunk, pending = pending[:100], pending[100:]
        request: dict[str, Any] = {table: {"Keys": chunk, "ConsistentRead": consistent}}
        while request:
            answer = client.batch_get_item(RequestItems=request)
            found.extend(from_item(item) for item in answer.get("Responses", {}).get(table, []))
            request = dict(answer.get("UnprocessedKeys") or {})
    return found
