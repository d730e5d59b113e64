"""Every recorded-shape delivery in tests/fixtures/webhooks parses to what it holds, field by field."""

from __future__ import annotations

from typing import Any

import pytest

from tests.unit.inbound.support import (
    ARGENTINA_MOBILE,
    BRAZIL_LANDLINE,
    BRAZIL_MOBILE,
    BRAZIL_MOBILE_WITHOUT_NINTH_DIGIT,
    BUSINESS_NUMBER,
    FIXTURE_NAMES,
    GERMANY_MOBILE,
    MEXICO_MOBILE,
    at,
    first_raw_message,
    load_fixture,
)
from wachannel.domain.inbound import (
    InteractiveReply,
    Location,
    MediaRef,
    MessageContext,
    Order,
    OtherChange,
    ProviderErrorInfo,
    QuickReplyButton,
    Reaction,
    SystemChange,
    WebhookDelivery,
)
from wachannel.domain.webhook_parsing import parse_webhook

ANA = {"from_wa_id": BRAZIL_MOBILE, "user_id": None, "profile_name": "Ana Souza"}
CARLOS = {"from_wa_id": BRAZIL_MOBILE_WITHOUT_NINTH_DIGIT, "user_id": None, "profile_name": "Carlos Lima"}
PADARIA = {"from_wa_id": BRAZIL_LANDLINE, "user_id": None, "profile_name": "Padaria Central"}
LUIS = {"from_wa_id": MEXICO_MOBILE, "user_id": None, "profile_name": "Luis Hernández"}
MARTINA = {"from_wa_id": ARGENTINA_MOBILE, "user_id": None, "profile_name": "Martina Gómez"}
JONAS = {"from_wa_id": GERMANY_MOBILE, "user_id": None, "profile_name": "Jonas Weber"}

REACTED_TO = "wamid.HBgNNTUxMTk4NzY1NDMyMRUCABEYEkQ2NDE2MDc4RjQwNzA2OUY2MQA="
CATALOG_ID = "718293046512837"
RE_ENGAGEMENT = "Message failed to send because more than 24 hours have passed since the customer last replied to this number"


def reply_to(message_id: str) -> MessageContext:
    return MessageContext(message_id=message_id, from_wa_id=BUSINESS_NUMBER)


