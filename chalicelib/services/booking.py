"""Web booking for citizens (or a guardian acting for a child under 13): find a free time, book,
cancel and rebook under the unit's rules. Every change writes its event in its own transaction;
from the event follow a confirmation with a calendar file in the inbox, a one-time schedule that
reminds at the moment online changes close, and a notice to the unit (services/follow_ups.py).

Who holds a slot changes only in a transaction conditioned on the slot (adapters/booking.py):
exactly one of many simultaneous attempts wins. The rules are checked here, from the clock, at
every request; the schedule only reminds.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from chalicelib.adapters.booking import Lost, visit_types_of
from chalicelib.adapters.tables import UnitRecord
from chalicelib.domain import booking as rules
from chalicelib.domain import summons as summons_rules
from chalicelib.domain.attachments import Attachment
from chalicelib.domain.booking import Booking, BookingStatus, Slot, VisitType, Visibility
from chalicelib.domain.calendar import booking_ics
from chalicelib.domain.clock import STOCKHOLM, stockholm_date
from chalicelib.domain.error_text import N_
from chalicelib.domain.events import Door, DomainEvent, Kind, event
from chalicelib.domain.localized import Localized, as_shown
from chalicelib.errors import BadInput, Conflict, NotFound, Unprocessable
from chalicelib.observability import logger, record_metric
from chalicelib.services import inbox, paging, persons
from chalicelib.services.ports import Ports
from chalicelib.services.principals import CitizenPrincipal
from chalicelib.catalogs import translate

SEARCH_DAYS = 42
REFUSALS = {
    "slot_in_past": N_("Tiden har redan varit."),
    "too_soon": N_("Den här mottagningen tar bokningar tidigast från i morgon."),
    "past_cutoff": N_("Tiden kan inte längre ändras här. Ring mottagningen."),
    "cancel_not_online": N_("Mottagningen tar inte emot avbokningar här. Ring mottagningen."),
    "care_forbids_change": N_("Den här tiden kan inte ändras här. Ring mottagningen."),
}


@dataclass(frozen=True)
class Offer:
    """A unit and the visit types a citizen may book there."""

    unit: UnitRecord
    visit_types: list[VisitType]


@dataclass(frozen=True)
class BookingView:
    booking: Booking
    unit_phone: str
    can_cancel: bool
    can_rebook: bool
    cancel_online: bool  # False: the unit takes cancellations by phone only
    changes_close_at: datetime
    window: rules.ChangeWindow | None = None  # what the person may do online now, and until when
    visit_type: VisitType | None = None  # as the unit offers it now (None: no longer offered)

    def what(self, lang: str | None) -> str:
        """The visit type's name in `lang` (the booking keeps the Swedish it was booked with)."""
        return as_shown(self.booking.visit_type_name, self.visit_type.name if self.visit_type else None, lang)

    def where(self, lang: str | None) -> str:
        """The place in `lang`, where it is the visit type's own (a care system may have written another)."""
        return as_shown(self.booking.place, self.visit_type.place if self.visit_type else None, lang)


def _refused(reason: str) -> Unprocessable:
    return Unprocessable(reason, REFUSALS[reason])


def _unit(ports: Ports, unit_hsa_id: str) -> UnitRecord:
    unit = ports.units.get(unit_hsa_id)
    if unit is None:
        raise NotFound("unit_not_found", "Mottagningen finns inte.")
    return unit


def _visit_type(unit: UnitRecord, visit_type_id: str) -> VisitType:
    found = next((v for v in visit_types_of(unit) if v.visit_type_id == visit_type_id), None)
    if found is None:
        raise Unprocessable("visit_type_not_offered", "Mottagningen erbjuder inte den besökstypen.")
    return found


def offered_visit_type(ports: Ports, unit_hsa_id: str, visit_type_id: str) -> VisitType | None:
    """The unit's visit type as it stands now (its texts in each language), or None."""
    unit = ports.units.get(unit_hsa_id)
    return next((v for v in visit_types_of(unit) if v.visit_type_id == visit_type_id), None) if unit else None


