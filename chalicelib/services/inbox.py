"""The inbox use cases: care systems deliver messages; citizens (or a guardian acting for a
child under 13) read them in threads and delete them from their inbox."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chalicelib.adapters.inbox import AttachmentTaken
from chalicelib.adapters.tables import Account, UnitRecord
from chalicelib.domain.attachments import Attachment
from chalicelib.domain.clock import stockholm_date
from chalicelib.domain.personnummer import Personnummer
from chalicelib.domain.inbox import BODY_MAX, Action, SUBJECT_MAX, TOPIC_MAX, InboxMessage, Thread, threads
from chalicelib.errors import BadInput, NotFound, Unprocessable
from chalicelib.observability import logger, record_metric
from chalicelib.services import attachments, notifications
from chalicelib.services.input import json_object, personnummer, required_text
from chalicelib.services.integration import run_idempotent
from chalicelib.services.ports import Ports
from chalicelib.services.principals import CitizenPrincipal, IntegrationPrincipal

MESSAGES_SCOPE = "messages"
_FIELDS = {"sender_unit_hsa_id", "personnummer", "topic", "subject", "body", "attachments"}


def send_from_care_system(
    ports: Ports,
    principal: IntegrationPrincipal,
    body: Any,
    idempotency_key: str | None,
    now: datetime,
    lambda_context: Any = None,
) -> dict[str, Any]:
    """POST /integration/v1/messages: validate everything, then deliver once per Idempotency-Key."""
    principal.require_scope(MESSAGES_SCOPE)
    body = json_object(body, _FIELDS)
    unit_hsa_id = required_text(body, "sender_unit_hsa_id", 64)
    principal.require_unit(unit_hsa_id)
    unit = ports.units.get(unit_hsa_id)
    if unit is None:
        raise BadInput("unknown_unit", "Enheten finns inte i regionen.", field="sender_unit_hsa_id")
    pnr = personnummer(body.get("personnummer"), "personnummer", stockholm_date(now))
    letter = read_letter(body)
    attachment_ids = attachments.check_ids(body.get("attachments"))

    def deliver_once() -> dict[str, Any]:
        account = recipient(ports, pnr)
        files = attachments.take_for_message(ports, principal, unit.hsa_id, attachment_ids)
        message = deliver(ports, account, unit, letter, principal.key_id, now, files=files, uploaded=True)
        return {"message_id": message.message_id}

    return run_idempotent(
        operation="inbox.send_message",
        caller=principal.key_id,
        idempotency_key=idempotency_key,
        payload=body,
        command=deliver_once,
        lambda_context=lambda_context,
    )


def recipient(ports: Ports, pnr: Personnummer) -> Account:
    """The account of the person a message is for; without one, the sender sends paper instead."""
    citizen_id = ports.identities.find(pnr)
    account = ports.accounts.get(citizen_id) if citizen_id else None
    if account is None or not ports.accounts.is_active(account):
        raise Unprocessable("citizen_has_no_account", "Personen har inget konto i e-tjänsterna. Skicka brev i stället.",
                            field="personnummer")  # fmt: skip
    return account


@dataclass(frozen=True)
class Letter:
    """What a sender writes: the thread's topic, a subject and a plain-text body."""

    topic: str
    subject: str
    body: str
    actions: tuple[Action, ...] = ()


def read_letter(fields: dict[str, Any]) -> Letter:
    return Letter(required_text(fields, "topic", TOPIC_MAX), required_text(fields, "subject", SUBJECT_MAX),
                  required_text(fields, "body", BODY_MAX))  # fmt: skip


def deliver(
    ports: Ports,
    account: Account,
    unit: UnitRecord,
    letter: Letter,
    sender_id: str,
    now: datetime,
    *,
    files: tuple[Attachment, ...] = (),
    uploaded: bool = False,
    staff_name: str | None = None,
    message_id: str | None = None,
) -> InboxMessage:
    """Into the recipient's inbox from the unit, then a notification per the citizen's settings.
    `uploaded`: the files came through upload slots (a care system's), which the message takes.
    `message_id` (with `now` as its send time): a retry of the same delivery writes nothing."""
    message = InboxMessage(
        message_id=message_id or str(uuid.uuid4()),
        citizen_id=account.citizen_id,
        sender_unit_hsa_id=unit.hsa_id,
        sender_unit_name=unit.name,
        topic=letter.topic,
        subject=letter.subject,
        body=letter.body,
        sent_at=now,
        attachments=files,
        sender_staff_name=staff_name,
        actions=letter.actions,
    )
    try:
        new = ports.inbox.deliver(message, sender_id, tuple(f.attachment_id for f in files) if uploaded else ())
    except AttachmentTaken:
        raise Unprocessable("attachment_already_used", "En bilaga hör redan till ett annat meddelande.",
                            field="attachments") from None  # fmt: skip
    if not new:
        return message
    notifications.notify_new_item(ports, account, now)
    logger.info("message delivered", extra={"message_id": message.message_id, "citizen_id": account.citizen_id})
    record_metric("InboxMessageDelivered")
    return message


