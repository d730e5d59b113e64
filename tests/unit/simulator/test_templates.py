"""Templates: the Messaging API of both generations, the admin routes, review policies and status webhooks."""

import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import respx
from starlette.testclient import TestClient

from infra.local.simulator import SimulatedNumber, SimulatorState
from infra.local.simulator.templates import TemplateContent, TemplateNameHeld, TemplateStore
from tests.unit.simulator.support import (
    INVALID_API_KEY_BODY,
    WEBHOOK_TOKEN,
    WEBHOOK_URL,
    error_code,
    key_header,
    meta_error,
    on_premise_error,
    received,
    register_webhook,
    wait_until,
)

TEMPLATES = "/v1/configs/templates"
ORDER_UPDATE = {
    "name": "order_update",
    "category": "UTILITY",
    "language": "de",
    "allow_category_change": True,
    "components": [
        {
            "type": "HEADER",
            "format": "TEXT",
            "text": "Bestellung {{1}}",
            "example": {"header_text": ["A-1234"]},
        },
        {
            "type": "BODY",
            "text": "Hallo {{1}}, deine Bestellung ist unterwegs.",
            "example": {"body_text": [["Anna"]]},
        },
        {"type": "FOOTER", "text": "Fragen? Antworte einfach."},
    ],
}
BODY_ONLY = [{"type": "BODY", "text": "Hi {{1}}, thanks.", "example": {"body_text": [["Anna"]]}}]
CLOUD_ITEM_FIELDS = {
    "id",
    "external_id",
    "name",
    "language",
    "category",
    "status",
    "rejected_reason",
    "quality_score",
    "namespace",
    "partner_id",
    "waba_account_id",
    "created_at",
    "modified_at",
    "components",
}
ON_PREMISE_ITEM_FIELDS = {
    "name",
    "language",
    "category",
    "status",
    "rejected_reason",
    "namespace",
    "components",
}
STORED_FIELDS = {
    "id",
    "message_template_id",
    "name",
    "language",
    "category",
    "status",
    "rejected_reason",
    "components",
    "created_at",
    "modified_at",
}


@pytest.fixture(params=["cloud_number", "on_premise_number"])
def number(request: pytest.FixtureRequest) -> SimulatedNumber:
    return request.getfixturevalue(request.param)


def submit(client: TestClient, number: SimulatedNumber, **changes: Any) -> httpx.Response:
    return client.post(TEMPLATES, headers=key_header(number), json=ORDER_UPDATE | changes)


def list_templates(client: TestClient, number: SimulatedNumber, **params: Any) -> dict[str, Any]:
    response = client.get(TEMPLATES, headers=key_header(number), params=params)
    assert response.status_code == 200, response.text
    listing: dict[str, Any] = response.json()
    return listing


def listed_names(client: TestClient, number: SimulatedNumber, **params: Any) -> list[str]:
    return [item["name"] for item in list_templates(client, number, **params)["waba_templates"]]


def put_template(
    client: TestClient, number: SimulatedNumber, name: str, language: str, **fields: Any
) -> dict[str, Any]:
    body = {"category": "UTILITY", "components": BODY_ONLY} | fields
    response = client.put(f"/_admin/numbers/{number.phone_number}/templates/{name}/{language}", json=body)
    assert response.status_code == 200, response.text
    stored: dict[str, Any] = response.json()
    return stored


def seed(client: TestClient, number: SimulatedNumber, **body: Any) -> httpx.Response:
    return client.post(f"/_admin/numbers/{number.phone_number}/templates/seed", json=body)


def review(
    client: TestClient, number: SimulatedNumber, name: str, language: str, **body: Any
) -> httpx.Response:
    return client.post(f"/_admin/numbers/{number.phone_number}/templates/{name}/{language}/review", json=body)


def set_policy(client: TestClient, number: SimulatedNumber, **policy: Any) -> httpx.Response:
    return client.put(f"/_admin/numbers/{number.phone_number}/template-review", json=policy)


