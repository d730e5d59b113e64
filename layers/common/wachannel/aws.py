"""boto3 clients, created once per container on first use, so a cold start does not pay for boto3
until a request needs AWS."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from botocore.config import Config
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_events import EventBridgeClient
    from mypy_boto3_kms import KMSClient
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_sqs import SQSClient
    from mypy_boto3_ssm import SSMClient


def _client_config() -> Config:
    from botocore.config import Config

    return Config(connect_timeout=2, read_timeout=5, retries={"mode": "standard", "max_attempts": 3})


@cache
def dynamodb() -> DynamoDBClient:
    import boto3

    return boto3.client("dynamodb", config=_client_config())


@cache
def kms() -> KMSClient:
    import boto3

    return boto3.client("kms", config=_client_config())


@cache
def ssm() -> SSMClient:
    import boto3

    return boto3.client("ssm", config=_client_config())


@cache
def sqs() -> SQSClient:
    import boto3

    return boto3.client("sqs", config=_client_config())


@cache
def events() -> EventBridgeClient:
    import boto3

    return boto3.client("events", config=_client_config())


@cache
def s3() -> S3Client:
    """Signature v4: presigned URLs work in every region and for KMS-encrypted objects. The
    addressing style is left to botocore, which signs path-style URLs for a custom endpoint (the
    local stack) and virtual-hosted ones on AWS."""
    import boto3
    from botocore.config import Config

    config = _client_config().merge(Config(signature_version="s3v4"))
    return boto3.client("s3", config=config)
