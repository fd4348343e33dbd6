"""The unit's side of web booking: publishing slots (care system or staff tool), the day and week
view, booking, moving and cancelling for a citizen (past the cutoff only with a reason), and open
invitations (öppen kallelse)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from chalicelib.adapters.access_log import AccessEntry
from chalicelib.adapters.booking import Lost, visit_types_of
from chalicelib.adapters.tables import InvitationRecord, UnitRecord
from chalicelib.domain import booking as rules
from chalicelib.domain import booking_grid as grids
from chalicelib.domain import case_due
from chalicelib.domain.booking import RESOURCE_MAX, STAFF, Booking, BookingStatus, Slot, VisitType, Visibility
from chalicelib.domain.clock import STOCKHOLM, stockholm_date
from chalicelib.domain.patient import PatientHeader
from chalicelib.domain.events import Door, DomainEvent, Kind, event
from chalicelib.domain.inbox import Action
from chalicelib.domain.localized import Localized
from chalicelib.domain.roles import StaffRole
from chalicelib.errors import AppError, BadInput, Conflict, Forbidden, NotFound, Unprocessable
from chalicelib.services import inbox, patients, persons
from chalicelib.services.booking import (
    _refused,
    _unit,
    _visit_type,
    booked_event,
    cancel_booking,
    day_bounds,
    move_booking,
    slot_for_booking,
)
from chalicelib.services.cases import opening_hours
from chalicelib.services.input import aware_moment, json_object, personnummer, required_text
from chalicelib.services.ports import Ports
from chalicelib.services.principals import IntegrationPrincipal, StaffPrincipal
from chalicelib.catalogs import translate

APPOINTMENTS_SCOPE = "appointments"
BOOKERS = (StaffRole.CASE_RECEIVER, StaffRole.CASE_HANDLER, StaffRole.LOCAL_ADMIN)
VIEWERS = (*BOOKERS, StaffRole.REVIEWER)
MAX_SLOTS_PER_CALL = 500
MAX_RANGE_DAYS = 62
MOVE_WEEKS_AHEAD = 26  # how far ahead the move page pages, a week at a time


# -- publishing --------------------------------------------------------------------------------


def _date(value: Any, field: str) -> date:
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise BadInput("date_invalid", "Fältet {field} ska vara ett datum (ÅÅÅÅ-MM-DD).", field=field,
                       values={"field": field}) from None


def publish_slots(ports: Ports, principal: IntegrationPrincipal, unit_hsa_id: str, body: Any,
                  now: datetime) -> dict[str, int]:  # fmt: skip
    """PUT /integration/v1/units/{hsa_id}/slots: this care system's slots at the unit from `from` to
    `to` (Stockholm days, inclusive) become exactly these. Slots the staff tool published, another
    system's and appointments' own slots are never touched. Booked slots stay booked: removing or
    moving one is refused, naming it by the system's own slot id. Sending the same body again
    changes nothing."""
    principal.require_scope(APPOINTMENTS_SCOPE)
    principal.require_unit(unit_hsa_id)
    unit = ports.units.get(unit_hsa_id)
    if unit is None:
        raise BadInput("unknown_unit", "Enheten finns inte i regionen.", field="unit_hsa_id")
    body = json_object(body, {"from", "to", "slots"})
    first, last = _date(body.get("from"), "from"), _date(body.get("to"), "to")
    if last < first or (last - first).days >= MAX_RANGE_DAYS:
        raise BadInput("range_invalid", "Perioden ska vara 1–{limit} dagar, from före to.", field="to",
                       values={"limit": MAX_RANGE_DAYS})
    raw = body.get("slots")
    if not isinstance(raw, list) or len(raw) > MAX_SLOTS_PER_CALL:
        raise BadInput("slots_invalid", "Fältet slots ska vara en lista med högst {limit} tider.", field="slots",
                       values={"limit": MAX_SLOTS_PER_CALL})  # fmt: skip
    range_start, range_end = day_bounds(first)[0], day_bounds(last)[1]
    wanted = [_slot_from(unit, item, n, range_start, range_end, now, principal.key_id) for n, item in enumerate(raw)]
    if len({s.slot_id for s in wanted}) != len(wanted):
        raise BadInput("slots_invalid", "Samma slot_id finns två gånger.", field="slots")
    in_range = ports.slots.between(unit_hsa_id, range_start, range_end)
    existing = {s.slot_id: s for s in in_range if s.source == principal.key_id}  # this system's own only
    by_id = {s.slot_id: s for s in wanted}
    # Check everything before writing anything: an id is the system's own, a booked slot cannot disappear or move.
    others = {s.slot_id for s in in_range if s.source not in (None, principal.key_id)}
    for n, slot in enumerate(wanted):
        if slot.slot_id in others:
            raise Conflict("slot_id_taken", "{field}: id {slot_id} används redan av en annan källa på enheten.",
                           field=f"slots[{n}].slot_id",
                           values={"field": f"slots[{n}]", "slot_id": _external_id(slot.slot_id)})  # fmt: skip
    for slot_id, slot in existing.items():
        new = by_id.get(slot_id)
        if not slot.free and (new is None or (new.start, new.end, new.visit_type_id) != (slot.start, slot.end,
                                                                                        slot.visit_type_id)):
            when = slot.start.astimezone(STOCKHOLM).strftime("%Y-%m-%d %H:%M")
            if slot.booking_id is None and slot.held_until is not None:  # offered to someone waiting
                raise Conflict("slot_held", "Tiden {slot_id} ({when}) är erbjuden till en patient som väntar på en "
                                            "tidigare tid och hålls till kl. {until}. Försök igen efter det.",
                               field="slots", values={"slot_id": _external_id(slot_id), "when": when,
                                                      "until": slot.held_until.astimezone(STOCKHOLM).strftime("%H:%M")})  # fmt: skip
            raise Conflict("slot_booked", "Tiden {slot_id} ({when}) är bokad och kan inte tas bort eller flyttas här. "
                                          "Avboka eller flytta bokningen först.",
                           field="slots", values={"slot_id": _external_id(slot_id), "when": when})  # fmt: skip
    changed = [slot for slot in wanted
               if (old := existing.get(slot.slot_id)) is None or (old.free and old.as_published() != slot)]  # fmt: skip
    # A booked slot is not written: only its visibility, place or resource could differ, and the booking
    # keeps what it was booked as. Written a hundred to a request, each with its own condition.
    published, withdrawn = ports.slots.publish_many(changed, sorted(existing.keys() - by_id.keys()), principal.key_id,
                                                    published_event(unit.hsa_id, changed, existing, now))  # fmt: skip
    return {"published": published, "withdrawn": withdrawn, "slots": len(wanted)}


def published_event(unit_hsa_id: str, changed: list[Slot], existing: dict[str, Slot],
                    now: datetime) -> DomainEvent | None:  # fmt: skip
    """`slots.published` naming the new web times (not those only changed): whoever waits for an earlier
    time is offered them (services/earlier_times.py). None when there are none."""
    new = [s.slot_id for s in changed if s.slot_id not in existing and s.visibility is Visibility.WEB]
    if not new:
        return None
    return event(Kind.SLOTS_PUBLISHED, f"slots#{unit_hsa_id}", now, unit_hsa_id=unit_hsa_id, slot_ids=" ".join(new))


_RESERVED = ("staff-", "appointment-")  # ids the platform gives the staff tool's and appointments' slots


def _external_id(slot_id: str) -> str:
    """The id the care system sent (its own), without the unit before it."""
    return slot_id.split("/", 1)[1]


def staff_slot_id(unit_hsa_id: str, visit_type_id: str, start: datetime, resource: str | None = None) -> str:
    """The staff tool's slot: one per unit, visit type, resource and start, so publishing the same times
    twice adds none (a time without a resource keeps the id it had before resources were kept)."""
    key = rules.resource_key(resource)
    return f"{unit_hsa_id}/staff-{visit_type_id}-{key + '-' if key else ''}{start.astimezone(timezone.utc):%Y%m%dT%H%MZ}"


def _resource(value: Any, field: str) -> str | None:
    """The practitioner or room a time belongs to: optional, one line of at most RESOURCE_MAX characters."""
    name = rules.resource_name(value) if value is None or isinstance(value, str) else ""
    if name == "" or (name is not None and len(name) > RESOURCE_MAX):
        raise BadInput("resource_invalid", "Fältet {field} ska vara ett namn på högst {limit} tecken "
                                           "(behandlare eller rum).", field=field,
                       values={"field": field, "limit": RESOURCE_MAX})  # fmt: skip
    return name


def _slot_from(unit: UnitRecord, item: Any, n: int, range_start: datetime, range_end: datetime,
               now: datetime, source: str) -> Slot:  # fmt: skip
    field = f"slots[{n}]"
    if not isinstance(item, dict):
        raise BadInput("slots_invalid", "{field} ska vara ett objekt.", field=field, values={"field": field})
    item = json_object(item, {"slot_id", "visit_type_id", "start", "end", "place", "practitioner_role", "visibility",
                              "resource"})
    external_id = required_text(item, "slot_id", 80)
    if external_id.startswith(_RESERVED):
        first, second = _RESERVED
        raise BadInput("slot_id_reserved", "{field}: slot_id får inte börja med {first} eller {second}.",
                       field=f"{field}.slot_id", values={"field": field, "first": first, "second": second})  # fmt: skip
    visit_type = _visit_type(unit, required_text(item, "visit_type_id", 80))
    start, end = aware_moment(item.get("start"), f"{field}.start"), aware_moment(item.get("end"), f"{field}.end")
    if end <= start:
        raise BadInput("end_before_start", "{field}: end ska vara efter start.", field=f"{field}.end",
                       values={"field": field})
    if not range_start <= start < range_end:
        raise BadInput("slot_outside_range", "{field}: start ligger utanför perioden.", field=f"{field}.start",
                       values={"field": field})
    if rules.has_begun(start, now):
        raise BadInput("slot_in_past", "{field}: tiden har redan varit.", field=f"{field}.start",
                       values={"field": field})
    try:
        visibility = Visibility(item.get("visibility", "web"))
    except ValueError:
        raise BadInput("visibility_invalid", "{field}: visibility är web, invited eller hidden.",
                       field=f"{field}.visibility", values={"field": field}) from None  # fmt: skip
    return Slot(
        slot_id=f"{unit.hsa_id}/{external_id}", unit_hsa_id=unit.hsa_id, visit_type_id=visit_type.visit_type_id,
        start=start, end=end, place=str(item.get("place") or visit_type.place.sv)[:200],
        practitioner_role=str(item.get("practitioner_role") or visit_type.practitioner_role.sv)[:100],
        visibility=visibility, source=source, resource=_resource(item.get("resource"), f"{field}.resource"),
    )  # fmt: skip


# -- the staff tool: the Tidbok ------------------------------------------------------------------


@dataclass(frozen=True)
class DayEntry:
    """One slot in the day's grid: free, booked (whose, without the personnummer) or past."""

    slot: Slot
    visit_type_name: str
    citizen_name: str | None  # the booked person's name; None when free, or for a protected identity
    protected: bool  # booked by a person with protected identity: the grid names no one
    past: bool  # it has begun: not offered, not bookable, not a time to move to

    @property
    def booking_id(self) -> str | None:
        return self.slot.booking_id

    @property
    def state(self) -> str:
        # A time held for an earlier-time offer is as good as booked: nobody else may take it meanwhile.
        return "booked" if self.slot.booking_id or self.slot.held_for else "past" if self.past else "free"