def status_event(
    number: SimulatedNumber, event: str, stored: dict[str, Any], reason: str, webhook_time: int
) -> dict[str, Any]:
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": number.waba_id,
                "time": webhook_time,
                "changes": [
                    {
                        "field": "message_template_status_update",
                        "value": {
                            "event": event,
                            "message_template_id": stored["message_template_id"],
                            "message_template_name": stored["name"],
                            "message_template_language": stored["language"],
                            "reason": reason,
                        },
                    }
                ],
            }
        ],
    }


def stored_templates(client: TestClient, number: SimulatedNumber) -> list[dict[str, Any]]:
    response = client.get(f"/_admin/numbers/{number.phone_number}/templates")
    assert response.status_code == 200
    templates: list[dict[str, Any]] = response.json()
    return templates


def stored_status(client: TestClient, number: SimulatedNumber) -> str:
    [template] = stored_templates(client, number)
    return str(template["status"])


# The Messaging API: submitting


def test_a_cloud_submission_is_pending_in_the_newer_shape(
    client: TestClient, state: SimulatorState, cloud_number: SimulatedNumber
) -> None:
    response = submit(client, cloud_number)

    assert response.status_code == 200
    item = response.json()
    assert set(item) == CLOUD_ITEM_FIELDS
    assert (item["name"], item["language"], item["category"]) == ("order_update", "de", "UTILITY")
    assert (item["status"], item["rejected_reason"]) == ("PENDING", "NONE")
    assert item["components"] == ORDER_UPDATE["components"]
    assert item["namespace"] == cloud_number.template_namespace
    assert (item["partner_id"], item["waba_account_id"]) == (state.partner_id, cloud_number.waba_account_id)
    assert item["external_id"].isdigit()
    assert item["quality_score"]["score"] == "UNKNOWN"
    assert isinstance(item["quality_score"]["date"], int)
    assert item["created_at"].endswith("Z")
    assert list_templates(client, cloud_number)["waba_templates"] == [item]


def test_an_on_premise_submission_is_submitted_in_the_older_shape(
    client: TestClient, on_premise_number: SimulatedNumber
) -> None:
    response = submit(client, on_premise_number)

    assert response.status_code == 200
    assert response.json() == {
        "name": "order_update",
        "language": "de",
        "category": "UTILITY",
        "status": "submitted",
        "rejected_reason": "NONE",
        "namespace": on_premise_number.template_namespace,
        "components": ORDER_UPDATE["components"],
    }
    assert set(list_templates(client, on_premise_number)["waba_templates"][0]) == ON_PREMISE_ITEM_FIELDS


def test_namespaces_differ_per_number(
    cloud_number: SimulatedNumber, on_premise_number: SimulatedNumber
) -> None:
    assert cloud_number.template_namespace != on_premise_number.template_namespace
    assert [len(part) for part in cloud_number.template_namespace.split("_")] == [8, 4, 4, 4, 12]


def test_a_lower_case_category_is_stored_upper_case(
    client: TestClient, cloud_number: SimulatedNumber
) -> None:
    assert submit(client, cloud_number, category="marketing").json()["category"] == "MARKETING"


@pytest.mark.parametrize(
    ("changes", "complaint"),
    [
        ({"name": "Order_Update"}, "lowercase"),
        ({"name": "order-update"}, "lowercase"),
        ({"name": "x" * 513}, "512"),
        ({"name": ""}, "lowercase"),
        ({"category": "TRANSACTIONAL"}, "category must be one of {AUTHENTICATION, MARKETING, UTILITY}"),
        ({"components": []}, "BODY"),
        ({"components": [{"type": "FOOTER", "text": "Bye"}]}, "BODY"),
        ({"components": "BODY"}, "components"),
        ({"name": None}, "name"),
        ({"language": ""}, "language"),
    ],
)
def test_an_invalid_submission_is_refused_as_meta_does(
    client: TestClient, number: SimulatedNumber, changes: dict[str, Any], complaint: str
) -> None:
    response = submit(client, number, **changes)

    assert response.status_code == 400
    body = response.json()
    if number.api_generation == "cloud":
        error = meta_error(body)
        assert (error["code"], error["message"]) == (100, "(#100) Invalid parameter")
        assert complaint in error["error_data"]["details"]
    else:
        error = on_premise_error(body)
        assert error["code"] == 1009
        assert complaint in error["details"]
    assert list_templates(client, number)["total"] == 0


