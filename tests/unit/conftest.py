"""Unit suite: no network (Unix sockets stay allowed for event loops), fake AWS credentials set
before any client exists, and moto tables built from template.yaml's own definitions."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest
import pytest_socket
import respx
from moto import mock_aws

from infra.local.aws import create_dynamodb_tables, physical_name
from infra.local.cfn import load_template
from tests.unit.dialog360_double import (
    KMS_ALIAS,
    PARTNER_API_KEY,
    PARTNER_ID,
    PARTNER_KEY_PARAMETER,
    Dialog360Double,
    NumberAt360dialog,
)
from tests.unit.support import Api, load_function

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
SEND_QUEUE_NAME = "wachannel-test-send"
TEMPLATE_SYNC_QUEUE_NAME = "wachannel-test-template-sync"
MEDIA_QUEUE_NAME = "wachannel-test-media"
MEDIA_BUCKET_NAME = "wachannel-test-media"
EVENT_BUS_NAME = "wachannel-test-events"
os.environ.update(
    {
        "TABLE_NAME": physical_name("Table"),
        "IDEMPOTENCY_TABLE_NAME": physical_name("IdempotencyTable"),
        "API_KEY_KMS_KEY_ID": KMS_ALIAS,
        "CURSOR_SIGNING_KEY": "unit-test-cursor-signing-key",
        "WEBHOOK_BASE_URL": "",
        "DIALOG360_PARTNER_ID": PARTNER_ID,
        "DIALOG360_PARTNER_API_KEY_PARAMETER": PARTNER_KEY_PARAMETER,
        "EVENT_BUS_NAME": EVENT_BUS_NAME,
        "SEND_QUEUE_URL": f"https://sqs.eu-central-1.amazonaws.com/123456789012/{SEND_QUEUE_NAME}",
        "TEMPLATE_SYNC_QUEUE_URL": (
            f"https://sqs.eu-central-1.amazonaws.com/123456789012/{TEMPLATE_SYNC_QUEUE_NAME}"
        ),
        "MEDIA_QUEUE_URL": f"https://sqs.eu-central-1.amazonaws.com/123456789012/{MEDIA_QUEUE_NAME}",
        "MEDIA_BUCKET_NAME": MEDIA_BUCKET_NAME,
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


@contextmanager
def aws_stack() -> Iterator[None]:
    """moto with what the stack's template creates: the tables, the KMS key, the queues and the rest."""
    with mock_aws():
        template = load_template(ROOT / "template.yaml")
        create_dynamodb_tables(template, boto3.client("dynamodb"))
        kms = boto3.client("kms")
        key_id = kms.create_key()["KeyMetadata"]["KeyId"]
        kms.create_alias(AliasName=KMS_ALIAS, TargetKeyId=key_id)
        boto3.client("ssm").put_parameter(
            Name=PARTNER_KEY_PARAMETER, Value=PARTNER_API_KEY, Type="SecureString"
        )
        boto3.client("sqs").create_queue(QueueName=SEND_QUEUE_NAME)
        boto3.client("sqs").create_queue(QueueName=TEMPLATE_SYNC_QUEUE_NAME)
        boto3.client("sqs").create_queue(QueueName=MEDIA_QUEUE_NAME)
        boto3.client("s3").create_bucket(
            Bucket=MEDIA_BUCKET_NAME, CreateBucketConfiguration={"LocationConstraint": "eu-central-1"}
        )
        boto3.client("events").create_event_bus(Name=EVENT_BUS_NAME)
        yield


@contextmanager
def mocked_360dialog() -> Iterator[Dialog360Double]:
    with respx.mock(assert_all_mocked=True, assert_all_called=False) as router:
        yield Dialog360Double(router)


@pytest.fixture
def aws() -> Iterator[None]:
    with aws_stack():
        yield


@pytest.fixture
def dialog360() -> Iterator[Dialog360Double]:
    with mocked_360dialog() as double:
        yield double


# A workspace with one number of each API generation at 360dialog, for the suites that need a
# connected channel (a suite with its own fixture of the same name keeps its own).
WORKSPACE = "ws_acme"
CLOUD_DIGITS = "4915112345678"
CLOUD_KEY = "cloud-key-abcdef123456"
ON_PREMISE_DIGITS = "4915187654321"
ON_PREMISE_KEY = "onprem-key-abcdef123456"


@pytest.fixture
def channels(aws: None, dialog360: Dialog360Double) -> Api:
    return Api(load_function("channels"), WORKSPACE)


@pytest.fixture
def number(dialog360: Dialog360Double) -> NumberAt360dialog:
    return dialog360.add(CLOUD_DIGITS, CLOUD_KEY)


@pytest.fixture
def channel(channels: Api, number: NumberAt360dialog) -> dict[str, Any]:
    return channels.connect(f"+{CLOUD_DIGITS}", CLOUD_KEY)


@pytest.fixture
def on_premise_number(dialog360: Dialog360Double) -> NumberAt360dialog:
    return dialog360.add(ON_PREMISE_DIGITS, ON_PREMISE_KEY, generation="on_premise")


@pytest.fixture
def on_premise_channel(channels: Api, on_premise_number: NumberAt360dialog) -> dict[str, Any]:
    return channels.connect(f"+{ON_PREMISE_DIGITS}", ON_PREMISE_KEY, api_generation="on_premise")


def put_uploaded_file(upload: dict[str, Any], content: bytes, content_type: str) -> None:
    """What a client's PUT to an upload's signed URL leaves in the bucket."""
    url = httpx.URL(upload["upload_url"])
    key = url.path.removeprefix(f"/{MEDIA_BUCKET_NAME}").lstrip("/")
    boto3.client("s3").put_object(Bucket=MEDIA_BUCKET_NAME, Key=key, Body=content, ContentType=content_type)
