"""1177 Journalen: the citizen's journal read from the region's care systems when they open it.

Nothing from a source is stored: each page asks every source that holds the category's resource
type once, all at once (adapters/fhir_sources.py), merges the answers newest first and shows a page
of them. Who may read and what shows are domain/journal.py's rules; the protections care put in
place (restrictions) are one Query.

Paging across sources: every source is asked for its newest `PAGE` entries at or before the same
moment; a source that filled its page may hold more older than its last entry, so nothing older
than that is shown yet (it comes on the next page, asked again from that moment).

Certificates (DocumentReference with the certificate category) are not notes: the notes page leaves
them out; they are in Mina intyg (services/certificates.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone

from chalicelib.adapters.fhir_sources import PERSONNUMMER_SYSTEM, SAMORDNINGSNUMMER_SYSTEM, Answer, Search
from chalicelib.domain import journal as rules
from chalicelib.domain.certificates import is_certificate
from chalicelib.domain.clock import add_months, stockholm_date
from chalicelib.domain.journal import Access, Boundary, CareAccess, Category, Denied, Entry
from chalicelib.domain.people import Person
from chalicelib.domain.personnummer import birthday
from chalicelib.domain.restrictions import GUARDIAN_JOURNAL_ENDS_AT_AGE, JOURNAL_OWN_AGE, Restrictions
from chalicelib.errors import BadInput, Forbidden
from chalicelib.services import paging
from chalicelib.services.ports import Ports
from chalicelib.services.principals import CitizenPrincipal

PAGE = 20
CARE_LOG_PAGE = 50


@dataclass
class Reading:
    """Whose journal, whether the reader may read it, and the sources that did not answer."""

    subject: Person | None
    access: Access
    own: bool  # the reader's own journal (sealing is theirs to lift)
    failed_sources: list[str] = field(default_factory=list)  # names, in the region's order


@dataclass
class JournalPage(Reading):
    category: Category = Category.NOTES
    entries: list[Entry] = field(default_factory=list)
    units: list[tuple[str, str]] = field(default_factory=list)  # (HSA-id, name) to filter by
    unit_filter: str | None = None
    next_cursor: str | None = None


@dataclass
class CareLog(Reading):
    accesses: list[CareAccess] = field(default_factory=list)
    since: datetime | None = None
    next_cursor: str | None = None


def _subject(ports: Ports, principal: CitizenPrincipal, child_id: str | None) -> tuple[str, str]:
    """(reader, subject): one's own or the acting-for child's journal; or, as oneself, a child of
    13–15 whose journal care let the guardian go on reading (`child_id`)."""
    if child_id is None:
        return (principal.citizen_id, principal.subject_id)
    if principal.acting_for_id:
        raise Forbidden("not_your_data", "Du har inte behörighet till uppgifterna.")
    return principal.citizen_id, child_id


def _reading(ports: Ports, principal: CitizenPrincipal, child_id: str | None, now: datetime
             ) -> tuple[Reading, Restrictions]:  # fmt: skip
    reader, subject_id = _subject(ports, principal, child_id)
    person = ports.register.get(subject_id)
    if person is None:
        # Not in the region's register: no personnummer to ask the sources by.
        return Reading(None, Access(Denied.NOT_IN_REGISTER), reader == subject_id), Restrictions()
    restrictions = ports.restrictions.of(subject_id)
    granted = rules.access(reader, person, restrictions, ports.settings.journal_rules, now)
    if child_id is not None and not granted.allowed:
        # The same answer whether there is no such child, a block, or no extended access.
        raise Forbidden("not_your_data", "Du har inte behörighet till uppgifterna.")
    return Reading(person, granted, reader == subject_id), restrictions


def _searches(ports: Ports, resource_type: str, boundary: Boundary, count: int,
              extra: Iterable[tuple[str, str]] = ()) -> list[Search]:  # fmt: skip
    param = rules.DATE_PARAM[resource_type]
    params: list[tuple[str, str]] = [("_count", str(count)), ("_sort", f"-{param}"), *extra]
    if boundary.before is not None:
        params.append((param, "le" + boundary.before.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")))
    return [Search(source, resource_type, tuple(params))
            for source in ports.settings.journal_sources if resource_type in source.types]  # fmt: skip


def _ask(ports: Ports, person: Person, searches: list[Search]) -> list[Answer]:
    pnr = person.personnummer
    system = SAMORDNINGSNUMMER_SYSTEM if pnr.is_coordination_number else PERSONNUMMER_SYSTEM
    return ports.journal_sources.search_all(searches, system, pnr.digits)


def _horizon(answers: list[Answer], count: int) -> datetime | None:
    """The latest of the full sources' oldest moments: past it a full source may hold more unseen."""
    oldest = []
    for answer in answers:
        if answer.ok and len(answer.resources) >= count:
            moments = [e.when for r in answer.resources if (e := rules.entry_of(answer.source.id, r))]
            if moments:
                oldest.append(min(moments))
    return max(oldest) if oldest else None


def _boundary(ports: Ports, scope: str, cursor: str | None) -> Boundary:
    position = paging.start(ports, scope, cursor)
    if not position:
        return Boundary(None)
    try:
        before = datetime.fromisoformat(position["before"])
    except (KeyError, ValueError):
        raise BadInput("cursor_invalid", "Okänd cursor; börja om från första sidan.", field="cursor") from None
    return Boundary(before, frozenset(k for k in position.get("seen", "").split(",") if k))


def _next_cursor(ports: Ports, scope: str, boundary: Boundary | None) -> str | None:
    if boundary is None or boundary.before is None:
        return None
    return paging.following(ports, scope, {"before": boundary.before.isoformat(),
                                           "seen": ",".join(sorted(boundary.seen_at_before))})  # fmt: skip


