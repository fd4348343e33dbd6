"""Swedish personal identity numbers (personnummer) and coordination numbers (samordningsnummer).

Skatteverket's rules: ten digits YYMMDD-NNNC, where NNN (the födelsenummer, never 000) tells
people born on the same day apart and C is a Luhn check digit over the other nine. From the
calendar year in which a person turns 100 the '-' becomes '+' (not from the birthday itself),
so the separator alone gives the century of the ten-digit form. The twelve-digit form
(YYYYMMDDNNNC, optionally with '-' or '+', which then tells nothing) carries the century and is
what the e-ID claim holds. A samordningsnummer adds 60 to the day of birth (61–91).

Only the ASCII digits 0–9 count: Python's `\\d` and `str.isdigit()` also take fullwidth and
Arabic-Indic digits, which would give one number a second spelling and its owner a second identity.

Nothing here logs or formats a number for display outside the `display` helper: a
personnummer belongs in no URL, key, log line, e-mail or SMS.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from chalicelib.domain.error_text import N_

# [0-9], not \d: see the module docstring.
_TWELVE = re.compile(r"([0-9]{4})([0-9]{2})([0-9]{2})[-+]?([0-9]{3})([0-9])")
_TEN = re.compile(r"([0-9]{2})([0-9]{2})([0-9]{2})([-+]?)([0-9]{3})([0-9])")
_COORDINATION_DAY_OFFSET = 60
_NEVER_A_FODELSENUMMER = "000"
_TWELVE_DIGITS = re.compile(r"[0-9]{12}")


class InvalidPersonnummer(ValueError):
    """The text is not a valid personnummer or samordningsnummer. The message never repeats it."""


def is_twelve_digits(text: object) -> bool:
    """Exactly twelve ASCII digits, the form of the e-ID claims."""
    return isinstance(text, str) and _TWELVE_DIGITS.fullmatch(text) is not None


def luhn_check_digit(nine_digits: str) -> int:
    total = 0
    for i, ch in enumerate(nine_digits):
        product = int(ch) * (2 if i % 2 == 0 else 1)
        total += product // 10 + product % 10
    return (10 - total % 10) % 10


@dataclass(frozen=True, slots=True)
class Personnummer:
    """A validated number, always held in its twelve-digit form."""

    digits: str  # YYYYMMDDNNNC
    is_coordination_number: bool
    birth_date: date

    def __repr__(self) -> str:  # keep the number out of tracebacks and debug logs
        return "Personnummer(<redacted>)"

    __str__ = __repr__

    def display(self, today: date) -> str:
        """The ten-digit form with '-', or '+' from the calendar year the person turns 100."""
        return f"{self.digits[2:8]}{ten_digit_separator(self.birth_date.year, today)}{self.digits[8:]}"


def ten_digit_separator(birth_year: int, today: date) -> str:
    """'+' from 1 January of the year a person turns 100, '-' before (Skatteverket: "Från och med
    det år en person fyller 100 år ändras bindestrecket till ett plustecken")."""
    return "+" if today.year - birth_year >= 100 else "-"


def age_on(birth_date: date, today: date) -> int:
    """Completed years on `today`. Someone born on 29 February has their birthday on
    1 March in a year that is not a leap year (lag 1985:73 om beräkning av lagstadgad tid).
    Ages in rules count from the birthday; the ten-digit separator does not (see above)."""
    years = today.year - birth_date.year
    if (today.month, today.day) < _birthday_in(birth_date, today.year):
        years -= 1
    return years


def _birthday_in(birth_date: date, year: int) -> tuple[int, int]:
    if birth_date.month == 2 and birth_date.day == 29 and not _is_leap(year):
        return (3, 1)
    return (birth_date.month, birth_date.day)


def birthday(birth_date: date, years: int) -> date:
    """The date on which a person born on `birth_date` turns `years`."""
    month, day = _birthday_in(birth_date, birth_date.year + years)
    return date(birth_date.year + years, month, day)


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def parse(text: str, today: date) -> Personnummer:
    """Parse a twelve- or ten-digit number. `today` (a Stockholm date) resolves the century
    of the ten-digit form and rejects birth dates in the future."""
    if not isinstance(text, str):
        raise InvalidPersonnummer(N_("Personnumret måste vara text."))
    cleaned = text.strip()
    if m := _TWELVE.fullmatch(cleaned):
        year, month, day = int(m[1]), int(m[2]), int(m[3])
        serial, check = m[4], int(m[5])
    elif m := _TEN.fullmatch(cleaned):
        yy, month, day = int(m[1]), int(m[2]), int(m[3])
        serial, check = m[5], int(m[6])
        year = _century_for(yy, plus=(m[4] == "+"), today=today)
    else:
        raise InvalidPersonnummer(N_("Personnumret ska ha tolv siffror (ÅÅÅÅMMDDNNNN) eller tio (ÅÅMMDD-NNNN)."))

    if serial == _NEVER_A_FODELSENUMMER:
        raise InvalidPersonnummer(N_("Personnumrets tre siffror före kontrollsiffran kan inte vara 000."))
    coordination = day > _COORDINATION_DAY_OFFSET
    birth_day = day - _COORDINATION_DAY_OFFSET if coordination else day
    try:
        born = date(year, month, birth_day)
    except ValueError:
        raise InvalidPersonnummer(N_("Personnumret innehåller inget giltigt datum.")) from None
    if born > today:
        raise InvalidPersonnummer(N_("Personnumret anger ett födelsedatum i framtiden."))
    if year < 1850:
        raise InvalidPersonnummer(N_("Personnumret anger ett orimligt födelseår."))
    nine = f"{year % 100:02d}{month:02d}{day:02d}{serial}"
    if luhn_check_digit(nine) != check:
        raise InvalidPersonnummer(N_("Personnumrets kontrollsiffra stämmer inte."))
    return Personnummer(
        digits=f"{year:04d}{month:02d}{day:02d}{serial}{check}",
        is_coordination_number=coordination,
        birth_date=born,
    )


def _century_for(yy: int, *, plus: bool, today: date) -> int:
    """The ten-digit form drops the century; the separator tells it by the calendar year, not the
    birthday. '-': born after today.year - 100 (turns at most 99 this year); '+': born in or before
    today.year - 100 (turns 100 or more this year). Take the latest year ending in `yy` that fits;
    a '-' date later this year is then in the future and refused, not moved back a century."""
    latest = today.year - 100 if plus else today.year
    return latest - (latest - yy) % 100


def with_check_digit(birth: date, serial: str, *, coordination: bool = False) -> str:
    """Build a valid twelve-digit number (for demo and test data)."""
    if not re.fullmatch(r"[0-9]{3}", serial) or serial == _NEVER_A_FODELSENUMMER:
        raise ValueError("serial must be three ASCII digits other than 000")
    day = birth.day + (_COORDINATION_DAY_OFFSET if coordination else 0)
    nine = f"{birth.year % 100:02d}{birth.month:02d}{day:02d}{serial}"
    return f"{birth.year:04d}{birth.month:02d}{day:02d}{serial}{luhn_check_digit(nine)}"
