"""The local gateway: route selection, the 2.0 event, the JWT authorizer in front, API Gateway's answers."""

import base64
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from infra.local.cfn import IntrinsicResolver, TemplateError, load_template
from infra.local.gateway import (
    HttpRoute,
    IncomingRequest,
    InvalidLambdaResponse,
    RouteMatch,
    RouteTable,
    build_http_api_event,
    create_gateway_app,
    read_http_routes,
    response_from_lambda_result,
)
from infra.local.jwt_issuer import LocalJwtIssuer
from infra.local.lambda_runtime import LambdaFunction, read_functions
from tests.unit.support import ROOT

ISSUER_URL = "https://issuer.example/local-issuer"
AUDIENCE = "wachannel-local"
DOCUMENTED_EVENT = json.loads((ROOT / "tests/fixtures/apigw_http_v2_event.json").read_text())

TEMPLATE = """
Transform: AWS::Serverless-2016-10-31
Parameters:
  JwtIssuer: {Type: String}
Globals:
  Function:
    Timeout: 7
    MemorySize: 512
    Layers: [!Ref SharedLayer]
    Environment:
      Variables:
        GREETING: hello
Resources:
  Api:
    Type: AWS::Serverless::HttpApi
    Properties:
      Auth:
        DefaultAuthorizer: Jwt
        Authorizers:
          Jwt:
            IdentitySource: $request.header.Authorization
            JwtConfiguration:
              issuer: !Ref JwtIssuer
              audience: [wachannel-local]
  SharedLayer:
    Type: AWS::Serverless::LayerVersion
    Properties:
      ContentUri: layer/
  EchoFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/echo/
      Handler: app.lambda_handler
      Events:
        ListItems: {Type: HttpApi, Properties: {ApiId: !Ref Api, Method: GET, Path: /items}}
        CreateItem:
          Type: HttpApi
          Properties: {ApiId: !Ref Api, Method: POST, Path: /items, Auth: {Authorizer: NONE}}
        GetItem: {Type: HttpApi, Properties: {ApiId: !Ref Api, Method: GET, Path: "/items/{item_id}"}}
        Special: {Type: HttpApi, Properties: {ApiId: !Ref Api, Method: GET, Path: /items/special}}
        Files: {Type: HttpApi, Properties: {ApiId: !Ref Api, Method: ANY, Path: "/files/{proxy+}"}}
        Respond:
          Type: HttpApi
          Properties: {ApiId: !Ref Api, Method: POST, Path: /respond, Auth: {Authorizer: NONE}}
  MissingFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/missing/
      Handler: app.lambda_handler
      Events:
        Missing:
          Type: HttpApi
          Properties: {ApiId: !Ref Api, Method: GET, Path: /missing, Auth: {Authorizer: NONE}}
"""

ECHO_HANDLER = """
import json

from shared_helper import SHARED


def lambda_handler(event, context):
    if event["rawPath"] == "/respond":
        return json.loads(event["body"])
    if event.get("queryStringParameters", {}).get("fail") == "yes":
        raise RuntimeError("the handler broke")
    return {
        "statusCode": 200,
        "headers": {"content-type": "application/json"},
        "body": json.dumps(
            {
                "event": event,
                "shared": SHARED,
                "function_name": context.function_name,
                "memory": context.memory_limit_in_mb,
                "remaining_ms": context.get_remaining_time_in_millis(),
            }
        ),
    }
"""


@pytest.fixture(scope="module")
def issuer() -> LocalJwtIssuer:
    return LocalJwtIssuer.generate(ISSUER_URL, AUDIENCE)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "template.yaml").write_text(TEMPLATE)
    (tmp_path / "layer").mkdir()
    (tmp_path / "layer/shared_helper.py").write_text('SHARED = "from the layer"\n')
    (tmp_path / "functions/echo").mkdir(parents=True)
    (tmp_path / "functions/echo/app.py").write_text(ECHO_HANDLER)
    return tmp_path


