"""The fault suite shares one moto stack between its tests (building one per test would cost more than
the faults) and empties its tables before each; 360dialog's retry policy is shrunk through the
environment, so that a timeout costs a fraction of a second."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from infra.local.aws import create_dynamodb_tables
from infra.local.cfn import load_template
from tests.unit.conftest import ROOT, aws_stack
from tests.unit.dialog360_double import Dialog360Double
from tests.unit.faults.support import FAST_RETRY_POLICY, Tenant
from wachannel.config import load_settings


def _build_services_again() -> None:
    """Settings and the services holding 360dialog clients are built once per container; after the
    environment changed they must be built again on their next use."""
    load_settings.cache_clear()
    for name, module in list(sys.modules.items()):
        if name.startswith("wachannel.services.") and name.endswith("factory"):
            for value in vars(module).values():
                if getattr(value, "__module__", None) == name and hasattr(value, "cache_clear"):
                    value.cache_clear()


@pytest.fixture(scope="package", autouse=True)
def _fast_retry_policy() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as env:
        for field, value in FAST_RETRY_POLICY.model_dump(exclude={"max_attempts"}).items():
            env.setenv(f"DIALOG360_RETRY_{field.upper()}", str(value))
        _build_services_again()
        yield
    _build_services_again()


@pytest.fixture(scope="package")
def _template() -> dict[str, Any]:
    return load_template(ROOT / "template.yaml")


@pytest.fixture(scope="package")
def _shared_stack() -> Iterator[None]:
    with aws_stack():
        yield


@pytest.fixture
def empty_tables(_shared_stack: None, _template: dict[str, Any]) -> None:
    """moto copies every table for each transaction, so tables that only grew would make each test
    slower than the one before."""
    dynamodb = boto3.client("dynamodb")
    for name in dynamodb.list_tables()["TableNames"]:
        dynamodb.update_table(TableName=name, DeletionProtectionEnabled=False)
        dynamodb.delete_table(TableName=name)
    create_dynamodb_tables(_template, dynamodb)


@pytest.fixture
def tenant(empty_tables: None, dialog360: Dialog360Double, caplog: pytest.LogCaptureFixture) -> Tenant:
    return Tenant(dialog360, caplog)
