"""People as the population register knows them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from chalicelib.domain.guardianship import Child
from chalicelib.domain.personnummer import Personnummer


@dataclass(frozen=True, slots=True)
class Address:
    street: str
    postal_code: str
    city: str


@dataclass(frozen=True, slots=True)
class Person:
    citizen_id: str
    personnummer: Personnummer
    given_name: str
    family_name: str
    protected_identity: bool
    address: Address | None  # None where protected identity withholds it
    guardian_ids: frozenset[str] = field(default_factory=frozenset)
    child_ids: frozenset[str] = field(default_factory=frozenset)
    blocked_guardian_ids: frozenset[str] = field(default_factory=frozenset)  # guardians care blocked from the child
    login_removed: bool = False  # care removed the person's login: for a child, no guardian acts for them either

    @property
    def birth_date(self) -> date:
        return self.personnummer.birth_date

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    def as_child(self) -> Child:
        return Child(
            citizen_id=self.citizen_id,
            given_name=self.given_name,
            birth_date=self.birth_date,
            protected_identity=self.protected_identity,
            blocked_guardian_ids=self.blocked_guardian_ids,
            login_removed=self.login_removed,
        )


@dataclass(frozen=True, slots=True)
class PersonUpdate:
    """What the register (or a care system on its behalf) says about one person."""

    personnummer: Personnummer
    given_name: str
    family_name: str
    protected_identity: bool
    address: Address | None
    guardians: tuple[Personnummer, ...] = ()
