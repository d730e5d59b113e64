from __future__ import annotations

import json

from infra.local.cfn import load_template
from infra.openapi import DOCUMENT_PATH, build_document, render
from tests.unit.support import ROOT, LambdaContext, http_event, load_function


def _template_routes() -> set[tuple[str, str]]:
    template = load_template(ROOT / "template.yaml")
    routes = set()
    for resource in template["Resources"].values():
        for event in resource.get("Properties", {}).get("Events", {}).values():
            if event["Type"] == "HttpApi":
                routes.add((event["Properties"]["Method"].lower(), event["Properties"]["Path"]))
    return routes


def test_the_committed_document_is_current():
    assert DOCUMENT_PATH.read_text() == render(build_document()), "run `make openapi` and commit the result"


def test_every_deployed_route_is_documented_and_nothing_else():
    document = build_document()
    documented = {(method, path) for path, operations in document["paths"].items() for method in operations}

    assert documented == _template_routes()


def test_the_docs_function_serves_the_document_and_swagger_ui():
    docs = load_function("docs")

    document = docs.lambda_handler(http_event("GET", "/openapi.json"), LambdaContext())
    page = docs.lambda_handler(http_event("GET", "/docs"), LambdaContext())

    assert document["statusCode"] == 200
    assert json.loads(document["body"])["info"]["title"] == "wachannel HTTP API"
    assert page["statusCode"] == 200
    assert page["headers"]["Content-Type"].startswith("text/html")
    assert "SwaggerUIBundle" in page["body"]


def test_an_answer_without_a_body_documents_no_content():
    responses = [
        response
        for operations in build_document()["paths"].values()
        for operation in operations.values()
        for status, response in operation["responses"].items()
        if status == "204"
    ]

    assert responses
    assert [response for response in responses if response.get("content")] == []
