"""How the e2e tests talk to the stack: as a frontend (a workspace's agent) and as 360dialog's admin."""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable
from typing import Any, NamedTuple

import boto3
import httpx

from infra.local.aws import LOCAL_REGION
from infra.local.process import LocalStackProcess


class Simulator:
    def __init__(self, client: httpx.Client) -> None:
        self.client = client

    def new_number(self, generation: str = "cloud") -> dict[str, Any]:
        digits = f"49151{secrets.randbelow(10**8):08d}"
        answer = self.client.post(
            "/_admin/numbers", json={"phone_number": digits, "api_generation": generation}
        )
        assert answer.status_code == 201, answer.text
        return answer.json()

    def number(self, digits: str) -> dict[str, Any]:
        return self.client.get(f"/_admin/numbers/{digits}").raise_for_status().json()

    def new_key_through_partner_api(self, digits: str) -> str:
        partner = self.client.get("/_admin/partner").raise_for_status().json()
        channel_id = self.number(digits)["partner_channel_id"]
        answer = self.client.post(
            f"/api/v2/partners/{partner['partner_id']}/channels/{channel_id}/api_keys",
            headers={"X-API-Key": partner["partner_api_key"]},
        )
        return str(answer.raise_for_status().json()["api_key"])


class Answer(NamedTuple):
    method: str
    path: str
    body: str


class Frontend:
    """A workspace's agent. Given `answers`, every answer it gets is appended there, so that the
    session can search them all for secrets."""

    def __init__(self, base_url: str, token: str, answers: list[Answer] | None = None) -> None:
        hooks = {"response": [_recorder(answers)]} if answers is not None else {}
        self.client = httpx.Client(
            base_url=base_url, headers={"Authorization": f"Bearer {token}"}, timeout=30, event_hooks=hooks
        )

    def connect(self, number: dict[str, Any], **fields: Any) -> dict[str, Any]:
        answer = self.client.post(
            "/channels",
            json={
                "name": "Support",
                "phone_number": f"+{number['phone_number']}",
                "api_key": number["api_key"],
                "api_generation": number["api_generation"],
                **fields,
            },
        )
        assert answer.status_code == 201, answer.text
        return answer.json()


def seed_conversation(frontend: Frontend, simulator: Simulator) -> dict[str, str]:
    """A connected channel, a customer's text message to it (so a contact and a conversation) and a
    synced template, keyed by the API's path-parameter names (plus the two phone numbers)."""
    number = simulator.new_number()
    channel = frontend.connect(number)
    customer = f"55119{time.time_ns() % 10**8:08d}"
    simulator.client.post(
        f"/_admin/numbers/{number['phone_number']}/inbound",
        json={"from": customer, "profile_name": "Owner's Customer", "type": "text", "text": "private words"},
    ).raise_for_status()
    [contact] = (
        frontend.client.get("/contacts", params={"query": customer}).raise_for_status().json()["items"]
    )
    [message] = frontend.client.get(f"/contacts/{contact['id']}/messages").raise_for_status().json()["items"]
    simulator.client.put(
        f"/_admin/numbers/{number['phone_number']}/templates/order_update/de",
        json={
            "category": "UTILITY",
            "components": [{"type": "BODY", "text": "Ihre Bestellung ist unterwegs."}],
        },
    ).raise_for_status()
    frontend.client.post(f"/channels/{channel['id']}/templates/sync").raise_for_status()
    return {
        "channel_id": channel["id"],
        "contact_id": contact["id"],
        "message_id": message["id"],
        "name": "order_update",
        "language": "de",
        "phone_number": channel["phone_number"],
        "customer": customer,
    }


def _recorder(answers: list[Answer]) -> Any:
    def record(response: httpx.Response) -> None:
        response.read()
        answers.append(Answer(response.request.method, response.request.url.path, response.text))

    return record


class BusTap:
    """An SQS queue subscribed to every event on the stack's bus, as a consumer of the events would be."""

    def __init__(self, stack: LocalStackProcess, name: str) -> None:
        session = boto3.Session(
            aws_access_key_id="local", aws_secret_access_key="local", region_name=LOCAL_REGION
        )
        events = session.client("events", endpoint_url=stack.facts.moto_url)
        self._sqs = session.client("sqs", endpoint_url=stack.facts.moto_url)
        [bus] = [b["Name"] for b in events.list_event_buses()["EventBuses"] if b["Name"] != "default"]
        self._queue_url = self._sqs.create_queue(QueueName=name)["QueueUrl"]
        queue_arn = self._sqs.get_queue_attributes(QueueUrl=self._queue_url, AttributeNames=["QueueArn"])[
            "Attributes"
        ]["QueueArn"]
        events.put_rule(Name=name, EventBusName=bus, EventPattern=json.dumps({"source": ["wachannel"]}))
        events.put_targets(Rule=name, EventBusName=bus, Targets=[{"Id": "tap", "Arn": queue_arn}])

    def collect(
        self, enough: Callable[[list[dict[str, Any]]], bool], seconds: float = 20
    ) -> list[dict[str, Any]]:
        """Events until those seen are `enough`, or `seconds` have passed."""
        seen: list[dict[str, Any]] = []
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and not enough(seen):
            seen += self._receive(wait_seconds=1)
        return seen

    def drain(self) -> list[dict[str, Any]]:
        """Every event the queue holds now."""
        seen: list[dict[str, Any]] = []
        while batch := self._receive(wait_seconds=0):
            seen += batch
        return seen

    def _receive(self, *, wait_seconds: int) -> list[dict[str, Any]]:
        answer = self._sqs.receive_message(
            QueueUrl=self._queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=wait_seconds
        )
        messages = answer.get("Messages", [])
        for message in messages:
            self._sqs.delete_message(QueueUrl=self._queue_url, ReceiptHandle=message["ReceiptHandle"])
        return [json.loads(message["Body"]) for message in messages]
