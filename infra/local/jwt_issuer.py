"""The local stack's OIDC issuer: an RSA key made at start, its JWKS, and RS256 tokens signed with it."""

import secrets
import time
import uuid
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any, Self

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

LOCAL_AUDIENCE = "wachannel-local"
ISSUER_PATH = "/local-issuer"
JWKS_PATH = f"{ISSUER_PATH}/.well-known/jwks.json"
OPENID_CONFIGURATION_PATH = f"{ISSUER_PATH}/.well-known/openid-configuration"
# The hosted sign-in (infra/local/sign_in.py), at the paths Cognito's hosted UI uses.
AUTHORIZE_PATH = f"{ISSUER_PATH}/oauth2/authorize"
TOKEN_PATH = f"{ISSUER_PATH}/oauth2/token"
LOGOUT_PATH = f"{ISSUER_PATH}/logout"
DEV_TOKEN_LIFETIME = timedelta(hours=12)
WORKSPACE_CLAIM = "workspace_id"


def local_issuer_url(gateway_url: str) -> str:
    return gateway_url.rstrip("/") + ISSUER_PATH


class LocalJwtIssuer:
    """Signs tokens the way an OIDC provider would, for the gateway's JWT authorizer to check."""

    def __init__(
        self, issuer: str, audience: str, private_key: rsa.RSAPrivateKey, key_id: str | None = None
    ) -> None:
        self.issuer = issuer
        self.audience = audience
        self.key_id = key_id or secrets.token_hex(8)
        self._private_key = private_key

    @classmethod
    def generate(cls, issuer: str, audience: str = LOCAL_AUDIENCE, key_id: str | None = None) -> Self:
        return cls(issuer, audience, rsa.generate_private_key(public_exponent=65537, key_size=2048), key_id)

    @classmethod
    def from_private_key_file(cls, path: Path, issuer: str, audience: str, key_id: str) -> Self:
        private_key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(private_key, rsa.RSAPrivateKey):
            raise TypeError(f"{path} does not hold an RSA private key")
        return cls(issuer, audience, private_key, key_id)

    def write_private_key(self, path: Path) -> None:
        """Writes the key (PEM, owner-only) for processes that mint tokens of their own, such as tests."""
        pem = self._private_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        path.touch(mode=0o600)
        path.write_bytes(pem)

    def jwks(self) -> dict[str, Any]:
        public_jwk = jwt.algorithms.RSAAlgorithm.to_jwk(self._private_key.public_key(), as_dict=True)
        return {"keys": [public_jwk | {"kid": self.key_id, "use": "sig", "alg": "RS256"}]}

    def openid_configuration(self) -> dict[str, Any]:
        def url(path: str) -> str:
            return self.issuer + path.removeprefix(ISSUER_PATH)

        return {
            "issuer": self.issuer,
            "jwks_uri": url(JWKS_PATH),
            "authorization_endpoint": url(AUTHORIZE_PATH),
            "token_endpoint": url(TOKEN_PATH),
            "end_session_endpoint": url(LOGOUT_PATH),
            "id_token_signing_alg_values_supported": ["RS256"],
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code"],
            "code_challenge_methods_supported": ["S256"],
            "scopes_supported": ["openid", "email", "profile"],
            "token_endpoint_auth_methods_supported": ["none"],
            "subject_types_supported": ["public"],
            "claims_supported": [
                "iss",
                "sub",
                "aud",
                "exp",
                "iat",
                "auth_time",
                "nonce",
                "email",
                WORKSPACE_CLAIM,
                "token_use",
                "client_id",
                "scope",
                "jti",
            ],
        }

    def mint(
        self,
        workspace_id: str | None,
        subject: str,
        *,
        expires_in: timedelta = DEV_TOKEN_LIFETIME,
        issuer: str | None = None,
        audience: str | None = None,
        with_audience: bool = True,
        extra_claims: Mapping[str, Any] | None = None,
        not_before: int | None = None,
    ) -> str:
        """An RS256 token signed with this issuer's key.

        `issuer`/`audience` replace this issuer's own, `with_audience=False` leaves `aud` out (as in
        Cognito's access tokens, which name their client in `client_id`), a negative `expires_in` makes
        the token expired, `workspace_id=None` leaves the workspace claim out, `not_before` (Unix time)
        sets `nbf`.
        """
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": issuer or self.issuer,
            "sub": subject,
            "iat": now,
            "exp": now + int(expires_in.total_seconds()),
            "jti": str(uuid.uuid4()),
        }
        if with_audience:
            claims["aud"] = audience or self.audience
        if workspace_id is not None:
            claims[WORKSPACE_CLAIM] = workspace_id
        if not_before is not None:
            claims["nbf"] = not_before
        claims |= extra_claims or {}
        return jwt.encode(claims, self._private_key, algorithm="RS256", headers={"kid": self.key_id})
