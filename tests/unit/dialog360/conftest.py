from collections.abc import Iterator

import pytest
import respx

from tests.unit.dialog360.support import (
    API_KEY,
    CLOUD_BASE_URL,
    ON_PREMISE_BASE_URL,
    PARTNER_API_KEY,
    PARTNER_BASE_URL,
    PARTNER_ID,
    FakeClock,
)
from wachannel.dialog360 import Dialog360Client, PartnerClient


@pytest.fixture
def provider() -> Iterator[respx.MockRouter]:
    """360dialog as the tests script it; a request no route expects fails the test."""
    with respx.mock(assert_all_called=True, assert_all_mocked=True) as router:
        yield router


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def cloud_client(clock: FakeClock) -> Iterator[Dialog360Client]:
    with Dialog360Client(
        API_KEY, "cloud", CLOUD_BASE_URL, sleep=clock.sleep, monotonic=clock.monotonic
    ) as client:
        yield client


@pytest.fixture
def on_premise_client(clock: FakeClock) -> Iterator[Dialog360Client]:
    with Dialog360Client(
        API_KEY, "on_premise", ON_PREMISE_BASE_URL, sleep=clock.sleep, monotonic=clock.monotonic
    ) as client:
        yield client


@pytest.fixture
def partner_client(clock: FakeClock) -> Iterator[PartnerClient]:
    with PartnerClient(
        PARTNER_BASE_URL, PARTNER_ID, PARTNER_API_KEY, sleep=clock.sleep, monotonic=clock.monotonic
    ) as client:
        yield client
