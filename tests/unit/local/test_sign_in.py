"""The local issuer's hosted sign-in: the authorization code flow with PKCE as a browser and the console
drive it, and each refusal RFC 6749 and RFC 7636 ask for."""

import logging
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from starlette.testclient import TestClient

from infra.local.authorizer import JwtAuthorizer
from infra.local.gateway import create_gateway_app
from infra.local.jwt_issuer import (
    AUTHORIZE_PATH,
    JWKS_PATH,
    LOCAL_AUDIENCE,
    LOGOUT_PATH,
    OPENID_CONFIGURATION_PATH,
    TOKEN_PATH,
    LocalJwtIssuer,
)
from infra.local.sign_in import WORKSPACE_ID_PATTERN, sign_in_routes
from tests.html_forms import FormInputs
from wachannel.http import _WORKSPACE_ID

GATEWAY_URL = "http://127.0.0.1:3000"
ISSUER_URL = f"{GATEWAY_URL}/local-issuer"
REDIRECT_URI = "http://127.0.0.1:5173/console/sign-in/callback"
WORKSPACES = ("ws_local_dev", "ws_local_other")
# RFC 7636's appendix B example.
VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
CSP = "default-src 'none'; style-src 'unsafe-inline'"


class FakeClock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def issuer() -> LocalJwtIssuer:
    return LocalJwtIssuer.generate(ISSUER_URL, LOCAL_AUDIENCE)


@pytest.fixture(scope="module")
def authorizer(issuer: LocalJwtIssuer) -> JwtAuthorizer:
    """As the gateway builds it from template.yaml's JwtConfiguration on the local stack."""
    return JwtAuthorizer(issuer.issuer, [issuer.audience], issuer.jwks())


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def client(issuer: LocalJwtIssuer, clock: FakeClock) -> Iterator[TestClient]:
    app = create_gateway_app(
        [],
        region="eu-central-1",
        account_id="123456789012",
        issuer=issuer,
        local_routes=sign_in_routes(issuer, GATEWAY_URL, WORKSPACES, clock=clock),
    )
    with TestClient(app, base_url=GATEWAY_URL, follow_redirects=False) as test_client:
        yield test_client


def _query(**changes: str | None) -> dict[str, str]:
    """The console's authorization request, with `changes` (None leaves a parameter out)."""
    query = {
        "response_type": "code",
        "client_id": LOCAL_AUDIENCE,
        "redirect_uri": REDIRECT_URI,
        "scope": "openid email profile",
        "state": "state-1",
        "nonce": "nonce-1",
        "code_challenge": CHALLENGE,
        "code_challenge_method": "S256",
    }
    for name, value in changes.items():
        if value is None:
            query.pop(name)
        else:
            query[name] = value
    return query


def _submit(client: TestClient, query: dict[str, str], **fields: str) -> httpx.Response:
    """Opens the sign-in page and submits its form with `fields` changed (Sign in, by default)."""
    page = client.get(AUTHORIZE_PATH, params=query)
    assert page.status_code == 200, page.text
    form = FormInputs(page.text)
    return client.post(form.action, data=form.fields | {"action": "sign_in"} | fields)


def _redirect_query(response: httpx.Response) -> dict[str, list[str]]:
    return parse_qs(urlsplit(response.headers["location"]).query)


def _code(client: TestClient, query: dict[str, str] | None = None, **fields: str) -> str:
    response = _submit(client, query or _query(), **fields)
    assert response.status_code == 303, response.text
    return _redirect_query(response)["code"][0]


def _redeem(client: TestClient, code: str, /, **changes: str) -> httpx.Response:
    form = {
        "grant_type": "authorization_code",
        "client_id": LOCAL_AUDIENCE,
        "code": code,
        "redirect_uri": REDIRECT_URI,
        "code_verifier": VERIFIER,
    }
    return client.post(TOKEN_PATH, data=form | changes)


def _claims(authorizer: JwtAuthorizer, token: str) -> dict[str, Any]:
    return authorizer.claims({"authorization": f"Bearer {token}"})


