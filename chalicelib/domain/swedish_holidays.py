"""Sweden's public holidays (allmänna helgdagar, lag 1989:253) and the days the law treats as
holidays (midsommarafton, julafton, nyårsafton: semesterlagen 1977:480, 7 §), Sundays aside.

Computed here rather than by a holidays library: these are a dozen rules, and the library loaded
every country's calendar (a quarter of a second of a request's CPU) and a tenth of the Lambda
asset. tests/unit/test_swedish_holidays.py checks every year from 1990 to 2100 against the
`holidays` package.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

FIRST_YEAR = 1990  # lag 1989:253 in force: no Marie bebådelsedag, Epiphany and Ascension as now


def easter_sunday(year: int) -> date:
    """Påskdagen: the Gregorian computus (Meeus/Jones/Butcher)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    el = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * el) // 451
    month, day = divmod(h + el - 7 * m + 114, 31)
    return date(year, month, day + 1)


def _first(weekday: int, on_or_after: date) -> date:
    return on_or_after + timedelta(days=(weekday - on_or_after.weekday()) % 7)


@lru_cache(maxsize=32)
def holidays(year: int) -> frozenset[date]:
    """Every public holiday of `year` and midsommarafton, julafton and nyårsafton."""
    if year < FIRST_YEAR:
        raise ValueError(f"Swedish holidays are known here from {FIRST_YEAR}")
    easter = easter_sunday(year)
    days = {
        date(year, 1, 1),  # nyårsdagen
        date(year, 1, 6),  # trettondedag jul
        easter - timedelta(days=2),  # långfredagen
        easter,  # påskdagen
        easter + timedelta(days=1),  # annandag påsk
        date(year, 5, 1),  # första maj
        easter + timedelta(days=39),  # Kristi himmelsfärdsdag
        easter + timedelta(days=49),  # pingstdagen
        _first(5, date(year, 6, 20)),  # midsommardagen: the Saturday from 20 June
        _first(5, date(year, 10, 31)),  # alla helgons dag: the Saturday from 31 October
        date(year, 12, 25),  # juldagen
        date(year, 12, 26),  # annandag jul
        # Treated as holidays:
        _first(4, date(year, 6, 19)),  # midsommarafton: the Friday from 19 June
        date(year, 12, 24),  # julafton
        date(year, 12, 31),  # nyårsafton
    }
    if year >= 2005:
        days.add(date(year, 6, 6))  # Sveriges nationaldag
    else:
        days.add(easter + timedelta(days=50))  # annandag pingst, until 2004
    return frozenset(days)
