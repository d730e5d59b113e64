from __future__ import annotations

import pytest

from wachannel.domain.phone import to_e164, whatsapp_digits
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
