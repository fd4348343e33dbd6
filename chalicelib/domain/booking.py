"""Web booking (webbtidbok): slots, visit types and the rules a unit sets for them.

The rules are read from the clock at each request; the one-time schedule at the cutoff only
sends a reminder. Cutoffs are elapsed time ("24 hours before the visit"): across a daylight
saving night, 24 hours before 10:00 is 09:00 or 11:00 on the wall clock the day before.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from enum import Enum

from chalicelib.domain.clock import STOCKHOLM
from chalicelib.domain.localized import Localized, localized


class Visibility(str, Enum):
    WEB = "web"  # open for web booking
    INVITED = "invited"  # only for citizens with an open invitation (öppen kallelse)
    HIDDEN = "hidden"  # booked by care only; not shown


class Earliest(str, Enum):
    TODAY = "today"  # same-day booking allowed (the PMO style)
    TOMORROW = "tomorrow"  # from the next day (the PASiS style)


@dataclass(frozen=True, slots=True)
class BookingRules:
    earliest: Earliest = Earliest.TOMORROW
    cancel_cutoff: timedelta = timedelta(hours=24)
    rebook_cutoff: timedelta = timedelta(hours=24)
    cancel_online: bool = True  # a unit may forbid it for medical reasons: then people call


# The two styles the seed regions describe; a unit starts from one and may change the values.
PRESETS = {
    "same_day": BookingRules(earliest=Earliest.TODAY),
    "from_tomorrow": BookingRules(earliest=Earliest.TOMORROW),
}


@dataclass(frozen=True, slots=True)
class VisitType:
    """Name, place and practitioner role in Swedish and optionally English (a plain str is Swedish
    only): `visit_type.name.in_(lang)`. Slots and bookings keep a copy of the Swedish as it was
    written (localized.as_shown reads such a copy in the reader's language)."""

    visit_type_id: str
    name: Localized  # a plain name citizens understand
    duration_minutes: int
    place: Localized
    practitioner_role: Localized  # "Sjuksköterska", "Läkare", …
    rules: BookingRules
    web_booking: bool = True  # citizens may book it themselves
    sensitive: bool = False  # the unit marks it sensitive: a calendar shows only "Besök"

    def __post_init__(self) -> None:
        for name in ("name", "place", "practitioner_role"):
            object.__setattr__(self, name, localized(getattr(self, name)))


STAFF = "staff"  # the source of slots published in the staff tool
RESOURCE_MAX = 80  # a resource's name: "Eva Nilsson", "Provtagningsrum 2"


def resource_name(value: str | None) -> str | None:
    """The practitioner or room (resurs) a time belongs to, as staff and care systems write it: one
    line, spaces collapsed; nothing written is no resource (the grid's "Ej angiven")."""
    return " ".join((value or "").split()) or None


def resource_key(name: str | None) -> str:
    """The same resource however it is capitalised or spaced: part of the staff tool's slot id."""
    folded = (resource_name(name) or "").casefold()
    return hashlib.sha256(folded.encode()).hexdigest()[:10] if folded else ""


@dataclass(frozen=True, slots=True)
class Slot:
    slot_id: str
    unit_hsa_id: str
    visit_type_id: str
    start: datetime  # UTC
    end: datetime
    place: str
    practitioner_role: str
    visibility: Visibility
    booking_id: str | None = None
    source: str | None = None  # who published it: a care system's key id or STAFF; None: an appointment's own
    resource: str | None = None  # the practitioner or room (resurs); None: not specified
    citizen_id: str | None = None  # who holds it, with booking_id (None on slots booked before it was kept)
    held_for: str | None = None  # the booking an earlier-time offer holds it for (domain/earlier_times.py)
    held_until: datetime | None = None

    @property
    def free(self) -> bool:
        """Neither booked nor held for an offer: anyone may book it (within the rules)."""
        return self.booking_id is None and self.held_for is None

    def as_published(self) -> Slot:
        """The slot as a publisher describes it: without who holds it."""
        return replace(self, booking_id=None, citizen_id=None, held_for=None, held_until=None)


def same_resource_overlap(wanted: Sequence[Slot], existing: Iterable[Slot]) -> tuple[Slot, Slot] | None:
    """A wanted time and an existing one that would have the same practitioner or room in two places
    at once (the same resource, overlapping, not the same slot); None when there is none. Times
    without a resource are parallel capacity and may overlap."""
    for old in existing:
        key = resource_key(old.resource)
        if not key:
            continue
        for new in wanted:
            if new.slot_id != old.slot_id and resource_key(new.resource) == key and new.start < old.end \
                    and old.start < new.end:  # fmt: skip
                return new, old
    return None


class BookingStatus(str, Enum):
    BOOKED = "booked"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class Booking:
    booking_id: str
    citizen_id: str
    unit_hsa_id: str
    unit_name: str
    visit_type_id: str
    visit_type_name: str
    slot_id: str
    start: datetime
    end: datetime
    place: str
    status: BookingStatus
    booked_by: str  # "citizen", "staff" or "care_system"
    created_at: datetime
    hidden_from_citizen: bool = False
    cancel_reason: str | None = None
    invitation_id: str | None = None
    allow_rebook: bool = True  # care may forbid online changes for one booking
    allow_cancel: bool = True
    sequence: int = 0  # one more for every change (moved, retimed, cancelled): the calendar file's SEQUENCE

    def moved_to(self, slot: Slot) -> Booking:
        return replace(self, slot_id=slot.slot_id, start=slot.start, end=slot.end, place=slot.place,
                       sequence=self.sequence + 1)

    def cancelled(self, reason: str | None) -> Booking:
        return replace(self, status=BookingStatus.CANCELLED, cancel_reason=reason, sequence=self.sequence + 1)


# Structured reasons the unit sees when a citizen cancels (optional).
CANCEL_REASONS = ("feeling_better", "cannot_come", "booked_elsewhere", "other")


def next_midnight(now: datetime) -> datetime:
    """The start of tomorrow in Stockholm (UTC), DST-safe: built from the wall clock."""
    local = now.astimezone(STOCKHOLM)
    return datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=STOCKHOLM).astimezone(now.tzinfo)