# -- finding a time ---------------------------------------------------------------------------


def offers(ports: Ports) -> list[Offer]:
    """Units where citizens can book something themselves, by name."""
    found = [Offer(u, [v for v in visit_types_of(u) if v.web_booking]) for u in ports.units.all()]
    return [o for o in found if o.visit_types]


def free_slots(ports: Ports, principal: CitizenPrincipal, unit_hsa_id: str, visit_type_id: str, now: datetime,
               invitation_id: str | None = None, *, first: date | None = None, days: int = 1) -> list[Slot]:  # fmt: skip
    """The times the subject may book now on `days` Stockholm days from `first` (default: today): open
    for the web (or in their invitation), free, and within the unit's rules. One Query of those days
    only (the unit's slots that start then), however far ahead the unit has published."""
    unit = _unit(ports, unit_hsa_id)
    visit_type = _visit_type(unit, visit_type_id)
    invited = _invited_slot_ids(ports, principal, invitation_id, unit_hsa_id, visit_type_id, now)
    if not visit_type.web_booking and not invited:
        raise Unprocessable("visit_type_not_offered", "Mottagningen erbjuder inte den besökstypen för webbokning.")
    first = first or stockholm_date(now)
    if days < 1 or first > stockholm_date(now) + timedelta(days=SEARCH_DAYS):
        return []
    start, end = max(day_bounds(first)[0], now), day_bounds(first + timedelta(days=days - 1))[1]
    if start >= end:
        return []
    return [slot for slot in ports.slots.between(unit_hsa_id, start, end) if _bookable(slot, visit_type, invited, now)]


def _bookable(slot: Slot, visit_type: VisitType, invited: frozenset[str], now: datetime) -> bool:
    return (slot.free and slot.visit_type_id == visit_type.visit_type_id
            and (slot.visibility is Visibility.WEB or slot.slot_id in invited)
            and rules.booking_refusal(visit_type.rules, slot.start, now) is None)  # fmt: skip


SLOTS_PAGE = 50


def free_slots_page(ports: Ports, principal: CitizenPrincipal, unit_hsa_id: str, visit_type_id: str, now: datetime,
                    invitation_id: str | None, cursor: str | None) -> tuple[list[Slot], str | None]:  # fmt: skip
    """The JSON API's list of free times from now on, a page at a time: each page is one Query of the
    unit's next slots (all types; those not bookable are left out, so a page may show fewer), up to
    SEARCH_DAYS ahead."""
    unit = _unit(ports, unit_hsa_id)
    visit_type = _visit_type(unit, visit_type_id)
    invited = _invited_slot_ids(ports, principal, invitation_id, unit_hsa_id, visit_type_id, now)
    if not visit_type.web_booking and not invited:
        raise Unprocessable("visit_type_not_offered", "Mottagningen erbjuder inte den besökstypen för webbokning.")
    scope = f"slots:{principal.subject_id}:{unit_hsa_id}:{visit_type_id}:{invitation_id or ''}"
    read, following = ports.slots.page_between(unit_hsa_id, now, now + timedelta(days=SEARCH_DAYS), SLOTS_PAGE,
                                               paging.start(ports, scope, cursor))  # fmt: skip
    return [s for s in read if _bookable(s, visit_type, invited, now)], paging.following(ports, scope, following)


def _invited_slot_ids(ports: Ports, principal: CitizenPrincipal, invitation_id: str | None, unit_hsa_id: str,
                      visit_type_id: str, now: datetime) -> frozenset[str]:  # fmt: skip
    if not invitation_id:
        return frozenset()
    invitation = ports.invitations.get(principal.subject_id, invitation_id)
    if invitation is None or invitation.unit_hsa_id != unit_hsa_id or invitation.visit_type_id != visit_type_id:
        raise NotFound("invitation_not_found", "Inbjudan finns inte.")
    if invitation.booking_id:
        raise Unprocessable("invitation_used", "Du har redan bokat en tid med den här inbjudan.")
    if invitation.expires_at <= now:
        raise Unprocessable("invitation_expired", "Inbjudan har gått ut. Kontakta mottagningen.")
    return frozenset(invitation.slot_ids)


