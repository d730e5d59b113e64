"""WhatsApp's rules for a new template (reference section 4), checked before it goes to 360dialog:
Meta's review answers one rejection at a time and takes up to a day, so the author gets every broken
rule at once, each with its field (`components.1.example.body_text`) and what to do about it.

Input comes straight from JSON, so any part may have any shape: a wrong shape is a problem, never an
exception. The template goes to 360dialog as given, so values are held to Meta's exact spelling: an
enum (category, component type, header format, button type, otp_type) in the wrong case is a problem
of its own, and the other rules still run as if it were written in capitals."""

from __future__ import annotations

import re
from collections import Counter
from itertools import pairwise
from typing import Any
from urllib.parse import urlsplit

from wachannel.domain.template_components import MEDIA_HEADER_FORMATS, PLACEHOLDER, kind, placeholders
from wachannel.domain.templates import CURRENT_CATEGORIES, LEGACY_CATEGORIES

Problem = dict[str, str]

NAME_MAX = 512
BODY_MAX = 1024
HEADER_TEXT_MAX = 60
FOOTER_MAX = 60
BUTTONS_MAX = 10
BUTTON_TEXT_MAX = 25
URL_MAX = 2000
PHONE_NUMBER_MAX = 20
COPY_CODE_EXAMPLE_MAX = 15
# Meta refuses bodies that are "mostly variables" without publishing the ratio. The rule chosen here:
# at least two words of fixed text for each distinct variable ("Hi {{1}}, order {{2}} is on its way."
# has six words for two variables and passes; "Hi {{1}} {{2}}" does not).
WORDS_PER_VARIABLE = 2

CATEGORIES = CURRENT_CATEGORIES
# Meta's template language codes (developers.facebook.com/documentation/business-messaging/whatsapp/
# templates/supported-languages). Meta adds regional codes over time; one missing here is refused.
LANGUAGES = frozenset(
    {
        *("af", "sq", "ar", "ar_EG", "ar_AE", "ar_LB", "ar_MA", "ar_QA", "az", "be_BY", "bn", "bn_IN"),
        *("bg", "ca", "zh_CN", "zh_HK", "zh_TW", "hr", "cs", "da", "prs_AF", "nl", "nl_BE"),
        *("en", "en_GB", "en_US", "en_AE", "en_AU", "en_CA", "en_GH", "en_IE", "en_IN", "en_JM"),
        *("en_MY", "en_NZ", "en_QA", "en_SG", "en_UG", "en_ZA", "et", "fil", "fi"),
        *("fr", "fr_BE", "fr_CA", "fr_CH", "fr_CI", "fr_MA", "ka", "de", "de_AT", "de_CH", "el"),
        *("gu", "ha", "he", "hi", "hu", "id", "ga", "it", "ja", "kn", "kk", "rw_RW", "ko", "ky_KG"),
        *("lo", "lv", "lt", "mk", "ms", "ml", "mr", "nb", "fa", "pl", "pt_BR", "pt_PT", "pa", "ro"),
        *("ru", "sr", "sk", "sl", "es", "es_AR", "es_ES", "es_MX", "sw", "sv", "ta", "te", "th"),
        *("tr", "uk", "ur", "uz", "vi", "zu"),
    }
)
COMPONENT_TYPES = ("HEADER", "BODY", "FOOTER", "BUTTONS")
HEADER_FORMATS = ("TEXT", "IMAGE", "VIDEO", "DOCUMENT", "LOCATION")
BUTTON_TYPES = ("QUICK_REPLY", "URL", "PHONE_NUMBER", "COPY_CODE", "OTP")
BUTTON_TYPE_LIMITS = {"URL": 2, "PHONE_NUMBER": 1, "COPY_CODE": 1, "OTP": 1}
OTP_TYPES = ("COPY_CODE", "ONE_TAP", "ZERO_TAP")

