"""Earlier times (tidigare tid): a citizen (or a guardian acting for a child) asks, on a booking, to be
offered an earlier time of the same visit type at the unit. When a slot comes free — a booking
cancelled or moved through any door, an offer declined or expired — it is offered to the longest
waiting booking it suits (domain/earlier_times.py), held for them until the offer expires (the unit's
setting, 30 minutes by default). The offer reaches the booked person's inbox with a button (a child's
guardians read it there), the notice by SMS/e-mail follows from the message as for every message, and
a one-time schedule at the expiry passes it on. Accepting moves the booking in one transaction: the
held slot booked before the old one is freed, so the person never has neither.

Every change writes its event; what follows runs from the events (services/follow_ups.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from chalicelib.adapters.booking import Lost, visit_types_of
from chalicelib.adapters.earlier_times import offer_id_of
from chalicelib.adapters.tables import EarlierOfferRecord, UnitRecord
from chalicelib.catalogs import translate
from chalicelib.domain import clock
from chalicelib.domain import earlier_times as rules
from chalicelib.domain.booking import Booking, BookingStatus, Slot, VisitType, Visibility
from chalicelib.domain.clock import stockholm_date
from chalicelib.domain.earlier_times import OfferState
from chalicelib.domain.events import Door, DomainEvent, Kind, event
from chalicelib.domain.inbox import Action
from chalicelib.errors import Conflict, NotFound, Unprocessable
from chalicelib.observability import logger, record_metric
from chalicelib.services import booking, inbox, persons
from chalicelib.services.ports import Ports
from chalicelib.services.principals import CitizenPrincipal


def hold_of(unit: UnitRecord) -> timedelta:
    """The unit's hold for an offer (staff set it with the booking rules; 30 minutes when unset)."""
    return timedelta(minutes=rules.hold_minutes(unit.offer_hold_minutes))


# -- waiting for an earlier time ---------------------------------------------------------------------


def may_wait(booking_view: booking.BookingView) -> bool:
    """The booking page offers the choice only where an earlier time could be offered: a time the
    citizen may still move online, of a visit type the unit offers for web booking."""
    return bool(booking_view.can_rebook and booking_view.visit_type and booking_view.visit_type.web_booking
                and not booking.is_appointment(booking_view.booking))  # fmt: skip


def waiting_since(ports: Ports, principal: CitizenPrincipal, booking_id: str) -> datetime | None:
    return ports.wait_list.opted_in_at(principal.subject_id, booking_id)


def set_waiting(ports: Ports, principal: CitizenPrincipal, booking_id: str, wanted: bool, now: datetime) -> bool:
    """Start or stop waiting for an earlier time; the same again changes nothing. Returns `wanted`."""
    found = booking.own_booking(ports, principal, booking_id)
    if found.status is not BookingStatus.BOOKED:
        raise Unprocessable("booking_cancelled", "Bokningen är avbokad.")
    if (ports.wait_list.opted_in_at(found.citizen_id, found.booking_id) is not None) == wanted:
        return wanted
    if wanted:
        unit = ports.units.get(found.unit_hsa_id)
        if unit is None or not may_wait(booking.view(found, unit, now)):
            raise Unprocessable("earlier_time_not_possible",
                                "Den här tiden kan inte bytas mot en tidigare här. Ring mottagningen.")  # fmt: skip
    change = event(Kind.EARLIER_TIME_WANTED if wanted else Kind.EARLIER_TIME_UNWANTED,
                   booking.stream_key(found.booking_id), now, booking_id=found.booking_id, door=Door.CITIZEN)
    try:
        ports.wait_list.set_waiting(found, now if wanted else None, change)
    except Lost:
        raise Conflict("booking_changed", "Bokningen ändrades samtidigt. Ladda om sidan.") from None
    logger.info("earlier time " + ("wanted" if wanted else "unwanted"), extra={"booking_id": found.booking_id})
    return wanted


# -- offering a freed slot (follow-ups) ------------------------------------------------------------------


def offer_freed_slot(ports: Ports, change: DomainEvent) -> None:
    """Follow-up of a booking cancelled or moved (its old slot), and of an offer declined or expired:
    the slot goes to the next in line, if anyone waits for it. A redelivered event finds the slot held
    or booked already, or the offer made, and writes nothing."""
    slot_id = change.get("freed_slot")
    if slot_id:
        offer_slot(ports, slot_id, clock.utc_now())