def _assert_refusal_page(response: httpx.Response, *words: str) -> None:
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/html")
    assert "location" not in response.headers
    for word in words:
        assert word in response.text


def _assert_token_error(response: httpx.Response, error: str) -> None:
    assert response.status_code == 400
    assert response.json()["error"] == error
    assert response.json()["error_description"]
    assert response.headers["access-control-allow-origin"] == "*"
    assert response.headers["cache-control"] == "no-store"


def test_the_discovery_document_names_the_flow_and_its_endpoints(client: TestClient) -> None:
    configuration = client.get(OPENID_CONFIGURATION_PATH).json()

    assert configuration["authorization_endpoint"] == f"{ISSUER_URL}/oauth2/authorize"
    assert configuration["token_endpoint"] == f"{ISSUER_URL}/oauth2/token"
    assert configuration["end_session_endpoint"] == f"{ISSUER_URL}/logout"
    assert configuration["response_types_supported"] == ["code"]
    assert configuration["grant_types_supported"] == ["authorization_code"]
    assert configuration["code_challenge_methods_supported"] == ["S256"]
    assert configuration["scopes_supported"] == ["openid", "email", "profile"]
    assert configuration["token_endpoint_auth_methods_supported"] == ["none"]
    assert {"email", "workspace_id", "nonce", "auth_time", "client_id"} <= set(
        configuration["claims_supported"]
    )


@pytest.mark.parametrize("path", [OPENID_CONFIGURATION_PATH, JWKS_PATH])
def test_a_browser_on_another_origin_may_read_the_issuers_documents(client: TestClient, path: str) -> None:
    response = client.get(path, headers={"Origin": "http://127.0.0.1:5173"})

    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"


def test_the_sign_in_page_asks_for_a_workspace_and_an_email(client: TestClient) -> None:
    page = client.get(AUTHORIZE_PATH, params=_query())
    form = FormInputs(page.text)

    assert page.status_code == 200
    assert page.headers["content-security-policy"] == CSP
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["cache-control"] == "no-store"
    assert "<h1>Sign in to the local stack</h1>" in page.text
    assert "Cognito's hosted UI" in page.text
    assert '<label for="workspace">Workspace</label>' in page.text
    assert '<label for="email">E-mail</label>' in page.text
    assert '<option value="ws_local_dev"></option><option value="ws_local_other"></option>' in page.text
    assert "<script" not in page.text
    assert form.action == AUTHORIZE_PATH
    assert form.fields == _query() | {"workspace": "ws_local_dev", "email": "dev@wachannel.local"}


def test_signing_in_gives_an_id_token_and_an_access_token_the_gateway_accepts(
    client: TestClient, authorizer: JwtAuthorizer, clock: FakeClock
) -> None:
    redirect = _submit(client, _query(), workspace="ws_local_other", email="lena@example.com")
    code = _redirect_query(redirect)["code"][0]

    answer = _redeem(client, code)
    tokens = answer.json()
    id_claims = _claims(authorizer, tokens["id_token"])
    access_claims = _claims(authorizer, tokens["access_token"])

    assert redirect.status_code == 303
    assert redirect.headers["location"].startswith(REDIRECT_URI + "?code=")
    assert _redirect_query(redirect)["state"] == ["state-1"]
    assert answer.status_code == 200
    assert answer.headers["cache-control"] == "no-store"
    assert answer.headers["pragma"] == "no-cache"
    assert answer.headers["access-control-allow-origin"] == "*"
    assert tokens["token_type"] == "Bearer"
    assert tokens["expires_in"] == 3600
    assert id_claims["workspace_id"] == "ws_local_other"
    assert id_claims["email"] == "lena@example.com"
    assert id_claims["nonce"] == "nonce-1"
    assert id_claims["aud"] == LOCAL_AUDIENCE
    assert id_claims["iss"] == ISSUER_URL
    assert id_claims["token_use"] == "id"
    assert id_claims["auth_time"] == int(clock.now)
    assert id_claims["exp"] - id_claims["iat"] == 3600
    assert id_claims["sub"].startswith("local-")
    assert "aud" not in access_claims
    assert access_claims["client_id"] == LOCAL_AUDIENCE
    assert access_claims["scope"] == "openid email profile"
    assert access_claims["workspace_id"] == "ws_local_other"
    assert access_claims["token_use"] == "access"
    assert access_claims["sub"] == id_claims["sub"]


