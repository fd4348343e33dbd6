"""Medicines (läkemedel) read from the region's care systems at view time: Förnya recept from a list,
and Mina läkemedel. Pure rules; nothing here is stored (seeds 001, 003).

Who:
- renewing from the list: oneself from the 16th birthday (a Stockholm date), or a guardian acting
  for a child under 13. Younger than 16 one writes the medicine in the free-text case type instead,
  as before ("Tjänsten visar läkemedel för personer över 16 år").
- Mina läkemedel (what is prescribed now and what was dispensed): oneself from the 18th birthday,
  or a guardian acting for a child under 13.

What:
- the renewal list: prescriptions (MedicationRequest) and medicines recorded in the journal
  (MedicationStatement) of the last five years, not those stopped ("Läkemedel som satts ut visas
  inte"), one per medicine and unit (the newest), by the prescribing unit (the MedicationRequest's
  requester, an HSA-id as domain/journal.unit_of reads it); a renewal goes to that unit's queue;
- current prescriptions: active MedicationRequests whose validity (dispenseRequest.validityPeriod.end)
  has not ended; withdrawals (uttag) left = the original dispense and numberOfRepeatsAllowed more
  (FHIR R4: repeats are "in addition to the original dispense"), less the dispenses made on it.

A medicine is read from medicationCodeableConcept, or a contained Medication (code, form, the first
ingredient's strength) that medicationReference points at.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from chalicelib.domain.clock import add_months, stockholm_date
from chalicelib.domain.guardianship import under_guardian_age
from chalicelib.domain.journal import _text, _unit, parse_instant, unit_of
from chalicelib.domain.people import Person
from chalicelib.domain.personnummer import birthday

RENEW_OWN_AGE = 16  # Förnya recept from the list, for oneself
LIST_OWN_AGE = 18  # Mina läkemedel, for oneself
YEARS_BACK = 5  # "ordinationer max fem år tillbaka"
RENEW_CASE_TYPE = "fornya-recept"  # the region's central case type Förnya recept: a renewal is one of these
UCUM = "http://unitsofmeasure.org"
PRESCRIPTION_TYPES = ("MedicationRequest", "MedicationStatement")
DISPENSE_TYPE = "MedicationDispense"
DATE_PARAM = {"MedicationRequest": "authoredon", "MedicationStatement": "effective",
              "MedicationDispense": "whenhandedover"}  # fmt: skip
# What may be renewed: not stopped, cancelled, entered in error, a draft or not taken.
RENEWABLE_STATUS = {
    "MedicationRequest": frozenset({"active", "completed", "on-hold"}),
    "MedicationStatement": frozenset({"active", "completed", "intended", "on-hold"}),
}


def may_renew(subject: Person, acting_for_child: bool, today: date) -> bool:
    """Whether the list of medicines to renew is shown (the 16 rule, or a guardian for a child under 13)."""
    if acting_for_child:
        return under_guardian_age(subject.birth_date, today) and not subject.protected_identity
    return today >= birthday(subject.birth_date, RENEW_OWN_AGE)


def may_list(subject: Person, acting_for_child: bool, today: date) -> bool:
    """Whether Mina läkemedel is shown (the 18 rule, or a guardian for a child under 13)."""
    if acting_for_child:
        return under_guardian_age(subject.birth_date, today) and not subject.protected_identity
    return today >= birthday(subject.birth_date, LIST_OWN_AGE)


def since(today: date) -> date:
    """The first day of the five years the renewal list reaches back."""
    return add_months(today, -12 * YEARS_BACK)


@dataclass(frozen=True, slots=True)
class Medication:
    name: str
    strength: str | None = None  # "2,5 mg", "100 mg/ml"
    form: str | None = None  # beredningsform: "tablett", "oral lösning"

    @property
    def label(self) -> str:
        return " ".join(p for p in (self.name, self.strength, self.form) if p)


def _number(value: Any) -> str | None:
    return f"{value:g}".replace(".", ",") if isinstance(value, int | float) and not isinstance(value, bool) else None


def _strength(ratio: Any) -> str | None:
    if not isinstance(ratio, dict) or not isinstance(ratio.get("numerator"), dict):
        return None
    numerator, denominator = ratio["numerator"], ratio.get("denominator") or {}
    amount = _number(numerator.get("value"))
    if amount is None:
        return None
    text = f"{amount} {numerator.get('unit') or numerator.get('code') or ''}".strip()
    # Per a measure (a millilitre), not per a count (a tablet): "100 mg/ml".
    if isinstance(denominator, dict) and denominator.get("system") == UCUM and denominator.get("code") not in (None, "1"):
        per = _number(denominator.get("value"))
        unit = denominator.get("unit") or denominator.get("code")
        text += f"/{unit}" if per in (None, "1") else f"/{per} {unit}"
    return text


def medication_of(resource: dict[str, Any]) -> Medication | None:
    """The medicine a MedicationRequest, -Statement or -Dispense is about."""
    concept = resource.get("medicationCodeableConcept")
    if concept is not None:
        name = _text(concept)
        return Medication(name) if name else None
    reference = resource.get("medicationReference")
    target = reference.get("reference") if isinstance(reference, dict) else None
    if not isinstance(target, str) or not target.startswith("#"):
        name = reference.get("display") if isinstance(reference, dict) else None
        return Medication(name) if isinstance(name, str) else None
    for contained in resource.get("contained") or []:
        if isinstance(contained, dict) and contained.get("resourceType") == "Medication" \
                and contained.get("id") == target[1:]:  # fmt: skip
            name = _text(contained.get("code"))
            if not name:
                return None
            ingredients = [i for i in contained.get("ingredient") or [] if isinstance(i, dict)]
            strength = _strength(ingredients[0].get("strength")) if ingredients else None
            return Medication(name, strength, _text(contained.get("form")))
    return None


def _dosage(resource: dict[str, Any]) -> str | None:
    texts = [d["text"] for d in resource.get("dosageInstruction") or resource.get("dosage") or []
             if isinstance(d, dict) and isinstance(d.get("text"), str)]  # fmt: skip
    return " ".join(texts) or None


@dataclass(frozen=True, slots=True)
class Prescription:
    """A prescription (MedicationRequest) or a medicine recorded in the journal (MedicationStatement)."""

    source_id: str
    resource_type: str
    resource_id: str
    medication: Medication
    dosage: str | None
    unit_hsa_id: str | None
    unit_name: str | None
    authored: datetime  # UTC
    status: str | None
    valid_until: date | None = None  # dispenseRequest.validityPeriod.end
    repeats_allowed: int | None = None  # dispenseRequest.numberOfRepeatsAllowed

    @property
    def key(self) -> str:
        return f"{self.source_id}/{self.resource_type}/{self.resource_id}"


def prescription_of(source_id: str, resource: dict[str, Any]) -> Prescription | None:
    """The reading of a MedicationRequest or MedicationStatement; None without a medicine or a date."""
    kind = resource.get("resourceType")
    if kind not in PRESCRIPTION_TYPES:
        return None
    medication = medication_of(resource)
    if kind == "MedicationRequest":
        moment = resource.get("authoredOn")
    else:
        period = resource.get("effectivePeriod") if isinstance(resource.get("effectivePeriod"), dict) else {}
        moment = resource.get("effectiveDateTime") or period.get("start") or resource.get("dateAsserted")
    when = parse_instant(moment)
    if medication is None or when is None:
        return None
    hsa, unit_name = unit_of(resource)
    if hsa is None and kind == "MedicationStatement":
        hsa, unit_name = _unit(resource.get("informationSource"))
    valid_until, repeats = None, None
    dispense = resource.get("dispenseRequest")
    if isinstance(dispense, dict):
        validity = dispense.get("validityPeriod")
        end = parse_instant(validity.get("end")) if isinstance(validity, dict) else None
        valid_until = stockholm_date(end[0]) if end else None
        allowed = dispense.get("numberOfRepeatsAllowed")
        repeats = allowed if isinstance(allowed, int) and not isinstance(allowed, bool) and allowed >= 0 else None
    status = resource.get("status") if isinstance(resource.get("status"), str) else None
    return Prescription(source_id, kind, str(resource.get("id") or ""), medication, _dosage(resource), hsa, unit_name,
                        when[0], status, valid_until, repeats)  # fmt: skip


def renewable(prescriptions: list[Prescription], today: date) -> list[Prescription]:
    """What may be renewed: the last five years, not stopped, one per medicine and unit (the newest)."""
    first = since(today)
    newest: dict[tuple[str | None, str], Prescription] = {}
    for p in sorted(prescriptions, key=lambda p: (p.authored, p.key), reverse=True):
        if p.status not in RENEWABLE_STATUS[p.resource_type] or stockholm_date(p.authored) < first:
            continue
        newest.setdefault((p.unit_hsa_id, p.medication.label.casefold()), p)
    return list(newest.values())


@dataclass(frozen=True, slots=True)
class UnitGroup:
    unit_hsa_id: str | None
    unit_name: str | None
    prescriptions: tuple[Prescription, ...]


def by_unit(prescriptions: list[Prescription]) -> list[UnitGroup]:
    """The prescriptions by prescribing unit, the units by name, each unit's newest first."""
    groups: dict[str | None, list[Prescription]] = {}
    for p in prescriptions:
        groups.setdefault(p.unit_hsa_id, []).append(p)
    found = [UnitGroup(hsa, next((p.unit_name for p in ps if p.unit_name), None),
                       tuple(sorted(ps, key=lambda p: (p.authored, p.key), reverse=True)))
             for hsa, ps in groups.items()]  # fmt: skip
    return sorted(found, key=lambda g: ((g.unit_name or g.unit_hsa_id or "").casefold(), g.unit_hsa_id or ""))


