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


def canonical_whatsapp_number(wa_id: str) -> str:
    """The E.164 number of a WhatsApp id, with the country quirks of reference section 8 undone:
    Brazil's mobiles get their ninth digit, Mexico's '521' becomes '52'; Argentina keeps '549',
    its international mobile form."""
    digits = "".join(c for c in wa_id if c.isdigit())
    if digits.startswith("55") and len(digits) == 12 and digits[4] in _BR_MOBILE_FIRST_DIGITS:
        digits = f"{digits[:4]}9{digits[4:]}"
    elif digits.startswith("521") and len(digits) == 13:
        digits = f"52{digits[3:]}"
    return f"+{digits}"


def identity_key(e164: str) -> str:
    """One key per person whatever form their number arrives in: the canonical number, and for
    Argentina without the mobile '9' (area codes never start with 9, so no landline collides)."""
    digits = canonical_whatsapp_number(e164).removeprefix("+")
    if digits.startswith("549") and len(digits) == 13:
        digits = f"54{digits[3:]}"
    return digits


_BR_MOBILE_FIRST_DIGITS = frozenset("6789")
