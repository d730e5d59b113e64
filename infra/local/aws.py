"""AWS on loopback: moto's server mode, provisioned from template.yaml's own resource definitions."""

import json
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import boto3
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import BaseWSGIServer, make_server

from infra.local import moto_transactions
from infra.local.cfn import (
    IntrinsicResolver,
    PhysicalResource,
    TemplateError,
    referenced_resources,
    resources_of_type,
    topological_order,
)

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_events import EventBridgeClient
    from mypy_boto3_kms import KMSClient
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_s3.type_defs import ServerSideEncryptionConfigurationTypeDef
    from mypy_boto3_secretsmanager import SecretsManagerClient
    from mypy_boto3_sqs import SQSClient
    from mypy_boto3_ssm import SSMClient

LOCAL_REGION = "eu-central-1"
LOCAL_STACK_NAME = "wachannel-local"
LOCAL_ACCESS_KEY_ID = "local-access-key-id"
LOCAL_SECRET_ACCESS_KEY = "local-secret-access-key"

_TABLE = "AWS::DynamoDB::Table"
_TABLE_INDEX_KEYS = ("IndexName", "KeySchema", "Projection", "ProvisionedThroughput")
_SECRET_GENERATOR_OPTIONS = (
    "PasswordLength",
    "ExcludeCharacters",
    "ExcludeNumbers",
    "ExcludePunctuation",
    "ExcludeUppercase",
    "ExcludeLowercase",
    "IncludeSpace",
    "RequireEachIncludedType",
)