# One message per fixture: the fields named here must match; every typed part not named stays empty.
MESSAGES: dict[str, dict[str, Any]] = {
    "cloud/text": {
        **ANA,
        "type": "text",
        "timestamp": at(1717171717),
        "text": "Oi! Meu pedido já foi enviado?",
    },
    "cloud/image": {
        **LUIS,
        "type": "image",
        "timestamp": at(1717172001),
        "media": MediaRef(
            id="1480239517412290",
            mime_type="image/jpeg",
            sha256="Kq1Qn1t7cCkzXo0nXbmy1pJ1ZK6rKcLrXr6O3nZYk7E=",
            caption="Así llegó la caja",
        ),
    },
    "cloud/video": {
        **MARTINA,
        "type": "video",
        "timestamp": at(1717172102),
        "media": MediaRef(
            id="801592845230871",
            mime_type="video/mp4",
            sha256="c0Jm9wJ8V2m8s3fN0bS9gqgNnZ4W2oQ4ZyH5kPZtF1s=",
            caption="Mirá cómo funciona",
        ),
    },
    "cloud/audio_voice": {
        **JONAS,
        "type": "audio",
        "timestamp": at(1717172203),
        "media": MediaRef(
            id="995463125884216",
            mime_type="audio/ogg; codecs=opus",
            sha256="7Hc3mQ0rK4yq4M2O8gq0Yb0c0hI3Vx0nK2Jt5fV4sRk=",
            voice=True,
        ),
    },
    "cloud/audio_file": {
        **JONAS,
        "type": "audio",
        "timestamp": at(1717172304),
        "media": MediaRef(
            id="1102938475610293",
            mime_type="audio/mpeg",
            sha256="mP0Z3qS6aQx9nA1cY2dB7eR4tU8wX5zV0kL3jH6gF9s=",
            voice=False,
        ),
    },
    "cloud/document": {
        **PADARIA,
        "type": "document",
        "timestamp": at(1717172405),
        "media": MediaRef(
            id="1874620193857461",
            mime_type="application/pdf",
            sha256="5cN7sQp3Xx0mA9bL2dR8tY4uK6wE1zV3hJ0gF5iO7qM=",
            caption="Segue a nota fiscal",
            filename="NF-e 35240512345678000190.pdf",
        ),
    },
    "cloud/sticker": {
        **LUIS,
        "type": "sticker",
        "timestamp": at(1717172506),
        "media": MediaRef(
            id="731846295017362",
            mime_type="image/webp",
            sha256="Wz8kQ1mP4nX7cA0bV3dS6fG9hJ2kL5qR8tY1uE4iO0s=",
            animated=False,
        ),
    },
    "cloud/location": {
        **ANA,
        "type": "location",
        "timestamp": at(1717172607),
        "location": Location(
            latitude=-23.5613496,
            longitude=-46.6565712,
            name="MASP",
            address="Av. Paulista, 1578 - Bela Vista, São Paulo - SP",
            url="https://masp.org.br",
        ),
    },
    "cloud/contacts": {
        **MARTINA,
        "type": "contacts",
        "timestamp": at(1717172708),
        "shared_contacts": first_raw_message("cloud/contacts")["contacts"],
    },
    "cloud/interactive_button_reply": {
        **ANA,
        "type": "interactive",
        "timestamp": at(1717172809),
        "interactive": InteractiveReply(kind="button_reply", id="confirm_delivery", title="Confirmar"),
        "context": reply_to("wamid.HBgNNTUxMTk4NzY1NDMyMRUCABEYEkIzMDVFRUM1QzkzMUY2NjU4MgA="),
    },
    "cloud/interactive_list_reply": {
        **LUIS,
        "type": "interactive",
        "timestamp": at(1717172910),
        "interactive": InteractiveReply(
            kind="list_reply", id="slot_tue_10", title="Martes 10:00", description="Sucursal Polanco"
        ),
        "context": reply_to("wamid.HBgNNTIxNTUxMjM0NTY3OBUCABEYEkI5NDdCOTJGNDBCRjhEMzM0OQA="),
    },
    "cloud/interactive_nfm_reply": {
        **JONAS,
        "type": "interactive",
        "timestamp": at(1717173011),
        "interactive": InteractiveReply(
            kind="nfm_reply",
            name="flow",
            body="Sent",
            response_json='{"flow_token": "appointment-7f3c", "date": "2024-06-04", "time": "10:00"}',
        ),
        "context": reply_to("wamid.HBgNNDkxNTExMjM0NTY3OBUCABEYEkFFNUUyMDFCMTU4MUIzQTQ3NwA="),
    },
    "cloud/button": {
        **CARLOS,
        "type": "button",
        "timestamp": at(1717173112),
        "button": QuickReplyButton(text="Confirmar pedido", payload="CONFIRM_A1234"),
        "context": reply_to("wamid.HBgMNTUxMTg3NjU0MzIxFQIAERgSMDU5ODdCRTA1QzIxMjU5MEQwAA=="),
    },
    "cloud/reaction": {
        **ANA,
        "type": "reaction",
        "timestamp": at(1717173213),
        "reaction": Reaction(message_id=REACTED_TO, emoji="👍"),
    },
    "cloud/reaction_removed": {
        **ANA,
        "type": "reaction",
        "timestamp": at(1717173314),
        "reaction": Reaction(message_id=REACTED_TO, emoji=None),
    },
    "cloud/order": {
        **LUIS,
        "type": "order",
        "timestamp": at(1717173415),
        "order": Order(
            catalog_id=CATALOG_ID,
            text="Para entregar el viernes, por favor",
            product_items=[
                {
                    "product_retailer_id": "SKU-CAFE-500",
                    "quantity": 2,
                    "item_price": 189.9,
                    "currency": "MXN",
                },
                {"product_retailer_id": "SKU-TAZA-01", "quantity": 1, "item_price": 99, "currency": "MXN"},
            ],
        ),
    },
    "cloud/system_user_changed_number": {
        # WhatsApp sends no contact with a number change: no profile name to match.
        "from_wa_id": BRAZIL_MOBILE_WITHOUT_NINTH_DIGIT,
        "profile_name": None,
        "type": "system",
        "timestamp": at(1717173516),
        "system": SystemChange(
            kind="user_changed_number",
            body="Carlos Lima changed from 551187654321 to 5511987654321",
            new_wa_id=BRAZIL_MOBILE,
        ),
    },
    "cloud/request_welcome": {**MARTINA, "type": "request_welcome", "timestamp": at(1717173617)},
    "cloud/unsupported": {
        **JONAS,
        "type": "unsupported",
        "timestamp": at(1740000000),
        "raw": first_raw_message("cloud/unsupported"),
        "errors": [
            ProviderErrorInfo(
                code=131051,
                title="Message type unknown",
                message="Message type unknown",
                details="Message type is currently not supported.",
            )
        ],
    },
    "cloud/unknown": {
        **CARLOS,
        "type": "unsupported",
        "timestamp": at(1717173718),
        "raw": first_raw_message("cloud/unknown"),
        "errors": [
            ProviderErrorInfo(
                code=131051,
                title="Unsupported message type",
                details="Message type is not currently supported",
            )
        ],
    },
    "cloud/text_with_referral": {
        **ANA,
        "type": "text",
        "timestamp": at(1717173819),
        "text": "Olá! Quero saber mais sobre a promoção.",
        "referral": first_raw_message("cloud/text_with_referral")["referral"],
    },
    "cloud/text_reply_with_context": {
        **LUIS,
        "type": "text",
        "timestamp": at(1717173920),
        "text": "Sí, a esa dirección por favor",
        "context": reply_to("wamid.HBgNNTIxNTUxMjM0NTY3OBUCABEYEkNDNTg4QzNERDcyQjRBNDMwOQA="),
    },
    "cloud/text_forwarded": {
        **MARTINA,
        "type": "text",
        "timestamp": at(1717174021),
        "text": "Che, mirá esta oferta",
        "context": MessageContext(forwarded=True),
    },
    "cloud/text_product_inquiry": {
        **ANA,
        "type": "text",
        "timestamp": at(1717174122),
        "text": "Tem esse em azul?",
        "context": MessageContext(
            message_id="wamid.HBgNNTUxMTk4NzY1NDMyMRUCABEYEjg4QUUyNkQxNEQ5NTZGMzhEMwA=",
            from_wa_id=BUSINESS_NUMBER,
            referred_product={"catalog_id": CATALOG_ID, "product_retailer_id": "SKU-CAMISA-AZ"},
        ),
    },
    "cloud/text_from_bsuid_user": {
        "from_wa_id": None,
        "user_id": "BR.1502576394655843",
        "profile_name": "Bia",
        "type": "text",
        "timestamp": at(1776945600),
        "text": "Oi, vi vocês no Instagram",
    },
    "on_premise/text": {
        **CARLOS,
        "type": "text",
        "timestamp": at(1717171717),
        "text": "Boa tarde, vocês abrem sábado?",
    },
    "on_premise/image": {
        **LUIS,
        "type": "image",
        "timestamp": at(1717172001),
        "media": MediaRef(
            id="e6317ab7-2f74-70ed-25cf-fcd5708dc750",
            mime_type="image/jpeg",
            sha256="5f16b14880a48a23dc3933c2efaa603f127d237c4563b4e6391c2788525512aa",
            caption="Este es el modelo",
        ),
    },
    "on_premise/video": {
        **MARTINA,
        "type": "video",
        "timestamp": at(1717172102),
        "media": MediaRef(
            id="03dbd943-7acd-83a8-a874-128c930dae97",
            mime_type="video/mp4",
            sha256="7a9ad2144f3bbd0be9522ef83b3e8ec9c9b4cd5ddfc992c0d12e36bf3d6252b4",
        ),
    },
    "on_premise/audio": {
        **JONAS,
        "type": "audio",
        "timestamp": at(1717172203),
        "media": MediaRef(
            id="52adc9fb-6631-69b8-b7fd-ef83d11fdca7",
            mime_type="audio/mpeg",
            sha256="b38418549e110e10c0b2ddc9d5adfeb61802432102b39b57d2a6fc901e60fb5c",
            voice=False,
        ),
    },
    "on_premise/voice": {
        **JONAS,
        "type": "audio",
        "timestamp": at(1717172304),
        "media": MediaRef(
            id="11cf9893-7139-b613-866d-f9624f2145b8",
            mime_type="audio/ogg; codecs=opus",
            sha256="af2bf9596b529c8afba00839656d54db8dde0d827e2376432d24c2d9cb184512",
            voice=True,
        ),
    },
    "on_premise/document": {
        **PADARIA,
        "type": "document",
        "timestamp": at(1717172405),
        "media": MediaRef(
            id="5a8ea4bd-8dce-2813-07a0-b5a1b4af86e8",
            mime_type="application/pdf",
            sha256="c20fb2f0a6fe1d005a7cfe0c36ba04adb248852e7eab070e6fce2601749a81b7",
            caption="Orçamento",
            filename="orcamento-0612.pdf",
        ),
    },
    "on_premise/sticker": {
        **LUIS,
        "type": "sticker",
        "timestamp": at(1717172506),
        "media": MediaRef(
            id="786f9752-6049-b47a-b598-8eb83a70ea0d",
            mime_type="image/webp",
            sha256="cd8e66af645e420974161c40900e7bece70094e63f62f663dbebed5faed675b6",
            animated=True,
        ),
    },
    "on_premise/location": {
        **MARTINA,
        "type": "location",
        "timestamp": at(1717172607),
        "location": Location(
            latitude=-34.5955,
            longitude=-58.3963,
            name="El Ateneo Grand Splendid",
            address="Av. Santa Fe 1860, C1123 CABA",
            url="https://www.yenny-elateneo.com",
        ),
    },
    "on_premise/contacts": {
        **ANA,
        "type": "contacts",
        "timestamp": at(1717172708),
        "shared_contacts": first_raw_message("on_premise/contacts")["contacts"],
    },
    "on_premise/interactive_button_reply": {
        **LUIS,
        "type": "interactive",
        "timestamp": at(1717172809),
        "interactive": InteractiveReply(kind="button_reply", id="pay_now", title="Pagar ahora"),
        "context": reply_to("gBEGONHwUAzyDOOfmHn7-NC26Pk"),
    },
    "on_premise/interactive_list_reply": {
        **MARTINA,
        "type": "interactive",
        "timestamp": at(1717172910),
        "interactive": InteractiveReply(
            kind="list_reply", id="size_m", title="Talle M", description="Pecho 96-100 cm"
        ),
        "context": reply_to("gBEGi5aWS_OuvqRcFR57wkcEK4t"),
    },
    "on_premise/button": {
        **JONAS,
        "type": "button",
        "timestamp": at(1717173011),
        "button": QuickReplyButton(text="Termin verschieben", payload="RESCHEDULE_7731"),
        "context": reply_to("gBEGt4TSW-5HuA_Pop6VlWz-rQP"),
    },
    "on_premise/order": {
        **ANA,
        "type": "order",
        "timestamp": at(1717173112),
        "order": Order(
            catalog_id=CATALOG_ID,
            text="Entregar depois das 18h",
            product_items=[
                {"product_retailer_id": "SKU-PAO-01", "quantity": 6, "item_price": 1.5, "currency": "BRL"}
            ],
        ),
    },
    "on_premise/system_user_changed_number": {
        "from_wa_id": BRAZIL_MOBILE_WITHOUT_NINTH_DIGIT,
        "profile_name": None,
        "type": "system",
        "timestamp": at(1717173213),
        "system": SystemChange(
            kind="user_changed_number",
            body="User Carlos Lima changed from 551187654321 to 5511987654321",
            new_wa_id=BRAZIL_MOBILE,
        ),
    },
    "on_premise/unknown": {
        **MARTINA,
        "type": "unsupported",
        "timestamp": at(1717173314),
        "raw": first_raw_message("on_premise/unknown"),
        "errors": [
            ProviderErrorInfo(
                code=501, title="Unknown message type", details="Message type is not currently supported"
            )
        ],
    },
    "on_premise/text_with_referral": {
        **LUIS,
        "type": "text",
        "timestamp": at(1717173415),
        "text": "Hola, vi el anuncio del café",
        "referral": first_raw_message("on_premise/text_with_referral")["referral"],
    },
    "on_premise/text_reply_with_context": {
        **ANA,
        "type": "text",
        "timestamp": at(1717173516),
        "text": "Pode ser amanhã",
        "context": reply_to("gBEGQ52A3sfwp-m2bw4ZdI381yp"),
    },
    "on_premise/text_forwarded": {
        **JONAS,
        "type": "text",
        "timestamp": at(1717173617),
        "text": "Schau mal, das hat mir jemand geschickt",
        "context": MessageContext(forwarded=True, frequently_forwarded=True),
    },
}
# What a message holds for every field its fixture's expectations do not name.
UNSET: dict[str, Any] = {
    "user_id": None,
    "text": None,
    "media": None,
    "location": None,
    "shared_contacts": [],
    "interactive": None,
    "button": None,
    "reaction": None,
    "order": None,
    "system": None,
    "referral": None,
    "context": None,
    "errors": [],
    "raw": None,
}

