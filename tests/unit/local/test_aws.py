"""Provisioning from template.yaml's own definitions, under moto's in-process mock."""

import json
from collections.abc import Iterator
from typing import Any

import pytest
from moto import mock_aws

from infra.local.aws import AwsClients, AwsDynamicReferences, create_dynamodb_tables, provision_resources
from infra.local.cfn import IntrinsicResolver, load_template
from infra.local.lambda_runtime import function_environment, read_functions
from tests.unit.support import ROOT

PROJECT_TEMPLATE = load_template(ROOT / "template.yaml")
LOCAL_PARAMETERS = {
    "JwtIssuer": "http://127.0.0.1:3000/local-issuer",
    "JwtAudience": "wachannel-local",
    "WebhookBaseUrl": "http://127.0.0.1:3000",
    "Dialog360PartnerId": "sim01PA",
    "Dialog360PartnerApiKeyParameter": "/wachannel/local/dialog360-partner-api-key",
}


@pytest.fixture
def clients() -> Iterator[AwsClients]:
    with mock_aws():
        yield AwsClients.connect(None)


def test_create_dynamodb_tables_builds_every_table_with_the_template_key_schema(clients: AwsClients) -> None:
    table_names = create_dynamodb_tables(PROJECT_TEMPLATE, clients.dynamodb)

    assert set(table_names) == {"Table", "IdempotencyTable"}
    table = clients.dynamodb.describe_table(TableName=table_names["Table"])["Table"]
    definition = PROJECT_TEMPLATE["Resources"]["Table"]["Properties"]
    assert table["KeySchema"] == definition["KeySchema"]
    assert sorted(table["AttributeDefinitions"], key=lambda a: a["AttributeName"]) == sorted(
        definition["AttributeDefinitions"], key=lambda a: a["AttributeName"]
    )
    built = {index["IndexName"]: index for index in table["GlobalSecondaryIndexes"]}
    declared = {index["IndexName"]: index for index in definition["GlobalSecondaryIndexes"]}
    assert set(built) == set(declared)
    for name, index in declared.items():
        assert built[name]["KeySchema"] == index["KeySchema"]
        assert built[name]["Projection"] == index["Projection"]
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    time_to_live = clients.dynamodb.describe_time_to_live(TableName=table_names["Table"])
    assert time_to_live["TimeToLiveDescription"] == {
        "TimeToLiveStatus": "ENABLED",
        "AttributeName": "expires_at",
    }


def test_tables_of_another_template_get_their_indexes_stream_and_provisioned_billing(
    clients: AwsClients,
) -> None:
    template: dict[str, Any] = {
        "Resources": {
            "Orders": {
                "Type": "AWS::DynamoDB::Table",
                "Properties": {
                    "TableName": "orders",
                    "AttributeDefinitions": [
                        {"AttributeName": "pk", "AttributeType": "S"},
                        {"AttributeName": "sk", "AttributeType": "S"},
                        {"AttributeName": "by_date", "AttributeType": "N"},
                    ],
                    "KeySchema": [
                        {"AttributeName": "pk", "KeyType": "HASH"},
                        {"AttributeName": "sk", "KeyType": "RANGE"},
                    ],
                    "LocalSecondaryIndexes": [
                        {
                            "IndexName": "ByDate",
                            "KeySchema": [
                                {"AttributeName": "pk", "KeyType": "HASH"},
                                {"AttributeName": "by_date", "KeyType": "RANGE"},
                            ],
                            "Projection": {"ProjectionType": "KEYS_ONLY"},
                        }
                    ],
                    "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5},
                    "StreamSpecification": {"StreamViewType": "NEW_IMAGE"},
                },
            }
        }
    }

    assert create_dynamodb_tables(template, clients.dynamodb) == {"Orders": "orders"}
    table = clients.dynamodb.describe_table(TableName="orders")["Table"]
    assert table["LocalSecondaryIndexes"][0]["IndexName"] == "ByDate"
    assert table["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"}
    assert table["ProvisionedThroughput"]["ReadCapacityUnits"] == 5


