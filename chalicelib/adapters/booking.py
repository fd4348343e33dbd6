"""Slots, bookings and invitations in DynamoDB, and the one-time cutoff schedules in EventBridge
Scheduler. Every change to who holds a slot is one transaction with a condition on the slot, so
exactly one of any number of simultaneous attempts wins."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from collections.abc import Callable, Sequence
from typing import Any

from pynamodb.exceptions import DeleteError, DoesNotExist, PutError, TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib.adapters import events
from chalicelib.adapters.one_time_schedules import OneTimeSchedules
from chalicelib.adapters.paging import Position, exclusive_start, one_page
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
from chalicelib.domain.events import DomainEvent
from chalicelib.domain.localized import Localized


class Lost(Exception):
    """A condition failed: someone else took the slot, or the booking or invitation changed."""


def visit_types_of(unit: UnitRecord) -> list[VisitType]:
    return [
        VisitType(
            visit_type_id=v.visit_type_id,
            name=Localized(v.name, v.name_en),
            duration_minutes=int(v.duration_minutes),
            place=Localized(v.place, v.place_en),
            practitioner_role=Localized(v.practitioner_role, v.practitioner_role_en),
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
        visit_type_id=v.visit_type_id, name=v.name.sv, name_en=v.name.en, duration_minutes=v.duration_minutes,
        place=v.place.sv, place_en=v.place.en, practitioner_role=v.practitioner_role.sv,
        practitioner_role_en=v.practitioner_role.en, web_booking=v.web_booking, earliest=v.rules.earliest.value,
        cancel_cutoff_minutes=int(v.rules.cancel_cutoff.total_seconds() // 60),
        rebook_cutoff_minutes=int(v.rules.rebook_cutoff.total_seconds() // 60),
        cancel_online=v.rules.cancel_online, sensitive=v.sensitive,
    )  # fmt: skip


def _slot(r: SlotRecord) -> Slot:
    return Slot(r.slot_id, r.unit_hsa_id, r.visit_type_id, r.start, r.end, r.place, r.practitioner_role,
                Visibility(r.visibility), r.booking_id, r.source, r.resource, r.citizen_id, r.held_for, r.held_until)  # fmt: skip


def _slot_record(slot: Slot) -> SlotRecord:
    return SlotRecord(
        slot.slot_id, unit_hsa_id=slot.unit_hsa_id, start_key=f"{slot.start.isoformat()}#{slot.slot_id}",
        visit_type_id=slot.visit_type_id, start=slot.start, end=slot.end, place=slot.place,
        practitioner_role=slot.practitioner_role, visibility=slot.visibility.value, source=slot.source,
        resource=slot.resource,
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


def _start_key(start: datetime, booking_id: str) -> str:
    """The by-start index's order: by start (UTC), then id."""
    return f"{start.astimezone(timezone.utc).isoformat()}#{booking_id}"


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


def _utc(moment: datetime) -> str:
    """A bound on the index's start keys, which begin with the start in UTC ISO form."""
    return moment.astimezone(timezone.utc).isoformat()


def _free() -> Any:
    """Neither booked nor held for an earlier-time offer."""
    return SlotRecord.slot_id.exists() & SlotRecord.booking_id.does_not_exist() & SlotRecord.held_for.does_not_exist()


def _taken_by(booking: Booking) -> list[Any]:
    """The slot holds the booking and whose it is (the day's grid reads names without the bookings)."""
    return [SlotRecord.booking_id.set(booking.booking_id), SlotRecord.citizen_id.set(booking.citizen_id)]


def _freed() -> list[Any]:
    return [SlotRecord.booking_id.remove(), SlotRecord.citizen_id.remove()]


