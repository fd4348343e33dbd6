"""Protections around a person (skydd, seed 002 "Begränsa åtkomst", "Utöka åtkomst", "Risker och
åtgärder"): seal the whole journal, hide one unit's journal for two months, extend a 13–15-year-old's
or their guardian's access to one unit's journal, block one of a child's guardians, remove a
person's login. The rules are in domain/restrictions.py; storage in adapters/restrictions.py.

Authorisation first, in every function: staff decide only with the journal admin role
(`StaffRole.JOURNAL_ADMIN`, verksamhetschef eller delegerad) at the unit the decision is taken at,
and a unit's journal is hidden or extended only at a unit where they hold it. A citizen seals their
own whole journal; lifting a seal takes a care unit (seed 002: "För att ta bort förseglingen krävs
kontakt med en vårdverksamhet"). Bad input is a BadInput with its field, and nothing is written.

Every decision writes the restriction, an audit row and its event (`person#<citizen_id>`) in one
transaction; what other paths need (a blocked guardian, a removed login) is kept beside the person
in the same one. The follow-ups are in services/follow_ups.py: a removed login ends the person's
live sessions at once (`end_sessions`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from chalicelib.adapters.restrictions import Decision
from chalicelib.adapters.tables import UnitRecord
from chalicelib.domain.clock import stockholm_date
from chalicelib.domain.events import DomainEvent, Kind, event
from chalicelib.domain.patient import PatientHeader
from chalicelib.domain.people import Person
from chalicelib.domain.restrictions import (
    Restriction,
    RestrictionKind,
    Restrictions,
    extension_allowed,
    extension_until,
    hidden_until,
)
from chalicelib.domain.roles import StaffRole
from chalicelib.errors import BadInput, Conflict, Forbidden, NotFound
from chalicelib.services import paging, patients, persons
from chalicelib.services.input import checked_text, personnummer
from chalicelib.services.ports import Ports
from chalicelib.services.principals import CitizenPrincipal, StaffPrincipal

MAX_REASON = 500
HISTORY_SHOWN = 20
LIST_SHOWN = 20
BY_CITIZEN = "citizen"  # decided_by when the person sealed their own journal

# (event when decided, event when lifted) per kind
EVENTS: dict[RestrictionKind, tuple[Kind, Kind]] = {
    RestrictionKind.SEAL: (Kind.JOURNAL_SEALED, Kind.JOURNAL_UNSEALED),
    RestrictionKind.HIDE_UNIT: (Kind.JOURNAL_UNIT_HIDDEN, Kind.JOURNAL_UNIT_SHOWN),
    RestrictionKind.EXTEND_GUARDIAN: (Kind.JOURNAL_ACCESS_EXTENDED, Kind.JOURNAL_EXTENSION_ENDED),
    RestrictionKind.EXTEND_CHILD: (Kind.JOURNAL_ACCESS_EXTENDED, Kind.JOURNAL_EXTENSION_ENDED),
    RestrictionKind.BLOCK_GUARDIAN: (Kind.GUARDIAN_BLOCKED, Kind.GUARDIAN_UNBLOCKED),
    RestrictionKind.LOGIN_REMOVED: (Kind.LOGIN_REMOVED, Kind.LOGIN_RESTORED),
}
REASON_REQUIRED = (RestrictionKind.SEAL, RestrictionKind.BLOCK_GUARDIAN, RestrictionKind.LOGIN_REMOVED)
RENEWABLE = (RestrictionKind.HIDE_UNIT, RestrictionKind.EXTEND_GUARDIAN, RestrictionKind.EXTEND_CHILD)


# -- authorisation ---------------------------------------------------------------------------------------


def may_decide(principal: StaffPrincipal) -> bool:
    return any(r.role is StaffRole.JOURNAL_ADMIN for r in principal.roles)


def decision_units(principal: StaffPrincipal) -> list[str]:
    """The units where the staff member decides on protections."""
    return sorted({r.unit_hsa_id for r in principal.roles if r.role is StaffRole.JOURNAL_ADMIN})


def _require_journal_admin(principal: StaffPrincipal) -> None:
    if not may_decide(principal):
        raise Forbidden("journal_admin_required", "Du har ingen behörighet att besluta om skydd.")


def _require_at(principal: StaffPrincipal, unit_hsa_id: str | None) -> str:
    _require_journal_admin(principal)
    if not unit_hsa_id or not principal.has_role(unit_hsa_id, StaffRole.JOURNAL_ADMIN):
        raise Forbidden("unit_not_allowed", "Du har ingen behörighet att besluta om skydd på enheten.", field="unit")
    return unit_hsa_id


# -- input ---------------------------------------------------------------------------------------------


def _reason(value: str | None, kind: RestrictionKind) -> str:
    text = checked_text((value or "").strip())
    if not text and kind in REASON_REQUIRED:
        raise BadInput("reason_required", "Ange skälet till beslutet.", field="reason")
    if len(text) > MAX_REASON:
        raise BadInput("reason_too_long", "Skälet får vara högst {limit} tecken.", field="reason",
                       values={"limit": MAX_REASON})  # fmt: skip
    return text


def _person(ports: Ports, citizen_id: str) -> Person:
    person = ports.register.get(citizen_id)
    if person is None:
        raise NotFound("person_not_found", "Personen finns inte i folkbokföringen.")
    return person


def _event(kind: Kind, r: Restriction, now: datetime, at_unit: str | None, door: str) -> DomainEvent:
    return event(kind, f"person#{r.citizen_id}", now, citizen_id=r.citizen_id, restriction_key=r.key,
                 restriction=r.kind.value, unit_hsa_id=r.unit_hsa_id, guardian_id=r.guardian_id,
                 decided_at_unit=at_unit, door=door)  # fmt: skip


# -- deciding ------------------------------------------------------------------------------------------------


def _decide(ports: Ports, principal: StaffPrincipal | None, citizen_id: str, kind: RestrictionKind, *,
            at_unit: str | None, reason: str, now: datetime, unit_hsa_id: str | None = None,
            guardian_id: str | None = None, until: datetime | None = None,
            in_register: bool = True) -> Restriction:  # fmt: skip
    restriction = Restriction(
        citizen_id=citizen_id, kind=kind, unit_hsa_id=unit_hsa_id, guardian_id=guardian_id, reason=reason,
        decided_by=principal.hsa_id if principal else BY_CITIZEN,
        decided_by_name=principal.display_name if principal else BY_CITIZEN, decided_at_unit=at_unit,
        decided_at=now, until=until,
    )  # fmt: skip
    existing = next((r for r in ports.restrictions.of(citizen_id).items if r.key == restriction.key), None)
    renewing = existing is not None and existing.in_force(now)
    if renewing and kind not in RENEWABLE:
        raise Conflict("already_in_force", "Beslutet gäller redan.")
    if existing is not None and not renewing:
        # An ended hidden unit or extension: its item is still there, so this one replaces it.
        renewing = True
    door = "staff" if principal else "citizen"
    ports.restrictions.decide(restriction, _event(EVENTS[kind][0], restriction, now, at_unit, door),
                              renewing=renewing, in_register=in_register)  # fmt: skip
    return restriction


def seal(ports: Ports, principal: StaffPrincipal, citizen_id: str, unit: str | None, reason: str | None,
         now: datetime) -> Restriction:  # fmt: skip
    """Seal the whole journal on the person's request (försegla hela 1177 Journalen)."""
    at = _require_at(principal, unit)
    text = _reason(reason, RestrictionKind.SEAL)
    _person(ports, citizen_id)
    return _decide(ports, principal, citizen_id, RestrictionKind.SEAL, at_unit=at, reason=text, now=now)


