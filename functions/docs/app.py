"""Serves the OpenAPI document of the whole API and a Swagger UI for it. The document is built from
every function's resolver by `make openapi`, so no other function pays Swagger's import cost."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from wachannel.observability import HTTP_CORRELATION_PATH, logger

_DOCUMENT = Path(__file__).with_name("openapi.json")


@cache
def _openapi_json() -> str:
    return _DOCUMENT.read_text()


@cache
def _swagger_page() -> str:
    # Loading Powertools' Swagger UI pulls in its OpenAPI models: paid by /docs only.
    from aws_lambda_powertools.event_handler.openapi.swagger_ui.html import generate_swagger_html

    assets = resources.files("aws_lambda_powertools.event_handler.openapi.swagger_ui")
    return generate_swagger_html(
        spec=_openapi_json(),
        swagger_js=(assets / "swagger-ui-bundle.min.js").read_text(),
        swagger_css=(assets / "swagger-ui.min.css").read_text(),
        swagger_base_url="",
        oauth2_config=None,
        persist_authorization=True,
    )


def _answer(status: int, content_type: str, body: str) -> dict[str, Any]:
    return {
        "statusCode": status,
        "headers": {"Content-Type": content_type},
        "body": body,
        "isBase64Encoded": False,
    }


@logger.inject_lambda_context(correlation_id_path=HTTP_CORRELATION_PATH)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    path = event.get("rawPath", "")
    if path == "/openapi.json":
        return _answer(200, "application/json", _openapi_json())
    if path == "/docs":
        return _answer(200, "text/html; charset=utf-8", _swagger_page())
    not_found = {"error": {"code": "not_found", "message": "No such route.", "details": None}}
    return _answer(404, "application/json", json.dumps(not_found))
