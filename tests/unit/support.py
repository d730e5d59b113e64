"""Helpers for handler tests: load a function's `app` module by path, and build API Gateway HTTP API
(payload 2.0) events from a recorded event's shape."""

from __future__ import annotations

import base64
import importlib.util
import json
import sys
import uuid
from copy import deepcopy
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[2]
_EVENT_SHAPE = json.loads((ROOT / "tests/fixtures/apigw_http_v2_event.json").read_text())


def load_function(name: str) -> ModuleType:
    """Every function's module is called `app`; each is loaded under its own name."""
    module_name = f"function_{name}_app"
    if module_name in sys.modules:
        return sys.modules[module_name]
    spec = importlib.util.spec_from_file_location(module_name, ROOT / "functions" / name / "app.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module


@dataclass
class LambdaContext:
    function_name: str = "wachannel-test"
    memory_limit_in_mb: int = 1024
    invoked_function_arn: str = "arn:aws:lambda:eu-central-1:123456789012:function:wachannel-test"
    aws_request_id: str = "c6af9ac6-7b61-11e6-9a41-93e8deadbeef"

    def get_remaining_time_in_millis(self) -> int:
        return 29_000


def http_event(
    method: str,
    route: str,
    *,
    path_parameters: dict[str, str] | None = None,
    body: Any = None,
    raw_body: str | bytes | None = None,
    query: dict[str, str] | None = None,
    claims: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """`route` is the API Gateway route key path, e.g. '/channels/{channel_id}'."""
    path = route
    for name, value in (path_parameters or {}).items():
        path = path.replace("{" + name + "}", value)
    event = deepcopy(_EVENT_SHAPE)
    event["routeKey"] = event["requestContext"]["routeKey"] = f"{method} {route}"
    event["rawPath"] = event["requestContext"]["http"]["path"] = path
    event["requestContext"]["http"]["method"] = method
    event["requestContext"]["requestId"] = uuid.uuid4().hex
    event["rawQueryString"] = urlencode(query or {})
    if query:
        event["queryStringParameters"] = dict(query)
    if path_parameters:
        event["pathParameters"] = dict(path_parameters)
    if claims is not None:
        event["requestContext"]["authorizer"]["jwt"]["claims"] = claims
    event["headers"].update({k.lower(): v for k, v in (headers or {}).items()})
    if body is not None:
        raw_body = json.dumps(body)
    if isinstance(raw_body, bytes):
        event["body"] = base64.b64encode(raw_body).decode()
        event["isBase64Encoded"] = True
    elif raw_body is not None:
        event["body"] = raw_body
        event["headers"].setdefault("content-type", "application/json")
    if raw_body is not None:
        event["headers"]["content-length"] = str(len(raw_body))
    return event


def workspace_claims(workspace_id: str, subject: str = "agent-1") -> dict[str, str]:
    claims = deepcopy(_EVENT_SHAPE["requestContext"]["authorizer"]["jwt"]["claims"])
    claims.update({"workspace_id": workspace_id, "sub": subject})
    return claims


class Api:
    """Calls the channels function the way API Gateway does, as one workspace."""

    def __init__(self, module: ModuleType, workspace_id: str) -> None:
        self.module = module
        self.workspace_id = workspace_id

    def invoke(self, method: str, route: str, **kwargs: Any) -> dict[str, Any]:
        """The function's whole answer as API Gateway gets it: status, headers and raw body."""
        claims = kwargs.pop("claims", workspace_claims(self.workspace_id))
        event = http_event(method, route, claims=claims, **kwargs)
        response: dict[str, Any] = self.module.lambda_handler(event, LambdaContext())
        return response

    def call(self, method: str, route: str, *, expect: int | None = None, **kwargs: Any) -> tuple[int, Any]:
        response = self.invoke(method, route, **kwargs)
        body = json.loads(response["body"]) if response.get("body") else None
        if expect is not None:
            assert response["statusCode"] == expect, body
        return response["statusCode"], body

    def connect(self, phone: str, api_key: str, **fields: Any) -> dict[str, Any]:
        body = {"name": "Support", "phone_number": phone, "api_key": api_key, **fields}
        return self.call("POST", "/channels", body=body, expect=201)[1]
