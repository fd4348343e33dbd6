"""Earlier times (tidigare tid): a citizen asks, on a booking, to be offered an earlier time of the
same visit type at the unit when one comes free. The rules here are pure; services/earlier_times.py
finds the waiting bookings, holds the slot and writes the offer.

- Who may be offered a freed slot: a booking of the same unit and visit type that starts later than
  the slot, that may still be changed online now, and that has not been offered this slot before.
- In which order: the longest wait first (opted in earliest), ties by booking id.
- For how long: the unit's hold (default 30 minutes), never past the moment the slot itself closes
  for online changes; if fewer than MIN_HOLD would remain, nothing is offered (a person needs time
  to read the notice and answer). An offer made at night is held from 08:00, when its SMS may go.
- Nothing is offered inside the cutoff: a slot a citizen could not book online now is not offered.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from chalicelib.domain import booking as rules
from chalicelib.domain.clock import STOCKHOLM
from chalicelib.domain.notifications import Channel, earliest_send_time

DEFAULT_HOLD = timedelta(minutes=30)  # a unit setting (UnitRecord.offer_hold_minutes); this when unset
MIN_HOLD = timedelta(minutes=5)  # less than this left before the slot closes: no offer
HOLD_LIMITS = (5, 24 * 60)  # minutes a unit may set


class OfferState:
    OPEN = "open"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    EXPIRED = "expired"


@dataclass(frozen=True, slots=True)
class Waiting:
    """A booking whose holder asked for an earlier time, as the wait list holds it."""

    booking_id: str
    start: datetime  # the booking's current time
    opted_in_at: datetime
    may_rebook: bool = True  # care may forbid online changes for one booking


def wait_key(opted_in_at: datetime, booking_id: str) -> str:
    """The wait list's order as one sortable key: opted in earliest first, then by booking id."""
    return f"{opted_in_at.astimezone(timezone.utc).isoformat()}#{booking_id}"


def fair_order(waiting: list[Waiting]) -> list[Waiting]:
    return sorted(waiting, key=lambda w: wait_key(w.opted_in_at, w.booking_id))


def slot_closes_at(visit_rules: rules.BookingRules, slot_start: datetime) -> datetime:
    """The last moment the freed slot could be moved to online: the visit type's rebooking cutoff."""
    return slot_start - visit_rules.rebook_cutoff


def hold_until(visit_rules: rules.BookingRules, slot_start: datetime, now: datetime,
               hold: timedelta = DEFAULT_HOLD) -> datetime | None:  # fmt: skip
    """When an offer of this slot made now expires: the unit's hold, cut at the slot's own cutoff;
    None when the slot may not be offered now (inside its cutoff, too soon for the unit's earliest
    rule, begun, or less than MIN_HOLD left to answer)."""
    if rules.booking_refusal(visit_rules, slot_start, now) is not None:
        return None
    starts = answerable_from(now)
    until = min(starts + hold, slot_closes_at(visit_rules, slot_start))
    return until if until - starts >= MIN_HOLD else None


def answerable_from(now: datetime) -> datetime:
    """When the person can be told of an offer made now: at once by day; at night the SMS waits for
    08:00 (domain/notifications.py), so the hold runs from then (a cutoff before it: no offer)."""
    return earliest_send_time(Channel.SMS, now)


def offer_refusal(visit_rules: rules.BookingRules, slot_start: datetime, waiting: Waiting, now: datetime,
                  already_offered: bool = False) -> str | None:  # fmt: skip
    """Why this waiting booking is not offered this slot now, or None. The unit and visit type are
    the wait list's key, so they match already."""
    if already_offered:
        return "already_offered"
    if not slot_start < waiting.start:
        return "not_earlier"
    if not waiting.may_rebook or rules.rebook_refusal(visit_rules, waiting.start, now) is not None:
        return "booking_not_changeable"
    if hold_until(visit_rules, slot_start, now) is None:
        return "slot_inside_cutoff"
    return None


def is_expired(expires_at: datetime, now: datetime) -> bool:
    """An offer may be accepted up to, not at, its expiry: at the exact second it has passed on."""
    return now >= expires_at


def days_gained(old_start: datetime, new_start: datetime) -> int:
    """Calendar days (Stockholm) the visit came earlier by: 0 for a time the same day."""
    return (old_start.astimezone(STOCKHOLM).date() - new_start.astimezone(STOCKHOLM).date()).days


def hold_minutes(value: object) -> int:
    """A unit's hold setting in minutes; unset or out of range is the default."""
    try:
        minutes = int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return int(DEFAULT_HOLD.total_seconds() // 60)
    low, high = HOLD_LIMITS
    return minutes if low <= minutes <= high else int(DEFAULT_HOLD.total_seconds() // 60)
