"""The execution environments: what crosses back from a worker process when a handler fails."""

from pathlib import Path

import pytest

from infra.local.cfn import LOCAL_ACCOUNT_ID
from infra.local.lambda_runtime import LambdaFunction, LocalLambda
from infra.local.lambda_worker import HandlerFailed

# Like Powertools' BatchProcessingError, which keeps the exc_info of every failed record.
HANDLER = """
import sys


class BatchFailed(Exception):
    pass


def handler(event, context):
    try:
        raise KeyError("workspace_id")
    except KeyError:
        raise BatchFailed("All records failed processing", [sys.exc_info()])
"""


def test_an_error_that_cannot_be_pickled_arrives_as_its_text(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(HANDLER)
    function = LambdaFunction(
        logical_id="WorkerFunction",
        function_name="test-WorkerFunction",
        code_dir=tmp_path,
        handler="app.handler",
        timeout_seconds=3,
        memory_mb=128,
        layer_dirs=(),
        properties={},
    )
    environment = LocalLambda(function, region="eu-central-1", account_id=LOCAL_ACCOUNT_ID)
    try:
        with pytest.raises(HandlerFailed) as failure:
            environment.invoke({})
    finally:
        environment.close()

    assert "BatchFailed: ('All records failed processing'" in str(failure.value)
    assert "KeyError: 'workspace_id'" in str(failure.value)