def _routes(project: Path, issuer: LocalJwtIssuer) -> list[HttpRoute]:
    template = load_template(project / "template.yaml")
    resolver = IntrinsicResolver(
        template, region="eu-central-1", stack_name="test", parameter_values={"JwtIssuer": issuer.issuer}
    )
    functions = read_functions(template, project, resolver, "test")
    return read_http_routes(template, resolver, functions, issuer.jwks())


@pytest.fixture
def client(project: Path, issuer: LocalJwtIssuer) -> Iterator[TestClient]:
    app = create_gateway_app(
        _routes(project, issuer), region="eu-central-1", account_id="123456789012", issuer=issuer
    )
    with TestClient(app, base_url="http://127.0.0.1:3000") as test_client:
        yield test_client


def _token(issuer: LocalJwtIssuer, workspace: str | None = "ws_1") -> dict[str, str]:
    return {"Authorization": f"Bearer {issuer.mint(workspace, 'user-1')}"}


def test_routes_come_from_the_template_with_their_authorizers(project: Path, issuer: LocalJwtIssuer) -> None:
    routes = {route.route_key: route for route in _routes(project, issuer)}

    assert set(routes) == {
        "GET /items",
        "POST /items",
        "GET /items/{item_id}",
        "GET /items/special",
        "ANY /files/{proxy+}",
        "POST /respond",
        "GET /missing",
    }
    assert routes["POST /items"].authorizer is None
    authorizer = routes["GET /items"].authorizer
    assert authorizer is not None
    assert authorizer.issuer == ISSUER_URL
    assert authorizer.audiences == {AUDIENCE}
    assert routes["GET /items"].function.timeout_seconds == 7
    assert routes["GET /items"].function.memory_mb == 512


def _function(name: str = "F") -> LambdaFunction:
    return LambdaFunction(name, name, Path("/nowhere"), "app.lambda_handler", 3, 128, (), {})


def _table(*route_keys: str) -> RouteTable:
    routes = []
    for key in route_keys:
        method, _, path = key.partition(" ")
        routes.append(
            HttpRoute(method, path, _function(), None) if path else HttpRoute("ANY", key, _function(), None)
        )
    return RouteTable(routes)


@pytest.mark.parametrize(
    ("method", "path", "route_key", "parameters"),
    [
        ("GET", "/pets/dog/1", "GET /pets/dog/1", {}),
        ("GET", "/pets/dog/2", "GET /pets/dog/{id}", {"id": "2"}),
        ("GET", "/pets/cat/2", "GET /pets/{proxy+}", {"proxy": "cat/2"}),
        ("POST", "/pets/dog/1", "ANY /{proxy+}", {"proxy": "pets/dog/1"}),
        ("GET", "/toys", "ANY /{proxy+}", {"proxy": "toys"}),
        ("GET", "/", "$default", {}),
        ("GET", "/pets/dog/a%20b", "GET /pets/dog/{id}", {"id": "a b"}),
    ],
)
def test_the_most_specific_route_wins_like_api_gateway(
    method: str, path: str, route_key: str, parameters: dict[str, str]
) -> None:
    table = _table("GET /pets/dog/1", "GET /pets/dog/{id}", "GET /pets/{proxy+}", "ANY /{proxy+}", "$default")

    match = table.match(method, path)

    assert match is not None
    assert (match.route.route_key, match.path_parameters) == (route_key, parameters)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/channels/abc/extra"),
        ("GET", "/channels/"),
        ("POST", "/channels/abc"),
        ("OPTIONS", "/channels"),
        ("HEAD", "/channels"),
        ("GET", "/files"),
        ("GET", "/unknown"),
    ],
)
def test_nothing_matches_without_a_default_route(method: str, path: str) -> None:
    table = _table("GET /channels", "GET /channels/{channel_id}", "GET /files/{proxy+}")

    assert table.match(method, path) is None


def test_a_method_route_beats_any_on_the_same_path() -> None:
    match = _table("ANY /items", "GET /items").match("GET", "/items")

    assert match is not None
    assert match.route.route_key == "GET /items"


