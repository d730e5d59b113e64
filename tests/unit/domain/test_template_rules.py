from __future__ import annotations

import copy
from typing import Any

import pytest

from wachannel.domain.template_rules import submission_problems

# The create example of reference section 4: text header, body, footer and three kinds of button.
ORDER_UPDATE: dict[str, Any] = {
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
        {
            "type": "BUTTONS",
            "buttons": [
                {"type": "QUICK_REPLY", "text": "Danke"},
                {
                    "type": "URL",
                    "text": "Verfolgen",
                    "url": "https://track.example/{{1}}",
                    "example": ["https://track.example/A-1234"],
                },
                {"type": "PHONE_NUMBER", "text": "Anrufen", "phone_number": "+4930123456"},
            ],
        },
    ],
}
HEADER, BODY, FOOTER, BUTTONS = 0, 1, 2, 3


def _template(**changes: Any) -> dict[str, Any]:
    template = copy.deepcopy(ORDER_UPDATE)
    template.update(changes)
    return template


def _with_component(index: int, **changes: Any) -> dict[str, Any]:
    template = _template()
    template["components"][index].update(changes)
    return template


def _with_buttons(*buttons: dict[str, Any], category: str = "UTILITY") -> dict[str, Any]:
    template = _with_component(BUTTONS, buttons=list(buttons))
    template["category"] = category
    return template


def _problems(template: dict[str, Any]) -> list[dict[str, str]]:
    return submission_problems(**template)


def _only_problem(template: dict[str, Any]) -> dict[str, str]:
    problems = _problems(template)
    assert len(problems) == 1, problems
    return problems[0]


# -- valid templates -----------------------------------------------------------------------------------


def test_the_reference_template_with_header_body_footer_and_buttons_is_valid():
    assert _problems(_template()) == []


def test_a_media_header_template_as_360dialog_lists_it_is_valid():
    template = _template(
        category="UTILITY",
        components=[
            {
                "type": "HEADER",
                "format": "IMAGE",
                "example": {"header_handle": ["https://cdn.example.com/h.jpg"]},
            },
            {
                "type": "BODY",
                "text": "Hi {{1}}, order {{2}} is on its way.",
                "example": {"body_text": [["Anna", "A-1234"]]},
            },
            {"type": "FOOTER", "text": "Reply STOP to opt out"},
        ],
    )

    assert _problems(template) == []


def test_a_body_alone_is_a_valid_template_and_allow_category_change_is_optional():
    template = {
        "name": "thanks",
        "category": "MARKETING",
        "language": "en_US",
        "components": [{"type": "BODY", "text": "Thanks for shopping with us!"}],
    }

    assert submission_problems(**template) == []


def test_a_location_header_needs_no_sample():
    template = _with_component(HEADER, format="LOCATION")
    del template["components"][HEADER]["text"]
    del template["components"][HEADER]["example"]

    assert _problems(template) == []


def test_a_copy_code_button_is_valid_in_a_marketing_template():
    template = _with_buttons({"type": "COPY_CODE", "example": "SUMMER25"}, category="MARKETING")

    assert _problems(template) == []


def test_an_otp_button_is_valid_in_an_authentication_template():
    template = _with_buttons(
        {"type": "OTP", "otp_type": "COPY_CODE", "text": "Copy code"}, category="AUTHENTICATION"
    )

    assert _problems(template) == []


def test_a_repeated_variable_needs_one_sample():
    template = _with_component(
        BODY,
        text="Hallo {{1}}, schön dich zu sehen, {{1}}, und bis bald.",
        example={"body_text": [["Anna"]]},
    )

    assert _problems(template) == []


def test_quick_replies_may_come_after_the_other_buttons():
    template = _with_buttons(
        {"type": "URL", "text": "Shop", "url": "https://shop.example/"},
        {"type": "QUICK_REPLY", "text": "Yes"},
        {"type": "QUICK_REPLY", "text": "No"},
    )

    assert _problems(template) == []