def test_meta_explains_a_refused_template_to_people(
    client: TestClient, cloud_number: SimulatedNumber
) -> None:
    error = submit(client, cloud_number, name="Order Update").json()["error"]

    assert error["error_user_msg"] == error["error_data"]["details"]


def test_a_body_that_is_not_json_is_refused(client: TestClient, number: SimulatedNumber) -> None:
    response = client.post(TEMPLATES, headers=key_header(number), content=b"name=order_update")

    assert response.status_code == 400
    assert error_code(number, response.json()) in (100, 1009)


def test_an_existing_name_and_language_is_refused(client: TestClient, number: SimulatedNumber) -> None:
    submit(client, number)

    duplicate = submit(client, number, category="MARKETING")
    other_language = submit(client, number, language="en")

    assert duplicate.status_code == 400
    if number.api_generation == "cloud":
        error = meta_error(duplicate.json())
        assert (error["code"], error["error_subcode"]) == (100, 2388024)
        assert error["error_user_title"] == "Content in this language already exists"
        assert "already de content" in error["error_user_msg"]
    else:
        assert on_premise_error(duplicate.json())["code"] == 1004
    assert other_language.status_code == 200
    assert sorted(listed_names(client, number, sort="language")) == ["order_update", "order_update"]


# The Messaging API: deleting


def test_deleting_a_name_deletes_every_language_and_holds_the_name(
    client: TestClient, number: SimulatedNumber
) -> None:
    submit(client, number)
    submit(client, number, language="en")
    put_template(client, number, "welcome", "en")

    response = client.delete(f"{TEMPLATES}/order_update", headers=key_header(number))
    resubmitted = submit(client, number, language="fr")

    assert response.status_code == 200
    assert response.json()["meta"]["success"] is True
    assert listed_names(client, number) == ["welcome"]
    assert resubmitted.status_code == 400
    if number.api_generation == "cloud":
        error = meta_error(resubmitted.json())
        assert (error["code"], error["error_subcode"]) == (100, 2388023)
        assert "being deleted" in error["error_user_msg"]
    else:
        assert "being deleted" in on_premise_error(resubmitted.json())["details"]


def test_deleting_an_unknown_name_answers_not_found(client: TestClient, number: SimulatedNumber) -> None:
    response = client.delete(f"{TEMPLATES}/never_made", headers=key_header(number))

    assert response.status_code == 404
    assert error_code(number, response.json()) in (100, 1006)


def test_a_held_name_is_free_again_after_30_days() -> None:
    now = datetime(2025, 1, 1, tzinfo=UTC)
    store = TemplateStore(clock=lambda: now)
    content = TemplateContent(
        name="promo", language="en", category="MARKETING", components=BODY_ONLY, status="PENDING"
    )
    store.submit("4915112345678", content)
    store.delete_name("4915112345678", "promo")

    now += timedelta(days=29)
    with pytest.raises(TemplateNameHeld):
        store.submit("4915112345678", content)
    now += timedelta(days=1)
    assert store.submit("4915112345678", content).status == "PENDING"


# The Messaging API: listing


def test_each_generation_sees_its_status_casing(
    client: TestClient, cloud_number: SimulatedNumber, on_premise_number: SimulatedNumber
) -> None:
    for number in (cloud_number, on_premise_number):
        put_template(client, number, "approved_one", "en")
        put_template(client, number, "rejected_one", "en", status="REJECTED", rejected_reason="PROMOTIONAL")
        put_template(client, number, "paused_one", "en", status="PAUSED")

    def statuses(number: SimulatedNumber) -> list[tuple[str, str]]:
        listing = list_templates(client, number, sort="name")["waba_templates"]
        return [(item["status"], item["rejected_reason"]) for item in listing]

    assert statuses(cloud_number) == [("APPROVED", "NONE"), ("PAUSED", "NONE"), ("REJECTED", "PROMOTIONAL")]
    assert statuses(on_premise_number) == [
        ("approved", "NONE"),
        ("paused", "NONE"),
        ("rejected", "PROMOTIONAL"),
    ]


