"""When a summons goes out and on which channels: 17:59:59 vs 18:00:00, the DST days."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from chalicelib.domain.clock import STOCKHOLM
from chalicelib.domain.summons import Channels, channels, latest_due_date, release_date
from local.scheduler import due_between
from schedules import SCHEDULES

RELEASE = next(s for s in SCHEDULES if s.name == "summons-release")


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=STOCKHOLM).astimezone(timezone.utc)


@pytest.mark.parametrize("day", [date(2026, 11, 23), date(2026, 3, 29), date(2026, 10, 25), date(2026, 3, 28)])
def test_booked_at_17_59_59_goes_that_evening_and_at_18_00_the_next(day):
    assert release_date(local(day.year, day.month, day.day, 17, 59, 59)) == day
    assert release_date(local(day.year, day.month, day.day, 18, 0, 0)) == day + timedelta(days=1)
    assert release_date(local(day.year, day.month, day.day, 0, 0, 0)) == day


@pytest.mark.parametrize("day", [date(2026, 3, 28), date(2026, 3, 29), date(2026, 3, 30), date(2026, 10, 24),
                                 date(2026, 10, 25), date(2026, 10, 26)])  # fmt: skip
def test_the_release_runs_at_18_00_local_time_on_the_days_around_the_dst_changes(day):
    start = datetime.combine(day, datetime.min.time(), tzinfo=STOCKHOLM).astimezone(timezone.utc)
    first = due_between(RELEASE, start, start + timedelta(hours=23))[0]
    assert first.astimezone(STOCKHOLM).replace(tzinfo=None) == datetime(day.year, day.month, day.day, 18, 0)
    # and a run at that moment releases that day's batch, while one a second earlier does not
    assert latest_due_date(first) == day
    assert latest_due_date(first - timedelta(seconds=1)) == day - timedelta(days=1)


def test_catch_up_runs_follow_every_ten_minutes_until_midnight():
    day = datetime(2026, 11, 23, tzinfo=STOCKHOLM).astimezone(timezone.utc)
    runs = due_between(RELEASE, day, day + timedelta(days=1))
    assert len(runs) == 36 and runs[-1].astimezone(STOCKHOLM).strftime("%H:%M") == "23:50"


def test_channels():
    assert channels(reaches_digitally=True, digital_first=True) == Channels(inbox=True, paper=False)
    assert channels(reaches_digitally=True, digital_first=False) == Channels(inbox=True, paper=True)
    assert channels(reaches_digitally=False, digital_first=False) == Channels(inbox=False, paper=True)
