from __future__ import annotations

from typing import Any

import pytest

from wachannel.domain.template_components import (
    ParameterCount,
    buttons_of,
    find_component,
    header_format,
    parameter_count,
    placeholders,
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


@pytest.mark.parametrize(
    ("text", "numbers"),
    [
        ("Hi {{1}}, order {{2}} is on its way.", [1, 2]),
        ("{{2}} before {{1}}, and {{1}} again", [2, 1, 1]),
        ("Spaces are fine: {{ 1 }} and {{2 }}", [1, 2]),
        ("No variables here", []),
        ("Not variables: {{name}}, {1}, {{}}, {{1a}}", []),
        ("Double digits {{10}} and {{11}}", [10, 11]),
    ],
)
def test_placeholders_lists_positional_variables_in_order(text: str, numbers: list[int]):
    assert placeholders(text) == numbers


def test_the_order_update_template_takes_a_media_header_two_body_values_and_a_url_suffix():
    assert parameter_count(ORDER_UPDATE) == ParameterCount(header=1, body=2, buttons=[1])


def test_a_template_without_variables_takes_nothing_but_lists_each_button():
    components: list[dict[str, Any]] = [
        {"type": "BODY", "text": "Thanks for your order."},
        {
            "type": "BUTTONS",
            "buttons": [
                {"type": "QUICK_REPLY", "text": "Thanks"},
                {"type": "PHONE_NUMBER", "text": "Call", "phone_number": "+4930123456"},
                {"type": "URL", "text": "Shop", "url": "https://shop.example/"},
            ],
        },
    ]

    assert parameter_count(components) == ParameterCount(header=0, body=0, buttons=[0, 0, 0])


def test_a_repeated_body_variable_is_one_value():
    components = [{"type": "BODY", "text": "Hi {{1}}, yes {{1}}, order {{2}}"}]

    assert parameter_count(components).body == 2


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ({"type": "HEADER", "format": "TEXT", "text": "Order {{1}}"}, 1),
        ({"type": "HEADER", "format": "TEXT", "text": "Your order"}, 0),
        ({"type": "HEADER", "format": "IMAGE"}, 1),
        ({"type": "HEADER", "format": "VIDEO"}, 1),
        ({"type": "HEADER", "format": "DOCUMENT"}, 1),
        ({"type": "HEADER", "format": "LOCATION"}, 1),
        ({"type": "header", "format": "image"}, 1),
        ({"type": "HEADER", "text": "Order {{1}}"}, 1),
        ({"type": "HEADER", "format": "HOLOGRAM"}, 0),
    ],
)
def test_header_values_follow_its_format(header: dict, expected: int):
    assert parameter_count([header, {"type": "BODY", "text": "Hello there"}]).header == expected


def test_copy_code_and_otp_buttons_take_one_value_each():
    components: list[dict[str, Any]] = [
        {"type": "BODY", "text": "Your code is ready."},
        {
            "type": "BUTTONS",
            "buttons": [
                {"type": "COPY_CODE", "example": "SUMMER25"},
                {"type": "OTP", "otp_type": "COPY_CODE", "text": "Copy code"},
                {"type": "quick_reply", "text": "Stop"},
            ],
        },
    ]

    assert parameter_count(components).buttons == [1, 1, 0]


def test_component_types_are_read_case_insensitively():
    components: list[dict[str, Any]] = [
        {"type": "body", "text": "Hi {{1}}"},
        {"type": "Buttons", "buttons": [{"type": "url", "url": "https://x.example/{{1}}"}]},
    ]

    assert parameter_count(components) == ParameterCount(body=1, buttons=[1])
    assert find_component(components, "BODY") == components[0]


@pytest.mark.parametrize(
    "components",
    [
        [],
        [None, 42, "BODY", ["BODY"]],
        [{"type": None}, {"text": "no type"}, {"type": 7}],
        [{"type": "BODY", "text": None}, {"type": "HEADER", "format": 3, "text": ["x"]}],
        [{"type": "BUTTONS", "buttons": "not a list"}],
        [{"type": "BUTTONS", "buttons": [None, {"type": None}, {"type": "URL", "url": 5}]}],
    ],
)
def test_malformed_stored_components_read_as_absent_and_never_raise(components: list):
    count = parameter_count(components)

    assert count.header == 0
    assert count.body == 0
    assert all(value == 0 for value in count.buttons)


def test_a_malformed_button_keeps_the_index_of_the_buttons_after_it():
    components: list[dict[str, Any]] = [
        {"type": "BODY", "text": "Track it"},
        {
            "type": "BUTTONS",
            "buttons": ["junk", {"type": "URL", "text": "Track", "url": "https://t.example/{{1}}"}],
        },
    ]

    assert parameter_count(components).buttons == [0, 1]
    assert buttons_of(components)[1]["text"] == "Track"


def test_the_first_component_of_a_type_is_found():
    components = [{"type": "BODY", "text": "first"}, {"type": "BODY", "text": "second"}]

    assert find_component(components, "BODY") == {"type": "BODY", "text": "first"}
    assert find_component(components, "FOOTER") is None


def test_header_format_is_upper_case_and_none_without_a_header():
    assert header_format({"type": "HEADER", "format": "video"}) == "VIDEO"
    assert header_format({"type": "HEADER", "text": "Hello"}) == "TEXT"
    assert header_format(None) is None
