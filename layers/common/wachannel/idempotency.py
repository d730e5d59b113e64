"""Once-only work keyed by the caller's key (Powertools Idempotency on the idempotency table): a
repeat of a finished call returns the first result and does nothing; the same key with another
payload, or while the first call still runs, is a conflict."""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING, Any, cast

from wachannel.errors import IdempotencyConflict

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer
    from aws_lambda_powertools.utilities.typing import LambdaContext
    from mypy_boto3_dynamodb import DynamoDBClient

# A client retrying a send does so within minutes; a day covers a retry queue that waits longer.
KEY_LIFETIME_SECONDS = 24 * 60 * 60


class OnceOnly:
    def __init__(self, table_name: str, client: Callable[[], DynamoDBClient]) -> None:
        self._table = table_name
        self._client = client

    @cached_property
    def _persistence(self) -> DynamoDBPersistenceLayer:
        from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

        return DynamoDBPersistenceLayer(table_name=self._table, boto3_client=self._client())

    def run(
        self,
        purpose: str,
        key: str,
        payload: dict[str, Any],
        work: Callable[[], dict[str, Any]],
        invocation: LambdaContext | None = None,
    ) -> dict[str, Any]:
        """`work()` runs at most once per (purpose, key) (an exception frees the key for a retry);
        `payload` is what a repeat must match, hashed. The result must be JSON. With the Lambda
        invocation, a key whose work died with its container is free again once that invocation's
        time is up, instead of blocking retries for the key's whole lifetime."""
        from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig, idempotent_function
        from aws_lambda_powertools.utilities.idempotency.exceptions import (
            IdempotencyAlreadyInProgressError,
            IdempotencyValidationError,
        )

        config = IdempotencyConfig(
            event_key_jmespath="key",
            payload_validation_jmespath="payload",
            raise_on_no_idempotency_key=True,
            expires_after_seconds=KEY_LIFETIME_SECONDS,
            lambda_context=invocation,
        )

        def once(attempt: dict[str, Any]) -> dict[str, Any]:
            return work()

        guarded = cast(
            "Callable[..., dict[str, Any]]",
            idempotent_function(
                once,
                data_keyword_argument="attempt",
                persistence_store=self._persistence,
                config=config,
                key_prefix=f"wachannel.{purpose}",
            ),
        )
        try:
            result = guarded(attempt={"key": key, "payload": payload})
        except IdempotencyValidationError:
            raise IdempotencyConflict(
                "This Idempotency-Key was used with another request; use a new key for a new request."
            ) from None
        except IdempotencyAlreadyInProgressError:
            raise IdempotencyConflict(
                "A request with this Idempotency-Key is still being processed; retry in a few seconds.",
                headers={"Retry-After": "2"},
            ) from None
        return result
