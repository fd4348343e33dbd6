"""The notification queue's worker: a chunk of due notifications of one channel, sent at this
worker's share of the region's configured rate (services/notifications.dispatch_chunk)."""

from __future__ import annotations

from typing import Any

from chalicelib.bootstrap import ports
from chalicelib.domain import clock
from chalicelib.observability import flush_metrics
from chalicelib.services import notifications, work


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    time_left = work.seconds_left(context)
    try:
        return work.each_chunk(event, context, lambda chunk: notifications.dispatch_chunk(
            ports(), chunk, clock.utc_now(), time_left=time_left))  # fmt: skip
    finally:
        flush_metrics()
