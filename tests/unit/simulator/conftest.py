from collections.abc import Iterator

import httpx
import pytest
import respx
from starlette.testclient import TestClient

from infra.local.simulator import SimulatedNumber, SimulatorState, create_app
from tests.unit.simulator.support import (
    CLOUD_PHONE_NUMBER,
    ON_PREMISE_PHONE_NUMBER,
    PARTNER_API_KEY,
    PARTNER_ID,
    WEBHOOK_URL,
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


@pytest.fixture
def webhook() -> Iterator[respx.MockRouter]:
    """The backend's webhook, answering 200 to every delivery."""
    with respx.mock(assert_all_mocked=True, assert_all_called=False) as router:
        router.post(WEBHOOK_URL, name="webhook").mock(return_value=httpx.Response(200, json={"ok": True}))
        yield router
