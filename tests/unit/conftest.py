"""Unit suite: no network (Unix sockets stay allowed for event loops), fake AWS credentials set
before any client exists, and moto tables built from template.yaml's own definitions."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import pytest_socket

ROOT = Path(__file__).resolve().parents[2]

os.environ.update(
    {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "eu-central-1",
        "POWERTOOLS_METRICS_NAMESPACE": "WaChannelTests",
        "POWERTOOLS_SERVICE_NAME": "wachannel",
    }
)
os.environ.pop("AWS_ENDPOINT_URL", None)
os.environ.pop("AWS_PROFILE", None)


@pytest.fixture(autouse=True)
def _no_network() -> Iterator[None]:
    pytest_socket.enable_socket()
    pytest_socket.disable_socket(allow_unix_socket=True)
    yield
    pytest_socket.enable_socket()
