"""Summonses, print letters and print batches in DynamoDB (access patterns in tables.py).

A release is a conditional write on the summons' state and version, with its event: a repeated or
overlapping run releases each version once, and a change meanwhile sends the newer version next
evening. The evening's release writes fifty of them (with their events) a transaction; what follows
from them (inbox messages with their events, letters, where each went) is written the same way
(adapters/batch_writes.py). Creating, changing and cancelling are parts of the booking's own
transaction (adapters/booking.py).

A letter joins its evening's print batch only while that batch is open: every transaction that
writes letters checks the batch's "batch" item has not closed, and a letter that comes too late goes
in the next evening's batch. The print job closes the batch before it reads the letters, so a file
never misses a letter and no letter is printed twice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from pynamodb.exceptions import DoesNotExist
from pynamodb.transactions import TransactWrite

from chalicelib.adapters import events
from chalicelib.adapters.batch_writes import Failed, Part, Unmendable, commit_many
from chalicelib.adapters.inbox import unread_added
from chalicelib.adapters.tables import InboxMessageRecord, PrintBatchRecord, PrintLetterRecord, SummonsRecord
from chalicelib.domain.events import DomainEvent

PENDING = "yes"
BATCH_ENTRY = "batch"


@dataclass(frozen=True)
class Waiting:
    """A summons the planner found due: its id and the version to release (no personal data)."""

    appointment_id: str
    version: int


@dataclass(frozen=True)
class Delivery:
    """What one released summons writes: its inbox message with that message's event, its letter,
    and where it went (the summons' own record, for the care system's status call)."""

    appointment_id: str
    message: InboxMessageRecord | None
    message_event: DomainEvent | None
    message_id: str | None  # in the inbox (now, or already from an earlier try)
    letter: PrintLetterRecord | None
    paper: bool


class SummonsStore:
    def get(self, appointment_id: str) -> SummonsRecord | None:
        try:
            return SummonsRecord.get(appointment_id, consistent_read=True)
        except DoesNotExist:
            return None

    def get_many(self, appointment_ids: Sequence[str]) -> dict[str, SummonsRecord]:
        """Strongly consistent, 100 keys a BatchGetItem."""
        if not appointment_ids:
            return {}
        return {r.appointment_id: r for r in SummonsRecord.batch_get(sorted(set(appointment_ids)),
                                                                     consistent_read=True)}  # fmt: skip

    def due(self, latest: date) -> list[SummonsRecord]:
        """Waiting summonses for every evening up to `latest`: one Query (paged). For a few (the staff
        tool, tests); the evening's release reads them a page at a time (`due_pages`)."""
        return list(SummonsRecord.to_release.query(PENDING, SummonsRecord.release_on <= latest.isoformat()))

    def due_pages(self, latest: date, page_size: int = 1000) -> Iterator[list[Waiting]]:
        """Waiting summonses for every evening up to `latest`, a page at a time, ids and versions only:
        one Query a page, never the whole evening in memory."""
        start: dict[str, Any] | None = None
        while True:
            results = SummonsRecord.to_release.query(
                PENDING, SummonsRecord.release_on <= latest.isoformat(), limit=page_size, last_evaluated_key=start,
                attributes_to_get=["appointment_id", "version", "pending", "release_on"])  # fmt: skip
            page = [Waiting(r.appointment_id, int(r.version)) for r in results]
            if page:
                yield page
            start = results.last_evaluated_key
            if not start or len(page) < page_size:
                return

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

    def release_many(self, waiting: Sequence[Waiting], now: datetime, released: dict[str, DomainEvent],
                     on_commit: Callable[[], None] = lambda: None) -> list[Waiting]:  # fmt: skip
        """Release these versions, each with its event (`released`, by appointment id), fifty to a
        transaction; returns those released here. One whose state or version is no longer the one
        planned (released by another run, changed, cancelled) is left alone."""
        def parts(item: Waiting) -> list[Part]:
            return [("summons", lambda tx: tx.update(SummonsRecord(item.appointment_id), actions=[
                        SummonsRecord.state.set("released"), SummonsRecord.released_version.set(item.version),
                        SummonsRecord.released_at.set(now), SummonsRecord.pending.remove(),
                        SummonsRecord.release_on.remove(),
                        SummonsRecord.first_released_at.set(SummonsRecord.first_released_at | now)],
                        condition=(SummonsRecord.state == "pending") & (SummonsRecord.version == item.version))),
                    ("event", lambda tx: events.add_event(tx, released[item.appointment_id]))]  # fmt: skip

        def mend(batch: list[Waiting], failed: list[Failed]) -> list[Waiting]:
            if any(what != "summons" for _, what in failed):
                raise Unmendable("an event's own condition failed")
            lost = {item for item, _ in failed}
            return [item for item in batch if item not in lost]

        return commit_many(waiting, parts, mend=mend, on_commit=on_commit)

    def deliver_many(self, deliveries: Sequence[Delivery]) -> list[Delivery]:
        """Write what the released summonses send, as few transactions as fit. A message already in
        the inbox (a repeated event) is not written again, nor its event; a letter for a print batch
        that closed meanwhile goes in the next evening's."""
        def parts(d: Delivery) -> list[Part]:
            written: list[Part] = []
            if d.message is not None and d.message_event is not None:
                written += [("message", lambda tx: tx.save(d.message, condition=InboxMessageRecord.sort_key.does_not_exist())),
                            ("message_event", lambda tx: events.add_event(tx, d.message_event))]  # fmt: skip
            if d.letter is not None:
                written.append(("letter", lambda tx: tx.save(d.letter)))  # the same letter again overwrites itself
            actions = [SummonsRecord.paper.set(d.paper)]
            if d.message_id:
                actions.append(SummonsRecord.inbox_message_ids.add({d.message_id}))
            written.append(("summons", lambda tx: tx.update(SummonsRecord(d.appointment_id), actions=actions,
                                                            condition=SummonsRecord.appointment_id.exists())))
            return written

        def mend(batch: list[Delivery], failed: list[Failed]) -> list[Delivery]:
            closed = {what.split(":", 1)[1] for d, what in failed if d is None and what.startswith("open:")}
            mended = []
            for d in batch:
                lost = {what for f, what in failed if f is d}
                if "summons" in lost or "message_event" in lost:
                    if "summons" not in lost:
                        raise Unmendable("an event's own condition failed")
                    continue  # the summons is gone: nothing to tell
                if "message" in lost:  # already in the inbox, with its event
                    d = replace(d, message=None, message_event=None)
                if d.letter is not None and d.letter.batch_date in closed:
                    d = replace(d, letter=_in_next_batch(d.letter))
                mended.append(d)
            return mended

        def shared(batch: list[Delivery]) -> list[Part]:  # the open print batches; each inbox's unread count
            return [*_open_checks(d.letter for d in batch if d.letter),
                    *unread_added(d.message for d in batch if d.message is not None)]

        return commit_many(deliveries, parts, mend=mend, shared_of=shared)


