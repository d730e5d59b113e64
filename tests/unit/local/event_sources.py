"""Helpers for the event source tests: fake functions, and running a consumer until something happens."""

import asyncio
import contextlib
import threading
from collections.abc import Callable, Coroutine
from typing import Any

from infra.local.aws import AwsClients

WAIT_SECONDS = 5


class FakeFunction:
    """Stands in for a function's execution environments: records each event, answers with `answer`."""

    def __init__(self, answer: Callable[[dict[str, Any]], Any] = lambda _: None) -> None:
        self.events: list[dict[str, Any]] = []
        self._answer = answer
        self._lock = threading.Lock()

    def invoke(self, event: dict[str, Any]) -> Any:
        with self._lock:
            self.events.append(event)
        return self._answer(event)


def fail(_: dict[str, Any]) -> Any:
    raise RuntimeError("the handler broke")


def run_until(work: Coroutine[Any, Any, None], done: Callable[[], bool]) -> None:
    """Runs `work` (a consumer's endless loop) until `done()`, then cancels it; fails after WAIT_SECONDS."""

    async def main() -> None:
        task = asyncio.create_task(work)
        try:
            async with asyncio.timeout(WAIT_SECONDS):
                while not done():
                    if task.done():
                        task.result()
                    await asyncio.sleep(0.01)
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    asyncio.run(main())


def queue_depth(clients: AwsClients, queue_url: str) -> int:
    """Messages on the queue, visible or in flight."""
    attributes = clients.sqs.get_queue_attributes(
        QueueUrl=queue_url,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]) + int(
        attributes["ApproximateNumberOfMessagesNotVisible"]
    )
