"""TransactWriteItems for the local stack without moto's whole-table snapshots.

moto deep-copies every table a transaction touches, to roll back when a condition fails: the
cost grows with the table (about 250 ms per transaction at a thousand items), which the webhook
pays for every message. The local moto server takes one request at a time (see `aws.py`), so a
transaction can instead check every condition first and write only when all hold: atomic, and
cheap. Loaded only by the local stack's moto server, never by unit tests' in-process moto."""

from __future__ import annotations

from typing import Any

from moto.dynamodb.comparisons import get_filter_expression
from moto.dynamodb.exceptions import (
    MultipleTransactionsException,
    TooManyTransactionsException,
    TransactionCanceledException,
    TransactWriteSingleOpException,
)
from moto.dynamodb.models import DynamoDBBackend

_MAX_OPERATIONS = 100


def _key_of(backend: DynamoDBBackend, operation_type: str, operation: dict[str, Any]) -> dict[str, Any]:
    if operation_type != "Put":
        return dict(operation["Key"])
    table = backend.get_table(operation["TableName"])
    key = {table.hash_key_attr: operation["Item"][table.hash_key_attr]}
    if table.range_key_attr is not None:
        key[table.range_key_attr] = operation["Item"][table.range_key_attr]
    return key


def transact_write_items(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
    if len(transact_items) > _MAX_OPERATIONS:
        raise TooManyTransactionsException()
    operations = []
    seen: set[tuple[str, str]] = set()
    for entry in transact_items:
        if len(entry) != 1:
            raise TransactWriteSingleOpException
        operation_type, operation = next(iter(entry.items()))
        key = _key_of(self, operation_type, operation)
        identity = (operation["TableName"], str(sorted(key.items())))
        if identity in seen:
            raise MultipleTransactionsException()
        seen.add(identity)
        operations.append((operation_type, operation, key))

    reasons: list[tuple[Any, Any, Any]] = []
    for _, operation, key in operations:
        condition = operation.get("ConditionExpression")
        current = self.get_item(operation["TableName"], key)
        if condition is None or get_filter_expression(
            condition, operation.get("ExpressionAttributeNames"), operation.get("ExpressionAttributeValues")
        ).expr(current):
            reasons.append((None, None, None))
            continue
        old = (
            current.to_json()["Attributes"]
            if current and operation.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD"
            else None
        )
        reasons.append(("ConditionalCheckFailed", "The conditional request failed", old))
    if any(code is not None for code, _, _ in reasons):
        raise TransactionCanceledException(reasons)

    for operation_type, operation, key in operations:
        names, values = operation.get("ExpressionAttributeNames"), operation.get("ExpressionAttributeValues")
        if operation_type == "Put":
            self.put_item(operation["TableName"], operation["Item"])
        elif operation_type == "Delete":
            self.delete_item(operation["TableName"], key)
        elif operation_type == "Update":
            self.update_item(
                operation["TableName"],
                key,
                update_expression=operation["UpdateExpression"],
                expression_attribute_names=names,
                expression_attribute_values=values,
            )


def install() -> None:
    DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]