def test_a_chinese_body_counts_characters_as_words():
    template = _with_component(
        BODY, text="您好 {{1}} 您的订单已经发货了。", example={"body_text": [["安娜"]]}
    )
    template["language"] = "zh_CN"

    assert _problems(template) == []


# -- name, category, language, allow_category_change -----------------------------------------------------


def test_a_name_with_capitals_and_spaces_is_refused_with_a_suggestion():
    problem = _only_problem(_template(name="Order Update!"))

    assert problem["field"] == "name"
    assert "order_update" in problem["message"]


def test_a_name_longer_than_512_characters_is_refused():
    problem = _only_problem(_template(name="a" * 513))

    assert problem["field"] == "name"
    assert "512" in problem["message"]


@pytest.mark.parametrize("name", ["", None, 42])
def test_a_missing_name_is_refused(name: object):
    assert _only_problem(_template(name=name))["field"] == "name"


def test_an_unknown_category_is_refused_naming_the_three():
    problem = _only_problem(_template(category="PROMOTION"))

    assert problem["field"] == "category"
    assert all(category in problem["message"] for category in ("MARKETING", "UTILITY", "AUTHENTICATION"))


@pytest.mark.parametrize(
    ("legacy", "current"),
    [
        ("TRANSACTIONAL", "UTILITY"),
        ("SHIPPING_UPDATE", "UTILITY"),
        ("ACCOUNT_UPDATE", "UTILITY"),
        ("OTP", "AUTHENTICATION"),
    ],
)
def test_a_legacy_category_is_refused_saying_which_one_to_use(legacy: str, current: str):
    problem = _only_problem(_template(category=legacy))

    assert problem["field"] == "category"
    assert legacy in problem["message"]
    assert f"use {current}" in problem["message"]


@pytest.mark.parametrize("language", ["xx", "english", "en_XX"])
def test_an_unknown_language_is_refused(language: str):
    problem = _only_problem(_template(language=language))

    assert problem["field"] == "language"
    assert "en_US" in problem["message"]


@pytest.mark.parametrize("language", ["en_us", "en-US", "EN_US"])
def test_a_language_code_in_the_wrong_case_names_the_exact_code(language: str):
    problem = _only_problem(_template(language=language))

    assert problem == {"field": "language", "message": "Write the language code exactly as en_US."}


@pytest.mark.parametrize("language", ["af", "pt_BR", "zh_HK", "rw_RW", "ky_KG", "fil", "es_AR", "zu"])
def test_meta_template_languages_are_accepted(language: str):
    assert _problems(_template(language=language)) == []


@pytest.mark.parametrize("flag", ["yes", 1, []])
def test_allow_category_change_must_be_true_or_false(flag: object):
    assert _only_problem(_template(allow_category_change=flag))["field"] == "allow_category_change"


# -- components --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("components", [None, "BODY", {"type": "BODY"}])
def test_components_must_be_a_list(components: object):
    assert _only_problem(_template(components=components))["field"] == "components"


def test_an_empty_component_list_needs_a_body():
    problem = _only_problem(_template(components=[]))

    assert problem["field"] == "components"
    assert "BODY" in problem["message"]


def test_a_template_without_body_is_refused():
    template = _template()
    del template["components"][BODY]

    problem = _only_problem(template)

    assert problem["field"] == "components"
    assert "BODY" in problem["message"]


def test_a_component_that_is_not_an_object_is_refused_by_index():
    template = _template()
    template["components"].append("FOOTER")

    assert _only_problem(template)["field"] == "components.4"


@pytest.mark.parametrize("component_type", [None, "CAROUSEL", 3])
def test_a_component_needs_a_known_type(component_type: object):
    template = _template()
    template["components"].append({"type": component_type, "text": "x"})

    problem = _only_problem(template)

    assert problem["field"] == "components.4.type"
    assert "HEADER, BODY, FOOTER or BUTTONS" in problem["message"]


