"""The staff start page's figures of a unit (open cases, overdue, the share answered in time), as
counters kept up to date on write instead of counted from the unit's cases at every read. Pure.

A case counts in a few named figures (its *shares*); a change of the case moves its shares, and the
counters with them. Time passing needs no write: an unanswered open case counts in the hour it is
due, `due#<hour>`, which also lists its exact due time; the page reads only the hours from now on, so
overdue = unanswered - those due from now on. Few hours are ever ahead (a case is due within two
opening hours), so the page reads a few dozen small items however many cases the unit has had.

  open             not closed
  unanswered       not closed, no staff answer yet
  due#<hour>       not closed, no staff answer yet, due in that hour (UTC); lists "<due instant>#<case id>"
  in_time#<day>    first answered by its due time; <day> is the Stockholm day it arrived
  late#<day>       first answered after its due time, or closed without any answer

The share answered in time (30 days): in time / (in time + late + overdue), the answered ones over the
cases that arrived in the last 30 days, with every case overdue now; None when none can be judged yet.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from chalicelib.domain.clock import stockholm_date

STATS_DAYS = 30
OPEN, UNANSWERED = "open", "unanswered"
DUE, IN_TIME, LATE = "due#", "in_time#", "late#"
DAY_KEPT = timedelta(days=STATS_DAYS + 5)  # a day's counts expire a little after the window leaves them
DUE_KEPT = timedelta(days=2)  # an hour's count is read only while the hour is not over
_HOUR = "%Y-%m-%dT%H"
_INSTANT = "%Y-%m-%dT%H:%M:%S.%f"  # fixed width: text order is time order


@dataclass(frozen=True)
class UnitFigures:
    open: int
    overdue: int
    answered_in_time: int | None  # percent of the last 30 days' cases first answered by their due time


@dataclass(frozen=True)
class Counter:
    """One counter as read: its value and, for an hour's due cases, their due instants."""

    value: int
    due: tuple[str, ...] = ()  # "<due instant>#<case id>"


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(timezone.utc)


def due_share(due_at: datetime) -> str:
    """The share an unanswered open case has in its due hour: "due#<hour>@<instant>"."""
    return f"{DUE}{_utc(due_at).strftime(_HOUR)}@{_utc(due_at).strftime(_INSTANT)}"


def counter_of(share: str, case_id: str) -> tuple[str, str | None]:
    """(the counter a share counts in, the entry it lists there: "<instant>#<case id>", or None)."""
    figure, _, due = share.partition("@")
    return figure, f"{due}#{case_id}" if due else None


def shares(*, closed: bool, created_at: datetime, due_at: datetime,
           first_answered_at: datetime | None) -> frozenset[str]:  # fmt: skip
    """The figures one case counts in, as it stands."""
    arrived = stockholm_date(created_at).isoformat()
    counted = set() if closed else {OPEN}
    if first_answered_at is None:
        counted |= {f"{LATE}{arrived}"} if closed else {UNANSWERED, due_share(due_at)}
    elif first_answered_at <= due_at:
        counted.add(f"{IN_TIME}{arrived}")
    else:
        counted.add(f"{LATE}{arrived}")
    return frozenset(counted)


def expires(figure: str) -> datetime | None:
    """When a counter may go (DynamoDB TTL); None: kept."""
    if figure.startswith(DUE):
        return datetime.strptime(figure[len(DUE):], _HOUR).replace(tzinfo=timezone.utc) + DUE_KEPT
    for prefix in (IN_TIME, LATE):
        if figure.startswith(prefix):
            day = date.fromisoformat(figure[len(prefix):])
            return datetime(day.year, day.month, day.day, tzinfo=timezone.utc) + DAY_KEPT
    return None


def first_read(now: datetime) -> str:
    """The lowest counter name the page reads: this hour's due cases, and every name after them."""
    return f"{DUE}{_utc(now).strftime(_HOUR)}"


def figures(counters: Mapping[str, Counter], now: datetime) -> UnitFigures:
    """The page's figures from the counters read (every counter from `first_read(now)` on)."""
    this_hour, at = first_read(now), _utc(now).strftime(_INSTANT)
    ahead = sum(c.value for k, c in counters.items() if k.startswith(DUE) and k > this_hour)
    ahead += sum(1 for entry in counters.get(this_hour, Counter(0)).due if entry.split("#")[0] >= at)
    unanswered = counters.get(UNANSWERED, Counter(0)).value
    overdue = max(0, unanswered - ahead)
    since = (stockholm_date(now) - timedelta(days=STATS_DAYS)).isoformat()

    def within(prefix: str) -> int:
        return sum(c.value for k, c in counters.items() if k.startswith(prefix) and k[len(prefix):] >= since)

    in_time, late = within(IN_TIME), within(LATE)
    judged = in_time + late + overdue
    return UnitFigures(open=max(0, counters.get(OPEN, Counter(0)).value), overdue=overdue,
                       answered_in_time=round(100 * in_time / judged) if judged else None)  # fmt: skip