# One status per fixture.
STATUSES: dict[str, dict[str, Any]] = {
    "cloud/status_sent": {
        "status": "sent",
        "status_raw": "sent",
        "recipient_wa_id": GERMANY_MOBILE,
        "timestamp": at(1753092000),
        "conversation": None,
        "pricing": {"billable": True, "pricing_model": "PMP", "category": "marketing", "type": "regular"},
        "biz_opaque_callback_data": "campaign=summer-25;customer=ct_01J2",
        "errors": [],
    },
    "cloud/status_delivered_pmp": {
        "status": "delivered",
        "recipient_wa_id": BRAZIL_MOBILE,
        "timestamp": at(1753092060),
        "conversation": {
            "id": "a7c1e9f04b2d4e6c8f1a3b5d7e9f0c2a",
            "expiration_timestamp": "1753178460",
            "origin": {"type": "service"},
        },
        "pricing": {
            "billable": False,
            "pricing_model": "PMP",
            "category": "service",
            "type": "free_customer_service",
        },
    },
    "cloud/status_delivered_cbp": {
        "status": "delivered",
        "recipient_wa_id": MEXICO_MOBILE,
        "timestamp": at(1717171800),
        "conversation": {
            "id": "3f9e2d1c0b8a7f6e5d4c3b2a1f0e9d8c",
            "expiration_timestamp": 1717258200,
            "origin": {"type": "utility"},
        },
        "pricing": {"billable": True, "pricing_model": "CBP", "category": "utility"},
    },
    "cloud/status_read": {
        "status": "read",
        "recipient_wa_id": ARGENTINA_MOBILE,
        "timestamp": at(1717171900),
        "conversation": None,
        "pricing": None,
    },
    "cloud/status_failed": {
        "status": "failed",
        "recipient_wa_id": BRAZIL_MOBILE_WITHOUT_NINTH_DIGIT,
        "timestamp": at(1717172000),
        "errors": [
            ProviderErrorInfo(
                code=131047,
                title="Re-engagement message",
                message="Re-engagement message",
                details=f"{RE_ENGAGEMENT}.",
            )
        ],
    },
    "on_premise/status_sent": {
        "status": "sent",
        "recipient_wa_id": BRAZIL_MOBILE,
        "timestamp": at(1717171800),
        "conversation": {
            "id": "9b8e7f6a5d4c3b2a19f8e7d6c5b4a392",
            "expiration_timestamp": 1717258200,
            "origin": {"type": "business_initiated"},
        },
        "pricing": {"billable": True, "pricing_model": "CBP", "category": "business_initiated"},
    },
    "on_premise/status_delivered": {
        "status": "delivered",
        "recipient_wa_id": MEXICO_MOBILE,
        "timestamp": at(1717171860),
    },
    "on_premise/status_read": {
        "status": "read",
        "recipient_wa_id": ARGENTINA_MOBILE,
        "timestamp": at(1717171920),
    },
    "on_premise/status_failed": {
        "status": "failed",
        "recipient_wa_id": BRAZIL_MOBILE_WITHOUT_NINTH_DIGIT,
        "timestamp": at(1717171980),
        "errors": [ProviderErrorInfo(code=470, title=RE_ENGAGEMENT, details=RE_ENGAGEMENT)],
    },
    "on_premise/status_deleted": {
        "status": "deleted",
        "status_raw": "deleted",
        "recipient_wa_id": GERMANY_MOBILE,
        "timestamp": at(1717172040),
    },
    "on_premise/status_warning": {
        "status": "warning",
        "recipient_wa_id": MEXICO_MOBILE,
        "timestamp": at(1717172100),
    },
}