def slot_for_booking(ports: Ports, slot_id: str) -> tuple[Slot, UnitRecord, VisitType]:
    slot = ports.slots.get(slot_id)
    if slot is None:
        raise NotFound("slot_not_found", "Tiden finns inte.")
    unit = _unit(ports, slot.unit_hsa_id)
    return slot, unit, _visit_type(unit, slot.visit_type_id)


# -- booking, cancelling, rebooking ------------------------------------------------------------


def book(ports: Ports, principal: CitizenPrincipal, slot_id: str, now: datetime,
         invitation_id: str | None = None) -> Booking:  # fmt: skip
    slot, unit, visit_type = slot_for_booking(ports, slot_id)
    invited = _invited_slot_ids(ports, principal, invitation_id, unit.hsa_id, visit_type.visit_type_id, now)
    if not slot.free:
        mine = ports.bookings.own(principal.subject_id, slot.booking_id or "")  # one GetItem, by key
        if mine is not None:
            return mine  # the same confirmation sent twice (a double click): one booking
    if slot.visibility is Visibility.HIDDEN or (slot.visibility is Visibility.INVITED and slot_id not in invited):
        raise Unprocessable("slot_invitation_only", "Tiden kan bara bokas med en inbjudan från mottagningen.")
    if not visit_type.web_booking and not invited:
        raise Unprocessable("visit_type_not_offered", "Mottagningen erbjuder inte den besökstypen för webbokning.")
    if reason := rules.booking_refusal(visit_type.rules, slot.start, now):
        raise _refused(reason)
    if not slot.free:
        raise _taken()
    booking = Booking(
        booking_id=str(uuid.uuid4()), citizen_id=principal.subject_id, unit_hsa_id=unit.hsa_id, unit_name=unit.name,
        visit_type_id=visit_type.visit_type_id, visit_type_name=visit_type.name.sv, slot_id=slot.slot_id,
        start=slot.start, end=slot.end, place=slot.place, status=BookingStatus.BOOKED, booked_by="citizen",
        created_at=now, invitation_id=invitation_id if slot_id in invited else None,
    )  # fmt: skip
    try:
        ports.bookings.book(booking, booked_event(booking, Door.CITIZEN, now), booking.invitation_id, now=now)
    except Lost:
        raise _taken() from None
    _log_change(booking, "booked")
    return booking


def _care_forbids(allowed: bool) -> str | None:
    return None if allowed else "care_forbids_change"


def _taken() -> Conflict:
    return Conflict("slot_taken", "Någon annan hann boka tiden. Välj en annan tid.")


def own_booking(ports: Ports, principal: CitizenPrincipal, booking_id: str) -> Booking:
    """One of the subject's bookings that the unit shows them: one GetItem, by its key."""
    found = ports.bookings.own(principal.subject_id, booking_id)
    if found is None or found.hidden_from_citizen:
        raise NotFound("booking_not_found", "Bokningen finns inte.")
    return found


def cancel(ports: Ports, principal: CitizenPrincipal, booking_id: str, reason: str | None, now: datetime) -> Booking:
    booking = own_booking(ports, principal, booking_id)
    if booking.status is not BookingStatus.BOOKED:
        raise Unprocessable("booking_cancelled", "Bokningen är redan avbokad.")
    if reason and reason not in rules.CANCEL_REASONS:
        raise BadInput("cancel_reason_invalid", "Välj en av orsakerna.", field="reason")
    unit = _unit(ports, booking.unit_hsa_id)
    visit_type = _visit_type(unit, booking.visit_type_id)
    if refusal := rules.cancel_refusal(visit_type.rules, booking.start, now) or _care_forbids(booking.allow_cancel):
        raise _refused(refusal)
    return cancel_booking(ports, booking, reason, now, Door.CITIZEN)


