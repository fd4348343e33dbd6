"""When care may book a summons without saying it is meant: inside the unit's opening hours on a
working day (Stockholm time, public holidays closed) and at most two years ahead; and rebooking
online only for a web-bookable visit type, else the summons says to call."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from functools import partial

from chalicelib.domain.case_due import OpeningHours
from chalicelib.domain.clock import STOCKHOLM
from chalicelib.domain.summons import (
    OUTSIDE_OPENING_HOURS,
    TOO_FAR_AHEAD,
    Template,
    describe_hours,
    may_rebook_allowed,
    summons_text,
    timing_refusals,
)
from chalicelib.catalogs import translate

SAY = partial(translate, "sv")
HOURS = OpeningHours({d: (time(7, 30), time(16, 0)) for d in range(5)})
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)  # a Monday


def _visit(day: date, hour: int, minute: int = 0, minutes: int = 30) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(hour, minute), tzinfo=STOCKHOLM)
    return start, start + timedelta(minutes=minutes)


def test_inside_opening_hours_on_a_working_day_needs_nothing():
    assert timing_refusals(*_visit(date(2026, 3, 4), 7, 30), HOURS, NOW) == ()
    assert timing_refusals(*_visit(date(2026, 3, 4), 15, 30), HOURS, NOW) == ()  # ends at closing


def test_before_opening_after_closing_a_weekend_or_a_public_holiday_is_outside():
    for visit in (_visit(date(2026, 3, 4), 7, 0), _visit(date(2026, 3, 4), 15, 45), _visit(date(2026, 3, 7), 10),
                  _visit(date(2026, 6, 19), 10),  # Midsummer Eve
                  _visit(date(2026, 12, 25), 10)):  # fmt: skip
        assert timing_refusals(*visit, HOURS, NOW) == (OUTSIDE_OPENING_HOURS,), visit


def test_opening_hours_are_read_in_stockholm_time_across_daylight_saving():
    # 29 March 2026 clocks go forward: 07:30 Stockholm is 05:30 UTC after, 06:30 UTC before
    after = datetime(2026, 3, 30, 5, 30, tzinfo=timezone.utc)
    assert timing_refusals(after, after + timedelta(minutes=30), HOURS, NOW) == ()
    before = datetime(2026, 3, 27, 5, 30, tzinfo=timezone.utc)  # 06:30 Stockholm on the Friday
    assert timing_refusals(before, before + timedelta(minutes=30), HOURS, NOW) == (OUTSIDE_OPENING_HOURS,)


def test_more_than_two_years_ahead_is_too_far():
    assert timing_refusals(*_visit(date(2028, 3, 2), 10), HOURS, NOW) == ()
    assert timing_refusals(*_visit(date(2028, 3, 3), 10), HOURS, NOW) == (TOO_FAR_AHEAD,)
    assert timing_refusals(*_visit(date(2028, 3, 4), 10), HOURS, NOW) == (OUTSIDE_OPENING_HOURS, TOO_FAR_AHEAD)


def test_hours_in_words():
    assert describe_hours(HOURS) == "mån–fre 07:30–16:00"
    friday = OpeningHours({**{d: (time(8), time(17)) for d in range(4)}, 4: (time(8), time(16))})
    assert describe_hours(friday) == "mån–tors 08:00–17:00, fre 08:00–16:00"


def test_rebooking_online_only_for_a_web_bookable_visit_type_and_otherwise_the_summons_says_call():
    assert may_rebook_allowed(web_bookable=True, may_rebook=True)
    assert may_rebook_allowed(web_bookable=False, may_rebook=False)
    assert not may_rebook_allowed(web_bookable=False, may_rebook=True)
    start, end = _visit(date(2026, 3, 4), 10)
    text = summons_text(SAY, Template(), unit_name="Kardiologmottagningen", visit_type="Årskontroll", start=start, end=end,
                        place="Ingång 3", preparation="", links=(), updated=False, may_rebook=False,
                        unit_phone="010-100 20 00")  # fmt: skip
    assert "Tiden kan inte bokas om i e-tjänsterna. Behöver du en annan tid, ring Kardiologmottagningen på " \
           "010-100 20 00." in text.body  # fmt: skip
    plain = summons_text(SAY, Template(), unit_name="X", visit_type="Y", start=start, end=end, place="Z", preparation="",
                         links=(), updated=False)  # fmt: skip
    assert "ring" not in plain.body
