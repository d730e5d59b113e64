"""Admin routes that make the simulator play the customer: inbound messages, statuses, raw payloads and
batches delivered to a number's registered webhook, and the log of those deliveries.

An inbound message opens its sender's customer service window and keeps its media in the number's
media store, for the backend to download; a status of a message the number sent joins that message's
status history."""

import logging
import random
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from infra.local.simulator.admin import ADMIN_PREFIX, parse_body
from infra.local.simulator.customer import (
    BatchRequest,
    CustomerInputError,
    DeliveryLog,
    InboundEvent,
    InboundMessageSpec,
    InboundRequest,
    RawDeliveryRequest,
    StatusEvent,
    StatusRequest,
    StatusSpec,
    WebhookAnswer,
    WebhookDeliverer,
    WebhookPayload,
    inbound_payload,
    status_object,
    status_payload,
    with_stored_media,
)
from infra.local.simulator.errors import AdminError
from infra.local.simulator.models import SimulatedNumber
from infra.local.simulator.outbound import OutboundStore
from infra.local.simulator.state import SimulatorState, UnknownNumber

RequestModel = TypeVar("RequestModel", bound=BaseModel)

_logger = logging.getLogger(__name__)


async def parse_customer_request(request: Request, model: type[RequestModel]) -> RequestModel:
    return await parse_body(request, model, refusal_status=422)


def known_number(state: SimulatorState, request: Request) -> SimulatedNumber:
    try:
        return state.number(request.path_params["phone_number"])
    except UnknownNumber as error:
        raise AdminError(404, str(error)) from None


def deliveries_answer(payload: WebhookPayload, answers: Sequence[WebhookAnswer]) -> dict[str, Any]:
    return {
        "message_id": payload.message_id,
        "payload": payload.body,
        "deliveries": [answer.to_json() for answer in answers],
    }


def note_customer_messages(
    outbound: OutboundStore, number: SimulatedNumber, messages: Iterable[InboundMessageSpec], now: int
) -> None:
    """Each message opens or renews its sender's customer service window from the time it was sent."""
    for message in messages:
        if message.from_ is not None:
            sent_at = datetime.fromtimestamp(message.sent_at(now), UTC)
            outbound.note_inbound(number.phone_number, message.from_, sent_at)


def note_statuses(
    outbound: OutboundStore, number: SimulatedNumber, statuses: Iterable[StatusSpec], now: int
) -> None:
    """Statuses of messages the number sent join their histories, once however many copies went."""
    for status in statuses:
        outbound.add_status(number.phone_number, status_object(number.api_generation, status, now))


def customer_admin_routes(state: SimulatorState, delivery_log: DeliveryLog) -> list[Route]:
    def deliverer(number: SimulatedNumber) -> WebhookDeliverer:
        if number.webhook is None:
            raise AdminError(
                409,
                f"number {number.phone_number} has no webhook; register one with POST /v1/configs/webhook",
            )
        return WebhookDeliverer(number, number.webhook, delivery_log)

    async def deliver(
        number: SimulatedNumber, payloads: Sequence[WebhookPayload], concurrency: int
    ) -> list[WebhookAnswer]:
        answers = await deliverer(number).deliver_all(payloads, concurrency)
        statuses = Counter(answer.status_key for answer in answers)
        _logger.info(
            "customer: %d payload(s) to %s's webhook, answers %s",
            len(payloads),
            number.phone_number,
            dict(statuses),
        )
        return answers

    async def send_inbound(request: Request) -> Response:
        number = known_number(state, request)
        inbound = await parse_customer_request(request, InboundRequest)
        now = int(time.time())
        try:
            payload = inbound_payload(number, with_stored_media(state.media, number, inbound), now)
        except CustomerInputError as error:
            raise AdminError(422, str(error)) from None
        answers = await deliver(number, [payload] * inbound.copies, inbound.concurrency)
        note_customer_messages(state.outbound, number, [inbound], now)
        return JSONResponse(deliveries_answer(payload, answers))

    async def send_status(request: Request) -> Response:
        number = known_number(state, request)
        status = await parse_customer_request(request, StatusRequest)
        now = int(time.time())
        payload = status_payload(number, status, now)
        answers = await deliver(number, [payload] * status.copies, status.concurrency)
        note_statuses(state.outbound, number, [status], now)
        return JSONResponse(deliveries_answer(payload, answers))

    async def send_raw(request: Request) -> Response:
        number = known_number(state, request)
        raw = await parse_customer_request(request, RawDeliveryRequest)
        payload = WebhookPayload("raw", raw.payload)
        answers = await deliver(number, [payload] * raw.copies, raw.concurrency)
        return JSONResponse({"payload": payload.body, "deliveries": [answer.to_json() for answer in answers]})

    async def send_batch(request: Request) -> Response:
        number = known_number(state, request)
        batch = await parse_customer_request(request, BatchRequest)
        now = int(time.time())
        try:
            payloads = [
                inbound_payload(number, with_stored_media(state.media, number, event), now)
                if isinstance(event, InboundEvent)
                else status_payload(number, event, now)
                for event in batch.events
            ]
        except CustomerInputError as error:
            raise AdminError(422, str(error)) from None
        deliveries = [payload for payload in payloads for _ in range(batch.copies_per_event)]
        if batch.shuffle:
            # Reproducible orderings for tests, not secrets.
            random.Random(batch.seed).shuffle(deliveries)  # noqa: S311
        answers = await deliver(number, deliveries, batch.concurrency)
        inbound_events = (event for event in batch.events if isinstance(event, InboundEvent))
        note_customer_messages(state.outbound, number, inbound_events, now)
        status_events = (event for event in batch.events if isinstance(event, StatusEvent))
        note_statuses(state.outbound, number, status_events, now)
        return JSONResponse(
            {
                "delivered": len(answers),
                "statuses": dict(Counter(answer.status_key for answer in answers)),
                "message_ids": [payload.message_id for payload in payloads],
            }
        )

    async def list_deliveries(request: Request) -> Response:
        return JSONResponse([record.model_dump(mode="json") for record in delivery_log.records()])

    async def clear_deliveries(request: Request) -> Response:
        delivery_log.clear()
        return Response(status_code=204)

    number_path = ADMIN_PREFIX + "/numbers/{phone_number}"
    return [
        Route(number_path + "/inbound", send_inbound, methods=["POST"]),
        Route(number_path + "/statuses", send_status, methods=["POST"]),
        Route(number_path + "/deliver", send_raw, methods=["POST"]),
        Route(number_path + "/batch", send_batch, methods=["POST"]),
        Route(ADMIN_PREFIX + "/deliveries", list_deliveries, methods=["GET"]),
        Route(ADMIN_PREFIX + "/deliveries", clear_deliveries, methods=["DELETE"]),
    ]