class SlotStore:
    def get(self, slot_id: str) -> Slot | None:
        if not usable_key(slot_id):
            return None
        try:
            return _slot(SlotRecord.get(slot_id, consistent_read=True))
        except DoesNotExist:
            return None

    def between(self, unit_hsa_id: str, start: datetime, end: datetime) -> list[Slot]:
        """The unit's slots starting in [start, end), in time order: one Query (of that range only)."""
        return [
            _slot(r)
            for r in SlotRecord.by_unit.query(unit_hsa_id, SlotRecord.start_key.between(_utc(start), _utc(end)))
            if r.start < end
        ]

    def page_between(self, unit_hsa_id: str, start: datetime, end: datetime, limit: int,
                     position: Position | None) -> tuple[list[Slot], Position | None]:  # fmt: skip
        """A page of the unit's slots starting in [start, end), in time order: one Query."""
        results = SlotRecord.by_unit.query(unit_hsa_id, SlotRecord.start_key.between(_utc(start), _utc(end)),
                                           page_size=limit + 1, last_evaluated_key=exclusive_start(position))
        records, following = one_page(SlotRecord, results, limit)
        return [_slot(r) for r in records if r.start < end], following

    @staticmethod
    def _publish_condition(slot: Slot) -> Any:
        condition = SlotRecord.booking_id.does_not_exist() & SlotRecord.held_for.does_not_exist()
        if slot.source is not None:
            condition &= SlotRecord.source.does_not_exist() | (SlotRecord.source == slot.source)
        return condition

    @staticmethod
    def _withdraw_condition(source: str | None) -> Any:
        condition = SlotRecord.booking_id.does_not_exist() & SlotRecord.held_for.does_not_exist()
        if source is not None:
            condition &= SlotRecord.source == source
        return condition

    def publish(self, slot: Slot) -> bool:
        """Create or update a free slot; False when it is booked, or (a slot with a source) another
        source's slot has that id: then it is left as it is. A slot from before sources were kept
        becomes the publisher's."""
        try:
            _slot_record(slot).save(condition=self._publish_condition(slot))
        except PutError as error:
            if condition_failed(error):
                return False
            raise
        return True

    def withdraw(self, slot_id: str, source: str | None = None) -> bool:
        """Remove a free slot (of that source, if given); False when it is booked."""
        try:
            SlotRecord(slot_id).delete(condition=self._withdraw_condition(source))
        except DeleteError as error:
            if condition_failed(error):
                return False
            raise
        return True

    def publish_many(self, slots: Sequence[Slot], withdrawn: Sequence[str] = (), source: str | None = None,
                     event: DomainEvent | None = None) -> tuple[int, int]:  # fmt: skip
        """Publish these slots and withdraw those (of `source`) with the same conditions as one by one,
        in transactions of up to 100 (one request each, not one a slot). If a slot was booked or taken
        meanwhile, that batch goes one by one so the rest are still written. (published, withdrawn).
        `event` (new times published) goes in the first transaction, or after it if that went one by one."""
        work: list[tuple[str, Any]] = [("put", s) for s in slots] + [("delete", w) for w in withdrawn]
        published = removed = 0
        batch = _BATCH - 1 if event is not None else _BATCH
        for first in range(0, len(work), batch):
            chunk = work[first : first + batch]
            try:
                with TransactWrite(connection=SlotRecord._get_connection().connection) as tx:
                    if event is not None and first == 0:
                        events.add_event(tx, event)
                    for kind, item in chunk:
                        if kind == "put":
                            tx.save(_slot_record(item), condition=self._publish_condition(item))
                        else:
                            tx.delete(SlotRecord(item), condition=self._withdraw_condition(source))
            except TransactWriteError as error:
                if error.cause_response_code != "TransactionCanceledException":
                    raise
                for kind, item in chunk:
                    if kind == "put":
                        published += self.publish(item)
                    else:
                        removed += self.withdraw(item, source)
                if event is not None and first == 0:
                    events.commit(event)
                continue
            published += sum(1 for kind, _ in chunk if kind == "put")
            removed += sum(1 for kind, _ in chunk if kind == "delete")
        return published, removed


_BATCH = 100  # items in one TransactWriteItems


