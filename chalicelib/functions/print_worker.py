"""The print queue's worker: one file of the evening's print batch, its letters as a PDF in S3
(services/summons.make_print_file). The only function that imports the PDF renderer."""

from __future__ import annotations

from typing import Any

from chalicelib.bootstrap import ports
from chalicelib.domain import clock
from chalicelib.observability import flush_metrics
from chalicelib.services import summons, work


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    try:
        return work.each_chunk(event, context, lambda chunk: summons.make_print_file(ports(), chunk, clock.utc_now()))
    finally:
        flush_metrics()
