from typing import Any

from wachannel.domain.template_rendering import TemplateValues
from wachannel.domain.template_settings import defaults_problems, with_defaults

COMPONENTS: list[dict[str, Any]] = [
    {"type": "BODY", "text": "Hi {{1}}, order {{2}} is ready.", "example": {"body_text": [["Ana", "A-1"]]}},
    {
        "type": "BUTTONS",
        "buttons": [
            {
                "type": "URL",
                "text": "Track",
                "url": "https://track.example/{{1}}",
                "example": ["https://track.example/A"],
            },
            {"type": "QUICK_REPLY", "text": "Thanks"},
        ],
    },
]


def test_defaults_that_fit_have_no_problems():
    defaults = TemplateValues(
        body=["{{contact.first_name|there}}", "{{contact.attributes.order_id}}"], buttons=[["A-1"]]
    )
    assert defaults_problems(COMPONENTS, defaults) == []


def test_a_part_left_out_of_the_defaults_is_fine_but_a_wrong_count_is_not():
    assert defaults_problems(COMPONENTS, TemplateValues(buttons=[["A-1"]])) == []
    [problem] = defaults_problems(COMPONENTS, TemplateValues(body=["only one"]))
    assert problem["field"] == "parameter_defaults.body"


def test_unknown_variables_and_broken_urls_are_named():
    problems = defaults_problems(
        COMPONENTS, TemplateValues(body=["{{contact.nickname}}", "x"], buttons=[["two words"]])
    )
    assert {p["field"] for p in problems} == {"parameter_defaults.body.0", "parameter_defaults.buttons.0.0"}


def test_the_sends_own_values_win_and_defaults_fill_what_it_leaves_out():
    defaults = TemplateValues(header=["H"], body=["a", "b"], buttons=[["url-default"], []])
    assert with_defaults(TemplateValues(body=["x", "y"]), defaults) == TemplateValues(
        header=["H"], body=["x", "y"], buttons=[["url-default"], []]
    )
    assert with_defaults(TemplateValues(buttons=[["mine"]]), defaults).buttons == [["mine"], []]
    assert with_defaults(TemplateValues(), TemplateValues()) == TemplateValues()
