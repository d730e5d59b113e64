from __future__ import annotations

from types import ModuleType

import pytest

from tests.unit.dialog360_double import Dialog360Double
from tests.unit.support import Api, load_function

WORKSPACE = "ws_acme"
OTHER_WORKSPACE = "ws_other"


@pytest.fixture
def channels_app(aws: None, dialog360: Dialog360Double) -> ModuleType:
    return load_function("channels")


@pytest.fixture
def api(channels_app: ModuleType) -> Api:
    return Api(channels_app, WORKSPACE)


@pytest.fixture
def other_api(channels_app: ModuleType) -> Api:
    return Api(channels_app, OTHER_WORKSPACE)
