"""The local stack: moto, the 360dialog simulator and the HTTP gateway, on loopback, in one process.

moto serves from its own thread; the simulator and the gateway are two uvicorn servers on one asyncio
loop. Handlers run on worker threads, so a handler calling the simulator never blocks the loop.
"""

import asyncio
import contextlib
import logging
import os
import socket
import sys
from collections.abc import Coroutine, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Self

import httpx
import uvicorn
from starlette.types import ASGIApp

from infra.local.aws import (
    LOCAL_ACCESS_KEY_ID,
    LOCAL_REGION,
    LOCAL_SECRET_ACCESS_KEY,
    LOCAL_STACK_NAME,
    AwsClients,
    AwsDynamicReferences,
    MotoServer,
    provision_resources,
)
from infra.local.cfn import (
    LOCAL_ACCOUNT_ID,
    IntrinsicResolver,
    PhysicalResource,
    TemplateError,
    load_template,
)
from infra.local.console import CONSOLE_PATH, console_routes
from infra.local.event_rules import RuleConsumer, create_rule_target, read_rule_subscriptions
from infra.local.facts import JWT_PRIVATE_KEY_FILE, STACK_FACTS_FILE, ReadyNumber, StackFacts
from infra.local.gateway import create_gateway_app, read_http_routes
from infra.local.jwt_issuer import (
    AUTHORIZE_PATH,
    LOCAL_AUDIENCE,
    OPENID_CONFIGURATION_PATH,
    LocalJwtIssuer,
    local_issuer_url,
)
from infra.local.lambda_runtime import LambdaFunction, LocalLambda, function_environment, read_functions
from infra.local.queues import QueueConsumer, read_queue_subscriptions
from infra.local.schedules import (
    RUN_SCHEDULE_PATH,
    SCHEDULE_RATE_VARIABLE,
    LocalScheduler,
    read_bus_schedules,
    schedule_routes,
)
from infra.local.sign_in import sign_in_routes
from infra.local.simulator import SimulatorState, create_app
from infra.local.streams import InProcessShardReader, StreamConsumer, read_stream_subscriptions

REPO_ROOT = Path(__file__).resolve().parents[2]
LOOPBACK = "127.0.0.1"
PARTNER_ID = "sim01PA"
PARTNER_API_KEY_PARAMETER = "/wachannel/local/dialog360-partner-api-key"
READY_NUMBERS: tuple[tuple[str, Literal["cloud", "on_premise"]], ...] = (
    ("4915110000001", "cloud"),
    ("4915110000002", "on_premise"),
)
DEV_SUBJECT = "dev-user"
DEV_WORKSPACE = "ws_local_dev"
OTHER_WORKSPACE = "ws_local_other"
WEBHOOK_PATH = "/webhooks/360dialog"
_STARTUP_TIMEOUT_SECONDS = 30
_DEVELOPER_AWS_IDENTITY = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN")

_logger = logging.getLogger(__name__)


class LocalStackError(Exception):
    """The stack could not start, or a piece of it stopped; the message says which and why."""


@dataclass(frozen=True)
class LocalStackSettings:
    gateway_port: int
    simulator_port: int
    moto_port: int
    state_dir: Path
    template_path: Path = REPO_ROOT / "template.yaml"
    host: str = LOOPBACK
    schedule_rate_seconds: float | None = None
    """Replaces every schedule's period, so that a schedule of hours can be watched firing."""

    @classmethod
    def from_environment(cls, environ: Mapping[str, str]) -> Self:
        return cls(
            gateway_port=int(environ.get("WACHANNEL_GATEWAY_PORT", "3000")),
            simulator_port=int(environ.get("WACHANNEL_SIMULATOR_PORT", "3001")),
            moto_port=int(environ.get("WACHANNEL_MOTO_PORT", "3002")),
            state_dir=Path(environ.get("WACHANNEL_STATE_DIR", ".local")),
            schedule_rate_seconds=_positive_seconds(environ, SCHEDULE_RATE_VARIABLE),
        )

    @property
    def gateway_url(self) -> str:
        return f"http://{self.host}:{self.gateway_port}"

    @property
    def simulator_url(self) -> str:
        return f"http://{self.host}:{self.simulator_port}"

    @property
    def stack_facts_path(self) -> Path:
        return self.state_dir / STACK_FACTS_FILE


