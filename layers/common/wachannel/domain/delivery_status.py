"""Where a message stands, and the order statuses may move in. WhatsApp delivers statuses at least
once and in any order; a status only ever replaces one of lower rank."""

from __future__ import annotations

from typing import Literal

MessageStatus = Literal["received", "accepted", "sent", "delivered", "read", "failed"]

# `failed` outranks sent and delivered (it can follow them on multi-device) but not `read`, which
# proves the customer got the message after all.
STATUS_RANK: dict[str, int] = {
    "received": 0,
    "accepted": 1,
    "sent": 2,
    "delivered": 3,
    "failed": 4,
    "read": 5,
}


def rank_of(status: str) -> int | None:
    """None for statuses that are recorded but never become the message's status (deleted, warning,
    played, unknown values)."""
    return STATUS_RANK.get(status)