def test_a_route_declared_twice_is_an_error() -> None:
    with pytest.raises(TemplateError, match="GET /items"):
        _table("GET /items", "GET /items")


def _incoming(**overrides: Any) -> IncomingRequest:
    fields: dict[str, Any] = {
        "method": "GET",
        "raw_path": "/channels",
        "raw_query_string": "",
        "headers": [
            ("Host", "127.0.0.1:3000"),
            ("Accept", "application/json"),
            ("User-Agent", "pytest"),
            ("Content-Length", "0"),
        ],
        "body": b"",
        "source_ip": "127.0.0.1",
    }
    return IncomingRequest(**(fields | overrides))


def _event(request: IncomingRequest, route_key: str = "GET /channels", **match: str) -> dict[str, Any]:
    method, _, path = route_key.partition(" ")
    return build_http_api_event(
        request,
        RouteMatch(HttpRoute(method, path, _function(), None), dict(match)),
        claims={"sub": "user-123", "exp": 1795000000, "iat": 1794990000, "iss": "https://i", "aud": "a"},
        request_id="JKJaXmPLFiAEMyw=",
        received_at=datetime(2026, 11, 24, 10, 0, tzinfo=UTC),
        account_id="123456789012",
    )


def _shape(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _shape(item) for key, item in value.items()}
    return type(value).__name__


def test_the_event_has_the_documented_2_0_shape() -> None:
    event = _event(_incoming())

    assert _shape(event) == _shape(DOCUMENTED_EVENT)
    assert event["routeKey"] == event["requestContext"]["routeKey"] == "GET /channels"
    assert event["requestContext"]["time"] == "24/Nov/2026:10:00:00 +0000"
    assert (
        event["requestContext"]["timeEpoch"] == datetime(2026, 11, 24, 10, 0, tzinfo=UTC).timestamp() * 1000
    )
    assert event["requestContext"]["stage"] == "$default"
    assert event["requestContext"]["authorizer"]["jwt"]["claims"]["exp"] == "1795000000"


def test_headers_are_lowercased_and_repeated_ones_comma_joined_and_cookies_moved() -> None:
    request = _incoming(
        headers=[
            ("Host", "127.0.0.1:3000"),
            ("X-Multi", "a"),
            ("x-multi", "b"),
            ("Cookie", "session=1; theme=dark"),
            ("X-Forwarded-For", "198.51.100.1"),
        ]
    )

    event = _event(request)

    assert event["headers"]["x-multi"] == "a,b"
    assert "cookie" not in event["headers"]
    assert event["cookies"] == ["session=1", "theme=dark"]
    assert event["headers"]["x-forwarded-for"] == "198.51.100.1, 127.0.0.1"
    assert event["headers"]["x-forwarded-port"] == "3000"
    assert event["requestContext"]["domainName"] == "127.0.0.1:3000"


def test_query_parameters_are_decoded_and_repeated_ones_comma_joined() -> None:
    event = _event(_incoming(raw_query_string="a=1&a=2&b=x%20y&empty="))

    assert event["rawQueryString"] == "a=1&a=2&b=x%20y&empty="
    assert event["queryStringParameters"] == {"a": "1,2", "b": "x y", "empty": ""}


def test_path_parameters_and_route_key_come_from_the_match() -> None:
    event = _event(_incoming(raw_path="/channels/ch_1"), "GET /channels/{channel_id}", channel_id="ch_1")

    assert event["pathParameters"] == {"channel_id": "ch_1"}
    assert event["routeKey"] == "GET /channels/{channel_id}"
    assert event["rawPath"] == event["requestContext"]["http"]["path"] == "/channels/ch_1"