# Deliveries with more than one event, or none of the above: asserted one by one below.
WHOLE_DELIVERIES = {
    "cloud/several_entries_changes_messages_statuses",
    "cloud/value_errors",
    "cloud/template_status_update",
    "cloud/template_quality_update",
    "on_premise/several_messages_and_statuses",
    "on_premise/errors",
}


def parse_fixture(name: str) -> WebhookDelivery:
    return parse_webhook(load_fixture(name))


def test_every_fixture_has_its_expectations():
    assert sorted([*MESSAGES, *STATUSES, *WHOLE_DELIVERIES]) == FIXTURE_NAMES


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_every_fixture_is_read_whole_as_its_generation(name: str):
    delivery = parse_fixture(name)

    assert delivery.api_generation == name.split("/", maxsplit=1)[0]
    assert delivery.unprocessable == []
    assert delivery.event_count + len(delivery.errors) > 0


@pytest.mark.parametrize("name", MESSAGES)
def test_a_message_fixture_gives_its_one_typed_message(name: str):
    expected = {**UNSET, **MESSAGES[name], "wamid": first_raw_message(name)["id"]}
    delivery = parse_fixture(name)

    (message,) = delivery.messages
    assert {field: getattr(message, field) for field in expected} == expected
    assert delivery.statuses == []


