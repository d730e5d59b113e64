"""Template status changes, decided by a number's review policy or by an admin, and the
`message_template_status_update` webhook that tells Cloud numbers about them (reference section 2.3).

On-Premise numbers get no template webhook: their backends learn statuses by listing templates.
"""

import asyncio
import logging
import time
from dataclasses import dataclass

from infra.local.simulator.customer import (
    DeliveryLog,
    WebhookAnswer,
    WebhookDeliverer,
    WebhookPayload,
    business_account_change,
)
from infra.local.simulator.models import SimulatedNumber
from infra.local.simulator.state import SimulatorState, UnknownNumber
from infra.local.simulator.templates import (
    NO_REASON,
    ReviewPolicy,
    StoredTemplate,
    TemplateEvent,
    event_reason,
    status_after,
)

_logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class StatusChange:
    """A template after its status changed, and the webhook payload and answer if one was sent."""

    template: StoredTemplate
    payload: WebhookPayload | None = None
    answer: WebhookAnswer | None = None


def template_status_payload(
    number: SimulatedNumber, event: TemplateEvent, template: StoredTemplate, reason: str, now: int
) -> WebhookPayload:
    value = {
        "event": event,
        "message_template_id": template.message_template_id,
        "message_template_name": template.name,
        "message_template_language": template.language,
        "reason": reason,
    }
    return WebhookPayload(
        "template_status", business_account_change(number, "message_template_status_update", value, now)
    )


class TemplateReviewer:
    """Changes template statuses and announces each change to the number's webhook."""

    def __init__(self, state: SimulatorState, delivery_log: DeliveryLog) -> None:
        self.state = state
        self.delivery_log = delivery_log
        # The event loop keeps only weak references to tasks; these keep scheduled reviews alive.
        self._reviews: set[asyncio.Task[None]] = set()

    async def start_review(self, phone_number: str, submitted: StoredTemplate) -> None:
        """Has the number's review policy decide a submitted template `after_seconds` from now."""
        policy = self.state.templates.review_policy(phone_number)
        if policy.decision == "manual":
            return
        review = asyncio.create_task(self._review(phone_number, submitted, policy))
        self._reviews.add(review)
        review.add_done_callback(self._reviews.discard)

    async def change_status(
        self, number: SimulatedNumber, name: str, language: str, event: TemplateEvent, reason: str | None
    ) -> StatusChange:
        stated_reason = event_reason(event, reason)
        template = self.state.templates.set_status(
            number.phone_number, name, language, status_after(event), stated_reason
        )
        return await self.announce(number, event, template, stated_reason)

    async def announce(
        self, number: SimulatedNumber, event: TemplateEvent, template: StoredTemplate, reason: str
    ) -> StatusChange:
        if number.api_generation != "cloud" or number.webhook is None:
            return StatusChange(template)
        payload = template_status_payload(number, event, template, reason, int(time.time()))
        deliverer = WebhookDeliverer(number, number.webhook, self.delivery_log)
        [answer] = await deliverer.deliver_all([payload], concurrency=1)
        _logger.info(
            "template %s (%s) is %s; %s's webhook answered %s",
            template.name,
            template.language,
            event,
            number.phone_number,
            answer.status_key,
        )
        return StatusChange(template, payload, answer)

    async def _review(self, phone_number: str, submitted: StoredTemplate, policy: ReviewPolicy) -> None:
        await asyncio.sleep(policy.after_seconds)
        event: TemplateEvent = "APPROVED" if policy.decision == "approve" else "REJECTED"
        reason = policy.reason if event == "REJECTED" else NO_REASON
        decided = self.state.templates.decide_pending(phone_number, submitted, status_after(event), reason)
        if decided is None:
            return
        try:
            # Read now, not at submission: the webhook may have been registered or changed meanwhile.
            number = self.state.number(phone_number)
        except UnknownNumber:
            # A reset forgot the number while the review waited.
            return
        await self.announce(number, event, decided, reason)