def test_a_second_component_of_a_type_is_refused():
    template = _template()
    template["components"].append({"type": "FOOTER", "text": "Again"})

    problem = _only_problem(template)

    assert problem["field"] == "components.4.type"
    assert "components.2" in problem["message"]


# -- body --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", [None, "", "   ", 12])
def test_the_body_needs_text(text: object):
    assert _only_problem(_with_component(BODY, text=text, example=None))["field"] == "components.1.text"


def test_a_body_over_1024_characters_is_refused():
    text = "Hallo {{1}}, " + "deine Bestellung ist unterwegs. " * 40
    problem = _only_problem(_with_component(BODY, text=text))

    assert problem["field"] == "components.1.text"
    assert "1024" in problem["message"]


def test_body_variables_must_be_numbered_without_gaps():
    template = _with_component(
        BODY,
        text="Hallo {{1}}, deine Bestellung {{3}} ist unterwegs.",
        example={"body_text": [["Anna", "A-1"]]},
    )

    problem = _only_problem(template)

    assert problem["field"] == "components.1.text"
    assert "{{2}} is missing" in problem["message"]


def test_body_variables_start_at_one():
    template = _with_component(
        BODY, text="Hallo {{2}}, deine Bestellung ist jetzt unterwegs.", example={"body_text": [["Anna"]]}
    )

    assert "{{1}} is missing" in _only_problem(template)["message"]


def test_the_body_must_not_start_with_a_variable():
    template = _with_component(BODY, text="{{1}}, deine Bestellung ist unterwegs.")

    problem = _only_problem(template)

    assert problem["field"] == "components.1.text"
    assert "start" in problem["message"]


def test_the_body_must_not_end_with_a_variable_even_before_trailing_spaces():
    template = _with_component(BODY, text="Deine Bestellung ist unterwegs, {{1}}  \n")

    problem = _only_problem(template)

    assert problem["field"] == "components.1.text"
    assert "end" in problem["message"]


@pytest.mark.parametrize("between", ["", " ", "\n"])
def test_two_body_variables_must_not_be_side_by_side(between: str):
    template = _with_component(
        BODY,
        text=f"Hallo {{{{1}}}}{between}{{{{2}}}}, deine Bestellung ist jetzt unterwegs zu dir.",
        example={"body_text": [["Anna", "Schmidt"]]},
    )

    problem = _only_problem(template)

    assert problem["field"] == "components.1.text"
    assert "{{1}} and {{2}} are side by side" in problem["message"]


def test_a_body_that_is_mostly_variables_is_refused():
    template = _with_component(
        BODY, text="Hallo {{1}}, {{2}} und {{3}}.", example={"body_text": [["Anna", "Ben", "Cem"]]}
    )

    problem = _only_problem(template)

    assert problem["field"] == "components.1.text"
    assert "3 variables but only 2 words" in problem["message"]


def test_body_variables_need_samples():
    template = _with_component(BODY, example=None)

    problem = _only_problem(template)

    assert problem["field"] == "components.1.example.body_text"
    assert "body_text" in problem["message"]


@pytest.mark.parametrize("body_text", [["Anna"], [["Anna"], ["Ben"]], "Anna", [[]]])
def test_body_samples_are_one_list_of_one_sample_per_variable(body_text: object):
    problem = _only_problem(_with_component(BODY, example={"body_text": body_text}))

    assert problem["field"].startswith("components.1.example.body_text")


def test_too_many_body_samples_are_refused_with_the_count():
    problem = _only_problem(_with_component(BODY, example={"body_text": [["Anna", "Ben"]]}))

    assert problem["field"] == "components.1.example.body_text.0"
    assert "exactly 1" in problem["message"]


def test_an_empty_body_sample_is_refused_by_its_position():
    template = _with_component(
        BODY,
        text="Hallo {{1}}, deine Bestellung {{2}} ist unterwegs.",
        example={"body_text": [["Anna", "  "]]},
    )

    problem = _only_problem(template)

    assert problem["field"] == "components.1.example.body_text.0.1"
    assert "{{2}}" in problem["message"]