def stream_key(booking_id: str) -> str:
    """A booking's events, a care-booked visit's summons events too, are in order on one stream key."""
    return f"booking#{booking_id}"


def booked_event(booking: Booking, door: Door, now: datetime) -> DomainEvent:
    return event(Kind.BOOKING_BOOKED, stream_key(booking.booking_id), now, booking_id=booking.booking_id, door=door,
                 unit_hsa_id=booking.unit_hsa_id)  # fmt: skip


def is_appointment(booking: Booking) -> bool:
    """Care booked it and summons the citizen to it (services/summons.py): its summons follows every change."""
    return booking.booked_by == "care_system"


def cancel_booking(ports: Ports, booking: Booking, reason: str | None, now: datetime, door: Door,
                   staff_reason: str | None = None) -> Booking:  # fmt: skip
    """Free the slot and mark the booking cancelled with its event, a care-booked visit's summons in
    the same transaction (rules already checked). The follow-ups tell the citizen (and the unit)."""
    appointment = is_appointment(booking)
    change = event(Kind.SUMMONS_CANCELLED if appointment else Kind.BOOKING_CANCELLED, stream_key(booking.booking_id),
                   now, booking_id=booking.booking_id, door=door, reason=staff_reason,
                   unit_hsa_id=booking.unit_hsa_id, freed_slot=None if appointment else booking.slot_id)  # fmt: skip
    also = (lambda tx: ports.summons.cancel_in(tx, booking.booking_id)) if appointment else None
    try:
        ports.bookings.cancel(booking, reason, change, also)
    except Lost:
        raise Conflict("booking_changed", "Bokningen ändrades samtidigt. Ladda om sidan.") from None
    cancelled = booking.cancelled(reason)
    _log_change(cancelled, "cancelled")
    return cancelled


def rebook(ports: Ports, principal: CitizenPrincipal, booking_id: str, new_slot_id: str, now: datetime) -> Booking:
    booking = own_booking(ports, principal, booking_id)
    if booking.status is not BookingStatus.BOOKED:
        raise Unprocessable("booking_cancelled", "Bokningen är avbokad.")
    new_slot, unit, visit_type = slot_for_booking(ports, new_slot_id)
    if new_slot.slot_id == booking.slot_id:
        return booking
    if new_slot.unit_hsa_id != booking.unit_hsa_id or new_slot.visit_type_id != booking.visit_type_id:
        raise Unprocessable("visit_type_not_offered", "Välj en tid för samma besök på samma mottagning.")
    if refusal := rules.rebook_refusal(visit_type.rules, booking.start, now) or _care_forbids(booking.allow_rebook):
        raise _refused(refusal)
    if new_slot.visibility is not Visibility.WEB:
        raise Unprocessable("slot_invitation_only", "Tiden kan bara bokas med en inbjudan från mottagningen.")
    if refusal := rules.booking_refusal(visit_type.rules, new_slot.start, now):
        raise _refused(refusal)
    return move_booking(ports, booking, new_slot, now, Door.CITIZEN)


def move_booking(ports: Ports, booking: Booking, new_slot: Slot, now: datetime, door: Door,
                 staff_reason: str | None = None) -> Booking:  # fmt: skip
    """New slot taken and old freed in one transaction with its event (rules already checked); a
    care-booked visit's summons gets a new version for the next evening in the same transaction."""
    if not new_slot.free:
        raise _taken()
    appointment = is_appointment(booking)
    change = event(Kind.SUMMONS_CHANGED if appointment else Kind.BOOKING_MOVED, stream_key(booking.booking_id), now,
                   booking_id=booking.booking_id, door=door, reason=staff_reason,
                   unit_hsa_id=booking.unit_hsa_id, freed_slot=None if appointment else booking.slot_id)  # the old slot, offered on  # fmt: skip
    also = (lambda tx: ports.summons.moved_in(tx, booking.booking_id, new_slot.start, new_slot.end, new_slot.place,
                                              summons_rules.release_date(now))) if appointment else None  # fmt: skip
    try:
        moved = ports.bookings.move(booking, new_slot, change, also)
    except Lost:
        # Nothing changed: the citizen keeps the old time.
        raise _taken() from None
    _log_change(moved, "rebooked")
    return moved


