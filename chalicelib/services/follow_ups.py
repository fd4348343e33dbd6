"""Event → follow-ups: the one place that says what follows from each change.

Routes and services only make changes (each with its event, in the change's own transaction;
domain/events.py). Everything that follows — the inbox message or its update, the paper letter,
the cutoff schedule, the notification, telling the unit — runs here, from the event, whichever
door the change came through. In AWS the events table's DynamoDB stream invokes `consume` (app.py,
Powertools batch processing: a failed record is retried from there on, the rest of the batch is
not lost, and after the retries it goes to a dead-letter queue with an alarm); in the local stack
the same function is fed from moto's stream (local/event_consumer.py).

Delivery is at least once, so every follow-up is idempotent: what it writes has an id fixed by
the event (DomainEvent.follow_up_id), or it sets state to what it already is. Each reads the
current state by the ids in the event, so a late or repeated event never undoes a newer change.

The follow-ups in TAKE_MANY get every event of their kind in a stream batch at once, as a list:
the evening's release puts tens of thousands of `summons.released` (and then `message.delivered`)
events on the stream, and one at a time each cost several requests; together they cost a few
batched reads and transactions per hundred. A batch is taken in rounds so that one thing's events
still follow up in order: round n holds each thing's n-th event of the batch, so no two events in a
round share a stream key and a round may run them in any grouping.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

from chalicelib.adapters import events
from chalicelib.domain.events import DomainEvent, Kind
from chalicelib.observability import logger, record_metric
from chalicelib.services import (
    booking,
    booking_staff,
    cases,
    certificates,
    consumables,
    earlier_times,
    forms,
    inbox,
    listing,
    protections,
    self_tests,
    summons,
    unit_notices,
    usage,
)
from chalicelib.services.ports import Ports

FollowUp = Callable[[Ports, Any], None]  # one DomainEvent, or (TAKE_MANY) a list of them

_BOOKING_CHANGED = (booking.keep_cutoff_schedule, booking.confirm_to_citizen, unit_notices.tell_unit, usage.count)

FOLLOW_UPS: dict[Kind, tuple[FollowUp, ...]] = {
    # Every kind the usage statistics count (domain/usage.py) has usage.count among its follow-ups.
    Kind.BOOKING_BOOKED: _BOOKING_CHANGED,
    # A moved or cancelled booking's old slot is offered to whoever waits for an earlier time.
    Kind.BOOKING_MOVED: (*_BOOKING_CHANGED, earlier_times.offer_freed_slot),
    Kind.BOOKING_CANCELLED: (*_BOOKING_CHANGED, earlier_times.offer_freed_slot, earlier_times.release_for_cancelled),
    Kind.BOOKING_REMINDED: (booking.confirm_to_citizen,),
    Kind.SUMMONS_ISSUED: (forms.send_with_summons,),  # the summons goes in the evening release; its forms now
    # The new version goes in the next evening release; what is in the inbox says so at once.
    Kind.SUMMONS_CHANGED: (summons.mark_sent_versions, booking.keep_cutoff_schedule, unit_notices.tell_unit),
    Kind.SUMMONS_CANCELLED: (summons.mark_sent_versions, summons.tell_cancelled, booking.keep_cutoff_schedule,
                             unit_notices.tell_unit),  # fmt: skip
    Kind.SUMMONS_RELEASED: (summons.send_released, usage.count),
    Kind.MESSAGE_DELIVERED: (inbox.notify_readers, usage.count),
    Kind.INVITATION_SENT: (booking_staff.tell_invited,),
    # Earlier times: the booking page shows the wish at once; an offer reaches the inbox (the notice
    # follows from the message) and gets its expiry schedule; an answer or expiry marks the message,
    # and a declined or expired offer's slot goes to the next in line (an accepted one's old slot goes
    # on with the booking's own `booking.moved`).
    Kind.EARLIER_TIME_WANTED: (),
    Kind.EARLIER_TIME_UNWANTED: (),
    Kind.EARLIER_TIME_OFFERED: (earlier_times.tell_offered, earlier_times.keep_expiry_schedule, usage.count),
    Kind.EARLIER_TIME_ACCEPTED: (earlier_times.mark_offer_message, earlier_times.keep_expiry_schedule, usage.count),
    Kind.EARLIER_TIME_DECLINED: (earlier_times.mark_offer_message, earlier_times.keep_expiry_schedule,
                                 earlier_times.offer_freed_slot),
    Kind.EARLIER_TIME_EXPIRED: (earlier_times.mark_offer_message, earlier_times.offer_freed_slot),
    Kind.SLOTS_PUBLISHED: (earlier_times.offer_published_slots,),  # new times, to whoever waits
    # An order's steps show on its page at once; the usage statistics count the orders and results.
    Kind.KIT_ORDERED: (usage.count,),
    Kind.KIT_SHIPPED: (),
    Kind.KIT_SAMPLE_TAKEN: (),
    Kind.KIT_RECEIVED: (),
    Kind.LAB_RESULT_POSTED: (self_tests.tell_result, usage.count),
    Kind.KIT_REMINDED: (self_tests.tell_deadline,),
    Kind.KIT_EXPIRED: (self_tests.tell_deadline,),
    # Förbrukningsartiklar: the order's page shows each step at once; sent and delivered each put a
    # short note in the inbox of the person it is for.
    Kind.CONSUMABLE_PLACED: (),
    Kind.CONSUMABLE_SHIPPED: (consumables.tell_step,),
    Kind.CONSUMABLE_DELIVERED: (consumables.tell_step,),
    Kind.CONSUMABLE_CANCELLED: (),
    # Listning: the listing system fetches open requests; its answer reaches the inbox.
    Kind.LISTING_REQUESTED: (),
    Kind.LISTING_DECIDED: (listing.tell_decision,),
    # A case: what staff write to the citizen reaches the inbox; the rest shows in the queue at once.
    # Every change keeps the unit's figures on the staff start page (open, overdue, answered in time).
    Kind.CASE_SENT: (cases.keep_unit_figures, usage.count),
    Kind.CASE_STARTED: (cases.tell_citizen, cases.keep_unit_figures),
    Kind.CASE_TAKEN: (cases.keep_unit_figures,),
    Kind.CASE_RELEASED: (cases.keep_unit_figures,),
    Kind.CASE_REASSIGNED: (cases.keep_unit_figures,),
    Kind.CASE_ANSWERED: (cases.tell_citizen, cases.keep_unit_figures),
    Kind.CASE_REPLIED: (cases.keep_unit_figures,),
    Kind.CASE_REMINDED: (cases.tell_citizen, cases.keep_unit_figures),
    Kind.CASE_CLOSED: (cases.tell_citizen, cases.keep_unit_figures),
    # Forms: the form and its reminder reach the inbox; the unit's figures are kept in the change's own
    # transaction, so the rest shows on the follow-up pages at once.
    Kind.FORM_PUBLISHED: (),
    Kind.FORM_RETIRED: (),
    Kind.FORM_SUBSCRIBED: (),
    Kind.FORM_SUBSCRIPTION_CHANGED: (),
    Kind.FORM_UNSUBSCRIBED: (),
    Kind.FORM_SENT: (forms.tell_citizens, usage.count),
    Kind.FORM_DRAFT_SAVED: (),
    Kind.FORM_ANSWERED: (forms.open_case, usage.count),  # an offered form's answer arrives as a case
    Kind.FORM_REMINDED: (forms.tell_reminded,),
    Kind.FORM_OVERDUE: (),
    Kind.FORM_WITHDRAWN: (),
    Kind.FORM_EXPORTED: (),
    Kind.FORM_PURGED: (),
    Kind.FORM_PACKAGE_SCHEDULED: (forms.keep_package_schedules,),
    Kind.FORM_PACKAGE_PART_SENT: (),
    # Protections (services/protections.py): what they change is read on every request that needs it
    # (the journal page, acting for a child, reach, the login), and a block or a removed login is kept
    # beside the person in the decision's own transaction, so nothing follows but this: a removed
    # login ends the person's live sessions at once.
    Kind.JOURNAL_SEALED: (),
    Kind.JOURNAL_UNSEALED: (),
    Kind.JOURNAL_UNIT_HIDDEN: (),
    Kind.JOURNAL_UNIT_SHOWN: (),
    Kind.JOURNAL_ACCESS_EXTENDED: (),
    Kind.JOURNAL_EXTENSION_ENDED: (),
    Kind.GUARDIAN_BLOCKED: (),
    Kind.GUARDIAN_UNBLOCKED: (),
    Kind.LOGIN_REMOVED: (protections.end_sessions,),
    Kind.LOGIN_RESTORED: (),
    # Mina intyg: hiding and showing show on the list at once; a send is POSTed to its receiver here,
    # once per send id (a receiver that fails fails the follow-up, and the stream retries it).
    Kind.CERTIFICATE_HIDDEN: (),
    Kind.CERTIFICATE_SHOWN: (),
    Kind.CERTIFICATE_SENT: (certificates.deliver,),
    Kind.CERTIFICATE_DELIVERED: (),
    # A citizen's login: counted in the usage statistics, nothing else.
    Kind.CITIZEN_LOGGED_IN: (usage.count,),
}

# Follow-ups that take a list: all of a batch's (round's) events of their kind in one call.
TAKE_MANY: frozenset[FollowUp] = frozenset({summons.send_released, inbox.notify_readers, forms.tell_citizens,
                                            usage.count})  # fmt: skip


def handle(ports: Ports, happened: DomainEvent) -> None:
    """Run every follow-up of one event. An exception leaves the event to be delivered again; the
    follow-ups that had already run then find their work done."""
    handle_many(ports, [happened])


def handle_many(ports: Ports, happened: Sequence[DomainEvent]) -> None:
    """Every follow-up of events of one kind, no two of the same thing: a TAKE_MANY follow-up once
    for all of them, the others one event at a time."""
    kind = happened[0].kind
    for follow_up in FOLLOW_UPS[kind]:
        if follow_up in TAKE_MANY:
            follow_up(ports, list(happened))
        else:
            for one in happened:
                follow_up(ports, one)
    for one in happened:
        logger.info("event followed up", extra={"event_id": one.event_id, "kind": one.kind.value})
    record_metric("EventFollowedUp", len(happened))


def handle_stream_record(ports: Ports, record: dict[str, Any]) -> None:
    """One DynamoDB stream record (the raw Lambda shape); only new events have follow-ups (an
    expired event's REMOVE has none)."""
    if record.get("eventName") != "INSERT":
        return
    handle(ports, events.from_stream_record(record))


def consume(ports: Ports, batch: dict[str, Any], context: Any = None) -> dict[str, Any]:
    """A batch from the events table's stream, in rounds (each thing's first event of the batch, then
    each one's second, …), each round's events grouped by kind. The failed records are reported back
    (ReportBatchItemFailures) and the stream retries from the first of them, so nothing after it is
    lost; a thing whose event failed has its later events in the batch wait for that retry."""
    records = batch.get("Records") or []
    rounds: list[list[tuple[dict[str, Any], DomainEvent]]] = []
    seen: dict[str, int] = defaultdict(int)
    for record in records:
        if record.get("eventName") != "INSERT":
            continue  # an expired event's REMOVE has no follow-ups
        happened = events.from_stream_record(record)
        n = seen[happened.stream_key]
        seen[happened.stream_key] += 1
        if n == len(rounds):
            rounds.append([])
        rounds[n].append((record, happened))
    failed: set[str] = set()
    blocked: set[str] = set()  # things with a failed event: the rest of theirs waits for the retry
    for in_round in rounds:
        by_kind: dict[Kind, list[tuple[dict[str, Any], DomainEvent]]] = defaultdict(list)
        for record, happened in in_round:
            if happened.stream_key in blocked:
                failed.add(_sequence(record))
            else:
                by_kind[happened.kind].append((record, happened))
        for kind, group in by_kind.items():
            _follow_up_group(ports, group, failed, blocked)
    ordered = [_sequence(r) for r in records if _sequence(r) in failed]
    return {"batchItemFailures": [{"itemIdentifier": sequence} for sequence in ordered]}


def _follow_up_group(ports: Ports, group: list[tuple[dict[str, Any], DomainEvent]], failed: set[str],
                     blocked: set[str]) -> None:  # fmt: skip
    """A kind's events of one round together; if that fails, one at a time, so one bad event does not
    hold back the others (the others find their work done or do it)."""
    try:
        handle_many(ports, [happened for _, happened in group])
        return
    except Exception:
        if len(group) == 1:
            logger.exception("follow-up failed", extra={"event_id": group[0][1].event_id,
                                                        "kind": group[0][1].kind.value})  # fmt: skip
            failed.add(_sequence(group[0][0]))
            blocked.add(group[0][1].stream_key)
            return
    for one in group:
        _follow_up_group(ports, [one], failed, blocked)


def _sequence(record: dict[str, Any]) -> str:
    return str(record["dynamodb"]["SequenceNumber"])
