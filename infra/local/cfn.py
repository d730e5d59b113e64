"""Reads template.yaml as CloudFormation does: short-form tags, intrinsic functions, dynamic references."""

import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import yaml

LOCAL_ACCOUNT_ID = "123456789012"
"""moto's default account: ARNs it returns carry this id, so `${AWS::AccountId}` must too."""

_SCALAR_ONLY_TAGS = {"Ref", "Condition"}
_SHORT_FORM_TAGS = (
    "Ref",
    "Condition",
    "Sub",
    "GetAtt",
    "If",
    "Equals",
    "Not",
    "And",
    "Or",
    "Select",
    "Split",
    "Join",
    "FindInMap",
    "ImportValue",
    "Base64",
    "GetAZs",
    "Cidr",
)
_SUB_PLACEHOLDER = re.compile(r"\$\{([^}]+)\}")
_DYNAMIC_REFERENCE = re.compile(r"\{\{resolve:(?P<service>[a-z-]+):(?P<reference>[^}]+)\}\}")


class TemplateError(Exception):
    """The template asks for something this resolver cannot provide; the message says what and where."""


class CloudFormationLoader(yaml.SafeLoader):
    """A YAML loader reading `!Ref X` as `{"Ref": "X"}`, `!GetAtt A.B` as `{"Fn::GetAtt": ["A", "B"]}`...

    Dates stay strings, as CloudFormation reads them.
    """