def hide_unit(ports: Ports, principal: StaffPrincipal, citizen_id: str, unit: str | None, reason: str | None,
              now: datetime) -> Restriction:  # fmt: skip
    """Hide the unit's journal for two months (försegla delvis); deciding again renews it."""
    at = _require_at(principal, unit)
    text = _reason(reason, RestrictionKind.HIDE_UNIT)
    _person(ports, citizen_id)
    return _decide(ports, principal, citizen_id, RestrictionKind.HIDE_UNIT, at_unit=at, reason=text, now=now,
                   unit_hsa_id=at, until=hidden_until(now))  # fmt: skip


def extend(ports: Ports, principal: StaffPrincipal, citizen_id: str, unit: str | None, who: str | None,
           reason: str | None, now: datetime) -> Restriction:  # fmt: skip
    """Extended access to the unit's journal for a child aged 13–15: the guardians go on reading it
    ("guardian"), or the child reads it early ("child"). A year at a time, never past the 16th birthday."""
    at = _require_at(principal, unit)
    kind = {"guardian": RestrictionKind.EXTEND_GUARDIAN, "child": RestrictionKind.EXTEND_CHILD}.get(who or "")
    if kind is None:
        raise BadInput("extension_who", "Välj vem som får utökad åtkomst.", field="who")
    text = _reason(reason, kind)
    person = _person(ports, citizen_id)
    if not extension_allowed(person.birth_date, stockholm_date(now)):
        raise BadInput("extension_age", "Utökad åtkomst kan bara ges för ett barn som är 13–15 år.", field="who")
    return _decide(ports, principal, citizen_id, kind, at_unit=at, reason=text, now=now, unit_hsa_id=at,
                   until=extension_until(now, person.birth_date))  # fmt: skip


