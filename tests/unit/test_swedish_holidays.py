"""Sweden's holidays as the case due times count them, checked year by year against the `holidays`
package (a test dependency only), as the personnummer parser is checked against `personnummer`."""

from __future__ import annotations

from datetime import date

import holidays as independent
import pytest

from chalicelib.domain.swedish_holidays import FIRST_YEAR, easter_sunday, holidays


def test_every_year_matches_the_holidays_package():
    for year in range(FIRST_YEAR, 2101):
        expected = independent.Sweden(years=year, include_sundays=False, categories=("public", "de_facto"))
        assert holidays(year) == frozenset(expected), year


@pytest.mark.parametrize(("year", "easter"), [(2024, date(2024, 3, 31)), (2025, date(2025, 4, 20)),
                                             (2026, date(2026, 4, 5)), (2038, date(2038, 4, 25))])  # fmt: skip
def test_easter(year, easter):
    assert easter_sunday(year) == easter


def test_the_movable_days_of_2026():
    days = holidays(2026)
    assert {date(2026, 4, 3), date(2026, 4, 6), date(2026, 5, 14)} <= days  # Good Friday, Easter Monday, Ascension
    assert {date(2026, 6, 19), date(2026, 6, 20), date(2026, 10, 31)} <= days  # Midsummer Eve and Day, All Saints
    assert date(2026, 5, 25) not in days  # Whit Monday is a working day since 2005


def test_years_before_the_holiday_act_are_refused():
    with pytest.raises(ValueError):
        holidays(FIRST_YEAR - 1)
