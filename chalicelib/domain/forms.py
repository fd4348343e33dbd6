"""The rules of a form sent to a person (formulärutskick): where it stands, when it is due, when the
reminder goes, how long a health declaration stays valid and when answers are purged. The form's own
content is domain/questionnaire.py.
"""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum

from chalicelib.domain.clock import add_months  # noqa: F401  (the forms' rules name it)
from chalicelib.domain.error_text import N_, ErrorText

HEALTH_DECLARATION_VALID_MONTHS_ADULT = 12  # seed 002: a health declaration is valid 12 months for adults
HEALTH_DECLARATION_VALID_MONTHS_CHILD = 6  # and 6 months for children (under 18 on the day it was answered)
ADULT_AGE = 18
DEFAULT_RETENTION_DAYS = 90  # answers are purged this long after the unit exported them (a unit setting)
MAX_DUE_DAYS = 365
MAX_RECIPIENTS = 1000  # personnummer in one dispatch from the staff tool


class RequestStatus(StrEnum):
    SENT = "sent"  # in the person's inbox, not yet answered (a draft may be saved)
    ANSWERED = "answered"
    WITHDRAWN = "withdrawn"  # the unit took it back before it was answered
    PURGED = "purged"  # answered, exported and past the unit's retention: the answers are gone


class FormStatus(StrEnum):
    ACTIVE = "active"
    RETIRED = "retired"  # no new dispatch; what was sent can still be answered and followed up


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def declaration_valid_until(birth: date, answered_on: date) -> date:
    """The last day a health declaration answered on `answered_on` stands: 12 months for an adult, 6 for
    a child — by the age on the day it was answered, so a child who turns 18 inside the six months keeps
    the child's six (what was declared was a child's)."""
    months = (HEALTH_DECLARATION_VALID_MONTHS_ADULT if age_on(birth, answered_on) >= ADULT_AGE
              else HEALTH_DECLARATION_VALID_MONTHS_CHILD)  # fmt: skip
    return add_months(answered_on, months) - timedelta(days=1)


def still_valid(valid_until: date | None, today: date) -> bool:
    return valid_until is not None and today <= valid_until


def due_date(today: date, due_text: str | None) -> date:
    """The date a form is due, as staff gave it: a day after today and within a year."""
    try:
        due = date.fromisoformat((due_text or "").strip())
    except ValueError:
        raise ValueError(ErrorText(N_("Ange sista svarsdag som ÅÅÅÅ-MM-DD."))) from None
    if not today < due <= today + timedelta(days=MAX_DUE_DAYS):
        raise ValueError(ErrorText(N_("Sista svarsdag ska vara efter i dag och inom ett år.")))
    return due


def reminder_date(today: date, due: date, days_before: int | None) -> date | None:
    """The day the reminder goes (days before the due date), or None for no reminder; a reminder that
    would fall today or earlier is not sent (the form has just arrived)."""
    if days_before is None:
        return None
    remind = due - timedelta(days=days_before)
    return remind if remind > today else None


def overdue(status: RequestStatus, due: date, today: date) -> bool:
    return status is RequestStatus.SENT and today > due


def purge_on(exported_on: date, retention_days: int) -> date:
    return exported_on + timedelta(days=retention_days)
