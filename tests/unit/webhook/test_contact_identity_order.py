"""How a contact is named follows the person's newest message, whatever order deliveries come in: a late
redelivery of an older message must not switch the number form that sends go to, nor the name."""

from __future__ import annotations

from tests.unit.webhook.conftest import Webhook, cloud_text, items_of

T0 = 1795000000
WITH_NINTH_DIGIT, WITHOUT_NINTH_DIGIT = "5511987654321", "551187654321"


def test_the_newest_message_names_the_contact(webhook: Webhook):
    webhook.deliver(cloud_text(WITH_NINTH_DIGIT, "wamid.old", "one", T0, name="Ana"))
    webhook.deliver(cloud_text(WITHOUT_NINTH_DIGIT, "wamid.new", "two", T0 + 60, name="Ana Souza"))

    [contact] = items_of("contact")
    assert (contact["whatsapp_id"], contact["profile_name"]) == (WITHOUT_NINTH_DIGIT, "Ana Souza")
    assert contact["identity_seen_at"] == "2026-11-18T11:07:40.000Z"


def test_an_older_message_delivered_late_leaves_the_newer_naming(webhook: Webhook):
    webhook.deliver(cloud_text(WITHOUT_NINTH_DIGIT, "wamid.new", "two", T0 + 60, name="Ana Souza"))
    status, _ = webhook.deliver(cloud_text(WITH_NINTH_DIGIT, "wamid.old", "one", T0, name="Ana"))

    assert status == 200
    [contact] = items_of("contact")
    assert (contact["whatsapp_id"], contact["profile_name"]) == (WITHOUT_NINTH_DIGIT, "Ana Souza")
    assert contact["phone_number"] == "+5511987654321"
    assert {message["contact_id"] for message in items_of("message")} == {contact["id"]}


def test_a_message_of_the_same_second_may_rename(webhook: Webhook):
    webhook.deliver(cloud_text(WITH_NINTH_DIGIT, "wamid.a", "one", T0, name="Ana"))
    webhook.deliver(cloud_text(WITHOUT_NINTH_DIGIT, "wamid.b", "two", T0, name="Ana Souza"))

    [contact] = items_of("contact")
    assert (contact["whatsapp_id"], contact["profile_name"]) == (WITHOUT_NINTH_DIGIT, "Ana Souza")
