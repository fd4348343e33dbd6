"""1177 Journalen: who may read whose journal, and what of it shows (seed 002). Pure rules.

Who (`access`):
- a person reads their own journal from the 16th birthday (a Stockholm date) with a full
  personnummer; a samordningsnummer holder as the region decides (`JournalRules.coordination_numbers`);
- aged 13–15 only the units where care gave them early access (utökad åtkomst), none otherwise;
- a guardian reads a child's journal until the 13th birthday; aged 13–15 only the units where care
  extended the guardian's access; never a child with protected identity; never a blocked guardian;
- a sealed journal shows nothing to anyone; the other e-services stay as they were.

What (`shown`): not what the source marks hidden from the patient, not what was written before the
region's start date, not from the units the region leaves out, not from a unit care has hidden
(two months at a time), and only the extended units where access is by unit.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from enum import StrEnum
from typing import Any

from chalicelib.domain.clock import STOCKHOLM, stockholm_date
from chalicelib.domain.people import Person
from chalicelib.domain.personnummer import birthday
from chalicelib.domain.restrictions import GUARDIAN_JOURNAL_ENDS_AT_AGE, JOURNAL_OWN_AGE, Restrictions

HSA_ID_SYSTEM = "urn:oid:1.2.752.29.4.19"
CARE_UNIT_EXTENSION = "https://e-tjanster.github.io/fhir/StructureDefinition/care-unit"
PATIENT_ACCESS_SYSTEM = "https://e-tjanster.github.io/fhir/CodeSystem/patient-access"
AUDIT_MONTHS = 12  # "Loggar 12 månader tillbaka"


class Category(StrEnum):
    NOTES = "notes"  # journalanteckningar
    DIAGNOSES = "diagnoses"
    LAB = "lab"  # provsvar
    VACCINATIONS = "vaccinations"
    MEDICINES = "medicines"  # läkemedel (förskrivningar)


# What each category is read as, and the search parameter its date is.
RESOURCE_OF = {
    Category.NOTES: "DocumentReference",
    Category.DIAGNOSES: "Condition",
    Category.LAB: "Observation",
    Category.VACCINATIONS: "Immunization",
    Category.MEDICINES: "MedicationRequest",
}
DATE_PARAM = {
    "DocumentReference": "date", "Condition": "recorded-date", "Observation": "date", "Immunization": "date",
    "MedicationRequest": "authoredon", "AuditEvent": "date",
}  # fmt: skip


class Denied(StrEnum):
    SEALED = "sealed"
    TOO_YOUNG = "too_young"  # under 16, no early access
    COORDINATION_NUMBER = "coordination_number"
    CHILD_TOO_OLD = "child_too_old"  # a guardian, the child 13 or older, no extended access
    PROTECTED_CHILD = "protected_child"
    NOT_GUARDIAN = "not_guardian"  # not (or no longer, or blocked as) the child's guardian
    NOT_IN_REGISTER = "not_in_register"  # the region's register does not know them: nothing to ask by


@dataclass(frozen=True, slots=True)
class JournalRules:
    """What the region publishes (seed 002, "Vilken information visar regionen"): a region setting."""

    start_date: date | None = None  # what was written before it is not shown
    excluded_units: frozenset[str] = frozenset()  # units whose journal never shows (e.g. mödravården)
    coordination_numbers: bool = False  # whether samordningsnummer holders read their journal


@dataclass(frozen=True, slots=True)
class Access:
    denied: Denied | None
    only_units: frozenset[str] | None = None  # None: every unit (less the hidden and excluded)

    @property
    def allowed(self) -> bool:
        return self.denied is None


def access(reader_id: str, subject: Person, restrictions: Restrictions, rules: JournalRules, now: datetime) -> Access:
    """Whether `reader_id` may read `subject`'s journal now, and from which units."""
    today = stockholm_date(now)
    if restrictions.sealed(now):
        return Access(Denied.SEALED)
    born = subject.birth_date
    if reader_id == subject.citizen_id:
        if subject.personnummer.is_coordination_number and not rules.coordination_numbers:
            return Access(Denied.COORDINATION_NUMBER)
        if today >= birthday(born, JOURNAL_OWN_AGE):
            return Access(None)
        early = restrictions.child_early_units(now) if today >= birthday(born, GUARDIAN_JOURNAL_ENDS_AT_AGE) else ()
        return Access(None, frozenset(early)) if early else Access(Denied.TOO_YOUNG)
    if reader_id not in subject.guardian_ids or reader_id in restrictions.blocked_guardians():
        return Access(Denied.NOT_GUARDIAN)
    if subject.protected_identity:
        return Access(Denied.PROTECTED_CHILD)
    if today < birthday(born, GUARDIAN_JOURNAL_ENDS_AT_AGE):
        return Access(None)
    extended = restrictions.guardian_extended_units(now) if today < birthday(born, JOURNAL_OWN_AGE) else ()
    return Access(None, frozenset(extended)) if extended else Access(Denied.CHILD_TOO_OLD)


