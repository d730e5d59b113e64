"""DynamoDB's attribute-value format for the types the items use. Hand-written on purpose: boto3's
TypeSerializer imports boto3 itself, which repositories otherwise load only on first use."""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

AttributeValue = dict[str, Any]
Item = dict[str, AttributeValue]


def to_attribute(value: Any) -> AttributeValue:
    if value is None:
        return {"NULL": True}
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, int | float):
        # What WhatsApp sends in free-form parts may be no number DynamoDB holds; its text is kept.
        return {"N": str(value)} if _fits_dynamodb_number(value) else {"S": str(value)}
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, bytes):
        return {"B": value}
    if isinstance(value, frozenset | set):
        if not value:
            return {"NULL": True}
        return {"SS": sorted(value)}
    if isinstance(value, Mapping):
        return {"M": {str(k): to_attribute(v) for k, v in value.items()}}
    if isinstance(value, list | tuple):
        return {"L": [to_attribute(v) for v in value]}
    raise TypeError(f"Cannot store a {type(value).__name__} in DynamoDB")


def _fits_dynamodb_number(value: int | float) -> bool:
    """DynamoDB's numbers: at most 38 significant digits, magnitude 1E-130 to under 1E+126."""
    if not math.isfinite(value):
        return False
    if value == 0:
        return True
    number = Decimal(value) if isinstance(value, int) else Decimal(repr(value))
    significant = "".join(map(str, number.as_tuple().digits)).rstrip("0")
    return len(significant) <= 38 and -130 <= number.adjusted() <= 125


def from_attribute(attribute: Mapping[str, Any]) -> Any:
    (kind, value), *_ = attribute.items()
    match kind:
        case "NULL":
            return None
        case "S" | "BOOL" | "B":
            return value
        case "N":
            number = float(value)
            return int(number) if number.is_integer() and "." not in value else number
        case "SS" | "BS":
            return set(value)
        case "NS":
            return {float(v) for v in value}
        case "M":
            return {k: from_attribute(v) for k, v in value.items()}
        case "L":
            return [from_attribute(v) for v in value]
    raise TypeError(f"Unknown DynamoDB attribute type {kind}")


def to_item(values: Mapping[str, Any]) -> Item:
    return {key: to_attribute(value) for key, value in values.items()}


def from_item(item: Mapping[str, Any]) -> dict[str, Any]:
    return {key: from_attribute(value) for key, value in item.items()}