def test_named_variables_are_refused_in_favour_of_numbered_ones():
    problem = _only_problem(
        _with_component(BODY, text="Hallo {{1}}, deine Bestellung {{order_id}} ist unterwegs.")
    )

    assert problem["field"] == "components.1.text"
    assert "{{order_id}}" in problem["message"]


def test_variables_are_written_without_spaces_inside_the_braces():
    problem = _only_problem(_with_component(BODY, text="Hallo {{ 1 }}, deine Bestellung ist unterwegs."))

    assert problem["field"] == "components.1.text"
    assert "{{1}}" in problem["message"]


# -- header ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("header_format", [None, "GIF", 1])
def test_the_header_needs_a_known_format(header_format: object):
    problem = _only_problem(_with_component(HEADER, format=header_format))

    assert problem["field"] == "components.0.format"
    assert "LOCATION" in problem["message"]


def test_a_text_header_needs_its_text():
    assert _only_problem(_with_component(HEADER, text="", example=None))["field"] == "components.0.text"


def test_a_text_header_is_at_most_60_characters():
    problem = _only_problem(_with_component(HEADER, text="Bestellung {{1}} " + "x" * 50))

    assert problem["field"] == "components.0.text"
    assert "60" in problem["message"]


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("Bestellung\n{{1}}", "line breaks"),
        ("Bestellung {{1}} 📦", "emoji"),
        ("Bestellung *{{1}}*", "formatting"),
        ("Bestellung ~{{1}}~", "formatting"),
        ("Bestellung `{{1}}`", "formatting"),
        ("Bestellung _{{1}}_", "formatting"),
    ],
)
def test_a_text_header_is_one_plain_line(text: str, word: str):
    problem = _only_problem(_with_component(HEADER, text=text))

    assert problem["field"] == "components.0.text"
    assert word in problem["message"]


def test_a_text_header_takes_at_most_one_variable():
    template = _with_component(HEADER, text="Bestellung {{1}} von {{2}}", example={"header_text": ["A-1"]})

    problem = _only_problem(template)

    assert problem["field"] == "components.0.text"
    assert "at most one variable" in problem["message"]


def test_the_header_variable_is_numbered_one():
    problem = _only_problem(_with_component(HEADER, text="Bestellung {{2}}"))

    assert problem["field"] == "components.0.text"
    assert "{{1}}" in problem["message"]


@pytest.mark.parametrize(
    "example", [None, {}, {"header_text": []}, {"header_text": [""]}, {"header_text": "A-1"}]
)
def test_a_header_variable_needs_one_sample(example: object):
    problem = _only_problem(_with_component(HEADER, example=example))

    assert problem["field"] == "components.0.example.header_text"


@pytest.mark.parametrize(
    "example",
    [
        None,
        {"header_handle": []},
        {"header_handle": ["http://cdn.example.com/h.jpg"]},
        {"header_handle": ["cdn.example.com/h.jpg"]},
        {"header_handle": "https://cdn.example.com/h.jpg"},
    ],
)
@pytest.mark.parametrize("header_format", ["IMAGE", "VIDEO", "DOCUMENT"])
def test_a_media_header_needs_an_https_sample(header_format: str, example: object):
    template = _template()
    template["components"][HEADER] = {"type": "HEADER", "format": header_format, "example": example}

    problem = _only_problem(template)

    assert problem["field"] == "components.0.example.header_handle"
    assert "https" in problem["message"]


# -- footer ------------------------------------------------------------------------------------------------


def test_a_footer_needs_text():
    assert _only_problem(_with_component(FOOTER, text=None))["field"] == "components.2.text"


def test_a_footer_is_at_most_60_characters():
    problem = _only_problem(_with_component(FOOTER, text="x" * 61))

    assert problem["field"] == "components.2.text"
    assert "61 characters" in problem["message"]


