"""The e2e suite drives one local stack (`python -m infra.local`) over HTTP, as a frontend and 360dialog do.

The stack runs on free ports with a temporary state dir, so it never touches a developer's `.local`
or a stack already running on the default ports.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from infra.local.process import LocalStackDidNotStart, LocalStackProcess, start_local_stack_process
from tests.e2e.clients import Answer, BusTap, Frontend, Simulator

_E2E_DIR = Path(__file__).parent
_SEARCHED_LAST = _E2E_DIR / "test_secrets.py"
WORKSPACE = "ws_local_dev"
OTHER_WORKSPACE = "ws_local_other"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.is_relative_to(_E2E_DIR):
            item.add_marker(pytest.mark.e2e)
    # The secrets search reads what the whole session did, so it goes last.
    items.sort(key=lambda item: item.path == _SEARCHED_LAST)


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStackProcess]:
    """The running stack: `api_url`, `webhook_base_url`, `simulator_url`, `tokens` (workspace -> token),
    `numbers`, `log_path` (everything it printed) and `issuer` (mints tokens with the stack's own key)."""
    state_dir = tmp_path_factory.mktemp("local-stack")
    try:
        running = start_local_stack_process(state_dir, state_dir / "stack.log")
    except LocalStackDidNotStart as error:
        pytest.fail(str(error), pytrace=False)
    yield running
    running.stop()


@dataclass
class SessionRecord:
    """What the whole e2e run showed a client: every answer the agents' clients got, and every event
    the bus carried (tapped from the session's start). tests/e2e/test_secrets.py searches them."""

    answers: list[Answer]
    bus: BusTap


@pytest.fixture(scope="session", autouse=True)
def session_record(stack: LocalStackProcess) -> SessionRecord:
    return SessionRecord(answers=[], bus=BusTap(stack, "e2e-session-record"))


@pytest.fixture(scope="session")
def simulator(stack: LocalStackProcess) -> Iterator[Simulator]:
    with httpx.Client(base_url=stack.simulator_url, timeout=30) as client:
        yield Simulator(client)


@pytest.fixture(scope="session")
def frontend(stack: LocalStackProcess, session_record: SessionRecord) -> Iterator[Frontend]:
    agent = Frontend(stack.api_url, stack.tokens[WORKSPACE], session_record.answers)
    yield agent
    agent.client.close()


@pytest.fixture(scope="session")
def other_frontend(stack: LocalStackProcess, session_record: SessionRecord) -> Iterator[Frontend]:
    agent = Frontend(stack.api_url, stack.tokens[OTHER_WORKSPACE], session_record.answers)
    yield agent
    agent.client.close()
