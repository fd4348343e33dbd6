"""The booking rules at their edges: exactly 24 h, 24 h − 1 s, the DST nights, today vs tomorrow
at 23:59 Stockholm time."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from chalicelib.domain.booking import (
    Slot,
    Visibility,
    same_resource_overlap,
    PRESETS,
    BookingRules,
    booking_refusal,
    cancel_refusal,
    can_change_online,
    changes_close_at,
    next_midnight,
    rebook_refusal,
)
from chalicelib.domain.clock import STOCKHOLM

FROM_TOMORROW, SAME_DAY = PRESETS["from_tomorrow"], PRESETS["same_day"]


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=STOCKHOLM).astimezone(timezone.utc)


VISIT = local(2026, 11, 24, 10, 0)


def test_a_rebook_exactly_24_hours_before_is_allowed_and_one_second_later_refused():
    assert rebook_refusal(FROM_TOMORROW, VISIT, VISIT - timedelta(hours=24)) is None
    assert rebook_refusal(FROM_TOMORROW, VISIT, VISIT - timedelta(hours=24) + timedelta(seconds=1)) == "past_cutoff"
    assert rebook_refusal(FROM_TOMORROW, VISIT, VISIT - timedelta(hours=23, minutes=59)) == "past_cutoff"
    assert cancel_refusal(FROM_TOMORROW, VISIT, VISIT - timedelta(hours=24)) is None
    assert cancel_refusal(FROM_TOMORROW, VISIT, VISIT - timedelta(hours=24, seconds=-1)) == "past_cutoff"


def test_separate_cancel_and_rebook_cutoffs():
    rules = BookingRules(cancel_cutoff=timedelta(hours=2), rebook_cutoff=timedelta(hours=48))
    now = VISIT - timedelta(hours=30)
    assert cancel_refusal(rules, VISIT, now) is None and rebook_refusal(rules, VISIT, now) == "past_cutoff"
    assert changes_close_at(rules, VISIT) == VISIT - timedelta(hours=2)


def test_a_unit_that_forbids_online_cancelling():
    rules = BookingRules(cancel_online=False)
    assert cancel_refusal(rules, VISIT, VISIT - timedelta(days=5)) == "cancel_not_online"
    assert changes_close_at(rules, VISIT) == VISIT - timedelta(hours=24)  # rebooking still closes at its cutoff


def test_the_cutoff_is_24_elapsed_hours_across_the_spring_and_autumn_nights():
    # Clocks go forward on 29 March 2026 (02:00 -> 03:00): 24 h before Sunday 10:00 is Saturday 09:00.
    spring_visit = local(2026, 3, 29, 10, 0)
    assert changes_close_at(FROM_TOMORROW, spring_visit).astimezone(STOCKHOLM) == datetime(2026, 3, 28, 9, 0,
                                                                                           tzinfo=STOCKHOLM)
    # Back on 25 October 2026 (03:00 -> 02:00): 24 h before Sunday 10:00 is Saturday 11:00.
    autumn_visit = local(2026, 10, 25, 10, 0)
    closes = changes_close_at(FROM_TOMORROW, autumn_visit)
    assert closes.astimezone(STOCKHOLM).replace(tzinfo=None) == datetime(2026, 10, 24, 11, 0)
    assert rebook_refusal(FROM_TOMORROW, autumn_visit, closes) is None
    assert rebook_refusal(FROM_TOMORROW, autumn_visit, closes + timedelta(seconds=1)) == "past_cutoff"


def test_from_tomorrow_means_the_next_stockholm_day_even_at_23_59():
    late = local(2026, 11, 23, 23, 59)
    assert booking_refusal(FROM_TOMORROW, local(2026, 11, 23, 23, 59, 30), late) == "too_soon"
    assert booking_refusal(FROM_TOMORROW, local(2026, 11, 24, 0, 0), late) is None
    assert booking_refusal(SAME_DAY, local(2026, 11, 23, 23, 59, 30), late) is None
    # 23:30 UTC is already tomorrow in Stockholm: "tomorrow" is the Stockholm date after that.
    utc_late = datetime(2026, 11, 23, 23, 30, tzinfo=timezone.utc)  # 00:30 on the 24th in Stockholm
    assert next_midnight(utc_late) == local(2026, 11, 25, 0, 0)
    assert booking_refusal(FROM_TOMORROW, local(2026, 11, 24, 8, 0), utc_late) == "too_soon"


def test_tomorrow_begins_at_local_midnight_on_the_dst_nights():
    assert next_midnight(local(2026, 3, 28, 12, 0)) == local(2026, 3, 29, 0, 0)
    assert next_midnight(local(2026, 10, 24, 12, 0)) == local(2026, 10, 25, 0, 0)


def test_a_slot_in_the_past_cannot_be_booked_or_changed():
    assert booking_refusal(SAME_DAY, VISIT, VISIT) == "slot_in_past"
    assert rebook_refusal(SAME_DAY, VISIT, VISIT + timedelta(seconds=1)) == "slot_in_past"
    assert not can_change_online(SAME_DAY, VISIT, VISIT + timedelta(minutes=1))
    assert can_change_online(SAME_DAY, VISIT, VISIT - timedelta(hours=25))


def _slot(slot_id: str, hour: int, minute: int, minutes: int, resource: str | None) -> Slot:
    start = datetime(2026, 3, 29, hour, minute, tzinfo=STOCKHOLM)  # the night summer time starts
    return Slot(slot_id, "VC", "sjukskoterska", start, start + timedelta(minutes=minutes), "Plan 2", "Sjuksköterska",
                Visibility.WEB, resource=resource)


def test_a_practitioner_is_not_in_two_places_at_once_but_back_to_back_and_unnamed_times_are_fine():
    eva_nine = _slot("a", 9, 0, 30, "Eva Nilsson")
    assert same_resource_overlap([_slot("b", 9, 15, 15, "  eva NILSSON ")], [eva_nine]) is not None
    assert same_resource_overlap([_slot("b", 9, 30, 30, "Eva Nilsson")], [eva_nine]) is None  # back to back
    assert same_resource_overlap([_slot("b", 8, 30, 30, "Eva Nilsson")], [eva_nine]) is None
    assert same_resource_overlap([_slot("b", 9, 0, 30, "Nora Ny")], [eva_nine]) is None
    assert same_resource_overlap([_slot("b", 9, 0, 30, None)], [eva_nine]) is None  # parallel capacity
    assert same_resource_overlap([_slot("b", 9, 0, 30, "Eva")], [_slot("a", 9, 0, 30, None)]) is None
    assert same_resource_overlap([eva_nine], [eva_nine]) is None  # the same time published again
