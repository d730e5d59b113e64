"""Shapes every HTTP function answers with: timestamps as ISO 8601 UTC, pages of items."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from pydantic import ConfigDict, PlainSerializer

from wachannel.models import Model

Timestamp = Annotated[
    datetime,
    PlainSerializer(lambda moment: moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), return_type=str),
]


class RequestModel(Model):
    """Request bodies refuse unknown fields, so a misspelt field is an error, not a silent no-op."""

    model_config = ConfigDict(extra="forbid")
