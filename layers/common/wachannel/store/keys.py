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