def block_guardian(ports: Ports, principal: StaffPrincipal, citizen_id: str, unit: str | None,
                   guardian_id: str | None, reason: str | None, now: datetime) -> Restriction:  # fmt: skip
    """Block one of the child's guardians: they no longer act for the child in any e-service, read
    the child's inbox, are told of news, or are named on the child's letters."""
    at = _require_at(principal, unit)
    text = _reason(reason, RestrictionKind.BLOCK_GUARDIAN)
    person = _person(ports, citizen_id)
    if not guardian_id or guardian_id not in person.guardian_ids:
        raise BadInput("guardian_not_of_child", "Välj en av barnets vårdnadshavare.", field="guardian")
    try:
        return _decide(ports, principal, citizen_id, RestrictionKind.BLOCK_GUARDIAN, at_unit=at, reason=text,
                       now=now, guardian_id=guardian_id)  # fmt: skip
    except Conflict as conflict:
        if conflict.code == "already_in_force":
            raise
        # The register's feed took the guardian away meanwhile: nothing was written.
        raise BadInput("guardian_not_of_child", "Välj en av barnets vårdnadshavare.", field="guardian") from None


def remove_login(ports: Ports, principal: StaffPrincipal, citizen_id: str, unit: str | None, reason: str | None,
                 now: datetime) -> Restriction:  # fmt: skip
    """The person can no longer log in to the e-services (their live sessions end at once: the
    follow-up of `login.removed`); for a child, no guardian acts for them either."""
    at = _require_at(principal, unit)
    text = _reason(reason, RestrictionKind.LOGIN_REMOVED)
    in_register = ports.register.get(citizen_id) is not None
    return _decide(ports, principal, citizen_id, RestrictionKind.LOGIN_REMOVED, at_unit=at, reason=text, now=now,
                   in_register=in_register)  # fmt: skip


def lift(ports: Ports, principal: StaffPrincipal, citizen_id: str, key: str | None, unit: str | None,
         now: datetime) -> Restriction:  # fmt: skip
    """Lift one restriction (bryta försegling, häva blockering, återställa inloggning, end an
    extension, show a hidden unit again). A unit's hidden journal or extension only at that unit."""
    at = _require_at(principal, unit)
    found = next((r for r in ports.restrictions.of(citizen_id).items if r.key == key), None)
    if found is None:
        raise Conflict("restriction_not_in_force", "Skyddet gäller inte längre.")
    if found.unit_hsa_id is not None and found.unit_hsa_id != at:
        raise Forbidden("unit_not_allowed", "Du har ingen behörighet att besluta om skydd på enheten.", field="unit")
    in_register = ports.register.get(citizen_id) is not None
    ports.restrictions.lift(found, _event(EVENTS[found.kind][1], found, now, at, "staff"), by=principal.hsa_id,
                            by_name=principal.display_name, at_unit=at, in_register=in_register)  # fmt: skip
    return found


# -- the citizen ---------------------------------------------------------------------------------------------


def _own(principal: CitizenPrincipal) -> str:
    if principal.acting_for_id:
        raise Forbidden("seal_own_only", "Du kan bara försegla din egen journal.")
    return principal.citizen_id


def sealed(ports: Ports, principal: CitizenPrincipal, now: datetime) -> bool:
    """Whether the citizen's own whole journal is sealed."""
    return ports.restrictions.of(_own(principal)).sealed(now)


def citizen_seal(ports: Ports, principal: CitizenPrincipal, now: datetime) -> Restriction | None:
    """The citizen seals their own whole journal (nothing from it shows, to them or a guardian; the
    other e-services stay). Sealing what is sealed changes nothing."""
    citizen_id = _own(principal)
    if ports.restrictions.of(citizen_id).sealed(now):
        return None
    return _decide(ports, None, citizen_id, RestrictionKind.SEAL, at_unit=None, reason="", now=now)


def sealed_by_self(ports: Ports, principal: CitizenPrincipal, now: datetime) -> bool:
    """Whether the citizen's own journal is sealed by the citizen (not by care on their request)."""
    return any(r.kind == RestrictionKind.SEAL and r.decided_by == BY_CITIZEN and r.in_force(now)
               for r in ports.restrictions.of(_own(principal)).items)  # fmt: skip


