"""Earlier-time offers at their edges: the cutoff exactly, the DST nights, midnight, a slot that
starts now, the expiry at the exact second, the fair order and the days gained."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from chalicelib.domain.booking import PRESETS
from chalicelib.domain.clock import STOCKHOLM
from chalicelib.domain.earlier_times import (
    DEFAULT_HOLD,
    MIN_HOLD,
    Waiting,
    days_gained,
    fair_order,
    hold_minutes,
    hold_until,
    is_expired,
    offer_refusal,
    wait_key,
)

FROM_TOMORROW, SAME_DAY = PRESETS["from_tomorrow"], PRESETS["same_day"]  # both: changes close 24 h before


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=STOCKHOLM).astimezone(timezone.utc)


SLOT = local(2026, 11, 26, 10, 0)
LATER = local(2026, 12, 10, 9, 0)


def waiting(start: datetime = LATER, opted: datetime = local(2026, 11, 1, 8, 0), booking_id: str = "b1",
            may_rebook: bool = True) -> Waiting:  # fmt: skip
    return Waiting(booking_id, start, opted, may_rebook)


def test_a_later_changeable_booking_is_offered_a_free_earlier_slot():
    now = local(2026, 11, 24, 12, 0)
    assert offer_refusal(SAME_DAY, SLOT, waiting(), now) is None
    assert hold_until(SAME_DAY, SLOT, now) == now + DEFAULT_HOLD


def test_not_earlier_not_changeable_or_offered_before_is_not_offered():
    now = local(2026, 11, 24, 12, 0)
    assert offer_refusal(SAME_DAY, SLOT, waiting(start=SLOT), now) == "not_earlier"  # the same time
    assert offer_refusal(SAME_DAY, SLOT, waiting(start=SLOT - timedelta(minutes=30)), now) == "not_earlier"
    assert offer_refusal(SAME_DAY, SLOT, waiting(may_rebook=False), now) == "booking_not_changeable"
    assert offer_refusal(SAME_DAY, SLOT, waiting(), now, already_offered=True) == "already_offered"
    # The booking itself is inside its own cutoff (so is any earlier slot).
    soon = now + timedelta(hours=23)
    assert offer_refusal(SAME_DAY, now + timedelta(hours=2), waiting(start=soon), now) == "booking_not_changeable"


def test_the_hold_stops_at_the_slots_cutoff_and_under_five_minutes_nothing_is_offered():
    closes = SLOT - timedelta(hours=24)
    assert hold_until(SAME_DAY, SLOT, closes - timedelta(minutes=10)) == closes  # cut short, still 10 min
    assert hold_until(SAME_DAY, SLOT, closes - MIN_HOLD) == closes  # exactly five minutes: offered
    assert hold_until(SAME_DAY, SLOT, closes - MIN_HOLD + timedelta(seconds=1)) is None
    assert hold_until(SAME_DAY, SLOT, closes) is None  # the cutoff exactly
    assert offer_refusal(SAME_DAY, SLOT, waiting(), closes) == "slot_inside_cutoff"
    assert hold_until(SAME_DAY, SLOT, closes - timedelta(hours=2), timedelta(minutes=45)) == \
        closes - timedelta(hours=2) + timedelta(minutes=45)  # the unit's own hold  # fmt: skip


def test_a_slot_that_starts_now_or_has_begun_is_never_offered():
    rules = SAME_DAY.__class__(earliest=SAME_DAY.earliest, rebook_cutoff=timedelta(0))
    now = SLOT
    assert hold_until(rules, SLOT, now) is None
    assert hold_until(rules, SLOT, now + timedelta(seconds=1)) is None
    assert hold_until(rules, SLOT, now - timedelta(minutes=30)) == now  # no cutoff: held until it starts


def test_midnight_and_the_units_earliest_rule():
    # A "from tomorrow" unit: a slot today is not bookable online, so not offered, even with no cutoff.
    rules = FROM_TOMORROW.__class__(earliest=FROM_TOMORROW.earliest, rebook_cutoff=timedelta(0))
    slot = local(2026, 11, 25, 10, 0)
    assert hold_until(rules, slot, local(2026, 11, 24, 23, 59)) is not None  # tomorrow, a minute before midnight
    assert hold_until(rules, slot, local(2026, 11, 25, 0, 0)) is None  # midnight: now it is today


def test_an_offer_made_at_night_is_held_from_the_mornings_sms():
    # At 22:30 nobody is texted until 08:00: the half hour runs from then.
    assert hold_until(SAME_DAY, SLOT, local(2026, 11, 24, 22, 30)) == local(2026, 11, 25, 8, 30)
    assert hold_until(SAME_DAY, SLOT, local(2026, 11, 24, 20, 59)) == local(2026, 11, 24, 21, 29)
    assert hold_until(SAME_DAY, SLOT, local(2026, 11, 25, 7, 59, 59)) == local(2026, 11, 25, 8, 30)
    # A slot whose cutoff comes before the morning (with five minutes to answer) is not offered at night.
    assert hold_until(SAME_DAY, local(2026, 11, 26, 8, 4), local(2026, 11, 24, 23, 0)) is None
    assert hold_until(SAME_DAY, local(2026, 11, 26, 8, 5), local(2026, 11, 24, 23, 0)) == local(2026, 11, 25, 8, 5)


def test_the_cutoff_across_the_dst_nights_is_elapsed_time():
    # Spring forward (29 March 2026, 02:00): 24 h before 10:00 that Sunday is 09:00 on the Saturday...
    spring = local(2026, 3, 29, 10, 0)
    assert hold_until(SAME_DAY, spring, local(2026, 3, 28, 8, 55)) == local(2026, 3, 28, 9, 0)
    assert hold_until(SAME_DAY, spring, local(2026, 3, 28, 8, 56)) is None
    # ... and falling back (25 October 2026, 03:00), 11:00 on the Saturday.
    autumn = local(2026, 10, 25, 10, 0)
    assert hold_until(SAME_DAY, autumn, local(2026, 10, 24, 10, 30)) == local(2026, 10, 24, 11, 0)
    assert hold_until(SAME_DAY, autumn, local(2026, 10, 24, 10, 56)) is None


def test_the_offer_has_expired_at_the_exact_second():
    expires = local(2026, 11, 24, 12, 30)
    assert not is_expired(expires, expires - timedelta(seconds=1))
    assert is_expired(expires, expires)


def test_the_longest_wait_first_ties_by_booking_id():
    early = waiting(opted=local(2026, 11, 1, 8, 0), booking_id="zz")
    tie_a = waiting(opted=local(2026, 11, 2, 8, 0), booking_id="aa")
    tie_b = waiting(opted=local(2026, 11, 2, 8, 0), booking_id="bb")
    assert fair_order([tie_b, tie_a, early]) == [early, tie_a, tie_b]
    # The index key sorts the same, whatever time zone the moment came in.
    assert wait_key(local(2026, 11, 2, 8, 0), "x") == wait_key(local(2026, 11, 2, 8, 0).astimezone(STOCKHOLM), "x")


def test_days_gained_are_stockholm_calendar_days():
    assert days_gained(LATER, SLOT) == 14
    assert days_gained(local(2026, 11, 26, 0, 30), local(2026, 11, 25, 23, 30)) == 1  # across midnight
    assert days_gained(local(2026, 11, 26, 16, 0), local(2026, 11, 26, 8, 0)) == 0


def test_the_units_hold_setting():
    assert hold_minutes(None) == 30 and hold_minutes("x") == 30 and hold_minutes(2) == 30
    assert hold_minutes(45) == 45 and hold_minutes(24 * 60 + 1) == 30