_NAME = re.compile(r"[a-z0-9_]+")
_ANY_PLACEHOLDER = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")
# Emoji blocks (pictographs, symbols, dingbats) and the joiners that build emoji sequences.
_EMOJI = re.compile("[\u2600-\u27bf\u2b00-\u2bff\u200d\ufe0f\U0001f000-\U0001faff]")
_MARKDOWN = re.compile(r"[*_~`]")
# Thai, Lao, kana and CJK ideographs are written without spaces: each character counts as a word.
_UNSPACED = "\u0e00-\u0eff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff"
_WORD = re.compile(rf"[{_UNSPACED}]|[^\W{_UNSPACED}]+")
_PHONE_NUMBER = re.compile(r"\+\d+")


def submission_problems(
    *,
    name: object,
    category: object,
    language: object,
    components: object,
    allow_category_change: object = False,
) -> list[Problem]:
    """Every rule the template breaks, as {"field", "message"}; [] when it may be submitted."""
    category_in_force = kind(category) if kind(category) in CATEGORIES else None
    return [
        *_name_problems(name),
        *_category_problems(category),
        *_language_problems(language),
        *_allow_category_change_problems(allow_category_change),
        *_components_problems(components, category_in_force),
    ]


def _problem(field: str, message: str) -> Problem:
    return {"field": field, "message": message}


def _name_problems(name: object) -> list[Problem]:
    if not isinstance(name, str) or not name:
        return [
            _problem(
                "name", "Give the template a name of lowercase letters, digits and _, like order_update."
            )
        ]
    problems = []
    if len(name) > NAME_MAX:
        problems.append(_problem("name", f"The name has {len(name)} characters; shorten it to {NAME_MAX}."))
    if not _NAME.fullmatch(name):
        suggestion = re.sub(r"[^a-z0-9_]+", "_", name.lower()).strip("_")[:NAME_MAX]
        example = f", like {suggestion}" if suggestion else ""
        problems.append(
            _problem("name", f"Use only lowercase letters a-z, digits and _ in the name{example}.")
        )
    return problems


def _category_problems(category: object) -> list[Problem]:
    given = kind(category)
    if given in CATEGORIES:
        return _casing_problems(category, "category")
    if given in LEGACY_CATEGORIES:
        return [
            _problem(
                "category",
                f"{category} is a retired category that WhatsApp no longer accepts for new templates; "
                f"use {LEGACY_CATEGORIES[given]}.",
            )
        ]
    return [_problem("category", f"Give the category: {_one_of(CATEGORIES)}.")]


def _language_problems(language: object) -> list[Problem]:
    if isinstance(language, str) and language in LANGUAGES:
        return []
    if not isinstance(language, str):
        return [
            _problem("language", "Give the language as a WhatsApp template language code, like en_US or de.")
        ]
    spelled_alike = [code for code in LANGUAGES if code.casefold() == language.replace("-", "_").casefold()]
    if spelled_alike:
        return [_problem("language", f"Write the language code exactly as {spelled_alike[0]}.")]
    return [
        _problem(
            "language",
            f"{language!r} is not a WhatsApp template language; "
            "use a code like en, en_US, de, es_MX or pt_BR.",
        )
    ]


def _allow_category_change_problems(allow_category_change: object) -> list[Problem]:
    if allow_category_change is None or isinstance(allow_category_change, bool):
        return []
    return [_problem("allow_category_change", "Give allow_category_change as true or false.")]


def _components_problems(components: object, category: str | None) -> list[Problem]:
    if not isinstance(components, list):
        return [_problem("components", "Give the components as a list of objects, with at least a BODY.")]
    problems: list[Problem] = []
    first_of_type: dict[str, int] = {}
    for index, component in enumerate(components):
        path = f"components.{index}"
        if not isinstance(component, dict):
            problems.append(
                _problem(path, f"Each component must be an object with a type: {_one_of(COMPONENT_TYPES)}.")
            )
            continue
        component_type = kind(component.get("type"))
        if component_type not in COMPONENT_TYPES:
            problems.append(
                _problem(f"{path}.type", f"Give the component a type: {_one_of(COMPONENT_TYPES)}.")
            )
            continue
        if component_type in first_of_type:
            problems.append(
                _problem(
                    f"{path}.type",
                    f"There is already a {component_type} at components.{first_of_type[component_type]}; "
                    "a template has at most one of each. Merge or remove one.",
                )
            )
            continue
        first_of_type[component_type] = index
        problems += _casing_problems(component["type"], f"{path}.type")
        problems += _component_problems(component, component_type, path, category)
    if "BODY" not in first_of_type:
        problems.append(
            _problem("components", "Add a BODY component with the message text: every template needs one.")
        )
    return problems