def test_provisioning_creates_every_emulated_resource_of_the_project_template(clients: AwsClients) -> None:
    resources = provision_resources(PROJECT_TEMPLATE, clients, parameter_values=LOCAL_PARAMETERS)

    assert set(resources) == {
        "Table",
        "IdempotencyTable",
        "ApiKeyEncryptionKey",
        "ApiKeyEncryptionKeyAlias",
        "CursorSigningSecret",
        "MediaBucket",
        "EventBus",
        "SendDeadLetterQueue",
        "SendQueue",
        "MediaDeadLetterQueue",
        "EventsDeadLetterQueue",
        "MediaQueue",
        "TemplateSyncDeadLetterQueue",
        "TemplateSyncQueue",
    }
    send_queue = clients.sqs.get_queue_attributes(QueueUrl=resources["SendQueue"].ref, AttributeNames=["All"])
    redrive = json.loads(send_queue["Attributes"]["RedrivePolicy"])
    assert redrive == {
        "deadLetterTargetArn": resources["SendDeadLetterQueue"].attributes["Arn"],
        "maxReceiveCount": 5,
    }
    assert send_queue["Attributes"]["VisibilityTimeout"] == "180"
    assert resources["SendQueue"].attributes["QueueName"] == "wachannel-local-SendQueue"
    aliases = {
        alias["AliasName"]: alias.get("TargetKeyId") for alias in clients.kms.list_aliases()["Aliases"]
    }
    assert aliases["alias/wachannel-local-api-keys"] == resources["ApiKeyEncryptionKey"].ref
    assert clients.kms.get_key_rotation_status(KeyId=resources["ApiKeyEncryptionKey"].ref)[
        "KeyRotationEnabled"
    ]
    buses = [bus["Name"] for bus in clients.events.list_event_buses()["EventBuses"]]
    assert "wachannel-local-events" in buses
    bucket = resources["MediaBucket"].ref
    assert clients.s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    encryption = clients.s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]
    assert encryption["Rules"][0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"


def test_a_generated_secret_follows_its_generate_secret_string(clients: AwsClients) -> None:
    resources = provision_resources(PROJECT_TEMPLATE, clients, parameter_values=LOCAL_PARAMETERS)

    secret = clients.secretsmanager.get_secret_value(SecretId=resources["CursorSigningSecret"].ref)[
        "SecretString"
    ]
    assert len(secret) == 48
    assert secret.isalnum()


def test_a_secret_from_a_json_template_gets_the_generated_key(clients: AwsClients) -> None:
    template = {
        "Resources": {
            "DatabaseSecret": {
                "Type": "AWS::SecretsManager::Secret",
                "Properties": {
                    "GenerateSecretString": {
                        "SecretStringTemplate": '{"username": "app"}',
                        "GenerateStringKey": "password",
                        "PasswordLength": 20,
                    }
                },
            }
        }
    }

    resources = provision_resources(template, clients, parameter_values={})

    document = json.loads(
        clients.secretsmanager.get_secret_value(SecretId=resources["DatabaseSecret"].ref)["SecretString"]
    )
    assert document["username"] == "app"
    assert len(document["password"]) == 20


def test_the_functions_environment_resolves_against_what_was_provisioned(clients: AwsClients) -> None:
    resources = provision_resources(PROJECT_TEMPLATE, clients, parameter_values=LOCAL_PARAMETERS)
    resolver = IntrinsicResolver(
        PROJECT_TEMPLATE,
        region="eu-central-1",
        stack_name="wachannel-local",
        parameter_values=LOCAL_PARAMETERS,
        resources=resources,
        dynamic_references=AwsDynamicReferences(clients),
    )
    functions = read_functions(PROJECT_TEMPLATE, ROOT, resolver, "wachannel-local")

    environment = function_environment(functions["ChannelsFunction"], resolver)

    cursor_secret = clients.secretsmanager.get_secret_value(SecretId=resources["CursorSigningSecret"].ref)
    assert (
        environment.items()
        >= {
            "POWERTOOLS_SERVICE_NAME": "wachannel",
            "TABLE_NAME": "wachannel-local-Table",
            "API_KEY_KMS_KEY_ID": resources["ApiKeyEncryptionKey"].attributes["Arn"],
            "CURSOR_SIGNING_KEY": cursor_secret["SecretString"],
            "WEBHOOK_BASE_URL": "http://127.0.0.1:3000",
            "DIALOG360_PARTNER_ID": "sim01PA",
            "DIALOG360_PARTNER_API_KEY_PARAMETER": "/wachannel/local/dialog360-partner-api-key",
        }.items()
    )
    assert functions["ChannelsFunction"].timeout_seconds == 29
    assert functions["DocsFunction"].memory_mb == 256


def test_an_ssm_dynamic_reference_reads_the_parameter(clients: AwsClients) -> None:
    clients.ssm.put_parameter(Name="/wachannel/local/key", Value="partner-key", Type="SecureString")

    assert (
        AwsDynamicReferences(clients).parameter_value("/wachannel/local/key", with_decryption=True)
        == "partner-key"
    )
