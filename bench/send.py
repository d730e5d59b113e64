"""Send bench: the send path's time next to the time 360dialog itself takes, and the DynamoDB
requests each send costs.

Run with `make bench` (or `.venv/bin/python bench/send.py --sends 40 --provider-latency-ms 100`).

The 360dialog simulator serves on a loopback port in a thread, answering each send after a set
latency (what 360dialog takes; 100 ms by default). The send function runs in this process under
moto's `mock_aws`, with a channel connected through the channels function and a customer who just
wrote through the webhook function. Side by side in one run:
  provider  - a POST of the same body straight to the simulator (360dialog's own latency);
  send path - the send function's handler: contact, window, 360dialog, the stored message.
Target: the send path takes at most 1.5 times the provider's time. botocore's event hooks on the
function's DynamoDB client count its requests per send."""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Run as a script, only bench/ is on sys.path: the repo root goes in front; bench.in_process puts the
# layer there too.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx
import uvicorn
from moto import mock_aws

from bench.figures import Figure, at_most, write_figures
from bench.in_process import (
    BENCH_WORKSPACE,
    environment_for_in_process_run,
    functions_quiet,
    provision_in_process_aws,
)
from bench.tables import print_table
from infra.local.simulator import SimulatorState, create_app
from infra.local.simulator.customer import InboundMessageSpec, inbound_payload
from tests.unit.support import Api, load_function
from tests.unit.webhook.conftest import Webhook
from wachannel import aws

BUSINESS_DIGITS = "4915112345678"
CUSTOMER_WA_ID = "5511987654321"
TARGET_RATIO = 1.5
TARGET = at_most(TARGET_RATIO)
# How the recipient is named: a contact id, or a phone number matched with inbound's identity rules.
ADDRESSINGS = {"contact": "send path, to a contact id", "number": "send path, to a phone number"}
LOOPBACK = "127.0.0.1"


@dataclass(frozen=True)
class SendMeasurements:
    provider_ms: list[float]
    send_path_ms: dict[str, list[float]]  # by addressing (ADDRESSINGS' keys)
    requests_per_send: dict[str, Counter[str]]
    sends: int

    def ratio(self, addressed: str) -> float:
        """The send path's median time over 360dialog's own."""
        return statistics.median(self.send_path_ms[addressed]) / statistics.median(self.provider_ms)

    def requests_text(self, addressed: str) -> str:
        requests = sorted(self.requests_per_send[addressed].items())
        return ", ".join(f"{name} {count / self.sends:g}" for name, count in requests)


class SimulatorThread:
    """The simulator on a free loopback port, served by uvicorn in a daemon thread."""

    def __init__(self, state: SimulatorState) -> None:
        # TCP_NODELAY is set only on sockets opened with the TCP protocol named (see infra/local/stack.py).
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        self._socket.bind((LOOPBACK, 0))
        self.url = f"http://{LOOPBACK}:{self._socket.getsockname()[1]}"
        config = uvicorn.Config(create_app(state), log_level="warning", lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, daemon=True
        )

    def __enter__(self) -> SimulatorThread:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the simulator did not start")
            time.sleep(0.01)
        return self

    def __exit__(self, *_: object) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=5)
        self._socket.close()


class RequestCounter:
    def __init__(self) -> None:
        self.requests: Counter[str] = Counter()

    def attach(self) -> None:
        aws.dynamodb().meta.events.register("provide-client-params.dynamodb", self._record)

    def _record(self, model: Any, **_: Any) -> None:
        self.requests[model.name] += 1


