"""Reading template.yaml: short-form tags, and the intrinsic functions the local stack resolves."""

from pathlib import Path
from typing import Any

import pytest
import yaml

from infra.local.cfn import (
    CloudFormationLoader,
    IntrinsicResolver,
    PhysicalResource,
    TemplateError,
    load_template,
    referenced_resources,
    topological_order,
)
from tests.unit.support import ROOT

REGION = "eu-central-1"


def _yaml(text: str) -> Any:
    return yaml.load(text, Loader=CloudFormationLoader)  # noqa: S506 - a SafeLoader subclass


class FakeDynamicReferences:
    def __init__(self) -> None:
        self.secrets = {"arn:secret:cursor": "s3cret", "json-secret": '{"user": "ada", "password": "pw"}'}
        self.parameters = {"/app/partner-key": "partner-key-value", "plain": "plain-value"}

    def secret_string(self, secret_id: str) -> str:
        return self.secrets[secret_id]

    def parameter_value(self, name: str, *, with_decryption: bool) -> str:
        return self.parameters[name] + ("(decrypted)" if with_decryption else "")


def _resolver(
    template: dict[str, Any],
    parameter_values: dict[str, str] | None = None,
    resources: dict[str, PhysicalResource] | None = None,
) -> IntrinsicResolver:
    return IntrinsicResolver(
        template,
        region=REGION,
        stack_name="my-stack",
        parameter_values=parameter_values,
        resources=resources,
        dynamic_references=FakeDynamicReferences(),
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("!Ref Table", {"Ref": "Table"}),
        ("!Condition IsProd", {"Condition": "IsProd"}),
        ("!GetAtt Queue.Arn", {"Fn::GetAtt": ["Queue", "Arn"]}),
        ("!GetAtt [Queue, QueueName]", {"Fn::GetAtt": ["Queue", "QueueName"]}),
        ("!Sub ${AWS::StackName}-x", {"Fn::Sub": "${AWS::StackName}-x"}),
        ("!Sub ['a-${X}', {X: !Ref P}]", {"Fn::Sub": ["a-${X}", {"X": {"Ref": "P"}}]}),
        ("!If [C, 1, 2]", {"Fn::If": ["C", 1, 2]}),
        ("!Equals [!Ref P, '']", {"Fn::Equals": [{"Ref": "P"}, ""]}),
        ("!Not [!Condition C]", {"Fn::Not": [{"Condition": "C"}]}),
        ("!And [!Condition A, !Condition B]", {"Fn::And": [{"Condition": "A"}, {"Condition": "B"}]}),
        ("!Or [!Condition A, !Condition B]", {"Fn::Or": [{"Condition": "A"}, {"Condition": "B"}]}),
        ("!Select [0, !GetAZs '']", {"Fn::Select": [0, {"Fn::GetAZs": ""}]}),
        ("!Split [',', 'a,b']", {"Fn::Split": [",", "a,b"]}),
        ("!Join ['', [a, b]]", {"Fn::Join": ["", ["a", "b"]]}),
        ("!FindInMap [M, K, V]", {"Fn::FindInMap": ["M", "K", "V"]}),
        ("!ImportValue shared-vpc", {"Fn::ImportValue": "shared-vpc"}),
        ("!Base64 hello", {"Fn::Base64": "hello"}),
        ("!Cidr [10.0.0.0/16, 4, 8]", {"Fn::Cidr": ["10.0.0.0/16", 4, 8]}),
    ],
)
def test_short_form_tags_load_as_their_long_forms(text: str, expected: Any) -> None:
    assert _yaml(f"value: {text}") == {"value": expected}


def test_an_unknown_tag_is_an_error() -> None:
    with pytest.raises(yaml.constructor.ConstructorError, match="!Bogus"):
        _yaml("value: !Bogus x")


def test_dates_stay_strings_as_cloudformation_reads_them() -> None:
    assert _yaml("AWSTemplateFormatVersion: 2010-09-09") == {"AWSTemplateFormatVersion": "2010-09-09"}


def test_the_project_template_loads_with_its_functions_and_conditions() -> None:
    template = load_template(ROOT / "template.yaml")

    assert template["Resources"]["ChannelsFunction"]["Type"] == "AWS::Serverless::Function"
    assert template["Conditions"]["CreateUserPool"] == {"Fn::Equals": [{"Ref": "JwtIssuer"}, ""]}


