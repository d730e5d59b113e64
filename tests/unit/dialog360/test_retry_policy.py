from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from wachannel.dialog360 import RetryPolicy
from wachannel.dialog360.retry import parse_retry_after

NOW = datetime(2025, 5, 3, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("3", 3.0),
        (" 1.5 ", 1.5),
        ("0", 0.0),
        ("-4", 0.0),
        ("Sat, 03 May 2025 12:00:07 GMT", 7.0),
        ("Sat, 03 May 2025 11:59:00 GMT", 0.0),
        ("soon", None),
        ("inf", None),
        ("nan", None),
    ],
)
def test_retry_after_is_read_as_seconds_or_http_date(header: str, seconds: float | None) -> None:
    assert parse_retry_after(header, NOW) == seconds


def test_backoff_doubles_up_to_the_cap_with_jitter() -> None:
    policy = RetryPolicy(base_delay=0.5, max_delay=4.0)

    for failed_attempts, cap in [(1, 0.5), (2, 1.0), (3, 2.0), (4, 4.0), (5, 4.0), (9, 4.0)]:
        for _ in range(20):
            assert cap / 2 <= policy.backoff_delay(failed_attempts) <= cap


def test_attempt_timeouts_shrink_to_the_budget_left() -> None:
    policy = RetryPolicy()

    assert policy.attempt_timeout(10.0).as_dict() == {
        "connect": 3.0,
        "read": 10.0,
        "write": 10.0,
        "pool": 3.0,
    }
    assert policy.attempt_timeout(2.0).as_dict() == {"connect": 2.0, "read": 2.0, "write": 2.0, "pool": 2.0}
    assert policy.attempt_timeout(-1.0).as_dict() == {"connect": 0.0, "read": 0.0, "write": 0.0, "pool": 0.0}


def test_a_policy_without_attempts_is_refused() -> None:
    with pytest.raises(ValidationError):
        RetryPolicy(max_attempts=0)