def _component_problems(
    component: dict[str, Any], component_type: str, path: str, category: str | None
) -> list[Problem]:
    match component_type:
        case "HEADER":
            return _header_problems(component, path)
        case "BODY":
            return _body_problems(component, path)
        case "FOOTER":
            return _footer_problems(component, path)
        case _:
            return _buttons_problems(component, path, category)


def _body_problems(body: dict[str, Any], path: str) -> list[Problem]:
    text = body.get("text")
    field = f"{path}.text"
    if not isinstance(text, str) or not text.strip():
        return [_problem(field, f"Give the body its text (up to {BODY_MAX} characters).")]
    numbers = placeholders(text)
    problems = _length_problems(text, BODY_MAX, "body", field)
    problems += _spelling_problems(text, field)
    problems += _numbering_problems(numbers, field)
    problems += _placement_problems(text, field)
    problems += _density_problems(text, len(set(numbers)), field)
    problems += _body_example_problems(body, len(set(numbers)), path)
    return problems


def _spelling_problems(text: str, field: str) -> list[Problem]:
    messages = []
    for match in _ANY_PLACEHOLDER.finditer(text):
        content = match.group(1)
        if not content.isdigit():
            messages.append(
                f"{match.group(0)} is not a numbered variable: use {{{{1}}}}, {{{{2}}}}... "
                "and give the names as samples instead."
            )
        elif match.group(0) != f"{{{{{int(content)}}}}}":
            messages.append(
                f"Write {match.group(0)} as {{{{{int(content)}}}}}, without spaces or leading zeros."
            )
    return [_problem(field, message) for message in dict.fromkeys(messages)]


def _numbering_problems(numbers: list[int], field: str) -> list[Problem]:
    distinct = set(numbers)
    if not distinct:
        return []
    problems = []
    if 0 in distinct:
        problems.append(_problem(field, "Number the variables from {{1}}; {{0}} is not allowed."))
    missing = [number for number in range(1, max(distinct) + 1) if number not in distinct]
    if missing:
        shown = ", ".join(f"{{{{{number}}}}}" for number in missing[:5]) + (
            ", ..." if len(missing) > 5 else ""
        )
        verb = "is" if len(missing) == 1 else "are"
        problems.append(
            _problem(field, f"Number the variables from {{{{1}}}} up without gaps: {shown} {verb} missing.")
        )
    return problems


def _placement_problems(text: str, field: str) -> list[Problem]:
    stripped = text.strip()
    problems = []
    first = PLACEHOLDER.match(stripped)
    if first:
        problems.append(
            _problem(field, f"Don't start the text with a variable: put words before {first.group(0)}.")
        )
    last = re.search(rf"{PLACEHOLDER.pattern}$", stripped)
    if last:
        problems.append(
            _problem(field, f"Don't end the text with a variable: put words after {last.group(0)}.")
        )
    problems += [
        _problem(field, f"{before.group(0)} and {after.group(0)} are side by side; put words between them.")
        for before, after in pairwise(PLACEHOLDER.finditer(text))
        if not text[before.end() : after.start()].strip()
    ]
    return problems


def _density_problems(text: str, variable_count: int, field: str) -> list[Problem]:
    words = len(_WORD.findall(_ANY_PLACEHOLDER.sub(" ", text)))
    needed = WORDS_PER_VARIABLE * variable_count
    if words >= needed:
        return []
    return [
        _problem(
            field,
            f"The text has {_counted(variable_count, 'variable')} but only {_counted(words, 'word')} besides "
            f"them, and WhatsApp refuses templates that are mostly variables: write at least {needed} words "
            "or use fewer variables.",
        )
    ]


