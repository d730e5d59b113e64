"""How long to wait for 360dialog, and how often to ask again."""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx
from pydantic import BaseModel, ConfigDict, Field

# Jitter only spreads retries out; SystemRandom spares a lint suppression for weak randomness.
_jitter_source = random.SystemRandom()


class RetryPolicy(BaseModel):
    """Attempts, backoff and the total time one call may take, waits and retries included."""

    model_config = ConfigDict(frozen=True)

    max_attempts: int = Field(default=3, ge=1)
    base_delay: float = Field(default=0.5, ge=0)
    max_delay: float = Field(default=4.0, ge=0)
    total_budget_seconds: float = Field(default=10.0, gt=0)
    connect_timeout: float = Field(default=3.0, gt=0)
    read_timeout: float = Field(default=10.0, gt=0)

    def backoff_delay(self, failed_attempts: int) -> float:
        """Exponential backoff with equal jitter: between half and all of the capped delay."""
        capped = min(self.max_delay, self.base_delay * 2.0 ** (failed_attempts - 1))
        return capped / 2 + _jitter_source.uniform(0, capped / 2)

    def attempt_timeout(self, remaining_budget: float) -> httpx.Timeout:
        """No single wait may outlast what is left of the budget."""
        remaining = max(remaining_budget, 0.0)
        connect = min(self.connect_timeout, remaining)
        read = min(self.read_timeout, remaining)
        return httpx.Timeout(connect=connect, read=read, write=read, pool=connect)


def parse_retry_after(value: str, now: datetime) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP date); None if unreadable."""
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return max(seconds, 0.0) if math.isfinite(seconds) else None
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max((moment - now).total_seconds(), 0.0)
