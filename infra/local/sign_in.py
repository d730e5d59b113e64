"""The local issuer's hosted sign-in: OAuth 2.0's authorization code flow with PKCE, at the paths of
Cognito's hosted UI, so that the console signs in to the local stack exactly as it signs in to Cognito.

Nobody has a password here: the sign-in page asks which workspace and e-mail the tokens should carry.
Everything else is checked as an authorization server checks it (RFC 6749, RFC 7636, OpenID Connect):
the client and its redirect URI, PKCE with S256, codes that are used once and expire, the verifier.
Codes, verifiers and tokens are never logged or echoed.
"""

import base64
import hashlib
import hmac
import html
import re
import secrets
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from infra.local.jwt_issuer import AUTHORIZE_PATH, LOGOUT_PATH, TOKEN_PATH, LocalJwtIssuer

CODE_LIFETIME = timedelta(minutes=5)
TOKEN_LIFETIME = timedelta(hours=1)
DEFAULT_EMAIL = "dev@wachannel.local"
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
# The API's rule for the workspace claim (`_WORKSPACE_ID` in layers/common/wachannel/http.py), mirrored:
# the layer is not on the stack's import path, and importing it would build Powertools' logger and metrics
# in the stack's process. tests/unit/local/test_sign_in.py keeps the two patterns equal.
WORKSPACE_ID_PATTERN = re.compile(r"^[A-Za-z0-9_.:@-]{1,128}$")
SIGN_IN_ACTION = "sign_in"
CANCEL_ACTION = "cancel"

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+")
_EMAIL_MAX_LENGTH = 254
_CODE_CHALLENGE = re.compile(r"[A-Za-z0-9_-]{43}")
_CODE_VERIFIER = re.compile(r"[A-Za-z0-9._~-]{43,128}")
_VISIBLE_ASCII = re.compile(r"[!-~]+")
_DEFAULT_PORTS = {"http": 80, "https": 443}
_FORM_MEDIA_TYPE = "application/x-www-form-urlencoded"
_PAGE_HEADERS = {
    "cache-control": "no-store",
    "x-frame-options": "DENY",
    "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'",
    "referrer-policy": "no-referrer",
}
_TOKEN_HEADERS = {"cache-control": "no-store", "pragma": "no-cache", "access-control-allow-origin": "*"}
_REDIRECT_HEADERS = {"cache-control": "no-store"}

Origin = tuple[str, str, int]


@dataclass(frozen=True)
class AuthorizationRequest:
    """A checked authorization request: the one client, an allowed redirect URI, PKCE with S256, openid."""

    client_id: str
    redirect_uri: str
    scope: str
    code_challenge: str
    state: str | None
    nonce: str | None

    def form_fields(self) -> dict[str, str]:
        """The request as the sign-in form carries it back in hidden fields."""
        fields = {
            "client_id": self.client_id,
            "redirect_uri": self.redirect_uri,
            "response_type": "code",
            "scope": self.scope,
            "code_challenge": self.code_challenge,
            "code_challenge_method": "S256",
        }
        optional = {"state": self.state, "nonce": self.nonce}
        return fields | {name: value for name, value in optional.items() if value is not None}


@dataclass(frozen=True)
class AuthorizationGrant:
    """What a code stands for: who signed in, for which client, redirect URI and PKCE challenge."""

    request: AuthorizationRequest
    workspace_id: str
    email: str
    authenticated_at: float
    expires_at: float


class AuthorizationCodes:
    """One-time codes, in memory: redeeming a code removes it, whatever the token request's outcome."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._grants: dict[str, AuthorizationGrant] = {}

    def issue(self, request: AuthorizationRequest, workspace_id: str, email: str) -> str:
        now = self._clock()
        self._grants = {code: grant for code, grant in self._grants.items() if grant.expires_at > now}
        code = secrets.token_urlsafe(32)
        self._grants[code] = AuthorizationGrant(
            request, workspace_id, email, now, now + CODE_LIFETIME.total_seconds()
        )
        return code

    def redeem(self, code: str) -> AuthorizationGrant | None:
        """The code's grant, or None when the code is unknown, already redeemed or expired."""
        grant = self._grants.pop(code, None)
        if grant is None or grant.expires_at <= self._clock():
            return None
        return grant


class UnsafeToRedirect(Exception):
    """The client or its redirect URI cannot be trusted: the user is told, and sent nowhere (RFC 6749
    §4.1.2.1)."""


