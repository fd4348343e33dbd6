"""An earlier-time offer's one-time schedule fired at its expiry: if still open, it passes on."""

from __future__ import annotations

from typing import Any

from chalicelib.bootstrap import ports
from chalicelib.domain import clock
from chalicelib.observability import flush_metrics
from chalicelib.services import earlier_times


def handler(event: Any, context: Any) -> dict[str, Any]:
    try:
        return {"result": earlier_times.expire(ports(), event, clock.utc_now())}
    finally:
        flush_metrics()
