"""Daily (schedules/): remind of forms due soon, mark those past their last day overdue, purge answers
past their unit's retention."""

from __future__ import annotations

from typing import Any

from chalicelib.bootstrap import ports
from chalicelib.domain import clock
from chalicelib.observability import flush_metrics
from chalicelib.services import forms


def handler(event: Any, context: Any) -> Any:
    try:
        return forms.daily(ports(), clock.utc_now())
    finally:
        flush_metrics()
