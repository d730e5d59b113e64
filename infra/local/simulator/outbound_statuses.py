"""The statuses that follow an accepted message, reported to the number's webhook as 360dialog reports
them (reference sections 2.3, 2.4 and 9), and kept in the message's history.

What follows is the number's outbound behaviour, except for a free-form message outside the customer
service window: Meta accepts it and then reports it `failed` (131047 Cloud, 470 On-Premise). A
reaction is only ever `sent`. `sent` and `delivered` carry the conversation and its pricing
(per-message pricing: service messages are free within the window, templates bill their category).
"""

import asyncio
import logging
import time

from infra.local.simulator.customer import (
    DeliveryLog,
    StatusSpec,
    WebhookDeliverer,
    reported_status_payload,
    status_object,
)
from infra.local.simulator.models import SimulatedNumber, StatusErrorSpec
from infra.local.simulator.outbound import OutboundBehaviour, OutboundStore
from infra.local.simulator.state import SimulatorState

SERVICE = "service"
BILLED_STATUSES = frozenset({"sent", "delivered"})

_logger = logging.getLogger(__name__)


def pricing(category: str) -> dict[str, object]:
    service = category == SERVICE
    return {
        "billable": not service,
        "pricing_model": "PMP",
        "category": category,
        "type": "free_customer_service" if service else "regular",
    }


def status_steps(
    behaviour: OutboundBehaviour, message_type: str, outside_window: bool
) -> list[tuple[str, list[StatusErrorSpec] | None]]:
    """Each status with its errors; None on a `failed` status means the generation's re-engagement error."""
    if outside_window:
        return [("failed", None)]
    names = ["sent"] if message_type == "reaction" else list(behaviour.statuses)
    if behaviour.fail is None:
        return [(name, None) for name in names]
    return [(name, None) for name in names if name == "sent"] + [("failed", [behaviour.fail])]


def planned_statuses(
    store: OutboundStore,
    number: SimulatedNumber,
    behaviour: OutboundBehaviour,
    *,
    message_id: str,
    message_type: str,
    wa_id: str,
    category: str,
    now: int,
) -> list[StatusSpec]:
    """The statuses to report, in the order to report them; their timestamps rise in the order they
    happened, whatever the order they are reported in. (`duplicate` is the reporter's business.)"""
    outside_window = category == SERVICE and not store.window_open(number.phone_number, wa_id)
    statuses = []
    for offset, (name, errors) in enumerate(status_steps(behaviour, message_type, outside_window)):
        billed = name in BILLED_STATUSES
        conversation = store.conversation(number.phone_number, wa_id, category) if billed else None
        statuses.append(
            StatusSpec(
                message_id=message_id,
                status=name,
                recipient_id=wa_id,
                errors=errors,
                timestamp=now + offset,
                conversation=None if conversation is None else conversation.to_json(),
                pricing=pricing(category) if billed else None,
            )
        )
    if behaviour.reorder:
        statuses.reverse()
    return statuses


class StatusReporter:
    """Reports statuses of sent messages to the number's webhook, or only records them when it has none."""

    def __init__(self, state: SimulatorState, delivery_log: DeliveryLog) -> None:
        self.state = state
        self.delivery_log = delivery_log
        # The event loop keeps only weak references to tasks; these keep reports under way alive.
        self._reports: set[asyncio.Task[None]] = set()

    async def report(self, number: SimulatedNumber, status: StatusSpec, copies: int) -> None:
        """Adds the status to its message's history and delivers it `copies` times, one after the other."""
        status_json = status_object(number.api_generation, status, int(time.time()))
        self.state.outbound.add_status(number.phone_number, status_json)
        if number.webhook is None:
            return
        deliverer = WebhookDeliverer(number, number.webhook, self.delivery_log)
        answers = await deliverer.deliver_all([reported_status_payload(number, status_json)] * copies, 1)
        _logger.info(
            "%s is %s; %s's webhook answered %s",
            status.message_id,
            status.status,
            number.phone_number,
            [answer.status_key for answer in answers],
        )

    async def start_reporting(
        self, number: SimulatedNumber, statuses: list[StatusSpec], copies: int, delay_seconds: float
    ) -> None:
        """Reports the statuses in the background, each `delay_seconds` after the previous event."""
        if not statuses:
            return
        reports = asyncio.create_task(self._report_all(number, statuses, copies, delay_seconds))
        self._reports.add(reports)
        reports.add_done_callback(self._reports.discard)

    async def _report_all(
        self, number: SimulatedNumber, statuses: list[StatusSpec], copies: int, delay_seconds: float
    ) -> None:
        for status in statuses:
            await asyncio.sleep(delay_seconds)
            # A reset while waiting forgot the message: its remaining statuses go nowhere.
            if not self.state.outbound.has_message(number.phone_number, status.message_id):
                return
            await self.report(number, status, copies)
