"""The access log (åtkomstlogg): every staff read of a citizen's data, kept per citizen."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

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


class AccessLog:
    def record(self, citizen_id: str, entry: AccessEntry) -> None:
        AccessLogRecord(
            citizen_id,
            f"{entry.read_at.isoformat()}#{secrets.token_hex(4)}",
            staff_hsa_id=entry.staff_hsa_id,
            staff_name=entry.staff_name,
            unit_hsa_id=entry.unit_hsa_id,
            unit_name=entry.unit_name,
            what=entry.what,
            item_id=entry.item_id,
            read_at=entry.read_at,
        ).save()

    def of_citizen(self, citizen_id: str, limit: int = 100) -> list[AccessEntry]:
        """Newest first: one Query."""
        return [
            AccessEntry(r.staff_hsa_id, r.staff_name, r.unit_hsa_id, r.unit_name, r.what, r.item_id, r.read_at)
            for r in AccessLogRecord.query(citizen_id, scan_index_forward=False, limit=limit)
        ]