def _body_example_problems(body: dict[str, Any], variable_count: int, path: str) -> list[Problem]:
    if variable_count == 0:
        return []
    field = f"{path}.example.body_text"
    rows = _example(body).get("body_text")
    if not (isinstance(rows, list) and len(rows) == 1 and isinstance(rows[0], list)):
        return [
            _problem(
                field,
                f"Give a sample for each of the {variable_count} variables as example.body_text = "
                '[["sample for {{1}}", ...]]: a list holding one list of texts.',
            )
        ]
    samples = rows[0]
    if len(samples) != variable_count:
        return [
            _problem(
                f"{field}.0",
                f"Give exactly {_counted(variable_count, 'sample')}, one per variable in order; "
                f"{len(samples)} given.",
            )
        ]
    return [
        _problem(f"{field}.0.{index}", f"Give a sample text for {{{{{index + 1}}}}}.")
        for index, sample in enumerate(samples)
        if not isinstance(sample, str) or not sample.strip()
    ]


def _header_problems(header: dict[str, Any], path: str) -> list[Problem]:
    header_format = kind(header.get("format"))
    if header_format not in HEADER_FORMATS:
        return [_problem(f"{path}.format", f"Give the header a format: {_one_of(HEADER_FORMATS)}.")]
    problems = _casing_problems(header["format"], f"{path}.format")
    if header_format == "TEXT":
        problems += _text_header_problems(header, path)
    elif header_format in MEDIA_HEADER_FORMATS:
        problems += _media_header_problems(header, header_format, path)
    return problems


def _text_header_problems(header: dict[str, Any], path: str) -> list[Problem]:
    text = header.get("text")
    field = f"{path}.text"
    if not isinstance(text, str) or not text.strip():
        return [_problem(field, f"Give the text header its text (up to {HEADER_TEXT_MAX} characters).")]
    problems = _length_problems(text, HEADER_TEXT_MAX, "header", field)
    if "\n" in text or "\r" in text:
        problems.append(_problem(field, "A text header is one line: remove the line breaks."))
    if _EMOJI.search(text):
        problems.append(_problem(field, "Remove the emoji: WhatsApp allows none in a text header."))
    if _MARKDOWN.search(_ANY_PLACEHOLDER.sub("", text)):
        problems.append(
            _problem(field, "Remove the formatting characters * _ ~ `: a text header is plain text.")
        )
    problems += _spelling_problems(text, field)
    variables = set(placeholders(text))
    if len(variables) > 1:
        problems.append(
            _problem(
                field, f"A text header takes at most one variable, {{{{1}}}}; this one has {len(variables)}."
            )
        )
    elif variables and variables != {1}:
        problems.append(_problem(field, "Number the header's variable {{1}}."))
    if variables:
        problems += _single_sample_problems(
            _example(header).get("header_text"),
            f"{path}.example.header_text",
            'Give a sample for the header\'s variable as example.header_text = ["sample"].',
        )
    return problems


def _media_header_problems(header: dict[str, Any], header_format: str, path: str) -> list[Problem]:
    handles = _example(header).get("header_handle")
    link = handles[0] if isinstance(handles, list) and handles else None
    if isinstance(link, str) and _is_web_address(link, schemes=("https",)):
        return []
    return [
        _problem(
            f"{path}.example.header_handle",
            f"Give a sample {header_format.lower()} as example.header_handle = "
            '["https://..."]: a public https link to the file.',
        )
    ]


def _footer_problems(footer: dict[str, Any], path: str) -> list[Problem]:
    text = footer.get("text")
    field = f"{path}.text"
    if not isinstance(text, str) or not text.strip():
        return [_problem(field, f"Give the footer its text (up to {FOOTER_MAX} characters).")]
    problems = _length_problems(text, FOOTER_MAX, "footer", field)
    variables = list(dict.fromkeys(match.group(0) for match in _ANY_PLACEHOLDER.finditer(text)))
    if variables:
        problems.append(_problem(field, f"A footer can't have variables: remove {', '.join(variables)}."))
    return problems


