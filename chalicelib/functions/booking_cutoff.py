"""A booking's one-time schedule fired at the moment online changes close: remind once."""

from __future__ import annotations

from typing import Any

from chalicelib.bootstrap import ports
from chalicelib.domain import clock
from chalicelib.observability import flush_metrics
from chalicelib.services import booking


def handler(event: Any, context: Any) -> dict[str, Any]:
    try:
        return {"result": booking.remind_at_cutoff(ports(), event, clock.utc_now())}
    finally:
        flush_metrics()