class AuthorizationRefused(Exception):
    """An error the client hears about at its redirect URI."""

    def __init__(self, redirect_uri: str, state: str | None, error: str, description: str) -> None:
        super().__init__(description)
        self.location = with_query(
            redirect_uri, {"error": error, "error_description": description, "state": state}
        )


def origin_of(uri: str) -> Origin | None:
    """Scheme, host and port of an absolute http(s) URI without user info or fragment; else None."""
    if not _VISIBLE_ASCII.fullmatch(uri) or "\\" in uri or "#" in uri:
        return None
    parts = urlsplit(uri)
    if parts.scheme not in _DEFAULT_PORTS or parts.username is not None or not parts.hostname:
        return None
    try:
        port = parts.port
    except ValueError:
        return None
    return parts.scheme, parts.hostname, _DEFAULT_PORTS[parts.scheme] if port is None else port


def with_query(uri: str, parameters: Mapping[str, str | None]) -> str:
    """`uri` with `parameters` (those not None) added after whatever query it already has."""
    parts = urlsplit(uri)
    added = urlencode({name: value for name, value in parameters.items() if value is not None})
    return urlunsplit(parts._replace(query=f"{parts.query}&{added}" if parts.query else added))


def code_challenge_of(code_verifier: str) -> str:
    """PKCE's S256: BASE64URL(SHA256(verifier)), without padding."""
    digest = hashlib.sha256(code_verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def subject_of(email: str) -> str:
    """A subject that stays the same for an e-mail across sign-ins and restarts of the stack."""
    return "local-" + hashlib.sha256(email.encode()).hexdigest()[:16]


def _single_values(pairs: Iterable[tuple[str, str]]) -> tuple[dict[str, str], set[str]]:
    """Each parameter's first value, and the names given more than once (which OAuth forbids)."""
    values: dict[str, str] = {}
    repeated: set[str] = set()
    for name, value in pairs:
        if name in values:
            repeated.add(name)
        else:
            values[name] = value
    return values, repeated


async def _form_pairs(request: Request) -> list[tuple[str, str]] | None:
    """The parameters of a form-encoded body; None for any other body."""
    media_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media_type != _FORM_MEDIA_TYPE:
        return None
    try:
        body = (await request.body()).decode("utf-8")
    except UnicodeDecodeError:
        return None
    return parse_qsl(body, keep_blank_values=True)


class HostedSignIn:
    """The endpoints of the flow, for the issuer's one client (its audience, a public client)."""

    def __init__(
        self,
        issuer: LocalJwtIssuer,
        gateway_url: str,
        workspaces: Sequence[str],
        codes: AuthorizationCodes,
    ) -> None:
        gateway_origin = origin_of(gateway_url)
        if gateway_origin is None:
            raise ValueError(f"the gateway URL {gateway_url!r} is not an absolute http(s) URL")
        self._issuer = issuer
        self._gateway_url = gateway_url.rstrip("/")
        self._client_id = issuer.audience
        self._gateway_origin = gateway_origin
        self._workspaces = tuple(workspaces)
        self._codes = codes

    def routes(self) -> list[BaseRoute]:
        return [
            Route(AUTHORIZE_PATH, self.show_sign_in, methods=["GET"]),
            Route(AUTHORIZE_PATH, self.submit_sign_in, methods=["POST"]),
            Route(TOKEN_PATH, self.token, methods=["POST"]),
            Route(TOKEN_PATH, self.token_preflight, methods=["OPTIONS"]),
            Route(LOGOUT_PATH, self.logout, methods=["GET"]),
        ]

    def is_allowed_redirect(self, uri: str) -> bool:
        """The gateway's own origin, or plain http on a loopback host at any port (a dev server)."""
        origin = origin_of(uri)
        if origin is None:
            return False
        scheme, host, _ = origin
        return origin == self._gateway_origin or (scheme == "http" and host in LOOPBACK_HOSTS)

    def read_authorization_request(self, pairs: Iterable[tuple[str, str]]) -> AuthorizationRequest:
        """The checked request; raises UnsafeToRedirect, or AuthorizationRefused once the redirect URI
        is known to be the client's."""
        values, repeated = _single_values(pairs)
        for trusted in ("client_id", "redirect_uri"):
            if trusted in repeated:
                raise UnsafeToRedirect(f"The request gives {trusted} more than once.")
        client_id = values.get("client_id")
        if not client_id:
            raise UnsafeToRedirect("The request names no client_id.")
        if client_id != self._client_id:
            raise UnsafeToRedirect(
                f"The client_id {client_id!r} is unknown here: the local issuer's one client is "
                f"{self._client_id!r}."
            )
        redirect_uri = values.get("redirect_uri")
        if not redirect_uri:
            raise UnsafeToRedirect("The request has no redirect_uri.")
        if not self.is_allowed_redirect(redirect_uri):
            raise UnsafeToRedirect(
                f"The redirect_uri {redirect_uri!r} is not allowed: it must be an absolute URI without a "
                f"fragment on the gateway's origin ({self._gateway_url}), or plain http on a loopback host "
                "(127.0.0.1, localhost, [::1])."
            )
        state = values.get("state") or None

        def refused(error: str, description: str) -> AuthorizationRefused:
            return AuthorizationRefused(redirect_uri, state, error, description)

        if repeated:
            raise refused("invalid_request", f"Given more than once: {', '.join(sorted(repeated))}.")
        response_type = values.get("response_type")
        if not response_type:
            raise refused("invalid_request", "response_type is missing.")
        if response_type != "code":
            raise refused("unsupported_response_type", "Only response_type=code is supported.")
        if values.get("code_challenge_method") != "S256" or "code_challenge" not in values:
            raise refused(
                "invalid_request", "PKCE is required: code_challenge with code_challenge_method=S256."
            )
        code_challenge = values["code_challenge"]
        if not _CODE_CHALLENGE.fullmatch(code_challenge):
            raise refused("invalid_request", "code_challenge must be 43 base64url characters.")
        scope = values.get("scope", "")
        if "openid" not in scope.split():
            raise refused("invalid_scope", "The scope must include openid.")
        return AuthorizationRequest(
            client_id, redirect_uri, scope, code_challenge, state, values.get("nonce") or None
        )

    async def show_sign_in(self, request: Request) -> Response:
        try:
            authorization = self.read_authorization_request(request.query_params.multi_items())
        except UnsafeToRedirect as refusal:
            return _refusal_page("Sign-in request refused", str(refusal))
        except AuthorizationRefused as refusal:
            return RedirectResponse(refusal.location, status_code=302, headers=_REDIRECT_HEADERS)
        default_workspace = self._workspaces[0] if self._workspaces else ""
        return self._sign_in_page(authorization, default_workspace, DEFAULT_EMAIL, {})

    async def submit_sign_in(self, request: Request) -> Response:
        pairs = await _form_pairs(request)
        if pairs is None:
            return _refusal_page(
                "Sign-in request refused", f"The sign-in form is sent as {_FORM_MEDIA_TYPE}."
            )
        try:
            authorization = self.read_authorization_request(pairs)
        except UnsafeToRedirect as refusal:
            return _refusal_page("Sign-in request refused", str(refusal))
        except AuthorizationRefused as refusal:
            return RedirectResponse(refusal.location, status_code=303, headers=_REDIRECT_HEADERS)
        values, _ = _single_values(pairs)
        action = values.get("action")
        if action == CANCEL_ACTION:
            cancelled = AuthorizationRefused(
                authorization.redirect_uri, authorization.state, "access_denied", "The user cancelled."
            )
            return RedirectResponse(cancelled.location, status_code=303, headers=_REDIRECT_HEADERS)
        if action != SIGN_IN_ACTION:
            return _refusal_page(
                "Sign-in request refused", "The form came without its Sign in or Cancel button."
            )
        workspace = values.get("workspace", "").strip()
        email = values.get("email", "").strip()
        field_errors: dict[str, str] = {}
        if not WORKSPACE_ID_PATTERN.fullmatch(workspace):
            field_errors["workspace"] = "A workspace id is 1 to 128 letters, digits or _ . : @ -"
        if len(email) > _EMAIL_MAX_LENGTH or not _EMAIL.fullmatch(email):
            field_errors["email"] = f"Enter an e-mail address, such as {DEFAULT_EMAIL}."
        if field_errors:
            return self._sign_in_page(authorization, workspace, email, field_errors, status_code=400)
        code = self._codes.issue(authorization, workspace, email)
        location = with_query(authorization.redirect_uri, {"code": code, "state": authorization.state})
        return RedirectResponse(location, status_code=303, headers=_REDIRECT_HEADERS)

    async def token(self, request: Request) -> Response:
        pairs = await _form_pairs(request)
        if pairs is None:
            return _token_error("invalid_request", f"Send the token request as {_FORM_MEDIA_TYPE}.")
        values, repeated = _single_values(pairs)
        if repeated:
            return _token_error("invalid_request", f"Given more than once: {', '.join(sorted(repeated))}.")
        grant_type = values.get("grant_type")
        if not grant_type:
            return _token_error("invalid_request", "grant_type is missing.")
        if grant_type != "authorization_code":
            return _token_error("unsupported_grant_type", "Only grant_type=authorization_code is supported.")
        code = values.get("code")
        if not code:
            return _token_error("invalid_request", "code is missing.")
        grant = self._codes.redeem(code)
        if grant is None:
            return _token_error("invalid_grant", "The code is unknown, expired or already used.")
        authorized = grant.request
        # The issuer has one client, so a client_id other than the code's is not a client at all.
        if values.get("client_id") != authorized.client_id:
            return _token_error("invalid_client", f"The client is {authorized.client_id!r}, a public one.")
        if values.get("redirect_uri") != authorized.redirect_uri:
            return _token_error("invalid_grant", "redirect_uri is not the authorization request's.")
        code_verifier = values.get("code_verifier", "")
        if not _CODE_VERIFIER.fullmatch(code_verifier):
            return _token_error(
                "invalid_grant", "code_verifier must be 43 to 128 characters of [A-Za-z0-9-._~]."
            )
        if not hmac.compare_digest(code_challenge_of(code_verifier), authorized.code_challenge):
            return _token_error("invalid_grant", "code_verifier does not match the code_challenge.")
        return JSONResponse(
            {
                "id_token": self._id_token(grant),
                "access_token": self._access_token(grant),
                "token_type": "Bearer",
                "expires_in": int(TOKEN_LIFETIME.total_seconds()),
            },
            headers=_TOKEN_HEADERS,
        )

    def _id_token(self, grant: AuthorizationGrant) -> str:
        claims: dict[str, object] = {
            "email": grant.email,
            "auth_time": int(grant.authenticated_at),
            "token_use": "id",
        }
        if grant.request.nonce is not None:
            claims["nonce"] = grant.request.nonce
        return self._issuer.mint(
            grant.workspace_id,
            subject_of(grant.email),
            expires_in=TOKEN_LIFETIME,
            audience=grant.request.client_id,
            extra_claims=claims,
        )

    def _access_token(self, grant: AuthorizationGrant) -> str:
        return self._issuer.mint(
            grant.workspace_id,
            subject_of(grant.email),
            expires_in=TOKEN_LIFETIME,
            with_audience=False,
            extra_claims={
                "client_id": grant.request.client_id,
                "scope": grant.request.scope,
                "auth_time": int(grant.authenticated_at),
                "token_use": "access",
            },
        )

    async def token_preflight(self, _: Request) -> Response:
        return Response(
            status_code=204,
            headers={
                "access-control-allow-origin": "*",
                "access-control-allow-methods": "POST",
                "access-control-allow-headers": "Content-Type",
                "access-control-max-age": "600",
            },
        )

    async def logout(self, request: Request) -> Response:
        """Cognito's logout: back to an allowed URI. The issuer keeps no session, so nothing else ends."""
        parameters = request.query_params
        client_id = parameters.get("client_id")
        if client_id != self._client_id:
            return _refusal_page(
                "Sign-out request refused", f"The client_id must be the local issuer's, {self._client_id!r}."
            )
        # Cognito reads logout_uri, OpenID Connect post_logout_redirect_uri; the console sends both.
        logout_uri = parameters.get("logout_uri") or parameters.get("post_logout_redirect_uri")
        if not logout_uri or not self.is_allowed_redirect(logout_uri):
            return _refusal_page(
                "Sign-out request refused",
                "logout_uri (or post_logout_redirect_uri) must be an allowed URI of the client: on the "
                "gateway's origin, or plain http on a loopback host.",
            )
        location = with_query(logout_uri, {"state": parameters.get("state") or None})
        return RedirectResponse(location, status_code=302, headers=_REDIRECT_HEADERS)

    def _sign_in_page(
        self,
        authorization: AuthorizationRequest,
        workspace: str,
        email: str,
        field_errors: Mapping[str, str],
        status_code: int = 200,
    ) -> Response:
        hidden_fields = "\n".join(
            f'<input type="hidden" name="{_escape(name)}" value="{_escape(value)}">'
            for name, value in authorization.form_fields().items()
        )
        workspace_options = "".join(f'<option value="{_escape(w)}"></option>' for w in self._workspaces)
        redirect = urlsplit(authorization.redirect_uri)
        body = f"""<h1>Sign in to the local stack</h1>
<p class="note">The local stack's stand-in for Cognito's hosted UI: no password, the tokens carry the
workspace and e-mail given here.</p>
<form method="post" action="{AUTHORIZE_PATH}">
{hidden_fields}
{_text_field("workspace", "Workspace", workspace, field_errors, 'list="workspaces" autocomplete="off"')}
<datalist id="workspaces">{workspace_options}</datalist>
{_text_field("email", "E-mail", email, field_errors, 'type="email" autocomplete="email"')}
<div class="actions">
<button type="submit" name="action" value="{SIGN_IN_ACTION}" class="primary" autofocus>Sign in</button>
<button type="submit" name="action" value="{CANCEL_ACTION}" formnovalidate>Cancel</button>
</div>
</form>
<p class="note">For {_escape(authorization.client_id)}, back to {_escape(f"{redirect.scheme}://{redirect.netloc}")}</p>"""
        return _page("Sign in to the local stack", body, status_code)


def _token_error(error: str, description: str) -> Response:
    return JSONResponse(
        {"error": error, "error_description": description}, status_code=400, headers=_TOKEN_HEADERS
    )


def _escape(text: str) -> str:
    return html.escape(text, quote=True)


def _text_field(name: str, label: str, value: str, field_errors: Mapping[str, str], attributes: str) -> str:
    error = field_errors.get(name)
    described = f' aria-invalid="true" aria-describedby="{name}-error"' if error else ""
    message = f'\n<p id="{name}-error" class="error">{_escape(error)}</p>' if error else ""
    return (
        f'<label for="{name}">{label}</label>\n'
        f'<input id="{name}" name="{name}" value="{_escape(value)}" required spellcheck="false" '
        f"{attributes}{described}>{message}"
    )


def _refusal_page(title: str, message: str) -> Response:
    body = f"""<h1>{_escape(title)}</h1>
<p>{_escape(message)}</p>
<p class="note">The local issuer sent nothing back to the application that asked.</p>"""
    return _page(title, body, 400)


def _page(title: str, body: str, status_code: int) -> Response:
    document = f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_escape(title)}</title>
