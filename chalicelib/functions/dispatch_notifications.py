"""Every minute (schedules/): send the e-mail and SMS notifications that are due."""

from __future__ import annotations

from typing import Any

from chalicelib.bootstrap import ports
from chalicelib.domain import clock
from chalicelib.observability import flush_metrics
from chalicelib.services import notifications


def handler(event: Any, context: Any) -> dict[str, Any]:
    try:
        return vars(notifications.dispatch_due(ports(), clock.utc_now()))
    finally:
        flush_metrics()
