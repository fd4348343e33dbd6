"""The rule a person is told for a booking now: until when they may cancel and rebook online, the
same answers as the refusals, including exactly at the cutoff and a unit that takes cancellations
by phone only."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from chalicelib.domain.booking import BookingRules, ChangeWindow, change_window

START = datetime(2026, 3, 10, 9, 0, tzinfo=timezone.utc)
RULES = BookingRules(cancel_cutoff=timedelta(hours=24), rebook_cutoff=timedelta(hours=48))


def test_until_when_each_change_is_possible():
    now = START - timedelta(days=5)
    assert change_window(RULES, START, now) == ChangeWindow(START - timedelta(hours=24), START - timedelta(hours=48),
                                                            False)  # fmt: skip


def test_exactly_at_the_cutoff_it_is_still_possible_and_a_second_later_it_is_not():
    at_cutoff = START - timedelta(hours=24)
    assert change_window(RULES, START, at_cutoff).cancel_until == at_cutoff
    assert change_window(RULES, START, at_cutoff + timedelta(seconds=1)).cancel_until is None
    assert change_window(RULES, START, at_cutoff).rebook_until is None  # 48 hours had passed


def test_care_forbidding_and_cancellations_by_phone_only():
    now = START - timedelta(days=5)
    assert change_window(RULES, START, now, may_rebook=False).rebook_until is None
    assert change_window(RULES, START, now, may_cancel=False).cancel_until is None
    by_phone = change_window(BookingRules(cancel_online=False), START, now)
    assert by_phone.cancel_until is None and by_phone.rebook_until is not None and by_phone.cancel_by_phone_only