def has_begun(start: datetime, now: datetime) -> bool:
    """A time that has begun is past: never offered, booked or moved to, through any door."""
    return start <= now


def staff_booking_refusal(start: datetime, now: datetime) -> str | None:
    """Why staff may not book a slot starting at `start` (or move a booking to it) now, or None. Staff
    book the same day whatever the visit type's rules for citizens; never a time that has begun."""
    return "slot_in_past" if has_begun(start, now) else None


def booking_refusal(rules: BookingRules, start: datetime, now: datetime) -> str | None:
    """Why a citizen may not book a slot starting at `start` now, or None."""
    if refusal := staff_booking_refusal(start, now):
        return refusal
    if rules.earliest is Earliest.TOMORROW and start < next_midnight(now):
        return "too_soon"
    return None


def cancel_refusal(rules: BookingRules, start: datetime, now: datetime) -> str | None:
    """Online cancelling: allowed up to and including exactly the cutoff before the visit."""
    if not rules.cancel_online:
        return "cancel_not_online"
    if has_begun(start, now):
        return "slot_in_past"
    if now > start - rules.cancel_cutoff:
        return "past_cutoff"
    return None


def rebook_refusal(rules: BookingRules, start: datetime, now: datetime) -> str | None:
    """Online rebooking of a booking that starts at `start`."""
    if has_begun(start, now):
        return "slot_in_past"
    if now > start - rules.rebook_cutoff:
        return "past_cutoff"
    return None


def changes_close_at(rules: BookingRules, start: datetime) -> datetime:
    """The last moment any online change (rebook, or cancel where allowed) is possible."""
    cutoffs = [rules.rebook_cutoff] + ([rules.cancel_cutoff] if rules.cancel_online else [])
    return start - min(cutoffs)


def can_change_online(rules: BookingRules, start: datetime, now: datetime) -> bool:
    return now <= changes_close_at(rules, start) and not has_begun(start, now)


@dataclass(frozen=True, slots=True)
class ChangeWindow:
    """What a person may do online with a booking, as of one moment: each a last moment, or None."""

    cancel_until: datetime | None
    rebook_until: datetime | None
    cancel_by_phone_only: bool  # the unit takes cancellations by phone, whatever the time


def change_window(rules: BookingRules, start: datetime, now: datetime, *, may_cancel: bool = True,
                  may_rebook: bool = True) -> ChangeWindow:  # fmt: skip
    """The same answers as cancel_refusal and rebook_refusal, stated as until-when, for the page that
    tells a person the rule that applies to them now (a time booked inside the cutoff has none)."""
    cancel_ok = may_cancel and cancel_refusal(rules, start, now) is None
    rebook_ok = may_rebook and rebook_refusal(rules, start, now) is None
    return ChangeWindow(cancel_until=start - rules.cancel_cutoff if cancel_ok else None,
                        rebook_until=start - rules.rebook_cutoff if rebook_ok else None,
                        cancel_by_phone_only=not rules.cancel_online)  # fmt: skip
