"""Mina intyg (1177 Intygstjänst, seed 002): the person's medical certificates (läkarintyg, e.g.
"Läkarintyg för sjukpenning", "Intyg om arbetsförmåga"), read from the region's care systems at view
time and never stored. Pure rules.

A certificate is a FHIR R4 DocumentReference with a `category` coding
`https://e-tjanster.github.io/fhir/CodeSystem/document-category|certificate`; its text is a
`text/plain` attachment (base64), or, when it has none, its structured `content` attachments'
titles. The issuing unit is read as the journal reads it (domain/journal.unit_of).

Who: oneself from the 16th birthday (a Stockholm date), or a guardian acting for a child under 13
without protected identity (as Förnya recept). What the source marks hidden from the patient is
not shown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from chalicelib.domain.guardianship import under_guardian_age
from chalicelib.domain.journal import _note_text, _text, hidden_by_source, parse_instant, unit_of
from chalicelib.domain.people import Person
from chalicelib.domain.personnummer import birthday

CATEGORY_SYSTEM = "https://e-tjanster.github.io/fhir/CodeSystem/document-category"
CATEGORY_CODE = "certificate"
CATEGORY_TOKEN = f"{CATEGORY_SYSTEM}|{CATEGORY_CODE}"
OWN_AGE = 16
# A certificate's id as a source gives it (FHIR's id: letters, digits, '-' and '.', at most 64).
FHIR_ID = re.compile(r"[A-Za-z0-9\-.]{1,64}")


def is_certificate(resource: dict[str, Any]) -> bool:
    """Whether a DocumentReference is a certificate (not a journal note)."""
    if resource.get("resourceType") != "DocumentReference":
        return False
    return any(isinstance(c, dict) and c.get("system") == CATEGORY_SYSTEM and c.get("code") == CATEGORY_CODE
               for concept in resource.get("category") or [] if isinstance(concept, dict)
               for c in concept.get("coding") or [])  # fmt: skip


def may_read(subject: Person, acting_for_child: bool, today: date) -> bool:
    """16 or older for oneself; a guardian for a child under 13 (not one with protected identity)."""
    if acting_for_child:
        return under_guardian_age(subject.birth_date, today) and not subject.protected_identity
    return today >= birthday(subject.birth_date, OWN_AGE)


def key_of(source_id: str, resource_id: str) -> str:
    return f"{source_id}/{resource_id}"


@dataclass(frozen=True, slots=True)
class Certificate:
    source_id: str
    resource_id: str
    title: str
    issued: datetime  # UTC
    date_only: bool
    unit_hsa_id: str | None
    unit_name: str | None
    author: str | None
    lines: tuple[str, ...] = ()
    status: str | None = None

    @property
    def key(self) -> str:
        return key_of(self.source_id, self.resource_id)


def _author(resource: dict[str, Any]) -> str | None:
    for author in resource.get("author") or []:
        if isinstance(author, dict) and isinstance(author.get("display"), str) \
                and "Organization" not in str(author.get("type") or author.get("reference") or ""):  # fmt: skip
            return author["display"]
    return None


def certificate_of(source_id: str, resource: dict[str, Any]) -> Certificate | None:
    """The reading of one DocumentReference that is a certificate; None when it is not one, has no
    date, is not valid (entered in error) or is hidden from the patient."""
    if not is_certificate(resource) or hidden_by_source(resource) or resource.get("status") == "entered-in-error":
        return None
    when = parse_instant(resource.get("date"))
    resource_id = resource.get("id")
    if when is None or not isinstance(resource_id, str) or not FHIR_ID.fullmatch(resource_id):
        return None
    lines = _note_text(resource)
    if not lines:
        lines = tuple(a["title"] for c in resource.get("content") or [] if isinstance(c, dict)
                      for a in [c.get("attachment")] if isinstance(a, dict) and isinstance(a.get("title"), str))  # fmt: skip
    hsa, unit_name = unit_of(resource)
    title = resource.get("description") or _text(resource.get("type")) or "Intyg"
    return Certificate(source_id, resource_id, str(title), when[0], when[1], hsa, unit_name, _author(resource), lines,
                       resource.get("docStatus") if isinstance(resource.get("docStatus"), str) else None)  # fmt: skip


def newest_first(certificates: list[Certificate]) -> list[Certificate]:
    return sorted(certificates, key=lambda c: (c.issued, c.key), reverse=True)