def test_a_text_body_stays_text_and_a_binary_body_is_base64() -> None:
    json_event = _event(_incoming(body=b'{"a": 1}', headers=[("content-type", "application/json")]))
    binary_event = _event(_incoming(body=b"\x89PNG", headers=[("content-type", "image/png")]))
    form_event = _event(
        _incoming(body=b"a=1", headers=[("content-type", "application/x-www-form-urlencoded")])
    )

    assert (json_event["body"], json_event["isBase64Encoded"]) == ('{"a": 1}', False)
    assert (binary_event["body"], binary_event["isBase64Encoded"]) == (
        base64.b64encode(b"\x89PNG").decode(),
        True,
    )
    assert form_event["isBase64Encoded"] is True


def test_a_public_route_event_has_no_authorizer() -> None:
    event = build_http_api_event(
        _incoming(),
        RouteMatch(HttpRoute("GET", "/openapi.json", _function(), None)),
        claims=None,
        request_id="r",
        received_at=datetime.now(UTC),
        account_id="123456789012",
    )

    assert "authorizer" not in event["requestContext"]


def test_a_result_with_status_code_maps_headers_cookies_and_base64_bodies() -> None:
    response = response_from_lambda_result(
        {
            "statusCode": 201,
            "headers": {"Content-Type": "image/png", "X-Flag": True},
            "cookies": ["a=1; Path=/", "b=2"],
            "body": base64.b64encode(b"\x89PNG").decode(),
            "isBase64Encoded": True,
        }
    )

    assert response.status_code == 201
    assert response.body == b"\x89PNG"
    assert response.headers["content-type"] == "image/png"
    assert response.headers["x-flag"] == "true"
    assert response.headers.getlist("set-cookie") == ["a=1; Path=/", "b=2"]


def test_a_result_without_status_code_is_a_json_200() -> None:
    response = response_from_lambda_result({"hello": "world"})

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert json.loads(bytes(response.body)) == {"hello": "world"}


def test_a_result_without_content_type_gets_api_gateway_default() -> None:
    response = response_from_lambda_result({"statusCode": 204})

    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert response.body == b""


def test_multi_value_headers_are_ignored_as_payload_2_0_ignores_them() -> None:
    response = response_from_lambda_result(
        {"statusCode": 200, "body": "{}", "multiValueHeaders": {"Content-Type": ["application/json"]}}
    )

    assert response.headers["content-type"] == "text/plain; charset=utf-8"


@pytest.mark.parametrize(
    "result",
    [
        {"statusCode": "200"},
        {"statusCode": 99},
        {"statusCode": 200, "body": {"not": "a string"}},
        {"x": object()},
    ],
)
def test_a_result_api_gateway_cannot_read_is_refused(result: Any) -> None:
    with pytest.raises(InvalidLambdaResponse):
        response_from_lambda_result(result)


def test_a_protected_route_runs_the_handler_with_claims_and_context(
    client: TestClient, issuer: LocalJwtIssuer
) -> None:
    response = client.get("/items/42?x=1", headers=_token(issuer))

    assert response.status_code == 200
    assert response.headers["apigw-requestid"]
    body = response.json()
    event = body["event"]
    assert event["routeKey"] == "GET /items/{item_id}"
    assert event["pathParameters"] == {"item_id": "42"}
    assert event["queryStringParameters"] == {"x": "1"}
    assert event["requestContext"]["authorizer"]["jwt"]["claims"]["workspace_id"] == "ws_1"
    assert event["requestContext"]["requestId"] == response.headers["apigw-requestid"]
    assert body["shared"] == "from the layer"
    assert body["function_name"] == "test-EchoFunction"
    assert body["memory"] == 512
    assert 0 < body["remaining_ms"] <= 7000


def test_each_request_gets_its_own_request_id(client: TestClient, issuer: LocalJwtIssuer) -> None:
    ids = {client.get("/items", headers=_token(issuer)).headers["apigw-requestid"] for _ in range(3)}

    assert len(ids) == 3


@pytest.mark.parametrize(
    "headers", [{}, {"Authorization": "Bearer nonsense"}, {"Authorization": "Basic dXNlcjpwYXNz"}]
)
def test_the_authorizer_answers_401_before_the_handler(client: TestClient, headers: dict[str, str]) -> None:
    response = client.get("/items", headers=headers)

    assert response.status_code == 401
    assert response.json() == {"message": "Unauthorized"}
    assert response.headers["www-authenticate"] == "Bearer"