def _positive_seconds(environ: Mapping[str, str], name: str) -> float | None:
    if not environ.get(name):
        return None
    try:
        seconds = float(environ[name])
    except ValueError:
        seconds = 0
    if not seconds > 0:
        raise LocalStackError(f"{name} must be a number of seconds above zero, not {environ[name]!r}")
    return seconds


def local_endpoint_environment(moto_url: str, simulator_url: str) -> dict[str, str]:
    """What differs from AWS for every function: where the services are, and fake credentials."""
    return {
        "AWS_ENDPOINT_URL": moto_url,
        "AWS_ACCESS_KEY_ID": LOCAL_ACCESS_KEY_ID,
        "AWS_SECRET_ACCESS_KEY": LOCAL_SECRET_ACCESS_KEY,
        "AWS_DEFAULT_REGION": LOCAL_REGION,
        "AWS_REGION": LOCAL_REGION,
        "DIALOG360_CLOUD_BASE_URL": simulator_url,
        "DIALOG360_ON_PREMISE_BASE_URL": simulator_url,
        "DIALOG360_PARTNER_BASE_URL": simulator_url + "/api/v2",
        "DIALOG360_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_DEV": "false",
    }


def merge_environments(environments: Mapping[str, Mapping[str, str]]) -> dict[str, str]:
    """One environment for functions that share a process; two sources wanting different values fail."""
    merged: dict[str, str] = {}
    wanted_by: dict[str, str] = {}
    for source, environment in environments.items():
        for name, value in environment.items():
            if name in merged and merged[name] != value:
                raise TemplateError(
                    f"{wanted_by[name]} and {source} want different values for {name}; the local stack runs "
                    "all functions in one process and cannot give each its own"
                )
            merged[name] = value
            wanted_by.setdefault(name, source)
    return merged


