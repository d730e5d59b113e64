"""Runs `python -m infra.local` as a child process on free ports, for tests and benchmarks."""

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import httpx

from infra.local.facts import STACK_FACTS_FILE, ReadyNumber, StackFacts
from infra.local.jwt_issuer import LocalJwtIssuer
from infra.local.schedules import RUN_SCHEDULE_PATH
from infra.local.stack import LOOPBACK, REPO_ROOT

STARTUP_TIMEOUT_SECONDS = 60
_LOG_TAIL_LINES = 40


class LocalStackDidNotStart(Exception):
    """The child process exited or timed out before writing stack.json; the message ends with its log."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((LOOPBACK, 0))
        port: int = probe.getsockname()[1]
        return port


def log_tail(log_path: Path, lines: int = _LOG_TAIL_LINES) -> str:
    if not log_path.exists():
        return "(no log)"
    return "\n".join(log_path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])


@dataclass
class LocalStackProcess:
    process: "subprocess.Popen[bytes]"
    facts: StackFacts
    state_dir: Path
    log_path: Path

    @property
    def api_url(self) -> str:
        return self.facts.api_url

    @property
    def webhook_base_url(self) -> str:
        return self.facts.webhook_base_url

    @property
    def simulator_url(self) -> str:
        return self.facts.simulator_url

    @property
    def tokens(self) -> Mapping[str, str]:
        """Workspace id -> valid token."""
        return self.facts.tokens

    @property
    def numbers(self) -> tuple[ReadyNumber, ...]:
        return self.facts.numbers

    @property
    def issuer(self) -> LocalJwtIssuer:
        """Mints tokens with the stack's own key, or, through its overrides, tokens the stack must refuse."""
        return self.facts.issuer()

    def run_schedule(self, logical_id: str) -> str:
        """Fires one of the template's schedules now, as if its time had come; returns the event's id."""
        answer = httpx.post(self.api_url + RUN_SCHEDULE_PATH.format(logical_id=logical_id), timeout=30)
        answer.raise_for_status()
        return str(answer.json()["event_id"])

    def stop(self, timeout_seconds: float = 20) -> int:
        """SIGTERM, then SIGKILL if it does not exit in time; returns the exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                return self.process.wait(timeout=timeout_seconds)
            except subprocess.TimeoutExpired:
                self.process.kill()
        return self.process.wait()


def start_local_stack_process(
    state_dir: Path, log_path: Path, *, timeout_seconds: float = STARTUP_TIMEOUT_SECONDS
) -> LocalStackProcess:
    """Starts a stack on free ports with its own state dir and log (appended); waits for stack.json."""
    environment = os.environ | {
        "WACHANNEL_GATEWAY_PORT": str(free_port()),
        "WACHANNEL_SIMULATOR_PORT": str(free_port()),
        "WACHANNEL_MOTO_PORT": str(free_port()),
        "WACHANNEL_STATE_DIR": str(state_dir),
        "PYTHONUNBUFFERED": "1",
    }
    facts_path = state_dir / STACK_FACTS_FILE
    with log_path.open("ab") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "infra.local"],
            cwd=REPO_ROOT,
            env=environment,
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + timeout_seconds
    while not facts_path.exists():
        exit_code = process.poll()
        if exit_code is not None or time.monotonic() > deadline:
            if exit_code is None:
                process.kill()
                process.wait()
            reason = (
                f"exited with {exit_code}" if exit_code is not None else f"not up after {timeout_seconds} s"
            )
            raise LocalStackDidNotStart(f"the local stack {reason}; its log ends with:\n{log_tail(log_path)}")
        time.sleep(0.1)
    return LocalStackProcess(process, StackFacts.read(facts_path), state_dir, log_path)