def _buttons_problems(component: dict[str, Any], path: str, category: str | None) -> list[Problem]:
    buttons = component.get("buttons")
    field = f"{path}.buttons"
    if not isinstance(buttons, list) or not buttons:
        return [_problem(field, f"Give the buttons as a list of 1 to {BUTTONS_MAX} button objects.")]
    problems = []
    if len(buttons) > BUTTONS_MAX:
        problems.append(
            _problem(
                field, f"A template has at most {BUTTONS_MAX} buttons; remove {len(buttons) - BUTTONS_MAX}."
            )
        )
    types: list[str | None] = []
    for index, button in enumerate(buttons):
        button_path = f"{field}.{index}"
        if not isinstance(button, dict):
            problems.append(
                _problem(button_path, f"Each button must be an object with a type: {_one_of(BUTTON_TYPES)}.")
            )
            types.append(None)
            continue
        button_type = kind(button.get("type"))
        types.append(button_type)
        if button_type not in BUTTON_TYPES:
            problems.append(
                _problem(f"{button_path}.type", f"Give the button a type: {_one_of(BUTTON_TYPES)}.")
            )
            continue
        problems += _casing_problems(button["type"], f"{button_path}.type")
        problems += _button_problems(button, button_type, button_path, category)
    return problems + _button_mix_problems(types, field)


def _button_problems(
    button: dict[str, Any], button_type: str, path: str, category: str | None
) -> list[Problem]:
    problems = _button_text_problems(button, button_type, path)
    match button_type:
        case "URL":
            problems += _url_button_problems(button, path)
        case "PHONE_NUMBER":
            problems += _phone_button_problems(button, path)
        case "COPY_CODE":
            problems += _copy_code_button_problems(button, path)
            problems += _category_only_problems("COPY_CODE", "MARKETING", category, path)
        case "OTP":
            if kind(button.get("otp_type")) in OTP_TYPES:
                problems += _casing_problems(button["otp_type"], f"{path}.otp_type")
            else:
                problems.append(
                    _problem(f"{path}.otp_type", f"Give the OTP button an otp_type: {_one_of(OTP_TYPES)}.")
                )
            problems += _category_only_problems("OTP", "AUTHENTICATION", category, path)
    return problems


def _button_text_problems(button: dict[str, Any], button_type: str, path: str) -> list[Problem]:
    text = button.get("text")
    if text is None and button_type in ("OTP", "COPY_CODE"):
        return []
    field = f"{path}.text"
    if not isinstance(text, str) or not text.strip():
        return [_problem(field, f"Give the button its label (up to {BUTTON_TEXT_MAX} characters).")]
    return _length_problems(text, BUTTON_TEXT_MAX, "button label", field)


def _url_button_problems(button: dict[str, Any], path: str) -> list[Problem]:
    url = button.get("url")
    field = f"{path}.url"
    if not isinstance(url, str) or not url.strip():
        return [_problem(field, "Give the button's web address, like https://track.example/{{1}}.")]
    problems = _length_problems(url, URL_MAX, "URL", field)
    variables = list(_ANY_PLACEHOLDER.finditer(url))
    if not _is_web_address(_ANY_PLACEHOLDER.sub("", url), schemes=("https", "http")):
        problems.append(_problem(field, "Give a full web address starting with https:// (or http://)."))
    if len(variables) > 1:
        problems.append(_problem(field, "A URL takes at most one variable, {{1}}, at its very end."))
    elif variables and variables[0].end() != len(url):
        problems.append(
            _problem(field, "Put the variable at the very end of the URL, like https://track.example/{{1}}.")
        )
    elif variables and variables[0].group(0) != "{{1}}":
        problems.append(
            _problem(field, f"Write the URL's variable as {{{{1}}}}, not {variables[0].group(0)}.")
        )
    if variables:
        prefix = url[: variables[0].start()]
        problems += _single_sample_problems(
            button.get("example"),
            f"{path}.example",
            f'Give an example of the full URL as example = ["{prefix}A-1234"].',
        )
        example = button.get("example")
        sample = example[0] if isinstance(example, list) and len(example) == 1 else None
        if isinstance(sample, str) and sample.strip() and not sample.startswith(prefix):
            problems.append(
                _problem(
                    f"{path}.example.0",
                    f"Start the example with {prefix}: it is the button's URL "
                    "with a sample in place of the variable.",
                )
            )
    return problems


