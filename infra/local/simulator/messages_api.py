"""Sending messages, `POST /messages` (Cloud) and `POST /v1/messages` (On-Premise), and marking inbound
messages read: Cloud's `POST /messages` with `"status": "read"`, On-Premise's `PUT /v1/messages/{id}`
(reference section 3).

Media sent by id must be in the number's media store (an upload, or a customer's media): Meta refuses
another id with code 100. An accepted message is kept with what the customer reads, answered with its
id, and followed by its statuses (outbound_statuses.py). Read receipts are kept as they come: Meta
does not check the id.
"""

import asyncio
import time
from typing import Any

from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from infra.local.simulator.customer import cloud_message_id, on_premise_message_id
from infra.local.simulator.errors import ON_PREMISE_META, invalid_parameter, missing_parameter
from infra.local.simulator.messaging_auth import authenticate_number
from infra.local.simulator.models import SimulatedNumber
from infra.local.simulator.outbound import RenderedText, SentMessage
from infra.local.simulator.outbound_statuses import SERVICE, StatusReporter, planned_statuses
from infra.local.simulator.request_parsing import messaging_json
from infra.local.simulator.send_requests import (
    CloudReadReceipt,
    OutgoingMessage,
    ReadStatus,
    TemplateMessage,
    json_object,
    outgoing_message,
    shown_text,
    uploaded_media,
    validated,
)
from infra.local.simulator.state import SimulatorState
from infra.local.simulator.template_messages import rendered_template, sendable_template

# The On-Premise client's own message ids start like this.
ON_PREMISE_OUTBOUND_ID_PREFIX = "gBEG"


def send_answer(number: SimulatedNumber, message: OutgoingMessage, message_id: str) -> dict[str, Any]:
    """Cloud names the recipient's wa_id and, for templates, the message's acceptance."""
    if number.api_generation == "on_premise":
        return {"messages": [{"id": message_id}], "meta": ON_PREMISE_META}
    accepted: dict[str, str] = {"id": message_id}
    if isinstance(message.content, TemplateMessage):
        accepted["message_status"] = "accepted"
    return {
        "messaging_product": "whatsapp",
        "contacts": [{"input": message.envelope.to, "wa_id": message.envelope.wa_id}],
        "messages": [accepted],
    }


def message_routes(state: SimulatorState, reporter: StatusReporter) -> list[Route]:
    def rendered_and_category(number: SimulatedNumber, message: OutgoingMessage) -> tuple[RenderedText, str]:
        """What the customer reads, and the category the message is billed in."""
        if not isinstance(message.content, TemplateMessage):
            return RenderedText(text=shown_text(message.content)), SERVICE
        template = sendable_template(state.templates, number, message.content)
        rendered = rendered_template(number.api_generation, template, message.content)
        return rendered, template.category.lower()

    def check_uploaded_media(number: SimulatedNumber, message: OutgoingMessage) -> None:
        for parameter, media_id in uploaded_media(message):
            if not state.media.has(number.phone_number, media_id):
                raise invalid_parameter(
                    number.api_generation,
                    f"Param {parameter} is not a valid whatsapp business account media attachment ID",
                )

    async def send(number: SimulatedNumber, body: dict[str, Any]) -> Response:
        message = outgoing_message(body, number.api_generation)
        rendered, category = rendered_and_category(number, message)
        check_uploaded_media(number, message)
        wa_id = message.envelope.wa_id
        message_id = (
            cloud_message_id(wa_id)
            if number.api_generation == "cloud"
            else on_premise_message_id(ON_PREMISE_OUTBOUND_ID_PREFIX)
        )
        state.outbound.record_message(
            number.phone_number,
            SentMessage(
                id=message_id,
                to=message.envelope.to,
                type=message.envelope.type,
                body=body,
                rendered=rendered,
            ),
        )
        behaviour = state.outbound.behaviour(number.phone_number)
        statuses = planned_statuses(
            state.outbound,
            number,
            behaviour,
            message_id=message_id,
            message_type=message.envelope.type,
            wa_id=wa_id,
            category=category,
            now=int(time.time()),
        )
        # The message is kept before the wait: a client that gives up waiting has sent it all the same.
        await asyncio.sleep(behaviour.latency_seconds)
        copies = 2 if behaviour.duplicate else 1
        if behaviour.early and statuses:
            await reporter.report(number, statuses.pop(0), copies)
        return JSONResponse(
            send_answer(number, message, message_id),
            background=BackgroundTask(
                reporter.start_reporting, number, statuses, copies, behaviour.delay_seconds
            ),
        )

    async def send_cloud(request: Request) -> Response:
        number = authenticate_number(state, request, ("cloud",))
        body = json_object(await messaging_json(request, "cloud"), "cloud")
        if "messaging_product" not in body:
            raise missing_parameter("cloud", "messaging_product")
        if "status" in body:
            receipt = validated(CloudReadReceipt, body, "cloud")
            state.outbound.record_read_receipt(number.phone_number, receipt.message_id)
            return JSONResponse({"success": True})
        return await send(number, body)

    async def send_on_premise(request: Request) -> Response:
        number = authenticate_number(state, request, ("on_premise",))
        return await send(number, json_object(await messaging_json(request, "on_premise"), "on_premise"))

    async def mark_read_on_premise(request: Request) -> Response:
        number = authenticate_number(state, request, ("on_premise",))
        validated(ReadStatus, await messaging_json(request, "on_premise"), "on_premise")
        state.outbound.record_read_receipt(number.phone_number, request.path_params["message_id"])
        return JSONResponse({"meta": ON_PREMISE_META})

    return [
        Route("/messages", send_cloud, methods=["POST"]),
        Route("/v1/messages", send_on_premise, methods=["POST"]),
        Route("/v1/messages/{message_id}", mark_read_on_premise, methods=["PUT"]),
    ]