@dataclass(frozen=True)
class DayView:
    day: date
    entries: list[DayEntry]  # in time order
    grid: grids.DayGrid[DayEntry]

    @property
    def named_resources(self) -> list[str]:
        """The day's practitioners and rooms, offered when publishing more times."""
        return [r for r in self.grid.resources if r is not None]


@dataclass(frozen=True)
class WeekView:
    days: list[date]
    grid: grids.WeekGrid


def _require(principal: StaffPrincipal, unit_hsa_id: str, roles: tuple[StaffRole, ...]) -> None:
    if not principal.has_role(unit_hsa_id, *roles):
        raise Forbidden("unit_not_allowed", "Du har ingen behörighet till den enhetens tidbok.")


def bookable_units(ports: Ports, principal: StaffPrincipal) -> list[UnitRecord]:
    return ports.units.get_many([u for u in principal.units() if principal.has_role(u, *VIEWERS)])


def week_of(day: date) -> list[date]:
    monday = day - timedelta(days=day.weekday())
    return [monday + timedelta(days=n) for n in range(7)]


def _hours_on(unit: UnitRecord) -> Any:
    """The unit's opening and closing time on a day, or None when it is closed (weekends, holidays)."""
    hours = opening_hours(unit)

    def on(day: date) -> tuple[time, time] | None:
        return hours.days.get(day.weekday()) if case_due.is_working_day(day) else None

    return on


