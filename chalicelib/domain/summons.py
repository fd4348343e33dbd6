"""Digital summons (kallelser): when one is released, on which channels, and what it says.

Summonses go out in the evening batch at 18:00 Stockholm time, so the day's corrections are in:
a booking made (or changed) before 18:00 goes that evening; at 18:00 or later, the next evening.
The release runs at 18:00 local time every day of the year, daylight saving or not.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol
from datetime import date, datetime, time, timedelta

from chalicelib.domain.case_due import OpeningHours, is_working_day
from chalicelib.domain.clock import STOCKHOLM

RELEASE_AT = time(18, 0)
PREPARATION_MAX = 4000
MAX_LINKS = 5
BOOK_AHEAD_YEARS = 2  # a visit further ahead than this is almost always a typo in the year
OUTSIDE_OPENING_HOURS = "outside_opening_hours"
TOO_FAR_AHEAD = "too_far_ahead"


def _years_later(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def within_opening_hours(start: datetime, end: datetime, hours: OpeningHours) -> bool:
    """The whole visit on one working day (Stockholm), between the unit's opening and closing time."""
    local_start, local_end = start.astimezone(STOCKHOLM), end.astimezone(STOCKHOLM)
    day = local_start.date()
    if local_end.date() != day or not is_working_day(day) or day.weekday() not in hours.days:
        return False
    opens, closes = hours.days[day.weekday()]
    return opens <= local_start.time() and local_end.time() <= closes


def timing_refusals(start: datetime, end: datetime, hours: OpeningHours, now: datetime) -> tuple[str, ...]:
    """What is unusual about a visit's time, each refused unless care says it is intended:
    OUTSIDE_OPENING_HOURS (a weekend, a public holiday, before opening or after closing, Stockholm
    time) and TOO_FAR_AHEAD (more than two years from today)."""
    refusals = []
    if not within_opening_hours(start, end, hours):
        refusals.append(OUTSIDE_OPENING_HOURS)
    if start.astimezone(STOCKHOLM).date() > _years_later(now.astimezone(STOCKHOLM).date(), BOOK_AHEAD_YEARS):
        refusals.append(TOO_FAR_AHEAD)
    return tuple(refusals)


_DAY_NAMES = ("mån", "tis", "ons", "tors", "fre", "lör", "sön")


def describe_hours(hours: OpeningHours) -> str:
    """ "mån–tors 08:00–17:00, fre 08:00–16:00": days in a row with the same hours together."""
    groups: list[tuple[int, int, tuple]] = []
    for day in sorted(hours.days):
        if groups and groups[-1][1] == day - 1 and groups[-1][2] == hours.days[day]:
            groups[-1] = (groups[-1][0], day, hours.days[day])
        else:
            groups.append((day, day, hours.days[day]))
    return ", ".join(
        f"{_DAY_NAMES[first]}{'–' + _DAY_NAMES[last] if last != first else ''} {opens:%H:%M}–{closes:%H:%M}"
        for first, last, (opens, closes) in groups
    ) or "stängt"


def may_rebook_allowed(web_bookable: bool, may_rebook: bool) -> bool:
    """Rebooking online is offered only for a visit type citizens can book on the web: there are no
    web slots to move to otherwise, so the summons says to call the unit instead."""
    return web_bookable or not may_rebook


def release_date(changed_at: datetime) -> date:
    """The evening whose batch carries a booking or change made at `changed_at`."""
    local = changed_at.astimezone(STOCKHOLM)
    return local.date() if local.time() < RELEASE_AT else local.date() + timedelta(days=1)


def latest_due_date(now: datetime) -> date:
    """The newest evening whose batch may go at `now`: today from 18:00, else yesterday. A run
    that starts late (or is run again by hand) catches up everything older, never tomorrow's."""
    local = now.astimezone(STOCKHOLM)
    return local.date() if local.time() >= RELEASE_AT else local.date() - timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Channels:
    inbox: bool
    paper: bool


def channels(reaches_digitally: bool, digital_first: bool) -> Channels:
    """Reached digitally (an own account, or for a child under 13 a guardian's; domain/reach.py) and
    digital first: the inbox only. Reached without digital first: inbox and paper. Not reached: paper."""
    return Channels(inbox=reaches_digitally, paper=not (reaches_digitally and digital_first))


@dataclass(frozen=True, slots=True)
class Template:
    """What a unit writes on every summons: a heading, fixed texts, and how to reach it (a unit
    that has written none gets the catalogue's, in the reader's language: services/summons.py)."""

    heading: str = ""
    intro: str = ""
    footer: str = ""
    contact: str = ""


class Say(Protocol):
    """A text from the catalogues in the reader's language (chalicelib/catalogs.translate, bound)."""

    def __call__(self, key: str, /, **values: object) -> str: ...


@dataclass(frozen=True, slots=True)
class Link:
    label: str
    url: str  # https only


@dataclass(frozen=True, slots=True)
class SummonsText:
    subject: str
    body: str


def _when(say: Say, start: datetime, end: datetime) -> str:
    local_start, local_end = start.astimezone(STOCKHOLM), end.astimezone(STOCKHOLM)
    return say("summons.when", date=f"{local_start:%Y-%m-%d}", start=f"{local_start:%H:%M}", end=f"{local_end:%H:%M}")


def summons_text(say: Say, template: Template, *, unit_name: str, visit_type: str, start: datetime, end: datetime,
                 place: str, preparation: str, links: tuple[Link, ...], updated: bool,
                 may_rebook: bool | None = None, unit_phone: str = "") -> SummonsText:  # fmt: skip
    """The summons in the reader's language (`say`); the unit's own texts (`template`) as it wrote
    them. `may_rebook` False: the summons says to call the unit for another time (None: say nothing)."""
    parts = [
        *([say("summons.replaces")] if updated else []),
        template.intro,
        say("summons.visit", visit_type=visit_type, when=_when(say, start, end), place=place, unit=unit_name),
        *([say("summons.preparation", preparation=preparation)] if preparation else []),
        *([f"{link.label}: {link.url}" for link in links]),
        *([call_to_rebook(say, unit_name, unit_phone)] if may_rebook is False else []),
        template.footer,
        *([template.contact] if template.contact else []),
    ]
    heading = say("summons.heading_changed", visit_type=visit_type) if updated \
        else say("summons.heading", heading=template.heading, visit_type=visit_type)  # fmt: skip
    return SummonsText(subject=heading, body="\n\n".join(p for p in parts if p))


def cancellation_text(say: Say, template: Template, *, unit_name: str, visit_type: str, start: datetime,
                      end: datetime, by_citizen: bool) -> SummonsText:  # fmt: skip
    """What goes out when a visit someone was summoned to is cancelled after the summons went."""
    who = "summons.cancelled_by_citizen" if by_citizen else "summons.cancelled_by_unit"
    parts = [say(who, unit=unit_name, visit_type=visit_type, when=_when(say, start, end)), say("summons.cancelled_void"),
             *([template.contact] if template.contact else [])]  # fmt: skip
    return SummonsText(subject=say("summons.cancelled_subject", visit_type=visit_type), body="\n\n".join(parts))


def call_to_rebook(say: Say, unit_name: str, phone: str) -> str:
    if phone:
        return say("summons.call_to_rebook_phone", unit=unit_name, phone=phone)
    return say("summons.call_to_rebook", unit=unit_name)
