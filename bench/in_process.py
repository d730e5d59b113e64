"""What the in-process parts of the benches share: the unit suite's environment, and moto resources
built from template.yaml, for functions run in this process under `mock_aws` with a respx 360dialog."""

from __future__ import annotations

import contextlib
import io
import os
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path

# Run as a script, only bench/ is on sys.path: the repo root (infra, tests) and the layer (wachannel)
# go in front, as pytest's `pythonpath` puts them.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "layers" / "common"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import boto3

from infra.local.aws import create_dynamodb_tables, physical_name
from infra.local.cfn import load_template
from tests.unit.dialog360_double import KMS_ALIAS, PARTNER_API_KEY, PARTNER_ID, PARTNER_KEY_PARAMETER

ROOT = Path(__file__).resolve().parents[1]
REGION = "eu-central-1"
BENCH_WORKSPACE = "ws_bench"
# What unit tests set (tests/unit/conftest.py): fake credentials before any client exists, the
# functions' settings, and moto's resources under these names.
SEND_QUEUE_NAME = "wachannel-bench-send"
TEMPLATE_SYNC_QUEUE_NAME = "wachannel-bench-template-sync"
MEDIA_QUEUE_NAME = "wachannel-bench-media"
IN_PROCESS_ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": REGION,
    "POWERTOOLS_METRICS_NAMESPACE": "WaChannelBench",
    "POWERTOOLS_SERVICE_NAME": "wachannel",
    "TABLE_NAME": physical_name("Table"),
    "IDEMPOTENCY_TABLE_NAME": physical_name("IdempotencyTable"),
    "API_KEY_KMS_KEY_ID": KMS_ALIAS,
    "CURSOR_SIGNING_KEY": "bench-cursor-signing-key-0123456789",
    "WEBHOOK_BASE_URL": "",
    "DIALOG360_PARTNER_ID": PARTNER_ID,
    "DIALOG360_PARTNER_API_KEY_PARAMETER": PARTNER_KEY_PARAMETER,
    "SEND_QUEUE_URL": f"https://sqs.{REGION}.amazonaws.com/123456789012/{SEND_QUEUE_NAME}",
    "TEMPLATE_SYNC_QUEUE_URL": f"https://sqs.{REGION}.amazonaws.com/123456789012/{TEMPLATE_SYNC_QUEUE_NAME}",
    "MEDIA_QUEUE_URL": f"https://sqs.{REGION}.amazonaws.com/123456789012/{MEDIA_QUEUE_NAME}",
    "MEDIA_BUCKET_NAME": "wachannel-bench-media",
}
IN_PROCESS_UNSET = ("AWS_ENDPOINT_URL", "AWS_PROFILE", "AWS_DEFAULT_PROFILE")


@contextlib.contextmanager
def environment_for_in_process_run() -> Iterator[None]:
    """The unit suite's environment while the block runs; the stack started later inherits none of it."""
    saved = dict(os.environ)
    os.environ.update(IN_PROCESS_ENVIRONMENT)
    for name in IN_PROCESS_UNSET:
        os.environ.pop(name, None)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


@contextlib.contextmanager
def functions_quiet() -> Iterator[None]:
    """The functions' JSON logs and EMF metrics go to stdout; the bench prints only its tables."""
    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="No application metrics to publish")
        yield


def provision_in_process_aws() -> None:
    """As tests/unit/conftest.py does: tables from template.yaml, the KMS key, the partner key, the queues."""
    create_dynamodb_tables(load_template(ROOT / "template.yaml"), boto3.client("dynamodb"))
    kms = boto3.client("kms")
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName=KMS_ALIAS, TargetKeyId=key_id)
    boto3.client("ssm").put_parameter(Name=PARTNER_KEY_PARAMETER, Value=PARTNER_API_KEY, Type="SecureString")
    for queue in (SEND_QUEUE_NAME, TEMPLATE_SYNC_QUEUE_NAME, MEDIA_QUEUE_NAME):
        boto3.client("sqs").create_queue(QueueName=queue)