# -- what a resource says, read defensively: a source's resource is valid FHIR, but optional is optional --


@dataclass(frozen=True, slots=True)
class Entry:
    """One thing in the journal as the page shows it."""

    source_id: str
    resource_type: str
    resource_id: str
    when: datetime  # UTC; a date-only value is that day's Stockholm midnight
    date_only: bool
    unit_hsa_id: str | None
    unit_name: str | None
    title: str
    lines: tuple[str, ...] = ()  # the note's text, a value with its range, a dose …
    flag: str | None = None  # "abnormal" for a lab value outside its range
    status: str | None = None

    @property
    def key(self) -> str:
        return f"{self.source_id}/{self.resource_type}/{self.resource_id}"


def parse_instant(value: Any) -> tuple[datetime, bool] | None:
    """A FHIR date or dateTime as an aware UTC instant (and whether it was a date only)."""
    if not isinstance(value, str) or len(value) < 4:
        return None
    try:
        if len(value) <= 10:
            parts = [int(p) for p in value.split("-")] + [1, 1]
            day = date(parts[0], parts[1], parts[2])
            return datetime.combine(day, time(), STOCKHOLM).astimezone(timezone.utc), True
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=STOCKHOLM)
    return moment.astimezone(timezone.utc), False


def _text(concept: Any) -> str | None:
    if not isinstance(concept, dict):
        return None
    if isinstance(concept.get("text"), str):
        return concept["text"]
    for coding in concept.get("coding") or []:
        if isinstance(coding, dict) and isinstance(coding.get("display"), str):
            return coding["display"]
    return None


def _unit(reference: Any) -> tuple[str | None, str | None]:
    if not isinstance(reference, dict):
        return None, None
    identifier = reference.get("identifier") or {}
    hsa = identifier.get("value") if isinstance(identifier, dict) and identifier.get("system") == HSA_ID_SYSTEM \
        else None  # fmt: skip
    return (hsa if isinstance(hsa, str) else None), (reference.get("display") if isinstance(reference.get("display"), str) else None)


def unit_of(resource: dict[str, Any]) -> tuple[str | None, str | None]:
    """The care unit (HSA-id, name): our care-unit extension, else the type's own element."""
    for extension in resource.get("extension") or []:
        if isinstance(extension, dict) and extension.get("url") == CARE_UNIT_EXTENSION:
            return _unit(extension.get("valueReference"))
    kind = resource.get("resourceType")
    candidates: list[Any] = []
    if kind in ("DocumentReference", "Composition"):
        candidates = [resource.get("custodian"), *(resource.get("author") or [])]
    elif kind == "Observation":
        candidates = list(resource.get("performer") or [])
    elif kind == "Immunization":
        candidates = [p.get("actor") for p in resource.get("performer") or [] if isinstance(p, dict)]
    elif kind == "MedicationRequest":
        candidates = [resource.get("requester"), resource.get("performer")]
    for candidate in candidates:
        hsa, name = _unit(candidate)
        if hsa:
            return hsa, name
    return None, None


def hidden_by_source(resource: dict[str, Any]) -> bool:
    meta = resource.get("meta") or {}
    return any(isinstance(s, dict) and s.get("system") == PATIENT_ACCESS_SYSTEM and s.get("code") == "hidden"
               for s in meta.get("security") or [])  # fmt: skip