def week_view(ports: Ports, principal: StaffPrincipal, unit_hsa_id: str, day: date, now: datetime) -> WeekView:
    """The week around `day` as hours × days, free, booked and past per cell: one Query, no names
    (so nothing to log)."""
    _require(principal, unit_hsa_id, VIEWERS)
    unit = _unit(ports, unit_hsa_id)
    days = week_of(day)
    slots = ports.slots.between(unit_hsa_id, day_bounds(days[0])[0], day_bounds(days[-1])[1])
    return WeekView(days, grids.week_grid(days, slots, _hours_on(unit), now))


def day_view(ports: Ports, principal: StaffPrincipal, unit_hsa_id: str, day: date, now: datetime) -> DayView:
    """The unit's day as a grid of times × resources, with who booked each time. One Query for the
    slots; the names in one BatchGetItem from the register (the slots say whose they are); each
    booking shown is logged as a read, together (BatchWriteItem)."""
    _require(principal, unit_hsa_id, VIEWERS)
    unit = _unit(ports, unit_hsa_id)
    names = {v.visit_type_id: v.name.sv for v in visit_types_of(unit)}
    slots = ports.slots.between(unit_hsa_id, *day_bounds(day))
    holders = {s.booking_id: s.citizen_id for s in slots if s.booking_id and s.citizen_id}
    for slot in slots:  # booked before slots said whose they are: one look-up each, fewer every day
        if slot.booking_id and slot.booking_id not in holders:
            booking = ports.bookings.get(slot.booking_id)
            if booking is not None:
                holders[slot.booking_id] = booking.citizen_id
    people = {p.citizen_id: p for p in ports.register.get_many(sorted(set(holders.values())))}
    ports.access_log.record_many([(citizen_id, AccessEntry(
        staff_hsa_id=principal.hsa_id, staff_name=principal.display_name, unit_hsa_id=unit.hsa_id,
        unit_name=unit.name, what="booking", item_id=booking_id, read_at=now))
        for booking_id, citizen_id in holders.items()])  # fmt: skip
    entries = []
    for slot in slots:
        person = people.get(holders.get(slot.booking_id or "", ""))
        protected = bool(person and person.protected_identity)
        entries.append(DayEntry(slot, names.get(slot.visit_type_id, slot.visit_type_id),
                                person.full_name if person and not protected else None, protected,
                                rules.has_begun(slot.start, now)))  # fmt: skip
    return DayView(day, entries, grids.day_grid(entries, lambda e: e.slot, _hours_on(unit)(day)))


