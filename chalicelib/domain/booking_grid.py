"""The Tidbok's grids, pure: a day as rows of times × columns of resources (the practitioner or room
a time belongs to), and a week as rows of hours × columns of days. Rows are Stockholm wall-clock
times (minutes after midnight), so a daylight-saving day has the same rows as any other.

The day's rows span the unit's opening hours that weekday, widened to every slot of the day, in the
largest step that every slot's start and length fit (15 minutes for 15- and 30-minute times on the
quarter hour). A slot shows in the row it begins in; the rows it goes on through are marked as
taken by it, so two slots of one resource at once are both seen, never hidden under each other.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Generic, TypeVar

from chalicelib.domain.booking import Slot, has_begun, resource_key, resource_name
from chalicelib.domain.clock import STOCKHOLM

T = TypeVar("T")
STEPS = (60, 30, 20, 15, 10, 5)  # minutes, the largest that fits is used
DEFAULT_STEP = 15
DAY_MINUTES = 24 * 60


def _minute_of_day(moment: datetime) -> int:
    local = moment.astimezone(STOCKHOLM)
    return local.hour * 60 + local.minute


def _length(slot: Slot) -> int:
    return max(1, int((slot.end - slot.start).total_seconds() // 60))


def step_minutes(slots: Sequence[Slot]) -> int:
    """The largest step that every slot's start (on the wall clock) and length are whole steps of."""
    if not slots:
        return DEFAULT_STEP
    for step in STEPS:
        if all(_minute_of_day(s.start) % step == 0 and _length(s) % step == 0 for s in slots):
            return step
    return STEPS[-1]


def resources_of(slots: Sequence[Slot]) -> list[str | None]:
    """The columns: each resource once (however it is capitalised), by name; "not specified" (None) last."""
    named: dict[str, str] = {}
    unnamed = False
    for slot in slots:
        name = resource_name(slot.resource)
        if name is None:
            unnamed = True
        else:
            named.setdefault(resource_key(name), name)
    columns: list[str | None] = sorted(named.values(), key=str.casefold)
    return columns + [None] if unnamed else columns


@dataclass(frozen=True)
class Cell(Generic[T]):
    starting: tuple[T, ...] = ()  # what begins in this row, in this column
    ongoing: tuple[T, ...] = ()  # what began in an earlier row and goes on through this one


@dataclass(frozen=True)
class Row(Generic[T]):
    minute: int  # minutes after midnight, Stockholm
    cells: tuple[Cell[T], ...]  # one per resource

    @property
    def label(self) -> str:
        return f"{self.minute // 60:02d}:{self.minute % 60:02d}"

    @property
    def empty(self) -> bool:
        return not any(c.starting or c.ongoing for c in self.cells)


@dataclass(frozen=True)
class DayGrid(Generic[T]):
    step: int
    resources: tuple[str | None, ...]
    rows: tuple[Row[T], ...]


def day_grid(items: Sequence[T], slot_of: Callable[[T], Slot], hours: tuple[time, time] | None) -> DayGrid[T]:
    """`items` (each with its slot) laid out for one day; `hours`: the unit's opening and closing time
    that day, or None when it is closed (then the rows span only the day's slots)."""
    slots = [slot_of(i) for i in items]
    step = step_minutes(slots)
    resources = resources_of(slots)
    column = {resource_key(r): n for n, r in enumerate(resources)}
    spans = [(_minute_of_day(s.start), min(DAY_MINUTES, _minute_of_day(s.start) + _length(s))) for s in slots]
    first = [h.hour * 60 + h.minute for h in hours[:1]] if hours else []
    last = [h.hour * 60 + h.minute for h in hours[1:]] if hours else []
    if not spans and not first:
        return DayGrid(step, tuple(resources), ())
    start = min(first + [b for b, _ in spans]) // step * step
    stop = max(last + [e for _, e in spans] + [start + step])
    minutes = list(range(start, stop, step))
    starting: dict[tuple[int, int], list[T]] = {}
    ongoing: dict[tuple[int, int], list[T]] = {}
    for item, slot, (begins, ends) in zip(items, slots, spans):
        col = column[resource_key(slot.resource)]
        first_row = (begins - start) // step
        starting.setdefault((first_row, col), []).append(item)
        for row in range(first_row + 1, len(minutes)):
            if minutes[row] >= ends:
                break
            ongoing.setdefault((row, col), []).append(item)
    rows = tuple(
        Row(minute, tuple(Cell(tuple(starting.get((r, c), ())), tuple(ongoing.get((r, c), ())))
                          for c in range(len(resources))))
        for r, minute in enumerate(minutes)
    )  # fmt: skip
    return DayGrid(step, tuple(resources), rows)


@dataclass(frozen=True)
class Counts:
    free: int = 0  # free and still to come: can be booked
    booked: int = 0
    past: int = 0  # free but begun: no longer offered

    def plus(self, other: Counts) -> Counts:
        return Counts(self.free + other.free, self.booked + other.booked, self.past + other.past)

    @property
    def any(self) -> bool:
        return bool(self.free or self.booked or self.past)


@dataclass(frozen=True)
class WeekGrid:
    days: tuple[date, ...]
    hours: tuple[int, ...]  # the rows: whole hours, Stockholm
    cells: dict[tuple[int, date], Counts]  # (hour, day)
    totals: dict[date, Counts]

    def cell(self, hour: int, day: date) -> Counts:
        return self.cells.get((hour, day), Counts())


def week_grid(days: Sequence[date], slots: Sequence[Slot], hours_on: Callable[[date], tuple[time, time] | None],
              now: datetime) -> WeekGrid:  # fmt: skip
    """Free, booked and past-but-free times per hour and day; the rows span the days' opening hours
    and every slot."""
    cells: dict[tuple[int, date], Counts] = {}
    totals: dict[date, Counts] = {d: Counts() for d in days}
    span: list[int] = []
    for day in days:
        opening = hours_on(day)
        if opening:
            span += [opening[0].hour, opening[1].hour - (1 if opening[1].minute == 0 else 0)]
    for slot in slots:
        local = slot.start.astimezone(STOCKHOLM)
        day = local.date()
        if day not in totals:
            continue
        if not slot.free:  # booked, or held for an earlier-time offer
            counts = Counts(booked=1)
        elif has_begun(slot.start, now):
            counts = Counts(past=1)
        else:
            counts = Counts(free=1)
        cells[(local.hour, day)] = cells.get((local.hour, day), Counts()).plus(counts)
        totals[day] = totals[day].plus(counts)
        span.append(local.hour)
    hours = tuple(range(min(span), max(span) + 1)) if span else ()
    return WeekGrid(tuple(days), hours, cells, totals)
