"""Digital summons (kallelser): when one is released, on which channels, and what it says.

Summonses go out in the evening batch at 18:00 Stockholm time, so the day's corrections are in:
a booking made (or changed) before 18:00 goes that evening; at 18:00 or later, the next evening.
The release runs at 18:00 local time every day of the year, daylight saving or not.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from chalicelib.domain.clock import STOCKHOLM

RELEASE_AT = time(18, 0)
PREPARATION_MAX = 4000
MAX_LINKS = 5


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
    """What a unit writes on every summons: a heading, fixed texts, and how to reach it."""

    heading: str = "Kallelse"
    intro: str = "Välkommen på besök."
    footer: str = "Om du får förhinder, av- eller omboka så snart du kan så att någon annan kan få tiden."
    contact: str = ""


@dataclass(frozen=True, slots=True)
class Link:
    label: str
    url: str  # https only


@dataclass(frozen=True, slots=True)
class SummonsText:
    subject: str
    body: str


def summons_text(template: Template, *, unit_name: str, visit_type: str, start: datetime, end: datetime,
                 place: str, preparation: str, links: tuple[Link, ...], updated: bool) -> SummonsText:  # fmt: skip
    local_start, local_end = start.astimezone(STOCKHOLM), end.astimezone(STOCKHOLM)
    when = f"{local_start:%Y-%m-%d} kl. {local_start:%H:%M}–{local_end:%H:%M}"
    parts = [
        *(["Den här kallelsen ersätter den du fått tidigare."] if updated else []),
        template.intro,
        f"{visit_type}\nTid: {when}\nPlats: {place}\n{unit_name}",
        *([f"Förberedelser:\n{preparation}"] if preparation else []),
        *([f"{link.label}: {link.url}" for link in links]),
        template.footer,
        *([template.contact] if template.contact else []),
    ]
    heading = f"Ändrad kallelse: {visit_type}" if updated else f"{template.heading}: {visit_type}"
    return SummonsText(subject=heading, body="\n\n".join(p for p in parts if p))


def cancellation_text(template: Template, *, unit_name: str, visit_type: str, start: datetime, end: datetime,
                      by_citizen: bool) -> SummonsText:  # fmt: skip
    """What goes out when a visit someone was summoned to is cancelled after the summons went."""
    local_start, local_end = start.astimezone(STOCKHOLM), end.astimezone(STOCKHOLM)
    when = f"{local_start:%Y-%m-%d} kl. {local_start:%H:%M}–{local_end:%H:%M}"
    who = "Du har avbokat besöket" if by_citizen else f"{unit_name} har avbokat besöket"
    parts = [f"{who}: {visit_type}, {when}.", "Kallelsen du fått tidigare gäller inte längre.",
             *([template.contact] if template.contact else [])]  # fmt: skip
    return SummonsText(subject=f"Avbokad: {visit_type}", body="\n\n".join(parts))