# -- follow-ups of a booking's events (listed in services/follow_ups.py) -------------------------------

_CHANGE_OF = {Kind.BOOKING_BOOKED: "booked", Kind.BOOKING_MOVED: "rebooked", Kind.BOOKING_CANCELLED: "cancelled",
              Kind.BOOKING_REMINDED: "reminder"}  # fmt: skip
_STAFF_NOTES = ("booked", "rebooked", "cancelled")  # what the unit did: booking.mail.note.<change>


def _log_change(booking: Booking, change: str) -> None:
    logger.info(f"booking {change}", extra={"booking_id": booking.booking_id, "slot_id": booking.slot_id})
    record_metric(f"Booking{change.title()}")


def _current(ports: Ports, change: DomainEvent) -> tuple[Booking, UnitRecord, VisitType] | None:
    booking = ports.bookings.get(change["booking_id"])
    unit = ports.units.get(booking.unit_hsa_id) if booking else None
    visit_type = next((v for v in visit_types_of(unit) if v.visit_type_id == booking.visit_type_id), None) if unit \
        else None  # fmt: skip
    return (booking, unit, visit_type) if booking and unit and visit_type else None


def keep_cutoff_schedule(ports: Ports, change: DomainEvent) -> None:
    """The one-time schedule at the moment online changes close follows the booking as it stands."""
    current = _current(ports, change)
    if current is None:
        return
    booking, _, visit_type = current
    closes = rules.changes_close_at(visit_type.rules, booking.start)
    if booking.status is BookingStatus.BOOKED and closes > change.occurred_at:
        ports.cutoff_schedules.put(booking, closes)  # creates it, or moves it: the same again changes nothing
    else:
        ports.cutoff_schedules.delete(booking.booking_id)


def confirm_to_citizen(ports: Ports, change: DomainEvent) -> None:
    """A confirmation with a calendar file in the booking's own thread, once per event."""
    current = _current(ports, change)
    if current is None:
        return
    booking, unit, visit_type = current
    what = _CHANGE_OF[change.kind]
    if booking.hidden_from_citizen or (what != "cancelled" and booking.status is not BookingStatus.BOOKED):
        return  # a later event (the cancellation) tells what became of it
    # Written in the language the booked person's readers chose (a child's guardians', Swedish if they differ).
    lang = persons.reach_of(ports, booking.citizen_id, stockholm_date(change.occurred_at)).language
    notes = [translate(lang, f"booking.mail.note.{what}", unit=unit.name)] \
        if change.get("door") == Door.STAFF and what in _STAFF_NOTES else []  # fmt: skip
    if change.get("reason"):
        notes.append(translate(lang, "booking.mail.reason", reason=change["reason"]))
    _confirm(ports, unit, booking, visit_type, what, change, " ".join(notes) or None, lang)


def local_time(moment: datetime, lang: str) -> str:
    """A moment as a message states it: "2026-12-03 kl. 09:00", "2026-12-03 at 09:00" (Stockholm time)."""
    local = moment.astimezone(STOCKHOLM)
    return translate(lang, "time.at", date=local.date().isoformat(), time=f"{local:%H:%M}")


def visit_topic(state: str, visit_type_name: str, start: datetime, lang: str) -> str:
    """A booking's or summons' thread heading, "Bokning: Årskontroll, 2026-12-03 kl. 09:00": its state
    (booking.topic.<state>: booked, cancelled, summons) and the visit as it stands now (the newest
    message in the thread heads it)."""
    return translate(lang, "booking.topic", state=translate(lang, f"booking.topic.{state}"),
                     visit_type=visit_type_name, when=local_time(start, lang))  # fmt: skip