def test_pages_default_to_50_and_add_up_to_the_total(client: TestClient, number: SimulatedNumber) -> None:
    seed(client, number, count=120)

    first = list_templates(client, number)
    last = list_templates(client, number, offset=100, limit=50)
    every_name = [
        name for offset in range(0, 120, 50) for name in listed_names(client, number, offset=offset, limit=50)
    ]

    assert {key: first[key] for key in ("count", "total", "limit", "offset", "sort", "filters")} == {
        "count": 50,
        "total": 120,
        "limit": 50,
        "offset": 0,
        "sort": ["id"],
        "filters": {},
    }
    assert (last["count"], last["total"], last["offset"]) == (20, 120, 100)
    assert sorted(every_name) == [f"seed_{index:05d}" for index in range(1, 121)]
    assert list_templates(client, number, offset=500)["count"] == 0


def test_a_limit_above_1000_is_clamped(client: TestClient, cloud_number: SimulatedNumber) -> None:
    seed(client, cloud_number, count=1200)

    listing = list_templates(client, cloud_number, limit=5000)

    assert (listing["count"], listing["total"], listing["limit"]) == (1000, 1200, 1000)


def test_sorting_by_fields_ascending_and_descending(
    client: TestClient, cloud_number: SimulatedNumber
) -> None:
    seed(client, cloud_number, count=12)

    descending = listed_names(client, cloud_number, sort="-name")
    listing = list_templates(client, cloud_number, sort="category,-name")

    assert descending == [f"seed_{index:05d}" for index in range(12, 0, -1)]
    assert listing["sort"] == ["category", "-name"]
    pairs = [(item["category"], item["name"]) for item in listing["waba_templates"]]
    assert pairs == sorted(sorted(pairs, key=lambda pair: pair[1], reverse=True), key=lambda pair: pair[0])


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ('{"business_templates.name": "seed_00003"}', [("seed_00003", "de"), ("seed_00003", "en")]),
        ('{"name": "seed_00003", "language": "en"}', [("seed_00003", "en")]),
        ('{"category": "authentication"}', [("seed_00010", "de"), ("seed_00010", "en")]),
        (
            '{"category": "MARKETING", "language": "de"}',
            [("seed_00003", "de"), ("seed_00006", "de"), ("seed_00009", "de")],
        ),
        ('{"status": "paused"}', [("seed_00002", "en")]),
        ('{"name": "nothing"}', []),
    ],
)
def test_filters_narrow_the_list(
    client: TestClient, cloud_number: SimulatedNumber, filters: str, expected: list[tuple[str, str]]
) -> None:
    seed(client, cloud_number, count=10, languages=["en", "de"])
    put_template(client, cloud_number, "seed_00002", "en", status="PAUSED")

    listing = list_templates(client, cloud_number, filters=filters, sort="name,language")

    assert [(item["name"], item["language"]) for item in listing["waba_templates"]] == expected
    assert listing["total"] == len(expected)
    assert listing["filters"] == json.loads(filters)


@pytest.mark.parametrize("status", ["submitted", "PENDING", "pending"])
def test_on_premise_filters_statuses_in_either_wording(
    client: TestClient, on_premise_number: SimulatedNumber, status: str
) -> None:
    submit(client, on_premise_number)
    put_template(client, on_premise_number, "live_one", "en")

    assert listed_names(client, on_premise_number, filters=f'{{"status": "{status}"}}') == ["order_update"]


