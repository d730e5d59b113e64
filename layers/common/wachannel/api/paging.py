"""The query parameters of every list route: `limit` (1..100, default 25) and an opaque `cursor`."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from wachannel.http import PAGE_LIMIT_MAX

PageLimit = Annotated[int, Query(ge=1, le=PAGE_LIMIT_MAX)]
PageCursor = Annotated[str | None, Query()]
