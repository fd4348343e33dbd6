"""Swedish personal identity numbers (personnummer) and coordination numbers (samordningsnummer).

Skatteverket's rules: ten digits YYMMDD-NNNC, where C is a Luhn check digit over the
other nine; the separator is '+' once the person has turned 100. The twelve-digit form
(YYYYMMDDNNNC) carries the century and is what the e-ID claim holds. A samordningsnummer
adds 60 to the day of birth (61–91).

Nothing here logs or formats a number for display outside the `display` helper: a
personnummer belongs in no URL, key, log line, e-mail or SMS.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

_TWELVE = re.compile(r"^(\d{4})(\d{2})(\d{2})-?(\d{3})(\d)$")
_TEN = re.compile(r"^(\d{2})(\d{2})(\d{2})([-+]?)(\d{3})(\d)$")
_COORDINATION_DAY_OFFSET = 60


class InvalidPersonnummer(ValueError):
    """The text is not a valid personnummer or samordningsnummer. The message never repeats it."""


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
        """The ten-digit form with '-' or, from the 100th birthday, '+'."""
        separator = "+" if age_on(self.birth_date, today) >= 100 else "-"
        return f"{self.digits[2:8]}{separator}{self.digits[8:]}"


def age_on(birth_date: date, today: date) -> int:
    """Completed years on `today`. Someone born on 29 February has their birthday on
    1 March in a year that is not a leap year (lag 1985:73 om beräkning av lagstadgad tid)."""
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
        raise InvalidPersonnummer("Personnumret måste vara text.")
    cleaned = text.strip()
    if m := _TWELVE.match(cleaned):
        year, month, day = int(m[1]), int(m[2]), int(m[3])
        serial, check = m[4], int(m[5])
    elif m := _TEN.match(cleaned):
        yy, month, day = int(m[1]), int(m[2]), int(m[3])
        serial, check = m[5], int(m[6])
        year = _century_for(yy, month, day, centenarian=(m[4] == "+"), today=today)
    else:
        raise InvalidPersonnummer("Personnumret ska ha tolv siffror (ÅÅÅÅMMDDNNNN) eller tio (ÅÅMMDD-NNNN).")

    coordination = day > _COORDINATION_DAY_OFFSET
    birth_day = day - _COORDINATION_DAY_OFFSET if coordination else day
    try:
        born = date(year, month, birth_day)
    except ValueError:
        raise InvalidPersonnummer("Personnumret innehåller inget giltigt datum.") from None
    if born > today:
        raise InvalidPersonnummer("Personnumret anger ett födelsedatum i framtiden.")
    if year < 1850:
        raise InvalidPersonnummer("Personnumret anger ett orimligt födelseår.")
    nine = f"{year % 100:02d}{month:02d}{day:02d}{serial}"
    if luhn_check_digit(nine) != check:
        raise InvalidPersonnummer("Personnumrets kontrollsiffra stämmer inte.")
    return Personnummer(
        digits=f"{year:04d}{month:02d}{day:02d}{serial}{check}",
        is_coordination_number=coordination,
        birth_date=born,
    )


def _century_for(yy: int, month: int, day: int, *, centenarian: bool, today: date) -> int:
    """The ten-digit form drops the century: take the latest year ending in `yy` that is not
    in the future, and step back a century more when '+' says the person is 100 or older."""
    year = today.year - (today.year - yy) % 100
    birth_day = day - _COORDINATION_DAY_OFFSET if day > _COORDINATION_DAY_OFFSET else day
    try:
        if date(year, month, birth_day) > today:
            year -= 100
    except ValueError:
        pass  # an impossible date is reported by the caller
    if centenarian:
        year -= 100
    return year


def with_check_digit(birth: date, serial: str, *, coordination: bool = False) -> str:
    """Build a valid twelve-digit number (for demo and test data)."""
    day = birth.day + (_COORDINATION_DAY_OFFSET if coordination else 0)
    nine = f"{birth.year % 100:02d}{birth.month:02d}{day:02d}{serial}"
    return f"{birth.year:04d}{birth.month:02d}{day:02d}{serial}{luhn_check_digit(nine)}"
