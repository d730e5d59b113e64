from datetime import UTC, datetime, timedelta

import pytest

from wachannel.domain.conversations import window_expires_at, window_open

LAST_INBOUND = datetime(2026, 11, 23, 10, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("after", "open_"),
    [
        (timedelta(0), True),
        (timedelta(hours=23, minutes=59, seconds=59), True),
        (timedelta(hours=24), False),
        (timedelta(hours=24, seconds=1), False),
        (timedelta(days=3), False),
    ],
)
def test_the_window_is_open_for_24_hours_after_the_last_inbound_message(after: timedelta, open_: bool):
    assert window_open(LAST_INBOUND, LAST_INBOUND + after) is open_


def test_a_contact_who_never_wrote_has_no_window():
    assert window_open(None, LAST_INBOUND) is False
    assert window_expires_at(None) is None
    assert window_expires_at(LAST_INBOUND) == LAST_INBOUND + timedelta(hours=24)
