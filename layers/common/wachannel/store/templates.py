"""A channel's templates in the single table (`WS#<ws>#CH#<ch>` / `TPL#<name>#<language>`), and the
channel's template-sync lease and outcome.

A sync writes a template with one UpdateItem that sets only 360dialog's fields, so what the
workspace decided about a template (added in later work) survives every sync. A status that a
webhook reported after the sync listed the templates is newer than the listing, and the listing
does not overwrite it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from wachannel.domain.template_settings import TemplateSettings
from wachannel.domain.templates import (
    APPROVED,
    DELETED,
    StoredTemplate,
    StoredTemplateState,
    Template,
    TemplateKey,
)
from wachannel.store import keys
from wachannel.store.channels import iso
from wachannel.store.codec import from_item, to_item
from wachannel.store.paging import query_filtered_page

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

_TEMPLATE_FIELDS = tuple(Template.model_fields)
_SETTINGS_FIELDS = tuple(TemplateSettings.model_fields)
# A webhook's status wins over a listing made before it arrived, and over one made shortly after:
# 360dialog's list can lag behind Meta's notification, and a stale "REJECTED" must not undo "APPROVED".
_LISTING_IS_NEWER = "(attribute_not_exists(status_event_at) OR status_event_at < :listed_at)"
WEBHOOK_STATUS_PRECEDENCE = timedelta(minutes=15)


@dataclass(frozen=True)
class TemplateFilters:
    search: str | None = None
    status: str | None = None
    category: str | None = None
    language: str | None = None
    enabled: bool | None = None
    offered: bool | None = None


class TemplateRepository:
    def __init__(self, table_name: str, client: Callable[[], DynamoDBClient]) -> None:
        self._table = table_name
        self._client = client

    # ------------------------------------------------------------------ reads
    def states(self, workspace_id: str, channel_id: str) -> list[StoredTemplateState]:
        query: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "PK = :pk AND begins_with(SK, :prefix)",
            "ProjectionExpression": "#name, #language, content_hash, #status",
            "ExpressionAttributeNames": {"#name": "name", "#language": "language", "#status": "status"},
            "ExpressionAttributeValues": to_item(
                {":pk": keys.channel_scoped_pk(workspace_id, channel_id), ":prefix": keys.TEMPLATE_SK_PREFIX}
            ),
            "ConsistentRead": True,
        }
        states: list[StoredTemplateState] = []
        while True:
            answer = self._client().query(**query)
            for item in answer.get("Items", []):
                values = from_item(item)
                states.append(
                    StoredTemplateState(
                        key=TemplateKey(values["name"], values["language"]),
                        content_hash=values.get("content_hash") or "",
                        status=values["status"],
                    )
                )
            last = answer.get("LastEvaluatedKey")
            if not last:
                return states
            query["ExclusiveStartKey"] = last

    def get(self, workspace_id: str, channel_id: str, key: TemplateKey) -> StoredTemplate | None:
        answer = self._client().get_item(
            TableName=self._table,
            Key=to_item(_key(workspace_id, channel_id, key)),
            ConsistentRead=True,
        )
        item = answer.get("Item")
        return _stored(from_item(item)) if item else None

    def by_name(self, workspace_id: str, channel_id: str, name: str) -> list[StoredTemplate]:
        answer = self._client().query(
            TableName=self._table,
            KeyConditionExpression="PK = :pk AND begins_with(SK, :prefix)",
            ExpressionAttributeValues=to_item(
                {
                    ":pk": keys.channel_scoped_pk(workspace_id, channel_id),
                    ":prefix": keys.template_name_prefix(name),
                }
            ),
            ConsistentRead=True,
        )
        return [_stored(from_item(item)) for item in answer.get("Items", [])]

    def page(
        self,
        workspace_id: str,
        channel_id: str,
        filters: TemplateFilters,
        limit: int,
        start: Mapping[str, Any] | None,
    ) -> tuple[list[StoredTemplate], dict[str, Any] | None]:
        conditions: list[str] = []
        names: dict[str, str] = {}
        values: dict[str, Any] = {}
        for name, value in (
            ("status", filters.status),
            ("category", filters.category),
            ("language", filters.language),
        ):
            if value is not None:
                conditions.append(f"#{name} = :{name}")
                names[f"#{name}"] = name
                values[f":{name}"] = value
        if filters.status is None:
            conditions.append("#status <> :deleted")
            names["#status"] = "status"
            values[":deleted"] = DELETED
        if filters.search:
            conditions.append("contains(search_text, :search)")
            values[":search"] = filters.search
        # Templates stored before settings existed have no `enabled`: they count as enabled.
        is_enabled = "(attribute_not_exists(enabled) OR enabled = :true)"
        if filters.enabled is not None:
            conditions.append(is_enabled if filters.enabled else "enabled = :false")
        if filters.offered is not None:
            names["#status"] = "status"
            values[":approved"] = APPROVED
            conditions.append(
                f"({is_enabled} AND #status = :approved)"
                if filters.offered
                else "(enabled = :false OR #status <> :approved)"
            )
        if filters.enabled is not None or filters.offered is not None:
            values.update({":true": True, ":false": False})
        items, position = query_filtered_page(
            self._client(),
            self._table,
            partition=keys.channel_scoped_pk(workspace_id, channel_id),
            sort_prefix=keys.TEMPLATE_SK_PREFIX,
            limit=limit,
            start=start,
            filter_expression=" AND ".join(conditions),
            filter_names=names,
            filter_values=values,
        )
        return [_stored(item) for item in items], position

    # ------------------------------------------------------------------ writes
    def write(
        self,
        workspace_id: str,
        channel_id: str,
        template: Template,
        *,
        now: datetime,
        listed_at: datetime | None = None,
        enabled_when_new: bool = True,
    ) -> bool:
        """Creates or updates the template's content; False when a newer webhook status stands. A new
        template starts enabled or not as its channel says; a known one keeps what was decided."""
        content = template.model_dump(mode="json")
        sets = {
            **{f"#{name}": f":{name}" for name in _TEMPLATE_FIELDS},
            "#entity": ":entity",
            "content_hash": ":content_hash",
            "search_text": ":search_text",
            "synced_at": ":now",
            "updated_at": ":now",
            "created_at": "if_not_exists(created_at, :now)",
            "enabled": "if_not_exists(enabled, :enabled)",
        }
        values: dict[str, Any] = {
            **{f":{name}": content[name] for name in _TEMPLATE_FIELDS},
            ":entity": "template",
            ":content_hash": template.content_hash(),
            ":search_text": template.search_text(),
            ":now": iso(now),
            ":enabled": enabled_when_new,
        }
        if listed_at is None:
            # The template's own submission: written before any webhook can be about it.
            sets["synced_at"] = "if_not_exists(synced_at, :none)"
            values[":none"] = None
            condition = None
        else:
            condition = _LISTING_IS_NEWER
            values[":listed_at"] = iso(listed_at - WEBHOOK_STATUS_PRECEDENCE)
        return self._update(
            workspace_id,
            channel_id,
            template.key,
            "SET " + ", ".join(f"{name} = {value}" for name, value in sets.items()),
            names={f"#{name}": name for name in (*_TEMPLATE_FIELDS, "entity")},
            values=values,
            condition=condition,
        )

    def mark_deleted(
        self,
        workspace_id: str,
        channel_id: str,
        key: TemplateKey,
        *,
        now: datetime,
        listed_at: datetime | None = None,
    ) -> bool:
        condition = "attribute_exists(PK)"
        values: dict[str, Any] = {":deleted": DELETED, ":now": iso(now)}
        if listed_at is not None:
            condition += f" AND {_LISTING_IS_NEWER}"
            values[":listed_at"] = iso(listed_at - WEBHOOK_STATUS_PRECEDENCE)
        return self._update(
            workspace_id,
            channel_id,
            key,
            "SET #status = :deleted, content_hash = :deleted, synced_at = :now, updated_at = :now",
            names={"#status": "status"},
            values=values,
            condition=condition,
        )

    def apply_status_event(
        self,
        workspace_id: str,
        channel_id: str,
        key: TemplateKey,
        *,
        status: str,
        rejected_reason: str | None,
        at: datetime,
    ) -> bool:
        """A template status webhook; False when the template is not stored here (yet)."""
        return self._update(
            workspace_id,
            channel_id,
            key,
            "SET #status = :status, rejected_reason = :reason, status_event_at = :at, updated_at = :at, "
            "content_hash = :stale",
            names={"#status": "status"},
            # The stored hash no longer describes the content, so the next sync rewrites it in full.
            values={":status": status, ":reason": rejected_reason, ":at": iso(at), ":stale": ""},
            condition="attribute_exists(PK)",
        )

    def apply_change_event(
        self,
        workspace_id: str,
        channel_id: str,
        key: TemplateKey,
        *,
        changes: Mapping[str, Any],
        at: datetime,
    ) -> bool:
        """A quality or category webhook: the named fields, no status."""
        names = {f"#{name}": name for name in changes}
        values = {f":{name}": value for name, value in changes.items()}
        return self._update(
            workspace_id,
            channel_id,
            key,
            "SET "
            + ", ".join(f"#{name} = :{name}" for name in changes)
            + ", updated_at = :at, content_hash = :stale",
            names=names,
            values={**values, ":at": iso(at), ":stale": ""},
            condition="attribute_exists(PK)",
        )

    def update_settings(
        self,
        workspace_id: str,
        channel_id: str,
        key: TemplateKey,
        changes: Mapping[str, Any],
        *,
        now: datetime,
    ) -> StoredTemplate | None:
        """The named settings; None when the template is not stored."""
        names = {f"#{name}": name for name in changes}
        values = to_item({**{f":{name}": value for name, value in changes.items()}, ":now": iso(now)})
        client = self._client()
        try:
            answer = client.update_item(
                TableName=self._table,
                Key=to_item(_key(workspace_id, channel_id, key)),
                UpdateExpression="SET "
                + ", ".join(f"#{name} = :{name}" for name in changes)
                + ", settings_updated_at = :now",
                ConditionExpression="attribute_exists(PK)",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
                ReturnValues="ALL_NEW",
            )
        except client.exceptions.ConditionalCheckFailedException:
            return None
        return _stored(from_item(answer["Attributes"]))

    # ------------------------------------------------------------------ sync lease and outcome
    def acquire_sync_lease(
        self, workspace_id: str, channel_id: str, lease_id: str, *, now: datetime, seconds: int
    ) -> bool:
        """Holds the channel's template sync for `seconds`; False while another sync holds it. A lease
        left by a crashed sync lapses on its own."""
        client = self._client()
        try:
            client.update_item(
                TableName=self._table,
                Key=to_item(_channel_key(workspace_id, channel_id)),
                UpdateExpression="SET template_sync_lease = :lease, template_sync_lease_until = :until",
                ConditionExpression=(
                    "attribute_exists(PK) AND "
                    "(attribute_not_exists(template_sync_lease_until) OR template_sync_lease_until < :now)"
                ),
                ExpressionAttributeValues=to_item(
                    {
                        ":lease": lease_id,
                        ":until": int(now.timestamp()) + seconds,
                        ":now": int(now.timestamp()),
                    }
                ),
            )
        except client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def finish_sync(
        self, workspace_id: str, channel_id: str, lease_id: str, *, now: datetime, error: str | None
    ) -> None:
        """Releases the lease and keeps the outcome: a success stamps `templates_last_synced_at` and
        clears the last error; a failure keeps its reason for channel health."""
        expression = "SET templates_sync_attempted_at = :now, templates_sync_error = :error"
        values: dict[str, Any] = {":now": iso(now), ":error": error, ":lease": lease_id}
        if error is None:
            expression += ", templates_last_synced_at = :now"
        client = self._client()
        try:
            client.update_item(
                TableName=self._table,
                Key=to_item(_channel_key(workspace_id, channel_id)),
                UpdateExpression=expression + " REMOVE template_sync_lease, template_sync_lease_until",
                ConditionExpression="template_sync_lease = :lease",
                ExpressionAttributeValues=to_item(values),
            )
        except client.exceptions.ConditionalCheckFailedException:
            # The lease lapsed and another sync took over; its outcome is the one to keep.
            return

    def _update(
        self,
        workspace_id: str,
        channel_id: str,
        key: TemplateKey,
        expression: str,
        *,
        names: Mapping[str, str],
        values: Mapping[str, Any],
        condition: str | None,
    ) -> bool:
        request: dict[str, Any] = {
            "TableName": self._table,
            "Key": to_item(_key(workspace_id, channel_id, key)),
            "UpdateExpression": expression,
            "ExpressionAttributeValues": to_item(values),
        }
        if names:
            request["ExpressionAttributeNames"] = dict(names)
        if condition:
            request["ConditionExpression"] = condition
        client = self._client()
        try:
            client.update_item(**request)
        except client.exceptions.ConditionalCheckFailedException:
            return False
        return True


def _key(workspace_id: str, channel_id: str, key: TemplateKey) -> dict[str, str]:
    return {
        "PK": keys.channel_scoped_pk(workspace_id, channel_id),
        "SK": keys.template_sk(key.name, key.language),
    }


def _channel_key(workspace_id: str, channel_id: str) -> dict[str, str]:
    return {"PK": keys.workspace_pk(workspace_id), "SK": keys.channel_sk(channel_id)}


def _stored(values: Mapping[str, Any]) -> StoredTemplate:
    return StoredTemplate.model_validate(
        {
            "template": {name: values.get(name) for name in _TEMPLATE_FIELDS},
            "created_at": values["created_at"],
            "updated_at": values["updated_at"],
            "synced_at": values.get("synced_at"),
            "settings": {name: values[name] for name in _SETTINGS_FIELDS if values.get(name) is not None},
        }
    )