@pytest.mark.parametrize(
    "params",
    [
        {"limit": "-1"},
        {"limit": "ten"},
        {"offset": "1.5"},
        {"filters": "not json"},
        {"filters": "[]"},
        {"filters": '{"colour": "red"}'},
        {"filters": '{"name": 1}'},
        {"sort": "colour"},
        {"sort": ","},
    ],
)
def test_invalid_query_parameters_are_refused(
    client: TestClient, number: SimulatedNumber, params: dict[str, str]
) -> None:
    response = client.get(TEMPLATES, headers=key_header(number), params=params)

    assert response.status_code == 400
    assert error_code(number, response.json()) in (100, 1009)


# The Messaging API: keys, the request log, faults


def test_a_wrong_key_is_refused(client: TestClient, cloud_number: SimulatedNumber) -> None:
    wrong = {"D360-API-KEY": "wrong"}

    responses = [
        client.get(TEMPLATES, headers=wrong),
        client.post(TEMPLATES, headers=wrong, json=ORDER_UPDATE),
        client.delete(f"{TEMPLATES}/order_update", headers=wrong),
    ]

    assert [response.status_code for response in responses] == [401, 401, 401]
    assert all(response.json() == INVALID_API_KEY_BODY for response in responses)
    assert stored_templates(client, cloud_number) == []


def test_template_calls_are_logged_and_meet_faults(client: TestClient, number: SimulatedNumber) -> None:
    client.post("/_admin/faults", json={"path_prefix": TEMPLATES, "method": "POST", "status": 503})

    faulted = submit(client, number)
    accepted = submit(client, number)

    assert faulted.status_code == 503
    assert error_code(number, faulted.json()) in (2, 1011)
    assert accepted.status_code == 200
    logged = client.get("/_admin/requests", params={"path_prefix": TEMPLATES}).json()
    assert [(entry["method"], entry["status"]) for entry in logged] == [("POST", 503), ("POST", 200)]
    assert logged[1]["body"] == ORDER_UPDATE
    assert logged[1]["headers"]["d360-api-key"] == "***"


# The admin API


def test_admin_puts_replaces_and_lists_templates(client: TestClient, number: SimulatedNumber) -> None:
    put_template(client, number, "welcome", "en", status="PENDING")
    replaced = put_template(client, number, "welcome", "en", category="MARKETING")
    rejected = put_template(client, number, "alert", "de", status="REJECTED", rejected_reason="SCAM")

    templates = stored_templates(client, number)

    assert set(replaced) == STORED_FIELDS
    assert (replaced["status"], replaced["category"]) == ("APPROVED", "MARKETING")
    assert isinstance(replaced["message_template_id"], int)
    assert templates == [rejected, replaced]
    assert listed_names(client, number, sort="name") == ["alert", "welcome"]


@pytest.mark.parametrize(
    "body",
    [
        {"components": BODY_ONLY},
        {"category": "UTILITY", "components": BODY_ONLY, "status": "LIVE"},
        {"category": "UTILITY", "components": BODY_ONLY, "colour": "red"},
    ],
)
def test_admin_refuses_an_invalid_template(
    client: TestClient, cloud_number: SimulatedNumber, body: dict[str, Any]
) -> None:
    response = client.put(f"/_admin/numbers/{cloud_number.phone_number}/templates/welcome/en", json=body)

    assert response.status_code == 400
    assert response.json()["details"]


def test_template_admin_routes_need_a_known_number(client: TestClient) -> None:
    unknown = "/_admin/numbers/4915100000000"
    responses = [
        client.get(unknown + "/templates"),
        client.put(unknown + "/templates/welcome/en", json={"category": "UTILITY", "components": []}),
        client.post(unknown + "/templates/welcome/en/review", json={"status": "APPROVED"}),
        client.post(unknown + "/templates/seed", json={"count": 1}),
        client.put(unknown + "/template-review", json={"decision": "approve"}),
    ]

    assert [response.status_code for response in responses] == [404] * 5
    assert responses[0].json() == {"error": "no number 4915100000000"}


