"""The local API Gateway HTTP API: template.yaml's routes, its JWT authorizer, payload format 2.0.

Each request is matched to a route as API Gateway matches it, authorized by the route's JWT authorizer,
turned into the 2.0 event AWS would send, handed to an execution environment of the function (a worker
process), and the handler's result turned into the HTTP response API Gateway would give. API Gateway's
own answers (404, 401, 413, 500) carry its own bodies.
"""

import base64
import json
import logging
import secrets
import time
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, unquote

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import Receive, Scope, Send

from infra.local.authorizer import JwtAuthorizer, TokenRefused, claims_as_event_strings
from infra.local.cfn import IntrinsicResolver, TemplateError
from infra.local.jwt_issuer import JWKS_PATH, OPENID_CONFIGURATION_PATH, LocalJwtIssuer
from infra.local.lambda_runtime import LambdaFunction, LocalLambda

BODY_LIMIT_BYTES = 10 * 1024 * 1024
LOCAL_API_ID = "local"
DEFAULT_ROUTE = "$default"
ANY_METHOD = "ANY"

_logger = logging.getLogger(__name__)

_TEXT_MEDIA_TYPES = frozenset(
    {
        "application/json",
        "application/xml",
        "application/javascript",
        "application/x-yaml",
        "application/yaml",
        "application/graphql",
    }
)
_SERVERLESS_HTTP_API = "AWS::Serverless::HttpApi"
_NO_AUTHORIZER = "NONE"
_LITERAL, _PARAMETER, _GREEDY = 0, 1, 2


def api_gateway_error(status_code: int, message: str, headers: Mapping[str, str] | None = None) -> Response:
    """A response API Gateway itself gives, with its `{"message": ...}` body."""
    return JSONResponse({"message": message}, status_code=status_code, headers=headers)


@dataclass(frozen=True)
class HttpRoute:
    """One route of the HTTP API: `method` may be ANY, `path` `$default`; no authorizer means public."""

    method: str
    path: str
    function: LambdaFunction
    authorizer: JwtAuthorizer | None

    @property
    def route_key(self) -> str:
        return DEFAULT_ROUTE if self.path == DEFAULT_ROUTE else f"{self.method} {self.path}"


@dataclass(frozen=True)
class RouteMatch:
    route: HttpRoute
    path_parameters: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class _CompiledRoute:
    route: HttpRoute
    segments: tuple[tuple[int, str], ...]

    def parameters_for(self, path_segments: Sequence[str]) -> dict[str, str] | None:
        parameters: dict[str, str] = {}
        for position, (kind, text) in enumerate(self.segments):
            if kind == _GREEDY:
                rest = path_segments[position:]
                if not rest or not all(rest):
                    return None
                parameters[text] = "/".join(rest)
                return parameters
            if position >= len(path_segments) or not path_segments[position]:
                return None
            if kind == _LITERAL and path_segments[position] != text:
                return None
            if kind == _PARAMETER:
                parameters[text] = path_segments[position]
        return parameters if len(path_segments) == len(self.segments) else None

    def specificity(self) -> tuple[tuple[int, ...], bool]:
        """Smaller is more specific: literal segments beat parameters beat greedy ones; a method beats ANY."""
        return tuple(kind for kind, _ in self.segments), self.route.method == ANY_METHOD


def _compile(route: HttpRoute) -> _CompiledRoute:
    segments: list[tuple[int, str]] = []
    for segment in route.path.strip("/").split("/"):
        if segment.startswith("{") and segment.endswith("+}"):
            segments.append((_GREEDY, segment[1:-2]))
        elif segment.startswith("{") and segment.endswith("}"):
            segments.append((_PARAMETER, segment[1:-1]))
        else:
            segments.append((_LITERAL, segment))
    return _CompiledRoute(route, tuple(segments))


class RouteTable:
    """API Gateway's route selection: the most specific matching route, else `$default`, else none."""

    def __init__(self, routes: Sequence[HttpRoute]) -> None:
        keys = [route.route_key for route in routes]
        duplicates = sorted({key for key in keys if keys.count(key) > 1})
        if duplicates:
            raise TemplateError(f"routes declared more than once: {duplicates}")
        self.routes = tuple(routes)
        self._compiled = [_compile(route) for route in routes if route.path != DEFAULT_ROUTE]
        self._default = next((route for route in routes if route.path == DEFAULT_ROUTE), None)

    def match(self, method: str, raw_path: str) -> RouteMatch | None:
        path_segments = [unquote(segment) for segment in raw_path.removeprefix("/").split("/")]
        candidates = [
            (compiled, parameters)
            for compiled in self._compiled
            if compiled.route.method in {method, ANY_METHOD}
            and (parameters := compiled.parameters_for(path_segments)) is not None
        ]
        if candidates:
            compiled, parameters = min(candidates, key=lambda candidate: candidate[0].specificity())
            return RouteMatch(compiled.route, parameters)
        return RouteMatch(self._default) if self._default is not None else None