def add_slots(ports: Ports, principal: StaffPrincipal, unit_hsa_id: str, fields: dict[str, str], now: datetime) -> int:
    """From the staff tool: back-to-back slots of one visit type between two times on one day, for
    one resource (practitioner or room) or none. The same times again add nothing, and leave a booked
    time as it is."""
    _require(principal, unit_hsa_id, BOOKERS)
    unit = _unit(ports, unit_hsa_id)
    visit_type = _visit_type(unit, fields.get("visit_type", ""))
    day = _date(fields.get("day"), "day")
    resource = _resource(fields.get("resource"), "resource")
    try:
        first, last = time.fromisoformat(fields.get("from", "")), time.fromisoformat(fields.get("to", ""))
    except ValueError:
        raise BadInput("time_invalid", "Skriv tiderna som TT:MM.", field="from") from None
    try:
        visibility = Visibility(fields.get("visibility", "web"))
    except ValueError:
        raise BadInput("visibility_invalid", "Välj vem som får boka tiderna.", field="visibility") from None
    start = datetime.combine(day, first, tzinfo=STOCKHOLM)
    stop = datetime.combine(day, last, tzinfo=STOCKHOLM)
    step = timedelta(minutes=visit_type.duration_minutes)
    if rules.has_begun(start.astimezone(timezone.utc), now):
        raise BadInput("slot_in_past", "Tiderna har redan varit.", field="from")
    if start + step > stop:
        raise BadInput("range_invalid", "Till-tiden ska vara minst ett besök efter från-tiden.", field="to")
    wanted = []
    while start + step <= stop:
        begins = start.astimezone(timezone.utc)
        wanted.append(Slot(
            slot_id=staff_slot_id(unit.hsa_id, visit_type.visit_type_id, begins, resource), unit_hsa_id=unit.hsa_id,
            visit_type_id=visit_type.visit_type_id, start=begins, end=(start + step).astimezone(timezone.utc),
            place=visit_type.place.sv, practitioner_role=visit_type.practitioner_role.sv, visibility=visibility,
            source=STAFF, resource=resource))  # fmt: skip
        start += step
    # The same times again add nothing: the ids are the same (the resource however it is written), and a
    # slot as it already is is not written; a booked one is never touched.
    # One Query from the longest visit before the first new time: every time that could overlap them.
    longest = timedelta(minutes=max(v.duration_minutes for v in visit_types_of(unit)))
    nearby = ports.slots.between(unit.hsa_id, wanted[0].start - longest, wanted[-1].end)
    if clash := rules.same_resource_overlap(wanted, nearby):
        new, old = clash
        raise Conflict("resource_busy", "{resource} har redan en tid {start}–{end} som krockar med {new}.",
                       field="resource", values={"resource": old.resource, "start": _clock(old.start),
                                                 "end": _clock(old.end), "new": _clock(new.start)})  # fmt: skip
    existing = {s.slot_id: s for s in nearby if s.start >= wanted[0].start}
    changed = [s for s in (replace(w, resource=existing[w.slot_id].resource) if w.slot_id in existing else w
                           for w in wanted)
               if s.slot_id not in existing or (existing[s.slot_id].free and existing[s.slot_id] != s)]  # fmt: skip
    return ports.slots.publish_many(changed, event=published_event(unit.hsa_id, changed, existing, now))[0]
    # a hundred to a request


