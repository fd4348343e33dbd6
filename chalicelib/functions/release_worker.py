"""The release queue's worker: a chunk of the evening's summonses (ids and versions), each released
with its event (services/summons.release_chunk)."""

from __future__ import annotations

from typing import Any

from chalicelib.bootstrap import ports
from chalicelib.domain import clock
from chalicelib.observability import flush_metrics
from chalicelib.services import summons, work


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    try:
        return work.each_chunk(event, context, lambda chunk: summons.release_chunk(ports(), chunk, clock.utc_now()))
    finally:
        flush_metrics()
