"""Case due times: two opening hours, capped at closing; Friday 16:30, the day before Midsummer
Eve, Christmas, after hours, and across a DST night."""

from __future__ import annotations

from datetime import datetime, time, timezone

import pytest

from chalicelib.domain.case_due import OpeningHours, due_at, is_working_day
from chalicelib.domain.clock import STOCKHOLM

HOURS = OpeningHours.default()  # 08:00-17:00 Monday-Friday


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=STOCKHOLM).astimezone(timezone.utc)


@pytest.mark.parametrize(("arrived", "due"), [
    ((2026, 11, 24, 9, 15), (2026, 11, 24, 11, 15)),  # a Tuesday morning: two hours
    ((2026, 11, 27, 16, 30), (2026, 11, 27, 17, 0)),  # Friday 16:30: closing time the same day
    ((2026, 11, 27, 17, 0), (2026, 11, 30, 10, 0)),  # Friday at closing: Monday 08:00 + 2 h
    ((2026, 11, 24, 20, 0), (2026, 11, 25, 10, 0)),  # after hours: from the next opening
    ((2026, 11, 24, 6, 30), (2026, 11, 24, 10, 0)),  # before opening
    ((2026, 11, 28, 12, 0), (2026, 11, 30, 10, 0)),  # a Saturday
    ((2026, 6, 18, 16, 0), (2026, 6, 18, 17, 0)),  # the day before Midsummer Eve: closing that day
    ((2026, 6, 18, 17, 30), (2026, 6, 22, 10, 0)),  # after it: Midsummer Eve and the weekend pass
    ((2026, 12, 23, 15, 0), (2026, 12, 23, 17, 0)),  # the day before Christmas Eve
    ((2026, 12, 23, 18, 0), (2026, 12, 28, 10, 0)),  # Christmas Eve, Christmas Day, the weekend
    ((2026, 12, 30, 19, 0), (2027, 1, 4, 10, 0)),  # New Year's Eve and Day, then the weekend
    ((2026, 3, 27, 18, 0), (2026, 3, 30, 10, 0)),  # over the spring DST weekend: 08:00 local + 2 h
])  # fmt: skip
def test_due_times(arrived, due):
    assert due_at(local(*arrived), HOURS) == local(*due)


def test_working_days_follow_the_swedish_calendar():
    assert not is_working_day(datetime(2026, 6, 19).date())  # Midsummer Eve (de facto)
    assert not is_working_day(datetime(2026, 12, 24).date())  # Christmas Eve (de facto)
    assert not is_working_day(datetime(2026, 5, 14).date())  # Ascension Day
    assert is_working_day(datetime(2026, 5, 15).date())  # the squeeze day is a working day
    assert not is_working_day(datetime(2026, 6, 6).date())  # National Day (a Saturday anyway)


def test_a_unit_with_its_own_hours():
    short_friday = OpeningHours({**OpeningHours.default().days, 4: (time(8, 0), time(12, 0))})
    assert due_at(local(2026, 11, 27, 11, 0), short_friday) == local(2026, 11, 27, 12, 0)
    assert due_at(local(2026, 11, 27, 13, 0), short_friday) == local(2026, 11, 30, 10, 0)

