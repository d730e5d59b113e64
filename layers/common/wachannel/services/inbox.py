"""Reads for the inbox: contacts (recent, by channel, by search), conversations with their window,
a contact's messages; and the one write an agent makes here, a contact's own fields."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from wachannel.api.inbox import ContactOut, ConversationOut
from wachannel.api.message_out import MessageOut
from wachannel.clock import Clock
from wachannel.domain.contacts import Contact, matches_all, search_prefix, search_tokens
from wachannel.errors import NotFound
from wachannel.http import Caller
from wachannel.store.channels import iso
from wachannel.store.contacts import ContactRepository, contact_from

Position = dict[str, Any] | None


class InboxService:
    def __init__(self, contacts: ContactRepository, clock: Clock) -> None:
        self._contacts = contacts
        self._clock = clock

    def contacts(
        self, caller: Caller, query: str | None, channel_id: str | None, limit: int, start: Position
    ) -> tuple[list[ContactOut], Position]:
        workspace_id = caller.workspace_id
        wanted = search_prefix(query) if query else None
        if wanted is not None:
            prefix, other_words = wanted
            hits, position = self._contacts.page_search(workspace_id, prefix, limit, start)
            found = self._contacts.many(workspace_id, [hit["contact_id"] for hit in hits])
            ordered = [found[cid] for cid in dict.fromkeys(hit["contact_id"] for hit in hits) if cid in found]
            ordered = [
                c
                for c in ordered
                if matches_all(c, other_words) and (channel_id is None or channel_id in c.channels)
            ]
        elif channel_id is not None:
            conversations, position = self._contacts.page_conversations(
                workspace_id, channel_id, limit, start
            )
            found = self._contacts.many(workspace_id, [c["contact_id"] for c in conversations])
            ordered = [found[c["contact_id"]] for c in conversations if c["contact_id"] in found]
        else:
            items, position = self._contacts.page_recent(workspace_id, limit, start)
            ordered = [contact_from(item) for item in items]
        return self._with_last_inbound(ordered), position

    def contact(self, caller: Caller, contact_id: str) -> ContactOut:
        contact = self._get(caller, contact_id)
        return self._with_last_inbound([contact])[0]

    def update_contact(self, caller: Caller, contact_id: str, changes: dict[str, Any]) -> ContactOut:
        contact = self._get(caller, contact_id)
        if "attributes" in changes and changes["attributes"] is None:
            changes["attributes"] = {}
        after = contact.model_copy(update=changes)
        updated = self._contacts.update(
            contact,
            {**changes, "updated_at": iso(self._clock.now())},
            tokens_before=_tokens(contact),
            tokens_after=_tokens(after),
        )
        return self._with_last_inbound([updated])[0]

    def conversations(
        self, caller: Caller, channel_id: str | None, limit: int, start: Position
    ) -> tuple[list[ConversationOut], Position]:
        items, position = self._contacts.page_conversations(caller.workspace_id, channel_id, limit, start)
        contacts = self._with_last_inbound(
            list(self._contacts.many(caller.workspace_id, [item["contact_id"] for item in items]).values())
        )
        by_id = {contact.id: contact for contact in contacts}
        now = self._clock.now()
        return [
            ConversationOut.of(item, by_id[item["contact_id"]], now)
            for item in items
            if item["contact_id"] in by_id
        ], position

    def messages(
        self, caller: Caller, contact_id: str, channel_id: str | None, limit: int, start: Position
    ) -> tuple[list[MessageOut], Position]:
        self._get(caller, contact_id)
        items, position = self._contacts.page_messages(
            caller.workspace_id, contact_id, channel_id, limit, start
        )
        return [MessageOut.of(item) for item in items], position

    def _get(self, caller: Caller, contact_id: str) -> Contact:
        contact = self._contacts.get(caller.workspace_id, contact_id)
        if contact is None:
            raise NotFound("No such contact in this workspace.")
        return contact

    def _with_last_inbound(self, contacts: list[Contact]) -> list[ContactOut]:
        latest: dict[str, datetime] = {}
        for conversation in self._contacts.conversations_for(contacts):
            if conversation.get("last_inbound_at"):
                at = datetime.fromisoformat(conversation["last_inbound_at"])
                contact_id = conversation["contact_id"]
                latest[contact_id] = max(at, latest.get(contact_id, at))
        return [ContactOut.of(contact, latest.get(contact.id)) for contact in contacts]


def _tokens(contact: Contact) -> set[str]:
    return search_tokens(
        contact.phone_number, contact.profile_name, contact.first_name, contact.last_name, contact.email
    )