class _OneRequestAtATime:
    """moto's backends are not safe under concurrent requests: a TransactWriteItems snapshots whole
    tables and restores the snapshot when it is cancelled, wiping writes other threads made
    meanwhile. DynamoDB applies each request atomically; one request at a time gives that here."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self._app = app
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        with self._lock:
            return list(self._app(environ, start_response))


class _DispatcherWithBackendCache(DomainDispatcherApplication):
    """moto works out each request's backend from its host by listing its own package folders and
    trying every backend's URL patterns, a tenth of a DynamoDB request's time; the answer for a host
    never changes, so it is worked out once."""

    def __init__(self, create_app: Callable[..., Any]) -> None:
        super().__init__(create_app)
        self._backend_by_host: dict[str | None, Any] = {}

    def get_backend_for_host(self, host: str | None) -> Any:
        if host not in self._backend_by_host:
            self._backend_by_host[host] = super().get_backend_for_host(host)
        return self._backend_by_host[host]


class MotoServer:
    """moto's server mode on its own thread; every AWS client of the stack points at `endpoint_url`."""

    def __init__(self, host: str, port: int) -> None:
        self.endpoint_url = f"http://{host}:{port}"
        self._host = host
        self._port = port
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        moto_transactions.install()
        app = _OneRequestAtATime(_DispatcherWithBackendCache(create_backend_app))
        try:
            self._server = make_server(
                self._host, self._port, app, threaded=True, request_handler=MotoRequestHandler
            )
        except OSError as error:
            raise OSError(f"moto cannot listen on {self._host}:{self._port}: {error}") from error
        self._thread = threading.Thread(target=self._server.serve_forever, name="moto", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
        if self._thread is not None:
            self._thread.join()


@dataclass(frozen=True)
class AwsClients:
    dynamodb: "DynamoDBClient"
    sqs: "SQSClient"
    events: "EventBridgeClient"
    kms: "KMSClient"
    s3: "S3Client"
    secretsmanager: "SecretsManagerClient"
    ssm: "SSMClient"

    @classmethod
    def connect(cls, endpoint_url: str | None, region: str = LOCAL_REGION) -> "AwsClients":
        """Clients for the services at `endpoint_url`, or for moto's in-process mock when it is None."""
        session = boto3.Session(
            aws_access_key_id=LOCAL_ACCESS_KEY_ID,
            aws_secret_access_key=LOCAL_SECRET_ACCESS_KEY,
            region_name=region,
        )
        return cls(
            dynamodb=session.client("dynamodb", endpoint_url=endpoint_url),
            sqs=session.client("sqs", endpoint_url=endpoint_url),
            events=session.client("events", endpoint_url=endpoint_url),
            kms=session.client("kms", endpoint_url=endpoint_url),
            s3=session.client("s3", endpoint_url=endpoint_url),
            secretsmanager=session.client("secretsmanager", endpoint_url=endpoint_url),
            ssm=session.client("ssm", endpoint_url=endpoint_url),
        )


class AwsDynamicReferences:
    """Resolves `{{resolve:secretsmanager:...}}` and `{{resolve:ssm:...}}` against the local services."""

    def __init__(self, clients: AwsClients) -> None:
        self._clients = clients

    def secret_string(self, secret_id: str) -> str:
        return self._clients.secretsmanager.get_secret_value(SecretId=secret_id)["SecretString"]

    def parameter_value(self, name: str, *, with_decryption: bool) -> str:
        return self._clients.ssm.get_parameter(Name=name, WithDecryption=with_decryption)["Parameter"][
            "Value"
        ]


def physical_name(logical_id: str, stack_name: str = LOCAL_STACK_NAME) -> str:
    """A readable name, unique within the stack, for a resource the template leaves unnamed."""
    return f"{stack_name}-{logical_id}"


def create_dynamodb_tables(template: Mapping[str, Any], dynamodb_client: "DynamoDBClient") -> dict[str, str]:
    """Creates every AWS::DynamoDB::Table of the template; returns logical id -> table name."""
    resolver = IntrinsicResolver(
        template, region=dynamodb_client.meta.region_name, stack_name=LOCAL_STACK_NAME
    )
    table_names: dict[str, str] = {}
    for logical_id, definition in resources_of_type(template, _TABLE).items():
        if resolver.is_created(definition):
            properties = resolver.resolve(definition.get("Properties", {}))
            table = _create_table(dynamodb_client, physical_name(logical_id), properties)
            table_names[logical_id] = table["Name"]
    return table_names


def provision_resources(
    template: Mapping[str, Any],
    clients: AwsClients,
    *,
    parameter_values: Mapping[str, str],
    stack_name: str = LOCAL_STACK_NAME,
) -> dict[str, PhysicalResource]:
    """Creates every resource of a type the local stack emulates, in dependency order.

    Returns logical id -> what `!Ref` and `!GetAtt` give for it.
    """
    provisioned: dict[str, PhysicalResource] = {}
    resolver = IntrinsicResolver(
        template,
        region=clients.dynamodb.meta.region_name,
        stack_name=stack_name,
        parameter_values=parameter_values,
        resources=provisioned,
        dynamic_references=AwsDynamicReferences(clients),
    )
    definitions: Mapping[str, Any] = template.get("Resources", {})
    to_create = {
        logical_id: definition
        for logical_id, definition in definitions.items()
        if definition.get("Type") in _PROVISIONERS and resolver.is_created(definition)
    }
    dependencies = {
        logical_id: referenced_resources(definition) | set(_depends_on(definition))
        for logical_id, definition in to_create.items()
    }
    for logical_id in topological_order(dependencies):
        definition = to_create[logical_id]
        properties = resolver.resolve(definition.get("Properties", {}))
        create = _PROVISIONERS[definition["Type"]]
        provisioned[logical_id] = create(clients, physical_name(logical_id, stack_name), properties)
    return provisioned


def _depends_on(definition: Mapping[str, Any]) -> list[str]:
    depends_on = definition.get("DependsOn", [])
    return [depends_on] if isinstance(depends_on, str) else list(depends_on)


def _create_table(
    client: "DynamoDBClient", default_name: str, properties: Mapping[str, Any]
) -> dict[str, str]:
    table_name = properties.get("TableName", default_name)
    request: dict[str, Any] = {
        "TableName": table_name,
        "KeySchema": properties["KeySchema"],
        "AttributeDefinitions": properties["AttributeDefinitions"],
        "BillingMode": properties.get("BillingMode", "PROVISIONED"),
    }
    if "ProvisionedThroughput" in properties:
        request["ProvisionedThroughput"] = properties["ProvisionedThroughput"]
    for index_kind in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
        if index_kind in properties:
            request[index_kind] = [
                {key: index[key] for key in _TABLE_INDEX_KEYS if key in index}
                for index in properties[index_kind]
            ]
    if properties.get("StreamSpecification"):
        request["StreamSpecification"] = {
            "StreamEnabled": True,
            "StreamViewType": properties["StreamSpecification"]["StreamViewType"],
        }
    if "SSESpecification" in properties:
        sse = properties["SSESpecification"]
        request["SSESpecification"] = {"Enabled": sse["SSEEnabled"]} | {
            key: sse[key] for key in ("SSEType", "KMSMasterKeyId") if key in sse
        }
    if "DeletionProtectionEnabled" in properties:
        request["DeletionProtectionEnabled"] = properties["DeletionProtectionEnabled"]
    description = client.create_table(**request)["TableDescription"]
    if "TimeToLiveSpecification" in properties:
        time_to_live = properties["TimeToLiveSpecification"]
        client.update_time_to_live(
            TableName=table_name,
            TimeToLiveSpecification={
                "Enabled": time_to_live["Enabled"],
                "AttributeName": time_to_live["AttributeName"],
            },
        )
    return {"Name": table_name, "Arn": description["TableArn"]}


def _table(clients: AwsClients, default_name: str, properties: Mapping[str, Any]) -> PhysicalResource:
    facts = _create_table(clients.dynamodb, default_name, properties)
    return PhysicalResource(ref=facts["Name"], attributes={"Arn": facts["Arn"]})


def _queue_attribute(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, dict | list):
        return json.dumps(value)
    return str(value)


def _queue(clients: AwsClients, default_name: str, properties: Mapping[str, Any]) -> PhysicalResource:
    is_fifo = bool(properties.get("FifoQueue"))
    queue_name = properties.get("QueueName", default_name + (".fifo" if is_fifo else ""))
    attributes: dict[Any, str] = {
        name: _queue_attribute(value)
        for name, value in properties.items()
        if name not in {"QueueName", "Tags"}
    }
    queue_url = clients.sqs.create_queue(QueueName=queue_name, Attributes=attributes)["QueueUrl"]
    queue_arn = clients.sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    return PhysicalResource(
        ref=queue_url, attributes={"Arn": queue_arn, "QueueName": queue_name, "QueueUrl": queue_url}
    )


def _event_bus(clients: AwsClients, default_name: str, properties: Mapping[str, Any]) -> PhysicalResource:
    bus_name = properties.get("Name", default_name)
    bus_arn = clients.events.create_event_bus(Name=bus_name)["EventBusArn"]
    return PhysicalResource(ref=bus_name, attributes={"Arn": bus_arn, "Name": bus_name})


def _kms_key(clients: AwsClients, _default_name: str, properties: Mapping[str, Any]) -> PhysicalResource:
    request: dict[str, Any] = {
        key: properties[key] for key in ("Description", "KeyUsage", "KeySpec") if key in properties
    }
    if "KeyPolicy" in properties:
        policy = properties["KeyPolicy"]
        request["Policy"] = policy if isinstance(policy, str) else json.dumps(policy)
    metadata = clients.kms.create_key(**request)["KeyMetadata"]
    if properties.get("EnableKeyRotation"):
        clients.kms.enable_key_rotation(KeyId=metadata["KeyId"])
    return PhysicalResource(
        ref=metadata["KeyId"], attributes={"Arn": metadata["Arn"], "KeyId": metadata["KeyId"]}
    )


def _kms_alias(clients: AwsClients, _default_name: str, properties: Mapping[str, Any]) -> PhysicalResource:
    clients.kms.create_alias(AliasName=properties["AliasName"], TargetKeyId=properties["TargetKeyId"])
    return PhysicalResource(ref=properties["AliasName"])


def _bucket(clients: AwsClients, default_name: str, properties: Mapping[str, Any]) -> PhysicalResource:
    bucket_name = properties.get("BucketName", default_name.lower())
    region = clients.s3.meta.region_name
    if region == "us-east-1":
        clients.s3.create_bucket(Bucket=bucket_name)
    else:
        clients.s3.create_bucket(Bucket=bucket_name, CreateBucketConfiguration={"LocationConstraint": region})  # type: ignore[typeddict-item]
    if "BucketEncryption" in properties:
        rules: list[Any] = [
            {"ApplyServerSideEncryptionByDefault": rule["ServerSideEncryptionByDefault"]}
            | ({"BucketKeyEnabled": rule["BucketKeyEnabled"]} if "BucketKeyEnabled" in rule else {})
            for rule in properties["BucketEncryption"]["ServerSideEncryptionConfiguration"]
        ]
        encryption: ServerSideEncryptionConfigurationTypeDef = {"Rules": rules}
        clients.s3.put_bucket_encryption(Bucket=bucket_name, ServerSideEncryptionConfiguration=encryption)
    if "VersioningConfiguration" in properties:
        clients.s3.put_bucket_versioning(
            Bucket=bucket_name,
            VersioningConfiguration={"Status": properties["VersioningConfiguration"]["Status"]},
        )
    if "PublicAccessBlockConfiguration" in properties:
        clients.s3.put_public_access_block(
            Bucket=bucket_name, PublicAccessBlockConfiguration=properties["PublicAccessBlockConfiguration"]
        )
    return PhysicalResource(ref=bucket_name, attributes={"Arn": f"arn:aws:s3:::{bucket_name}"})


def _secret(clients: AwsClients, default_name: str, properties: Mapping[str, Any]) -> PhysicalResource:
    request: dict[str, Any] = {"Name": properties.get("Name", default_name)}
    if "Description" in properties:
        request["Description"] = properties["Description"]
    if "SecretString" in properties:
        request["SecretString"] = properties["SecretString"]
    elif "GenerateSecretString" in properties:
        request["SecretString"] = _generated_secret_string(clients, properties["GenerateSecretString"])
    else:
        raise TemplateError(f"secret {request['Name']} has neither SecretString nor GenerateSecretString")
    secret_arn = clients.secretsmanager.create_secret(**request)["ARN"]
    return PhysicalResource(ref=secret_arn, attributes={"Id": secret_arn})


def _generated_secret_string(clients: AwsClients, generator: Mapping[str, Any]) -> str:
    """What CloudFormation generates: a random password, or a JSON template with one key set to one."""
    options = {key: generator[key] for key in _SECRET_GENERATOR_OPTIONS if key in generator}
    password = clients.secretsmanager.get_random_password(**options)["RandomPassword"]
    if "SecretStringTemplate" not in generator:
        return password
    document = json.loads(generator["SecretStringTemplate"])
    document[generator["GenerateStringKey"]] = password
    return json.dumps(document)


_PROVISIONERS: dict[str, Callable[[AwsClients, str, Mapping[str, Any]], PhysicalResource]] = {
    _TABLE: _table,
    "AWS::SQS::Queue": _queue,
    "AWS::Events::EventBus": _event_bus,
    "AWS::KMS::Key": _kms_key,
    "AWS::KMS::Alias": _kms_alias,
    "AWS::S3::Bucket": _bucket,
    "AWS::SecretsManager::Secret": _secret,
}