def test_load_template_refuses_a_file_that_is_not_a_template(tmp_path: Path) -> None:
    not_a_template = tmp_path / "list.yaml"
    not_a_template.write_text("- a\n- b\n")

    with pytest.raises(TemplateError):
        load_template(not_a_template)


TEMPLATE: dict[str, Any] = _yaml(
    """
Parameters:
  Stage: {Type: String, Default: dev}
  Issuer: {Type: String, Default: ""}
  Audiences: {Type: CommaDelimitedList, Default: "a,b"}
Conditions:
  IsProd: !Equals [!Ref Stage, prod]
  HasIssuer: !Not [!Equals [!Ref Issuer, ""]]
  ProdWithIssuer: !And [!Condition IsProd, !Condition HasIssuer]
  ProdOrIssuer: !Or [!Condition IsProd, !Condition HasIssuer]
Mappings:
  Sizes: {dev: {memory: 128}}
Resources:
  Queue: {Type: AWS::SQS::Queue}
"""
)
QUEUE = PhysicalResource(
    ref="http://moto/123456789012/q",
    attributes={
        "Arn": "arn:aws:sqs:eu-central-1:123456789012:q",
        "QueueName": "q",
        "QueueUrl": "http://moto/q",
    },
)


def test_ref_gives_given_parameters_then_defaults_then_resources_then_pseudo_parameters() -> None:
    resolver = _resolver(TEMPLATE, {"Stage": "prod"}, {"Queue": QUEUE})

    assert resolver.resolve({"Ref": "Stage"}) == "prod"
    assert resolver.resolve({"Ref": "Issuer"}) == ""
    assert resolver.resolve({"Ref": "Audiences"}) == ["a", "b"]
    assert resolver.resolve({"Ref": "Queue"}) == QUEUE.ref
    assert resolver.resolve({"Ref": "AWS::Region"}) == REGION
    assert resolver.resolve({"Ref": "AWS::AccountId"}) == "123456789012"


def test_ref_to_something_unknown_fails_loudly() -> None:
    with pytest.raises(TemplateError, match="Missing"):
        _resolver(TEMPLATE).resolve({"Ref": "Missing"})


def test_a_value_for_an_undeclared_parameter_is_refused() -> None:
    with pytest.raises(TemplateError, match="Typo"):
        _resolver(TEMPLATE, {"Typo": "x"})


def test_get_att_reads_provisioned_attributes_in_both_forms() -> None:
    resolver = _resolver(TEMPLATE, resources={"Queue": QUEUE})

    assert resolver.resolve({"Fn::GetAtt": ["Queue", "Arn"]}) == QUEUE.attributes["Arn"]
    assert resolver.resolve({"Fn::GetAtt": "Queue.QueueName"}) == "q"
    with pytest.raises(TemplateError, match=r"Queue\.Nope"):
        resolver.resolve({"Fn::GetAtt": ["Queue", "Nope"]})


def test_sub_fills_pseudo_parameters_parameters_resources_attributes_and_variables() -> None:
    resolver = _resolver(TEMPLATE, resources={"Queue": QUEUE})

    assert (
        resolver.resolve(
            {"Fn::Sub": "arn:${AWS::Partition}:x:${AWS::Region}:${AWS::AccountId}:${AWS::StackName}/${Stage}"}
        )
        == "arn:aws:x:eu-central-1:123456789012:my-stack/dev"
    )
    assert (
        resolver.resolve({"Fn::Sub": "${Queue}|${Queue.QueueName}|${!Literal}"})
        == f"{QUEUE.ref}|q|${{Literal}}"
    )
    assert (
        resolver.resolve({"Fn::Sub": ["${Name}-${Stage}", {"Name": {"Ref": "Queue"}}]}) == f"{QUEUE.ref}-dev"
    )


