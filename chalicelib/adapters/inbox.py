"""Inbox messages in DynamoDB (access patterns in tables.py). Each inbox's unread count is an item of
its own (inbox-counts), changed in the same transaction as the delivery, first reading or deletion
that changes it: the start page reads one number, however long the inbox. An unread message carries
its inbox's id in `unread_owner` until it is first read or deleted (in the same update), so the start
page's newest unread are one short Query of the sparse `unread` index."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib.adapters import events
from chalicelib.adapters.batch_writes import Failed, Part, commit_many
from chalicelib.adapters.paging import Position, exclusive_start, one_page
from chalicelib.adapters.tables import (
    ActionMap,
    AttachmentMap,
    AttachmentUpload,
    InboxCountRecord,
    InboxMessageRecord,
)
from chalicelib.domain.attachments import Attachment
from chalicelib.domain.events import DomainEvent
from chalicelib.domain.inbox import Action, InboxMessage


class AttachmentTaken(Exception):
    """Another message took one of the uploads first."""


def _to_message(record: InboxMessageRecord) -> InboxMessage:
    return InboxMessage(
        message_id=record.message_id,
        citizen_id=record.citizen_id,
        sender_unit_hsa_id=record.sender_unit_hsa_id,
        sender_unit_name=record.sender_unit_name,
        topic=record.topic,
        subject=record.subject,
        body=record.body,
        sent_at=record.sent_at,
        read_at=record.read_at,
        deleted_by_citizen_at=record.deleted_by_citizen_at,
        attachments=tuple(
            Attachment(a.attachment_id, a.filename, a.content_type, int(a.size_bytes)) for a in record.attachments or ()
        ),
        sender_staff_name=record.sender_staff_name,
        actions=tuple(Action(a.label, a.path) for a in record.actions or ()),
        thread_id=record.thread_id,
        state_note=record.state_note,
    )


def _sort_key(message: InboxMessage) -> str:
    return f"{message.sent_at.isoformat()}#{message.message_id}"


def _thread_owner(message: InboxMessage) -> str:
    return f"{message.citizen_id}#{message.thread_key}"


_UNREAD = InboxMessageRecord.sort_key.exists() & InboxMessageRecord.read_at.does_not_exist()
_SHOWN = InboxMessageRecord.deleted_by_citizen_at.does_not_exist()


def _first_read(now: datetime) -> list:
    """First read: when, and out of the unread index."""
    return [InboxMessageRecord.read_at.set(now), InboxMessageRecord.unread_owner.remove()]


_CHUNK = 99  # a transaction holds 100 items: the messages and their inbox's count


def _count_change(citizen_id: str, change: int) -> tuple[InboxCountRecord, list]:
    return InboxCountRecord(citizen_id), [InboxCountRecord.unread.add(change)]


def unread_added(messages: Iterable[InboxMessageRecord]) -> list[tuple[str, Callable[[TransactWrite], None]]]:
    """For a transaction writing many new messages (the evening's release, adapters/batch_writes.py):
    one update per inbox adding its new messages to its unread count. A transaction may name an item
    once, so each inbox gets one update however many messages it receives."""
    added = Counter(m.citizen_id for m in messages)
    return [(f"unread:{citizen_id}", lambda tx, c=citizen_id, n=n: _add_unread(tx, c, n))
            for citizen_id, n in sorted(added.items())]  # fmt: skip


def _add_unread(tx: TransactWrite, citizen_id: str, n: int) -> None:
    counter, add = _count_change(citizen_id, n)
    tx.update(counter, actions=add)


class InboxStore:
    def deliver(self, message: InboxMessage, sender_client_id: str, event: DomainEvent,
                uploads: tuple[str, ...] = ()) -> bool:  # fmt: skip
        """Store the message and its event; with uploaded attachments, take each upload slot in the
        same transaction, so a message never exists without its files and an upload never serves two
        messages. (Files the app makes itself, like a calendar file, have no upload slot.) False when
        this very message (same id and time) is already there: a retried delivery writes nothing."""
        record = self.record_of(message, sender_client_id)
        try:
            with events.transaction() as tx:
                tx.save(record, condition=InboxMessageRecord.sort_key.does_not_exist())
                counter, add = _count_change(message.citizen_id, 1)
                tx.update(counter, actions=add)
                for attachment_id in uploads:
                    tx.update(
                        AttachmentUpload(attachment_id),
                        actions=[AttachmentUpload.message_id.set(message.message_id), AttachmentUpload.expires_at.remove()],
                        condition=AttachmentUpload.message_id.does_not_exist()
                        & (AttachmentUpload.client_key_id == sender_client_id),
                    )
                events.add_event(tx, event)
        except TransactWriteError as error:
            if error.cause_response_code != "TransactionCanceledException":
                raise
            reasons = error.cancellation_reasons or []
            if reasons and reasons[0] is not None and reasons[0].code == "ConditionalCheckFailed":
                return False  # this very message is there already
            raise AttachmentTaken() from None
        return True

    def deliver_many(self, deliveries: Sequence[tuple[InboxMessage, DomainEvent]],
                     sender_client_id: str) -> list[tuple[InboxMessage, DomainEvent]]:  # fmt: skip
        """Many new messages (no attachments) with their `message.delivered` events, as few
        transactions as fit, each inbox's unread count kept in the same one; a message already there
        (a repeated follow-up) is left out. Returns those written now."""
        records = {id(d): self.record_of(d[0], sender_client_id) for d in deliveries}

        def parts(d: tuple[InboxMessage, DomainEvent]) -> list[Part]:
            record = records[id(d)]
            return [("message", lambda tx: tx.save(record, condition=InboxMessageRecord.sort_key.does_not_exist())),
                    ("event", lambda tx: events.add_event(tx, d[1]))]  # fmt: skip

        def mend(batch: list[Any], failed: list[Failed]) -> list[Any]:
            there = {id(d) for d, what in failed if d is not None and what == "message"}
            return [d for d in batch if id(d) not in there]

        return commit_many(list(deliveries), parts, mend=mend,
                           shared_of=lambda batch: unread_added(records[id(d)] for d in batch))  # fmt: skip

    @staticmethod
    def record_of(message: InboxMessage, sender_client_id: str) -> InboxMessageRecord:
        """The stored form of a message (written with its event: `deliver`, or many at once by the
        evening's summons release, adapters/summons.py)."""
        return InboxMessageRecord(
            message.citizen_id,
            _sort_key(message),
            message_id=message.message_id,
            sender_unit_hsa_id=message.sender_unit_hsa_id,
            sender_unit_name=message.sender_unit_name,
            sender_client_id=sender_client_id,
            sender_staff_name=message.sender_staff_name,
            topic=message.topic,
            subject=message.subject,
            body=message.body,
            sent_at=message.sent_at,
            attachments=[
                AttachmentMap(attachment_id=a.attachment_id, filename=a.filename, content_type=a.content_type,
                              size_bytes=a.size_bytes)
                for a in message.attachments
            ] or None,
            actions=[ActionMap(label=a.label, path=a.path) for a in message.actions] or None,
            thread_id=message.thread_id,
            thread_owner=_thread_owner(message),
            unread_owner=message.citizen_id if message.unread and message.deleted_by_citizen_at is None else None,
        )  # fmt: skip

    def inbox_of(self, citizen_id: str) -> list[InboxMessage]:
        """Every message of the inbox, newest first, without those deleted (tests and tools; the pages
        read `page`)."""
        return [_to_message(r) for r in InboxMessageRecord.query(citizen_id, scan_index_forward=False,
                                                                 filter_condition=_SHOWN)]  # fmt: skip

    def page(self, citizen_id: str, limit: int, start: Position | None) -> tuple[list[InboxMessage], Position | None]:
        """A page of the inbox, newest first, without those deleted: one Query."""
        results = InboxMessageRecord.query(citizen_id, scan_index_forward=False, filter_condition=_SHOWN,
                                           page_size=limit + 1, last_evaluated_key=exclusive_start(start))  # fmt: skip
        records, following = one_page(InboxMessageRecord, results, limit)
        return [_to_message(r) for r in records], following

    def thread_page(self, message: InboxMessage, limit: int,
                    start: Position | None) -> tuple[list[InboxMessage], Position | None]:  # fmt: skip
        """A page of the message's thread in its inbox, newest first, without those deleted: one Query
        on the thread's own index key. A message kept before threads were indexed (no thread_owner) is
        shown with what the index has of its thread; an older message of a long thread is on a later page."""
        results = InboxMessageRecord.by_thread.query(_thread_owner(message), scan_index_forward=False,
                                                     filter_condition=_SHOWN, page_size=limit + 1,
                                                     last_evaluated_key=exclusive_start(start))  # fmt: skip
        records, following = one_page(InboxMessageRecord, results, limit)
        found = [_to_message(r) for r in records]
        if start is None and following is None and not any(m.message_id == message.message_id for m in found):
            # Kept before the thread index existed (no thread_owner): shown with what the index has.
            found = sorted([*found, message], key=lambda m: m.sent_at, reverse=True)
        return found, following

    def newest_unread(self, citizen_id: str, limit: int) -> list[InboxMessage]:
        """The inbox's newest unread messages (not deleted): one Query of the sparse unread index, at
        most `limit` items. A message kept before the index existed is counted but not listed here."""
        results = InboxMessageRecord.by_unread.query(citizen_id, scan_index_forward=False, limit=limit,
                                                     page_size=limit)  # fmt: skip
        return [_to_message(r) for r in results]

    def unread_in_thread(self, citizen_id: str, thread_key: str, limit: int) -> list[InboxMessage]:
        """A thread's unread messages (a case's letters, read with the case): one Query of the thread's
        newest `limit` messages."""
        results = InboxMessageRecord.by_thread.query(f"{citizen_id}#{thread_key}", scan_index_forward=False,
                                                     filter_condition=_SHOWN, limit=limit, page_size=limit)  # fmt: skip
        return [m for m in (_to_message(r) for r in results) if m.unread]

    def unread_count(self, citizen_id: str) -> int:
        """One GetItem."""
        return self.unread_counts([citizen_id]).get(citizen_id, 0)

    def unread_counts(self, citizen_ids: list[str]) -> dict[str, int]:
        """Several inboxes' unread counts (a guardian's own and each child's): one BatchGetItem."""
        wanted = sorted(set(citizen_ids))
        if not wanted:
            return {}
        found = {r.citizen_id: max(0, int(r.unread or 0)) for r in InboxCountRecord.batch_get(wanted)}
        return {c: found.get(c, 0) for c in wanted}

    def sent_by_unit(self, unit_hsa_id: str, limit: int,
                     start: Position | None = None) -> tuple[list[InboxMessage], Position | None]:  # fmt: skip
        """A page of the unit's messages (from staff and care systems), newest first: one Query."""
        results = InboxMessageRecord.by_sender_unit.query(unit_hsa_id, scan_index_forward=False, page_size=limit + 1,
                                                          last_evaluated_key=exclusive_start(start))  # fmt: skip
        records, following = one_page(InboxMessageRecord, results, limit)
        return [_to_message(r) for r in records], following

    def find(self, message_id: str) -> tuple[InboxMessage, str] | None:
        """A message by id with the integration client that sent it."""
        for record in InboxMessageRecord.by_message.query(message_id, limit=1):
            return _to_message(record), record.sender_client_id
        return None

    def mark_read(self, messages: list[InboxMessage], now: datetime) -> list[InboxMessage]:
        """Record the first reading of each, and take them off their inbox's unread count, in one
        transaction per 99 (DynamoDB's limit is 100 items; messages of one inbox); if someone read one
        of them at the same moment, one by one instead. Returns those this call marked."""
        marked: list[InboxMessage] = []
        for start in range(0, len(messages), _CHUNK):
            chunk = messages[start : start + _CHUNK]
            try:
                with TransactWrite(connection=InboxMessageRecord._get_connection().connection) as tx:
                    for message in chunk:
                        tx.update(InboxMessageRecord(message.citizen_id, _sort_key(message)),
                                  actions=_first_read(now), condition=_UNREAD)  # fmt: skip
                    for citizen_id in sorted({m.citizen_id for m in chunk}):
                        counter, add = _count_change(citizen_id, -sum(1 for m in chunk if m.citizen_id == citizen_id))
                        tx.update(counter, actions=add)
                marked += chunk
            except TransactWriteError as error:
                if error.cause_response_code != "TransactionCanceledException":
                    raise
                marked += [m for m in chunk if self._mark_one_read(m, now)]
        return marked

    def _mark_one_read(self, message: InboxMessage, now: datetime) -> bool:
        try:
            with TransactWrite(connection=InboxMessageRecord._get_connection().connection) as tx:
                tx.update(InboxMessageRecord(message.citizen_id, _sort_key(message)),
                          actions=_first_read(now), condition=_UNREAD)  # fmt: skip
                counter, add = _count_change(message.citizen_id, -1)
                tx.update(counter, actions=add)
        except TransactWriteError as error:
            if error.cause_response_code == "TransactionCanceledException":
                return False
            raise
        return True

    def delete_for_citizen(self, message: InboxMessage, now: datetime) -> None:
        """Hide it from the inbox; an unread one leaves the unread count in the same transaction."""
        record = InboxMessageRecord(message.citizen_id, _sort_key(message))
        if message.read_at is None and message.deleted_by_citizen_at is None:
            try:
                with TransactWrite(connection=InboxMessageRecord._get_connection().connection) as tx:
                    tx.update(record, actions=[InboxMessageRecord.deleted_by_citizen_at.set(now),
                                               InboxMessageRecord.unread_owner.remove()],
                              condition=_UNREAD & _SHOWN)  # fmt: skip
                    counter, add = _count_change(message.citizen_id, -1)
                    tx.update(counter, actions=add)
                return
            except TransactWriteError as error:
                if error.cause_response_code != "TransactionCanceledException":
                    raise
                # Read (or deleted) meanwhile: it no longer counts as unread; just hide it.
        record.update(actions=[InboxMessageRecord.deleted_by_citizen_at.set(now), InboxMessageRecord.unread_owner.remove()],
                      condition=InboxMessageRecord.sort_key.exists())  # fmt: skip

    def set_state_note(self, message_ids: list[str], note: str) -> int:
        """Mark earlier messages about a visit (a summons replaced or cancelled): the note shows on
        them and their buttons go. Setting the same note again changes nothing."""
        marked = 0
        for message_id in message_ids:
            found = next(iter(InboxMessageRecord.by_message.query(message_id, limit=1)), None)
            if found is None or found.state_note == note:
                continue
            InboxMessageRecord(found.citizen_id, found.sort_key).update(
                actions=[InboxMessageRecord.state_note.set(note), InboxMessageRecord.actions.remove()],
                condition=InboxMessageRecord.sort_key.exists())  # fmt: skip
            marked += 1
        return marked
