"""Usage statistics (användningsstatistik), as Inera publishes them per e-service: logins, messages,
cases per case type, bookings booked / cancelled / rebooked, summons released digitally or on paper,
self-tests ordered and answered, forms sent and answered, per Stockholm month, per unit and for the
whole region. Pure: which event counts in which counter, and the month it counts in.

Counted from the events alone (ids only, no personal data): an event counts once in each of its
counters, under the unit it names (`unit_hsa_id`) and under the region. A kind with no unit
(a login, a self-test: regional services) counts for the region only.

  logins                a citizen logged in (citizen.logged_in)
  messages              a message reached a citizen's inbox, a summons' included (message.delivered)
  cases                 a case sent by a citizen, an offered form's answer included (case.sent) ...
  cases#<case type id>  ... and the same per case type
  bookings_booked       booking.booked (a citizen's or staff's booking; a care system's summons is not one)
  bookings_cancelled    booking.cancelled
  bookings_rebooked     booking.moved (ombokad)
  summons_digital       a released summons reached the inbox only
  summons_paper         a released summons went on paper (in the inbox too, for some)
  self_tests_ordered    kit_order.ordered (hemtest beställda)
  self_test_results     lab_result.posted (svar)
  forms_sent            form_request.sent
  forms_answered        form_request.answered
  earlier_offered       an earlier time offered to someone waiting (earlier_time.offered)
  earlier_accepted      ... and taken (earlier_time.accepted)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from chalicelib.domain.clock import add_months, stockholm_date
from chalicelib.domain.events import DomainEvent, Kind

LOGINS, MESSAGES, CASES = "logins", "messages", "cases"
BOOKED, CANCELLED, REBOOKED = "bookings_booked", "bookings_cancelled", "bookings_rebooked"
SUMMONS_DIGITAL, SUMMONS_PAPER = "summons_digital", "summons_paper"
SELF_TESTS_ORDERED, SELF_TEST_RESULTS = "self_tests_ordered", "self_test_results"
FORMS_SENT, FORMS_ANSWERED = "forms_sent", "forms_answered"
EARLIER_OFFERED, EARLIER_ACCEPTED = "earlier_offered", "earlier_accepted"
CASE_TYPE = "cases#"  # followed by the case type's id

# The page's and the CSV's rows, in this order (the per-type case counts follow `cases`).
FIGURES = (LOGINS, MESSAGES, CASES, BOOKED, CANCELLED, REBOOKED, SUMMONS_DIGITAL, SUMMONS_PAPER,
           SELF_TESTS_ORDERED, SELF_TEST_RESULTS, FORMS_SENT, FORMS_ANSWERED, EARLIER_OFFERED, EARLIER_ACCEPTED)  # fmt: skip

# Each counted kind and its counter; summons.released is counted where its channel is known (below).
SIMPLE: Mapping[Kind, str] = {
    Kind.CITIZEN_LOGGED_IN: LOGINS,
    Kind.MESSAGE_DELIVERED: MESSAGES,
    Kind.CASE_SENT: CASES,
    Kind.BOOKING_BOOKED: BOOKED,
    Kind.BOOKING_CANCELLED: CANCELLED,
    Kind.BOOKING_MOVED: REBOOKED,
    Kind.KIT_ORDERED: SELF_TESTS_ORDERED,
    Kind.LAB_RESULT_POSTED: SELF_TEST_RESULTS,
    Kind.FORM_SENT: FORMS_SENT,
    Kind.FORM_ANSWERED: FORMS_ANSWERED,
    Kind.EARLIER_TIME_OFFERED: EARLIER_OFFERED,
    Kind.EARLIER_TIME_ACCEPTED: EARLIER_ACCEPTED,
}
COUNTED: frozenset[Kind] = frozenset({*SIMPLE, Kind.SUMMONS_RELEASED})

REGION = "region"
DEFAULT_MONTHS = 12
MAX_MONTHS = 36  # a page or a CSV covers at most three years


def owner_of_unit(unit_hsa_id: str) -> str:
    return f"unit#{unit_hsa_id}"


def month_of(moment: datetime) -> str:
    """The Stockholm month an event counts in, "yyyy-mm" (an event at 23:30 UTC on 31 October is in
    November in Stockholm, summer or winter time alike)."""
    return stockholm_date(moment).strftime("%Y-%m")


@dataclass(frozen=True)
class Count:
    """One event's share of the statistics: +1 in `counter` of `month` for each owner."""

    owners: tuple[str, ...]  # "unit#<hsa id>", "region"
    month: str
    counter: str

    def keys(self) -> list[tuple[str, str]]:
        return [(owner, f"{self.month}#{self.counter}") for owner in self.owners]