def _confirm(ports: Ports, unit: UnitRecord, booking: Booking, visit_type: VisitType, change: str,
             happened: DomainEvent, note: str | None, lang: str) -> None:  # fmt: skip
    now = happened.occurred_at
    lines = [translate(lang, "booking.mail.what", visit_type=visit_type.name.in_(lang), unit=unit.name),
             translate(lang, "booking.mail.time", start=local_time(booking.start, lang),
                       end=f"{booking.end.astimezone(STOCKHOLM):%H:%M}"),
             translate(lang, "booking.mail.place", place=booking.place)]  # fmt: skip
    if booking.status is BookingStatus.BOOKED:
        if rules.can_change_online(visit_type.rules, booking.start, now):
            lines.append(translate(lang, "booking.mail.change_until",
                                   when=local_time(rules.changes_close_at(visit_type.rules, booking.start), lang)))
        lines.append(translate(lang, "booking.mail.call", phone=unit.phone))
    body = "\n".join(lines[:3]) + "\n\n" + " ".join(lines[3:]) + (f"\n\n{note}" if note else "")
    # Ids fixed by the event: a redelivered event writes the same file and the same message, once.
    attachment = Attachment(happened.follow_up_id("calendar"), translate(lang, "booking.mail.calendar_file"),
                            "text/calendar", 0)  # fmt: skip
    content = booking_ics(booking, ports.settings.public_base_url.split("://", 1)[1], now,
                          sensitive=visit_type.sensitive)  # fmt: skip
    ports.attachment_files.put(attachment.attachment_id, content, attachment.content_type)
    attachment = Attachment(attachment.attachment_id, attachment.filename, attachment.content_type, len(content))
    state = "cancelled" if booking.status is BookingStatus.CANCELLED else "booked"
    letter = inbox.Letter(topic=visit_topic(state, visit_type.name.in_(lang), booking.start, lang),
                          subject=translate(lang, f"booking.mail.subject.{change}"), body=body)  # fmt: skip
    # The booked person's own inbox, a child's too: the guardians who act for a child under 13 are told.
    inbox.deliver(ports, booking.citizen_id, unit, letter, "booking", now, files=(attachment,),
                  message_id=happened.follow_up_id("confirmation"), thread_id=stream_key(booking.booking_id))


def remind_at_cutoff(ports: Ports, fired: dict[str, Any], now: datetime) -> str:
    """The one-time schedule fired: remind once, if the booking still stands at that time."""
    booking = ports.bookings.get(str(fired.get("booking_id", "")))
    if booking is None or booking.status is not BookingStatus.BOOKED:
        return "no_booking"
    if booking.start.isoformat() != fired.get("start"):
        return "moved"  # a schedule for a time the booking no longer has
    reminded = event(Kind.BOOKING_REMINDED, stream_key(booking.booking_id), now, booking_id=booking.booking_id,
                     door=Door.SCHEDULE)  # fmt: skip
    if not ports.bookings.mark_reminded(booking, reminded):
        return "already_reminded"
    return "reminded"


# -- the citizen's invitations (öppna kallelser) -----------------------------------------------------

INVITATIONS_PAGE = 20


@dataclass(frozen=True)
class InvitationView:
    invitation_id: str
    unit_hsa_id: str
    unit_name: str
    visit_type_id: str
    visit_type_name: Localized
    expires_at: datetime
    state: str  # "open" (may be booked), "used" (booking_id says which) or "expired"
    booking_id: str | None