def category_of(text: str | None) -> Category:
    try:
        return Category(text or Category.NOTES)
    except ValueError:
        raise BadInput("category_invalid", "Det finns ingen sådan del av journalen.", field="category") from None


def page(ports: Ports, principal: CitizenPrincipal, category: Category, now: datetime, *, unit: str | None = None,
         cursor: str | None = None, child_id: str | None = None) -> JournalPage:  # fmt: skip
    """One page of a category of the journal, newest first, optionally of one unit."""
    reading, restrictions = _reading(ports, principal, child_id, now)
    result = JournalPage(reading.subject, reading.access, reading.own, category=category, unit_filter=unit or None)
    if not reading.access.allowed or reading.subject is None:
        return result
    scope = f"journal:{reading.subject.citizen_id}:{category.value}:{unit or ''}"
    boundary = _boundary(ports, scope, cursor)
    resource_type = rules.RESOURCE_OF[category]
    extra = (("category", "laboratory"),) if category == Category.LAB else ()
    answers = _ask(ports, reading.subject, _searches(ports, resource_type, boundary, PAGE, extra))
    result.failed_sources = [a.source.name for a in answers if not a.ok]
    hidden_units = restrictions.hidden_units(now)
    horizon = _horizon(answers, PAGE)
    candidates: list[Entry] = []
    units: dict[str, str] = {}
    for answer in answers:
        for resource in answer.resources:
            if is_certificate(resource):
                continue  # a certificate is not a note: it is in Mina intyg (services/certificates.py)
            entry = rules.entry_of(answer.source.id, resource)
            if entry is None or not rules.shown(entry, resource, reading.access, ports.settings.journal_rules,
                                                hidden_units):  # fmt: skip
                continue
            if entry.unit_hsa_id:
                units.setdefault(entry.unit_hsa_id, entry.unit_name or entry.unit_hsa_id)
            if (unit and entry.unit_hsa_id != unit) or (horizon is not None and entry.when < horizon):
                continue
            candidates.append(entry)
    shown, following = rules.merge_page(candidates, boundary, PAGE)
    if following is None and horizon is not None:
        following = Boundary(horizon, frozenset(e.key for e in shown if e.when == horizon)
                             | (boundary.seen_at_before if boundary.before == horizon else frozenset()))  # fmt: skip
    result.entries = shown
    if unit and unit not in units:
        units[unit] = unit
    result.units = sorted(units.items(), key=lambda u: u[1])
    result.next_cursor = _next_cursor(ports, scope, following)
    return result


def care_log(ports: Ports, principal: CitizenPrincipal, now: datetime, *, cursor: str | None = None) -> CareLog:
    """Who in care opened the journal in the last twelve months, from the sources that log it (AuditEvent)."""
    reading, restrictions = _reading(ports, principal, None, now)
    since_day = add_months(stockholm_date(now), -rules.AUDIT_MONTHS)
    since = datetime.combine(since_day, datetime.min.time(), rules.STOCKHOLM).astimezone(timezone.utc)
    result = CareLog(reading.subject, reading.access, reading.own, since=since)
    if not reading.access.allowed or reading.subject is None:
        return result
    scope = f"journal-log:{reading.subject.citizen_id}"
    boundary = _boundary(ports, scope, cursor)
    since_param = ("date", "ge" + since.strftime("%Y-%m-%dT%H:%M:%SZ"))
    answers = _ask(ports, reading.subject, _searches(ports, "AuditEvent", boundary, CARE_LOG_PAGE, (since_param,)))
    result.failed_sources = [a.source.name for a in answers if not a.ok]
    found: list[tuple[CareAccess, str]] = []
    for answer in answers:
        for resource in answer.resources:
            seen = rules.care_access_of(resource)
            unit_ok = seen and (reading.access.only_units is None or seen.unit_hsa_id in reading.access.only_units)
            if seen and seen.when >= since and unit_ok and seen.unit_hsa_id not in ports.settings.journal_rules.excluded_units:
                found.append((seen, f"{answer.source.id}/{resource.get('id')}"))
    fresh = [(a, k) for a, k in found if boundary.before is None or a.when < boundary.before
             or (a.when == boundary.before and k not in boundary.seen_at_before)]  # fmt: skip
    fresh.sort(key=lambda pair: (pair[0].when, pair[1]), reverse=True)
    result.accesses = [a for a, _ in fresh[:CARE_LOG_PAGE]]
    if len(fresh) > CARE_LOG_PAGE:
        last = fresh[CARE_LOG_PAGE - 1][0].when
        result.next_cursor = _next_cursor(ports, scope, Boundary(last, frozenset(
            k for a, k in fresh[:CARE_LOG_PAGE] if a.when == last)))  # fmt: skip
    return result


@dataclass(frozen=True)
class ChildJournal:
    citizen_id: str
    given_name: str


def children_with_extended_access(ports: Ports, principal: CitizenPrincipal, now: datetime) -> list[ChildJournal]:
    """A guardian's children aged 13–15 whose journal care let them go on reading (some unit)."""
    if principal.acting_for_id:
        return []
    guardian = ports.register.get(principal.citizen_id)
    if guardian is None or not guardian.child_ids:
        return []
    today = stockholm_date(now)
    found = []
    for child in ports.register.get_many(sorted(guardian.child_ids)):  # a family's children: a handful
        if not birthday(child.birth_date, GUARDIAN_JOURNAL_ENDS_AT_AGE) <= today < birthday(child.birth_date,
                                                                                             JOURNAL_OWN_AGE):
            continue
        granted = rules.access(principal.citizen_id, child, ports.restrictions.of(child.citizen_id),
                               ports.settings.journal_rules, now)  # fmt: skip
        if granted.allowed:
            found.append(ChildJournal(child.citizen_id, child.given_name))
    return found