def _clock(moment: datetime) -> str:
    return f"{moment.astimezone(STOCKHOLM):%H:%M}"


def _citizen(ports: Ports, value: str | None, now: datetime) -> str:
    return persons.citizen_id_for(ports, personnummer((value or "").strip(), "personnummer", stockholm_date(now)))


@dataclass(frozen=True)
class SlotToBook:
    slot: Slot
    unit: UnitRecord
    visit_type: VisitType
    refusal: AppError | None  # why it cannot be booked now (taken, past), shown instead of the form


def slot_to_book(ports: Ports, principal: StaffPrincipal, slot_id: str, now: datetime) -> SlotToBook:
    """The page that books one free time for a citizen (from a free cell of the grid)."""
    slot, unit, visit_type = slot_for_booking(ports, slot_id)
    _require(principal, unit.hsa_id, BOOKERS)
    try:
        _bookable_by_staff(slot, now)
        refusal = None
    except AppError as error:
        refusal = error
    return SlotToBook(slot, unit, visit_type, refusal)


def _bookable_by_staff(slot: Slot, now: datetime) -> None:
    """The staff door's rule for a time to book or move to (domain/booking.py), then whether it is free."""
    if rules.staff_booking_refusal(slot.start, now):
        raise _refused("slot_in_past")
    if not slot.free:
        raise Conflict("slot_taken", "Tiden är redan bokad.")


def book_for_citizen(ports: Ports, principal: StaffPrincipal, slot_id: str, pnr: str | None,
                     now: datetime) -> Booking:  # fmt: skip
    slot, unit, visit_type = slot_for_booking(ports, slot_id)
    _require(principal, unit.hsa_id, BOOKERS)
    citizen_id = _citizen(ports, pnr, now)
    _bookable_by_staff(slot, now)
    booking = Booking(
        booking_id=str(uuid.uuid4()), citizen_id=citizen_id, unit_hsa_id=unit.hsa_id, unit_name=unit.name,
        visit_type_id=visit_type.visit_type_id, visit_type_name=visit_type.name.sv, slot_id=slot.slot_id,
        start=slot.start, end=slot.end, place=slot.place, status=BookingStatus.BOOKED, booked_by="staff",
        created_at=now, hidden_from_citizen=slot.visibility is Visibility.HIDDEN,
    )  # fmt: skip
    try:
        ports.bookings.book(booking, booked_event(booking, Door.STAFF, now))
    except Lost:
        raise Conflict("slot_taken", "Tiden är redan bokad.") from None
    return booking


