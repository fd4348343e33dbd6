"""18:00 Stockholm (schedules/), then every ten minutes until midnight to finish what a failed
run left: release the evening's summonses."""

from __future__ import annotations

from typing import Any

from chalicelib.bootstrap import ports
from chalicelib.domain import clock
from chalicelib.observability import flush_metrics
from chalicelib.services import summons


def handler(event: Any, context: Any) -> dict[str, Any]:
    try:
        result = summons.release_due(ports(), clock.utc_now())
        return {"released": result.released, "skipped": result.skipped, "failed": result.failed}
    finally:
        flush_metrics()