class BookingStore:
    def of_citizen(self, citizen_id: str) -> list[Booking]:
        """Every booking the citizen has ever had (tests and tools; the pages read `upcoming` or `own`)."""
        return [_booking(r) for r in BookingRecord.query(citizen_id)]

    def own(self, citizen_id: str, booking_id: str) -> Booking | None:
        """One of the citizen's bookings, by its key: one GetItem."""
        if not usable_key(booking_id):
            return None
        try:
            return _booking(BookingRecord.get(citizen_id, booking_id, consistent_read=True))
        except DoesNotExist:
            return None

    def upcoming(self, citizen_id: str, now: datetime, limit: int,
                 start: Position | None) -> tuple[list[Booking], Position | None]:  # fmt: skip
        """A page of the citizen's bookings that stand, are shown to them and have not ended, soonest
        first: one Query on the sparse upcoming index (only bookings that stand and are shown are in
        it) from a day back (no visit is longer), those that ended today filtered out."""
        since = (now - timedelta(days=1)).astimezone(timezone.utc).isoformat()
        results = BookingRecord.upcoming.query(citizen_id, BookingRecord.start_key >= since,
                                               filter_condition=BookingRecord.end > now, page_size=limit + 1,
                                               last_evaluated_key=exclusive_start(start))  # fmt: skip
        records, following = one_page(BookingRecord, results, limit)
        return [_booking(r) for r in records], following

    def latest(self, citizen_id: str, limit: int) -> list[Booking]:
        """The citizen's latest bookings by start, newest first: one Query (a staff member's overview)."""
        results = BookingRecord.by_start.query(citizen_id, scan_index_forward=False, page_size=limit + 1)
        return [_booking(r) for r in one_page(BookingRecord, results, limit)[0]]

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
            start_key=_start_key(booking.start, booking.booking_id),
            upcoming_owner=None if booking.hidden_from_citizen or booking.status is not BookingStatus.BOOKED
            else booking.citizen_id,
        )  # fmt: skip

        def write(tx: TransactWrite) -> None:
            if new_slot is not None:
                slot = _slot_record(new_slot)
                slot.booking_id, slot.citizen_id = booking.booking_id, booking.citizen_id
                tx.save(slot, condition=SlotRecord.slot_id.does_not_exist())
            else:
                tx.update(SlotRecord(booking.slot_id), actions=_taken_by(booking), condition=_free())
            tx.save(record, condition=BookingRecord.booking_id.does_not_exist())
            if invitation_id:
                tx.update(
                    InvitationRecord(booking.citizen_id, invitation_id),
                    actions=[InvitationRecord.booking_id.set(booking.booking_id), InvitationRecord.open_owner.remove()],
                    condition=InvitationRecord.invitation_id.exists()
                    & InvitationRecord.booking_id.does_not_exist()
                    & (InvitationRecord.expires_at > (now or booking.created_at)),
                )

        _commit(event, write, also)

    def move(self, booking: Booking, new_slot: Slot, event: DomainEvent, also: Also = None, *,
             from_hold: bool = False) -> Booking:  # fmt: skip
        """Rebook: take the new slot, free the old, update the booking, all or nothing. `from_hold`: the
        new slot is held for this booking by an earlier-time offer (taken only so; the hold goes, and
        the booking stops waiting for an earlier time)."""
        moved = booking.moved_to(new_slot)
        if from_hold:
            take = SlotRecord.booking_id.does_not_exist() & (SlotRecord.held_for == booking.booking_id)
            taken = _taken_by(booking) + [SlotRecord.held_for.remove(), SlotRecord.held_until.remove()]
            done_waiting = [BookingRecord.waits_for.remove(), BookingRecord.wait_key.remove(),
                            BookingRecord.open_offer.remove()]
        else:
            take, taken, done_waiting = _free(), _taken_by(booking), []

        def write(tx: TransactWrite) -> None:
            tx.update(SlotRecord(new_slot.slot_id), actions=taken, condition=take)
            tx.update(SlotRecord(booking.slot_id), actions=_freed(),
                      condition=SlotRecord.booking_id == booking.booking_id)  # fmt: skip
            tx.update(
                BookingRecord(booking.citizen_id, booking.booking_id),
                actions=[BookingRecord.slot_id.set(moved.slot_id), BookingRecord.start.set(moved.start),
                         BookingRecord.end.set(moved.end), BookingRecord.place.set(moved.place),
                         BookingRecord.start_key.set(_start_key(moved.start, booking.booking_id)),
                         BookingRecord.sequence.add(1), *done_waiting],
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
                BookingRecord.allow_cancel.set(changed.allow_cancel), BookingRecord.sequence.add(1),
                BookingRecord.start_key.set(_start_key(changed.start, booking.booking_id))],
                condition=(BookingRecord.status == BookingStatus.BOOKED.value)
                & (BookingRecord.slot_id == booking.slot_id))  # fmt: skip

        _commit(event, write, also)

    def cancel(self, booking: Booking, reason: str | None, event: DomainEvent, also: Also = None) -> None:
        """Free the slot and mark the booking cancelled, together."""
        actions = [BookingRecord.status.set(BookingStatus.CANCELLED.value), BookingRecord.upcoming_owner.remove(),
                   BookingRecord.waits_for.remove(), BookingRecord.wait_key.remove(), BookingRecord.sequence.add(1)]
        if reason:
            actions.append(BookingRecord.cancel_reason.set(reason))

        def write(tx: TransactWrite) -> None:
            tx.update(SlotRecord(booking.slot_id), actions=_freed(),
                      condition=SlotRecord.booking_id == booking.booking_id)  # fmt: skip
            tx.update(BookingRecord(booking.citizen_id, booking.booking_id), actions=actions,
                      condition=(BookingRecord.status == BookingStatus.BOOKED.value)
                      & (BookingRecord.slot_id == booking.slot_id))  # fmt: skip

        _commit(event, write, also)

    def mark_reminded(self, booking: Booking, event: DomainEvent) -> bool:
        """Once per booked time, with its event: a schedule that fires twice reminds once. Online
        changes close now, so the booking also stops waiting for an earlier time (it could not be
        moved to one): the wait list holds only bookings that can still take an offer, and does not
        grow with the unit's history."""

        def write(tx: TransactWrite) -> None:
            tx.update(BookingRecord(booking.citizen_id, booking.booking_id),
                      actions=[BookingRecord.reminded_for.set(booking.start.isoformat()),
                               BookingRecord.waits_for.remove(), BookingRecord.wait_key.remove()],
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
    def create(self, record: InvitationRecord, sent: DomainEvent) -> None:
        """A new invitation, in the open index until a booking uses it, with its `invitation.sent`
        event (the inbox message follows from it)."""
        record.open_owner = record.citizen_id
        record.expires_key = f"{_utc(record.expires_at)}#{record.invitation_id}"
        events.commit(sent, lambda tx: tx.save(record, condition=InvitationRecord.invitation_id.does_not_exist()))

    def get(self, citizen_id: str, invitation_id: str) -> InvitationRecord | None:
        if not usable_key(invitation_id):
            return None
        try:
            return InvitationRecord.get(citizen_id, invitation_id)
        except DoesNotExist:
            return None

    def page(self, citizen_id: str, limit: int,
             start: Position | None) -> tuple[list[InvitationRecord], Position | None]:  # fmt: skip
        """A page of the citizen's invitations (by id): one Query."""
        results = InvitationRecord.query(citizen_id, page_size=limit + 1, last_evaluated_key=exclusive_start(start))
        return one_page(InvitationRecord, results, limit)

    def open(self, citizen_id: str, now: datetime, limit: int) -> list[InvitationRecord]:
        """The citizen's invitations not used and not expired, soonest to expire first: one Query of
        the sparse open index, at most `limit` items."""
        return list(InvitationRecord.open_by_expiry.query(citizen_id, InvitationRecord.expires_key > _utc(now),
                                                          limit=limit, page_size=limit))  # fmt: skip


class CutoffSchedules(OneTimeSchedules):
    """One `at(...)` schedule per booking, at the moment its online changes close."""

    def __init__(self, group: str, target_arn: str, role_arn: str) -> None:
        super().__init__(group, target_arn, role_arn, "booking")

    def put(self, booking: Booking, at: datetime) -> None:
        """Move the booking's schedule to this time, or create it: the same again changes nothing."""
        self.put_at(booking.booking_id, at, {"booking_id": booking.booking_id, "start": booking.start.isoformat()})