def test_a_footer_has_no_variables():
    problem = _only_problem(_with_component(FOOTER, text="Bestellung {{1}} unterwegs"))

    assert problem["field"] == "components.2.text"
    assert "{{1}}" in problem["message"]


# -- buttons -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("buttons", [None, [], "QUICK_REPLY"])
def test_a_buttons_component_needs_a_list_of_buttons(buttons: object):
    assert _only_problem(_with_component(BUTTONS, buttons=buttons))["field"] == "components.3.buttons"


def test_at_most_ten_buttons():
    buttons = [{"type": "QUICK_REPLY", "text": f"Answer {number}"} for number in range(11)]

    problem = _only_problem(_with_buttons(*buttons))

    assert problem["field"] == "components.3.buttons"
    assert "at most 10" in problem["message"]


def test_a_button_must_be_an_object_with_a_known_type():
    problems = _problems(_with_buttons("QUICK_REPLY", {"type": "FLOW_ME", "text": "Go"}))  # type: ignore[arg-type]

    assert [problem["field"] for problem in problems] == [
        "components.3.buttons.0",
        "components.3.buttons.1.type",
    ]


@pytest.mark.parametrize(("text", "word"), [(None, "label"), ("", "label"), ("x" * 26, "25")])
def test_a_button_label_is_required_and_at_most_25_characters(text: object, word: str):
    problem = _only_problem(_with_buttons({"type": "QUICK_REPLY", "text": text}))

    assert problem["field"] == "components.3.buttons.0.text"
    assert word in problem["message"]


@pytest.mark.parametrize(
    "url", [None, "", "track.example/{{1}}", "ftp://track.example/x", "https:///{{1}}", "https://{{1}}"]
)
def test_a_url_button_needs_a_web_address(url: object):
    template = _with_buttons(
        {"type": "URL", "text": "Track", "url": url, "example": ["https://track.example/A-1"]}
    )

    assert _problems(template)[0]["field"] == "components.3.buttons.0.url"


def test_a_url_is_at_most_2000_characters():
    url = "https://track.example/" + "a" * 1990
    problem = _only_problem(_with_buttons({"type": "URL", "text": "Track", "url": url}))

    assert problem["field"] == "components.3.buttons.0.url"
    assert "2000" in problem["message"]


def test_a_url_takes_at_most_one_variable():
    button = {
        "type": "URL",
        "text": "Track",
        "url": "https://t.example/{{1}}/{{2}}",
        "example": ["https://t.example/a/b"],
    }

    problem = _only_problem(_with_buttons(button))

    assert problem["field"] == "components.3.buttons.0.url"
    assert "at most one variable" in problem["message"]


def test_the_url_variable_goes_at_the_very_end():
    button = {
        "type": "URL",
        "text": "Track",
        "url": "https://t.example/{{1}}/status",
        "example": ["https://t.example/a/status"],
    }

    problem = _only_problem(_with_buttons(button))

    assert problem["field"] == "components.3.buttons.0.url"
    assert "very end" in problem["message"]


def test_the_url_variable_is_numbered_one():
    button = {
        "type": "URL",
        "text": "Track",
        "url": "https://t.example/{{2}}",
        "example": ["https://t.example/a"],
    }

    assert "{{1}}" in _only_problem(_with_buttons(button))["message"]


@pytest.mark.parametrize(
    "example",
    [None, [], ["", ""], "https://track.example/A-1", ["https://a.example/1", "https://a.example/2"]],
)
def test_a_url_variable_needs_one_example_url(example: object):
    button = {"type": "URL", "text": "Track", "url": "https://track.example/{{1}}", "example": example}

    problem = _only_problem(_with_buttons(button))

    assert problem["field"] == "components.3.buttons.0.example"
    assert "https://track.example/" in problem["message"]


def test_the_url_example_is_the_full_url():
    button = {"type": "URL", "text": "Track", "url": "https://track.example/{{1}}", "example": ["A-1234"]}

    problem = _only_problem(_with_buttons(button))

    assert problem["field"] == "components.3.buttons.0.example.0"
    assert "https://track.example/" in problem["message"]


