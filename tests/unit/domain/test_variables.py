from __future__ import annotations

from datetime import UTC, datetime

import pytest

from wachannel.domain.contacts import Contact
from wachannel.domain.template_rendering import TemplateValues
from wachannel.domain.variables import (
    KNOWN_VARIABLES,
    VariableContext,
    has_variables,
    resolve_values,
    variable_problems,
)
from wachannel.errors import ValidationFailed

ANNA = Contact(
    id="ct_1",
    workspace_id="ws_a",
    created_at=datetime(2026, 11, 24, 10, 0, tzinfo=UTC),
    first_name="Anna",
    last_name="Schmidt",
    profile_name="Anni 🌸",
    phone_number="+4915112345678",
    whatsapp_id="4915112345678",
    email="anna@example.com",
    attributes={"order_id": "A-1234", "tier": "gold"},
)
CONTEXT = VariableContext(contact=ANNA, channel_name="Support", channel_phone_number="+4930123456")


def _body(*texts: str, context: VariableContext = CONTEXT) -> list[str]:
    return resolve_values(TemplateValues(body=list(texts)), context).body


def _refusal(values: TemplateValues, context: VariableContext = CONTEXT) -> list[dict[str, str]]:
    with pytest.raises(ValidationFailed) as refused:
        resolve_values(values, context)
    assert refused.value.status == 422
    problems: list[dict[str, str]] = refused.value.details
    return problems


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("{{contact.id}}", "ct_1"),
        ("{{contact.first_name}}", "Anna"),
        ("{{contact.last_name}}", "Schmidt"),
        ("{{contact.name}}", "Anna Schmidt"),
        ("{{contact.profile_name}}", "Anni 🌸"),
        ("{{contact.phone_number}}", "+4915112345678"),
        ("{{contact.whatsapp_id}}", "4915112345678"),
        ("{{contact.email}}", "anna@example.com"),
        ("{{contact.attributes.order_id}}", "A-1234"),
        ("{{channel.name}}", "Support"),
        ("{{channel.phone_number}}", "+4930123456"),
    ],
)
def test_each_known_variable_resolves(text: str, value: str):
    assert _body(text) == [value]


def test_variables_are_filled_inside_text_and_several_at_once():
    assert _body(
        "Dear {{contact.first_name}}, your order {{ contact.attributes.order_id }} ({{contact.attributes.tier}})!"
    ) == ["Dear Anna, your order A-1234 (gold)!"]


def test_text_without_variables_and_positional_placeholders_are_left_alone():
    assert _body("A-1234", "Hi {{1}}", "{{ 2 }} and {1} and {{}}") == [
        "A-1234",
        "Hi {{1}}",
        "{{ 2 }} and {1} and {{}}",
    ]


def test_every_part_of_the_values_is_resolved():
    values = TemplateValues(
        header=["{{contact.first_name}}"],
        body=["{{contact.email}}"],
        buttons=[[], ["{{contact.attributes.order_id}}"]],
    )

    assert resolve_values(values, CONTEXT) == TemplateValues(
        header=["Anna"], body=["anna@example.com"], buttons=[[], ["A-1234"]]
    )


def test_contact_name_falls_back_to_the_profile_name():
    profile_only = ANNA.model_copy(update={"first_name": None, "last_name": None})
    last_only = ANNA.model_copy(update={"first_name": None})

    assert _body("{{contact.name}}", context=VariableContext(contact=profile_only)) == ["Anni 🌸"]
    assert _body("{{contact.name}}", context=VariableContext(contact=last_only)) == ["Schmidt"]


def test_a_fallback_is_used_when_the_value_is_missing_or_blank():
    nameless = ANNA.model_copy(update={"first_name": "  ", "attributes": {}})
    context = VariableContext(contact=nameless)

    assert _body(
        "Hi {{contact.first_name|there}}!", "{{contact.attributes.order_id | your order }}", context=context
    ) == [
        "Hi there!",
        "your order",
    ]


def test_a_fallback_is_ignored_when_there_is_a_value():
    assert _body("{{contact.first_name|there}}") == ["Anna"]


def test_a_fallback_covers_a_missing_contact():
    assert _body("Hi {{contact.first_name|there}}", context=VariableContext()) == ["Hi there"]


