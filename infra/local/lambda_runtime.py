"""Runs the template's Lambda functions in this process, as the Python runtime runs them in a container."""

import importlib.util
import logging
import sys
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from infra.local.cfn import IntrinsicResolver, TemplateError, resources_of_type

SERVERLESS_FUNCTION = "AWS::Serverless::Function"
_LAYER = "AWS::Serverless::LayerVersion"
_DEFAULT_TIMEOUT_SECONDS = 3
_DEFAULT_MEMORY_MB = 128

_logger = logging.getLogger(__name__)

LambdaHandler = Callable[[dict[str, Any], "LambdaContext"], Any]


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


class LambdaContext:
    """The context object of the Python runtime, with the attributes handlers and Powertools read."""

    function_version = "$LATEST"
    identity = None
    client_context = None

    def __init__(self, function: LambdaFunction, invoked_function_arn: str) -> None:
        self.function_name = function.function_name
        self.memory_limit_in_mb = function.memory_mb
        self.invoked_function_arn = invoked_function_arn
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{function.function_name}"
        self.log_stream_name = f"local/[$LATEST]{uuid.uuid4().hex}"
        self._deadline = time.monotonic() + function.timeout_seconds

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


class FunctionInitError(Exception):
    """The handler could not be loaded: Lambda's Runtime.ImportModuleError or an error during init."""


class FunctionExited(Exception):
    """The handler called sys.exit: Lambda's Runtime.ExitError. Here it must not stop the whole stack."""


class FunctionTimedOut(Exception):
    """The handler ran longer than the function's Timeout; on AWS it would have been stopped."""


class LocalLambda:
    """One function's handler module, loaded on first invocation (the cold start) and kept afterwards.

    A failed load is not kept, so the next invocation tries again, as a new Lambda container would.
    """

    def __init__(self, function: LambdaFunction, *, region: str, account_id: str) -> None:
        self.function = function
        self._invoked_function_arn = f"arn:aws:lambda:{region}:{account_id}:function:{function.function_name}"
        self._handler: LambdaHandler | None = None
        self._load_lock = threading.Lock()

    def invoke(self, event: dict[str, Any]) -> Any:
        """Runs the handler on this thread; raises FunctionInitError, FunctionTimedOut or its own error."""
        handler = self._loaded_handler()
        context = LambdaContext(self.function, self._invoked_function_arn)
        started = time.monotonic()
        try:
            result = handler(event, context)
        except SystemExit as exit_request:
            raise FunctionExited(
                f"Runtime exited with error: exit status {exit_request.code}"
            ) from exit_request
        elapsed = time.monotonic() - started
        if elapsed > self.function.timeout_seconds:
            raise FunctionTimedOut(f"Task timed out after {elapsed:.2f} seconds")
        return result

    def _loaded_handler(self) -> LambdaHandler:
        with self._load_lock:
            if self._handler is None:
                try:
                    self._handler = self._load_handler()
                except (Exception, SystemExit) as error:
                    raise FunctionInitError(
                        f"{self.function.logical_id}: cannot load {self.function.handler_file}: {error!r}"
                    ) from error
            return self._handler

    def _load_handler(self) -> LambdaHandler:
        for layer_dir in self.function.layer_dirs:
            if str(layer_dir) not in sys.path:
                sys.path.insert(0, str(layer_dir))
        module = _load_module_by_path(f"_local_lambda_{self.function.logical_id}", self.function.handler_file)
        handler = getattr(module, self.function.handler_name, None)
        if not callable(handler):
            raise AttributeError(f"{self.function.handler_file} has no callable {self.function.handler_name}")
        return handler  # type: ignore[no-any-return]


def _load_module_by_path(module_name: str, path: Path) -> ModuleType:
    """Every function's module is called `app`, so each is loaded from its file under a name of its own."""
    if not path.is_file():
        raise FileNotFoundError(f"no handler file {path}")
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[module_name]
        raise
    return module