def _staff_booking(ports: Ports, principal: StaffPrincipal, booking_id: str) -> tuple[Booking, UnitRecord, VisitType]:
    booking = ports.bookings.get(booking_id)
    if booking is None or not principal.has_role(booking.unit_hsa_id, *BOOKERS):
        raise NotFound("booking_not_found", "Bokningen finns inte.")
    if booking.status is not BookingStatus.BOOKED:
        raise Unprocessable("booking_cancelled", "Bokningen är redan avbokad.")
    unit = _unit(ports, booking.unit_hsa_id)
    return booking, unit, _visit_type(unit, booking.visit_type_id)


def _override(rule_refusal: str | None, override_reason: str | None) -> str | None:
    """Past the cutoff staff may still act, with a reason that goes to the citizen and the log."""
    if rule_refusal == "past_cutoff" or rule_refusal == "cancel_not_online":
        reason = (override_reason or "").strip()
        if not reason:
            raise BadInput("override_reason_required", "Tiden är efter gränsen för ändringar. Skriv varför du ändrar "
                                                        "ändå.", field="override_reason")  # fmt: skip
        return reason[:500]
    if rule_refusal:
        raise Unprocessable(rule_refusal, "Tiden har redan varit.")
    return None


def cancel_for_citizen(ports: Ports, principal: StaffPrincipal, booking_id: str, override_reason: str | None,
                       now: datetime) -> Booking:  # fmt: skip
    booking, unit, visit_type = _staff_booking(ports, principal, booking_id)
    reason = _override(rules.cancel_refusal(replace(visit_type.rules, cancel_online=True), booking.start, now),
                       override_reason)  # fmt: skip
    return cancel_booking(ports, booking, "by_unit", now, Door.STAFF, reason)


def move_for_citizen(ports: Ports, principal: StaffPrincipal, booking_id: str, new_slot_id: str,
                     override_reason: str | None, now: datetime) -> Booking:  # fmt: skip
    booking, unit, visit_type = _staff_booking(ports, principal, booking_id)
    if not new_slot_id:
        raise BadInput("slot_required", "Välj en ny tid.", field="slot")
    new_slot, _, _ = slot_for_booking(ports, new_slot_id)
    if new_slot.unit_hsa_id != booking.unit_hsa_id or new_slot.visit_type_id != booking.visit_type_id:
        raise Unprocessable("visit_type_not_offered", "Välj en tid för samma besökstyp på samma enhet.")
    if new_slot.slot_id == booking.slot_id:
        raise Unprocessable("same_slot", "Bokningen har redan den tiden. Välj en annan tid.")
    if rules.staff_booking_refusal(new_slot.start, now):
        raise Unprocessable("slot_in_past", "Den nya tiden har redan varit. Välj en senare tid.")
    reason = _override(rules.rebook_refusal(visit_type.rules, booking.start, now), override_reason)
    # The move writes booking.moved (or summons.changed) with the change: the follow-ups tell the citizen.
    return move_booking(ports, booking, new_slot, now, Door.STAFF, reason)


@dataclass(frozen=True)
class MoveChoices:
    """The page that moves a booking to another day: free times of the same visit type, a week a page."""

    booking: Booking
    unit: UnitRecord
    visit_type: VisitType
    patient: PatientHeader
    week: list[date]
    free: dict[date, list[Slot]]  # per day of the week, in time order
    previous_week: date | None
    next_week: date | None
    move_reason_required: bool  # past the cutoff for rebooking: staff say why
    cancel_reason_required: bool  # past the cutoff for cancelling (or the unit cancels by phone only)
    current_resource: str | None