def measure(sends: int, provider_latency_ms: float) -> SendMeasurements:
    state = SimulatorState()
    with SimulatorThread(state) as simulator, httpx.Client(base_url=simulator.url, timeout=30) as admin:
        api_key = "cloud-key-bench-send-0123456789"
        state.add_number(BUSINESS_DIGITS, "cloud", api_key)
        with environment_for_in_process_run(), mock_aws(), functions_quiet():
            # The stack's functions reach the simulator the way the local stack points them at it.
            os.environ.update(
                {"DIALOG360_CLOUD_BASE_URL": simulator.url, "DIALOG360_ALLOWED_HOSTS": LOOPBACK}
            )
            provision_in_process_aws()
            channel = Api(load_function("channels"), BENCH_WORKSPACE).connect(f"+{BUSINESS_DIGITS}", api_key)
            registered = state.number(BUSINESS_DIGITS).webhook
            if registered is None:
                raise RuntimeError("connecting the channel registered no webhook at the simulator")
            customer = InboundMessageSpec.model_validate(
                {"from": CUSTOMER_WA_ID, "profile_name": "Ana Souza", "type": "text", "text": "Hi"}
            )
            webhook = Webhook(load_function("webhook"), channel["id"], registered.headers["X-Webhook-Token"])
            webhook.deliver(inbound_payload(state.number(BUSINESS_DIGITS), customer, int(time.time())).body)
            admin.put(
                f"/_admin/numbers/{BUSINESS_DIGITS}/outbound",
                json={"statuses": [], "latency_seconds": provider_latency_ms / 1000},
            ).raise_for_status()
            send_api = Api(load_function("send"), BENCH_WORKSPACE)
            [contact] = Api(load_function("inbox"), BENCH_WORKSPACE).call("GET", "/contacts")[1]["items"]
            text = "Your parcel left our warehouse."
            by_contact = {"to": contact["id"], "type": "text", "text": text}
            by_number = {**by_contact, "to": f"+{CUSTOMER_WA_ID}"}
            provider_body = {
                "messaging_product": "whatsapp",
                "recipient_type": "individual",
                "to": CUSTOMER_WA_ID,
                "type": "text",
                "text": {"body": text, "preview_url": False},
            }
            counter = RequestCounter()
            _send(send_api, channel, by_contact)  # warm: clients, connection pool, cached key
            counter.attach()
            provider_ms: list[float] = []
            send_path_ms: dict[str, list[float]] = {"contact": [], "number": []}
            requests: dict[str, Counter[str]] = {"contact": Counter(), "number": Counter()}
            with httpx.Client(base_url=simulator.url, headers={"D360-API-KEY": api_key}) as direct:
                for round_number in range(sends):
                    started = time.perf_counter()
                    direct.post("/messages", json=provider_body).raise_for_status()
                    provider_ms.append((time.perf_counter() - started) * 1000)
                    # Alternated, so neither kind always runs right after the direct call.
                    kinds = [("contact", by_contact), ("number", by_number)]
                    for addressed, body in kinds if round_number % 2 else kinds[::-1]:
                        counter.requests.clear()
                        started = time.perf_counter()
                        _send(send_api, channel, body)
                        send_path_ms[addressed].append((time.perf_counter() - started) * 1000)
                        requests[addressed] += counter.requests
            return SendMeasurements(provider_ms, send_path_ms, requests, sends)


def _send(api: Api, channel: dict[str, Any], body: dict[str, Any]) -> None:
    status, answer = api.call(
        "POST", "/channels/{channel_id}/messages", path_parameters={"channel_id": channel["id"]}, body=body
    )
    if status != 201:
        raise RuntimeError(f"the send failed: {status} {answer}")


def headline_figures(measurements: SendMeasurements, provider_latency_ms: float) -> list[Figure]:
    provider = statistics.median(measurements.provider_ms)
    return [
        Figure(
            area=f"send, 360dialog answering after {provider_latency_ms:.0f} ms",
            name=f"{label}: time / 360dialog's",
            value=measurements.ratio(addressed),
            unit="ratio",
            target=TARGET,
            detail=(
                f"{statistics.median(measurements.send_path_ms[addressed]):.0f} ms vs {provider:.0f} ms; "
                f"DynamoDB per send: {measurements.requests_text(addressed)}"
            ),
        )
        for addressed, label in ADDRESSINGS.items()
    ]


def report(measurements: SendMeasurements, provider_latency_ms: float) -> bool:
    provider = statistics.median(measurements.provider_ms)
    print(
        f"\nSend path vs 360dialog's own latency (simulator answering after {provider_latency_ms:.0f} ms; "
        f"{measurements.sends} sends each, in process, moto mock_aws)"
    )
    rows = [
        [
            "provider (POST /messages to the simulator)",
            f"{provider:.1f}",
            f"{max(measurements.provider_ms):.1f}",
            "",
            "",
            "",
        ]
    ]
    met = True
    for addressed, label in ADDRESSINGS.items():
        timings = measurements.send_path_ms[addressed]
        ratio = measurements.ratio(addressed)
        ratio_met = TARGET.met_by(ratio)
        met &= ratio_met
        rows.append(
            [
                label,
                f"{statistics.median(timings):.1f}",
                f"{max(timings):.1f}",
                f"{ratio:.2f}",
                "met" if ratio_met else "MISSED",
                measurements.requests_text(addressed),
            ]
        )
    headers = [
        "",
        "median ms",
        "max ms",
        f"ratio (target <= {TARGET_RATIO})",
        "status",
        "DynamoDB requests per send",
    ]
    print_table(headers, rows)
    print(
        "moto answers each DynamoDB request in this process in ~10-15 ms of its CPU; DynamoDB takes a few ms."
    )
    return met


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sends", type=int, default=40)
    parser.add_argument("--provider-latency-ms", type=float, default=100.0)
    parser.add_argument("--json", type=Path, help="also write the headline figures to this file")
    arguments = parser.parse_args()
    measurements = measure(arguments.sends, arguments.provider_latency_ms)
    met = report(measurements, arguments.provider_latency_ms)
    if arguments.json:
        write_figures(arguments.json, headline_figures(measurements, arguments.provider_latency_ms))
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
