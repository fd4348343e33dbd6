"""Summonses and print letters in DynamoDB (access patterns in tables.py). A release is one
conditional write on the summons' state and version, with its event: a repeated or overlapping
run releases each version once, and a change meanwhile sends the newer version next evening.
Creating, changing and cancelling are parts of the booking's own transaction (adapters/booking.py)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pynamodb.exceptions import DoesNotExist
from pynamodb.transactions import TransactWrite

from chalicelib.adapters import events
from chalicelib.adapters.tables import PrintLetterRecord, SummonsRecord
from chalicelib.domain.events import DomainEvent

PENDING = "yes"


class SummonsStore:
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

    def create_in(self, tx: TransactWrite, record: SummonsRecord) -> None:
        tx.save(record, condition=SummonsRecord.appointment_id.does_not_exist())

    def change_in(self, tx: TransactWrite, appointment_id: str, changes: list[Any], release_on: date) -> None:
        """A new version, waiting for `release_on`'s evening (whatever the state, but cancelled)."""
        tx.update(SummonsRecord(appointment_id), actions=[
            *changes, SummonsRecord.version.add(1), SummonsRecord.state.set("pending"),
            SummonsRecord.pending.set(PENDING), SummonsRecord.release_on.set(release_on.isoformat()),
        ], condition=SummonsRecord.appointment_id.exists() & (SummonsRecord.state != "cancelled"))  # fmt: skip

    def moved_in(self, tx: TransactWrite, appointment_id: str, start: datetime, end: datetime, place: str,
                 release_on: date) -> None:  # fmt: skip
        """The visit moved (the citizen rebooked it, or staff moved it in the Tidbok): a new version."""
        self.change_in(tx, appointment_id, [
            SummonsRecord.start.set(start), SummonsRecord.end.set(end), SummonsRecord.place.set(place),
            SummonsRecord.start_key.set(f"{start.isoformat()}#{appointment_id}")], release_on)  # fmt: skip

    def cancel_in(self, tx: TransactWrite, appointment_id: str) -> None:
        tx.update(SummonsRecord(appointment_id), actions=[
            SummonsRecord.state.set("cancelled"), SummonsRecord.pending.remove(), SummonsRecord.release_on.remove(),
        ], condition=SummonsRecord.appointment_id.exists() & (SummonsRecord.state != "cancelled"))  # fmt: skip

    def release(self, appointment_id: str, version: int, now: datetime, event: DomainEvent) -> bool:
        """Mark this version released, with the event that sends it: exactly once per version, however
        many runs overlap or repeat. False when another run did, or it changed or was cancelled."""
        def write(tx: TransactWrite) -> None:
            tx.update(SummonsRecord(appointment_id), actions=[
                SummonsRecord.state.set("released"), SummonsRecord.released_version.set(version),
                SummonsRecord.released_at.set(now), SummonsRecord.pending.remove(), SummonsRecord.release_on.remove(),
                SummonsRecord.first_released_at.set(SummonsRecord.first_released_at | now),
            ], condition=(SummonsRecord.state == "pending") & (SummonsRecord.version == version))  # fmt: skip

        try:
            events.commit(event, write)
        except events.ConditionLost:
            return False
        return True

    def delivered(self, appointment_id: str, message_id: str | None, paper: bool) -> None:
        """Where the released version went (for the care system's status call); the same again is harmless."""
        actions = [SummonsRecord.paper.set(paper)]
        if message_id:
            actions.append(SummonsRecord.inbox_message_ids.add({message_id}))
        SummonsRecord(appointment_id).update(actions=actions, condition=SummonsRecord.appointment_id.exists())


class PrintLetters:
    def put(self, record: PrintLetterRecord) -> None:
        record.save()  # the same letter again (a retried release) overwrites itself

    def batch(self, batch_date: date) -> list[PrintLetterRecord]:
        return list(PrintLetterRecord.query(batch_date.isoformat()))
