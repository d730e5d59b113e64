"""The single table's key layout. Workspace data lives under keys that begin with the workspace id;
the one exception is a channel's route item, which the webhook reads by channel id alone."""

from __future__ import annotations


def workspace_pk(workspace_id: str) -> str:
    return f"WS#{workspace_id}"


def channel_sk(channel_id: str) -> str:
    return f"CHANNEL#{channel_id}"


CHANNEL_SK_PREFIX = "CHANNEL#"


def phone_lock_sk(phone_number: str) -> str:
    return f"PHONE#{phone_number}"


def channel_scoped_pk(workspace_id: str, channel_id: str) -> str:
    return f"WS#{workspace_id}#CH#{channel_id}"


def audit_sk(at_iso: str, entry_id: str) -> str:
    return f"AUDIT#{at_iso}#{entry_id}"


AUDIT_SK_PREFIX = "AUDIT#"
STATS_SK = "STATS"


def route_pk(channel_id: str) -> str:
    return f"ROUTE#{channel_id}"


ROUTE_SK = "ROUTE"


def message_pk(workspace_id: str, channel_id: str, wamid: str) -> str:
    return f"WS#{workspace_id}#CH#{channel_id}#M#{wamid}"


MESSAGE_SK = "MESSAGE"


def contact_pk(workspace_id: str, contact_id: str) -> str:
    return f"WS#{workspace_id}#CT#{contact_id}"


CONTACT_SK = "CONTACT"


def identity_pk(workspace_id: str, identity: str) -> str:
    return f"WS#{workspace_id}#ID#{identity}"


IDENTITY_SK = "IDENTITY"


def conversation_sk(channel_id: str) -> str:
    return f"CONV#{channel_id}"


CONVERSATION_SK_PREFIX = "CONV#"


def contact_messages_gsi(workspace_id: str, contact_id: str) -> str:
    return f"WS#{workspace_id}#CT#{contact_id}#MSGS"


def contact_channel_messages_gsi(workspace_id: str, contact_id: str, channel_id: str) -> str:
    return f"WS#{workspace_id}#CT#{contact_id}#CH#{channel_id}#MSGS"


def channel_conversations_gsi(workspace_id: str, channel_id: str) -> str:
    return f"WS#{workspace_id}#CH#{channel_id}#CONVS"


def workspace_conversations_gsi(workspace_id: str) -> str:
    return f"WS#{workspace_id}#CONVS"


def workspace_contacts_gsi(workspace_id: str) -> str:
    return f"WS#{workspace_id}#CONTACTS"


def contact_search_pk(workspace_id: str) -> str:
    return f"WS#{workspace_id}#CTSEARCH"


def contact_search_sk(token: str, contact_id: str) -> str:
    return f"{token}#{contact_id}"


def template_sk(name: str, language: str) -> str:
    return f"TPL#{name}#{language}"


def template_name_prefix(name: str) -> str:
    return f"TPL#{name}#"


TEMPLATE_SK_PREFIX = "TPL#"
# Route items of active channels, on GSI1: what the template schedule fans out over.
ACTIVE_CHANNELS_GSI = "CHANNELS#ACTIVE"
