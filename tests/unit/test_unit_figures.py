"""The staff start page's figures from counters kept on write (domain/unit_figures.py): what a case
counts in, and the figures read back from the counters at any later moment without a write."""

from __future__ import annotations

from collections import Counter as Tally
from datetime import datetime, timedelta, timezone

from chalicelib.domain import unit_figures as uf

NOW = datetime(2026, 3, 10, 10, 30, tzinfo=timezone.utc)


def _counters(cases: dict[str, frozenset[str]]) -> dict[str, uf.Counter]:
    """What the counters hold after each case's shares were counted."""
    values: Tally[str] = Tally()
    due: dict[str, list[str]] = {}
    for case_id, shares in cases.items():
        for share in shares:
            figure, entry = uf.counter_of(share, case_id)
            values[figure] += 1
            if entry:
                due.setdefault(figure, []).append(entry)
    return {k: uf.Counter(v, tuple(sorted(due.get(k, ())))) for k, v in values.items()}


def _read(counters: dict[str, uf.Counter], now: datetime) -> uf.UnitFigures:
    """Only what the page's Query returns: every counter from first_read(now) on."""
    return uf.figures({k: c for k, c in counters.items() if k >= uf.first_read(now)}, now)


def _case(created: datetime, due: datetime, answered: datetime | None = None, closed: bool = False) -> frozenset[str]:
    return uf.shares(closed=closed, created_at=created, due_at=due, first_answered_at=answered)


def test_an_unanswered_case_turns_overdue_at_its_due_time_without_a_write():
    # Given an open case due at 11:15 and one due at 10:45
    counters = _counters({"a": _case(NOW, NOW + timedelta(minutes=45)), "b": _case(NOW, NOW + timedelta(minutes=15))})
    # Then before 10:45 none is overdue, between them one, after both two
    assert _read(counters, NOW) == uf.UnitFigures(open=2, overdue=0, answered_in_time=None)
    assert _read(counters, NOW + timedelta(minutes=20)).overdue == 1
    assert _read(counters, NOW + timedelta(hours=3)) == uf.UnitFigures(open=2, overdue=2, answered_in_time=0)


def test_answered_in_time_counts_the_last_30_days_with_those_overdue_now():
    old = NOW - timedelta(days=40)
    counters = _counters({
        "in-time": _case(NOW - timedelta(days=2), NOW - timedelta(days=2) + timedelta(hours=2), NOW - timedelta(days=2)),
        "late": _case(NOW - timedelta(days=5), NOW - timedelta(days=5), NOW - timedelta(days=4), closed=True),
        "overdue": _case(NOW - timedelta(days=3), NOW - timedelta(days=3)),
        "not-yet-due": _case(NOW, NOW + timedelta(hours=2)),
        "long-ago": _case(old, old + timedelta(hours=1), old, closed=True),
    })  # fmt: skip
    figures = _read(counters, NOW)
    assert (figures.open, figures.overdue) == (3, 1)  # in-time (answered, still open), overdue, not-yet-due
    assert figures.answered_in_time == 33  # 1 in time of in time + late + overdue; long ago is outside the window


def test_a_closed_case_leaves_open_and_a_first_answer_leaves_unanswered():
    due = NOW + timedelta(hours=1)
    assert _case(NOW, due) == {"open", "unanswered", uf.due_share(due)}
    assert _case(NOW, due, NOW) == {"open", f"in_time#{NOW.date().isoformat()}"}
    assert _case(NOW, due, due + timedelta(seconds=1), closed=True) == {f"late#{NOW.date().isoformat()}"}
    assert _case(NOW, due, closed=True) == {f"late#{NOW.date().isoformat()}"}  # closed without an answer


def test_past_hours_and_days_expire_and_the_totals_never():
    assert uf.expires("open") is None and uf.expires("unanswered") is None
    assert uf.expires("due#2026-03-10T10") == datetime(2026, 3, 12, 10, tzinfo=timezone.utc)
    assert uf.expires("in_time#2026-03-10") == datetime(2026, 4, 14, tzinfo=timezone.utc)