def test_seeded_templates_are_realistic_and_deterministic(
    client: TestClient, cloud_number: SimulatedNumber
) -> None:
    response = seed(client, cloud_number, count=40, languages=["en", "de"], prefix="bench")

    templates = stored_templates(client, cloud_number)

    assert response.json() == {"created": 80}
    assert [template["name"] for template in templates[::2]] == [
        f"bench_{index:05d}" for index in range(1, 41)
    ]
    assert {template["status"] for template in templates} == {"APPROVED"}
    assert {template["category"] for template in templates} == {"AUTHENTICATION", "MARKETING", "UTILITY"}
    component_types = {component["type"] for template in templates for component in template["components"]}
    assert component_types == {"HEADER", "BODY", "FOOTER", "BUTTONS"}
    for template in templates:
        [body] = [component for component in template["components"] if component["type"] == "BODY"]
        [example] = body["example"]["body_text"]
        variables = [f"{{{{{position}}}}}" for position in range(1, len(example) + 1)]
        assert 1 <= len(example) <= 3
        assert all(variable in body["text"] for variable in variables)
    first_de, first_en = templates[:2]
    assert (first_de["language"], first_en["language"]) == ("de", "en")
    assert first_de["components"] != first_en["components"]
    seed(client, cloud_number, count=40, languages=["en", "de"], prefix="bench")
    reseeded = stored_templates(client, cloud_number)
    assert [template["components"] for template in reseeded] == [
        template["components"] for template in templates
    ]


def test_seeding_takes_a_status_and_stays_within_its_bounds(
    client: TestClient, on_premise_number: SimulatedNumber
) -> None:
    assert seed(client, on_premise_number, count=3, status="PENDING").json() == {"created": 3}
    assert {item["status"] for item in list_templates(client, on_premise_number)["waba_templates"]} == {
        "submitted"
    }
    assert seed(client, on_premise_number, count=0).status_code == 400
    assert seed(client, on_premise_number, count=20001).status_code == 400
    assert seed(client, on_premise_number, count=1, prefix="Seed").status_code == 400
    assert seed(client, on_premise_number, count=1, languages=[]).status_code == 400


def test_seeding_takes_the_most_templates(client: TestClient, cloud_number: SimulatedNumber) -> None:
    response = seed(client, cloud_number, count=20000)

    assert response.json() == {"created": 20000}
    assert list_templates(client, cloud_number, limit=1)["total"] == 20000


def test_reset_forgets_templates(
    client: TestClient, state: SimulatorState, cloud_number: SimulatedNumber
) -> None:
    put_template(client, cloud_number, "welcome", "en")

    client.post("/_admin/reset")
    state.add_number(cloud_number.phone_number, "cloud")

    assert stored_templates(client, cloud_number) == []


# Review by an admin, and the status webhook


def test_an_admin_review_sends_meta_status_event_to_a_cloud_webhook(
    client: TestClient, cloud_number: SimulatedNumber, webhook: respx.MockRouter
) -> None:
    register_webhook(client, cloud_number)
    submitted = submit(client, cloud_number).json()

    before = int(time.time())
    response = review(
        client, cloud_number, "order_update", "de", status="REJECTED", reason="TAG_CONTENT_MISMATCH"
    )

    assert response.status_code == 200
    answer = response.json()
    assert (answer["template"]["status"], answer["template"]["rejected_reason"]) == (
        "REJECTED",
        "TAG_CONTENT_MISMATCH",
    )
    assert answer["template"]["message_template_id"] == int(submitted["external_id"])
    [payload] = received(webhook)
    webhook_time = payload["entry"][0]["time"]
    assert before <= webhook_time <= time.time()
    assert payload == status_event(
        cloud_number, "REJECTED", answer["template"], "TAG_CONTENT_MISMATCH", webhook_time
    )
    assert answer["payload"] == payload
    assert [delivery["status"] for delivery in answer["deliveries"]] == [200]
    [call] = webhook.routes["webhook"].calls
    assert call.request.headers["X-Webhook-Token"] == WEBHOOK_TOKEN
    [logged] = client.get("/_admin/deliveries").json()
    assert (logged["kind"], logged["url"], logged["status"]) == ("template_status", WEBHOOK_URL, 200)
    [item] = list_templates(client, cloud_number)["waba_templates"]
    assert (item["status"], item["rejected_reason"]) == ("REJECTED", "TAG_CONTENT_MISMATCH")


