"""Daily (schedules/): remind a week before a home test kit's return limit, expire it after."""

from __future__ import annotations

from typing import Any

from chalicelib.bootstrap import ports
from chalicelib.domain import clock
from chalicelib.observability import flush_metrics
from chalicelib.services import self_tests


def handler(event: Any, context: Any) -> Any:
    try:
        return self_tests.expire_and_remind(ports(), clock.utc_now())
    finally:
        flush_metrics()
