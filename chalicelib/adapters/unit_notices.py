"""Notices to a unit of citizens' changes, in DynamoDB (access patterns in tables.py)."""

from __future__ import annotations

from datetime import datetime, timedelta

from pynamodb.exceptions import PutError

from chalicelib.adapters.tables import UnitNoticeRecord, condition_failed

KEPT_FOR = timedelta(days=30)


class UnitNotices:
    def add(self, record: UnitNoticeRecord) -> UnitNoticeRecord:
        """The notice, once: the same event again returns the notice as it is stored."""
        record.expires_at = record.occurred_at + KEPT_FOR
        try:
            record.save(condition=UnitNoticeRecord.notice_key.does_not_exist())
        except PutError as error:
            if not condition_failed(error):
                raise
            return UnitNoticeRecord.get(record.unit_hsa_id, record.notice_key, consistent_read=True)
        return record

    def mailed(self, record: UnitNoticeRecord, now: datetime) -> None:
        UnitNoticeRecord(record.unit_hsa_id, record.notice_key).update(actions=[UnitNoticeRecord.mailed_at.set(now)])

    def recent(self, unit_hsa_id: str, limit: int = 20) -> list[UnitNoticeRecord]:
        """The newest first: one Query."""
        return list(UnitNoticeRecord.query(unit_hsa_id, scan_index_forward=False, limit=limit))