def test_the_subject_stays_the_same_for_an_email_and_a_token_without_nonce_has_none(
    client: TestClient, authorizer: JwtAuthorizer
) -> None:
    def subject_and_nonce(email: str) -> tuple[str, str | None]:
        code = _code(client, _query(nonce=None), email=email)
        claims = _claims(authorizer, _redeem(client, code).json()["id_token"])
        return claims["sub"], claims.get("nonce")

    first, nonce = subject_and_nonce("dev@wachannel.local")
    again, _ = subject_and_nonce("dev@wachannel.local")
    other, _ = subject_and_nonce("someone@wachannel.local")

    assert first == again != other
    assert nonce is None


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"client_id": None}, ["client_id"]),
        ({"client_id": "someone-else"}, ["someone-else", "unknown"]),
        ({"redirect_uri": None}, ["redirect_uri"]),
        ({"redirect_uri": "https://evil.example/callback"}, ["https://evil.example/callback", "not allowed"]),
        ({"redirect_uri": REDIRECT_URI + "#fragment"}, ["not allowed"]),
        ({"redirect_uri": "https://127.0.0.1:5173/callback"}, ["not allowed"]),
        ({"redirect_uri": "http://127.0.0.1:5173@evil.example/callback"}, ["not allowed"]),
        ({"redirect_uri": "http://evil.example\\@127.0.0.1:5173/callback"}, ["not allowed"]),
        ({"redirect_uri": "/console/sign-in/callback"}, ["not allowed"]),
        ({"redirect_uri": "javascript:alert(1)"}, ["not allowed"]),
        ({"redirect_uri": "http://127.0.0.1:notaport/callback"}, ["not allowed"]),
    ],
)
def test_an_untrustworthy_client_or_redirect_uri_gets_a_page_and_no_redirect(
    client: TestClient, changes: dict[str, str | None], words: list[str]
) -> None:
    _assert_refusal_page(client.get(AUTHORIZE_PATH, params=_query(**changes)), *words)


def test_a_redirect_uri_given_twice_gets_a_page(client: TestClient) -> None:
    query = [*_query().items(), ("redirect_uri", "https://evil.example/callback")]

    _assert_refusal_page(client.get(AUTHORIZE_PATH, params=query), "more than once")


@pytest.mark.parametrize(
    "redirect_uri",
    [
        "http://127.0.0.1:3000/console/sign-in/callback",
        "http://localhost:5173/console/sign-in/callback",
        "http://[::1]:8080/callback",
        "http://127.0.0.1/",
    ],
)
def test_the_gateway_origin_and_http_loopback_origins_are_allowed(
    client: TestClient, redirect_uri: str
) -> None:
    assert client.get(AUTHORIZE_PATH, params=_query(redirect_uri=redirect_uri)).status_code == 200


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"response_type": "token"}, "unsupported_response_type"),
        ({"response_type": None}, "invalid_request"),
        ({"code_challenge": None}, "invalid_request"),
        ({"code_challenge_method": None}, "invalid_request"),
        ({"code_challenge_method": "plain"}, "invalid_request"),
        ({"code_challenge": CHALLENGE[:-1]}, "invalid_request"),
        ({"code_challenge": CHALLENGE[:-1] + "="}, "invalid_request"),
        ({"scope": "email profile"}, "invalid_scope"),
        ({"scope": None}, "invalid_scope"),
    ],
)
def test_a_bad_authorization_request_goes_back_to_the_client_with_its_error_and_state(
    client: TestClient, changes: dict[str, str | None], error: str
) -> None:
    response = client.get(AUTHORIZE_PATH, params=_query(**changes))
    answer = _redirect_query(response)

    assert response.status_code == 302
    assert response.headers["location"].startswith(REDIRECT_URI + "?")
    assert answer["error"] == [error]
    assert answer["error_description"]
    assert answer["state"] == ["state-1"]
    assert "code" not in answer