<style>{_STYLE}</style>
</head>
<body>
<main>
{body}
</main>
</body>
</html>
"""
    return HTMLResponse(document, status_code=status_code, headers=_PAGE_HEADERS)


_STYLE = """
:root { color-scheme: light dark; font-family: system-ui, sans-serif; line-height: 1.4; }
body { margin: 0; min-height: 100vh; display: grid; place-items: center; }
main { width: min(24rem, calc(100vw - 2rem)); padding: 2rem; border: 1px solid #8884;
  border-radius: 12px; box-shadow: 0 4px 24px #0002; }
h1 { font-size: 1.4rem; margin: 0 0 .5rem; }
.note { color: GrayText; font-size: .9rem; }
label { display: block; font-weight: 600; margin: 1rem 0 .3rem; }
input { box-sizing: border-box; width: 100%; padding: .55rem .7rem; font: inherit;
  border: 1px solid #8888; border-radius: 6px; }
input[aria-invalid="true"] { border-color: #d33; }
.error { color: #d33; font-size: .9rem; margin: .3rem 0 0; }
.actions { display: flex; gap: .75rem; margin: 1.5rem 0 1rem; }
button { flex: 1; padding: .6rem; font: inherit; border: 1px solid #8888; border-radius: 6px;
  background: transparent; color: inherit; cursor: pointer; }
button.primary { background: #2563eb; border-color: #2563eb; color: #fff; }
"""


def sign_in_routes(
    issuer: LocalJwtIssuer,
    gateway_url: str,
    workspaces: Sequence[str],
    *,
    clock: Callable[[], float] = time.time,
) -> list[BaseRoute]:
    """The hosted sign-in's routes for the gateway: authorize (the page and its form), token, logout."""
    return HostedSignIn(issuer, gateway_url, workspaces, AuthorizationCodes(clock)).routes()
