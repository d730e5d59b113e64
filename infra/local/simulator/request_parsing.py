"""Reading JSON bodies and query parameters of the 360dialog APIs, each refusing bad input its own way."""

from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from starlette.requests import Request

from infra.local.simulator.errors import SimulatorError, invalid_parameter
from infra.local.simulator.models import ApiGeneration

RequestModel = TypeVar("RequestModel", bound=BaseModel)


async def request_content(request: Request) -> bytes:
    """The body as the gateway passed it on, in one piece: `Request.body()` would join it with a final
    empty chunk into a copy, and media bodies reach 100 MB."""
    chunks = [chunk async for chunk in request.stream() if chunk]
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


async def messaging_json(request: Request, generation: ApiGeneration) -> Any:
    try:
        return await request.json()
    except ValueError:
        raise invalid_parameter(generation, "the request body must be a JSON object") from None


async def parse_messaging_body(
    request: Request, model: type[RequestModel], generation: ApiGeneration
) -> RequestModel:
    """The body as `model`, or a 400 INVALID_PARAMETER naming each problem, in the generation's shape."""
    body = await messaging_json(request, generation)
    try:
        return model.model_validate(body)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in problem['loc']) or 'body'}: {problem['msg']}"
            for problem in error.errors()
        )
        raise invalid_parameter(generation, problems) from None


def non_negative_int(
    request: Request, name: str, default: int, refuse: Callable[[str], SimulatorError]
) -> int:
    raw_value = request.query_params.get(name)
    if raw_value is None:
        return default
    if not (raw_value.isascii() and raw_value.isdigit()):
        raise refuse(f"{name} must be a non-negative integer")
    return int(raw_value)
