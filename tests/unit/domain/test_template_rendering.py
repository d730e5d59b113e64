from __future__ import annotations

from typing import Any

from wachannel.domain.template_rendering import (
    RenderedButton,
    RenderedTemplate,
    TemplateValues,
    render,
    value_count_problems,
)

# As 360dialog lists it (reference section 4).
ORDER_UPDATE: list[dict[str, Any]] = [
    {"type": "HEADER", "format": "IMAGE", "example": {"header_handle": ["https://cdn.example.com/h.jpg"]}},
    {
        "type": "BODY",
        "text": "Hi {{1}}, order {{2}} is on its way.",
        "example": {"body_text": [["Anna", "A-1234"]]},
    },
    {"type": "FOOTER", "text": "Reply STOP to opt out"},
    {
        "type": "BUTTONS",
        "buttons": [
            {
                "type": "URL",
                "text": "Track",
                "url": "https://track.example/{{1}}",
                "example": ["https://track.example/A-1234"],
            }
        ],
    },
]
# The create example of reference section 4.
BESTELLUNG: list[dict[str, Any]] = [
    {"type": "HEADER", "format": "TEXT", "text": "Bestellung {{1}}", "example": {"header_text": ["A-1234"]}},
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
]


def test_without_values_a_template_renders_with_its_samples():
    assert render(ORDER_UPDATE) == RenderedTemplate(
        header=None,
        header_format="IMAGE",
        header_media_url="https://cdn.example.com/h.jpg",
        body="Hi Anna, order A-1234 is on its way.",
        footer="Reply STOP to opt out",
        buttons=[RenderedButton(type="URL", text="Track", url="https://track.example/A-1234")],
    )


def test_given_values_fill_every_component():
    values = TemplateValues(
        header=["https://cdn.example.com/mine.png"], body=["Ben", "B-77"], buttons=[["B-77"]]
    )

    rendered = render(ORDER_UPDATE, values)

    assert rendered.header_media_url == "https://cdn.example.com/mine.png"
    assert rendered.body == "Hi Ben, order B-77 is on its way."
    assert rendered.buttons[0].url == "https://track.example/B-77"


def test_a_text_header_and_every_kind_of_button_render():
    rendered = render(BESTELLUNG, TemplateValues(header=["Z-9"], body=["Cem"], buttons=[[], ["Z-9"]]))

    assert rendered.header == "Bestellung Z-9"
    assert rendered.header_format == "TEXT"
    assert rendered.header_media_url is None
    assert rendered.body == "Hallo Cem, deine Bestellung ist unterwegs."
    assert rendered.footer == "Fragen? Antworte einfach."
    assert rendered.buttons == [
        RenderedButton(type="QUICK_REPLY", text="Danke"),
        RenderedButton(type="URL", text="Verfolgen", url="https://track.example/Z-9"),
        RenderedButton(type="PHONE_NUMBER", text="Anrufen", phone_number="+4930123456"),
    ]


def test_missing_values_are_taken_from_the_samples_one_by_one():
    rendered = render(ORDER_UPDATE, TemplateValues(body=["Ben"]))

    assert rendered.body == "Hi Ben, order A-1234 is on its way."


def test_an_empty_value_counts_as_missing():
    rendered = render(ORDER_UPDATE, TemplateValues(body=["", "B-77"]))

    assert rendered.body == "Hi Anna, order B-77 is on its way."


def test_without_samples_missing_values_stay_as_placeholders():
    rendered = render(ORDER_UPDATE, TemplateValues(body=["Ben"]), use_samples=False)

    assert rendered.body == "Hi Ben, order {{2}} is on its way."
    assert rendered.header_media_url is None
    assert rendered.buttons[0].url == "https://track.example/{{1}}"


def test_a_variable_used_twice_gets_the_same_value():
    components = [{"type": "BODY", "text": "Hi {{1}}! Yes, {{1}}, you."}]

    assert render(components, TemplateValues(body=["Anna"])).body == "Hi Anna! Yes, Anna, you."


def test_a_url_sample_with_a_different_prefix_is_not_used():
    components: list[dict[str, Any]] = [
        {"type": "BODY", "text": "Track it"},
        {
            "type": "BUTTONS",
            "buttons": [
                {
                    "type": "URL",
                    "text": "Go",
                    "url": "https://t.example/{{1}}",
                    "example": ["https://other.example/x"],
                }
            ],
        },
    ]

    assert render(components).buttons[0].url == "https://t.example/{{1}}"


def test_a_template_without_header_footer_or_buttons_renders_them_as_absent():
    rendered = render([{"type": "body", "text": "Thanks!"}])

    assert rendered == RenderedTemplate(
        header=None, header_format=None, header_media_url=None, body="Thanks!", footer=None, buttons=[]
    )


def test_malformed_stored_components_render_without_raising():
    components: list[Any] = [
        None,
        {"type": "HEADER", "format": "VIDEO", "example": {"header_handle": "not a list"}},
        {"type": "BODY", "text": "Hi {{1}}", "example": {"body_text": "nope"}},
        {
            "type": "BUTTONS",
            "buttons": [
                "junk",
                {"type": "URL", "url": 5},
                {"type": "URL", "url": "https://x.example/{{1}}", "example": [None]},
            ],
        },
    ]

    rendered = render(components)

    assert rendered.header_format == "VIDEO"
    assert rendered.header_media_url is None
    assert rendered.body == "Hi {{1}}"
    assert [button.url for button in rendered.buttons] == [None, None, "https://x.example/{{1}}"]


def test_matching_value_counts_have_no_problems():
    values = TemplateValues(header=["https://cdn.example.com/h.jpg"], body=["Anna", "A-1"], buttons=[["A-1"]])

    assert value_count_problems(ORDER_UPDATE, values) == []


def test_buttons_without_variables_may_be_left_out_or_given_empty():
    values = TemplateValues(header=["Z-9"], body=["Cem"], buttons=[[], ["Z-9"]])

    assert value_count_problems(BESTELLUNG, values) == []
    assert value_count_problems(BESTELLUNG, values.model_copy(update={"buttons": [[], ["Z-9"], []]})) == []


def test_each_component_with_the_wrong_number_of_values_is_a_problem():
    values = TemplateValues(header=[], body=["Anna"], buttons=[["A-1", "extra"]])

    problems = value_count_problems(ORDER_UPDATE, values)

    assert problems == [
        {
            "field": "parameters.header",
            "message": "The header takes 1 value, but 0 were given. Give exactly 1.",
        },
        {"field": "parameters.body", "message": "The body takes 2 values, but 1 was given. Give exactly 2."},
        {
            "field": "parameters.buttons.0",
            "message": "Button 0 (Track) takes 1 value, but 2 were given. Give exactly 1.",
        },
    ]


def test_values_for_a_button_without_variables_are_a_problem():
    problems = value_count_problems(
        BESTELLUNG, TemplateValues(header=["Z"], body=["C"], buttons=[["x"], ["Z"]])
    )

    assert problems == [
        {
            "field": "parameters.buttons.0",
            "message": "Button 0 (Danke) takes 0 values, but 1 was given. Leave its values out.",
        }
    ]


def test_more_button_entries_than_buttons_is_a_problem():
    values = TemplateValues(header=["https://cdn.example.com/h.jpg"], body=["A", "B"], buttons=[["A-1"], []])

    problems = value_count_problems(ORDER_UPDATE, values)

    assert [problem["field"] for problem in problems] == ["parameters.buttons"]
    assert "1 button" in problems[0]["message"]