def invitation_view(record: Any, unit: UnitRecord | None, now: datetime) -> InvitationView:
    visit_type = next((v for v in visit_types_of(unit) if v.visit_type_id == record.visit_type_id), None) if unit else None
    state = "used" if record.booking_id else "expired" if record.expires_at <= now else "open"
    return InvitationView(record.invitation_id, record.unit_hsa_id, unit.name if unit else record.unit_hsa_id,
                          record.visit_type_id, visit_type.name if visit_type else Localized(record.visit_type_id),
                          record.expires_at, state, record.booking_id)  # fmt: skip


def invitations(ports: Ports, principal: CitizenPrincipal, now: datetime,
                cursor: str | None = None) -> paging.Page[InvitationView]:  # fmt: skip
    """A page of the invitations sent to the subject (open, used or expired): one Query and one
    BatchGetItem of their units."""
    scope = f"invitations:{principal.subject_id}"
    records, following = ports.invitations.page(principal.subject_id, INVITATIONS_PAGE,
                                                paging.start(ports, scope, cursor))  # fmt: skip
    units = {u.hsa_id: u for u in ports.units.get_many(sorted({r.unit_hsa_id for r in records}))} if records else {}
    return paging.Page([invitation_view(r, units.get(r.unit_hsa_id), now) for r in records],
                       paging.following(ports, scope, following))  # fmt: skip


def invitation(ports: Ports, principal: CitizenPrincipal, invitation_id: str, now: datetime) -> InvitationView:
    """One of the subject's invitations; another person's is not found."""
    record = ports.invitations.get(principal.subject_id, invitation_id)
    if record is None:
        raise NotFound("invitation_not_found", "Inbjudan finns inte.")
    return invitation_view(record, ports.units.get(record.unit_hsa_id), now)


# -- the citizen's list ---------------------------------------------------------------------------


BOOKINGS_PAGE = 20


def upcoming(ports: Ports, principal: CitizenPrincipal, now: datetime, cursor: str | None = None,
             limit: int = BOOKINGS_PAGE) -> paging.Page[BookingView]:  # fmt: skip
    """A page of the upcoming bookings at every unit, unless the unit hid them, soonest first: one
    Query on the upcoming index and one BatchGetItem of their units."""
    scope = f"bookings:{principal.subject_id}"
    bookings, following = ports.bookings.upcoming(principal.subject_id, now, limit, paging.start(ports, scope, cursor))
    units = {u.hsa_id: u for u in ports.units.get_many([b.unit_hsa_id for b in bookings])} if bookings else {}
    return paging.Page([view(b, units[b.unit_hsa_id], now) for b in bookings if b.unit_hsa_id in units],
                       paging.following(ports, scope, following))  # fmt: skip


def view(booking: Booking, unit: UnitRecord, now: datetime) -> BookingView:
    visit_type = next((v for v in visit_types_of(unit) if v.visit_type_id == booking.visit_type_id), None)
    visit_rules = visit_type.rules if visit_type else rules.BookingRules(cancel_online=False)
    return BookingView(
        booking=booking,
        unit_phone=unit.phone,
        can_cancel=booking.status is BookingStatus.BOOKED and booking.allow_cancel
        and rules.cancel_refusal(visit_rules, booking.start, now) is None,
        can_rebook=booking.status is BookingStatus.BOOKED and booking.allow_rebook
        and rules.rebook_refusal(visit_rules, booking.start, now) is None,
        cancel_online=visit_rules.cancel_online and booking.allow_cancel,
        changes_close_at=rules.changes_close_at(visit_rules, booking.start),
        window=rules.change_window(visit_rules, booking.start, now, may_cancel=booking.allow_cancel,
                                   may_rebook=booking.allow_rebook) if booking.status is BookingStatus.BOOKED else None,
        visit_type=visit_type,
    )


def days_of(slots: list[Slot]) -> list[date]:
    return sorted({s.start.astimezone(STOCKHOLM).date() for s in slots})


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """A Stockholm day as UTC instants (23 or 25 hours long on the DST nights)."""
    start = datetime.combine(day, time(0), tzinfo=STOCKHOLM)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=STOCKHOLM)
    return start, end
