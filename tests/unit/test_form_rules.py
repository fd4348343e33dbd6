"""A form sent to a person (chalicelib/domain/forms.py): when it is due, when the reminder goes, how long a
health declaration stands, when the answers are purged."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from chalicelib.domain import forms
from chalicelib.domain.forms import RequestStatus


def test_an_adults_health_declaration_stands_12_months_and_a_childs_6():
    answered = date(2026, 3, 15)
    # Given an adult and a 10-year-old who answer the same day
    adult, child = date(1970, 5, 1), date(2016, 1, 20)
    # Then the adult's stands to the day before the same date a year later, the child's half a year
    assert forms.declaration_valid_until(adult, answered) == date(2027, 3, 14)
    assert forms.declaration_valid_until(child, answered) == date(2026, 9, 14)
    assert forms.still_valid(date(2027, 3, 14), today=date(2027, 3, 14))
    assert not forms.still_valid(date(2027, 3, 14), today=date(2027, 3, 15))
    assert not forms.still_valid(None, today=answered)


def test_a_child_answering_the_day_before_turning_18_keeps_the_childs_6_months_and_on_the_birthday_gets_12():
    born = date(2008, 6, 10)
    assert forms.declaration_valid_until(born, date(2026, 6, 9)) == date(2026, 12, 8)
    assert forms.declaration_valid_until(born, date(2026, 6, 10)) == date(2027, 6, 9)


def test_a_declaration_answered_on_the_31st_runs_to_the_last_day_of_a_shorter_month_less_a_day():
    # 31 August + 6 months is the last day of February (28th, or 29th in a leap year); the declaration
    # stands to the day before, as every other: answered 31 Aug 2026, valid through 27 Feb 2027
    assert forms.add_months(date(2026, 8, 31), 6) == date(2027, 2, 28)
    assert forms.add_months(date(2027, 8, 31), 6) == date(2028, 2, 29)
    assert forms.add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert forms.add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)
    child = date(2015, 1, 1)
    assert forms.declaration_valid_until(child, date(2026, 8, 31)) == date(2027, 2, 27)
    assert forms.declaration_valid_until(child, date(2027, 8, 31)) == date(2028, 2, 28)
    assert forms.declaration_valid_until(child, date(2026, 9, 1)) == date(2027, 2, 28)
    assert forms.declaration_valid_until(date(1980, 1, 1), date(2026, 8, 31)) == date(2027, 8, 30)


def test_a_declaration_answered_on_a_leap_day_and_a_child_born_on_one():
    adult = date(1980, 1, 1)
    # 29 Feb 2028 + 12 months is 28 Feb 2029: valid through the 27th, as one answered on 28 Feb 2028
    assert forms.add_months(date(2028, 2, 29), 12) == date(2029, 2, 28)
    assert forms.declaration_valid_until(adult, date(2028, 2, 29)) == date(2029, 2, 27)
    assert forms.declaration_valid_until(adult, date(2028, 2, 28)) == date(2029, 2, 27)
    assert forms.declaration_valid_until(adult, date(2028, 3, 1)) == date(2029, 2, 28)
    # born on a leap day: 18 on 1 March in a year without one
    leapling = date(2008, 2, 29)
    assert forms.age_on(leapling, date(2026, 2, 28)) == 17
    assert forms.declaration_valid_until(leapling, date(2026, 2, 28)) == date(2026, 8, 27)
    assert forms.declaration_valid_until(leapling, date(2026, 3, 1)) == date(2027, 2, 28)


def test_the_due_date_is_after_today_and_within_a_year():
    today = date(2026, 6, 1)
    assert forms.due_date(today, "2026-06-02") == date(2026, 6, 2)
    assert forms.due_date(today, " 2027-06-01 ") == today + timedelta(days=365)
    for too_early_or_late in ("2026-06-01", "2026-05-31", "2027-06-02"):
        with pytest.raises(ValueError) as refused:
            forms.due_date(today, too_early_or_late)
        assert str(refused.value) == "Sista svarsdag ska vara efter i dag och inom ett år."
    for unreadable in ("2026-06-31", "1/7 2026", "", None):
        with pytest.raises(ValueError) as refused:
            forms.due_date(today, unreadable)
        assert str(refused.value) == "Ange sista svarsdag som ÅÅÅÅ-MM-DD."


def test_the_reminder_goes_days_before_the_due_date_unless_that_is_today_or_earlier():
    today, due = date(2026, 6, 1), date(2026, 6, 10)
    assert forms.reminder_date(today, due, 3) == date(2026, 6, 7)
    assert forms.reminder_date(today, due, 8) == date(2026, 6, 2)
    # the form has just arrived: no reminder the same day, nor one that is already past
    assert forms.reminder_date(today, due, 9) is None
    assert forms.reminder_date(today, due, 20) is None
    assert forms.reminder_date(today, due, None) is None


def test_a_form_is_overdue_the_day_after_its_due_date_while_unanswered():
    due = date(2026, 6, 10)
    assert not forms.overdue(RequestStatus.SENT, due, today=due)
    assert forms.overdue(RequestStatus.SENT, due, today=date(2026, 6, 11))
    assert not forms.overdue(RequestStatus.ANSWERED, due, today=date(2026, 7, 1))
    assert not forms.overdue(RequestStatus.WITHDRAWN, due, today=date(2026, 7, 1))


def test_answers_are_purged_the_units_retention_after_they_were_exported():
    assert forms.purge_on(date(2026, 6, 1), forms.DEFAULT_RETENTION_DAYS) == date(2026, 8, 30)
    assert forms.purge_on(date(2026, 6, 1), 1) == date(2026, 6, 2)
