"""Every minute (schedules/): queue the e-mail and SMS notifications that are due for the
notification workers (notification_worker.py), which send them at the region's rate."""

from __future__ import annotations

from typing import Any

from chalicelib.bootstrap import ports
from chalicelib.domain import clock
from chalicelib.observability import flush_metrics
from chalicelib.services import notifications


def handler(event: Any, context: Any) -> dict[str, Any]:
    try:
        queued = notifications.plan_dispatch(ports(), clock.utc_now(),
                                             lambda chunks: ports().work_queues.send("notifications", chunks))
        return {"queued": queued}
    finally:
        flush_metrics()
