"""Inbox messages in DynamoDB (access patterns in tables.py)."""

from __future__ import annotations

from datetime import datetime

from pynamodb.exceptions import TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from chalicelib.adapters import events

from chalicelib.adapters.tables import ActionMap, AttachmentMap, AttachmentUpload, InboxMessageRecord, condition_failed
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


_UNREAD = InboxMessageRecord.sort_key.exists() & InboxMessageRecord.read_at.does_not_exist()


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
        )  # fmt: skip

    def inbox_of(self, citizen_id: str) -> list[InboxMessage]:
        """The citizen's messages, newest first, without those they deleted: one Query."""
        return [
            _to_message(r)
            for r in InboxMessageRecord.query(
                citizen_id,
                scan_index_forward=False,
                filter_condition=InboxMessageRecord.deleted_by_citizen_at.does_not_exist(),
            )
        ]

    def unread_count(self, citizen_id: str) -> int:
        return InboxMessageRecord.count(
            citizen_id,
            filter_condition=InboxMessageRecord.read_at.does_not_exist()
            & InboxMessageRecord.deleted_by_citizen_at.does_not_exist(),
        )

    def sent_by_unit(self, unit_hsa_id: str, limit: int) -> list[InboxMessage]:
        """The unit's messages (from staff and care systems), newest first: one Query."""
        return [
            _to_message(r)
            for r in InboxMessageRecord.by_sender_unit.query(unit_hsa_id, scan_index_forward=False, limit=limit)
        ]

    def find(self, message_id: str) -> tuple[InboxMessage, str] | None:
        """A message by id with the integration client that sent it."""
        for record in InboxMessageRecord.by_message.query(message_id, limit=1):
            return _to_message(record), record.sender_client_id
        return None

    def mark_read(self, messages: list[InboxMessage], now: datetime) -> list[InboxMessage]:
        """Record the first reading of each; returns those this call marked. One transaction per
        100 (DynamoDB's limit); if someone read one of them at the same moment, one by one instead."""
        marked: list[InboxMessage] = []
        for start in range(0, len(messages), 100):
            chunk = messages[start : start + 100]
            try:
                with TransactWrite(connection=InboxMessageRecord._get_connection().connection) as tx:
                    for message in chunk:
                        tx.update(InboxMessageRecord(message.citizen_id, _sort_key(message)),
                                  actions=[InboxMessageRecord.read_at.set(now)], condition=_UNREAD)  # fmt: skip
                marked += chunk
            except TransactWriteError as error:
                if error.cause_response_code != "TransactionCanceledException":
                    raise
                marked += [m for m in chunk if self._mark_one_read(m, now)]
        return marked

    def _mark_one_read(self, message: InboxMessage, now: datetime) -> bool:
        try:
            InboxMessageRecord(message.citizen_id, _sort_key(message)).update(
                actions=[InboxMessageRecord.read_at.set(now)], condition=_UNREAD
            )
        except UpdateError as error:
            if condition_failed(error):
                return False
            raise
        return True

    def delete_for_citizen(self, message: InboxMessage, now: datetime) -> None:
        InboxMessageRecord(message.citizen_id, _sort_key(message)).update(
            actions=[InboxMessageRecord.deleted_by_citizen_at.set(now)],
            condition=InboxMessageRecord.sort_key.exists(),
        )

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
