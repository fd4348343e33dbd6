"""Slots, bookings and invitations in DynamoDB, and the one-time cutoff schedules in EventBridge
Scheduler. Every change to who holds a slot is one transaction with a condition on the slot, so
exactly one of any number of simultaneous attempts wins."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from collections.abc import Callable
from functools import cached_property
from typing import Any

from pynamodb.exceptions import DeleteError, DoesNotExist, PutError
from pynamodb.transactions import TransactWrite

from chalicelib.adapters import aws, events

from chalicelib.adapters.tables import (
    usable_key,
    BookingRecord,
    InvitationRecord,
    SlotRecord,
    UnitRecord,
    VisitTypeMap,
    condition_failed,
)
from chalicelib.domain.booking import (
    Booking,
    BookingRules,
    BookingStatus,
    Earliest,
    Slot,
    VisitType,
    Visibility,
)
from chalicelib.domain.clock import STOCKHOLM
from chalicelib.domain.events import DomainEvent


class Lost(Exception):
    """A condition failed: someone else took the slot, or the booking or invitation changed."""


def visit_types_of(unit: UnitRecord) -> list[VisitType]:
    return [
        VisitType(
            visit_type_id=v.visit_type_id,
            name=v.name,
            duration_minutes=int(v.duration_minutes),
            place=v.place,
            practitioner_role=v.practitioner_role,
            web_booking=bool(v.web_booking),
            sensitive=bool(v.sensitive),
            rules=BookingRules(
                earliest=Earliest(v.earliest),
                cancel_cutoff=timedelta(minutes=int(v.cancel_cutoff_minutes)),
                rebook_cutoff=timedelta(minutes=int(v.rebook_cutoff_minutes)),
                cancel_online=bool(v.cancel_online),
            ),
        )
        for v in unit.visit_types or ()
    ]


def visit_type_map(v: VisitType) -> VisitTypeMap:
    return VisitTypeMap(
        visit_type_id=v.visit_type_id, name=v.name, duration_minutes=v.duration_minutes, place=v.place,
        practitioner_role=v.practitioner_role, web_booking=v.web_booking, earliest=v.rules.earliest.value,
        cancel_cutoff_minutes=int(v.rules.cancel_cutoff.total_seconds() // 60),
        rebook_cutoff_minutes=int(v.rules.rebook_cutoff.total_seconds() // 60),
        cancel_online=v.rules.cancel_online, sensitive=v.sensitive,
    )  # fmt: skip


def _slot(r: SlotRecord) -> Slot:
    return Slot(r.slot_id, r.unit_hsa_id, r.visit_type_id, r.start, r.end, r.place, r.practitioner_role,
                Visibility(r.visibility), r.booking_id, r.source)  # fmt: skip


def _slot_record(slot: Slot) -> SlotRecord:
    return SlotRecord(
        slot.slot_id, unit_hsa_id=slot.unit_hsa_id, start_key=f"{slot.start.isoformat()}#{slot.slot_id}",
        visit_type_id=slot.visit_type_id, start=slot.start, end=slot.end, place=slot.place,
        practitioner_role=slot.practitioner_role, visibility=slot.visibility.value, source=slot.source,
    )  # fmt: skip


def _booking(r: BookingRecord) -> Booking:
    return Booking(
        booking_id=r.booking_id, citizen_id=r.citizen_id, unit_hsa_id=r.unit_hsa_id, unit_name=r.unit_name,
        visit_type_id=r.visit_type_id, visit_type_name=r.visit_type_name, slot_id=r.slot_id, start=r.start,
        end=r.end, place=r.place, status=BookingStatus(r.status), booked_by=r.booked_by, created_at=r.created_at,
        hidden_from_citizen=bool(r.hidden_from_citizen), cancel_reason=r.cancel_reason, invitation_id=r.invitation_id,
        allow_rebook=r.allow_rebook is not False, allow_cancel=r.allow_cancel is not False,
        sequence=int(r.sequence or 0),
    )  # fmt: skip


Also = Callable[[TransactWrite], None] | None  # more of the same change: the summons, for a care-booked visit


def _commit(event: DomainEvent, write: Callable[[TransactWrite], None], also: Also) -> None:
    """The booking change, whatever else belongs to it, and its event: all or nothing."""

    def everything(tx: TransactWrite) -> None:
        write(tx)
        if also is not None:
            also(tx)

    try:
        events.commit(event, everything)
    except events.ConditionLost:
        raise Lost() from None


def _free() -> Any:
    return SlotRecord.slot_id.exists() & SlotRecord.booking_id.does_not_exist()


class SlotStore:
    def get(self, slot_id: str) -> Slot | None:
        if not usable_key(slot_id):
            return None
        try:
            return _slot(SlotRecord.get(slot_id, consistent_read=True))
        except DoesNotExist:
            return None

    def between(self, unit_hsa_id: str, start: datetime, end: datetime) -> list[Slot]:
        """The unit's slots starting in [start, end), in time order: one Query."""
        return [
            _slot(r)
            for r in SlotRecord.by_unit.query(
                unit_hsa_id, SlotRecord.start_key.between(start.isoformat(), f"{end.isoformat()}")
            )
            if r.start < end
        ]

    def publish(self, slot: Slot) -> bool:
        """Create or update a free slot; False when it is booked, or (a slot with a source) another
        source's slot has that id: then it is left as it is. A slot from before sources were kept
        becomes the publisher's."""
        condition = SlotRecord.booking_id.does_not_exist()
        if slot.source is not None:
            condition &= SlotRecord.source.does_not_exist() | (SlotRecord.source == slot.source)
        try:
            _slot_record(slot).save(condition=condition)
        except PutError as error:
            if condition_failed(error):
                return False
            raise
        return True

    def withdraw(self, slot_id: str, source: str | None = None) -> bool:
        """Remove a free slot (of that source, if given); False when it is booked."""
        condition = SlotRecord.booking_id.does_not_exist()
        if source is not None:
            condition &= SlotRecord.source == source
        try:
            SlotRecord(slot_id).delete(condition=condition)
        except DeleteError as error:
            if condition_failed(error):
                return False
            raise
        return True