def test_an_error_without_state_goes_back_without_state(client: TestClient) -> None:
    response = client.get(AUTHORIZE_PATH, params=_query(state=None, response_type="token"))

    assert set(_redirect_query(response)) == {"error", "error_description"}


@pytest.mark.parametrize(
    ("field", "value"),
    [("redirect_uri", "https://evil.example/callback"), ("client_id", "someone-else")],
)
def test_the_form_is_checked_again_as_the_query_was(client: TestClient, field: str, value: str) -> None:
    _assert_refusal_page(
        _submit(client, _query(), **{field: value}), "not allowed" if field == "redirect_uri" else value
    )


def test_a_tampered_pkce_method_in_the_form_goes_back_as_an_error(client: TestClient) -> None:
    response = _submit(client, _query(), code_challenge_method="plain")

    assert response.status_code == 303
    assert _redirect_query(response)["error"] == ["invalid_request"]


def test_cancel_goes_back_as_access_denied(client: TestClient) -> None:
    response = _submit(client, _query(), action="cancel")

    assert response.status_code == 303
    assert _redirect_query(response) == {
        "error": ["access_denied"],
        "error_description": ["The user cancelled."],
        "state": ["state-1"],
    }


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("workspace", "ws with spaces"),
        ("workspace", ""),
        ("workspace", "w" * 129),
        ("email", "not-an-email"),
        ("email", ""),
        ("email", "two@at@signs"),
    ],
)
def test_a_bad_workspace_or_email_shows_the_page_again_with_the_error_at_the_field(
    client: TestClient, field: str, value: str
) -> None:
    response = _submit(client, _query(), **{field: value})
    form = FormInputs(response.text)

    assert response.status_code == 400
    assert "location" not in response.headers
    assert f'aria-describedby="{field}-error"' in response.text
    assert f'<p id="{field}-error" class="error">' in response.text
    assert form.fields[field] == value
    assert form.fields["state"] == "state-1"


def test_the_workspace_rule_is_the_apis() -> None:
    assert WORKSPACE_ID_PATTERN.pattern == _WORKSPACE_ID.pattern


def test_a_form_that_is_not_form_encoded_gets_a_page(client: TestClient) -> None:
    _assert_refusal_page(client.post(AUTHORIZE_PATH, json=_query()), "application/x-www-form-urlencoded")


def test_a_hostile_state_and_nonce_are_escaped_on_the_page_and_carried_through_intact(
    client: TestClient, authorizer: JwtAuthorizer
) -> None:
    state = '"><script>alert(1)</script>&amp;'
    nonce = "</title><img src=x onerror=alert(1)>'"
    query = _query(state=state, nonce=nonce)
    page = client.get(AUTHORIZE_PATH, params=query)

    response = _submit(client, query)
    claims = _claims(authorizer, _redeem(client, _redirect_query(response)["code"][0]).json()["id_token"])

    assert "<script>" not in page.text
    assert "<img" not in page.text
    assert "&quot;&gt;&lt;script&gt;" in page.text
    assert _redirect_query(response)["state"] == [state]
    assert claims["nonce"] == nonce


def test_a_redirect_uri_with_a_query_keeps_it(client: TestClient) -> None:
    redirect_uri = REDIRECT_URI + "?next=%2Finbox&tab=open"
    response = _submit(client, _query(redirect_uri=redirect_uri))
    answer = _redirect_query(response)

    assert response.headers["location"].startswith(redirect_uri + "&code=")
    assert answer["next"] == ["/inbox"]
    assert answer["tab"] == ["open"]
    assert answer["state"] == ["state-1"]
    assert _redeem(client, answer["code"][0], redirect_uri=redirect_uri).status_code == 200


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"grant_type": "refresh_token"}, "unsupported_grant_type"),
        ({"grant_type": ""}, "invalid_request"),
        ({"code": "not-a-code-this-issuer-gave"}, "invalid_grant"),
        ({"redirect_uri": REDIRECT_URI + "/other"}, "invalid_grant"),
        ({"redirect_uri": ""}, "invalid_grant"),
        ({"client_id": "someone-else"}, "invalid_client"),
        ({"code_verifier": "x" * 43}, "invalid_grant"),
        ({"code_verifier": VERIFIER[:-1]}, "invalid_grant"),
        ({"code_verifier": ""}, "invalid_grant"),
    ],
)
def test_a_bad_token_request_is_refused(client: TestClient, changes: dict[str, str], error: str) -> None:
    _assert_token_error(_redeem(client, _code(client), **changes), error)


