"""The inbox use cases: care systems deliver messages; citizens (or a guardian acting for a
child under 13) read them in threads and delete them from their inbox."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chalicelib.adapters.inbox import AttachmentTaken
from chalicelib.adapters.tables import UnitRecord
from chalicelib.domain.attachments import Attachment
from chalicelib.domain.clock import stockholm_date
from chalicelib.domain.events import DomainEvent, Kind, event
from chalicelib.domain.inbox import BODY_MAX, Action, SUBJECT_MAX, TOPIC_MAX, InboxMessage, Thread, threads
from chalicelib.domain.reach import Reach
from chalicelib.errors import BadInput, NotFound, Unprocessable
from chalicelib.observability import logger, record_metric
from chalicelib.services import attachments, notifications, paging, persons
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
        # Anyone the register knows (or who has logged in) has an inbox; only the unknown get 422.
        reached = persons.recipient(ports, pnr, stockholm_date(now))
        files = attachments.take_for_message(ports, principal, unit.hsa_id, attachment_ids)
        message = deliver(ports, reached.citizen_id, unit, letter, principal.key_id, now, files=files, uploaded=True)
        # Honest about now: nobody reads it until someone logs in, so the care system sends paper too.
        return {"message_id": message.message_id, **_reach_fields(reached)}

    return run_idempotent(
        operation="inbox.send_message",
        caller=principal.key_id,
        idempotency_key=idempotency_key,
        payload=body,
        command=deliver_once,
        lambda_context=lambda_context,
    )


def _reach_fields(reached: Reach) -> dict[str, Any]:
    channel = reached.channel
    return {"reaches_digitally": reached.reaches_digitally, "digital_channel": channel.value if channel else None}


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
    citizen_id: str,
    unit: UnitRecord,
    letter: Letter,
    sender_id: str,
    now: datetime,
    *,
    files: tuple[Attachment, ...] = (),
    uploaded: bool = False,
    staff_name: str | None = None,
    message_id: str | None = None,
    thread_id: str | None = None,
) -> InboxMessage:
    """Into the person's own inbox (a child's too) from the unit, with its `message.delivered`
    event in the same transaction; the notification to whoever reads it follows from the event
    (services/follow_ups.py). `uploaded`: the files came through upload slots (a care system's),
    which the message takes. `message_id` (with `now` as its send time): a retry of the same
    delivery writes nothing. `thread_id`: the booking or summons the message is about."""
    message, delivered = compose(citizen_id, unit, letter, now, files=files, staff_name=staff_name,
                                 message_id=message_id, thread_id=thread_id)  # fmt: skip
    try:
        new = ports.inbox.deliver(message, sender_id, delivered,
                                  tuple(f.attachment_id for f in files) if uploaded else ())  # fmt: skip
    except AttachmentTaken:
        raise Unprocessable("attachment_already_used", "En bilaga hör redan till ett annat meddelande.",
                            field="attachments") from None  # fmt: skip
    if new:
        logger.info("message delivered", extra={"message_id": message.message_id, "citizen_id": citizen_id})
        record_metric("InboxMessageDelivered")
    return message


def compose(citizen_id: str, unit: UnitRecord, letter: Letter, now: datetime, *, files: tuple[Attachment, ...] = (),
            staff_name: str | None = None, message_id: str | None = None,
            thread_id: str | None = None) -> tuple[InboxMessage, DomainEvent]:  # fmt: skip
    """The message and its `message.delivered` event, to be written together (`deliver`, or many at
    once by the evening's summons release)."""
    message = InboxMessage(
        message_id=message_id or str(uuid.uuid4()),
        citizen_id=citizen_id,
        sender_unit_hsa_id=unit.hsa_id,
        sender_unit_name=unit.name,
        topic=letter.topic,
        subject=letter.subject,
        body=letter.body,
        sent_at=now,
        attachments=files,
        sender_staff_name=staff_name,
        actions=letter.actions,
        thread_id=thread_id,
    )
    delivered = event(Kind.MESSAGE_DELIVERED, f"inbox#{citizen_id}", now, message_id=message.message_id,
                      citizen_id=citizen_id, unit_hsa_id=unit.hsa_id)  # fmt: skip
    return message, delivered


def notify_readers(ports: Ports, delivered: Sequence[DomainEvent]) -> None:
    """Follow-up of `message.delivered`, for every such event of a stream batch at once: tell whoever
    reads each inbox now (the person, or a child under 13's guardians), each on their own verified
    channels. The register and the accounts are read a hundred people a call; the outbox coalesces,
    so a redelivered event asks for nothing twice."""
    people = {p.citizen_id: p for p in ports.register.get_many(sorted({e["citizen_id"] for e in delivered}))}
    reached = persons.reach_many(ports, [(e["citizen_id"], people.get(e["citizen_id"]),
                                          stockholm_date(e.occurred_at)) for e in delivered])  # fmt: skip
    notifications.notify_new_items(ports, [(holder, e.occurred_at) for e, r in zip(delivered, reached)
                                           for holder in r.notify])  # fmt: skip


def citizen_status(ports: Ports, principal: IntegrationPrincipal, body: Any, now: datetime) -> dict[str, Any]:
    """Whether to send digitally or on paper, by the same rule every delivery follows: facts only,
    never an address or a guardian's identity.

    has_inbox: a message is accepted and kept (the register knows them, or they have logged in).
    reaches_digitally / digital_channel: someone reads that inbox now — their own account
      ("own_account") or, for a child under 13 without protected identity, a guardian's ("guardian").
    has_account: the person's own account (they have logged in, and their login is not removed).
    digital_first: no paper needed — they (for a child under 13: every guardian) chose digital first
      and are reached.
    notify_email / notify_sms: someone who reads it is told by e-mail / SMS (their own verified address)."""
    principal.require_scope(MESSAGES_SCOPE)
    body = json_object(body, {"personnummer"})
    pnr = personnummer(body.get("personnummer"), "personnummer", stockholm_date(now))
    citizen_id = persons.known_citizen_id(ports, pnr)
    if citizen_id is None:  # unknown here: no inbox, and nobody to reach
        return {"has_inbox": False, "reaches_digitally": False, "digital_channel": None, "has_account": False,
                "digital_first": False, "notify_email": False, "notify_sms": False}  # fmt: skip
    reached = persons.reach_of(ports, citizen_id, stockholm_date(now), born=pnr.birth_date)
    return {
        "has_inbox": True,
        **_reach_fields(reached),
        "has_account": reached.own is not None,
        "digital_first": reached.digital_first,
        "notify_email": reached.notify_email,
        "notify_sms": reached.notify_sms,
    }


def status_for_sender(ports: Ports, principal: IntegrationPrincipal, message_id: str) -> dict[str, Any]:
    """GET /integration/v1/messages/{id}: delivered, first read, deleted — to the system that sent it only."""
    principal.require_scope(MESSAGES_SCOPE)
    found = ports.inbox.find(message_id)
    if found is None or found[1] != principal.key_id or not principal.may_act_for(found[0].sender_unit_hsa_id):
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


INBOX_PAGE = 20  # messages a page (grouped into threads); a thread longer than a page continues on the next
THREAD_PAGE = 50


@dataclass(frozen=True)
class InboxPage:
    threads: list[Thread]  # the page's messages in their threads, newest first
    unread: int  # in the whole inbox (its count, kept on write)
    next_cursor: str | None


def _inbox_scope(principal: CitizenPrincipal) -> str:
    return f"inbox:{principal.subject_id}"  # a cursor continues only the inbox it came from


def inbox_page(ports: Ports, principal: CitizenPrincipal, cursor: str | None = None) -> InboxPage:
    """A page of the subject's inbox (a child's, for a guardian acting for them): one Query, and the
    unread count: one GetItem, however many messages the inbox has ever had."""
    scope = _inbox_scope(principal)
    messages, following = ports.inbox.page(principal.subject_id, INBOX_PAGE, paging.start(ports, scope, cursor))
    return InboxPage(threads(messages), ports.inbox.unread_count(principal.subject_id),
                     paging.following(ports, scope, following))  # fmt: skip


def inbox_threads(ports: Ports, principal: CitizenPrincipal) -> list[Thread]:
    """The first page's threads."""
    return inbox_page(ports, principal).threads


def unread_count(ports: Ports, principal: CitizenPrincipal) -> int:
    return ports.inbox.unread_count(principal.subject_id)


def _own_message(ports: Ports, principal: CitizenPrincipal, message_id: str) -> InboxMessage:
    found = ports.inbox.find(message_id)
    # Someone else's message gets the same answer as one that does not exist.
    if found is None or found[0].citizen_id != principal.subject_id or found[0].deleted_by_citizen_at:
        raise NotFound("message_not_found", "Meddelandet finns inte.")
    return found[0]


@dataclass(frozen=True)
class ThreadPage:
    thread: Thread
    next_cursor: str | None  # older messages of the thread


def open_thread_page(ports: Ports, principal: CitizenPrincipal, message_id: str, now: datetime,
                     cursor: str | None = None) -> ThreadPage:  # fmt: skip
    """The thread the message belongs to, a page of it (newest first): the message by id, then one
    Query on the thread's index key; the unread messages shown are marked read now."""
    message = _own_message(ports, principal, message_id)
    scope = f"thread:{principal.subject_id}:{message.thread_key}"
    shown, following = ports.inbox.thread_page(message, THREAD_PAGE, paging.start(ports, scope, cursor))
    found = threads(shown)
    if not found:
        raise NotFound("message_not_found", "Meddelandet finns inte.")
    marked = ports.inbox.mark_read([m for m in found[0].messages if m.unread], now)
    for read in marked:
        logger.info("message read", extra={"message_id": read.message_id})
    if marked and message.thread_id and message.thread_id.startswith(CASE_THREAD):
        from chalicelib.services import cases  # a case's letters: reading them reads the case

        cases.seen_in_inbox(ports, message.citizen_id, message.thread_id.removeprefix(CASE_THREAD),
                            max(m.sent_at for m in marked), now)  # fmt: skip
    return ThreadPage(found[0], paging.following(ports, scope, following))


CASE_THREAD = "case#"  # a case's letters in the inbox are one thread: "case#<case_id>"


def read_letters_of(ports: Ports, citizen_id: str, thread_key: str, now: datetime) -> None:
    """The citizen read what the letters of a thread say elsewhere (a case's page): its unread letters
    are marked read too, so the inbox does not call them new. One Query of the thread's newest page."""
    for read in ports.inbox.mark_read(ports.inbox.unread_in_thread(citizen_id, thread_key, THREAD_PAGE), now):
        logger.info("message read", extra={"message_id": read.message_id})


UNREAD_SHOWN = 3


def newest_unread(ports: Ports, principal: CitizenPrincipal, limit: int = UNREAD_SHOWN) -> list[InboxMessage]:
    """The subject's newest unread messages (the start page): one Query of a few items."""
    return ports.inbox.newest_unread(principal.subject_id, limit)


def open_thread(ports: Ports, principal: CitizenPrincipal, message_id: str, now: datetime) -> Thread:
    """The thread's newest page; its unread messages are marked read now."""
    return open_thread_page(ports, principal, message_id, now).thread


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


def message_to_delete(ports: Ports, principal: CitizenPrincipal, message_id: str) -> InboxMessage:
    """The subject's own message, for the page that asks before deleting it (nothing is marked read)."""
    return _own_message(ports, principal, message_id)
