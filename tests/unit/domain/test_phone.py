from __future__ import annotations

import pytest

from wachannel.domain.phone import canonical_whatsapp_number, identity_key, to_e164, whatsapp_digits
from wachannel.errors import ValidationFailed


@pytest.mark.parametrize(
    "raw",
    ["+4915112345678", "4915112345678", "+49 151 1234 5678", "0049 (151) 1234-5678", " +49.151.12345678 "],
)
def test_every_spelling_of_a_number_becomes_one_e164(raw: str):
    assert to_e164(raw) == "+4915112345678"


@pytest.mark.parametrize("raw", ["", "+", "12", "+49 12", "not a number", "+999123456789"])
def test_impossible_numbers_name_the_field(raw: str):
    with pytest.raises(ValidationFailed) as refused:
        to_e164(raw, field="to")

    assert refused.value.details[0]["field"] == "to"


def test_whatsapp_writes_digits_without_plus():
    assert whatsapp_digits("+5511987654321") == "5511987654321"


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("5511987654321", "551187654321"),  # Brazil mobile with and without the ninth digit
        ("5215512345678", "525512345678"),  # Mexico 521 and 52
        ("5491123456789", "541123456789"),  # Argentina 549 and 54
    ],
)
def test_both_forms_of_a_quirky_number_are_one_person(first: str, second: str):
    assert identity_key(first) == identity_key(second)
    assert identity_key(f"+{first}") == identity_key(second)


def test_a_brazilian_landline_stays_distinct_from_a_mobile():
    landline = "551133334444"

    assert canonical_whatsapp_number(landline) == "+551133334444"
    assert identity_key(landline) != identity_key("5511933334444")


@pytest.mark.parametrize(
    ("wa_id", "e164"),
    [
        ("551187654321", "+5511987654321"),
        ("5511987654321", "+5511987654321"),
        ("5215512345678", "+525512345678"),
        ("5491123456789", "+5491123456789"),
        ("4915112345678", "+4915112345678"),
    ],
)
def test_whatsapp_ids_become_canonical_numbers(wa_id: str, e164: str):
    assert canonical_whatsapp_number(wa_id) == e164