def read_http_routes(
    template: Mapping[str, Any],
    resolver: IntrinsicResolver,
    functions: Mapping[str, LambdaFunction],
    jwks: Mapping[str, Any],
) -> list[HttpRoute]:
    """Every HttpApi event of the template's functions, with the authorizer API Gateway would apply."""
    routes: list[HttpRoute] = []
    authorizers: dict[tuple[str, str], JwtAuthorizer] = {}
    for logical_id, function in functions.items():
        events: Mapping[str, Any] = function.properties.get("Events", {})
        for event_name, event in events.items():
            if event.get("Type") != "HttpApi":
                continue
            properties: Mapping[str, Any] = event.get("Properties", {})
            api_auth = _api_auth(template, properties.get("ApiId"), f"{logical_id}.{event_name}")
            authorizer_name = properties.get("Auth", {}).get("Authorizer", api_auth.get("DefaultAuthorizer"))
            authorizer = None
            if authorizer_name is not None and authorizer_name != _NO_AUTHORIZER:
                key = (str(properties.get("ApiId")), authorizer_name)
                if key not in authorizers:
                    authorizers[key] = _jwt_authorizer(api_auth, authorizer_name, resolver, jwks)
                authorizer = authorizers[key]
            routes.append(
                HttpRoute(
                    method=str(properties.get("Method", ANY_METHOD)).upper(),
                    path=properties.get("Path", DEFAULT_ROUTE),
                    function=function,
                    authorizer=authorizer,
                )
            )
    return routes


def _api_auth(template: Mapping[str, Any], api_id: Any, event: str) -> Mapping[str, Any]:
    """The Auth section of the event's HttpApi: the one its ApiId names, else SAM's implicit API (Globals)."""
    if api_id is None:
        auth: Mapping[str, Any] = template.get("Globals", {}).get("HttpApi", {}).get("Auth", {})
        return auth
    api_name = api_id.get("Ref") if isinstance(api_id, dict) else None
    api = template.get("Resources", {}).get(api_name, {})
    if api.get("Type") != _SERVERLESS_HTTP_API:
        raise TemplateError(f"{event}: ApiId {api_id!r} is not a !Ref to an AWS::Serverless::HttpApi")
    globals_auth = template.get("Globals", {}).get("HttpApi", {}).get("Auth", {})
    api_auth: Mapping[str, Any] = api.get("Properties", {}).get("Auth", globals_auth)
    return api_auth


def _jwt_authorizer(
    api_auth: Mapping[str, Any], name: str, resolver: IntrinsicResolver, jwks: Mapping[str, Any]
) -> JwtAuthorizer:
    definition = api_auth.get("Authorizers", {}).get(name)
    if definition is None:
        raise TemplateError(f"authorizer {name} is not defined")
    if "JwtConfiguration" not in definition:
        raise TemplateError(
            f"authorizer {name} is not a JWT authorizer; the local gateway emulates only those"
        )
    configuration = resolver.resolve(definition["JwtConfiguration"])
    audiences = configuration.get("audience", [])
    return JwtAuthorizer(
        issuer=configuration["issuer"],
        audiences=[audiences] if isinstance(audiences, str) else audiences,
        jwks=jwks,
        identity_source=definition.get("IdentitySource", "$request.header.Authorization"),
    )


@dataclass(frozen=True)
class IncomingRequest:
    """An HTTP request as it reached API Gateway."""

    method: str
    raw_path: str
    raw_query_string: str
    headers: Sequence[tuple[str, str]]
    body: bytes
    source_ip: str


def combined_headers(headers: Sequence[tuple[str, str]]) -> dict[str, str]:
    """Header names lowercased, repeated headers joined with commas, as in payload format 2.0."""
    combined: dict[str, str] = {}
    for name, value in headers:
        lowered = name.lower()
        combined[lowered] = f"{combined[lowered]},{value}" if lowered in combined else value
    return combined


def new_request_id() -> str:
    """An id shaped like API Gateway's (`JKJaXmPLvHcESHA=`)."""
    return base64.b64encode(secrets.token_bytes(10)).decode()