CloudFormationLoader.yaml_implicit_resolvers = {
    first_char: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first_char, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _long_form_key(tag_name: str) -> str:
    return tag_name if tag_name in _SCALAR_ONLY_TAGS else f"Fn::{tag_name}"


def _construct_short_form(loader: yaml.SafeLoader, tag_suffix: str, node: yaml.Node) -> dict[str, Any]:
    if tag_suffix not in _SHORT_FORM_TAGS:
        raise yaml.constructor.ConstructorError(None, None, f"unknown tag !{tag_suffix}", node.start_mark)
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    elif isinstance(node, yaml.MappingNode):
        value = loader.construct_mapping(node, deep=True)
    else:
        raise yaml.constructor.ConstructorError(
            None, None, f"unexpected node for !{tag_suffix}", node.start_mark
        )
    if tag_suffix == "GetAtt" and isinstance(value, str):
        resource, _, attribute = value.partition(".")
        value = [resource, attribute]
    return {_long_form_key(tag_suffix): value}


CloudFormationLoader.add_multi_constructor("!", _construct_short_form)


def load_template(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as template_file:
        template = yaml.load(template_file, Loader=CloudFormationLoader)  # noqa: S506 - a SafeLoader subclass
    if not isinstance(template, dict):
        raise TemplateError(f"{path} is not a CloudFormation template")
    return template


def resources_of_type(template: Mapping[str, Any], resource_type: str) -> dict[str, dict[str, Any]]:
    """Logical id -> resource definition, for every resource of one type, in template order."""
    resources: Mapping[str, Any] = template.get("Resources", {})
    return {
        logical_id: definition
        for logical_id, definition in resources.items()
        if definition.get("Type") == resource_type
    }


@dataclass(frozen=True)
class PhysicalResource:
    """What provisioning made of one template resource: the value of `!Ref` and of each `!GetAtt`."""

    ref: str
    attributes: Mapping[str, str] = field(default_factory=dict)


class DynamicReferenceSource(Protocol):
    """Where `{{resolve:...}}` references are looked up: the local AWS services."""

    def secret_string(self, secret_id: str) -> str: ...

    def parameter_value(self, name: str, *, with_decryption: bool) -> str: ...


class _NoValue:
    """`!Ref AWS::NoValue`: the property or list item it stands for disappears."""


NO_VALUE = _NoValue()


def referenced_resources(value: Any) -> set[str]:
    """Every logical id that `value` names through Ref, Fn::GetAtt or Fn::Sub (parameters included)."""
    names: set[str] = set()
    if isinstance(value, list):
        for item in value:
            names |= referenced_resources(item)
    elif isinstance(value, dict):
        if len(value) == 1:
            ((function, argument),) = value.items()
            if function == "Ref" and isinstance(argument, str):
                return {argument}
            if function == "Fn::GetAtt":
                resource = argument[0] if isinstance(argument, list) else str(argument).partition(".")[0]
                return {resource}
            if function == "Fn::Sub":
                template_string, variables = argument if isinstance(argument, list) else (argument, {})
                placeholders = {
                    placeholder.partition(".")[0]
                    for placeholder in _SUB_PLACEHOLDER.findall(template_string)
                    if not placeholder.startswith("!")
                }
                return (placeholders - set(variables)) | referenced_resources(list(variables.values()))
        for item in value.values():
            names |= referenced_resources(item)
    return names


class IntrinsicResolver:
    """Evaluates intrinsic functions against parameter values and provisioned resources.

    `resources` is read at each call, so a provisioner may keep adding to the mapping it passed in.
    """

    def __init__(
        self,
        template: Mapping[str, Any],
        *,
        region: str,
        stack_name: str,
        parameter_values: Mapping[str, str] | None = None,
        resources: Mapping[str, PhysicalResource] | None = None,
        dynamic_references: DynamicReferenceSource | None = None,
        account_id: str = LOCAL_ACCOUNT_ID,
    ) -> None:
        self._template = template
        self._resources: Mapping[str, PhysicalResource] = resources if resources is not None else {}
        self._dynamic_references = dynamic_references
        self._pseudo_parameters: dict[str, str] = {
            "AWS::Region": region,
            "AWS::AccountId": account_id,
            "AWS::StackName": stack_name,
            "AWS::StackId": (
                f"arn:aws:cloudformation:{region}:{account_id}:stack/{stack_name}/00000000-0000-0000-0000-000000000000"
            ),
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
        }
        self._parameters = self._parameter_values(parameter_values or {})
        self._condition_cache: dict[str, bool] = {}

    def _parameter_values(self, given: Mapping[str, str]) -> dict[str, str | list[str]]:
        declared: Mapping[str, Any] = self._template.get("Parameters", {})
        unknown = set(given) - set(declared)
        if unknown:
            raise TemplateError(
                f"values given for parameters the template does not declare: {sorted(unknown)}"
            )
        values: dict[str, str | list[str]] = {}
        for name, declaration in declared.items():
            if name in given:
                raw = given[name]
            elif "Default" in declaration:
                raw = str(declaration["Default"])
            else:
                raise TemplateError(f"parameter {name} has no default and no value was given")
            is_list = declaration.get("Type") == "CommaDelimitedList"
            values[name] = [item.strip() for item in raw.split(",")] if is_list else raw
        return values

    def condition(self, name: str) -> bool:
        if name not in self._condition_cache:
            conditions: Mapping[str, Any] = self._template.get("Conditions", {})
            if name not in conditions:
                raise TemplateError(f"unknown condition {name}")
            self._condition_cache[name] = self._evaluate_condition(conditions[name])
        return self._condition_cache[name]

    def is_created(self, resource: Mapping[str, Any]) -> bool:
        """Whether a resource exists in this stack, given its `Condition`."""
        condition = resource.get("Condition")
        return condition is None or self.condition(condition)

    def _evaluate_condition(self, expression: Any) -> bool:
        if not isinstance(expression, dict) or len(expression) != 1:
            raise TemplateError(f"not a condition expression: {expression!r}")
        ((function, argument),) = expression.items()
        if function == "Condition":
            return self.condition(argument)
        if function == "Fn::Equals":
            left, right = (self.resolve(item) for item in argument)
            return bool(left == right)
        if function == "Fn::Not":
            return not self._evaluate_condition(argument[0])
        if function == "Fn::And":
            return all(self._evaluate_condition(item) for item in argument)
        if function == "Fn::Or":
            return any(self._evaluate_condition(item) for item in argument)
        raise TemplateError(f"unsupported condition function {function}")

    def resolve(self, value: Any) -> Any:
        """`value` with every intrinsic function evaluated and `AWS::NoValue` removed."""
        if isinstance(value, list):
            return [item for item in (self.resolve(item) for item in value) if item is not NO_VALUE]
        if isinstance(value, dict):
            if len(value) == 1:
                ((key, argument),) = value.items()
                function = self._functions().get(key)
                is_condition_in_a_policy = key == "Condition" and not isinstance(argument, str)
                if function is not None and not is_condition_in_a_policy:
                    return function(argument)
            resolved = {key: self.resolve(item) for key, item in value.items()}
            return {key: item for key, item in resolved.items() if item is not NO_VALUE}
        if isinstance(value, str):
            return self._resolve_dynamic_references(value)
        return value

    def resolve_string(self, value: Any, what: str) -> str:
        resolved = self.resolve(value)
        if isinstance(resolved, bool):
            return str(resolved).lower()
        if isinstance(resolved, int | float):
            return str(resolved)
        if not isinstance(resolved, str):
            raise TemplateError(f"{what} resolves to {resolved!r}, not a string")
        return resolved

    def _functions(self) -> dict[str, Callable[[Any], Any]]:
        return {
            "Ref": self._ref,
            "Fn::GetAtt": self._get_att,
            "Fn::Sub": self._sub,
            "Fn::If": self._if,
            "Fn::Join": self._join,
            "Fn::Select": self._select,
            "Fn::Split": self._split,
            "Fn::FindInMap": self._find_in_map,
            "Condition": self.condition,
        }

    def _ref(self, name: str) -> Any:
        if name == "AWS::NoValue":
            return NO_VALUE
        if name in self._pseudo_parameters:
            return self._pseudo_parameters[name]
        if name in self._parameters:
            return self._parameters[name]
        if name in self._resources:
            return self._resources[name].ref
        raise TemplateError(f"!Ref {name}: neither a parameter nor a provisioned resource")

    def _get_att(self, argument: Any) -> str:
        if isinstance(argument, str):
            resource, _, attribute = argument.partition(".")
        else:
            resource, attribute = argument[0], self.resolve(argument[1])
        provisioned = self._resources.get(resource)
        if provisioned is None:
            raise TemplateError(f"!GetAtt {resource}.{attribute}: {resource} is not a provisioned resource")
        if attribute not in provisioned.attributes:
            raise TemplateError(f"!GetAtt {resource}.{attribute}: no such attribute locally")
        return provisioned.attributes[attribute]

    def _sub(self, argument: Any) -> str:
        if isinstance(argument, list):
            template_string, variables = (
                argument[0],
                {
                    name: self.resolve_string(value, f"!Sub variable {name}")
                    for name, value in argument[1].items()
                },
            )
        else:
            template_string, variables = argument, {}

        def substitute(match: re.Match[str]) -> str:
            placeholder = match.group(1)
            if placeholder.startswith("!"):
                return "${" + placeholder[1:] + "}"
            if placeholder in variables:
                return variables[placeholder]
            if "." in placeholder:
                return self._get_att(placeholder)
            return self.resolve_string({"Ref": placeholder}, f"${{{placeholder}}}")

        return self._resolve_dynamic_references(_SUB_PLACEHOLDER.sub(substitute, template_string))

    def _if(self, argument: list[Any]) -> Any:
        condition, if_true, if_false = argument
        return self.resolve(if_true if self.condition(condition) else if_false)

    def _join(self, argument: list[Any]) -> str:
        delimiter, items = argument
        return str(delimiter).join(self.resolve_string(item, "!Join item") for item in self._list(items))

    def _select(self, argument: list[Any]) -> Any:
        index, items = argument
        return self._list(items)[int(self.resolve(index))]

    def _split(self, argument: list[Any]) -> list[str]:
        delimiter, source = argument
        return self.resolve_string(source, "!Split source").split(delimiter)

    def _find_in_map(self, argument: list[Any]) -> Any:
        map_name, top_key, second_key = (self.resolve_string(item, "!FindInMap key") for item in argument)
        try:
            return self._template["Mappings"][map_name][top_key][second_key]
        except KeyError as missing:
            raise TemplateError(f"!FindInMap {map_name}.{top_key}.{second_key}: no such entry") from missing

    def _list(self, value: Any) -> list[Any]:
        resolved = self.resolve(value)
        if not isinstance(resolved, list):
            raise TemplateError(f"expected a list, got {resolved!r}")
        return resolved

    def _resolve_dynamic_references(self, text: str) -> str:
        if "{{resolve:" not in text:
            return text
        return _DYNAMIC_REFERENCE.sub(
            lambda match: self._dynamic_reference(match["service"], match["reference"]), text
        )

    def _dynamic_reference(self, service: str, reference: str) -> str:
        source = self._dynamic_references
        if source is None:
            raise TemplateError(f"{{{{resolve:{service}:...}}}} needs the local AWS services")
        if service == "secretsmanager":
            return _secret_reference(source, reference)
        if service in {"ssm", "ssm-secure"}:
            name = reference.rsplit(":", 1)[0] if reference.rsplit(":", 1)[-1].isdigit() else reference
            return source.parameter_value(name, with_decryption=service == "ssm-secure")
        raise TemplateError(f"unsupported dynamic reference service {service}")


def _secret_reference(source: DynamicReferenceSource, reference: str) -> str:
    """`secret-id:SecretString[:json-key[:version-stage[:version-id]]]`; the secret id may be an ARN."""
    secret_id, separator, rest = reference.partition(":SecretString")
    if not separator:
        raise TemplateError(f"{{{{resolve:secretsmanager:{reference}}}}}: only SecretString is supported")
    secret_string = source.secret_string(secret_id)
    json_key = rest.lstrip(":").split(":", 1)[0]
    if not json_key:
        return secret_string
    value = json.loads(secret_string).get(json_key)
    if value is None:
        raise TemplateError(f"secret {secret_id} has no key {json_key}")
    return str(value)


def topological_order(dependencies: Mapping[str, Iterable[str]]) -> list[str]:
    """Names ordered so that each comes after everything it depends on; fails on a cycle."""
    ordered: list[str] = []
    state: dict[str, str] = {}

    def visit(name: str) -> None:
        if state.get(name) == "done":
            return
        if state.get(name) == "visiting":
            raise TemplateError(f"circular dependency through {name}")
        state[name] = "visiting"
        for dependency in dependencies.get(name, ()):
            if dependency in dependencies:
                visit(dependency)
        state[name] = "done"
        ordered.append(name)

    for name in dependencies:
        visit(name)
    return ordered
