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
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chalicelib.adapters import events
from chalicelib.domain.events import DomainEvent, Kind
from chalicelib.observability import logger, record_metric
from chalicelib.services import booking, cases, inbox, self_tests, summons, unit_notices
from chalicelib.services.ports import Ports

FollowUp = Callable[[Ports, DomainEvent], None]

FOLLOW_UPS: dict[Kind, tuple[FollowUp, ...]] = {
    Kind.BOOKING_BOOKED: (booking.keep_cutoff_schedule, booking.confirm_to_citizen, unit_notices.tell_unit),
    Kind.BOOKING_MOVED: (booking.keep_cutoff_schedule, booking.confirm_to_citizen, unit_notices.tell_unit),
    Kind.BOOKING_CANCELLED: (booking.keep_cutoff_schedule, booking.confirm_to_citizen, unit_notices.tell_unit),
    Kind.BOOKING_REMINDED: (booking.confirm_to_citizen,),
    Kind.SUMMONS_ISSUED: (),  # it goes out in the evening release
    # The new version goes in the next evening release; what is in the inbox says so at once.
    Kind.SUMMONS_CHANGED: (summons.mark_sent_versions, booking.keep_cutoff_schedule, unit_notices.tell_unit),
    Kind.SUMMONS_CANCELLED: (summons.mark_sent_versions, summons.tell_cancelled, booking.keep_cutoff_schedule,
                             unit_notices.tell_unit),  # fmt: skip
    Kind.SUMMONS_RELEASED: (summons.send_released,),
    Kind.MESSAGE_DELIVERED: (inbox.notify_readers,),
    Kind.KIT_SHIPPED: (),  # the kit is on its way; the order page shows it
    Kind.LAB_RESULT_POSTED: (self_tests.tell_result,),
    Kind.KIT_REMINDED: (self_tests.tell_deadline,),
    Kind.KIT_EXPIRED: (self_tests.tell_deadline,),
    # A case: what staff write to the citizen reaches the inbox; the rest shows in the queue at once.
    # Every change keeps the unit's figures on the staff start page (open, overdue, answered in time).
    Kind.CASE_SENT: (cases.keep_unit_figures,),
    Kind.CASE_STARTED: (cases.tell_citizen, cases.keep_unit_figures),
    Kind.CASE_TAKEN: (cases.keep_unit_figures,),
    Kind.CASE_RELEASED: (cases.keep_unit_figures,),
    Kind.CASE_REASSIGNED: (cases.keep_unit_figures,),
    Kind.CASE_ANSWERED: (cases.tell_citizen, cases.keep_unit_figures),
    Kind.CASE_REPLIED: (cases.keep_unit_figures,),
    Kind.CASE_REMINDED: (cases.tell_citizen, cases.keep_unit_figures),
    Kind.CASE_CLOSED: (cases.tell_citizen, cases.keep_unit_figures),
}


def handle(ports: Ports, happened: DomainEvent) -> None:
    """Run every follow-up of one event. An exception leaves the event to be delivered again; the
    follow-ups that had already run then find their work done."""
    for follow_up in FOLLOW_UPS[happened.kind]:
        follow_up(ports, happened)
    logger.info("event followed up", extra={"event_id": happened.event_id, "kind": happened.kind.value})
    record_metric("EventFollowedUp")


def handle_stream_record(ports: Ports, record: dict[str, Any]) -> None:
    """One DynamoDB stream record (the raw Lambda shape); only new events have follow-ups (an
    expired event's REMOVE has none)."""
    if record.get("eventName") != "INSERT":
        return
    handle(ports, events.from_stream_record(record))


def consume(ports: Ports, batch: dict[str, Any], context: Any = None) -> dict[str, Any]:
    """A batch from the events table's stream; the failed records are reported back, so the
    stream retries from the first of them and nothing after it is lost (ReportBatchItemFailures)."""
    from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
    from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord

    def one(record: DynamoDBRecord) -> None:
        handle_stream_record(ports, record.raw_event)

    return process_partial_response(event=batch, record_handler=one, context=context,
                                    processor=BatchProcessor(event_type=EventType.DynamoDBStreams))  # fmt: skip