class BookingStore:
    def of_citizen(self, citizen_id: str) -> list[Booking]:
        return [_booking(r) for r in BookingRecord.query(citizen_id)]

    def get(self, booking_id: str) -> Booking | None:
        for record in BookingRecord.by_booking.query(booking_id, limit=1):
            return _booking(record)
        return None

    def book(self, booking: Booking, event: DomainEvent, invitation_id: str | None = None, *,
             now: datetime | None = None, new_slot: Slot | None = None, also: Also = None) -> None:  # fmt: skip
        """Take the slot and record the booking (and use the invitation) in one transaction, with
        its event. `new_slot`: a slot of its own made for this booking (care's appointments)."""
        record = BookingRecord(
            booking.citizen_id, booking.booking_id, unit_hsa_id=booking.unit_hsa_id, unit_name=booking.unit_name,
            visit_type_id=booking.visit_type_id, visit_type_name=booking.visit_type_name, slot_id=booking.slot_id,
            start=booking.start, end=booking.end, place=booking.place, status=booking.status.value,
            booked_by=booking.booked_by, created_at=booking.created_at,
            hidden_from_citizen=booking.hidden_from_citizen, invitation_id=invitation_id,
            allow_rebook=booking.allow_rebook, allow_cancel=booking.allow_cancel,
        )  # fmt: skip

        def write(tx: TransactWrite) -> None:
            if new_slot is not None:
                slot = _slot_record(new_slot)
                slot.booking_id = booking.booking_id
                tx.save(slot, condition=SlotRecord.slot_id.does_not_exist())
            else:
                tx.update(SlotRecord(booking.slot_id), actions=[SlotRecord.booking_id.set(booking.booking_id)],
                          condition=_free())  # fmt: skip
            tx.save(record, condition=BookingRecord.booking_id.does_not_exist())
            if invitation_id:
                tx.update(
                    InvitationRecord(booking.citizen_id, invitation_id),
                    actions=[InvitationRecord.booking_id.set(booking.booking_id)],
                    condition=InvitationRecord.invitation_id.exists()
                    & InvitationRecord.booking_id.does_not_exist()
                    & (InvitationRecord.expires_at > (now or booking.created_at)),
                )

        _commit(event, write, also)

    def move(self, booking: Booking, new_slot: Slot, event: DomainEvent, also: Also = None) -> Booking:
        """Rebook: take the new slot, free the old, update the booking, all or nothing."""
        moved = booking.moved_to(new_slot)

        def write(tx: TransactWrite) -> None:
            tx.update(SlotRecord(new_slot.slot_id), actions=[SlotRecord.booking_id.set(booking.booking_id)],
                      condition=_free())  # fmt: skip
            tx.update(SlotRecord(booking.slot_id), actions=[SlotRecord.booking_id.remove()],
                      condition=SlotRecord.booking_id == booking.booking_id)  # fmt: skip
            tx.update(
                BookingRecord(booking.citizen_id, booking.booking_id),
                actions=[BookingRecord.slot_id.set(moved.slot_id), BookingRecord.start.set(moved.start),
                         BookingRecord.end.set(moved.end), BookingRecord.place.set(moved.place),
                         BookingRecord.sequence.add(1)],
                condition=(BookingRecord.status == BookingStatus.BOOKED.value)
                & (BookingRecord.slot_id == booking.slot_id),
            )  # fmt: skip

        _commit(event, write, also)
        return moved

    def retime(self, booking: Booking, changed: Booking, event: DomainEvent, also: Also = None) -> None:
        """Care changed a booking it made, on its own slot: the slot and the booking together."""

        def write(tx: TransactWrite) -> None:
            tx.update(SlotRecord(booking.slot_id), actions=[
                SlotRecord.start.set(changed.start), SlotRecord.end.set(changed.end),
                SlotRecord.place.set(changed.place),
                SlotRecord.start_key.set(f"{changed.start.isoformat()}#{booking.slot_id}")],
                condition=SlotRecord.booking_id == booking.booking_id)  # fmt: skip
            tx.update(BookingRecord(booking.citizen_id, booking.booking_id), actions=[
                BookingRecord.start.set(changed.start), BookingRecord.end.set(changed.end),
                BookingRecord.place.set(changed.place), BookingRecord.allow_rebook.set(changed.allow_rebook),
                BookingRecord.allow_cancel.set(changed.allow_cancel), BookingRecord.sequence.add(1)],
                condition=(BookingRecord.status == BookingStatus.BOOKED.value)
                & (BookingRecord.slot_id == booking.slot_id))  # fmt: skip

        _commit(event, write, also)

    def cancel(self, booking: Booking, reason: str | None, event: DomainEvent, also: Also = None) -> None:
        """Free the slot and mark the booking cancelled, together."""
        actions = [BookingRecord.status.set(BookingStatus.CANCELLED.value), BookingRecord.sequence.add(1)]
        if reason:
            actions.append(BookingRecord.cancel_reason.set(reason))

        def write(tx: TransactWrite) -> None:
            tx.update(SlotRecord(booking.slot_id), actions=[SlotRecord.booking_id.remove()],
                      condition=SlotRecord.booking_id == booking.booking_id)  # fmt: skip
            tx.update(BookingRecord(booking.citizen_id, booking.booking_id), actions=actions,
                      condition=(BookingRecord.status == BookingStatus.BOOKED.value)
                      & (BookingRecord.slot_id == booking.slot_id))  # fmt: skip

        _commit(event, write, also)

    def mark_reminded(self, booking: Booking, event: DomainEvent) -> bool:
        """Once per booked time, with its event: a schedule that fires twice reminds once."""

        def write(tx: TransactWrite) -> None:
            tx.update(BookingRecord(booking.citizen_id, booking.booking_id),
                      actions=[BookingRecord.reminded_for.set(booking.start.isoformat())],
                      condition=(BookingRecord.status == BookingStatus.BOOKED.value)
                      & (BookingRecord.start == booking.start)
                      & (BookingRecord.reminded_for.does_not_exist()
                         | (BookingRecord.reminded_for != booking.start.isoformat())))  # fmt: skip

        try:
            _commit(event, write, None)
        except Lost:
            return False
        return True


