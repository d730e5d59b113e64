from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from infra.local.simulator import SimulatedNumber, SimulatorState, create_app
from tests.unit.simulator.support import (
    CLOUD_PHONE_NUMBER,
    ON_PREMISE_PHONE_NUMBER,
    PARTNER_API_KEY,
    PARTNER_ID,
)


@pytest.fixture
def state() -> SimulatorState:
    return SimulatorState(partner_id=PARTNER_ID, partner_api_key=PARTNER_API_KEY)


@pytest.fixture
def client(state: SimulatorState) -> Iterator[TestClient]:
    with TestClient(create_app(state)) as test_client:
        yield test_client


@pytest.fixture
def cloud_number(state: SimulatorState) -> SimulatedNumber:
    return state.add_number(CLOUD_PHONE_NUMBER, "cloud")


@pytest.fixture
def on_premise_number(state: SimulatorState) -> SimulatedNumber:
    return state.add_number(ON_PREMISE_PHONE_NUMBER, "on_premise")
