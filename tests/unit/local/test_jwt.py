"""The local issuer's tokens, and the JWT authorizer refusing every kind of bad token as AWS does."""

import time
from datetime import timedelta
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from infra.local.authorizer import JwtAuthorizer, TokenRefused, claims_as_event_strings
from infra.local.jwt_issuer import LocalJwtIssuer

ISSUER_URL = "http://127.0.0.1:3000/local-issuer"
AUDIENCE = "wachannel-local"


@pytest.fixture(scope="module")
def signing_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def issuer(signing_key: rsa.RSAPrivateKey) -> LocalJwtIssuer:
    return LocalJwtIssuer(ISSUER_URL, AUDIENCE, signing_key)


@pytest.fixture(scope="module")
def authorizer(issuer: LocalJwtIssuer) -> JwtAuthorizer:
    return JwtAuthorizer(ISSUER_URL, [AUDIENCE, "other-client"], issuer.jwks())


def _bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


def test_a_minted_token_carries_the_workspace_subject_issuer_and_audience(
    issuer: LocalJwtIssuer, authorizer: JwtAuthorizer
) -> None:
    claims = authorizer.claims(_bearer(issuer.mint("ws_1", "user-1")))

    assert claims["workspace_id"] == "ws_1"
    assert claims["sub"] == "user-1"
    assert claims["iss"] == ISSUER_URL
    assert claims["aud"] == AUDIENCE
    assert 12 * 3600 - 5 <= claims["exp"] - time.time() <= 12 * 3600


def test_a_token_without_workspace_passes_the_authorizer(
    issuer: LocalJwtIssuer, authorizer: JwtAuthorizer
) -> None:
    claims = authorizer.claims(_bearer(issuer.mint(None, "user-1")))

    assert "workspace_id" not in claims


def test_the_token_may_come_without_the_bearer_prefix(
    issuer: LocalJwtIssuer, authorizer: JwtAuthorizer
) -> None:
    assert authorizer.claims({"authorization": issuer.mint("ws_1", "u")})["workspace_id"] == "ws_1"


def test_client_id_stands_in_for_a_missing_audience(
    issuer: LocalJwtIssuer, authorizer: JwtAuthorizer, signing_key: rsa.RSAPrivateKey
) -> None:
    cognito_access_token = jwt.encode(
        {"iss": ISSUER_URL, "client_id": "other-client", "sub": "u", "exp": int(time.time()) + 60},
        signing_key,
        algorithm="RS256",
        headers={"kid": issuer.key_id},
    )

    assert authorizer.claims(_bearer(cognito_access_token))["client_id"] == "other-client"


def test_the_jwks_and_discovery_document_describe_the_signing_key(issuer: LocalJwtIssuer) -> None:
    [key] = issuer.jwks()["keys"]

    assert key["kid"] == issuer.key_id
    assert key["kty"] == "RSA"
    assert key["alg"] == "RS256"
    assert "d" not in key
    assert issuer.openid_configuration()["jwks_uri"] == f"{ISSUER_URL}/.well-known/jwks.json"


def test_a_key_written_to_a_file_mints_tokens_the_authorizer_accepts(
    issuer: LocalJwtIssuer, authorizer: JwtAuthorizer, tmp_path: Path
) -> None:
    key_file = tmp_path / "key.pem"
    issuer.write_private_key(key_file)

    reloaded = LocalJwtIssuer.from_private_key_file(key_file, ISSUER_URL, AUDIENCE, issuer.key_id)

    assert key_file.stat().st_mode & 0o777 == 0o600
    assert authorizer.claims(_bearer(reloaded.mint("ws_2", "u")))["workspace_id"] == "ws_2"


def _forged(issuer: LocalJwtIssuer, signing_key: rsa.RSAPrivateKey, kind: str) -> str:
    now = int(time.time())
    if kind == "wrong signature":
        return LocalJwtIssuer.generate(ISSUER_URL, AUDIENCE, key_id=issuer.key_id).mint("ws_1", "u")
    if kind == "unknown kid":
        return LocalJwtIssuer.generate(ISSUER_URL, AUDIENCE, key_id="another-kid").mint("ws_1", "u")
    if kind == "alg none":
        return jwt.encode({"iss": ISSUER_URL, "aud": AUDIENCE, "exp": now + 60}, "", algorithm="none")
    if kind == "HS256":
        claims = {"iss": ISSUER_URL, "aud": AUDIENCE, "exp": now + 60}
        return jwt.encode(
            claims, "a-shared-secret-of-32-bytes-min!", algorithm="HS256", headers={"kid": issuer.key_id}
        )
    if kind == "wrong issuer":
        return issuer.mint("ws_1", "u", issuer="https://evil.example/issuer")
    if kind == "wrong audience":
        return issuer.mint("ws_1", "u", audience="someone-else")
    if kind == "expired":
        return issuer.mint("ws_1", "u", expires_in=timedelta(seconds=-30))
    if kind == "not yet valid":
        return issuer.mint("ws_1", "u", not_before=now + 600)
    if kind == "issued in the future":
        return issuer.mint("ws_1", "u", extra_claims={"iat": now + 600})
    if kind == "no exp":
        return jwt.encode(
            {"iss": ISSUER_URL, "aud": AUDIENCE},
            signing_key,
            algorithm="RS256",
            headers={"kid": issuer.key_id},
        )
    if kind == "garbage":
        return "not.a.jwt"
    raise AssertionError(kind)


@pytest.mark.parametrize(
    "kind",
    [
        "wrong signature",
        "unknown kid",
        "alg none",
        "HS256",
        "wrong issuer",
        "wrong audience",
        "expired",
        "not yet valid",
        "issued in the future",
        "no exp",
        "garbage",
    ],
)
def test_the_authorizer_refuses(
    kind: str, issuer: LocalJwtIssuer, signing_key: rsa.RSAPrivateKey, authorizer: JwtAuthorizer
) -> None:
    with pytest.raises(TokenRefused):
        authorizer.claims(_bearer(_forged(issuer, signing_key, kind)))


@pytest.mark.parametrize(
    "headers", [{}, {"authorization": ""}, {"authorization": "Bearer "}, {"x-other": "x"}]
)
def test_the_authorizer_refuses_a_request_without_a_token(
    headers: dict[str, str], authorizer: JwtAuthorizer
) -> None:
    with pytest.raises(TokenRefused, match="no token"):
        authorizer.claims(headers)


def test_a_custom_identity_source_header_is_read(issuer: LocalJwtIssuer) -> None:
    authorizer = JwtAuthorizer(
        ISSUER_URL, [AUDIENCE], issuer.jwks(), identity_source="$request.header.X-Token"
    )

    assert authorizer.claims({"x-token": issuer.mint("ws_1", "u")})["workspace_id"] == "ws_1"


def test_claims_reach_the_event_as_strings_like_aws_renders_them() -> None:
    claims = {
        "exp": 1795000000,
        "email_verified": True,
        "groups": ["admin", "agent"],
        "sub": "u",
        "meta": {"a": 1},
    }

    assert claims_as_event_strings(claims) == {
        "exp": "1795000000",
        "email_verified": "true",
        "groups": "[admin agent]",
        "sub": "u",
        "meta": "map[a:1]",
    }
