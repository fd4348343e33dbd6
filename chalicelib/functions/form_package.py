"""A package part's one-time schedule fired (its day, 08:00 Stockholm): send its form, once."""

from __future__ import annotations

from typing import Any

from chalicelib.bootstrap import ports
from chalicelib.domain import clock
from chalicelib.observability import flush_metrics
from chalicelib.services import forms


def handler(event: Any, context: Any) -> dict[str, Any]:
    try:
        return {"result": forms.send_package_part(ports(), event if isinstance(event, dict) else {}, clock.utc_now())}
    finally:
        flush_metrics()
