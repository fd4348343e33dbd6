"""Who a staff screen is about: the patient header (patienthuvud) and the patient search at a unit.

Every staff view of a person goes through `view`: one register GetItem for the header and exactly
one access-log row (who, unit, what, when), which the citizen sees under Åtkomstlogg. The
personnummer comes from the register for display only; it never goes into a URL, a log line or a
key (the search takes it in a POST body).

DynamoDB per search: the identity GetItem (personnummer -> opaque id), the register GetItem, the
access-log PutItem, and one Query each for the person's cases at the unit (index by-citizen-unit),
and for their latest bookings, inbox messages and self-test orders (RECENT of each, newest first,
filtered to the unit): one request each, however long the person's history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from chalicelib.adapters.access_log import AccessEntry
from chalicelib.adapters.tables import CaseRecord, KitOrderRecord, UnitRecord
from chalicelib.domain.booking import Booking
from chalicelib.domain.clock import stockholm_date
from chalicelib.domain.inbox import InboxMessage
from chalicelib.domain.patient import PatientHeader, header
from chalicelib.domain.people import Person
from chalicelib.domain.roles import StaffRole
from chalicelib.errors import Forbidden, NotFound
from chalicelib.services import persons
from chalicelib.services.input import personnummer
from chalicelib.services.ports import Ports
from chalicelib.services.principals import StaffPrincipal

SEARCHERS = (StaffRole.CASE_RECEIVER, StaffRole.CASE_HANDLER, StaffRole.REVIEWER)
SHOWN = 50
RECENT = 100  # the person's latest bookings, messages and orders looked through for the unit's


def view(ports: Ports, principal: StaffPrincipal, citizen_id: str, *, unit: UnitRecord | None, unit_hsa_id: str,
         what: str, item_id: str, now: datetime, sent_by_id: str | None = None,
         unit_name: str | None = None) -> PatientHeader:  # fmt: skip
    """The header of a staff screen about one person, and its one access-log row. The caller has
    checked that the staff member may see the item at this unit."""
    person = ports.register.get(citizen_id)
    ports.access_log.record(citizen_id, AccessEntry(
        staff_hsa_id=principal.hsa_id, staff_name=principal.display_name, unit_hsa_id=unit_hsa_id,
        unit_name=unit.name if unit else unit_name or unit_hsa_id, what=what, item_id=item_id, read_at=now))  # fmt: skip
    return header_of(citizen_id, person, stockholm_date(now), sent_by_id=sent_by_id)


def header_of(citizen_id: str, person: Person | None, today: date, *, sent_by_id: str | None = None) -> PatientHeader:
    by_guardian = bool(person and sent_by_id and sent_by_id in person.guardian_ids)
    return header(citizen_id, person, today, sent_by_guardian=by_guardian)


def snapshot(person: Person | None) -> dict[str, Any]:
    """What a case keeps about its patient for the queue's patient column (no personnummer): the
    name unless protected identity, and the birth date for the age."""
    if person is None:
        return {"patient_name": None, "patient_protected": False, "patient_born": None}
    return {"patient_name": None if person.protected_identity else person.full_name,
            "patient_protected": person.protected_identity, "patient_born": person.birth_date.isoformat()}  # fmt: skip


@dataclass(frozen=True)
class PatientOverview:
    header: PatientHeader
    unit: UnitRecord
    cases: list[CaseRecord]
    bookings: list[Booking]  # web bookings and visits care booked
    summons_ids: frozenset[str]  # the bookings that came with a summons (kallelse)
    messages: list[InboxMessage]
    results: list[tuple[KitOrderRecord, str]]  # self-test orders whose results go to this unit, with the test name


def search(ports: Ports, principal: StaffPrincipal, unit_hsa_id: str, pnr_text: str | None,
           now: datetime) -> PatientOverview:  # fmt: skip
    """A person's cases, bookings, summonses, messages and self-test results at the staff member's
    unit, found by personnummer (422 person_unknown if nobody knows it). Logged once."""
    if not principal.has_role(unit_hsa_id, *SEARCHERS):
        raise Forbidden("unit_not_allowed", "Du har ingen behörighet att söka patienter på enheten.", field="unit")
    unit = ports.units.get(unit_hsa_id)
    if unit is None:
        raise NotFound("unit_not_found", "Enheten finns inte.")
    pnr = personnummer((pnr_text or "").strip(), "personnummer", stockholm_date(now))
    citizen_id = persons.citizen_id_for(ports, pnr)
    shown = view(ports, principal, citizen_id, unit=unit, unit_hsa_id=unit_hsa_id, what="patient_overview",
                 item_id=unit_hsa_id, now=now)  # fmt: skip
    bookings = [b for b in ports.bookings.latest(citizen_id, RECENT) if b.unit_hsa_id == unit_hsa_id][:SHOWN]
    messages = [m for m in ports.inbox.page(citizen_id, RECENT, None)[0] if m.sender_unit_hsa_id == unit_hsa_id][:SHOWN]
    offers = {o.test_id: o for o in ports.test_catalogue.offers() if o.follow_up_unit == unit_hsa_id}
    results = [(r, offers[r.test_id].name) for r in ports.kit_orders.citizen_page(citizen_id, RECENT, None)[0]
               if r.test_id in offers and r.result][:SHOWN]  # fmt: skip
    return PatientOverview(
        header=shown, unit=unit, cases=ports.cases.of_citizen_at_unit(citizen_id, unit_hsa_id, SHOWN),
        bookings=bookings, summons_ids=frozenset(b.booking_id for b in bookings if b.booked_by == "care_system"),
        messages=messages, results=results,
    )  # fmt: skip


def search_units(ports: Ports, principal: StaffPrincipal) -> list[UnitRecord]:
    return ports.units.get_many([u for u in principal.units() if principal.has_role(u, *SEARCHERS)])