def build_http_api_event(
    request: IncomingRequest,
    match: RouteMatch,
    *,
    claims: Mapping[str, Any] | None,
    request_id: str,
    received_at: datetime,
    account_id: str,
    api_id: str = LOCAL_API_ID,
) -> dict[str, Any]:
    """The API Gateway HTTP API payload format 2.0 event for a request that matched `match`."""
    headers = combined_headers(request.headers)
    cookie_header = headers.pop("cookie", None)
    forwarded_for = headers.get("x-forwarded-for")
    headers["x-forwarded-for"] = (
        f"{forwarded_for}, {request.source_ip}" if forwarded_for else request.source_ip
    )
    headers.setdefault("x-forwarded-proto", "http")
    host = headers.get("host", "localhost")
    headers.setdefault("x-forwarded-port", host.rpartition(":")[2] if ":" in host else "80")
    headers["x-amzn-trace-id"] = f"Root=1-{int(received_at.timestamp()):08x}-{secrets.token_hex(12)}"
    request_context: dict[str, Any] = {
        "accountId": account_id,
        "apiId": api_id,
        "domainName": host,
        "domainPrefix": host.split(".", 1)[0],
        "http": {
            "method": request.method,
            "path": request.raw_path,
            "protocol": "HTTP/1.1",
            "sourceIp": request.source_ip,
            "userAgent": headers.get("user-agent", ""),
        },
        "requestId": request_id,
        "routeKey": match.route.route_key,
        "stage": "$default",
        "time": received_at.strftime("%d/%b/%Y:%H:%M:%S +0000"),
        "timeEpoch": int(received_at.timestamp() * 1000),
    }
    if claims is not None:
        request_context["authorizer"] = {"jwt": {"claims": claims_as_event_strings(claims), "scopes": None}}
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": match.route.route_key,
        "rawPath": request.raw_path,
        "rawQueryString": request.raw_query_string,
    }
    if cookie_header:
        event["cookies"] = [
            cookie.strip() for cookie in cookie_header.replace(",", ";").split(";") if cookie.strip()
        ]
    event["headers"] = headers
    query_parameters = combined_headers(parse_qsl(request.raw_query_string, keep_blank_values=True))
    if query_parameters:
        event["queryStringParameters"] = query_parameters
    event["requestContext"] = request_context
    if request.body:
        body_text = _as_text(request.body, headers.get("content-type", ""))
        event["body"] = body_text if body_text is not None else base64.b64encode(request.body).decode()
        event["isBase64Encoded"] = body_text is None
    else:
        event["isBase64Encoded"] = False
    if match.path_parameters:
        event["pathParameters"] = match.path_parameters
    return event


def _as_text(body: bytes, content_type: str) -> str | None:
    """The body as text when API Gateway passes it as text, None when it base64-encodes it."""
    media_type = content_type.split(";", 1)[0].strip().lower()
    is_text = (
        not media_type
        or media_type.startswith("text/")
        or media_type in _TEXT_MEDIA_TYPES
        or media_type.endswith(("+json", "+xml"))
    )
    if not is_text:
        return None
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return None


class InvalidLambdaResponse(Exception):
    """The handler's result is not one API Gateway can turn into a response."""


def response_from_lambda_result(result: Any) -> Response:
    """API Gateway's reading of a 2.0 result: a dict with statusCode, or any JSON value as a 200 JSON body."""
    try:
        result = json.loads(json.dumps(result))
    except (TypeError, ValueError) as error:
        raise InvalidLambdaResponse(f"the result is not JSON-serialisable: {error}") from error
    if not (isinstance(result, dict) and "statusCode" in result):
        return Response(json.dumps(result), status_code=200, media_type="application/json")
    status_code = result["statusCode"]
    if not isinstance(status_code, int) or not 100 <= status_code <= 599:
        raise InvalidLambdaResponse(f"statusCode {status_code!r} is not an HTTP status")
    if "multiValueHeaders" in result:
        _logger.warning("the result has multiValueHeaders, which payload format 2.0 ignores (on AWS too)")
    body = result.get("body") or ""
    if not isinstance(body, str):
        raise InvalidLambdaResponse(f"body must be a string, not {type(body).__name__}")
    content = base64.b64decode(body) if result.get("isBase64Encoded") else body.encode()
    response = Response(content, status_code=status_code)
    headers: Mapping[str, Any] = result.get("headers") or {}
    for name, value in headers.items():
        response.headers.append(name.lower(), _header_value(value))
    for cookie in result.get("cookies") or []:
        response.headers.append("set-cookie", str(cookie))
    if "content-type" not in response.headers:
        response.headers["content-type"] = "text/plain; charset=utf-8"
    return response


