"""Usage statistics (domain/usage.py): counted from the events by one follow-up, read by the staff
statistics page and its CSV.

Who sees what: a unit's local admin (lokal administratör, the unit's manager's delegate) sees the
units they administer; the regional admin sees the whole region and every unit. The figures are
counts only (no person, no free text), so no access log is written.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from chalicelib.adapters.usage import Counted
from chalicelib.domain import usage
from chalicelib.domain.events import DomainEvent, Kind
from chalicelib.domain.localized import Localized
from chalicelib.domain.roles import StaffRole
from chalicelib.errors import BadInput, Forbidden
from chalicelib.observability import record_metric
from chalicelib.services.ports import Ports
from chalicelib.services.principals import StaffPrincipal
from chalicelib.services.summons import message_id_of


def count(ports: Ports, happened: Sequence[DomainEvent]) -> None:
    """Follow-up of every counted kind, for all of a stream batch's events of the kind at once (the
    evening's tens of thousands of summons cost a few transactions per hundred): each event's counts
    with its marker, so a redelivered event or batch counts nothing twice. A released summons is
    counted after it was sent (its follow-up runs first), on the channel its sending chose."""
    sent: dict[str, tuple[str, bool]] = {}
    if happened and happened[0].kind is Kind.SUMMONS_RELEASED:
        sent = _summons_sent(ports, happened)
    counted = [Counted(e.event_id, e.occurred_at, tuple(usage.counts(e, *_channel_and_unit(sent.get(e.event_id)))))
               for e in happened]  # fmt: skip
    newly = ports.usage.count_many(counted)
    record_metric("UsageEventCounted", newly)


def _channel_and_unit(sent: tuple[str, bool] | None) -> tuple[bool | None, str | None]:
    return (sent[1], sent[0]) if sent else (None, None)


def _summons_sent(ports: Ports, released: Sequence[DomainEvent]) -> dict[str, tuple[str, bool]]:
    """Per released event that was sent: its unit, and True if it went on paper, False if only to the
    inbox (one changed or cancelled since was not sent). One BatchGetItem per hundred summonses."""
    records = ports.summons.get_many([e["booking_id"] for e in released])
    sent: dict[str, tuple[str, bool]] = {}
    for e in released:
        record = records.get(e["booking_id"])
        if record is None or record.state == "cancelled" or int(record.version) != int(e["version"]):
            continue
        if record.paper:
            sent[e.event_id] = (record.unit_hsa_id, True)
        elif message_id_of(record.appointment_id, int(e["version"])) in (record.inbox_message_ids or ()):
            sent[e.event_id] = (record.unit_hsa_id, False)
    return sent


# -- the staff statistics page ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    """Whose figures one may choose: the region (value "region") and units by HSA-id."""

    value: str
    name: str


@dataclass(frozen=True)
class Statistics:
    chosen: str  # "region" or a unit's HSA-id
    chosen_name: str
    first: str
    last: str
    table: usage.Table
    case_type_names: dict[str, str]  # case type id -> name in the reader's language
    choices: list[Choice]


def _regional_admin(ports: Ports, principal: StaffPrincipal) -> bool:
    return principal.has_role(ports.settings.region_hsa_id, StaffRole.REGIONAL_ADMIN)


def choices(ports: Ports, principal: StaffPrincipal, region_name: str) -> list[Choice]:
    """The region first (its admin), then the units one may see, by name."""
    if _regional_admin(ports, principal):
        units = ports.units.all()
        return [Choice(usage.REGION, region_name), *(Choice(u.hsa_id, u.name) for u in units)]
    mine = [r.unit_hsa_id for r in principal.roles if r.role is StaffRole.LOCAL_ADMIN]
    return [Choice(u.hsa_id, u.name) for u in ports.units.get_many(mine)]


def may_see(ports: Ports, principal: StaffPrincipal) -> bool:
    return _regional_admin(ports, principal) or any(r.role is StaffRole.LOCAL_ADMIN for r in principal.roles)


def statistics(ports: Ports, principal: StaffPrincipal, chosen: str | None, first: str | None, last: str | None,
               today: date, lang: str) -> Statistics:  # fmt: skip
    """The figures of the region or a unit for a range of months (default: the last twelve): one
    Query of the counters, the case types' names, and the choices."""
    if not may_see(ports, principal):
        raise Forbidden("role_required", "Bara lokala och regionala administratörer ser användningsstatistiken.")
    options = choices(ports, principal, ports.settings.region_name)
    chosen = chosen or options[0].value if options else None
    found = next((c for c in options if c.value == chosen), None)
    if found is None:
        raise Forbidden("unit_not_allowed", "Du har ingen behörighet till den enhetens statistik.", field="unit")
    default_first, default_last = usage.default_range(today)
    first_month = usage.valid_month(first) if first else default_first
    last_month = usage.valid_month(last) if last else default_last
    if first_month is None:
        raise BadInput("month_invalid", "Ange en månad som åååå-mm.", field="from")
    if last_month is None:
        raise BadInput("month_invalid", "Ange en månad som åååå-mm.", field="to")
    month_list = usage.months(first_month, last_month)
    if not month_list:
        raise BadInput("months_reversed", "Första månaden får inte vara efter den sista.", field="to")
    if len(month_list) > usage.MAX_MONTHS:
        raise BadInput("months_too_many", "Välj högst 36 månader.", field="from")
    owner = usage.REGION if found.value == usage.REGION else usage.owner_of_unit(found.value)
    table = usage.table(month_list, ports.usage.figures(owner, first_month, last_month))
    return Statistics(found.value, found.name, first_month, last_month, table,
                      _case_type_names(ports, table.case_types(), None if owner == usage.REGION else found.value, lang),
                      options)  # fmt: skip


def _case_type_names(ports: Ports, type_ids: list[str], unit_hsa_id: str | None, lang: str) -> dict[str, str]:
    """The names of the case types counted: the region's and the unit's (a Query each), and an offered
    form's answer ("form:<form id>") by the form's current title (a Query a form; a unit offers few)."""
    if not type_ids:
        return {}
    known = ports.case_types.central() + (ports.case_types.local(unit_hsa_id) if unit_hsa_id else [])
    names = {t.case_type_id: t.name.in_(lang) for t in known}
    for type_id in type_ids:
        if type_id.startswith("form:") and (form := ports.form_definitions.current(type_id[5:])) is not None:
            names[type_id] = Localized(form.title, form.title_en).in_(lang)
    return names
