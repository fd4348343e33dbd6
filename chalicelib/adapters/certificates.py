"""Mina intyg in DynamoDB: the certificates a person hid, and each send on to a receiver (the audit
row the person sees). The certificates themselves are never stored: they are read from the care
systems at view time (adapters/fhir_sources.py).

Table `certificates` (citizen_id, key): "hidden#<source>/<id>" and "send#<send_id>".

Access patterns (no Scan):

| pattern                                     | call                                                     |
| ------------------------------------------- | -------------------------------------------------------- |
| a person's hidden certificates and sends    | Query certificates (citizen_id): one request, a handful  |
| hide                                        | TransactWriteItems: PutItem (condition new) + event       |
| show again                                  | TransactWriteItems: DeleteItem (condition exists) + event |
| send (once per send id)                     | TransactWriteItems: PutItem send (condition new) + event  |
| one send (the follow-up)                    | GetItem certificates (citizen_id, "send#<id>")            |
| delivered                                   | TransactWriteItems: UpdateItem (condition not delivered) + event |
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from chalicelib.adapters import events
from chalicelib.adapters.tables import CertificateRecord
from chalicelib.domain.events import DomainEvent

HIDDEN, SEND = "hidden#", "send#"


@dataclass(frozen=True, slots=True)
class Send:
    send_id: str
    citizen_id: str
    certificate_key: str
    receiver_id: str
    receiver_name: str
    title: str | None
    sent_at: datetime
    by: str
    delivered_at: datetime | None

    @property
    def pending(self) -> bool:
        return self.delivered_at is None


@dataclass(frozen=True, slots=True)
class Marks:
    hidden: frozenset[str]  # certificate keys
    sends: tuple[Send, ...]  # newest first

    def sends_of(self, certificate_key: str) -> list[Send]:
        return [s for s in self.sends if s.certificate_key == certificate_key]


def _send(record: CertificateRecord) -> Send:
    return Send(record.key.removeprefix(SEND), record.citizen_id, record.certificate_key, record.receiver_id or "",
                record.receiver_name or "", record.title, record.at, record.by, record.delivered_at)  # fmt: skip


class CertificateStore:
    def marks_of(self, citizen_id: str) -> Marks:
        records = list(CertificateRecord.query(citizen_id))
        hidden = frozenset(r.certificate_key for r in records if r.key.startswith(HIDDEN))
        sends = sorted((_send(r) for r in records if r.key.startswith(SEND)), key=lambda s: s.sent_at, reverse=True)
        return Marks(hidden, tuple(sends))

    def hide(self, citizen_id: str, certificate_key: str, by: str, happened: DomainEvent) -> bool:
        """False (and nothing written) when it is hidden already."""
        record = CertificateRecord(citizen_id, HIDDEN + certificate_key, certificate_key=certificate_key,
                                   at=happened.occurred_at, by=by)  # fmt: skip
        try:
            events.commit(happened, lambda tx: tx.save(record, condition=CertificateRecord.key.does_not_exist()))
        except events.ConditionLost:
            return False
        return True

    def show(self, citizen_id: str, certificate_key: str, happened: DomainEvent) -> bool:
        """False (and nothing written) when it is not hidden."""
        record = CertificateRecord(citizen_id, HIDDEN + certificate_key)
        try:
            events.commit(happened, lambda tx: tx.delete(record, condition=CertificateRecord.key.exists()))
        except events.ConditionLost:
            return False
        return True

    def send(self, send: Send, happened: DomainEvent) -> bool:
        """The send and its event, once per send id: False (nothing written) when that id was sent."""
        record = CertificateRecord(send.citizen_id, SEND + send.send_id, certificate_key=send.certificate_key,
                                   at=send.sent_at, by=send.by, receiver_id=send.receiver_id,
                                   receiver_name=send.receiver_name, title=send.title)  # fmt: skip
        try:
            events.commit(happened, lambda tx: tx.save(record, condition=CertificateRecord.key.does_not_exist()))
        except events.ConditionLost:
            return False
        return True

    def get_send(self, citizen_id: str, send_id: str) -> Send | None:
        try:
            return _send(CertificateRecord.get(citizen_id, SEND + send_id))
        except CertificateRecord.DoesNotExist:
            return None

    def delivered(self, citizen_id: str, send_id: str, happened: DomainEvent) -> bool:
        """Mark the send delivered, once: False when it already was."""
        record = CertificateRecord(citizen_id, SEND + send_id)
        try:
            events.commit(happened, lambda tx: tx.update(
                record, actions=[CertificateRecord.delivered_at.set(happened.occurred_at)],
                condition=CertificateRecord.key.exists() & CertificateRecord.delivered_at.does_not_exist()))  # fmt: skip
        except events.ConditionLost:
            return False
        return True