def release_for_cancelled(ports: Ports, cancelled: DomainEvent) -> None:
    """Follow-up of a cancelled booking that held an open offer: the offer is declined for it, so the
    time goes to the next in line now rather than at the expiry."""
    found = ports.bookings.get(cancelled["booking_id"])
    offer_id = ports.wait_list.open_offer_of(found.citizen_id, found.booking_id) if found else None
    record = ports.earlier_offers.get(offer_id) if offer_id else None
    if record is None or record.state != OfferState.OPEN:
        return
    door = Door(cancelled.get("door") or Door.CITIZEN)
    try:
        _close(ports, record, OfferState.DECLINED, Kind.EARLIER_TIME_DECLINED, door, cancelled.occurred_at)
    except Unprocessable:
        pass  # answered or expired meanwhile: its own event passed the time on


def offer_published_slots(ports: Ports, published: DomainEvent) -> None:
    """Follow-up of new web times published at a unit: each is offered to whoever waits for an earlier
    time (a time's wait-list Query stops at the first eligible booking, or finds nobody at once)."""
    now = clock.utc_now()
    for slot_id in (published.get("slot_ids") or "").split():
        offer_slot(ports, slot_id, now)


@dataclass(frozen=True)
class Offered:
    offer_id: str
    booking_id: str


def offer_slot(ports: Ports, slot_id: str, now: datetime) -> Offered | None:
    """Offer a free web slot to the first eligible booking in wait order, in one transaction with the
    hold and the event. The wait list is read a page at a time and stops at the first eligible one."""
    slot = ports.slots.get(slot_id)
    if slot is None or not slot.free or slot.visibility is not Visibility.WEB:
        return None
    unit = ports.units.get(slot.unit_hsa_id)
    visit_type = _visit_type(unit, slot.visit_type_id) if unit else None
    if unit is None or visit_type is None or not visit_type.web_booking:
        return None
    expires = rules.hold_until(visit_type.rules, slot.start, now, hold_of(unit))
    if expires is None:
        return None  # inside the slot's cutoff: it is simply free for web booking
    for waiting, citizen_id in ports.wait_list.later_than(unit.hsa_id, visit_type.visit_type_id, slot.start):
        if rules.offer_refusal(visit_type.rules, slot.start, waiting, now) is not None:
            continue
        offer_id = offer_id_of(slot.slot_id, waiting.booking_id)
        if ports.earlier_offers.exists(offer_id):
            continue  # offered this slot before (declined, or let it expire)
        made = _offer(ports, slot, waiting, citizen_id, offer_id, expires, now)
        if made is not None:
            return made
        if not (current := ports.slots.get(slot_id)) or not current.free:
            return None  # booked or held meanwhile (or this trigger came twice): nothing to offer now
        # The booking changed meanwhile (cancelled, stopped waiting, another offer): the next in line.
    return None


def _offer(ports: Ports, slot: Slot, waiting: rules.Waiting, citizen_id: str, offer_id: str, expires: datetime,
           now: datetime) -> Offered | None:  # fmt: skip
    record = EarlierOfferRecord(
        offer_id, slot_id=slot.slot_id, booking_id=waiting.booking_id, citizen_id=citizen_id,
        unit_hsa_id=slot.unit_hsa_id, visit_type_id=slot.visit_type_id, slot_start=slot.start, slot_end=slot.end,
        booking_start=waiting.start, created_at=now, expires_at=expires, state=OfferState.OPEN,
    )  # fmt: skip
    offered = event(Kind.EARLIER_TIME_OFFERED, booking.stream_key(waiting.booking_id), now,
                    booking_id=waiting.booking_id, offer_id=offer_id, slot_id=slot.slot_id,
                    unit_hsa_id=slot.unit_hsa_id)  # fmt: skip
    try:
        ports.earlier_offers.offer(record, offered)
    except Lost:
        return None
    logger.info("earlier time offered", extra={"offer_id": offer_id, "booking_id": waiting.booking_id,
                                               "slot_id": slot.slot_id})  # fmt: skip
    record_metric("EarlierTimeOffered")
    return Offered(offer_id, waiting.booking_id)


def _visit_type(unit: UnitRecord, visit_type_id: str) -> VisitType | None:
    return next((v for v in visit_types_of(unit) if v.visit_type_id == visit_type_id), None)


