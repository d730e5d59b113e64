from __future__ import annotations

import pytest

from tests.unit.support import Api, load_function
from tests.unit.webhook.conftest import WORKSPACE, api, channel, webhook

__all__ = ["api", "channel", "webhook"]


@pytest.fixture
def inbox(api: Api) -> Api:
    return Api(load_function("inbox"), WORKSPACE)


@pytest.fixture
def other_inbox(api: Api) -> Api:
    return Api(load_function("inbox"), "ws_other")