@pytest.mark.parametrize("name", STATUSES)
def test_a_status_fixture_gives_its_one_status(name: str):
    expected = STATUSES[name]
    delivery = parse_fixture(name)

    (status,) = delivery.statuses
    assert {field: getattr(status, field) for field in expected} == expected
    assert status.status_raw == expected["status"]
    assert delivery.messages == []


def test_a_cloud_delivery_with_several_entries_and_changes_gives_every_event_in_order():
    delivery = parse_fixture("cloud/several_entries_changes_messages_statuses")

    assert [(m.from_wa_id, m.profile_name, m.type, m.timestamp) for m in delivery.messages] == [
        (BRAZIL_MOBILE, "Ana Souza", "text", at(1717180001)),
        (MEXICO_MOBILE, "Luis Hernández", "image", at(1717180002)),
        (BRAZIL_MOBILE, "Ana Souza", "text", at(1717180003)),
        (GERMANY_MOBILE, "Jonas Weber", "text", at(1717180010)),
    ]
    assert [(s.recipient_wa_id, s.status) for s in delivery.statuses] == [
        (ARGENTINA_MOBILE, "delivered"),
        (ARGENTINA_MOBILE, "read"),
        (BRAZIL_LANDLINE, "sent"),
    ]
    assert delivery.event_count == 7