def tell_offered(ports: Ports, offered: DomainEvent) -> None:
    """Follow-up of an offer: a message with the button to the offer in the booked person's inbox (a
    child's guardians read it there; the SMS/e-mail notice follows from the message, saying only that
    something new is waiting). Once per event: the message's id is fixed by it."""
    record = ports.earlier_offers.get(offered["offer_id"])
    if record is None or record.state != OfferState.OPEN:
        return  # answered or expired before the message went: its own event tells
    unit = ports.units.get(record.unit_hsa_id)
    visit_type = _visit_type(unit, record.visit_type_id) if unit else None
    if unit is None or visit_type is None:
        return
    lang = persons.reach_of(ports, record.citizen_id, stockholm_date(offered.occurred_at)).language
    what = visit_type.name.in_(lang)
    body = translate(lang, "earlier.mail.body", visit_type=what, unit=unit.name,
                     new=booking.local_time(record.slot_start, lang), old=booking.local_time(record.booking_start, lang),
                     until=booking.local_time(record.expires_at, lang))  # fmt: skip
    letter = inbox.Letter(topic=booking.visit_topic("booked", what, record.booking_start, lang),
                          subject=translate(lang, "earlier.mail.subject"), body=body,
                          actions=(Action(translate(lang, "earlier.mail.answer"), f"/earlier-times/{record.offer_id}"),))
    message_id = offered.follow_up_id("offer")
    inbox.deliver(ports, record.citizen_id, unit, letter, "booking", offered.occurred_at, message_id=message_id,
                  thread_id=booking.stream_key(record.booking_id))  # fmt: skip
    ports.earlier_offers.add_message(record.offer_id, message_id)


def keep_expiry_schedule(ports: Ports, change: DomainEvent) -> None:
    """An open offer has a one-time schedule at its expiry; an answered one has none."""
    record = ports.earlier_offers.get(change["offer_id"])
    if record is not None and record.state == OfferState.OPEN:
        ports.offer_schedules.put(record.offer_id, record.expires_at)
    else:
        ports.offer_schedules.delete(change["offer_id"])


_NOTES = {Kind.EARLIER_TIME_ACCEPTED: "accepted", Kind.EARLIER_TIME_DECLINED: "declined",
          Kind.EARLIER_TIME_EXPIRED: "expired"}  # fmt: skip


def mark_offer_message(ports: Ports, change: DomainEvent) -> None:
    """The offer's message says what became of it, and its buttons go."""
    record = ports.earlier_offers.get(change["offer_id"])
    if record is None or not record.inbox_message_ids:
        return
    lang = persons.reach_of(ports, record.citizen_id, stockholm_date(change.occurred_at)).language
    ports.inbox.set_state_note(sorted(record.inbox_message_ids), translate(lang, f"earlier.note.{_NOTES[change.kind]}"))


# -- answering -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OfferView:
    offer_id: str
    booking_id: str
    unit_name: str
    visit_type: VisitType | None
    visit_type_name: str  # as booked (Swedish), when the unit no longer offers the visit type
    new_start: datetime
    new_end: datetime
    current_start: datetime
    current_end: datetime
    expires_at: datetime
    state: str  # open, accepted, declined, expired (an open one past its expiry shows as expired)

    def what(self, lang: str | None) -> str:
        return self.visit_type.name.in_(lang) if self.visit_type else self.visit_type_name


def _own_offer(ports: Ports, principal: CitizenPrincipal, offer_id: str) -> EarlierOfferRecord:
    record = ports.earlier_offers.get(offer_id)
    if record is None or record.citizen_id != principal.subject_id:
        raise NotFound("offer_not_found", "Erbjudandet finns inte.")
    return record


def offer_view(ports: Ports, principal: CitizenPrincipal, offer_id: str, now: datetime) -> OfferView:
    """The offer beside the booking as it stands: two GetItems and the unit."""
    record = _own_offer(ports, principal, offer_id)
    current = booking.own_booking(ports, principal, record.booking_id)
    unit = ports.units.get(record.unit_hsa_id)
    state = record.state
    if state == OfferState.OPEN and rules.is_expired(record.expires_at, now):
        state = OfferState.EXPIRED  # the schedule passes it on in a moment
    return OfferView(record.offer_id, record.booking_id, current.unit_name,
                     _visit_type(unit, record.visit_type_id) if unit else None, current.visit_type_name,
                     record.slot_start, record.slot_end, current.start, current.end, record.expires_at, state)  # fmt: skip