class _EmbeddedServer(uvicorn.Server):
    """A uvicorn server that leaves signals to the stack, which runs two servers on one loop."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def _listening_socket(name: str, host: str, port: int) -> socket.socket:
    """Bound here rather than by uvicorn, which answers a port in use with sys.exit."""
    # The protocol must be named: asyncio sets TCP_NODELAY on accepted connections only for sockets
    # whose protocol is TCP, and without it every answer stalls ~40 ms on delayed acknowledgements.
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind((host, port))
    except OSError as error:
        listener.close()
        raise LocalStackError(f"the {name} cannot listen on {host}:{port}: {error}") from error
    return listener


async def _start_server(
    name: str, app: ASGIApp, listener: socket.socket
) -> tuple[_EmbeddedServer, "asyncio.Task[None]"]:
    server = _EmbeddedServer(
        uvicorn.Config(
            app, log_config=None, log_level="warning", access_log=False, lifespan="off", server_header=False
        )
    )
    task = asyncio.create_task(server.serve(sockets=[listener]), name=name)
    async with asyncio.timeout(_STARTUP_TIMEOUT_SECONDS):
        while not server.started:
            if task.done():
                raise LocalStackError(f"the {name} did not start ({task.exception()!r})")
            await asyncio.sleep(0.02)
    return server, task


async def _wait_until_answering(urls: Mapping[str, str]) -> None:
    async with httpx.AsyncClient(timeout=5) as client:
        for name, url in urls.items():
            try:
                await client.get(url)
            except httpx.HTTPError as error:
                raise LocalStackError(f"the {name} at {url} does not answer: {error!r}") from error


def _ensure_no_running_stack(facts_path: Path) -> None:
    if not facts_path.exists():
        return
    with contextlib.suppress(ValueError, KeyError, OSError):
        pid = StackFacts.read(facts_path).pid
        if pid != os.getpid() and _process_exists(pid):
            raise LocalStackError(
                f"a local stack (pid {pid}) already uses {facts_path.parent}: "
                "stop it, or give this one another WACHANNEL_STATE_DIR"
            )
    facts_path.unlink(missing_ok=True)


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _ready_number(
    simulator_state: SimulatorState, phone_number: str, api_generation: Literal["cloud", "on_premise"]
) -> ReadyNumber:
    number = simulator_state.add_number(phone_number, api_generation)
    if number.api_key is None:
        raise LocalStackError(f"the simulator made {phone_number} without an API key")
    return ReadyNumber(number.phone_number, number.api_key, number.api_generation)


class LocalStack:
    """Starts the pieces in order, and stops whatever was started, in reverse."""

    def __init__(self, settings: LocalStackSettings) -> None:
        self.settings = settings
        self._moto: MotoServer | None = None
        self._consumers: list[asyncio.Task[None]] = []
        self._lambdas: dict[str, LocalLambda] = {}
        self._servers: list[tuple[_EmbeddedServer, asyncio.Task[None]]] = []
        self._listeners: dict[str, socket.socket] = {}
        self._private_key_path = settings.state_dir / JWT_PRIVATE_KEY_FILE
        self._written_files: list[Path] = []

    async def start(self) -> StackFacts:
        settings = self.settings
        settings.state_dir.mkdir(parents=True, exist_ok=True)
        _ensure_no_running_stack(settings.stack_facts_path)
        # A developer's own AWS profile or session must not reach the local functions.
        for aws_identity in _DEVELOPER_AWS_IDENTITY:
            os.environ.pop(aws_identity, None)
        self._listeners = {
            "360dialog simulator": _listening_socket(
                "360dialog simulator", settings.host, settings.simulator_port
            ),
            "gateway": _listening_socket("gateway", settings.host, settings.gateway_port),
        }
        template = load_template(settings.template_path)

        moto = MotoServer(settings.host, settings.moto_port)
        moto.start()
        self._moto = moto
        clients = AwsClients.connect(moto.endpoint_url)

        simulator_state = SimulatorState(partner_id=PARTNER_ID)
        numbers = [_ready_number(simulator_state, digits, generation) for digits, generation in READY_NUMBERS]
        clients.ssm.put_parameter(
            Name=PARTNER_API_KEY_PARAMETER, Value=simulator_state.partner_api_key, Type="SecureString"
        )

        issuer = LocalJwtIssuer.generate(local_issuer_url(settings.gateway_url), LOCAL_AUDIENCE)
        issuer.write_private_key(self._private_key_path)
        self._written_files.append(self._private_key_path)
        parameter_values = {
            "WebhookBaseUrl": settings.gateway_url,
            "Dialog360PartnerId": simulator_state.partner_id,
            "Dialog360PartnerApiKeyParameter": PARTNER_API_KEY_PARAMETER,
            "JwtIssuer": issuer.issuer,
            "JwtAudience": issuer.audience,
        }
        resources = provision_resources(template, clients, parameter_values=parameter_values)
        resolver = IntrinsicResolver(
            template,
            region=LOCAL_REGION,
            stack_name=LOCAL_STACK_NAME,
            parameter_values=parameter_values,
            resources=resources,
            dynamic_references=AwsDynamicReferences(clients),
        )
        functions = read_functions(template, settings.template_path.parent, resolver, LOCAL_STACK_NAME)
        os.environ.update(
            merge_environments(
                {"the local stack": local_endpoint_environment(moto.endpoint_url, settings.simulator_url)}
                | {
                    logical_id: function_environment(function, resolver)
                    for logical_id, function in functions.items()
                }
            )
        )
        scheduler = LocalScheduler(
            read_bus_schedules(template, resolver, LOCAL_STACK_NAME),
            clients.events,
            rate_override_seconds=settings.schedule_rate_seconds,
        )
        routes = read_http_routes(template, resolver, functions, issuer.jwks())
        foreign_issuers = {r.authorizer.issuer for r in routes if r.authorizer} - {issuer.issuer}
        if foreign_issuers:
            raise LocalStackError(f"routes use issuers other than the local one: {sorted(foreign_issuers)}")
        gateway_app = create_gateway_app(
            routes,
            region=LOCAL_REGION,
            account_id=LOCAL_ACCOUNT_ID,
            issuer=issuer,
            local_routes=[
                *schedule_routes(scheduler),
                *sign_in_routes(issuer, settings.gateway_url, (DEV_WORKSPACE, OTHER_WORKSPACE)),
                *console_routes(REPO_ROOT / "console" / "dist", settings.stack_facts_path, DEV_WORKSPACE),
            ],
        )

        for name, app in (("360dialog simulator", create_app(simulator_state)), ("gateway", gateway_app)):
            self._servers.append(await _start_server(name, app, self._listeners[name]))
        self._start_event_sources(functions, resolver, resources, clients)
        self._run_in_background("schedules", scheduler.run())
        await _wait_until_answering(
            {
                "gateway": settings.gateway_url + OPENID_CONFIGURATION_PATH,
                "360dialog simulator": settings.simulator_url + "/health_status",
                "moto server": moto.endpoint_url + "/moto-api/",
            }
        )
        facts = StackFacts(
            api_url=settings.gateway_url,
            webhook_base_url=settings.gateway_url + WEBHOOK_PATH,
            simulator_url=settings.simulator_url,
            moto_url=moto.endpoint_url,
            jwt_issuer=issuer.issuer,
            jwt_audience=issuer.audience,
            jwt_key_id=issuer.key_id,
            jwt_private_key_path=str(self._private_key_path.resolve()),
            partner_id=simulator_state.partner_id,
            partner_api_key=simulator_state.partner_api_key,
            pid=os.getpid(),
            tokens={
                workspace: issuer.mint(workspace, DEV_SUBJECT)
                for workspace in (DEV_WORKSPACE, OTHER_WORKSPACE)
            },
            numbers=tuple(numbers),
            queues={
                logical_id: resource.attributes["QueueUrl"]
                for logical_id, resource in resources.items()
                if "QueueUrl" in resource.attributes
            },
            schedules=scheduler.describe(),
        )
        facts.write_atomically(settings.stack_facts_path)
        self._written_files.append(settings.stack_facts_path)
        return facts

    def _start_event_sources(
        self,
        functions: Mapping[str, LambdaFunction],
        resolver: IntrinsicResolver,
        resources: Mapping[str, PhysicalResource],
        clients: AwsClients,
    ) -> None:
        """What Lambda's event source mappings and EventBridge's Lambda targets do: the table's stream,
        the queues and the buses' rules feed the functions that subscribe to them."""
        rules = read_rule_subscriptions(functions, resolver, LOCAL_STACK_NAME)
        stream_subscriptions = read_stream_subscriptions(functions, resources)
        queue_subscriptions = read_queue_subscriptions(functions, resolver, resources)
        for rule in rules:
            queue_url = create_rule_target(rule, clients.sqs, clients.events)
            consumer = RuleConsumer(rule, queue_url, self._local_lambda(rule.function).invoke, clients.sqs)
            self._run_in_background(f"rule {rule.rule_name}", consumer.run())
        for stream in stream_subscriptions:
            environment = self._local_lambda(stream.function)
            shard = InProcessShardReader(stream.table_name, account_id=LOCAL_ACCOUNT_ID, region=LOCAL_REGION)
            stream_consumer = StreamConsumer(stream, environment, shard, clients.sqs)
            self._run_in_background(f"stream to {stream.function.logical_id}", stream_consumer.run())
        for queue in queue_subscriptions:
            invoke = self._local_lambda(queue.function).invoke
            queue_consumer = QueueConsumer(queue, invoke, clients.sqs, region=LOCAL_REGION)
            self._run_in_background(f"{queue.queue_arn} to {queue.function.logical_id}", queue_consumer.run())

    def _run_in_background(self, name: str, work: Coroutine[Any, Any, None]) -> None:
        self._consumers.append(asyncio.create_task(work, name=name))

    def _local_lambda(self, function: LambdaFunction) -> LocalLambda:
        """One set of execution environments per function, whichever sources invoke it."""
        if function.logical_id not in self._lambdas:
            self._lambdas[function.logical_id] = LocalLambda(
                function, region=LOCAL_REGION, account_id=LOCAL_ACCOUNT_ID
            )
        return self._lambdas[function.logical_id]

    async def wait_for_failure(self) -> None:
        """Returns when a server stops by itself, which is a failure: only `stop()` should stop them."""
        await asyncio.wait([task for _, task in self._servers], return_when=asyncio.FIRST_COMPLETED)
        raise LocalStackError("a server of the local stack stopped unexpectedly; see the log above")

    async def stop(self) -> None:
        _logger.info("stopping the local stack")
        for written_file in reversed(self._written_files):
            written_file.unlink(missing_ok=True)
        for server, _ in self._servers:
            server.should_exit = True
        for _, task in reversed(self._servers):
            with contextlib.suppress(Exception, SystemExit):
                await task
        for listener in self._listeners.values():
            listener.close()
        for consumer in self._consumers:
            consumer.cancel()
        for local_lambda in self._lambdas.values():
            local_lambda.close()
        if self._moto is not None:
            self._moto.stop()