class InvitationStore:
    def create(self, record: InvitationRecord) -> None:
        record.save(condition=InvitationRecord.invitation_id.does_not_exist())

    def get(self, citizen_id: str, invitation_id: str) -> InvitationRecord | None:
        if not usable_key(invitation_id):
            return None
        try:
            return InvitationRecord.get(citizen_id, invitation_id)
        except DoesNotExist:
            return None


class CutoffSchedules:
    """One `at(...)` schedule per booking, in Stockholm time, deleted by Scheduler after it runs."""

    def __init__(self, group: str, target_arn: str, role_arn: str) -> None:
        self._group, self._target_arn, self._role_arn = group, target_arn, role_arn

    @cached_property
    def _client(self) -> Any:
        return aws.client("scheduler")

    @staticmethod
    def name(booking_id: str) -> str:
        return f"booking-{booking_id}"

    def put(self, booking: Booking, at: datetime) -> None:
        """Move the booking's schedule to this time, or create it: the same again changes nothing."""
        local = at.astimezone(STOCKHOLM).replace(tzinfo=None, microsecond=0)
        request = {
            "Name": self.name(booking.booking_id),
            "GroupName": self._group,
            "ScheduleExpression": f"at({local.isoformat()})",
            "ScheduleExpressionTimezone": "Europe/Stockholm",
            "FlexibleTimeWindow": {"Mode": "OFF"},
            "ActionAfterCompletion": "DELETE",
            "Target": {
                "Arn": self._target_arn,
                "RoleArn": self._role_arn,
                "Input": json.dumps({"booking_id": booking.booking_id, "start": booking.start.isoformat()}),
                "RetryPolicy": {"MaximumRetryAttempts": 3},
            },
        }
        try:
            self._client.update_schedule(**request)
        except self._client.exceptions.ResourceNotFoundException:  # it had run, or was never needed
            self._client.create_schedule(**request)

    def delete(self, booking_id: str) -> None:
        try:
            self._client.delete_schedule(Name=self.name(booking_id), GroupName=self._group)
        except self._client.exceptions.ResourceNotFoundException:
            pass

    def get(self, booking_id: str) -> dict[str, Any] | None:
        try:
            return dict(self._client.get_schedule(Name=self.name(booking_id), GroupName=self._group))
        except self._client.exceptions.ResourceNotFoundException:
            return None

    def create_group(self) -> None:
        """Local stack and tests only; infra/ creates the group in AWS."""
        self._client.create_schedule_group(Name=self._group)