def _note_text(resource: dict[str, Any]) -> tuple[str, ...]:
    for content in resource.get("content") or []:
        attachment = content.get("attachment") if isinstance(content, dict) else None
        if not isinstance(attachment, dict) or not str(attachment.get("contentType", "")).startswith("text/plain"):
            continue
        try:
            text = base64.b64decode(attachment.get("data") or "", validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            continue
        return tuple(line for line in text.splitlines())
    return ()


def _quantity(value: Any) -> str | None:
    if not isinstance(value, dict) or not isinstance(value.get("value"), int | float):
        return None
    number = f"{value['value']:g}".replace(".", ",")
    return f"{number} {value.get('unit') or value.get('code') or ''}".strip()


def _range(ranges: Any) -> str | None:
    for r in ranges or []:
        if isinstance(r, dict):
            low, high = _quantity(r.get("low")), _quantity(r.get("high"))
            if low or high:
                return f"{low or ''}–{high or ''}"
    return None


def entry_of(source_id: str, resource: dict[str, Any]) -> Entry | None:
    """The page's reading of one resource; None when it has no date to place it by."""
    kind = resource.get("resourceType")
    if kind not in DATE_PARAM or kind == "AuditEvent":
        return None
    when = parse_instant({
        "DocumentReference": resource.get("date"),
        "Condition": resource.get("recordedDate") or resource.get("onsetDateTime"),
        "Observation": resource.get("effectiveDateTime") or resource.get("issued"),
        "Immunization": resource.get("occurrenceDateTime"),
        "MedicationRequest": resource.get("authoredOn"),
    }[kind])  # fmt: skip
    if when is None:
        return None
    hsa, unit_name = unit_of(resource)
    lines: tuple[str, ...] = ()
    flag = None
    if kind == "DocumentReference":
        title = resource.get("description") or _text(resource.get("type")) or "Journalanteckning"
        lines = _note_text(resource)
    elif kind == "Condition":
        title = _text(resource.get("code")) or "Diagnos"
        codes = [c.get("code") for c in (resource.get("code") or {}).get("coding") or [] if isinstance(c, dict)]
        lines = tuple(c for c in codes if isinstance(c, str))[:1]
    elif kind == "Observation":
        title = _text(resource.get("code")) or "Provsvar"
        value = _quantity(resource.get("valueQuantity")) or resource.get("valueString") \
            or _text(resource.get("valueCodeableConcept"))  # fmt: skip
        reference = _range(resource.get("referenceRange"))
        lines = tuple(str(x) for x in (value, reference and f"({reference})") if x)
        interpretation = [c.get("code") for i in resource.get("interpretation") or [] if isinstance(i, dict)
                          for c in i.get("coding") or [] if isinstance(c, dict)]  # fmt: skip
        flag = "abnormal" if set(interpretation) & {"H", "L", "A", "HH", "LL", "AA"} else None
    elif kind == "Immunization":
        title = _text(resource.get("vaccineCode")) or "Vaccination"
        dose = [d.get("doseNumberPositiveInt") for d in resource.get("protocolApplied") or [] if isinstance(d, dict)]
        lines = tuple(f"dos {d}" for d in dose if isinstance(d, int))
    else:
        from chalicelib.domain.medicines import medication_of  # it reads this module's helpers

        medication = medication_of(resource)
        title = medication.label if medication else "Läkemedel"
        lines = tuple(d["text"] for d in resource.get("dosageInstruction") or []
                      if isinstance(d, dict) and isinstance(d.get("text"), str))  # fmt: skip
    return Entry(source_id, kind, str(resource.get("id") or ""), when[0], when[1], hsa, unit_name, str(title),
                 lines, flag, resource.get("status") if isinstance(resource.get("status"), str) else None)  # fmt: skip


def shown(entry: Entry, resource: dict[str, Any], granted: Access, rules: JournalRules,
          hidden_units: frozenset[str], unit_filter: str | None = None) -> bool:  # fmt: skip
    """Whether the reader sees this entry."""
    if hidden_by_source(resource):
        return False
    if rules.start_date and stockholm_date(entry.when) < rules.start_date:
        return False
    unit = entry.unit_hsa_id
    if unit in rules.excluded_units or unit in hidden_units:
        return False
    if granted.only_units is not None and unit not in granted.only_units:
        return False
    return unit_filter is None or unit == unit_filter


# -- paging across sources: newest first, by the moment, the same boundary sent to every source --


@dataclass(frozen=True, slots=True)
class Boundary:
    """Where the next page starts: entries at or before `before`, less those already shown at it."""

    before: datetime | None
    seen_at_before: frozenset[str] = frozenset()


def merge_page(entries: list[Entry], boundary: Boundary, size: int) -> tuple[list[Entry], Boundary | None]:
    """The newest `size` entries past the boundary, and the next boundary (None: no more seen)."""
    fresh = [e for e in entries if boundary.before is None or e.when < boundary.before
             or (e.when == boundary.before and e.key not in boundary.seen_at_before)]  # fmt: skip
    fresh.sort(key=lambda e: (e.when, e.key), reverse=True)
    page = fresh[:size]
    if len(fresh) <= size:
        return page, None
    last = page[-1].when
    seen = {e.key for e in page if e.when == last}
    if boundary.before == last:
        seen |= boundary.seen_at_before
    return page, Boundary(last, frozenset(seen))


@dataclass(frozen=True, slots=True)
class CareAccess:
    """Someone in care who opened the journal (a source's AuditEvent)."""

    when: datetime
    who: str | None
    unit_hsa_id: str | None
    unit_name: str | None
    what: str | None


def care_access_of(resource: dict[str, Any]) -> CareAccess | None:
    """Who (a person's name), at which unit (an Organization agent with an HSA-id), did what, when."""
    when = parse_instant(resource.get("recorded"))
    if when is None:
        return None
    who = unit_hsa = unit_name = None
    for agent in resource.get("agent") or []:
        reference = agent.get("who") if isinstance(agent, dict) else None
        if not isinstance(reference, dict):
            continue
        if "Organization" in str(reference.get("reference") or reference.get("type") or ""):
            unit_hsa, unit_name = _unit(reference)
        elif who is None and isinstance(reference.get("display"), str):
            who = reference["display"]
    action = resource.get("type")
    what = action.get("display") if isinstance(action, dict) and isinstance(action.get("display"), str) else None
    return CareAccess(when[0], who, unit_hsa, unit_name, what)