def citizen_status(ports: Ports, principal: IntegrationPrincipal, body: Any, now: datetime) -> dict[str, bool]:
    """Whether to send digitally or on paper: booleans only, never an address."""
    principal.require_scope(MESSAGES_SCOPE)
    body = json_object(body, {"personnummer"})
    pnr = personnummer(body.get("personnummer"), "personnummer", stockholm_date(now))
    citizen_id = ports.identities.find(pnr)
    account = ports.accounts.get(citizen_id) if citizen_id else None
    if account is None or not ports.accounts.is_active(account):
        return {"has_account": False, "digital_first": False, "notify_email": False, "notify_sms": False}
    return {
        "has_account": True,
        "digital_first": bool(account.digital_first),
        "notify_email": account.email is not None,
        "notify_sms": account.sms is not None,
    }


def status_for_sender(ports: Ports, principal: IntegrationPrincipal, message_id: str) -> dict[str, Any]:
    """GET /integration/v1/messages/{id}: delivered, first read, deleted — to the system that sent it only."""
    principal.require_scope(MESSAGES_SCOPE)
    found = ports.inbox.find(message_id)
    if found is None or found[1] != principal.key_id:
        raise NotFound("message_not_found", "Meddelandet finns inte.")
    message = found[0]

    def iso(moment: datetime | None) -> str | None:
        return moment.isoformat() if moment else None

    return {
        "message_id": message.message_id,
        "delivered_at": iso(message.sent_at),
        "read_at": iso(message.read_at),
        "deleted_by_citizen_at": iso(message.deleted_by_citizen_at),
    }


def inbox_threads(ports: Ports, principal: CitizenPrincipal) -> list[Thread]:
    return threads(ports.inbox.inbox_of(principal.subject_id))


def unread_count(ports: Ports, principal: CitizenPrincipal) -> int:
    return ports.inbox.unread_count(principal.subject_id)


def _own_message(ports: Ports, principal: CitizenPrincipal, message_id: str) -> InboxMessage:
    found = ports.inbox.find(message_id)
    # Someone else's message gets the same answer as one that does not exist.
    if found is None or found[0].citizen_id != principal.subject_id or found[0].deleted_by_citizen_at:
        raise NotFound("message_not_found", "Meddelandet finns inte.")
    return found[0]


def open_thread(ports: Ports, principal: CitizenPrincipal, message_id: str, now: datetime) -> Thread:
    """The whole thread the message belongs to; its unread messages are marked read now."""
    # The subject's own inbox (one Query) holds the message if it is theirs and not deleted.
    thread = next((t for t in inbox_threads(ports, principal) if any(m.message_id == message_id for m in t.messages)),
                  None)  # fmt: skip
    if thread is None:
        raise NotFound("message_not_found", "Meddelandet finns inte.")
    for marked in ports.inbox.mark_read([m for m in thread.messages if m.unread], now):
        logger.info("message read", extra={"message_id": marked.message_id})
    return thread


def download_link(ports: Ports, principal: CitizenPrincipal, message_id: str, attachment_id: str) -> str:
    """A one-minute link to a file in a message of the subject's own inbox."""
    message = _own_message(ports, principal, message_id)
    attachment: Attachment | None = next((a for a in message.attachments if a.attachment_id == attachment_id), None)
    if attachment is None:
        raise NotFound("attachment_not_found", "Bilagan finns inte.")
    logger.info("attachment downloaded", extra={"message_id": message_id, "attachment_id": attachment_id})
    return ports.attachment_files.download_url(attachment.attachment_id, attachment.filename, attachment.content_type)


def delete_message(ports: Ports, principal: CitizenPrincipal, message_id: str, now: datetime) -> None:
    message = _own_message(ports, principal, message_id)
    ports.inbox.delete_for_citizen(message, now)
    logger.info("message deleted by citizen", extra={"message_id": message.message_id})