def test_a_public_route_needs_no_token(client: TestClient) -> None:
    response = client.post("/items", json={"name": "x"})

    assert response.status_code == 200
    event = response.json()["event"]
    assert "authorizer" not in event["requestContext"]
    assert json.loads(event["body"]) == {"name": "x"}


@pytest.mark.parametrize(("method", "path"), [("GET", "/nope"), ("DELETE", "/items"), ("OPTIONS", "/items")])
def test_an_unknown_route_is_404_not_found(client: TestClient, method: str, path: str) -> None:
    response = client.request(method, path)

    assert response.status_code == 404
    assert response.json() == {"message": "Not Found"}


def test_a_path_with_an_encoded_newline_goes_through_the_route_table(
    client: TestClient, issuer: LocalJwtIssuer
) -> None:
    routed = client.get("/items/a%0Ab", headers=_token(issuer))
    unknown = client.get("/nope%0A", headers=_token(issuer))

    assert routed.status_code == 200
    assert routed.json()["event"]["routeKey"] == "GET /items/{item_id}"
    assert unknown.status_code == 404
    assert unknown.json() == {"message": "Not Found"}


def test_a_greedy_route_takes_any_method_and_the_rest_of_the_path(
    client: TestClient, issuer: LocalJwtIssuer
) -> None:
    headers = _token(issuer) | {"content-type": "application/octet-stream"}
    response = client.put("/files/a/b.txt", headers=headers, content=b"\x00\x01")

    event = response.json()["event"]
    assert event["routeKey"] == "ANY /files/{proxy+}"
    assert event["pathParameters"] == {"proxy": "a/b.txt"}
    assert event["isBase64Encoded"] is True


def test_a_handler_exception_is_api_gateway_500(
    client: TestClient, issuer: LocalJwtIssuer, caplog: pytest.LogCaptureFixture
) -> None:
    response = client.get("/items?fail=yes", headers=_token(issuer))

    assert response.status_code == 500
    assert response.json() == {"message": "Internal Server Error"}
    assert "the handler broke" in caplog.text


def test_the_handler_result_becomes_the_response(client: TestClient) -> None:
    response = client.post(
        "/respond",
        json={"statusCode": 202, "headers": {"x-answer": "42"}, "body": "accepted", "cookies": ["c=1"]},
    )

    assert response.status_code == 202
    assert response.text == "accepted"
    assert response.headers["x-answer"] == "42"
    assert response.headers["set-cookie"] == "c=1"


def test_a_body_above_10_mb_is_refused_before_the_handler(client: TestClient) -> None:
    response = client.post("/items", content=b"x" * (10 * 1024 * 1024 + 1))

    assert response.status_code == 413
    assert response.json() == {"message": "Request Entity Too Large"}


def test_a_function_whose_code_is_missing_answers_500_until_the_code_appears(
    client: TestClient, project: Path, caplog: pytest.LogCaptureFixture
) -> None:
    first = client.get("/missing")

    (project / "functions/missing").mkdir(parents=True)
    (project / "functions/missing/app.py").write_text(
        "def lambda_handler(event, context):\n    return {'ok': True}\n"
    )
    second = client.get("/missing")

    assert (first.status_code, first.json()) == (500, {"message": "Internal Server Error"})
    assert "cannot load" in caplog.text
    assert (second.status_code, second.json()) == (200, {"ok": True})


def test_the_gateway_serves_the_issuer_discovery_document_and_jwks(
    client: TestClient, issuer: LocalJwtIssuer
) -> None:
    configuration = client.get("/local-issuer/.well-known/openid-configuration").json()
    jwks = client.get("/local-issuer/.well-known/jwks.json").json()

    assert configuration["issuer"] == ISSUER_URL
    assert jwks == issuer.jwks()
