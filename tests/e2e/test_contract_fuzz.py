"""Contract fuzzing: schemathesis generates requests for every operation of the OpenAPI document (valid
and invalid ones), sends them to the local stack with a valid token against seeded data, and checks each
answer: never a 5xx, a documented status and content type, a body that matches the documented schema,
and every error in the contract's envelope.

The document is read at collection from `functions/docs/openapi.json`, the file the stack serves at
`/openapi.json` (the first test makes sure the two are the same): pytest needs the operations before
the stack is up, and schemathesis's fixture-based loader does not run on this pytest."""

from __future__ import annotations

from typing import Annotated, Any

import httpx
import pytest
import schemathesis
from hypothesis import strategies as st
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError
from schemathesis import Case, CheckContext, Config, HookContext, Response
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from infra.local.process import LocalStackProcess
from infra.openapi import DOCUMENT_PATH
from tests.e2e.clients import Frontend, Simulator, seed_conversation
from tests.e2e.conftest import WORKSPACE

WEBHOOK = "/webhooks/360dialog/{channel_id}"
DISCONNECT = ("DELETE", "/channels/{channel_id}")
DELETE_TEMPLATE = ("DELETE", "/channels/{channel_id}/templates/{name}")
SEND = ("POST", "/channels/{channel_id}/messages")
DISPOSABLE_TEMPLATE = "fuzz_disposable"
# The same seed and examples every run, so that CI replays the requests a developer saw; the budget
# keeps the module under three minutes on two shared cores.
FUZZ_SEED = 20261124
EXAMPLES_PER_OPERATION = 25

schema = schemathesis.openapi.from_path(
    DOCUMENT_PATH,
    config=Config.from_dict(
        {
            "seed": FUZZ_SEED,
            # Requests to a stack are slow next to Hypothesis's expectations; deadlines are off too.
            "suppress-health-check": ["too_slow", "filter_too_much", "data_too_large"],
            # The token is sent with every request; generating Authorization headers would only probe
            # the gateway's authorizer, whose own 401 body is outside the envelope by design.
            "generation": {
                "max-examples": EXAMPLES_PER_OPERATION,
                "deterministic": True,
                "database": "none",
                "with-security-parameters": False,
            },
        }
    ),
    # The webhook takes no token; its own suite fuzzes it with 360dialog's payload shapes.
).exclude(method="POST", path=WEBHOOK)

# Ids of the seeded workspace, filled by the `seeded` fixture before the first case is drawn: the
# generation hooks below are registered at import, when the stack is not up yet.
REAL_IDS: dict[str, str] = {}


@schema.hook
def flatmap_path_parameters(context: HookContext, path_parameters: dict[str, Any]) -> Any:
    """Half the cases name real resources, so they get past the 404 into the route's own logic."""
    assert context.operation is not None
    if not path_parameters:
        return st.just(path_parameters)
    operation = (context.operation.method.upper(), context.operation.path)
    real = {name: REAL_IDS.get(name, value) for name, value in path_parameters.items()}
    # Disconnecting the seeded channel or deleting its template would turn every later case on them
    # into a 404, so these two operations get a channel and a template of their own.
    if operation == DISCONNECT:
        real["channel_id"] = REAL_IDS["disposable_channel_id"]
    if operation == DELETE_TEMPLATE:
        real["name"] = DISPOSABLE_TEMPLATE
    return st.sampled_from([path_parameters, real])


@schema.hook
def flatmap_body(context: HookContext, body: Any) -> Any:
    """Some sends go to the seeded contact, whose window is open; as the schema cannot say which
    fields each message type needs, some are also plain text messages, so they reach 360dialog."""
    assert context.operation is not None
    if (context.operation.method.upper(), context.operation.path) != SEND or not isinstance(body, dict):
        return st.just(body)
    contact_id = REAL_IDS["contact_id"]
    text_message = (
        st.text(min_size=1, max_size=200)
        .filter(str.strip)
        .map(lambda text: {"to": contact_id, "type": "text", "text": text})
    )
    return st.one_of(st.just(body), st.just({**body, "to": contact_id}), text_message)


@pytest.fixture(scope="module")
def seeded(frontend: Frontend, simulator: Simulator) -> dict[str, str]:
    """The seeded conversation, with an image as its message (so the media route has a file to sign),
    a channel to disconnect and a template to delete."""
    ids = seed_conversation(frontend, simulator)
    digits = ids["phone_number"].removeprefix("+")
    simulator.client.post(
        f"/_admin/numbers/{digits}/inbound",
        json={
            "from": ids["customer"],
            "type": "image",
            "media": {"mime_type": "image/jpeg", "size_bytes": 2048},
        },
    ).raise_for_status()
    thread = frontend.client.get(f"/contacts/{ids['contact_id']}/messages").raise_for_status().json()
    [image] = [message for message in thread["items"] if message["type"] == "image"]
    ids["message_id"] = image["id"]
    ids["disposable_channel_id"] = frontend.connect(simulator.new_number())["id"]
    simulator.client.put(
        f"/_admin/numbers/{digits}/templates/{DISPOSABLE_TEMPLATE}/en",
        json={"category": "UTILITY", "components": [{"type": "BODY", "text": "To be deleted."}]},
    ).raise_for_status()
    frontend.client.post(f"/channels/{ids['channel_id']}/templates/sync").raise_for_status()
    REAL_IDS.update(ids)
    return ids


class ContractError(BaseModel):
    """api.md's error: a code and a message for a person, details an object, a list or null."""

    model_config = ConfigDict(extra="forbid", strict=True)
    code: Annotated[str, Field(min_length=1)]
    message: Annotated[str, Field(min_length=1)]
    details: dict[str, Any] | list[Any] | None


class ErrorEnvelope(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    error: ContractError


class BrokenRule(BaseModel):
    """One entry of a `validation_error`'s details."""

    model_config = ConfigDict(extra="forbid", strict=True)
    field: str
    message: Annotated[str, Field(min_length=1)]


def error_envelope(ctx: CheckContext, response: Response, case: Case) -> None:
    """Every 4xx and 5xx is the contract's envelope; a `validation_error` lists each broken rule.

    A method the path does not have (the coverage phase probes them) matches no route, and API
    Gateway answers that itself, with its own body, as test_local_stack's unknown-path test shows."""
    if response.status_code < 400 or case.method.upper() != case.operation.method.upper():
        return
    try:
        envelope = ErrorEnvelope.model_validate_json(response.text)
        if envelope.error.code == "validation_error":
            TypeAdapter(list[BrokenRule]).validate_python(envelope.error.details)
    except ValidationError as error:
        raise AssertionError(f"{response.status_code} is not in the error envelope: {error}") from None


def test_the_stack_serves_the_fuzzed_document(stack: LocalStackProcess) -> None:
    served = httpx.get(f"{stack.api_url}/openapi.json", timeout=30).raise_for_status().json()
    assert served == schema.raw_schema


@schema.parametrize()
def test_every_operation_keeps_the_contract(
    case: Case, stack: LocalStackProcess, seeded: dict[str, str]
) -> None:
    case.call_and_validate(
        base_url=stack.api_url,
        headers={"Authorization": f"Bearer {stack.tokens[WORKSPACE]}"},
        checks=[
            schemathesis.checks.not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
            error_envelope,
        ],
        timeout=30,
    )