def _open_checks(letters: Any) -> list[Part]:
    """One check per evening among these letters that its print batch has not closed."""
    return [(f"open:{day}", lambda tx, day=day: tx.condition_check(
                PrintBatchRecord, day, BATCH_ENTRY, condition=PrintBatchRecord.closed_at.does_not_exist()))
            for day in sorted({letter.batch_date for letter in letters})]  # fmt: skip


def _in_next_batch(letter: PrintLetterRecord) -> PrintLetterRecord:
    later = (date.fromisoformat(letter.batch_date) + timedelta(days=1)).isoformat()
    attributes = {name: getattr(letter, name) for name in PrintLetterRecord.get_attributes()}
    return PrintLetterRecord(**{**attributes, "batch_date": later})


@dataclass(frozen=True)
class PrintFile:
    batch_date: str
    unit_hsa_id: str
    part: int
    letters: int
    first_key: str
    last_key: str
    object_key: str | None = None  # None until the file is made


class PrintLetters:
    def put(self, record: PrintLetterRecord) -> PrintLetterRecord:
        """The letter in its evening's batch, or the next evening's if that batch closed; the same
        letter again (a retried follow-up) overwrites itself. Returns the letter as written."""
        def mend(batch: list[PrintLetterRecord], failed: list[Failed]) -> list[PrintLetterRecord]:
            closed = {what.split(":", 1)[1] for _, what in failed if what.startswith("open:")}
            return [_in_next_batch(x) if x.batch_date in closed else x for x in batch]

        (written,) = commit_many([record], lambda x: [("letter", lambda tx: tx.save(x))], mend=mend,
                                 shared_of=_open_checks)  # fmt: skip
        return written

    def batch(self, batch_date: date) -> list[PrintLetterRecord]:
        return list(PrintLetterRecord.query(batch_date.isoformat()))

    def keys_pages(self, batch_date: date, page_size: int = 1000) -> Iterator[list[tuple[str, str]]]:
        """The evening's letters as (letter_key, unit) in key order (so by unit), a page at a time."""
        start: dict[str, Any] | None = None
        while True:
            results = PrintLetterRecord.query(batch_date.isoformat(), limit=page_size, last_evaluated_key=start,
                                              consistent_read=True,
                                              attributes_to_get=["batch_date", "letter_key", "unit_hsa_id"])  # fmt: skip
            page = [(r.letter_key, r.unit_hsa_id) for r in results]
            if page:
                yield page
            start = results.last_evaluated_key
            if not start or len(page) < page_size:
                return

    def of_file(self, batch_date: str, first_key: str, last_key: str) -> list[PrintLetterRecord]:
        """One file's letters (at most 500): a Query on the key range."""
        return list(PrintLetterRecord.query(batch_date, PrintLetterRecord.letter_key.between(first_key, last_key),
                                            consistent_read=True))  # fmt: skip