def _phone_button_problems(button: dict[str, Any], path: str) -> list[Problem]:
    number = button.get("phone_number")
    field = f"{path}.phone_number"
    if not isinstance(number, str) or not number.strip():
        return [_problem(field, "Give the number to call as + and digits, like +4930123456.")]
    problems = _length_problems(number, PHONE_NUMBER_MAX, "phone number", field)
    if not _PHONE_NUMBER.fullmatch(number):
        problems.append(_problem(field, "Write the number as + and digits only, like +4930123456."))
    return problems


def _copy_code_button_problems(button: dict[str, Any], path: str) -> list[Problem]:
    code = button.get("example")
    field = f"{path}.example"
    if not isinstance(code, str) or not code.strip():
        return [_problem(field, 'Give the sample code the button copies as example, like "SUMMER25".')]
    return _length_problems(code, COPY_CODE_EXAMPLE_MAX, "sample code", field)


def _category_only_problems(button_type: str, allowed: str, category: str | None, path: str) -> list[Problem]:
    if category is None or category == allowed:
        return []
    return [
        _problem(
            f"{path}.type",
            f"{button_type} buttons are only allowed in {allowed} templates and this one is {category}: "
            "remove the button or change the category.",
        )
    ]


def _button_mix_problems(types: list[str | None], field: str) -> list[Problem]:
    counts = Counter(types)
    problems = [
        _problem(
            field,
            f"A template has at most {limit} {button_type} button{'s' if limit > 1 else ''}; "
            f"remove {counts[button_type] - limit}.",
        )
        for button_type, limit in BUTTON_TYPE_LIMITS.items()
        if counts[button_type] > limit
    ]
    quick_replies = [index for index, button_type in enumerate(types) if button_type == "QUICK_REPLY"]
    if quick_replies and quick_replies[-1] - quick_replies[0] + 1 != len(quick_replies):
        problems.append(
            _problem(
                field,
                "Put the QUICK_REPLY buttons next to each other, all before or all after the other buttons.",
            )
        )
    return problems


def _casing_problems(value: object, field: str) -> list[Problem]:
    if not isinstance(value, str) or value == value.upper():
        return []
    return [_problem(field, f"Write {value} in capitals: {value.upper()}.")]


def _single_sample_problems(samples: object, field: str, message: str) -> list[Problem]:
    if isinstance(samples, list) and len(samples) == 1 and isinstance(samples[0], str) and samples[0].strip():
        return []
    return [_problem(field, message)]


def _length_problems(text: str, limit: int, what: str, field: str) -> list[Problem]:
    if len(text) <= limit:
        return []
    return [_problem(field, f"The {what} has {len(text)} characters; shorten it to {limit}.")]


def _one_of(values: tuple[str, ...]) -> str:
    return f"{', '.join(values[:-1])} or {values[-1]}"


def _counted(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _example(component: dict[str, Any]) -> dict[str, Any]:
    example = component.get("example")
    return example if isinstance(example, dict) else {}


def _is_web_address(url: str, *, schemes: tuple[str, ...]) -> bool:
    if any(character.isspace() for character in url):
        return False
    try:
        parts = urlsplit(url)
        return parts.scheme in schemes and bool(parts.hostname)
    except ValueError:  # an unbalanced [ ] host or a bad port
        return False
