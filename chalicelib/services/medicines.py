"""Medicines for the citizen (issue 21): Förnya recept from a list, and Mina läkemedel.

Read from the region's care systems when the page opens, never stored (adapters/fhir_sources.py):
one search per resource type a source holds (MedicationRequest, MedicationStatement and, for Mina
läkemedel, MedicationDispense), all at once, by POST with the personnummer in the body. Who may see
what are domain/medicines.py's rules; the subject is the citizen, or the child under 13 a guardian
acts for (the session rechecks that on every request: services/auth.py).

Renewing sends a case of the region's Förnya recept case type into the prescribing unit's queue
through services/cases.py `send` (the same write, the same case.sent event and follow-ups as a case
sent from the form, once per submission id). The medicines chosen are read again from the sources
when the form is sent, so what the case holds is what the care system says, not what the browser
posted. A prescribing unit that is not on the platform (or does not take Förnya recept here) gets
nothing: the citizen is told to contact it.

Access patterns: the register (GetItem), the units (GetItem), the central case types (Query), and
the case write of services/cases.py. No Scan.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timezone
from typing import Any

from chalicelib.adapters.fhir_sources import PERSONNUMMER_SYSTEM, SAMORDNINGSNUMMER_SYSTEM, Answer, Search
from chalicelib.adapters.tables import AnswerMap, MedicineMap, UnitRecord
from chalicelib.domain import medicines as rules
from chalicelib.domain.cases import TEXT_MAX, CaseType
from chalicelib.domain.clock import STOCKHOLM, stockholm_date
from chalicelib.domain.error_text import N_
from chalicelib.domain.medicines import Current, Dispense, Prescription, UnitGroup
from chalicelib.domain.people import Person
from chalicelib.errors import BadInput, Forbidden, Unavailable, Unprocessable
from chalicelib.observability import record_metric
from chalicelib.services import cases
from chalicelib.services.ports import Ports
from chalicelib.services.principals import CitizenPrincipal

COUNT = 100  # per source and type: five years of a person's prescriptions (the source's own ceiling)
NOT_LISTED_LABEL = "Läkemedel som inte finns i listan"  # the answers' labels: staff read the Swedish
OTHER_LABEL = "Något mer mottagningen behöver veta?"


@dataclass(frozen=True)
class RenewalUnit:
    """A prescribing unit and what may be renewed there; `case_type` None: not through us."""

    hsa_id: str | None
    name: str
    prescriptions: tuple[Prescription, ...]
    unit: UnitRecord | None
    case_type: CaseType | None

    @property
    def takes_renewals(self) -> bool:
        return self.case_type is not None


@dataclass
class Medicines:
    subject: Person | None
    acting_for_child: bool
    may_renew: bool
    may_list: bool
    failed_sources: list[str] = field(default_factory=list)
    renewal_units: list[RenewalUnit] = field(default_factory=list)
    current: list[Current] = field(default_factory=list)


def _ask(ports: Ports, person: Person, types: list[str], now: datetime) -> list[Answer]:
    """Each source once per type it holds, all at once: the last five years, newest first."""
    first = datetime.combine(rules.since(stockholm_date(now)), time(), STOCKHOLM).astimezone(timezone.utc)
    since = "ge" + first.strftime("%Y-%m-%dT%H:%M:%SZ")

    def params(kind: str) -> tuple[tuple[str, str], ...]:
        date_param = rules.DATE_PARAM[kind]
        return (("_count", str(COUNT)), ("_sort", f"-{date_param}"), (date_param, since))

    searches = [Search(source, kind, params(kind)) for kind in types
                for source in ports.settings.journal_sources if kind in source.types]  # fmt: skip
    if not searches:
        return []
    pnr = person.personnummer
    system = SAMORDNINGSNUMMER_SYSTEM if pnr.is_coordination_number else PERSONNUMMER_SYSTEM
    return ports.journal_sources.search_all(searches, system, pnr.digits)


def _read(ports: Ports, principal: CitizenPrincipal, now: datetime, *, dispenses: bool = True
          ) -> tuple[Medicines, list[Prescription], list[Dispense]]:  # fmt: skip
    today = stockholm_date(now)
    subject = ports.register.get(principal.subject_id)
    acting = principal.acting_for_id is not None
    if subject is None:  # not in the region's register: no personnummer to ask the sources by
        return Medicines(None, acting, False, False), [], []
    found = Medicines(subject, acting, rules.may_renew(subject, acting, today), rules.may_list(subject, acting, today))
    types = [*rules.PRESCRIPTION_TYPES] if found.may_renew or found.may_list else []
    if found.may_list and dispenses:
        types.append(rules.DISPENSE_TYPE)
    answers = _ask(ports, subject, types, now)
    found.failed_sources = list(dict.fromkeys(a.source.name for a in answers if not a.ok))
    prescriptions = [p for a in answers for r in a.resources if (p := rules.prescription_of(a.source.id, r))]
    dispensed = [d for a in answers for r in a.resources if (d := rules.dispense_of(a.source.id, r))]
    if found.failed_sources:
        record_metric("MedicinesSourceFailed")
    return found, prescriptions, dispensed


def _renewal_units(ports: Ports, groups: list[UnitGroup]) -> list[RenewalUnit]:
    found = []
    for group in groups:  # a person's prescribing units: a handful
        unit = ports.units.get(group.unit_hsa_id) if group.unit_hsa_id else None
        offered = cases.case_types_at(ports, unit) if unit is not None else []
        case_type = next((t for t in offered if t.case_type_id == rules.RENEW_CASE_TYPE), None)
        name = unit.name if unit else group.unit_name or group.unit_hsa_id or ""
        found.append(RenewalUnit(group.unit_hsa_id, name, group.prescriptions, unit, case_type))
    return found


def overview(ports: Ports, principal: CitizenPrincipal, now: datetime) -> Medicines:
    """The page: what may be renewed, by prescribing unit (16 or older, or a guardian for a child
    under 13), and what is prescribed now with what was dispensed (18 or older, or the guardian)."""
    found, prescriptions, dispensed = _read(ports, principal, now)
    today = stockholm_date(now)
    if found.may_renew:
        found.renewal_units = _renewal_units(ports, rules.by_unit(rules.renewable(prescriptions, today)))
    if found.may_list:
        found.current = rules.current(prescriptions, dispensed, today)
    return found


@dataclass(frozen=True)
class Renewal:
    case_id: str
    unit_name: str


def _text(fields: dict[str, str], name: str) -> str | None:
    text = (fields.get(name) or "").strip()
    if len(text) > TEXT_MAX:
        raise BadInput("field_too_long", "Högst {limit} tecken.", field=name, values={"limit": TEXT_MAX})
    return text or None


def renew(ports: Ports, principal: CitizenPrincipal, unit_hsa_id: str, chosen: list[str], fields: dict[str, str],
          now: datetime, lambda_context: Any = None) -> Renewal:  # fmt: skip
    """Ask the prescribing unit to renew the medicines chosen from its part of the list (keys as the
    page gives them), and/or one written in (`not_listed`): one case in that unit's queue, once per
    `submission_id`."""
    not_listed, other = _text(fields, "not_listed"), _text(fields, "other")
    found, prescriptions, _ = _read(ports, principal, now, dispenses=False)
    if found.subject is None or not found.may_renew:
        raise Forbidden("renew_not_allowed", "Du kan förnya recept från listan från den dag du fyller 16 år.")
    if found.failed_sources:
        raise Unavailable("medicines_unavailable", "Läkemedlen kunde inte hämtas just nu. Försök igen om en stund.")
    groups = rules.by_unit(rules.renewable(prescriptions, stockholm_date(now)))
    group = next((g for g in groups if g.unit_hsa_id and g.unit_hsa_id == unit_hsa_id), None)
    if group is None:
        raise BadInput("medicine_not_found", "Läkemedlet finns inte längre i listan. Ladda om sidan.", field="medicine")
    by_key = {p.key: p for p in group.prescriptions}
    wanted = list(dict.fromkeys(chosen))
    if any(key not in by_key for key in wanted):
        raise BadInput("medicine_not_found", "Läkemedlet finns inte längre i listan. Ladda om sidan.", field="medicine")
    (target,) = _renewal_units(ports, [group])
    if target.unit is None or target.case_type is None:
        # Nothing is written: the unit is not reached through the e-services.
        raise Unprocessable("unit_not_on_platform", "{unit} tar inte emot ärenden här. Kontakta mottagningen direkt.",
                            values={"unit": target.name})  # fmt: skip
    errors: dict[str, str] = {}
    if not wanted and not not_listed:
        errors["medicine"] = N_("Välj minst ett läkemedel, eller skriv vilket läkemedel du vill förnya.")
    if fields.get("accept_terms") != "yes":
        errors["terms"] = N_("Du behöver godkänna villkoren för att skicka ärendet.")
    if errors:
        raise cases.InvalidForm(errors)
    medicines = [MedicineMap(name=p.medication.name, strength=p.medication.strength, form=p.medication.form,
                             dosage=p.dosage) for p in (by_key[k] for k in wanted)]  # fmt: skip
    answers = [AnswerMap(label=label, answer=text) for label, text in ((NOT_LISTED_LABEL, not_listed),
                                                                       (OTHER_LABEL, other)) if text]  # fmt: skip
    payload = {"unit": unit_hsa_id, "subject": principal.subject_id, "medicines": wanted,
               "not_listed": not_listed, "other": other}  # fmt: skip
    case_id = cases.send(ports, principal, target.unit, target.case_type, now, answers=answers, medicines=medicines,
                         operation="medicines.renew", idempotency_key=fields.get("submission_id"), payload=payload,
                         lambda_context=lambda_context)  # fmt: skip
    record_metric("PrescriptionRenewalSent")
    return Renewal(case_id, target.name)