def test_an_on_premise_delivery_with_several_messages_and_statuses_gives_them_all():
    delivery = parse_fixture("on_premise/several_messages_and_statuses")

    assert [(m.from_wa_id, m.profile_name, m.type, m.media and m.media.voice) for m in delivery.messages] == [
        (BRAZIL_MOBILE_WITHOUT_NINTH_DIGIT, "Carlos Lima", "text", None),
        (BRAZIL_MOBILE, "Ana Souza", "audio", True),
    ]
    assert [(s.recipient_wa_id, s.status) for s in delivery.statuses] == [
        (BRAZIL_LANDLINE, "delivered"),
        (BRAZIL_LANDLINE, "read"),
    ]


def test_value_level_errors_are_the_deliverys_errors():
    delivery = parse_fixture("cloud/value_errors")

    assert delivery.errors == [
        ProviderErrorInfo(
            code=131000,
            title="Something went wrong",
            message="Something went wrong",
            details="Unable to process the webhook event. Please retry later.",
        )
    ]
    assert delivery.event_count == 0


def test_on_premise_top_level_errors_are_the_deliverys_errors():
    delivery = parse_fixture("on_premise/errors")

    assert delivery.errors == [
        ProviderErrorInfo(
            code=1014,
            title="Internal error",
            details="Media download failed: the media could not be fetched",
        )
    ]


@pytest.mark.parametrize(
    ("name", "field"),
    [
        ("cloud/template_status_update", "message_template_status_update"),
        ("cloud/template_quality_update", "message_template_quality_update"),
    ],
)
def test_template_events_are_other_changes_with_their_value(name: str, field: str):
    delivery = parse_fixture(name)

    assert delivery.other_changes == [
        OtherChange(field=field, value=load_fixture(name)["entry"][0]["changes"][0]["value"])
    ]
    assert (delivery.messages, delivery.statuses) == ([], [])
