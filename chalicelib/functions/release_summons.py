"""18:00 Stockholm (schedules/), then every ten minutes until midnight to finish what a failed run
left: plan the evening's release, in chunks for the release workers (release_worker.py)."""

from __future__ import annotations

from typing import Any

from chalicelib.bootstrap import ports
from chalicelib.domain import clock
from chalicelib.observability import flush_metrics
from chalicelib.services import summons


def handler(event: Any, context: Any) -> dict[str, Any]:
    try:
        plan = summons.plan_release(ports(), clock.utc_now(), lambda chunks: ports().work_queues.send("release", chunks))
        return {"planned": plan.planned, "chunks": plan.chunks}
    finally:
        flush_metrics()