def _header_value(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


class HttpApiGateway:
    """The ASGI side of the gateway: one catch-all endpoint in front of the route table."""

    def __init__(
        self, route_table: RouteTable, lambdas: Mapping[str, LocalLambda], account_id: str, api_id: str
    ) -> None:
        self._route_table = route_table
        self._lambdas = lambdas
        self._account_id = account_id
        self._api_id = api_id

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # An ASGI app rather than a Starlette endpoint function, so that every method reaches it.
        response = await self.handle(Request(scope, receive))
        await response(scope, receive, send)

    async def handle(self, request: Request) -> Response:
        started = time.monotonic()
        raw_path = request.scope.get("raw_path", request.url.path.encode()).decode("latin-1")
        response, function_name = await self._respond(request, raw_path)
        _logger.info(
            "%s %s -> %s (%s, %.0f ms)",
            request.method,
            raw_path,
            response.status_code,
            function_name or "gateway",
            (time.monotonic() - started) * 1000,
        )
        return response

    async def _respond(self, request: Request, raw_path: str) -> tuple[Response, str | None]:
        body = await _read_body(request)
        if body is None:
            return api_gateway_error(413, "Request Entity Too Large"), None
        match = self._route_table.match(request.method, raw_path)
        if match is None:
            return api_gateway_error(404, "Not Found"), None
        incoming = IncomingRequest(
            method=request.method,
            raw_path=raw_path,
            raw_query_string=request.scope.get("query_string", b"").decode("latin-1"),
            headers=[
                (name.decode("latin-1"), value.decode("latin-1")) for name, value in request.headers.raw
            ],
            body=body,
            source_ip=request.client.host if request.client else "127.0.0.1",
        )
        claims = None
        if match.route.authorizer is not None:
            try:
                claims = match.route.authorizer.claims(combined_headers(incoming.headers))
            except TokenRefused as refusal:
                _logger.info("%s refused by the JWT authorizer: %s", match.route.route_key, refusal)
                return api_gateway_error(401, "Unauthorized", {"www-authenticate": "Bearer"}), None
        request_id = new_request_id()
        event = build_http_api_event(
            incoming,
            match,
            claims=claims,
            request_id=request_id,
            received_at=datetime.now(UTC),
            account_id=self._account_id,
            api_id=self._api_id,
        )
        local_lambda = self._lambdas[match.route.function.logical_id]
        try:
            result = await run_in_threadpool(local_lambda.invoke, event)
            response = response_from_lambda_result(result)
        except Exception:
            _logger.exception(
                "%s failed on %s (request %s)",
                local_lambda.function.logical_id,
                match.route.route_key,
                request_id,
            )
            response = api_gateway_error(500, "Internal Server Error")
        response.headers["apigw-requestid"] = request_id
        return response, local_lambda.function.logical_id


async def _read_body(request: Request) -> bytes | None:
    """The whole body, or None once it grows past API Gateway's limit."""
    declared_length = request.headers.get("content-length", "")
    if declared_length.isdigit() and int(declared_length) > BODY_LIMIT_BYTES:
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > BODY_LIMIT_BYTES:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def create_gateway_app(
    routes: Sequence[HttpRoute],
    *,
    region: str,
    account_id: str,
    issuer: LocalJwtIssuer | None = None,
    api_id: str = LOCAL_API_ID,
    local_routes: Sequence[BaseRoute] = (),
) -> Starlette:
    """The gateway as an ASGI app; with an issuer it also serves that issuer's discovery document and JWKS.
    `local_routes` (the local stack's own controls) take precedence over the template's routes."""
    route_table = RouteTable(routes)
    lambdas = {
        route.function.logical_id: LocalLambda(route.function, region=region, account_id=account_id)
        for route in routes
    }
    gateway = HttpApiGateway(route_table, lambdas, account_id, api_id)
    starlette_routes: list[BaseRoute] = []
    if issuer is not None:
        jwks, openid_configuration = issuer.jwks(), issuer.openid_configuration()

        # Documents any origin's browser may read (the console's dev server), as providers serve them.
        async def serve_jwks(_: Request) -> Response:
            return JSONResponse(jwks, headers={"access-control-allow-origin": "*"})

        async def serve_openid_configuration(_: Request) -> Response:
            return JSONResponse(openid_configuration, headers={"access-control-allow-origin": "*"})

        starlette_routes += [
            Route(JWKS_PATH, serve_jwks, methods=["GET"]),
            Route(OPENID_CONFIGURATION_PATH, serve_openid_configuration, methods=["GET"]),
        ]
    starlette_routes += local_routes

    @asynccontextmanager
    async def stop_environments(_: Starlette) -> AsyncIterator[None]:
        yield
        for local_lambda in lambdas.values():
            local_lambda.close()

    app = Starlette(routes=starlette_routes, lifespan=stop_environments)
    # The gateway takes whatever no local route does: a catch-all `/{path:path}` route would miss a
    # path with an encoded newline (its pattern's `.` stops there) and answer with Starlette's text 404.
    app.router.default = gateway
    return app
