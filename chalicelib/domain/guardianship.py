"""Acting for a child (ombud): a guardian may use the e-services for a child under 13.

From the child's 13th birthday (a Stockholm date) the guardian can no longer act for them,
and a child with protected identity is never offered.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from chalicelib.domain.personnummer import birthday

GUARDIAN_ACCESS_ENDS_AT_AGE = 13


@dataclass(frozen=True, slots=True)
class Child:
    citizen_id: str
    given_name: str
    birth_date: date
    protected_identity: bool


def under_guardian_age(birth_date: date, today: date) -> bool:
    """Before the 13th birthday: the age at which a guardian may act for a child."""
    return today < birthday(birth_date, GUARDIAN_ACCESS_ENDS_AT_AGE)


def guardian_may_act_for(child: Child, today: date) -> bool:
    if child.protected_identity:
        return False
    return under_guardian_age(child.birth_date, today)


def children_guardian_may_act_for(children: list[Child], today: date) -> list[Child]:
    return sorted(
        (c for c in children if guardian_may_act_for(c, today)),
        key=lambda c: c.birth_date,
    )
