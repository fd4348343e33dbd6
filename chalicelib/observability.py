"""Powertools Logger and Metrics, shared by every entry point.

Log lines carry codes and opaque ids (citizen_id, HSA-ids, the route's template), never a value a
caller sent, so never a personnummer: the domain types redact themselves, the middleware names the
route rather than the path, and an exception is logged as its type and stack (file, line, code)
without its message, which may quote the input. Tests send a personnummer in every field of every
route and read the logs to prove it.
"""

from __future__ import annotations

import logging
import traceback

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit

SERVICE = "eservices"
NAMESPACE = "EServices"

logger = Logger(service=SERVICE)
metrics = Metrics(namespace=NAMESPACE, service=SERVICE)


class NoCallerValues(logging.Filter):
    """On the service's logger (Chalice's own log of an unhandled error writes there too): an
    exception becomes its type and its stack without the message; Chalice's "Caught exception for
    path %s" loses the path."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[0] is not None:
            exc_type, _, tb = record.exc_info
            record.exception_type = exc_type.__name__
            record.stack = "".join(traceback.format_list(traceback.extract_tb(tb))[-12:])
            record.exc_info = None
            record.exc_text = None
        if isinstance(record.msg, str) and record.msg.startswith("Caught exception for"):
            record.msg, record.args = "unhandled error", ()
        return True


logging.getLogger(SERVICE).addFilter(NoCallerValues())


def record_metric(name: str, count: int = 1) -> None:
    """Count business events (one, or a batch's); flushed after each request by the app's middleware."""
    if count:
        metrics.add_metric(name=name, unit=MetricUnit.Count, value=count)


def flush_metrics() -> None:
    """Write the collected metrics (EMF to stdout); called at the end of each invocation."""
    if metrics.metric_set:  # flushing nothing only warns
        metrics.flush_metrics()
