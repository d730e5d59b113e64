"""Contacts, their conversations and messages as the inbox reads them, and the search index."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from wachannel.domain.contacts import Contact
from wachannel.store import keys
from wachannel.store.codec import from_item, to_item
from wachannel.store.expressions import Update
from wachannel.store.paging import batch_get, query_page

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

Page = tuple[list[dict[str, Any]], dict[str, Any] | None]
_CONTACT_FIELDS = tuple(Contact.model_fields)


def contact_from(item: dict[str, Any]) -> Contact:
    values = {name: item.get(name) for name in _CONTACT_FIELDS if item.get(name) is not None}
    return Contact.model_validate(values)


def write_search_tokens(
    client: DynamoDBClient,
    table: str,
    workspace_id: str,
    contact_id: str,
    *,
    remove: Iterable[str],
    add: Iterable[str],
) -> None:
    """Keeps a contact's index entries in step with its names and number, in batches of 25."""
    partition = keys.contact_search_pk(workspace_id)
    requests: list[dict[str, Any]] = [
        {
            "DeleteRequest": {
                "Key": to_item({"PK": partition, "SK": keys.contact_search_sk(token, contact_id)})
            }
        }
        for token in sorted(set(remove) - set(add))
    ]
    requests += [
        {
            "PutRequest": {
                "Item": to_item(
                    {
                        "PK": partition,
                        "SK": keys.contact_search_sk(token, contact_id),
                        "contact_id": contact_id,
                    }
                )
            }
        }
        for token in sorted(set(add) - set(remove))
    ]
    while requests:
        chunk, requests = requests[:25], requests[25:]
        pending: dict[str, Any] = {table: chunk}
        while pending:
            answer = client.batch_write_item(RequestItems=pending)
            pending = dict(answer.get("UnprocessedItems") or {})


class ContactRepository:
    def __init__(self, table_name: str, client: Callable[[], DynamoDBClient]) -> None:
        self._table = table_name
        self._client = client

    def get(self, workspace_id: str, contact_id: str) -> Contact | None:
        answer = self._client().get_item(
            TableName=self._table,
            Key=to_item({"PK": keys.contact_pk(workspace_id, contact_id), "SK": keys.CONTACT_SK}),
            ConsistentRead=True,
        )
        item = answer.get("Item")
        return contact_from(from_item(item)) if item else None

    def many(self, workspace_id: str, contact_ids: list[str]) -> dict[str, Contact]:
        item_keys = [
            {"PK": keys.contact_pk(workspace_id, cid), "SK": keys.CONTACT_SK}
            for cid in dict.fromkeys(contact_ids)
        ]
        return {item["id"]: contact_from(item) for item in batch_get(self._client(), self._table, item_keys)}

    def page_recent(self, workspace_id: str, limit: int, start: dict[str, Any] | None) -> Page:
        return query_page(
            self._client(),
            self._table,
            index="GSI1",
            partition=keys.workspace_contacts_gsi(workspace_id),
            limit=limit,
            start=start,
            newest_first=True,
        )

    def page_search(self, workspace_id: str, prefix: str, limit: int, start: dict[str, Any] | None) -> Page:
        return query_page(
            self._client(),
            self._table,
            partition=keys.contact_search_pk(workspace_id),
            sort_prefix=prefix,
            limit=limit,
            start=start,
        )

    def page_conversations(
        self, workspace_id: str, channel_id: str | None, limit: int, start: dict[str, Any] | None
    ) -> Page:
        if channel_id is None:
            index, partition = "GSI2", keys.workspace_conversations_gsi(workspace_id)
        else:
            index, partition = "GSI1", keys.channel_conversations_gsi(workspace_id, channel_id)
        return query_page(
            self._client(),
            self._table,
            index=index,
            partition=partition,
            limit=limit,
            start=start,
            newest_first=True,
        )

    def conversations_for(self, contacts: Iterable[Contact]) -> list[dict[str, Any]]:
        """Every conversation of these contacts, one per channel each wrote on, in one batch read."""
        item_keys = [
            {"PK": keys.contact_pk(contact.workspace_id, contact.id), "SK": keys.conversation_sk(channel_id)}
            for contact in contacts
            for channel_id in sorted(contact.channels)
        ]
        return batch_get(self._client(), self._table, item_keys)

    def page_messages(
        self,
        workspace_id: str,
        contact_id: str,
        channel_id: str | None,
        limit: int,
        start: dict[str, Any] | None,
    ) -> Page:
        if channel_id is None:
            index, partition = "GSI1", keys.contact_messages_gsi(workspace_id, contact_id)
        else:
            index, partition = "GSI2", keys.contact_channel_messages_gsi(workspace_id, contact_id, channel_id)
        return query_page(
            self._client(),
            self._table,
            index=index,
            partition=partition,
            limit=limit,
            start=start,
            newest_first=True,
        )

    def update(
        self, contact: Contact, changes: dict[str, Any], tokens_before: set[str], tokens_after: set[str]
    ) -> Contact:
        sets = {name: value for name, value in changes.items() if value is not None}
        removes = [name for name, value in changes.items() if value is None]
        request = Update(sets=sets, removes=removes, condition="attribute_exists(PK)").request()
        answer = self._client().update_item(
            TableName=self._table,
            Key=to_item({"PK": keys.contact_pk(contact.workspace_id, contact.id), "SK": keys.CONTACT_SK}),
            ReturnValues="ALL_NEW",
            **request,
        )
        write_search_tokens(
            self._client(),
            self._table,
            contact.workspace_id,
            contact.id,
            remove=tokens_before,
            add=tokens_after,
        )
        return contact_from(from_item(answer["Attributes"]))