def _expired() -> Unprocessable:
    return Unprocessable("offer_expired", "Erbjudandet har gått ut och tiden har gått vidare. Din bokade tid är kvar.")


def _answered() -> Unprocessable:
    return Unprocessable("offer_answered", "Erbjudandet är redan besvarat.")


def accept(ports: Ports, principal: CitizenPrincipal, offer_id: str, now: datetime) -> Booking:
    """Take the offered time: in one transaction the offer (open, not expired), the held slot booked,
    the old slot freed, the booking moved, `booking.moved` and `earlier_time.accepted`. Refused with
    a clear answer, writing nothing, when it expired, was answered, or the booking changed."""
    record = _own_offer(ports, principal, offer_id)
    current = booking.own_booking(ports, principal, record.booking_id)
    if record.state == OfferState.ACCEPTED and current.slot_id == record.slot_id:
        return current  # the same answer sent twice (a double click)
    if record.state != OfferState.OPEN:
        raise _expired() if record.state == OfferState.EXPIRED else _answered()
    if rules.is_expired(record.expires_at, now):
        raise _expired()
    if current.status is not BookingStatus.BOOKED:
        raise Unprocessable("booking_cancelled", "Bokningen är avbokad.")
    if not record.slot_start < current.start:
        raise Unprocessable("offer_not_earlier", "Den erbjudna tiden är inte längre tidigare än din bokade tid.")
    slot = ports.slots.get(record.slot_id)
    if slot is None or slot.booking_id is not None or slot.held_for != current.booking_id:
        raise _expired()
    moved = event(Kind.BOOKING_MOVED, booking.stream_key(current.booking_id), now, booking_id=current.booking_id,
                  door=Door.CITIZEN, freed_slot=current.slot_id, unit_hsa_id=current.unit_hsa_id)  # fmt: skip
    accepted = event(Kind.EARLIER_TIME_ACCEPTED, booking.stream_key(current.booking_id), now,
                     booking_id=current.booking_id, offer_id=record.offer_id, slot_id=record.slot_id,
                     unit_hsa_id=record.unit_hsa_id)  # fmt: skip
    try:
        result = ports.bookings.move(current, slot, moved,
                                     lambda tx: ports.earlier_offers.accepted_in(tx, record, now, accepted),
                                     from_hold=True)  # fmt: skip
    except Lost:
        raise _expired() from None
    logger.info("earlier time accepted", extra={"offer_id": record.offer_id, "booking_id": current.booking_id})
    record_metric("EarlierTimeAccepted")
    return result


def decline(ports: Ports, principal: CitizenPrincipal, offer_id: str, now: datetime) -> None:
    """No thanks: the hold goes and the slot passes to the next in line. The booking keeps waiting."""
    record = _own_offer(ports, principal, offer_id)
    if record.state == OfferState.DECLINED:
        return
    if record.state != OfferState.OPEN or rules.is_expired(record.expires_at, now):
        raise _answered() if record.state == OfferState.ACCEPTED else _expired()
    _close(ports, record, OfferState.DECLINED, Kind.EARLIER_TIME_DECLINED, Door.CITIZEN, now)


def expire(ports: Ports, fired: dict[str, Any], now: datetime) -> str:
    """The offer's schedule fired: if it is still open at its expiry, it closes and passes on."""
    record = ports.earlier_offers.get(str(fired.get("offer_id", "")))
    if record is None:
        return "no_offer"
    if record.state != OfferState.OPEN:
        return "answered"
    if not rules.is_expired(record.expires_at, now):
        return "not_yet"  # Scheduler never fires early; a hand-run one waits for the next
    if not _close(ports, record, OfferState.EXPIRED, Kind.EARLIER_TIME_EXPIRED, Door.SCHEDULE, now):
        return "answered"
    return "expired"


def _close(ports: Ports, record: EarlierOfferRecord, state: str, kind: Kind, door: Door, now: datetime) -> bool:
    closed = event(kind, booking.stream_key(record.booking_id), now, booking_id=record.booking_id,
                   offer_id=record.offer_id, slot_id=record.slot_id, freed_slot=record.slot_id, door=door)  # fmt: skip
    try:
        ports.earlier_offers.close(record, state, now, closed)
    except Lost:
        if door is Door.SCHEDULE:
            return False
        raise _expired() from None
    logger.info(f"earlier time {state}", extra={"offer_id": record.offer_id, "booking_id": record.booking_id})
    record_metric(f"EarlierTime{state.title()}")
    return True
