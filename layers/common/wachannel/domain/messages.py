"""Message identity: our message id names the channel and WhatsApp's message id, so any route that
takes a message id reaches the stored message with one GetItem and no index."""

from __future__ import annotations

import base64
import binascii

_PREFIX = "msg_"


def message_id(channel_id: str, wamid: str) -> str:
    encoded = base64.urlsafe_b64encode(f"{channel_id}\n{wamid}".encode()).rstrip(b"=").decode()
    return f"{_PREFIX}{encoded}"


def parse_message_id(value: str) -> tuple[str, str] | None:
    """(channel id, wamid), or None for anything that is not one of our message ids."""
    if not value.startswith(_PREFIX):
        return None
    text = value.removeprefix(_PREFIX)
    try:
        decoded = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    channel_id, separator, wamid = decoded.partition("\n")
    if not separator or not channel_id or not wamid:
        return None
    return channel_id, wamid
