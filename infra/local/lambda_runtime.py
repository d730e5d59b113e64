"""Runs the template's Lambda functions in this process, as the Python runtime runs them in a container."""

import logging
import multiprocessing
import threading
from collections.abc import Mapping
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from infra.local import lambda_worker
from infra.local.cfn import IntrinsicResolver, TemplateError, resources_of_type
from infra.local.lambda_worker import FunctionFacts

SERVERLESS_FUNCTION = "AWS::Serverless::Function"
_LAYER = "AWS::Serverless::LayerVersion"
_DEFAULT_TIMEOUT_SECONDS = 3
_DEFAULT_MEMORY_MB = 128

_logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class LambdaFunction:
    """One AWS::Serverless::Function with the template's Globals applied (intrinsics left unresolved)."""

    logical_id: str
    function_name: str
    code_dir: Path
    handler: str
    timeout_seconds: int
    memory_mb: int
    layer_dirs: tuple[Path, ...]
    properties: Mapping[str, Any]

    @property
    def handler_file(self) -> Path:
        module_path, _, _ = self.handler.rpartition(".")
        return self.code_dir / (module_path.replace(".", "/") + ".py")

    @property
    def handler_name(self) -> str:
        return self.handler.rpartition(".")[2]


def with_globals(globals_section: Mapping[str, Any], properties: Mapping[str, Any]) -> dict[str, Any]:
    """SAM's merge of Globals: maps merge, lists concatenate (globals first), scalars override."""
    merged = dict(globals_section)
    for key, value in properties.items():
        current = merged.get(key)
        if isinstance(current, dict) and isinstance(value, dict):
            merged[key] = with_globals(current, value)
        elif isinstance(current, list) and isinstance(value, list):
            merged[key] = current + value
        else:
            merged[key] = value
    return merged


def read_functions(
    template: Mapping[str, Any], template_dir: Path, resolver: IntrinsicResolver, stack_name: str
) -> dict[str, LambdaFunction]:
    """Every function the stack creates, by logical id."""
    function_globals: Mapping[str, Any] = template.get("Globals", {}).get("Function", {})
    functions: dict[str, LambdaFunction] = {}
    for logical_id, definition in resources_of_type(template, SERVERLESS_FUNCTION).items():
        if not resolver.is_created(definition):
            continue
        properties = with_globals(function_globals, definition.get("Properties", {}))
        if "CodeUri" not in properties:
            raise TemplateError(f"{logical_id} has no CodeUri: only functions with code on disk run locally")
        functions[logical_id] = LambdaFunction(
            logical_id=logical_id,
            function_name=properties.get("FunctionName", f"{stack_name}-{logical_id}"),
            code_dir=template_dir / properties["CodeUri"],
            handler=properties["Handler"],
            timeout_seconds=int(resolver.resolve(properties.get("Timeout", _DEFAULT_TIMEOUT_SECONDS))),
            memory_mb=int(resolver.resolve(properties.get("MemorySize", _DEFAULT_MEMORY_MB))),
            layer_dirs=_layer_dirs(template, template_dir, properties.get("Layers", [])),
            properties=properties,
        )
    return functions


def _layer_dirs(template: Mapping[str, Any], template_dir: Path, layers: list[Any]) -> tuple[Path, ...]:
    """The local folders of the template's own layers. A layer given by ARN cannot be fetched here:
    what it would bring must come from the virtual environment instead."""
    template_layers = resources_of_type(template, _LAYER)
    dirs = []
    for layer in layers:
        name = layer.get("Ref") if isinstance(layer, dict) else None
        if name in template_layers:
            dirs.append(template_dir / template_layers[name]["Properties"]["ContentUri"])
        else:
            _logger.warning("layer %r is not part of this template and is not loaded locally", layer)
    return tuple(dirs)


def function_environment(function: LambdaFunction, resolver: IntrinsicResolver) -> dict[str, str]:
    variables = function.properties.get("Environment", {}).get("Variables", {})
    return {
        name: resolver.resolve_string(value, f"{function.logical_id} environment variable {name}")
        for name, value in variables.items()
    }


ENVIRONMENTS_PER_FUNCTION = 4
# A cold start (imports, settings) happens inside the first invocation here; Lambda does not count
# init against the function timeout, so neither does this.
INIT_ALLOWANCE_SECONDS = 10


class FunctionTimedOut(Exception):
    """The handler ran longer than the function's Timeout; on AWS it would have been stopped."""


class LocalLambda:
    """One function's execution environments: worker processes, each serving one invocation at a
    time and keeping its handler loaded (a warm container), up to ENVIRONMENTS_PER_FUNCTION at once.
    Concurrent invocations therefore run truly in parallel and share no module state, as on Lambda."""

    def __init__(self, function: LambdaFunction, *, region: str, account_id: str) -> None:
        self.function = function
        self._facts = FunctionFacts(
            logical_id=function.logical_id,
            function_name=function.function_name,
            handler_file=str(function.handler_file),
            handler_name=function.handler_name,
            layer_dirs=tuple(str(d) for d in function.layer_dirs),
            memory_mb=function.memory_mb,
            timeout_seconds=function.timeout_seconds,
            invoked_function_arn=f"arn:aws:lambda:{region}:{account_id}:function:{function.function_name}",
        )
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    def invoke(self, event: dict[str, Any]) -> Any:
        """Runs the handler in an environment; raises FunctionInitError, FunctionTimedOut or its own error
        (HandlerFailed when that error cannot be pickled)."""
        future = self._environments().submit(lambda_worker.invoke, self._facts, event)
        try:
            return future.result(timeout=self.function.timeout_seconds + INIT_ALLOWANCE_SECONDS)
        except FutureTimeout:
            raise FunctionTimedOut(
                f"Task timed out after {self.function.timeout_seconds:.2f} seconds"
            ) from None
        except BrokenProcessPool:
            with self._lock:
                self._pool = None
            raise

    def close(self) -> None:
        with self._lock:
            if self._pool is not None:
                self._pool.shutdown(wait=False, cancel_futures=True)
                self._pool = None

    def _environments(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = ProcessPoolExecutor(
                    max_workers=ENVIRONMENTS_PER_FUNCTION, mp_context=multiprocessing.get_context("spawn")
                )
            return self._pool