def test_at_most_two_url_buttons():
    buttons = [
        {"type": "URL", "text": f"Link {number}", "url": f"https://x.example/{number}"} for number in range(3)
    ]

    problem = _only_problem(_with_buttons(*buttons))

    assert problem["field"] == "components.3.buttons"
    assert "at most 2 URL buttons" in problem["message"]


@pytest.mark.parametrize(
    ("number", "word"),
    [
        (None, "number"),
        ("+49301234567890123456", "20"),
        ("030 123456", "+ and digits"),
        ("+49 30 123456", "+ and digits"),
    ],
)
def test_a_phone_button_needs_a_number_of_plus_and_digits(number: object, word: str):
    problem = _only_problem(_with_buttons({"type": "PHONE_NUMBER", "text": "Call", "phone_number": number}))

    assert problem["field"] == "components.3.buttons.0.phone_number"
    assert word in problem["message"]


def test_at_most_one_phone_button():
    buttons = [{"type": "PHONE_NUMBER", "text": "Call", "phone_number": "+4930123456"}] * 2

    problem = _only_problem(_with_buttons(*buttons))

    assert problem["field"] == "components.3.buttons"
    assert "at most 1 PHONE_NUMBER button" in problem["message"]


def test_a_copy_code_button_only_in_marketing():
    problem = _only_problem(_with_buttons({"type": "COPY_CODE", "example": "SUMMER25"}, category="UTILITY"))

    assert problem["field"] == "components.3.buttons.0.type"
    assert "MARKETING" in problem["message"]


@pytest.mark.parametrize(("example", "word"), [(None, "example"), ("", "example"), ("X" * 16, "15")])
def test_a_copy_code_button_needs_a_sample_code(example: object, word: str):
    problem = _only_problem(_with_buttons({"type": "COPY_CODE", "example": example}, category="MARKETING"))

    assert problem["field"] == "components.3.buttons.0.example"
    assert word in problem["message"]


def test_at_most_one_copy_code_button():
    buttons = [{"type": "COPY_CODE", "example": "A1"}, {"type": "COPY_CODE", "example": "B2"}]

    problem = _only_problem(_with_buttons(*buttons, category="MARKETING"))

    assert "at most 1 COPY_CODE button" in problem["message"]


def test_an_otp_button_only_in_authentication():
    problem = _only_problem(_with_buttons({"type": "OTP", "otp_type": "COPY_CODE"}, category="MARKETING"))

    assert problem["field"] == "components.3.buttons.0.type"
    assert "AUTHENTICATION" in problem["message"]


def test_an_otp_button_needs_its_otp_type():
    problem = _only_problem(_with_buttons({"type": "OTP", "text": "Copy"}, category="AUTHENTICATION"))

    assert problem["field"] == "components.3.buttons.0.otp_type"
    assert "ONE_TAP" in problem["message"]


def test_quick_replies_are_grouped_together():
    template = _with_buttons(
        {"type": "QUICK_REPLY", "text": "Yes"},
        {"type": "URL", "text": "Shop", "url": "https://shop.example/"},
        {"type": "QUICK_REPLY", "text": "No"},
    )

    problem = _only_problem(template)

    assert problem["field"] == "components.3.buttons"
    assert "next to each other" in problem["message"]


def test_category_rules_for_buttons_wait_for_a_valid_category():
    template = _with_buttons({"type": "COPY_CODE", "example": "SUMMER25"}, category="TRANSACTIONAL")

    assert [problem["field"] for problem in _problems(template)] == ["category"]