class PrintBatches:
    def close(self, batch_date: date, now: datetime) -> datetime:
        """Close the evening's batch (a letter written later goes in the next one); closing again keeps
        the first time. Returns when it closed."""
        record = PrintBatchRecord(batch_date.isoformat(), BATCH_ENTRY)
        record.update(actions=[PrintBatchRecord.closed_at.set(PrintBatchRecord.closed_at | now)])
        return record.closed_at

    def planned(self, batch_date: date, files: int) -> None:
        PrintBatchRecord(batch_date.isoformat(), BATCH_ENTRY).update(actions=[PrintBatchRecord.files.set(files)])

    def made(self, file: PrintFile, object_key: str, now: datetime) -> None:
        PrintBatchRecord(file.batch_date, _file_entry(file.unit_hsa_id, file.part), unit_hsa_id=file.unit_hsa_id,
                         part=file.part, letters=file.letters, first_key=file.first_key, last_key=file.last_key,
                         object_key=object_key, made_at=now).save()  # fmt: skip

    def of_day(self, batch_date: date) -> tuple[PrintBatchRecord | None, list[PrintFile]]:
        """The batch's state and its files made so far: one Query."""
        batch, files = None, []
        for r in PrintBatchRecord.query(batch_date.isoformat(), consistent_read=True):
            if r.entry == BATCH_ENTRY:
                batch = r
            else:
                files.append(PrintFile(r.batch_date, r.unit_hsa_id, int(r.part), int(r.letters), r.first_key,
                                       r.last_key, r.object_key))  # fmt: skip
        return batch, files

    def file(self, batch_date: date, unit_hsa_id: str, part: int) -> PrintFile | None:
        try:
            r = PrintBatchRecord.get(batch_date.isoformat(), _file_entry(unit_hsa_id, part))
        except DoesNotExist:
            return None
        return PrintFile(r.batch_date, r.unit_hsa_id, int(r.part), int(r.letters), r.first_key, r.last_key,
                         r.object_key)  # fmt: skip


def _file_entry(unit_hsa_id: str, part: int) -> str:
    return f"file#{unit_hsa_id}#{part:04d}"