def test_a_code_is_used_once_even_after_a_good_first_use(client: TestClient) -> None:
    code = _code(client)

    first = _redeem(client, code)
    second = _redeem(client, code)

    assert first.status_code == 200
    _assert_token_error(second, "invalid_grant")


def test_a_code_presented_with_a_wrong_verifier_is_burnt(client: TestClient) -> None:
    code = _code(client)

    wrong = _redeem(client, code, code_verifier="y" * 43)
    right = _redeem(client, code)

    _assert_token_error(wrong, "invalid_grant")
    _assert_token_error(right, "invalid_grant")


def test_a_code_expires_after_five_minutes(client: TestClient, clock: FakeClock) -> None:
    fresh, stale = _code(client), _code(client)

    clock.now += 299
    assert _redeem(client, fresh).status_code == 200
    clock.now += 1
    _assert_token_error(_redeem(client, stale), "invalid_grant")


def test_a_token_request_that_is_not_form_encoded_is_refused(client: TestClient) -> None:
    code = _code(client)
    body = {"grant_type": "authorization_code", "code": code, "code_verifier": VERIFIER}

    _assert_token_error(client.post(TOKEN_PATH, json=body), "invalid_request")


def test_the_token_endpoint_answers_a_cors_preflight(client: TestClient) -> None:
    response = client.options(
        TOKEN_PATH,
        headers={
            "origin": "http://127.0.0.1:5173",
            "access-control-request-method": "POST",
            "access-control-request-headers": "content-type",
        },
    )

    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == "*"
    assert response.headers["access-control-allow-methods"] == "POST"
    assert response.headers["access-control-allow-headers"] == "Content-Type"


def test_no_code_verifier_or_token_reaches_a_log_line(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    code = _code(client)
    tokens = _redeem(client, code).json()

    for secret in (code, VERIFIER, tokens["id_token"], tokens["access_token"]):
        assert secret not in caplog.text


@pytest.mark.parametrize("parameter", ["logout_uri", "post_logout_redirect_uri"])
def test_logout_goes_back_to_an_allowed_uri_with_the_state(client: TestClient, parameter: str) -> None:
    back = "http://127.0.0.1:5173/console/sign-in?reason=signed-out"
    response = client.get(LOGOUT_PATH, params={"client_id": LOCAL_AUDIENCE, parameter: back, "state": "s"})

    assert response.status_code == 302
    assert response.headers["location"] == back + "&state=s"


def test_logout_with_both_names_goes_to_cognitos(client: TestClient) -> None:
    response = client.get(
        LOGOUT_PATH,
        params={
            "client_id": LOCAL_AUDIENCE,
            "logout_uri": "http://127.0.0.1:5173/a",
            "post_logout_redirect_uri": "http://127.0.0.1:5173/b",
        },
    )

    assert response.headers["location"] == "http://127.0.0.1:5173/a"


@pytest.mark.parametrize(
    "parameters",
    [
        {"client_id": LOCAL_AUDIENCE, "logout_uri": "https://evil.example/"},
        {"client_id": LOCAL_AUDIENCE, "post_logout_redirect_uri": "https://evil.example/"},
        {"client_id": LOCAL_AUDIENCE},
        {"client_id": "someone-else", "logout_uri": "http://127.0.0.1:5173/"},
        {"logout_uri": "http://127.0.0.1:5173/"},
    ],
)
def test_logout_to_a_foreign_uri_or_for_another_client_gets_a_page(
    client: TestClient, parameters: dict[str, str]
) -> None:
    _assert_refusal_page(client.get(LOGOUT_PATH, params=parameters))
