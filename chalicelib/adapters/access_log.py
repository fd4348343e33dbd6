"""The access log (åtkomstlogg): every staff read of a citizen's data, kept per citizen."""

from __future__ import annotations

import base64
import json
import secrets
from dataclasses import dataclass
from datetime import datetime

from chalicelib.adapters.paging import Position, exclusive_start, one_page
from chalicelib.adapters.tables import AccessLogRecord


@dataclass(frozen=True, slots=True)
class AccessEntry:
    staff_hsa_id: str
    staff_name: str
    unit_hsa_id: str
    unit_name: str
    what: str
    item_id: str
    read_at: datetime


def _record(citizen_id: str, entry: AccessEntry) -> AccessLogRecord:
    return AccessLogRecord(
        citizen_id,
        f"{entry.read_at.isoformat()}#{secrets.token_hex(4)}",
        staff_hsa_id=entry.staff_hsa_id,
        staff_name=entry.staff_name,
        unit_hsa_id=entry.unit_hsa_id,
        unit_name=entry.unit_name,
        what=entry.what,
        item_id=entry.item_id,
        read_at=entry.read_at,
    )


def _entry(r: AccessLogRecord) -> AccessEntry:
    return AccessEntry(r.staff_hsa_id, r.staff_name, r.unit_hsa_id, r.unit_name, r.what, r.item_id, r.read_at)


class AccessLog:
    def record(self, citizen_id: str, entry: AccessEntry) -> None:
        _record(citizen_id, entry).save()

    def record_many(self, entries: list[tuple[str, AccessEntry]]) -> None:
        """Several rows (a page that shows several people's data, an export): BatchWriteItem, 25 a
        request, unprocessed items retried by PynamoDB until written."""
        if not entries:
            return
        with AccessLogRecord.batch_write() as batch:
            for citizen_id, entry in entries:
                batch.save(_record(citizen_id, entry))

    def newest(self, citizen_id: str, limit: int, start: Position | None) -> tuple[list[AccessEntry], Position | None]:
        """A page of the reads of the citizen's data, newest first: one Query."""
        results = AccessLogRecord.query(citizen_id, scan_index_forward=False, page_size=limit + 1,
                                        last_evaluated_key=exclusive_start(start))  # fmt: skip
        records, following = one_page(AccessLogRecord, results, limit)
        return [_entry(r) for r in records], following

    def of_citizen(self, citizen_id: str, limit: int = 100) -> list[AccessEntry]:
        """Newest first: one Query."""
        return [
            AccessEntry(r.staff_hsa_id, r.staff_name, r.unit_hsa_id, r.unit_name, r.what, r.item_id, r.read_at)
            for r in AccessLogRecord.query(citizen_id, scan_index_forward=False, limit=limit)
        ]

    def page(self, citizen_id: str, since: datetime, cursor: str | None, limit: int) -> tuple[list[AccessEntry], str | None]:
        """The reads from `since` on, newest first, `limit` at a time: one Query a page. The cursor is
        opaque to callers and only ever continues this citizen's log (None: the first page, or no more)."""
        start = _decode(cursor, citizen_id) if cursor else None
        results = AccessLogRecord.query(citizen_id, AccessLogRecord.entry >= since.isoformat(),
                                        scan_index_forward=False, limit=limit, last_evaluated_key=start)  # fmt: skip
        entries = [AccessEntry(r.staff_hsa_id, r.staff_name, r.unit_hsa_id, r.unit_name, r.what, r.item_id, r.read_at)
                   for r in results]  # fmt: skip
        following = results.last_evaluated_key
        return entries, _encode(following) if following and len(entries) == limit else None


class BadCursor(ValueError):
    pass


def _encode(key: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(key, separators=(",", ":")).encode()).decode()


def _decode(cursor: str, citizen_id: str) -> dict:
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        owner = key["citizen_id"]["S"]
        entry = key["entry"]["S"]
    except (ValueError, KeyError, TypeError):
        raise BadCursor() from None
    if owner != citizen_id or not isinstance(entry, str) or set(key) != {"citizen_id", "entry"}:
        raise BadCursor()
    return key