def test_enum_values_in_the_wrong_case_are_named_and_the_other_rules_still_run():
    template = _template(category="marketing")
    template["components"][HEADER]["format"] = "Text"
    template["components"][BODY]["type"] = "body"
    template["components"][BUTTONS]["buttons"] = [
        {"type": "quick_reply", "text": "x" * 30},
        {"type": "copy_code", "example": "SUMMER25"},
    ]

    problems = _problems(template)

    assert problems == [
        {"field": "category", "message": "Write marketing in capitals: MARKETING."},
        {"field": "components.0.format", "message": "Write Text in capitals: TEXT."},
        {"field": "components.1.type", "message": "Write body in capitals: BODY."},
        {"field": "components.3.buttons.0.type", "message": "Write quick_reply in capitals: QUICK_REPLY."},
        {
            "field": "components.3.buttons.0.text",
            "message": "The button label has 30 characters; shorten it to 25.",
        },
        {"field": "components.3.buttons.1.type", "message": "Write copy_code in capitals: COPY_CODE."},
    ]


def test_an_otp_type_in_the_wrong_case_is_named():
    template = _with_buttons({"type": "OTP", "otp_type": "one_tap"}, category="AUTHENTICATION")

    assert _only_problem(template) == {
        "field": "components.3.buttons.0.otp_type",
        "message": "Write one_tap in capitals: ONE_TAP.",
    }


# -- all at once -------------------------------------------------------------------------------------------


def test_a_template_breaking_many_rules_lists_each_with_its_field():
    template = {
        "name": "Order Update",
        "category": "TRANSACTIONAL",
        "language": "english",
        "allow_category_change": "sure",
        "components": [
            {"type": "HEADER", "format": "TEXT", "text": "Order {{1}} 📦"},
            {"type": "BODY", "text": "{{1}} {{3}}"},
            {"type": "FOOTER", "text": "Reply {{1}} " + "x" * 60},
            {
                "type": "BUTTONS",
                "buttons": [
                    {"type": "QUICK_REPLY", "text": "A label that is far too long here"},
                    {"type": "URL", "text": "Track", "url": "https://track.example/{{1}}"},
                    {"type": "QUICK_REPLY", "text": "No"},
                    {"type": "PHONE_NUMBER", "text": "Call", "phone_number": "0301234"},
                ],
            },
            {"type": "BODY", "text": "Second body"},
            "junk",
        ],
    }

    fields = [problem["field"] for problem in submission_problems(**template)]

    assert fields == [
        "name",
        "category",
        "language",
        "allow_category_change",
        "components.0.text",  # emoji
        "components.0.example.header_text",
        "components.1.text",  # {{2}} missing
        "components.1.text",  # starts with a variable
        "components.1.text",  # ends with a variable
        "components.1.text",  # side by side
        "components.1.text",  # mostly variables
        "components.1.example.body_text",
        "components.2.text",  # too long
        "components.2.text",  # variable
        "components.3.buttons.0.text",
        "components.3.buttons.1.example",
        "components.3.buttons.3.phone_number",
        "components.3.buttons",  # quick replies apart
        "components.4.type",  # second BODY
        "components.5",
    ]


@pytest.mark.parametrize(
    "components",
    [
        [{"type": "BODY", "text": "Hi {{1}} there friend", "example": {"body_text": [[None]]}}],
        [{"type": "BODY", "text": "Hi {{1}} there friend", "example": "x"}],
        [
            {"type": "HEADER", "format": "IMAGE", "example": {"header_handle": [None]}},
            {"type": "BODY", "text": "Hi"},
        ],
        [
            {
                "type": "BUTTONS",
                "buttons": [{"type": "URL", "text": 1, "url": "https://[::1/{{1}}", "example": [3]}],
            }
        ],
        [{"type": "BUTTONS", "buttons": [{"type": "OTP", "otp_type": ["x"], "text": {}}]}],
        [{"type": "BODY", "text": "{{" * 50 + "}}" * 50}],
    ],
)
def test_odd_shapes_are_problems_never_exceptions(components: list):
    problems = submission_problems(name="x", category="MARKETING", language="en", components=components)

    assert problems
    assert all(set(problem) == {"field", "message"} for problem in problems)