def move_choices(ports: Ports, principal: StaffPrincipal, booking_id: str, week: date | None,
                 now: datetime) -> MoveChoices:  # fmt: skip
    """A booking at the staff member's unit with the free times of its visit type in one week (this
    week first; never a week in the past, at most MOVE_WEEKS_AHEAD ahead): one Query for the week's
    slots. Shows the patient header, so the read is logged."""
    booking, unit, visit_type = _staff_booking(ports, principal, booking_id)
    today = stockholm_date(now)
    first_week, last_week = week_of(today)[0], week_of(today + timedelta(weeks=MOVE_WEEKS_AHEAD))[0]
    monday = min(max(week_of(week or today)[0], first_week), last_week)
    days = week_of(monday)
    slots = ports.slots.between(unit.hsa_id, day_bounds(days[0])[0], day_bounds(days[-1])[1])
    free: dict[date, list[Slot]] = {d: [] for d in days}
    for slot in slots:
        if slot.free and slot.visit_type_id == booking.visit_type_id and rules.staff_booking_refusal(slot.start, now) \
                is None:  # fmt: skip
            free[stockholm_date(slot.start)].append(slot)
    current = ports.slots.get(booking.slot_id)
    header = patients.view(ports, principal, booking.citizen_id, unit=unit, unit_hsa_id=unit.hsa_id, what="booking",
                           item_id=booking.booking_id, now=now)  # fmt: skip
    return MoveChoices(
        booking=booking, unit=unit, visit_type=visit_type, patient=header, week=days, free=free,
        previous_week=monday - timedelta(weeks=1) if monday > first_week else None,
        next_week=monday + timedelta(weeks=1) if monday < last_week else None,
        move_reason_required=rules.rebook_refusal(visit_type.rules, booking.start, now) == "past_cutoff",
        cancel_reason_required=rules.cancel_refusal(replace(visit_type.rules, cancel_online=True), booking.start,
                                                    now) == "past_cutoff",  # fmt: skip
        current_resource=current.resource if current else None,
    )  # fmt: skip


def invite(ports: Ports, principal: StaffPrincipal, unit_hsa_id: str, fields: dict[str, Any],
           now: datetime) -> str:  # fmt: skip
    """Öppen kallelse: the citizen may book one of these invitation-only slots until it expires."""
    _require(principal, unit_hsa_id, BOOKERS)
    unit = _unit(ports, unit_hsa_id)
    visit_type = _visit_type(unit, fields.get("visit_type", ""))
    citizen_id = _citizen(ports, fields.get("personnummer"), now)
    slot_ids = fields.get("slot_ids") or []
    slots = [ports.slots.get(s) for s in slot_ids]
    if not slots or any(s is None or s.unit_hsa_id != unit.hsa_id or s.visit_type_id != visit_type.visit_type_id
                        or s.visibility is not Visibility.INVITED or not s.free or rules.has_begun(s.start, now)
                        for s in slots):
        raise BadInput("slots_invalid", "Välj lediga tider för inbjudna av samma besökstyp.", field="slot_ids")
    try:
        days = int(fields.get("valid_days") or 14)
    except ValueError:
        days = 0
    if not 1 <= days <= 90:
        raise BadInput("valid_days_invalid", "Inbjudan kan gälla 1–90 dagar.", field="valid_days")
    invitation_id = str(uuid.uuid4())
    record = InvitationRecord(
        citizen_id, invitation_id, unit_hsa_id=unit.hsa_id, visit_type_id=visit_type.visit_type_id,
        slot_ids=set(slot_ids), expires_at=now + timedelta(days=days), created_by=principal.hsa_id,
        created_by_name=principal.display_name, created_at=now)  # fmt: skip
    ports.invitations.create(record, event(Kind.INVITATION_SENT, f"invitation#{invitation_id}", now,
                                           citizen_id=citizen_id, invitation_id=invitation_id))  # fmt: skip
    return invitation_id


