"""Logger and Metrics, built once. No Tracer: Lambda's active tracing records each invocation, and
the X-Ray SDK behind Powertools' Tracer costs ~0.5 s of every cold start (bench/cold_start.py)."""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.logging import correlation_paths

logger = Logger()
metrics = Metrics()

HTTP_CORRELATION_PATH = correlation_paths.API_GATEWAY_HTTP
