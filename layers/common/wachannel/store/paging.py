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
        if start.get(partition_attribute) != partition or not set(start) <= _KEY_ATTRIBUTES:
            raise InvalidCursor()
        query["ExclusiveStartKey"] = to_item(start)
    answer = client.query(**query)
    last = answer.get("LastEvaluatedKey")
    return [from_item(item) for item in answer.get("Items", [])], (from_item(last) if last else None)


def batch_get(client: DynamoDBClient, table: str, item_keys: list[dict[str, str]]) -> list[dict[str, Any]]:
    """Items by key, in no particular order; keys that name nothing are left out."""
    found: list[dict[str, Any]] = []
    pending = [to_item(key) for key in item_keys]
    while pending:
        chunk, pending = pending[:100], pending[100:]
        request: dict[str, Any] = {table: {"Keys": chunk}}
        while request:
            answer = client.batch_get_item(RequestItems=request)
            found.extend(from_item(item) for item in answer.get("Responses", {}).get(table, []))
            request = dict(answer.get("UnprocessedKeys") or {})
    return found