@dataclass(frozen=True, slots=True)
class Dispense:
    """A dispensing at a pharmacy (uttag), a MedicationDispense."""

    source_id: str
    resource_id: str
    when: datetime  # UTC
    date_only: bool
    quantity: str | None
    prescription_id: str | None  # the MedicationRequest it was dispensed on (the same source)
    status: str | None


def dispense_of(source_id: str, resource: dict[str, Any]) -> Dispense | None:
    if resource.get("resourceType") != DISPENSE_TYPE:
        return None
    when = parse_instant(resource.get("whenHandedOver") or resource.get("whenPrepared"))
    if when is None:
        return None
    quantity = resource.get("quantity") if isinstance(resource.get("quantity"), dict) else {}
    amount = _number(quantity.get("value"))
    shown = f"{amount} {quantity.get('unit') or ''}".strip() if amount else None
    prescription = None
    for reference in resource.get("authorizingPrescription") or []:
        target = reference.get("reference") if isinstance(reference, dict) else None
        if isinstance(target, str) and target.startswith("MedicationRequest/"):
            prescription = target.removeprefix("MedicationRequest/")
            break
    status = resource.get("status") if isinstance(resource.get("status"), str) else None
    return Dispense(source_id, str(resource.get("id") or ""), when[0], when[1], shown, prescription, status)


@dataclass(frozen=True, slots=True)
class Current:
    """A prescription valid now, with what was dispensed on it."""

    prescription: Prescription
    dispenses: tuple[Dispense, ...] = field(default=())
    withdrawals_left: int | None = None  # None: the source does not say how many are allowed


def withdrawals_left(prescription: Prescription, dispensed: int) -> int | None:
    if prescription.repeats_allowed is None:
        return None
    return max(0, 1 + prescription.repeats_allowed - dispensed)


def current(prescriptions: list[Prescription], dispenses: list[Dispense], today: date) -> list[Current]:
    """Active prescriptions whose validity has not ended, newest first, each with its dispenses."""
    found = []
    for p in sorted(prescriptions, key=lambda p: (p.authored, p.key), reverse=True):
        if p.resource_type != "MedicationRequest" or p.status != "active":
            continue
        if p.valid_until is not None and p.valid_until < today:
            continue
        own = tuple(sorted((d for d in dispenses if d.source_id == p.source_id and d.prescription_id == p.resource_id
                            and d.status in (None, "completed")), key=lambda d: d.when, reverse=True))  # fmt: skip
        found.append(Current(p, own, withdrawals_left(p, len(own))))
    return found
