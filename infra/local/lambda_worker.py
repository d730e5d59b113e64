"""Runs inside a worker process: one Lambda execution environment. It loads the handler on its
first invocation (the cold start) and serves one invocation at a time, as Lambda does. Powertools
keeps the current request in class attributes, so handlers must not share a process concurrently."""

from __future__ import annotations

import importlib.util
import pickle
import sys
import time
import traceback
import uuid
from dataclasses import dataclass
from typing import Any

_handler: Any = None


@dataclass(frozen=True)
class FunctionFacts:
    logical_id: str
    function_name: str
    handler_file: str
    handler_name: str
    layer_dirs: tuple[str, ...]
    memory_mb: int
    timeout_seconds: float
    invoked_function_arn: str


class LambdaContext:
    """The context object of the Python runtime, with the attributes handlers and Powertools read."""

    function_version = "$LATEST"
    identity = None
    client_context = None

    def __init__(self, facts: FunctionFacts) -> None:
        self.function_name = facts.function_name
        self.memory_limit_in_mb = facts.memory_mb
        self.invoked_function_arn = facts.invoked_function_arn
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{facts.function_name}"
        self.log_stream_name = f"local/[$LATEST]{uuid.uuid4().hex}"
        self._deadline = time.monotonic() + facts.timeout_seconds

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


class FunctionInitError(Exception):
    """The handler could not be loaded: Lambda's Runtime.ImportModuleError or an error during init."""


class FunctionExited(Exception):
    """The handler called sys.exit: Lambda's Runtime.ExitError."""


class HandlerFailed(Exception):
    """A handler's error that cannot travel back to the stack as it is (Powertools' BatchProcessingError
    holds tracebacks), as text: its type, message and traceback, which is what Lambda reports too."""


def invoke(facts: FunctionFacts, event: dict[str, Any]) -> Any:
    handler = _loaded(facts)
    try:
        return handler(event, LambdaContext(facts))
    except SystemExit as exit_request:
        raise FunctionExited(f"Runtime exited with error: exit status {exit_request.code}") from None
    except Exception as error:
        if _picklable(error):
            raise
        raise HandlerFailed("".join(traceback.format_exception(error))) from None


def _picklable(error: Exception) -> bool:
    try:
        pickle.dumps(error)
    except Exception:
        return False
    return True


def _loaded(facts: FunctionFacts) -> Any:
    global _handler  # noqa: PLW0603 - one handler per worker process is the point
    if _handler is None:
        try:
            _handler = _load(facts)
        except (Exception, SystemExit) as error:
            raise FunctionInitError(
                f"{facts.logical_id}: cannot load {facts.handler_file}: {error!r}"
            ) from None
    return _handler


def _load(facts: FunctionFacts) -> Any:
    for layer_dir in facts.layer_dirs:
        if layer_dir not in sys.path:
            sys.path.insert(0, layer_dir)
    module_name = f"_local_lambda_{facts.logical_id}"
    spec = importlib.util.spec_from_file_location(module_name, facts.handler_file)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {facts.handler_file}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    handler = getattr(module, facts.handler_name, None)
    if not callable(handler):
        raise AttributeError(f"{facts.handler_file} has no callable {facts.handler_name}")
    return handler