def test_a_missing_attribute_without_fallback_is_refused_naming_the_variable():
    problems = _refusal(TemplateValues(body=["Anna", "Order {{contact.attributes.shipment}}"]))

    assert len(problems) == 1
    assert problems[0]["field"] == "parameters.body.1"
    assert problems[0]["message"].startswith("{{contact.attributes.shipment}} has no value for this contact")


def test_an_empty_fallback_is_no_fallback():
    nameless = ANNA.model_copy(update={"first_name": None})

    problems = _refusal(TemplateValues(body=["{{contact.first_name|}}"]), VariableContext(contact=nameless))

    assert problems[0]["field"] == "parameters.body.0"


def test_a_contact_variable_without_a_contact_is_refused():
    problems = _refusal(
        TemplateValues(header=["{{contact.first_name}}"]), VariableContext(channel_name="Support")
    )

    assert problems == [
        {
            "field": "parameters.header.0",
            "message": "{{contact.first_name}} needs a contact and none was given; choose a contact or add a "
            "fallback after a bar, like {{contact.first_name|text to use instead}}.",
        }
    ]


def test_a_channel_variable_without_a_value_is_refused():
    problems = _refusal(TemplateValues(body=["{{channel.name}}"]), VariableContext(contact=ANNA))

    assert problems[0]["field"] == "parameters.body.0"
    assert "{{channel.name}} has no value for this channel" in problems[0]["message"]


@pytest.mark.parametrize(
    "name", ["contact.nickname", "contact.attributes.", "Contact.First_Name", "first_name", "order"]
)
def test_an_unknown_variable_is_refused_even_with_a_fallback(name: str):
    problems = _refusal(TemplateValues(body=[f"{{{{{name}|x}}}}"]))

    assert problems[0]["field"] == "parameters.body.0"
    assert problems[0]["message"].startswith(f"{{{{{name}}}}} is not a variable")
    assert "{{contact.first_name}}" in problems[0]["message"]


def test_every_unresolvable_variable_is_listed_with_its_field():
    values = TemplateValues(
        header=["{{contact.nickname}}"],
        body=[
            "ok",
            "{{contact.attributes.order_id}} {{contact.attributes.missing}} {{contact.attributes.missing}}",
        ],
        buttons=[["{{channel.name}}"], ["{{contact.email}}", "{{contact.last_name}}"]],
    )
    context = VariableContext(contact=ANNA.model_copy(update={"email": None, "last_name": ""}))

    problems = _refusal(values, context)

    assert [problem["field"] for problem in problems] == [
        "parameters.header.0",
        "parameters.body.1",
        "parameters.buttons.0.0",
        "parameters.buttons.1.0",
        "parameters.buttons.1.1",
    ]
    assert "{{contact.attributes.missing}}" in problems[1]["message"]


def test_a_value_is_never_replaced_by_an_empty_string():
    blank = ANNA.model_copy(update={"first_name": ""})

    with pytest.raises(ValidationFailed):
        resolve_values(TemplateValues(body=["{{contact.first_name}}"]), VariableContext(contact=blank))


def test_contact_data_that_looks_like_a_variable_is_sent_as_written():
    sneaky = ANNA.model_copy(update={"first_name": "{{contact.email}}"})

    assert _body("{{contact.first_name}}", context=VariableContext(contact=sneaky)) == ["{{contact.email}}"]


def test_has_variables_sees_named_variables_but_not_positional_ones():
    assert has_variables("Dear {{contact.first_name}}")
    assert has_variables("{{ unknown.thing | x }}")
    assert not has_variables("Hi {{1}}")
    assert not has_variables("plain text")


def test_variable_problems_lists_each_unknown_name_once():
    text = "{{contact.first_name}} {{contact.nick}} {{shop.url|x}} {{contact.nick}} {{contact.attributes.any_key}} {{1}}"

    assert variable_problems(text) == ["contact.nick", "shop.url"]
    assert variable_problems("Hi {{contact.name|there}}") == []


def test_known_variables_are_documented():
    assert "contact.attributes.<key>" in KNOWN_VARIABLES
    assert {"contact.first_name", "contact.name", "channel.name", "channel.phone_number"} <= set(
        KNOWN_VARIABLES
    )
    assert all(description for description in KNOWN_VARIABLES.values())
