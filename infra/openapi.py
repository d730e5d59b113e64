"""Builds the OpenAPI document of the whole HTTP API from every function's own resolver, so the
document served by the docs function describes exactly the routes that run. `make openapi` writes
it; a unit test fails when the committed copy is stale.

    python -m infra.openapi [--write]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DOCUMENT_PATH = ROOT / "functions" / "docs" / "openapi.json"
TITLE = "wachannel HTTP API"
VERSION = "1.0.0"
DESCRIPTION = (
    "Connect 360dialog WhatsApp numbers to a workspace and talk to customers through them. "
    "Every route but the webhook and these docs needs `Authorization: Bearer <JWT>` with a "
    "`workspace_id` (or Cognito `custom:workspace_id`) claim. Errors always come as "
    '`{"error": {"code", "message", "details"}}`.'
)
# Values only to satisfy each function's settings at import; the document does not depend on them.
_DOCUMENTING_ENVIRONMENT = {
    "TABLE_NAME": "documenting",
    "IDEMPOTENCY_TABLE_NAME": "documenting",
    "API_KEY_KMS_KEY_ID": "alias/documenting",
    "CURSOR_SIGNING_KEY": "documenting-only-signing-key",
    "AWS_DEFAULT_REGION": "eu-central-1",
    "SEND_QUEUE_URL": "https://sqs.eu-central-1.amazonaws.com/123456789012/documenting",
    "TEMPLATE_SYNC_QUEUE_URL": "https://sqs.eu-central-1.amazonaws.com/123456789012/documenting",
    "MEDIA_QUEUE_URL": "https://sqs.eu-central-1.amazonaws.com/123456789012/documenting",
    "MEDIA_BUCKET_NAME": "documenting",
    "EVENT_BUS_NAME": "documenting",
}
_DOCS_ROUTES: dict[str, Any] = {
    "/openapi.json": {
        "get": {
            "summary": "This OpenAPI document",
            "tags": ["Docs"],
            "security": [],
            "responses": {
                "200": {"description": "The OpenAPI document", "content": {"application/json": {}}}
            },
        }
    },
    "/docs": {
        "get": {
            "summary": "Swagger UI for this API",
            "tags": ["Docs"],
            "security": [],
            "responses": {"200": {"description": "An HTML page", "content": {"text/html": {}}}},
        }
    },
}


def _load_app(function_dir: Path) -> Any:
    module_name = f"openapi_{function_dir.name}_app"
    spec = importlib.util.spec_from_file_location(module_name, function_dir / "app.py")
    if spec is None or spec.loader is None:
        raise RuntimeError(f"Cannot load {function_dir / 'app.py'}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module


def build_document() -> dict[str, Any]:
    from aws_lambda_powertools.event_handler.openapi.models import HTTPBearer

    for name, value in _DOCUMENTING_ENVIRONMENT.items():
        os.environ.setdefault(name, value)
    sys.path.insert(0, str(ROOT / "layers" / "common"))
    paths: dict[str, Any] = dict(_DOCS_ROUTES)
    schemas: dict[str, Any] = {}
    for function_dir in sorted(p.parent for p in (ROOT / "functions").glob("*/app.py")):
        resolver = getattr(_load_app(function_dir), "app", None)
        if resolver is None or not hasattr(resolver, "get_openapi_schema"):
            continue
        document = resolver.get_openapi_schema(title=TITLE, version=VERSION).model_dump(
            mode="json", by_alias=True, exclude_none=True
        )
        for path, operations in document.get("paths", {}).items():
            paths.setdefault(path, {}).update(operations)
        for name, schema in document.get("components", {}).get("schemas", {}).items():
            if schemas.setdefault(name, schema) != schema:
                raise RuntimeError(f"Two functions define the schema {name} differently")
    for method, path in _public_routes():
        if path in paths and method in paths[path]:
            paths[path][method]["security"] = []
    schemas = _referenced(paths, schemas)
    bearer = HTTPBearer(bearerFormat="JWT").model_dump(mode="json", by_alias=True, exclude_none=True)
    return {
        "openapi": "3.1.0",
        "info": {"title": TITLE, "version": VERSION, "description": DESCRIPTION},
        "security": [{"bearerAuth": []}],
        "paths": dict(sorted(paths.items())),
        "components": {"schemas": dict(sorted(schemas.items())), "securitySchemes": {"bearerAuth": bearer}},
    }


def _public_routes() -> set[tuple[str, str]]:
    """Routes the template serves without the JWT authorizer (the webhook, these docs)."""
    from infra.local.cfn import load_template

    template = load_template(ROOT / "template.yaml")
    public = set()
    for resource in template["Resources"].values():
        for event in resource.get("Properties", {}).get("Events", {}).values():
            properties = event.get("Properties", {})
            if event.get("Type") == "HttpApi" and properties.get("Auth", {}).get("Authorizer") == "NONE":
                public.add((properties["Method"].lower(), properties["Path"]))
    return public


def _referenced(paths: dict[str, Any], schemas: dict[str, Any]) -> dict[str, Any]:
    """Only the schemas the routes use (Powertools adds its own validation-error schemas)."""
    prefix = "#/components/schemas/"
    kept: dict[str, Any] = {}
    pending = [paths]
    while pending:
        node = pending.pop()
        if isinstance(node, dict):
            reference = node.get("$ref")
            if isinstance(reference, str) and reference.startswith(prefix):
                name = reference.removeprefix(prefix)
                if name not in kept:
                    kept[name] = schemas[name]
                    pending.append(schemas[name])
            pending.extend(node.values())
        elif isinstance(node, list):
            pending.extend(node)
    return kept


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=1, sort_keys=True) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--write", action="store_true", help=f"write {DOCUMENT_PATH.relative_to(ROOT)}")
    arguments = parser.parse_args()
    text = render(build_document())
    if arguments.write:
        DOCUMENT_PATH.write_text(text)
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