def tell_invited(ports: Ports, sent: DomainEvent) -> None:
    """Follow-up of `invitation.sent`: the invitation in the person's inbox, in their language, with
    the button into booking; once per event."""
    record = ports.invitations.get(sent["citizen_id"], sent["invitation_id"])
    unit = ports.units.get(record.unit_hsa_id) if record else None
    visit_type = next((v for v in visit_types_of(unit) if v.visit_type_id == record.visit_type_id), None) \
        if unit else None  # fmt: skip
    if record is None or unit is None or visit_type is None:
        return
    path = f"/book?unit={unit.hsa_id}&visit_type={visit_type.visit_type_id}&invitation={record.invitation_id}"
    lang = persons.reach_of(ports, record.citizen_id, stockholm_date(sent.occurred_at)).language
    letter = inbox.Letter(
        topic=translate(lang, "invitation.mail.topic", visit_type=visit_type.name.in_(lang)),
        subject=translate(lang, "invitation.mail.subject", visit_type=visit_type.name.in_(lang)),
        body=translate(lang, "invitation.mail.body", unit=unit.name, visit_type=visit_type.name.in_(lang),
                       date=f"{record.expires_at.astimezone(STOCKHOLM):%Y-%m-%d}"),
        actions=(Action(translate(lang, "invitation.mail.book"), path),),
    )  # fmt: skip
    inbox.deliver(ports, record.citizen_id, unit, letter, record.created_by, sent.occurred_at,
                  staff_name=record.created_by_name, message_id=sent.follow_up_id("inbox"))


# -- rules per visit type (local admin) -----------------------------------------------------------

RULE_EDITORS = (StaffRole.LOCAL_ADMIN,)
# A visit type's English beside its Swedish name, place and role, with the lengths a slot keeps of them.
VISIT_TEXTS_EN = {"name_en": 100, "place_en": 200, "practitioner_role_en": 100}


def save_offer_hold(ports: Ports, principal: StaffPrincipal, unit_hsa_id: str, value: str) -> int:
    """A local admin sets how long an offer of an earlier time holds a freed slot for one person."""
    from chalicelib.domain.earlier_times import HOLD_LIMITS

    _require(principal, unit_hsa_id, RULE_EDITORS)
    unit = _unit(ports, unit_hsa_id)
    minutes = int(value) if value.strip().isdigit() else -1
    if not HOLD_LIMITS[0] <= minutes <= HOLD_LIMITS[1]:
        raise BadInput("offer_hold_invalid", "Ange minuter mellan 5 och 1440.", field="offer_hold_minutes")
    ports.units.set_offer_hold(unit.hsa_id, minutes)
    return minutes


def save_rules(ports: Ports, principal: StaffPrincipal, unit_hsa_id: str, fields: dict[str, str]) -> VisitType:
    """A local admin sets a visit type's rules: start from a preset, then the hours and switches; and
    the English of its name, place and role, if any (the Swedish comes with the unit's visit types)."""
    _require(principal, unit_hsa_id, RULE_EDITORS)
    unit = _unit(ports, unit_hsa_id)
    current = _visit_type(unit, fields.get("visit_type", ""))
    preset = rules.PRESETS.get(fields.get("preset", ""))
    if preset is None:
        raise BadInput("preset_invalid", "Välj en av förinställningarna.", field="preset")
    hours = {}
    for name in ("cancel_hours", "rebook_hours"):
        try:
            hours[name] = int(fields.get(name) or 24)
        except ValueError:
            hours[name] = -1
        if not 0 <= hours[name] <= 14 * 24:
            raise BadInput("hours_invalid", "Ange timmar mellan 0 och 336.", field=name)
    english = {}
    for name, most in VISIT_TEXTS_EN.items():  # optional; a form without them leaves the English as it was
        if name in fields:
            english[name] = " ".join((fields.get(name) or "").split())
            if len(english[name]) > most:
                raise BadInput("field_too_long", "Högst {limit} tecken.", field=name, values={"limit": most})
    changed = replace(current, web_booking=fields.get("web_booking") == "yes",
                      sensitive=fields.get("sensitive") == "yes",
                      name=Localized(current.name.sv, english.get("name_en", current.name.en)),
                      place=Localized(current.place.sv, english.get("place_en", current.place.en)),
                      practitioner_role=Localized(current.practitioner_role.sv,
                                                  english.get("practitioner_role_en", current.practitioner_role.en)),
                      rules=replace(
        preset, cancel_cutoff=timedelta(hours=hours["cancel_hours"]),
        rebook_cutoff=timedelta(hours=hours["rebook_hours"]), cancel_online=fields.get("cancel_online") == "yes"))
    ports.units.set_visit_types(unit.hsa_id, [changed if v.visit_type_id == current.visit_type_id else v
                                              for v in visit_types_of(unit)])  # fmt: skip
    return changed
