"""API Gateway HTTP API's JWT authorizer, checking tokens the way AWS documents it.

Token from the identity source, bare or after `Bearer`; an RSA signature by the JWKS key named in `kid`;
`iss` equal to the issuer; `aud` (or, without `aud`, `client_id`) among the audiences; `exp` after,
`nbf` and `iat` before the current time. Anything else is refused, and the caller answers 401.
"""

from collections.abc import Mapping, Sequence
from typing import Any

import jwt

RSA_ALGORITHMS = ("RS256", "RS384", "RS512")
AUTHORIZATION_HEADER_SOURCE = "$request.header.Authorization"
_HEADER_SOURCE_PREFIX = "$request.header."


class TokenRefused(Exception):
    """The authorizer refused the request; the message says why, for the local log only."""


class JwtAuthorizer:
    def __init__(
        self,
        issuer: str,
        audiences: Sequence[str],
        jwks: Mapping[str, Any],
        identity_source: str = AUTHORIZATION_HEADER_SOURCE,
    ) -> None:
        if not identity_source.startswith(_HEADER_SOURCE_PREFIX):
            raise ValueError(f"unsupported identity source {identity_source}: only request headers are")
        self.issuer = issuer
        self.audiences = frozenset(audiences)
        self.identity_header = identity_source.removeprefix(_HEADER_SOURCE_PREFIX).lower()
        self._keys_by_id = {key["kid"]: key for key in jwks.get("keys", []) if "kid" in key}

    def claims(self, headers: Mapping[str, str]) -> dict[str, Any]:
        """The verified claims of the request's token; raises TokenRefused. `headers` have lowercase names."""
        identity = headers.get(self.identity_header, "").strip()
        scheme, _, rest = identity.partition(" ")
        token = rest.strip() if scheme.lower() == "bearer" else identity
        if not token:
            raise TokenRefused(f"no token in the {self.identity_header} header")
        try:
            header = jwt.get_unverified_header(token)
        except jwt.InvalidTokenError as error:
            raise TokenRefused(f"not a JWT: {error}") from error
        algorithm = header.get("alg")
        if algorithm not in RSA_ALGORITHMS:
            raise TokenRefused(f"algorithm {algorithm!r} refused: only RSA signatures are accepted")
        jwk = self._keys_by_id.get(header.get("kid"))
        if jwk is None:
            raise TokenRefused(f"no key with kid {header.get('kid')!r} in the issuer's JWKS")
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                jwt.PyJWK(dict(jwk)).key,
                algorithms=[algorithm],
                issuer=self.issuer,
                options={"require": ["exp"], "verify_aud": False},
            )
        except jwt.InvalidTokenError as error:
            raise TokenRefused(f"{type(error).__name__}: {error}") from error
        self._check_audience(claims)
        return claims

    def _check_audience(self, claims: Mapping[str, Any]) -> None:
        if "aud" in claims:
            audience = claims["aud"]
            token_audiences = {audience} if isinstance(audience, str) else set(audience)
            if not token_audiences & self.audiences:
                raise TokenRefused(f"audience {audience!r} is not among {sorted(self.audiences)}")
        elif claims.get("client_id") not in self.audiences:
            raise TokenRefused(
                f"no aud, and client_id {claims.get('client_id')!r} is not among the audiences"
            )


def claims_as_event_strings(claims: Mapping[str, Any]) -> dict[str, str]:
    """Claims as API Gateway puts them into the event: every value a string, lists as `[a b]`."""
    return {name: _claim_as_string(value) for name, value in claims.items()}


def _claim_as_string(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, list):
        return "[" + " ".join(_claim_as_string(item) for item in value) + "]"
    if isinstance(value, dict):
        return "map[" + " ".join(f"{key}:{_claim_as_string(item)}" for key, item in value.items()) + "]"
    return str(value)
