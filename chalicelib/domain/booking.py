"""Web booking (webbtidbok): slots, visit types and the rules a unit sets for them.

The rules are read from the clock at each request; the one-time schedule at the cutoff only
sends a reminder. Cutoffs are elapsed time ("24 hours before the visit"): across a daylight
saving night, 24 hours before 10:00 is 09:00 or 11:00 on the wall clock the day before.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from enum import Enum

from chalicelib.domain.clock import STOCKHOLM


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
    visit_type_id: str
    name: str  # a plain name citizens understand
    duration_minutes: int
    place: str
    practitioner_role: str  # "Sjuksköterska", "Läkare", …
    rules: BookingRules
    web_booking: bool = True  # citizens may book it themselves
    sensitive: bool = False  # the unit marks it sensitive: a calendar shows only "Besök"


STAFF = "staff"  # the source of slots published in the staff tool


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

    @property
    def free(self) -> bool:
        return self.booking_id is None


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


def booking_refusal(rules: BookingRules, start: datetime, now: datetime) -> str | None:
    """Why a citizen may not book a slot starting at `start` now, or None."""
    if start <= now:
        return "slot_in_past"
    if rules.earliest is Earliest.TOMORROW and start < next_midnight(now):
        return "too_soon"
    return None


def cancel_refusal(rules: BookingRules, start: datetime, now: datetime) -> str | None:
    """Online cancelling: allowed up to and including exactly the cutoff before the visit."""
    if not rules.cancel_online:
        return "cancel_not_online"
    if start <= now:
        return "slot_in_past"
    if now > start - rules.cancel_cutoff:
        return "past_cutoff"
    return None


def rebook_refusal(rules: BookingRules, start: datetime, now: datetime) -> str | None:
    """Online rebooking of a booking that starts at `start`."""
    if start <= now:
        return "slot_in_past"
    if now > start - rules.rebook_cutoff:
        return "past_cutoff"
    return None


def changes_close_at(rules: BookingRules, start: datetime) -> datetime:
    """The last moment any online change (rebook, or cancel where allowed) is possible."""
    cutoffs = [rules.rebook_cutoff] + ([rules.cancel_cutoff] if rules.cancel_online else [])
    return start - min(cutoffs)


def can_change_online(rules: BookingRules, start: datetime, now: datetime) -> bool:
    return now <= changes_close_at(rules, start) and start > now


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