def counts(happened: DomainEvent, summons_paper: bool | None = None, unit_hsa_id: str | None = None) -> list[Count]:
    """What one event adds. A released summons needs its channel (`summons_paper`, decided when it
    was sent; None: not sent, so not counted) and its unit (from the summons)."""
    if happened.kind is Kind.SUMMONS_RELEASED:
        if summons_paper is None:
            return []
        counters = [SUMMONS_PAPER if summons_paper else SUMMONS_DIGITAL]
    elif happened.kind in SIMPLE:
        counters = [SIMPLE[happened.kind]]
        if happened.kind is Kind.CASE_SENT and happened.get("case_type_id"):
            counters.append(f"{CASE_TYPE}{happened['case_type_id']}")
    else:
        return []
    unit = unit_hsa_id or happened.get("unit_hsa_id")
    owners = (owner_of_unit(unit), REGION) if unit else (REGION,)
    month = month_of(happened.occurred_at)
    return [Count(owners, month, counter) for counter in counters]


def added(many: Iterable[Count]) -> dict[tuple[str, str], int]:
    """The sum each counter item gets from these counts (one update per item in a transaction)."""
    total: dict[tuple[str, str], int] = {}
    for count in many:
        for key in count.keys():
            total[key] = total.get(key, 0) + 1
    return total


def months(first: str, last: str) -> list[str]:
    """Every month from `first` to `last`, "yyyy-mm", both included."""
    day, end, found = _first_day(first), _first_day(last), []
    while day <= end:
        found.append(day.strftime("%Y-%m"))
        day = add_months(day, 1)
    return found


def default_range(today: date) -> tuple[str, str]:
    """The last twelve months, this one included."""
    this = today.replace(day=1)
    return add_months(this, 1 - DEFAULT_MONTHS).strftime("%Y-%m"), this.strftime("%Y-%m")


def valid_month(text: str | None) -> str | None:
    """A "yyyy-mm" as typed (the month input), or None."""
    try:
        return _first_day(text or "").strftime("%Y-%m")
    except ValueError:
        return None


def _first_day(month: str) -> date:
    if len(month) != 7 or month[4] != "-":
        raise ValueError(month)
    return date(int(month[:4]), int(month[5:]), 1)


@dataclass(frozen=True)
class Table:
    """The figures of one owner over a range of months: rows (counter) by columns (month)."""

    months: tuple[str, ...]
    values: Mapping[str, Mapping[str, int]]  # counter -> month -> count

    def row(self, counter: str) -> list[int]:
        return [self.values.get(counter, {}).get(month, 0) for month in self.months]

    def case_types(self) -> list[str]:
        """The case types counted in the range, by id."""
        return sorted(c[len(CASE_TYPE):] for c in self.values if c.startswith(CASE_TYPE))


def table(month_list: list[str], read: Mapping[str, int]) -> Table:
    """The figures from the counter items read ("<yyyy-mm>#<counter>" -> value)."""
    values: dict[str, dict[str, int]] = {}
    for key, value in read.items():
        month, _, counter = key.partition("#")
        if month in month_list:
            values.setdefault(counter, {})[month] = int(value)
    return Table(tuple(month_list), values)