@pytest.mark.parametrize(
    ("decision", "expected"),
    [
        ({"status": "APPROVED"}, ("APPROVED", "NONE", "NONE")),
        ({"status": "REJECTED"}, ("REJECTED", "INVALID_FORMAT", "INVALID_FORMAT")),
        ({"status": "PAUSED", "reason": "LOW_QUALITY"}, ("PAUSED", "NONE", "LOW_QUALITY")),
        ({"status": "REINSTATED"}, ("APPROVED", "NONE", "NONE")),
    ],
)
def test_review_events_set_their_status_and_reason(
    client: TestClient,
    cloud_number: SimulatedNumber,
    webhook: respx.MockRouter,
    decision: dict[str, str],
    expected: tuple[str, str, str],
) -> None:
    """`expected`: the stored status and rejected_reason, and the reason the webhook states."""
    register_webhook(client, cloud_number)
    put_template(client, cloud_number, "welcome", "en", status="PENDING")

    answer = review(client, cloud_number, "welcome", "en", **decision).json()

    [payload] = received(webhook)
    value = payload["entry"][0]["changes"][0]["value"]
    assert (answer["template"]["status"], answer["template"]["rejected_reason"], value["reason"]) == expected
    assert value["event"] == decision["status"]


def test_on_premise_numbers_get_no_template_webhook(
    client: TestClient, on_premise_number: SimulatedNumber, webhook: respx.MockRouter
) -> None:
    register_webhook(client, on_premise_number)
    submit(client, on_premise_number)

    answer = review(client, on_premise_number, "order_update", "de", status="APPROVED").json()

    assert (answer["payload"], answer["deliveries"]) == (None, [])
    assert received(webhook) == []
    assert list_templates(client, on_premise_number)["waba_templates"][0]["status"] == "approved"


def test_a_cloud_number_without_webhook_changes_status_quietly(
    client: TestClient, cloud_number: SimulatedNumber, webhook: respx.MockRouter
) -> None:
    put_template(client, cloud_number, "welcome", "en", status="PENDING")

    answer = review(client, cloud_number, "welcome", "en", status="APPROVED").json()

    assert (answer["template"]["status"], answer["payload"], answer["deliveries"]) == ("APPROVED", None, [])
    assert received(webhook) == []


def test_a_failing_webhook_is_reported_in_the_answer(
    client: TestClient, cloud_number: SimulatedNumber, webhook: respx.MockRouter
) -> None:
    register_webhook(client, cloud_number)
    put_template(client, cloud_number, "welcome", "en", status="PENDING")
    webhook.routes["webhook"].side_effect = httpx.ConnectError("connection refused")

    answer = review(client, cloud_number, "welcome", "en", status="APPROVED").json()

    [delivery] = answer["deliveries"]
    assert delivery["status"] is None
    assert "connection refused" in delivery["error"]
    assert answer["template"]["status"] == "APPROVED"


@pytest.mark.parametrize(
    ("path_end", "body", "status"),
    [
        ("welcome/de/review", {"status": "APPROVED"}, 404),
        ("never_made/en/review", {"status": "APPROVED"}, 404),
        ("welcome/en/review", {"status": "LIVE"}, 400),
        ("welcome/en/review", {"status": "REJECTED", "reason": ""}, 400),
    ],
)
def test_a_review_of_an_unknown_template_or_status_is_refused(
    client: TestClient, cloud_number: SimulatedNumber, path_end: str, body: dict[str, Any], status: int
) -> None:
    put_template(client, cloud_number, "welcome", "en", status="PENDING")

    response = client.post(f"/_admin/numbers/{cloud_number.phone_number}/templates/{path_end}", json=body)

    assert response.status_code == status
    assert response.json()["error"]
    assert stored_status(client, cloud_number) == "PENDING"


