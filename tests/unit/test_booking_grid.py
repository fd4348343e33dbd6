"""The Tidbok's grids: the day's rows and columns, and the week's counts (domain/booking_grid.py)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from chalicelib.domain import booking as rules
from chalicelib.domain.booking import Slot, Visibility, resource_key
from chalicelib.domain.booking_grid import Counts, day_grid, resources_of, step_minutes, week_grid
from chalicelib.domain.clock import STOCKHOLM

DAY = date(2026, 3, 10)  # a Tuesday


def _slot(hour: int, minute: int = 0, minutes: int = 30, resource: str | None = None, booked: bool = False,
          day: date = DAY) -> Slot:  # fmt: skip
    start = datetime.combine(day, time(hour, minute), tzinfo=STOCKHOLM).astimezone(timezone.utc)
    return Slot(f"U/{day}-{hour}-{minute}-{resource}", "U", "v", start, start + timedelta(minutes=minutes), "p", "r",
                Visibility.WEB, "b" if booked else None, "staff", resource)  # fmt: skip


def test_the_step_is_the_largest_every_start_and_length_fit():
    assert step_minutes([]) == 15
    assert step_minutes([_slot(9), _slot(9, 30)]) == 30
    assert step_minutes([_slot(9), _slot(9, 30, minutes=15)]) == 15
    assert step_minutes([_slot(9, minutes=60), _slot(10, minutes=60)]) == 60
    assert step_minutes([_slot(9, 7, minutes=20)]) == 5  # an odd time still gets a row


def test_columns_are_each_resource_once_by_name_and_not_specified_last():
    slots = [_slot(9, resource=None), _slot(9, resource="Provtagningsrum 2"), _slot(10, resource="provtagningsrum  2"),
             _slot(9, resource="Eva Nilsson")]  # fmt: skip
    assert resources_of(slots) == ["Eva Nilsson", "Provtagningsrum 2", None]
    assert resource_key(" Eva  NILSSON ") == resource_key("eva nilsson") != resource_key("Eva Nilsson 2")
    assert resource_key(None) == resource_key("   ") == ""


def test_the_day_spans_the_opening_hours_and_every_slot_and_a_slot_shows_where_it_begins():
    eva_9 = _slot(9, resource="Eva Nilsson", booked=True)
    early = _slot(7, 30, resource="Eva Nilsson")  # before opening
    room = _slot(9, 15, minutes=15, resource="Rum 2")
    both = _slot(9, resource="Eva Nilsson")  # two at once for one resource: both are seen
    grid = day_grid([eva_9, early, room, both], lambda s: s, (time(8, 0), time(17, 0)))
    assert grid.step == 15 and grid.resources == ("Eva Nilsson", "Rum 2")
    labels = [r.label for r in grid.rows]
    assert labels[0] == "07:30" and labels[-1] == "16:45" and len(labels) == 38
    nine = grid.rows[labels.index("09:00")]
    assert nine.cells[0].starting == (eva_9, both) and nine.cells[1].starting == ()
    quarter = grid.rows[labels.index("09:15")]
    assert quarter.cells[0].ongoing == (eva_9, both) and quarter.cells[1].starting == (room,)
    assert grid.rows[labels.index("09:30")].empty
    assert grid.rows[labels.index("07:45")].cells[0].ongoing == (early,)


def test_a_closed_day_spans_only_its_slots_and_an_empty_closed_day_has_no_rows():
    grid = day_grid([_slot(10), _slot(10, 30)], lambda s: s, None)
    assert [r.label for r in grid.rows] == ["10:00", "10:30"] and grid.resources == (None,)
    assert day_grid([], lambda s: s, None).rows == ()
    assert len(day_grid([], lambda s: s, (time(8), time(12))).rows) == 16  # an open day without times


def test_rows_are_wall_clock_times_on_the_day_summer_time_begins():
    sunday = date(2026, 3, 29)  # 02:00 becomes 03:00
    grid = day_grid([_slot(9, day=sunday), _slot(9, 30, day=sunday)], lambda s: s, (time(8), time(12)))
    assert [r.label for r in grid.rows][:4] == ["08:00", "08:30", "09:00", "09:30"]
    assert grid.rows[2].cells[0].starting


def test_the_week_counts_free_booked_and_past_per_hour_and_day():
    days = [DAY - timedelta(days=1) + timedelta(days=n) for n in range(7)]
    now = datetime.combine(DAY, time(9, 45), tzinfo=STOCKHOLM).astimezone(timezone.utc)
    slots = [_slot(9), _slot(9, 30, booked=True), _slot(10), _slot(14, day=DAY + timedelta(days=1))]
    week = week_grid(days, slots, lambda d: (time(8), time(16, 30)) if d.weekday() < 5 else None, now)
    assert week.hours == tuple(range(8, 17))
    assert week.cell(9, DAY) == Counts(free=0, booked=1, past=1)  # 09:00 has begun: no longer free
    assert week.cell(10, DAY) == Counts(free=1)
    assert week.cell(14, DAY + timedelta(days=1)) == Counts(free=1)
    assert week.totals[DAY] == Counts(free=1, booked=1, past=1) and not week.totals[days[-1]].any


def test_past_is_one_rule_for_every_door():
    now = datetime(2026, 3, 10, 9, 0, tzinfo=timezone.utc)
    assert rules.has_begun(now, now) and not rules.has_begun(now + timedelta(seconds=1), now)
    assert rules.staff_booking_refusal(now, now) == "slot_in_past"
    assert rules.staff_booking_refusal(now + timedelta(minutes=5), now) is None  # staff book the same day
    assert rules.booking_refusal(rules.PRESETS["same_day"], now, now) == "slot_in_past"
    assert rules.booking_refusal(rules.PRESETS["from_tomorrow"], now + timedelta(minutes=5), now) == "too_soon"
