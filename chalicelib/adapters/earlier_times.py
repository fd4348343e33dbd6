"""Earlier-time offers in DynamoDB (services/earlier_times.py).

Access patterns:
- A booking starts or stops waiting for an earlier time: one UpdateItem on the booking with its event
  (one transaction); it is then in, or out of, the sparse `waiting-for-earlier` index.
- A freed slot's first eligible booking: a Query on that index by "<unit>#<visit type>", the longest
  wait first, filtered to bookings later than the slot, read a page at a time and stopped at the first
  eligible one (never the whole list); whether that booking had this slot offered: one GetItem (the
  offer's id is fixed by slot and booking).
- Offering: one transaction — the slot held for the booking (condition: free), the offer (condition:
  new), the booking marked as holding it (condition: booked, waiting, no other offer open) and its event.
- Declining or expiry: one transaction — the offer closed (condition: open), the hold released
  (condition: held for this booking), the booking's open offer cleared, and its event.
- Accepting: one transaction through BookingStore.move(from_hold=True) — the offer closed (condition:
  open and not expired), the held slot booked, the old slot freed, the booking moved, its two events.
- An offer by id: one GetItem.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pynamodb.exceptions import DoesNotExist
from pynamodb.transactions import TransactWrite

from chalicelib.adapters import events
from chalicelib.adapters.booking import Lost
from chalicelib.adapters.one_time_schedules import OneTimeSchedules
from chalicelib.adapters.tables import BookingRecord, EarlierOfferRecord, SlotRecord, usable_key
from chalicelib.domain.booking import Booking, BookingStatus
from chalicelib.domain.earlier_times import OfferState, Waiting, wait_key
from chalicelib.domain.events import DomainEvent

_OFFERS = uuid.UUID("6f1d3c2e-8a4b-4e21-9c57-0e4f5b7a9d10")
WAIT_PAGE = 25  # bookings read from the wait list a request


def offer_id_of(slot_id: str, booking_id: str) -> str:
    """One offer of a slot to a booking, ever: the same pair always has the same id."""
    return str(uuid.uuid5(_OFFERS, f"{slot_id}|{booking_id}"))


def waits_for(unit_hsa_id: str, visit_type_id: str) -> str:
    return f"{unit_hsa_id}#{visit_type_id}"


def _commit(event: DomainEvent, write: Any) -> None:
    try:
        events.commit(event, write)
    except events.ConditionLost:
        raise Lost() from None


class WaitList:
    def set_waiting(self, booking: Booking, opted_in_at: datetime | None, event: DomainEvent) -> None:
        """Start waiting (`opted_in_at`) or stop (None), with its event; Lost if the booking no longer
        stands at the time it had."""
        record = BookingRecord(booking.citizen_id, booking.booking_id)
        actions = ([BookingRecord.waits_for.set(waits_for(booking.unit_hsa_id, booking.visit_type_id)),
                    BookingRecord.wait_key.set(wait_key(opted_in_at, booking.booking_id))] if opted_in_at
                   else [BookingRecord.waits_for.remove(), BookingRecord.wait_key.remove()])  # fmt: skip
        condition = (BookingRecord.status == BookingStatus.BOOKED.value) & (BookingRecord.slot_id == booking.slot_id)
        _commit(event, lambda tx: tx.update(record, actions=actions, condition=condition))

    def opted_in_at(self, citizen_id: str, booking_id: str) -> datetime | None:
        """When the booking started waiting, or None: one GetItem of two attributes."""
        if not usable_key(booking_id):
            return None
        try:
            record = BookingRecord.get(citizen_id, booking_id, consistent_read=True,
                                       attributes_to_get=["waits_for", "wait_key"])  # fmt: skip
        except DoesNotExist:
            return None
        if not record.waits_for or not record.wait_key:
            return None
        return datetime.fromisoformat(record.wait_key.split("#", 1)[0])

    def open_offer_of(self, citizen_id: str, booking_id: str) -> str | None:
        """The offer the booking holds open now, or None: one GetItem of one attribute."""
        try:
            return BookingRecord.get(citizen_id, booking_id, consistent_read=True,
                                     attributes_to_get=["open_offer"]).open_offer  # fmt: skip
        except DoesNotExist:
            return None

    def later_than(self, unit_hsa_id: str, visit_type_id: str, start: datetime) -> Any:
        """The bookings waiting at the unit for the visit type that start after `start`, the longest
        wait first, as (Waiting, citizen_id): a lazy Query, read a page at a time as the caller goes on."""
        results = BookingRecord.waiting_for_earlier.query(
            waits_for(unit_hsa_id, visit_type_id),
            filter_condition=(BookingRecord.start > start) & BookingRecord.open_offer.does_not_exist(),
            page_size=WAIT_PAGE)  # fmt: skip
        for r in results:
            opted = datetime.fromisoformat(r.wait_key.split("#", 1)[0])
            yield Waiting(r.booking_id, r.start, opted, r.allow_rebook is not False), r.citizen_id


class EarlierOffers:
    def get(self, offer_id: str) -> EarlierOfferRecord | None:
        if not usable_key(offer_id):
            return None
        try:
            return EarlierOfferRecord.get(offer_id, consistent_read=True)
        except DoesNotExist:
            return None

    def exists(self, offer_id: str) -> bool:
        try:
            EarlierOfferRecord.get(offer_id, attributes_to_get=["offer_id"])
        except DoesNotExist:
            return False
        return True

    def offer(self, record: EarlierOfferRecord, event: DomainEvent) -> None:
        """Hold the slot for the booking until the offer expires, store the offer, its event: Lost if
        the slot is no longer free (booked, or held for someone else) or the offer was made before."""

        def write(tx: TransactWrite) -> None:
            tx.update(SlotRecord(record.slot_id), actions=[SlotRecord.held_for.set(record.booking_id),
                                                           SlotRecord.held_until.set(record.expires_at)],
                      condition=SlotRecord.slot_id.exists() & SlotRecord.booking_id.does_not_exist()
                      & SlotRecord.held_for.does_not_exist())  # fmt: skip
            tx.save(record, condition=EarlierOfferRecord.offer_id.does_not_exist())
            # The booking still stands and waits, with no other offer open: one offer at a time each.
            tx.update(BookingRecord(record.citizen_id, record.booking_id),
                      actions=[BookingRecord.open_offer.set(record.offer_id)],
                      condition=(BookingRecord.status == BookingStatus.BOOKED.value) & BookingRecord.waits_for.exists()
                      & BookingRecord.open_offer.does_not_exist())  # fmt: skip

        _commit(event, write)

    def close(self, record: EarlierOfferRecord, state: str, now: datetime, event: DomainEvent) -> None:
        """Declined or expired: the offer closed and the hold released, with the event; Lost if the
        offer was no longer open."""

        def write(tx: TransactWrite) -> None:
            tx.update(EarlierOfferRecord(record.offer_id),
                      actions=[EarlierOfferRecord.state.set(state), EarlierOfferRecord.decided_at.set(now)],
                      condition=EarlierOfferRecord.state == OfferState.OPEN)  # fmt: skip
            tx.update(SlotRecord(record.slot_id), actions=[SlotRecord.held_for.remove(), SlotRecord.held_until.remove()],
                      condition=SlotRecord.held_for == record.booking_id)  # fmt: skip
            tx.update(BookingRecord(record.citizen_id, record.booking_id), actions=[BookingRecord.open_offer.remove()],
                      condition=BookingRecord.open_offer == record.offer_id)  # fmt: skip

        _commit(event, write)

    @staticmethod
    def accepted_in(tx: TransactWrite, record: EarlierOfferRecord, now: datetime, accepted: DomainEvent) -> None:
        """The offer's part of the accepting transaction (BookingStore.move does the rest): closed as
        accepted if it is open and not expired at `now`, and its own event."""
        tx.update(EarlierOfferRecord(record.offer_id),
                  actions=[EarlierOfferRecord.state.set(OfferState.ACCEPTED), EarlierOfferRecord.decided_at.set(now)],
                  condition=(EarlierOfferRecord.state == OfferState.OPEN) & (EarlierOfferRecord.expires_at > now))
        events.add_event(tx, accepted)

    def add_message(self, offer_id: str, message_id: str) -> None:
        """The inbox message about the offer (its state note follows the offer); the same again is nothing."""
        EarlierOfferRecord(offer_id).update(actions=[EarlierOfferRecord.inbox_message_ids.add({message_id})],
                                            condition=EarlierOfferRecord.offer_id.exists())  # fmt: skip


class OfferSchedules(OneTimeSchedules):
    """One `at(...)` schedule per offer, at its expiry."""

    def __init__(self, group: str, target_arn: str, role_arn: str) -> None:
        super().__init__(group, target_arn, role_arn, "earlier-offer")

    def put(self, offer_id: str, at: datetime) -> None:
        self.put_at(offer_id, at, {"offer_id": offer_id})
