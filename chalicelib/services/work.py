"""The workers' side of the fan-out: an SQS batch of work chunks (adapters/work_queues.py), each
chunk handled on its own through Powertools' batch processing. A chunk that fails is reported back
(ReportBatchItemFailures, set in infra/), so only it comes again, after the queue's visibility
timeout; after five receives it goes to the dead-letter queue and the operators are paged. Every
chunk handler is idempotent, so a chunk that comes twice writes and sends nothing twice."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from chalicelib.observability import logger


def each_chunk(batch: dict[str, Any], context: Any, handle: Callable[[dict[str, Any]], Any]) -> dict[str, Any]:
    from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
    from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

    def one(record: SQSRecord) -> None:
        try:
            handle(json.loads(record.body))
        except Exception:  # reported back for SQS to give again; the operators see why (type and stack only)
            logger.exception("work chunk failed", extra={"message_id": record.message_id,
                                                         "receive_count": record.attributes.approximate_receive_count})
            raise

    return process_partial_response(event=batch, record_handler=one, context=context,
                                    processor=BatchProcessor(event_type=EventType.SQS))  # fmt: skip


def seconds_left(context: Any) -> Callable[[], float]:
    """Seconds until the Lambda's timeout (no limit when run outside Lambda)."""
    if context is None or not hasattr(context, "get_remaining_time_in_millis"):
        return lambda: float("inf")
    return lambda: context.get_remaining_time_in_millis() / 1000
