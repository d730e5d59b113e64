from __future__ import annotations

import pytest

from wachannel.errors import InvalidCursor
from wachannel.http import CursorCodec

POSITION = {"PK": "WS#ws_a", "SK": "CHANNEL#ch_1"}


def test_a_cursor_round_trips_within_its_scope():
    codec = CursorCodec(b"k" * 32)

    cursor = codec.encode("channels:ws_a", POSITION)

    assert cursor is not None
    assert "WS#" not in cursor
    assert codec.decode("channels:ws_a", cursor) == POSITION


def test_no_position_means_no_cursor():
    assert CursorCodec(b"k" * 32).encode("s", None) is None
    assert CursorCodec(b"k" * 32).decode("s", None) is None


@pytest.mark.parametrize("tamper", ["scope", "payload", "signature", "key", "shape"])
def test_any_tampering_is_refused(tamper: str):
    codec = CursorCodec(b"k" * 32)
    cursor = codec.encode("channels:ws_a", POSITION)
    assert cursor is not None
    payload, signature = cursor.split(".")
    forged, scope, reader = cursor, "channels:ws_a", codec
    if tamper == "scope":
        scope = "channels:ws_b"
    elif tamper == "payload":
        forged = f"{payload[:-3]}abc.{signature}"
    elif tamper == "signature":
        forged = f"{payload}.{signature[::-1]}"
    elif tamper == "key":
        reader = CursorCodec(b"x" * 32)
    else:
        forged = "no-dot-at-all"

    with pytest.raises(InvalidCursor) as refused:
        reader.decode(scope, forged)

    assert refused.value.status == 400
    assert refused.value.code == "validation_error"
