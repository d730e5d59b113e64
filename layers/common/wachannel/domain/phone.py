"""Phone numbers in canonical E.164 (+ and digits), as WhatsApp identifies people and numbers."""

from __future__ import annotations

import re

from wachannel.errors import ValidationFailed

_SEPARATORS = re.compile(r"[\s().\-/]")


def to_e164(raw: str, field: str = "phone_number") -> str:
    """Accepts '+49 151 1234 5678', '004915112345678' or WhatsApp's bare digits '4915112345678'."""
    import phonenumbers  # its metadata costs ~12 ms of every cold start otherwise

    compact = _SEPARATORS.sub("", raw.strip())
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    elif not compact.startswith("+"):
        compact = "+" + compact
    try:
        parsed = phonenumbers.parse(compact, None)
    except phonenumbers.NumberParseException:
        parsed = None
    if parsed is None or not phonenumbers.is_valid_number(parsed):
        raise ValidationFailed.single(
            field, "Give a valid international phone number with country code, e.g. +4915112345678."
        )
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def whatsapp_digits(e164: str) -> str:
    """360dialog and WhatsApp write numbers as digits with country code and no '+'."""
    return e164.removeprefix("+")
