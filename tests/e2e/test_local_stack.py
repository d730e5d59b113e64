"""The local stack as a developer meets it: it starts, says where it listens, guards its API like AWS."""

import base64
import hashlib
import json
import os
import secrets
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import jwt
import pytest

from infra.local.facts import STACK_FACTS_FILE
from infra.local.jwt_issuer import LocalJwtIssuer
from infra.local.process import LocalStackProcess, free_port, start_local_stack_process
from infra.local.stack import REPO_ROOT
from tests.html_forms import FormInputs

UNAUTHORIZED = {"message": "Unauthorized"}


@pytest.fixture
def api(stack: LocalStackProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=stack.api_url, timeout=30) as client:
        yield client


def test_stack_json_says_where_everything_listens(stack: LocalStackProcess) -> None:
    facts_path = stack.state_dir / STACK_FACTS_FILE
    document = json.loads(facts_path.read_text())

    assert document["api_url"] == stack.api_url
    assert document["webhook_base_url"] == f"{stack.api_url}/webhooks/360dialog"
    assert document["simulator_url"].startswith("http://127.0.0.1:")
    assert document["jwt_issuer"] == f"{stack.api_url}/local-issuer"
    assert document["jwt_audience"] == "wachannel-local"
    assert document["partner_id"] == "sim01PA"
    assert document["pid"] == stack.process.pid
    assert {token["workspace_id"] for token in document["tokens"]} == {"ws_local_dev", "ws_local_other"}
    assert sorted(number["api_generation"] for number in document["numbers"]) == ["cloud", "on_premise"]
    assert all(number["api_key"] and number["phone_number"].isdigit() for number in document["numbers"])
    assert facts_path.stat().st_mode & 0o777 == 0o600


def test_the_dev_tokens_are_valid_for_twelve_hours_and_name_their_workspace(stack: LocalStackProcess) -> None:
    for workspace, token in stack.tokens.items():
        claims = jwt.decode(token, options={"verify_signature": False})
        assert claims["workspace_id"] == workspace
        assert claims["sub"] == "dev-user"
        assert 12 * 3600 - 120 <= claims["exp"] - time.time() <= 12 * 3600


def test_an_unknown_path_is_api_gateway_404(api: httpx.Client) -> None:
    response = api.get("/no/such/route")

    assert response.status_code == 404
    assert response.json() == {"message": "Not Found"}


def test_a_protected_route_without_a_token_is_api_gateway_401(api: httpx.Client) -> None:
    response = api.get("/channels")

    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED
    assert response.headers["www-authenticate"] == "Bearer"


def test_a_dev_token_reaches_the_handler(api: httpx.Client, stack: LocalStackProcess) -> None:
    response = api.get("/channels", headers={"Authorization": f"Bearer {stack.tokens['ws_local_dev']}"})

    assert response.status_code == 200
    assert response.headers["apigw-requestid"]
    assert "items" in response.json()


def test_a_valid_token_without_workspace_reaches_the_handler_which_refuses_it(
    api: httpx.Client, stack: LocalStackProcess
) -> None:
    response = api.get(
        "/channels", headers={"Authorization": f"Bearer {stack.issuer.mint(None, 'dev-user')}"}
    )

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"


def _foreign_issuer(stack: LocalStackProcess, key_id: str) -> LocalJwtIssuer:
    return LocalJwtIssuer.generate(stack.issuer.issuer, stack.issuer.audience, key_id=key_id)


BAD_TOKENS: dict[str, Callable[[LocalStackProcess], str]] = {
    "wrong signature": lambda stack: _foreign_issuer(stack, stack.issuer.key_id).mint("ws_local_dev", "u"),
    "unknown key id": lambda stack: _foreign_issuer(stack, "not-the-stack-kid").mint("ws_local_dev", "u"),
    "wrong issuer": lambda stack: stack.issuer.mint("ws_local_dev", "u", issuer="https://evil.example"),
    "wrong audience": lambda stack: stack.issuer.mint("ws_local_dev", "u", audience="another-app"),
    "expired": lambda stack: stack.issuer.mint("ws_local_dev", "u", expires_in=timedelta(minutes=-5)),
    "not yet valid": lambda stack: stack.issuer.mint("ws_local_dev", "u", not_before=int(time.time()) + 600),
    "alg none": lambda stack: jwt.encode(
        {"iss": stack.issuer.issuer, "aud": stack.issuer.audience, "workspace_id": "ws_local_dev"}
        | {"exp": int(time.time()) + 600},
        "",
        algorithm="none",
    ),
    "HS256 signed": lambda stack: jwt.encode(
        {"iss": stack.issuer.issuer, "aud": stack.issuer.audience, "exp": int(time.time()) + 600},
        "a-shared-secret-of-32-bytes-min!",
        algorithm="HS256",
        headers={"kid": stack.issuer.key_id},
    ),
    "not a JWT": lambda stack: "definitely-not-a-jwt",
}


@pytest.mark.parametrize("kind", BAD_TOKENS)
def test_every_bad_token_is_api_gateway_401(api: httpx.Client, stack: LocalStackProcess, kind: str) -> None:
    response = api.get("/channels", headers={"Authorization": f"Bearer {BAD_TOKENS[kind](stack)}"})

    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED


def test_the_gateway_publishes_the_issuer_keys(api: httpx.Client, stack: LocalStackProcess) -> None:
    configuration = api.get("/local-issuer/.well-known/openid-configuration").json()
    jwks = httpx.get(configuration["jwks_uri"]).json()

    assert configuration["issuer"] == stack.issuer.issuer
    assert [key["kid"] for key in jwks["keys"]] == [stack.issuer.key_id]


def test_the_hosted_sign_in_gives_tokens_the_api_accepts(api: httpx.Client, stack: LocalStackProcess) -> None:
    configuration = api.get("/local-issuer/.well-known/openid-configuration").json()
    verifier = secrets.token_urlsafe(32)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    redirect_uri = f"{stack.api_url}/console/sign-in/callback"
    page = httpx.get(
        configuration["authorization_endpoint"],
        params={
            "response_type": "code",
            "client_id": stack.issuer.audience,
            "redirect_uri": redirect_uri,
            "scope": "openid email profile",
            "state": "e2e-state",
            "nonce": "e2e-nonce",
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        },
    )
    form = FormInputs(page.text)
    signed_in = api.post(
        form.action, data=form.fields | {"action": "sign_in", "email": "e2e@wachannel.local"}
    )
    location = signed_in.headers["location"]
    answer = parse_qs(urlsplit(location).query)
    tokens = httpx.post(
        configuration["token_endpoint"],
        data={
            "grant_type": "authorization_code",
            "client_id": stack.issuer.audience,
            "code": answer["code"][0],
            "redirect_uri": redirect_uri,
            "code_verifier": verifier,
        },
    ).json()

    assert page.status_code == 200
    assert signed_in.status_code == 303
    assert location.startswith(redirect_uri + "?code=")
    assert answer["state"] == ["e2e-state"]
    for token_use in ("id_token", "access_token"):
        channels = api.get("/channels", headers={"Authorization": f"Bearer {tokens[token_use]}"})
        assert channels.status_code == 200, token_use
        assert "items" in channels.json()
    assert (
        jwt.decode(tokens["id_token"], options={"verify_signature": False})["workspace_id"] == "ws_local_dev"
    )
    log = stack.log_path.read_text()
    secrets_of_the_flow = (answer["code"][0], verifier, tokens["id_token"], tokens["access_token"])
    assert [secret for secret in secrets_of_the_flow if secret in log] == []


HEALTH_PATHS = {"cloud": "/health_status", "on_premise": "/v1/health"}


def test_the_simulator_knows_the_printed_numbers_by_their_keys(stack: LocalStackProcess) -> None:
    for number in stack.numbers:
        health_url = stack.simulator_url + HEALTH_PATHS[number.api_generation]
        response = httpx.get(health_url, headers={"D360-API-KEY": number.api_key})
        assert response.status_code == 200, number.api_generation

    refused = httpx.get(f"{stack.simulator_url}/health_status", headers={"D360-API-KEY": "not-a-key"})
    assert refused.status_code == 401


def test_the_log_holds_no_token_or_key(stack: LocalStackProcess, api: httpx.Client) -> None:
    api.get("/channels", headers={"Authorization": f"Bearer {stack.tokens['ws_local_dev']}"})
    log = stack.log_path.read_text()

    assert "local stack is up" in log
    secrets = [
        *stack.tokens.values(),
        *(number.api_key for number in stack.numbers),
        stack.facts.partner_api_key,
    ]
    assert [secret for secret in secrets if secret in log] == []


def test_sigterm_stops_a_second_stack_cleanly_beside_the_first(
    stack: LocalStackProcess, tmp_path_factory: pytest.TempPathFactory
) -> None:
    state_dir = tmp_path_factory.mktemp("second-stack")
    second = start_local_stack_process(state_dir, state_dir / "stack.log")
    assert second.api_url != stack.api_url
    assert httpx.get(f"{second.api_url}/nope").status_code == 404

    exit_code = second.stop()

    assert exit_code == 0
    assert not (state_dir / STACK_FACTS_FILE).exists()
    assert not list(state_dir.glob("*.pem"))
    assert httpx.get(f"{stack.api_url}/nope").status_code == 404


def test_a_second_stack_on_the_same_state_dir_is_refused_and_leaves_the_first_alone(
    stack: LocalStackProcess, api: httpx.Client
) -> None:
    environment = os.environ | {
        "WACHANNEL_STATE_DIR": str(stack.state_dir),
        "WACHANNEL_GATEWAY_PORT": str(free_port()),
        "WACHANNEL_SIMULATOR_PORT": str(free_port()),
        "WACHANNEL_MOTO_PORT": str(free_port()),
    }

    refused = subprocess.run(
        [sys.executable, "-m", "infra.local"],
        cwd=REPO_ROOT,
        env=environment,
        capture_output=True,
        timeout=60,
        check=False,
    )

    assert refused.returncode == 1
    assert b"already uses" in refused.stderr
    assert (stack.state_dir / STACK_FACTS_FILE).exists()
    token = stack.issuer.mint("ws_local_dev", "dev-user")
    assert api.get("/channels", headers={"Authorization": f"Bearer {token}"}).status_code == 200
