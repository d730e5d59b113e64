"""A new customer's first two messages, one in each form of their number, delivered at the same moment:
both resolve to the contact the first one claims, before either has written that contact's item."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import boto3

from tests.unit.dialog360_double import Dialog360Double
from tests.unit.support import Api, load_function
from tests.unit.webhook.conftest import Webhook, cloud_text, items_of
from wachannel import aws
from wachannel.domain.webhook_parsing import parse_webhook
from wachannel.services.webhook_factory import inbound_service_over
from wachannel.store.channels import ChannelRepository
from wachannel.store.codec import to_item
from wachannel.store.inbound import InboundRepository

T0 = 1795000000
WITH_NINTH_DIGIT, WITHOUT_NINTH_DIGIT = "5511987654321", "551187654321"
SECOND_DIGITS, SECOND_KEY = "4915187654321", "cloud-key-second-654321"


def test_a_message_whose_contact_is_claimed_but_not_written_yet_writes_it(webhook: Webhook, api: Api):
    webhook.deliver(cloud_text(WITH_NINTH_DIGIT, "wamid.A", "one", T0))
    [contact] = items_of("contact")
    # The first delivery has claimed the person's identity, and its contact write has not landed yet.
    boto3.client("dynamodb").delete_item(
        TableName=load_function("channels").settings.table_name,
        Key=to_item({"PK": contact["PK"], "SK": contact["SK"]}),
    )

    status, _ = webhook.deliver(cloud_text(WITHOUT_NINTH_DIGIT, "wamid.B", "two", T0 + 1))

    assert status == 200
    [written] = items_of("contact")
    assert written["id"] == contact["id"]
    assert written["whatsapp_id"] == WITHOUT_NINTH_DIGIT
    assert written["phone_number"] == "+5511987654321"
    assert written["channels"] == {webhook.channel_id}
    assert {message["contact_id"] for message in items_of("message")} == {contact["id"]}
    _, health = api.call(
        "GET", "/channels/{channel_id}/health", path_parameters={"channel_id": webhook.channel_id}
    )
    assert health["delivery"]["messages_received"] == 2


class ContactWriteOvertaken(InboundRepository):
    """Lets another delivery run just before the first contact write, as a concurrent one may."""

    def __init__(self, meanwhile: Callable[[], None]) -> None:
        super().__init__(load_function("webhook").settings.table_name, aws.dynamodb)
        self._meanwhile: Callable[[], None] | None = meanwhile

    def put_contact(self, workspace_id: str, contact: dict[str, Any]) -> bool:
        if self._meanwhile is not None:
            meanwhile, self._meanwhile = self._meanwhile, None
            meanwhile()
        return super().put_contact(workspace_id, contact)


def test_the_message_that_claimed_the_contact_but_wrote_it_second_adds_its_channel(
    webhook: Webhook, api: Api, dialog360: Dialog360Double
):
    dialog360.add(SECOND_DIGITS, SECOND_KEY)
    second = api.connect(f"+{SECOND_DIGITS}", SECOND_KEY)
    registered = dialog360.numbers[1].webhook
    assert registered is not None
    on_second = Webhook(webhook.module, second["id"], registered["headers"]["X-Webhook-Token"])
    answers = []
    overtaken = inbound_service_over(
        ContactWriteOvertaken(
            lambda: answers.append(
                on_second.deliver(cloud_text(WITHOUT_NINTH_DIGIT, "wamid.B", "two", T0 + 1))
            )
        )
    )
    route = ChannelRepository(load_function("webhook").settings.table_name, aws.dynamodb).route(
        webhook.channel_id
    )
    assert route is not None

    overtaken.accept(route, parse_webhook(cloud_text(WITH_NINTH_DIGIT, "wamid.A", "one", T0)))

    assert [status for status, _ in answers] == [200]
    [contact] = items_of("contact")
    assert contact["channels"] == {webhook.channel_id, second["id"]}
    assert {message["contact_id"] for message in items_of("message")} == {contact["id"]}
