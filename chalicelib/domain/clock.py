"""Time as people read it. Stored times are UTC; every rule a person can read is
evaluated in Europe/Stockholm, daylight saving included."""

from __future__ import annotations

import calendar
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def stockholm_date(moment: datetime) -> date:
    """The calendar date in Stockholm at an aware moment."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: store and pass aware UTC times")
    return moment.astimezone(STOCKHOLM).date()


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day where it has none (31 Aug + 6 = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