def citizen_unseal(ports: Ports, principal: CitizenPrincipal, now: datetime) -> None:
    """The citizen lifts a seal they put themselves. A seal care put (on the citizen's request, or
    where the citizen may be pressed to show the journal) only care lifts (seed 002)."""
    citizen_id = _own(principal)
    found = next((r for r in ports.restrictions.of(citizen_id).items
                  if r.kind == RestrictionKind.SEAL and r.in_force(now)), None)  # fmt: skip
    if found is None:
        raise Conflict("restriction_not_in_force", "Skyddet gäller inte längre.")
    if found.decided_by != BY_CITIZEN:
        raise Forbidden("sealed_by_care", "Förseglingen gjordes av vården. Kontakta en vårdenhet för att ta bort den.")
    ports.restrictions.lift(found, _event(EVENTS[found.kind][1], found, now, None, "citizen"), by=BY_CITIZEN,
                            by_name=BY_CITIZEN, at_unit=None, in_register=ports.register.get(citizen_id) is not None)


# -- reading -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProtectionsView:
    header: PatientHeader
    person: Person | None
    in_force: list[Restriction]
    guardians: list[Person]  # a child's guardians, to block (or unblock)
    units: list[UnitRecord]  # where the staff member decides
    unit_names: dict[str, str]
    history: paging.Page[Decision]
    extension_allowed: bool
    restrictions: Restrictions

    @property
    def guardian_names(self) -> dict[str, str | None]:
        """The child's guardians' names by citizen id (None: protected identity)."""
        return {g.citizen_id: None if g.protected_identity else g.full_name for g in self.guardians}


def page(ports: Ports, principal: StaffPrincipal, citizen_id: str, cursor: str | None, now: datetime,
         unit: str | None = None) -> ProtectionsView:  # fmt: skip
    """A person's protections page: the patient header (one access-log row), what is in force, the
    decisions a staff member may take, and the history a page at a time."""
    _require_journal_admin(principal)
    units = decision_units(principal)
    at = unit if unit in units else units[0]
    person = ports.register.get(citizen_id)
    restrictions = ports.restrictions.of(citizen_id)
    if person is None and not restrictions.items:
        raise NotFound("person_not_found", "Personen finns inte i folkbokföringen.")
    scope = f"protections:{citizen_id}"
    found, following = ports.restrictions.history(citizen_id, HISTORY_SHOWN, paging.start(ports, scope, cursor))
    unit_records = ports.units.get_many(sorted(set(units) | {u for r in restrictions.items for u in (
        r.unit_hsa_id, r.decided_at_unit) if u} | {u for d in found for u in (d.unit_hsa_id, d.at_unit) if u}))
    names = {u.hsa_id: u.name for u in unit_records}
    header = patients.view(ports, principal, citizen_id, unit=None, unit_hsa_id=at, unit_name=names.get(at),
                           what="protections", item_id=at, now=now)  # fmt: skip
    guardian_ids = sorted(set(person.guardian_ids) if person else set())
    return ProtectionsView(
        header=header, person=person, in_force=restrictions.in_force(now),
        guardians=ports.register.get_many(guardian_ids) if guardian_ids else [],
        units=[u for u in unit_records if u.hsa_id in units], unit_names=names,
        history=paging.Page(found, paging.following(ports, scope, following)),
        extension_allowed=bool(person) and extension_allowed(person.birth_date, stockholm_date(now)),
        restrictions=restrictions,
    )  # fmt: skip


@dataclass(frozen=True)
class ListedRestriction:
    restriction: Restriction
    name: str | None  # None: protected identity, or not in the register


def decided_here(ports: Ports, principal: StaffPrincipal, cursor: str | None) -> paging.Page[ListedRestriction]:
    """The restrictions decided at the staff member's units, newest first, a page at a time."""
    _require_journal_admin(principal)
    units = decision_units(principal)
    scope = f"protections-list:{principal.hsa_id}"
    found, following = ports.restrictions.decided_at_units(units, paging.start(ports, scope, cursor), LIST_SHOWN)
    people = {p.citizen_id: p for p in ports.register.get_many(sorted({r.citizen_id for r in found}))} if found else {}
    listed = [ListedRestriction(r, None if (p := people.get(r.citizen_id)) is None or p.protected_identity
                                else p.full_name) for r in found]  # fmt: skip
    return paging.Page(listed, paging.following(ports, scope, following))


def find_person(ports: Ports, principal: StaffPrincipal, pnr_text: str | None, now: datetime) -> str:
    """The person a journal admin names by personnummer (in a POST body, never a URL)."""
    _require_journal_admin(principal)
    pnr = personnummer((pnr_text or "").strip(), "personnummer", stockholm_date(now))
    return persons.citizen_id_for(ports, pnr)


# -- follow-ups (services/follow_ups.py) ----------------------------------------------------------------------


def end_sessions(ports: Ports, happened: DomainEvent) -> None:
    """`login.removed`: every live session of the person ends at once. Idempotent: a second delivery
    finds none left."""
    ports.sessions.end_all_of(happened["citizen_id"])

