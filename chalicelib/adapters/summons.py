"""Summonses and print letters in DynamoDB (access patterns in tables.py). Every step of a
release is a conditional write on the summons' state and version, so a repeated or overlapping
run releases each version once, and a change during a release sends the newer version next."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pynamodb.exceptions import DoesNotExist, UpdateError

from chalicelib.adapters.tables import PrintLetterRecord, SummonsRecord, condition_failed

PENDING = "yes"


class SummonsStore:
    def create(self, record: SummonsRecord) -> None:
        record.save(condition=SummonsRecord.appointment_id.does_not_exist())

    def get(self, appointment_id: str) -> SummonsRecord | None:
        try:
            return SummonsRecord.get(appointment_id, consistent_read=True)
        except DoesNotExist:
            return None

    def due(self, latest: date) -> list[SummonsRecord]:
        """Waiting summonses for every evening up to `latest`: one Query (paged)."""
        return list(SummonsRecord.to_release.query(PENDING, SummonsRecord.release_on <= latest.isoformat()))

    def of_unit(self, unit_hsa_id: str, start: datetime, end: datetime) -> list[SummonsRecord]:
        return list(SummonsRecord.by_unit.query(
            unit_hsa_id, SummonsRecord.start_key.between(start.isoformat(), end.isoformat())))  # fmt: skip

    def _update(self, appointment_id: str, actions: list[Any], condition: Any) -> SummonsRecord | None:
        """The item after the update (PynamoDB asks for ALL_NEW), or None when the condition failed."""
        record = SummonsRecord(appointment_id)
        try:
            record.update(actions=actions, condition=SummonsRecord.appointment_id.exists() & condition)
        except UpdateError as error:
            if condition_failed(error):
                return None
            raise
        return record

    def claim(self, appointment_id: str, version: int, message_id: str, now: datetime,
              lease_until: datetime) -> SummonsRecord | None:  # fmt: skip
        """Take a waiting version for release, or one whose releaser's lease ran out. The send time
        is fixed at the first claim of a version, so a retry writes the same inbox message."""
        waiting = (SummonsRecord.state == "pending") | (
            (SummonsRecord.state == "releasing") & (SummonsRecord.claimed_until < now))
        return self._update(appointment_id, [
            SummonsRecord.state.set("releasing"),
            SummonsRecord.claimed_until.set(lease_until),
            SummonsRecord.message_id.set(message_id),
            SummonsRecord.message_sent_at.set(SummonsRecord.message_sent_at | now),
        ], waiting & (SummonsRecord.version == version))  # fmt: skip

    def released(self, appointment_id: str, version: int, message_id: str | None, paper: bool,
                 now: datetime) -> bool:  # fmt: skip
        actions = [
            SummonsRecord.state.set("released"), SummonsRecord.released_version.set(version),
            SummonsRecord.released_at.set(now), SummonsRecord.paper.set(paper), SummonsRecord.pending.remove(),
            SummonsRecord.release_on.remove(), SummonsRecord.claimed_until.remove(),
        ]  # fmt: skip
        if message_id:
            actions.append(SummonsRecord.inbox_message_ids.add({message_id}))
        return self._update(appointment_id, actions,
                            (SummonsRecord.state == "releasing") & (SummonsRecord.version == version)) is not None

    def change(self, appointment_id: str, changes: list[Any], release_on: date) -> bool:
        """A new version, waiting for `release_on`'s evening (whatever the state, but cancelled)."""
        return self._update(appointment_id, [
            *changes, SummonsRecord.version.add(1), SummonsRecord.state.set("pending"),
            SummonsRecord.pending.set(PENDING), SummonsRecord.release_on.set(release_on.isoformat()),
            SummonsRecord.message_sent_at.remove(), SummonsRecord.message_id.remove(),
        ], SummonsRecord.state != "cancelled") is not None  # fmt: skip

    def cancel(self, appointment_id: str) -> bool:
        return self._update(appointment_id, [
            SummonsRecord.state.set("cancelled"), SummonsRecord.pending.remove(), SummonsRecord.release_on.remove(),
        ], SummonsRecord.state != "cancelled") is not None  # fmt: skip


class PrintLetters:
    def put(self, record: PrintLetterRecord) -> None:
        record.save()  # the same letter again (a retried release) overwrites itself

    def batch(self, batch_date: date) -> list[PrintLetterRecord]:
        return list(PrintLetterRecord.query(batch_date.isoformat()))