@pytest.mark.parametrize(
    ("parameters", "expected"),
    [
        ({}, {"IsProd": False, "HasIssuer": False, "ProdWithIssuer": False, "ProdOrIssuer": False}),
        (
            {"Stage": "prod"},
            {"IsProd": True, "HasIssuer": False, "ProdWithIssuer": False, "ProdOrIssuer": True},
        ),
        (
            {"Stage": "prod", "Issuer": "https://id"},
            {"IsProd": True, "HasIssuer": True, "ProdWithIssuer": True, "ProdOrIssuer": True},
        ),
    ],
)
def test_conditions_evaluate_from_parameter_values(
    parameters: dict[str, str], expected: dict[str, bool]
) -> None:
    resolver = _resolver(TEMPLATE, parameters)

    assert {name: resolver.condition(name) for name in expected} == expected


def test_if_resolves_only_the_branch_its_condition_chooses() -> None:
    value = {"Fn::If": ["HasIssuer", {"Ref": "Issuer"}, {"Fn::Sub": "https://cognito/${UserPool}"}]}

    assert _resolver(TEMPLATE, {"Issuer": "https://id"}).resolve(value) == "https://id"
    with pytest.raises(TemplateError, match="UserPool"):
        _resolver(TEMPLATE).resolve(value)


def test_no_value_removes_the_property_or_item() -> None:
    value = {
        "Keep": 1,
        "Drop": {"Fn::If": ["IsProd", "x", {"Ref": "AWS::NoValue"}]},
        "List": ["a", {"Ref": "AWS::NoValue"}],
    }

    assert _resolver(TEMPLATE).resolve(value) == {"Keep": 1, "List": ["a"]}


def test_join_select_split_and_find_in_map() -> None:
    resolver = _resolver(TEMPLATE)

    assert resolver.resolve({"Fn::Join": [",", [{"Ref": "Stage"}, "x"]]}) == "dev,x"
    assert resolver.resolve({"Fn::Join": ["+", {"Ref": "Audiences"}]}) == "a+b"
    assert resolver.resolve({"Fn::Select": [1, {"Ref": "Audiences"}]}) == "b"
    assert resolver.resolve({"Fn::Select": ["0", {"Fn::Split": ["/", "p/q"]}]}) == "p"
    assert resolver.resolve({"Fn::FindInMap": ["Sizes", {"Ref": "Stage"}, "memory"]}) == 128


def test_a_condition_inside_a_policy_statement_is_data_not_a_function() -> None:
    statement = {"Condition": {"Bool": {"aws:SecureTransport": "false"}}}

    assert _resolver(TEMPLATE).resolve(statement) == statement


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{{resolve:secretsmanager:arn:secret:cursor:SecretString}}", "s3cret"),
        ("{{resolve:secretsmanager:json-secret:SecretString:password}}", "pw"),
        ("{{resolve:secretsmanager:json-secret:SecretString:user::}}", "ada"),
        ("key={{resolve:ssm:plain}}", "key=plain-value"),
        ("{{resolve:ssm:plain:3}}", "plain-value"),
        ("{{resolve:ssm-secure:/app/partner-key}}", "partner-key-value(decrypted)"),
    ],
)
def test_dynamic_references_resolve_against_the_local_services(text: str, expected: str) -> None:
    assert _resolver(TEMPLATE).resolve(text) == expected


def test_dynamic_references_inside_sub_resolve_after_substitution() -> None:
    resolver = _resolver(TEMPLATE, resources={"Secret": PhysicalResource(ref="arn:secret:cursor")})

    assert resolver.resolve({"Fn::Sub": "{{resolve:secretsmanager:${Secret}:SecretString}}"}) == "s3cret"


def test_referenced_resources_follow_ref_get_att_and_sub_but_not_sub_variables() -> None:
    definition = {
        "A": {"Ref": "Table"},
        "B": {"Fn::GetAtt": "Queue.Arn"},
        "C": {"Fn::Sub": ["${Bucket}/${Var}/${!Skip}", {"Var": {"Ref": "Key"}}]},
    }

    assert referenced_resources(definition) == {"Table", "Queue", "Bucket", "Key"}


def test_topological_order_puts_dependencies_first_and_refuses_cycles() -> None:
    order = topological_order(
        {"Queue": {"DeadLetters"}, "DeadLetters": set(), "Alias": {"Key", "AWS::Region"}, "Key": set()}
    )

    assert order.index("DeadLetters") < order.index("Queue")
    assert order.index("Key") < order.index("Alias")
    with pytest.raises(TemplateError, match="circular"):
        topological_order({"A": {"B"}, "B": {"A"}})
