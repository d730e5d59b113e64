"""Webhook fixtures by name ("cloud/text"), and the numbers they use."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from tests.unit.support import ROOT

FIXTURES = ROOT / "tests/fixtures/webhooks"
FIXTURE_NAMES = sorted(f"{path.parent.name}/{path.stem}" for path in FIXTURES.glob("*/*.json"))

BUSINESS_NUMBER = "493022404512"
BRAZIL_MOBILE = "5511987654321"
BRAZIL_MOBILE_WITHOUT_NINTH_DIGIT = "551187654321"
BRAZIL_LANDLINE = "551133334444"
MEXICO_MOBILE = "5215512345678"
ARGENTINA_MOBILE = "5491123456789"
GERMANY_MOBILE = "4915112345678"


def load_fixture(name: str) -> Any:
    return json.loads((FIXTURES / f"{name}.json").read_text())


def first_raw_message(name: str) -> dict[str, Any]:
    """The fixture's first message object, as 360dialog sent it, whichever the generation."""
    body = load_fixture(name)
    value = body["entry"][0]["changes"][0]["value"] if "entry" in body else body
    message: dict[str, Any] = value["messages"][0]
    return message


def at(unix_seconds: int) -> datetime:
    return datetime.fromtimestamp(unix_seconds, tz=UTC)
