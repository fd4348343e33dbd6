"""When a case request (ärende) must be answered: two hours of the unit's opening hours after it
arrives, and at the latest at closing time that working day. A case that arrives outside opening
hours counts from the next opening. Working days are Monday–Friday except Swedish public holidays
and the de facto ones (Midsummer Eve, Christmas Eve, New Year's Eve), in Stockholm time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from chalicelib.domain import swedish_holidays
from chalicelib.domain.clock import STOCKHOLM

ANSWER_WITHIN = timedelta(hours=2)
DEFAULT_HOURS = {weekday: (time(8, 0), time(17, 0)) for weekday in range(5)}


@dataclass(frozen=True, slots=True)
class OpeningHours:
    """Per weekday (0 = Monday) the opening and closing time; a missing weekday is closed."""

    days: dict[int, tuple[time, time]]

    @classmethod
    def default(cls) -> OpeningHours:
        return cls(dict(DEFAULT_HOURS))


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in swedish_holidays.holidays(day.year)


def _open_on(day: date, hours: OpeningHours) -> tuple[datetime, datetime] | None:
    if not is_working_day(day) or day.weekday() not in hours.days:
        return None
    opens, closes = hours.days[day.weekday()]
    return datetime.combine(day, opens, tzinfo=STOCKHOLM), datetime.combine(day, closes, tzinfo=STOCKHOLM)


def due_at(arrived_at: datetime, hours: OpeningHours) -> datetime:
    """The due time (UTC) for a case that arrived at `arrived_at`."""
    local = arrived_at.astimezone(STOCKHOLM)
    day = local.date()
    for _ in range(366):
        window = _open_on(day, hours)
        if window is not None:
            opens, closes = window
            if local < closes:
                start = max(local, opens)
                return min(start + ANSWER_WITHIN, closes).astimezone(arrived_at.tzinfo)
        day += timedelta(days=1)
        local = datetime.combine(day, time(0), tzinfo=STOCKHOLM)
    raise ValueError("the unit has no opening hours")
