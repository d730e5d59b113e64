"""template.yaml's identity resources, resolved as CloudFormation would for the parameters a deployer gives:
who may create users, which attributes a client may write, and the console's hosted sign-in."""

import json
import re
from pathlib import Path
from typing import Any

import pytest

from infra.local.cfn import IntrinsicResolver, PhysicalResource, load_template

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = load_template(ROOT / "template.yaml")
CONSOLE_URL = "https://console.example.com/console/"
REGION = "eu-central-1"
PROVISIONED = {
    "HttpApi": PhysicalResource("abc123"),
    "UserPool": PhysicalResource(f"{REGION}_Pool1"),
    "UserPoolClient": PhysicalResource("client1"),
    "UserPoolDomain": PhysicalResource("acme-sign-in"),
}


def resolver(**parameter_values: str) -> IntrinsicResolver:
    return IntrinsicResolver(
        TEMPLATE,
        region=REGION,
        stack_name="wachannel",
        parameter_values=parameter_values,
        resources=PROVISIONED,
    )


def resource(name: str, stack: IntrinsicResolver) -> dict[str, Any] | None:
    definition = TEMPLATE["Resources"][name]
    if not stack.is_created(definition):
        return None
    properties: dict[str, Any] = stack.resolve(definition["Properties"])
    return properties


def console_config(stack: IntrinsicResolver) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(stack.resolve(TEMPLATE["Outputs"]["ConsoleConfig"]["Value"]))
    return document


def test_only_an_administrator_creates_users_since_the_workspace_is_an_attribute() -> None:
    pool = resource("UserPool", resolver())

    assert pool is not None
    assert pool["AdminCreateUserConfig"] == {"AllowAdminCreateUserOnly": True}
    workspace = next(attribute for attribute in pool["Schema"] if attribute["Name"] == "workspace_id")
    assert workspace["Mutable"] is False


@pytest.mark.parametrize("console_url", ["", CONSOLE_URL])
def test_the_client_cannot_write_the_workspace(console_url: str) -> None:
    client = resource("UserPoolClient", resolver(ConsoleUrl=console_url))

    assert client is not None
    assert client["WriteAttributes"] == ["email"]
    assert "custom:workspace_id" in client["ReadAttributes"]
    assert client.get("GenerateSecret") is False


def test_without_a_console_url_there_is_no_hosted_sign_in() -> None:
    stack = resolver()
    client = resource("UserPoolClient", stack)

    assert client is not None
    assert not {"AllowedOAuthFlows", "CallbackURLs", "LogoutURLs"} & set(client)
    assert resource("UserPoolDomain", stack) is None
    assert console_config(stack) == {"api_url": f"https://abc123.execute-api.{REGION}.amazonaws.com"}


def test_a_console_url_turns_on_the_hosted_sign_in_with_pkce_and_no_secret() -> None:
    stack = resolver(ConsoleUrl=CONSOLE_URL)
    client = resource("UserPoolClient", stack)

    assert client is not None
    assert client["AllowedOAuthFlowsUserPoolClient"] is True
    assert client["AllowedOAuthFlows"] == ["code"]
    assert set(client["AllowedOAuthScopes"]) == {"openid", "email", "profile"}
    assert client["CallbackURLs"] == [f"{CONSOLE_URL}sign-in/callback"]
    assert client["LogoutURLs"] == [f"{CONSOLE_URL}sign-in"]
    assert client["SupportedIdentityProviders"] == ["COGNITO"]


def test_the_console_has_the_routes_the_hosted_sign_in_returns_to() -> None:
    routes = (ROOT / "console" / "src" / "routes.tsx").read_text(encoding="utf-8")

    assert re.search(r'path: "/sign-in/callback",[^}]*public: true', routes)
    assert re.search(r'path: "/sign-in",[^}]*public: true', routes)


def test_the_domain_prefix_defaults_to_one_unique_to_the_stack() -> None:
    domain = resource("UserPoolDomain", resolver(ConsoleUrl=CONSOLE_URL))

    assert domain is not None
    assert domain["Domain"] == "wachannel-00000000-0000-0000-0000-000000000000"
    assert re.fullmatch(TEMPLATE["Parameters"]["SignInDomainPrefix"]["AllowedPattern"], domain["Domain"])


def test_a_given_domain_prefix_is_used() -> None:
    domain = resource("UserPoolDomain", resolver(ConsoleUrl=CONSOLE_URL, SignInDomainPrefix="acme-sign-in"))

    assert domain is not None
    assert domain["Domain"] == "acme-sign-in"


def test_the_console_config_output_names_the_api_and_the_hosted_sign_in() -> None:
    config = console_config(resolver(ConsoleUrl=CONSOLE_URL))

    sign_in = f"https://acme-sign-in.auth.{REGION}.amazoncognito.com"
    assert config == {
        "api_url": f"https://abc123.execute-api.{REGION}.amazonaws.com",
        "oidc": {
            "name": "Cognito",
            "issuer": f"https://cognito-idp.{REGION}.amazonaws.com/{REGION}_Pool1",
            "client_id": "client1",
            "authorization_endpoint": f"{sign_in}/oauth2/authorize",
            "token_endpoint": f"{sign_in}/oauth2/token",
            "end_session_endpoint": f"{sign_in}/logout",
        },
    }


def test_the_console_config_issuer_is_the_one_the_authorizer_trusts() -> None:
    stack = resolver(ConsoleUrl=CONSOLE_URL)
    authorizer = stack.resolve(
        TEMPLATE["Resources"]["HttpApi"]["Properties"]["Auth"]["Authorizers"]["WorkspaceJwt"]
    )

    oidc = console_config(stack)["oidc"]
    assert authorizer["JwtConfiguration"]["issuer"] == oidc["issuer"]
    assert authorizer["JwtConfiguration"]["audience"] == [oidc["client_id"]]


@pytest.mark.parametrize(
    ("console_url", "allowed"),
    [
        (CONSOLE_URL, True),
        ("https://console.example.com/", True),
        ("http://localhost:5173/console/", True),
        ("https://console.example.com/console", False),
        ("http://console.example.com/", False),
        ("https://console.example.com/?next=/", False),
    ],
)
def test_the_console_url_must_be_a_folder_cognito_accepts(console_url: str, allowed: bool) -> None:
    pattern = TEMPLATE["Parameters"]["ConsoleUrl"]["AllowedPattern"]

    assert bool(re.fullmatch(pattern, console_url)) is allowed
