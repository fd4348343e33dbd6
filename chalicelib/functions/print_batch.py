"""18:30 Stockholm (schedules/), after the release: close the evening's print batch and send its
files (at most 500 letters each) to the print workers (print_worker.py). {"day": "YYYY-MM-DD"}
makes a given evening's."""

from __future__ import annotations

from datetime import date
from typing import Any

from chalicelib.bootstrap import ports
from chalicelib.domain import clock
from chalicelib.observability import flush_metrics
from chalicelib.services import summons


def handler(event: Any, context: Any) -> dict[str, Any]:
    try:
        day = date.fromisoformat(event["day"]) if isinstance(event, dict) and event.get("day") else None
        plan = summons.plan_print_batch(ports(), clock.utc_now(), lambda files: ports().work_queues.send("print", files),
                                        day)  # fmt: skip
        return {"batch_date": plan.batch_date, "letters": plan.letters, "files": plan.files}
    finally:
        flush_metrics()
