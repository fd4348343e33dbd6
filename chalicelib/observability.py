"""Powertools Logger and Metrics, shared by every entry point.

Log lines carry opaque ids (citizen_id, HSA-ids), never a personnummer: the domain types
redact themselves, and tests read the logs of a whole login to prove it.
"""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit

SERVICE = "eservices"
NAMESPACE = "EServices"

logger = Logger(service=SERVICE)
metrics = Metrics(namespace=NAMESPACE, service=SERVICE)


def record_metric(name: str) -> None:
    """Count one business event; flushed after each request by the app's middleware."""
    metrics.add_metric(name=name, unit=MetricUnit.Count, value=1)


def flush_metrics() -> None:
    """Write the collected metrics (EMF to stdout); called at the end of each invocation."""
    if metrics.metric_set:  # flushing nothing only warns
        metrics.flush_metrics()
