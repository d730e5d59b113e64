"""House rules that a reviewer would otherwise have to remember."""

from __future__ import annotations

import re
import socket
import tomllib

import pytest
import pytest_socket

from tests.unit.support import ROOT

_IO_IMPORT = re.compile(r"^\s*(import|from)\s+(boto3|botocore|httpx)\b", re.MULTILINE)


def test_functions_do_no_io_of_their_own():
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "functions").rglob("*.py")
        if _IO_IMPORT.search(path.read_text())
    ]

    assert offenders == [], "functions route and map; boto3 and httpx belong to the layer"


def test_the_layer_installs_what_the_project_pins():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    layer = (ROOT / "layers/common/requirements.txt").read_text().split()

    assert sorted(layer) == sorted(d for d in project if not d.startswith("boto3")), (
        "layers/common/requirements.txt and pyproject.toml disagree (boto3 comes from the Lambda runtime)"
    )


def test_the_layer_never_imports_a_function():
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "layers/common/wachannel").rglob("*.py")
        if re.search(r"^\s*(from|import)\s+functions\b", path.read_text(), re.MULTILINE)
    ]

    assert offenders == []


def test_the_unit_suite_has_no_network():
    with pytest.raises(pytest_socket.SocketBlockedError):
        socket.socket(socket.AF_INET, socket.SOCK_STREAM)
