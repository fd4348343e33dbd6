"""Time as people read it. Stored times are UTC; every rule a person can read is
evaluated in Europe/Stockholm, daylight saving included."""

from __future__ import annotations

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