def banner(facts: StackFacts, facts_path: Path, *, show_secrets: bool) -> str:
    """What `make run` prints. Secrets go only to a terminal; a log file gets a pointer to stack.json."""

    def secret(value: str) -> str:
        return value if show_secrets else f"<in {facts_path}>"

    lines = [
        f"wachannel local stack is up (pid {facts.pid}); facts in {facts_path}",
        f"  API                {facts.api_url}",
        f"  console            {facts.api_url}{CONSOLE_PATH}/   (the {DEV_WORKSPACE} token is pre-filled)",
        f"  webhook base URL   {facts.webhook_base_url}",
        f"  360dialog sim      {facts.simulator_url}   (partner id {facts.partner_id})",
        f"  AWS (moto)         {facts.moto_url}",
        f"  JWT issuer         {facts.jwt_issuer}   (audience {facts.jwt_audience})",
        f"  hosted sign-in     {facts.api_url}{AUTHORIZE_PATH}   (code + PKCE, client {facts.jwt_audience})",
        "  ready numbers:",
        *(
            f"    {number.phone_number}  {number.api_generation:<10}  api key {secret(number.api_key)}"
            for number in facts.numbers
        ),
        f"  dev tokens (12 h, subject {DEV_SUBJECT}):",
        *(f"    {workspace:<15} {secret(token)}" for workspace, token in facts.tokens.items()),
        *(
            [f"  schedules (fire one now: curl -X POST {facts.api_url}{RUN_SCHEDULE_PATH}):"]
            if facts.schedules
            else []
        ),
        *(f"    {logical_id:<22} {when}" for logical_id, when in facts.schedules.items()),
        f'  try: curl -H "Authorization: Bearer $TOKEN" {facts.api_url}/channels',
        "  play a customer (once a channel is connected): make customer ARGS='text \"Hi there\"'"
        "   (make customer ARGS=--help lists message types, statuses, --copies, --concurrency)",
        "Ctrl-C stops the stack.",
    ]
    return "\n".join(lines)


async def run_local_stack(settings: LocalStackSettings, stop_requested: asyncio.Event) -> None:
    """Runs the stack until `stop_requested` is set; raises LocalStackError if it cannot start or fails."""
    stack = LocalStack(settings)
    try:
        facts = await stack.start()
        print(banner(facts, settings.stack_facts_path, show_secrets=sys.stdout.isatty()), flush=True)
        stop_waiter = asyncio.create_task(stop_requested.wait())
        failure_waiter = asyncio.create_task(stack.wait_for_failure())
        done, pending = await asyncio.wait({stop_waiter, failure_waiter}, return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()
        if failure_waiter in done:
            failure_waiter.result()
    finally:
        await stack.stop()
