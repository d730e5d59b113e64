"""Update expressions built from plain values, every attribute name behind a placeholder so no
name collides with DynamoDB's reserved words."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from wachannel.store.codec import AttributeValue, to_attribute


@dataclass
class Update:
    sets: dict[str, Any] = field(default_factory=dict)
    adds: dict[str, Any] = field(default_factory=dict)
    removes: list[str] = field(default_factory=list)
    condition: str | None = None
    # Extra placeholders a condition uses, e.g. {":at": "..."}; names in a condition are written #name.
    condition_values: Mapping[str, Any] = field(default_factory=dict)
    condition_names: tuple[str, ...] = ()

    def request(self) -> dict[str, Any]:
        names: dict[str, str] = {f"#{name}": name for name in (*self.sets, *self.adds, *self.removes)}
        names.update({f"#{name}": name for name in self.condition_names})
        values: dict[str, AttributeValue] = {}
        clauses = []
        if self.sets:
            clauses.append("SET " + ", ".join(f"#{name} = :s_{name}" for name in self.sets))
            values.update({f":s_{name}": to_attribute(value) for name, value in self.sets.items()})
        if self.adds:
            clauses.append("ADD " + ", ".join(f"#{name} :a_{name}" for name in self.adds))
            values.update({f":a_{name}": to_attribute(value) for name, value in self.adds.items()})
        if self.removes:
            clauses.append("REMOVE " + ", ".join(f"#{name}" for name in self.removes))
        values.update(
            {placeholder: to_attribute(value) for placeholder, value in self.condition_values.items()}
        )
        request: dict[str, Any] = {"UpdateExpression": " ".join(clauses), "ExpressionAttributeNames": names}
        if values:
            request["ExpressionAttributeValues"] = values
        if self.condition:
            request["ConditionExpression"] = self.condition
        return request
