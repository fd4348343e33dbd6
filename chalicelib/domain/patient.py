"""The patient header (patienthuvud): who a staff screen is about, as Swedish practice shows it —
name, personnummer as ÅÅÅÅMMDD-NNNN, age, and flags. Protected identity (skyddad identitet) shows
no name and no address: "Skyddad identitet" and the personnummer only. Pure: no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from chalicelib.domain.guardianship import GUARDIAN_ACCESS_ENDS_AT_AGE, in_guardians_care, under_guardian_age
from chalicelib.domain.people import Person
from chalicelib.domain.personnummer import Personnummer, age_on


def twelve_digit_display(pnr: Personnummer) -> str:
    """ÅÅÅÅMMDD-NNNN: the form staff read in the journal (never put in a URL, a log or a key)."""
    return f"{pnr.digits[:8]}-{pnr.digits[8:]}"


@dataclass(frozen=True, slots=True)
class PatientHeader:
    citizen_id: str  # opaque; for links and the access log, never shown
    name: str | None  # None for protected identity, or when the register does not know the person
    personnummer: str | None  # ÅÅÅÅMMDD-NNNN; None when the register does not know the person
    age: int | None
    protected_identity: bool
    child_under_13: bool
    guardians_acting: bool  # a guardian sent the case / reads and answers for the child
    in_register: bool
    address: tuple[str, ...] = ()  # empty for protected identity

    @property
    def flags(self) -> tuple[str, ...]:
        """Text keys of the flags, in the order they are shown."""
        shown = []
        if self.protected_identity:
            shown.append("patient.flag.protected")
        if self.child_under_13:
            shown.append("patient.flag.child")
        if self.guardians_acting:
            shown.append("patient.flag.guardians_acting")
        if not self.in_register:
            shown.append("patient.flag.not_in_register")
        return tuple(shown)


def header(citizen_id: str, person: Person | None, today: date, *, sent_by_guardian: bool = False) -> PatientHeader:
    """The header for a person as the register has them today (None: not in the register)."""
    if person is None:
        return PatientHeader(citizen_id, None, None, None, False, False, sent_by_guardian, False)
    child = under_guardian_age(person.birth_date, today)
    protected = person.protected_identity
    address = () if protected or person.address is None else (
        person.address.street, f"{person.address.postal_code} {person.address.city}")  # fmt: skip
    return PatientHeader(
        citizen_id=citizen_id,
        name=None if protected else person.full_name,
        personnummer=twelve_digit_display(person.personnummer),
        age=age_on(person.birth_date, today),
        protected_identity=protected,
        child_under_13=child,
        # Guardians act for a child under 13 without protected identity, unless care blocked them all
        # or removed the child's login (domain/guardianship.py).
        guardians_acting=sent_by_guardian or (in_guardians_care(person.as_child(), today)
                                              and bool(person.guardian_ids - person.blocked_guardian_ids)),
        in_register=True,
        address=address,
    )


__all__ = ["GUARDIAN_ACCESS_ENDS_AT_AGE", "PatientHeader", "header", "twelve_digit_display"]
