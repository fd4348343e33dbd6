"""The events table's stream (DynamoDB Streams): one event per change, and its follow-ups
(services/follow_ups.py), with the failed records reported back so the stream retries from them
(ReportBatchItemFailures, set in infra/)."""

from __future__ import annotations

from typing import Any

from chalicelib.bootstrap import ports
from chalicelib.observability import flush_metrics
from chalicelib.services import follow_ups as listed


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    try:
        return listed.consume(ports(), event, context)
    finally:
        flush_metrics()