# Review policies


def test_templates_wait_for_an_admin_by_default(
    client: TestClient, cloud_number: SimulatedNumber, webhook: respx.MockRouter
) -> None:
    register_webhook(client, cloud_number)
    submit(client, cloud_number)

    time.sleep(0.1)

    assert stored_status(client, cloud_number) == "PENDING"
    assert received(webhook) == []


def test_an_approve_policy_approves_after_its_delay_and_tells_the_webhook(
    client: TestClient, cloud_number: SimulatedNumber, webhook: respx.MockRouter
) -> None:
    register_webhook(client, cloud_number)
    policy = set_policy(client, cloud_number, decision="approve", after_seconds=0.3)

    submitted_at = time.monotonic()
    submit(client, cloud_number)
    status_at_once = stored_status(client, cloud_number)
    wait_until(lambda: len(received(webhook)) == 1)
    waited = time.monotonic() - submitted_at

    assert policy.json() == {"decision": "approve", "after_seconds": 0.3, "reason": "INVALID_FORMAT"}
    assert status_at_once == "PENDING"
    assert waited >= 0.3
    [template] = stored_templates(client, cloud_number)
    assert template["status"] == "APPROVED"
    [payload] = received(webhook)
    assert payload == status_event(cloud_number, "APPROVED", template, "NONE", payload["entry"][0]["time"])
    assert [logged["kind"] for logged in client.get("/_admin/deliveries").json()] == ["template_status"]


def test_a_reject_policy_rejects_right_after_the_submission(
    client: TestClient, cloud_number: SimulatedNumber, webhook: respx.MockRouter
) -> None:
    register_webhook(client, cloud_number)
    set_policy(client, cloud_number, decision="reject", reason="INCORRECT_CATEGORY")

    submit(client, cloud_number)
    wait_until(lambda: len(received(webhook)) == 1)

    [item] = list_templates(client, cloud_number)["waba_templates"]
    assert (item["status"], item["rejected_reason"]) == ("REJECTED", "INCORRECT_CATEGORY")
    value = received(webhook)[0]["entry"][0]["changes"][0]["value"]
    assert (value["event"], value["reason"]) == ("REJECTED", "INCORRECT_CATEGORY")


def test_a_policy_leaves_a_template_an_admin_decided_first(
    client: TestClient, cloud_number: SimulatedNumber, webhook: respx.MockRouter
) -> None:
    register_webhook(client, cloud_number)
    set_policy(client, cloud_number, decision="approve", after_seconds=0.2)
    submit(client, cloud_number)

    review(client, cloud_number, "order_update", "de", status="REJECTED")
    time.sleep(0.4)

    assert stored_status(client, cloud_number) == "REJECTED"
    assert [payload["entry"][0]["changes"][0]["value"]["event"] for payload in received(webhook)] == [
        "REJECTED"
    ]


def test_a_policy_decides_on_premise_templates_without_webhook(
    client: TestClient, on_premise_number: SimulatedNumber, webhook: respx.MockRouter
) -> None:
    register_webhook(client, on_premise_number)
    set_policy(client, on_premise_number, decision="approve")

    submit(client, on_premise_number)
    wait_until(lambda: stored_status(client, on_premise_number) == "APPROVED")

    assert list_templates(client, on_premise_number)["waba_templates"][0]["status"] == "approved"
    assert received(webhook) == []


@pytest.mark.parametrize(
    "policy",
    [
        {"decision": "maybe"},
        {"decision": "approve", "after_seconds": -1},
        {"decision": "approve", "after_seconds": 3601},
        {"decision": "reject", "reason": ""},
        {"decision": "approve", "delay": 1},
    ],
)
def test_an_invalid_policy_is_refused(
    client: TestClient, cloud_number: SimulatedNumber, policy: dict[str, Any]
) -> None:
    response = set_policy(client, cloud_number, **policy)

    assert response.status_code == 400
    assert response.json()["details"]
