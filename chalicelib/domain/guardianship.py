"""Acting for a child (ombud): a guardian may use the e-services for a child under 13.

From the child's 13th birthday (a Stockholm date) the guardian can no longer act for them,
a child with protected identity or whose login care removed is never offered, and a guardian care has blocked (blockerad
vårdnadshavare, domain/restrictions.py) may not act for the child in any e-service.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from chalicelib.domain.personnummer import birthday

GUARDIAN_ACCESS_ENDS_AT_AGE = 13


@dataclass(frozen=True, slots=True)
class Child:
    citizen_id: str
    given_name: str
    birth_date: date
    protected_identity: bool
    blocked_guardian_ids: frozenset[str] = field(default_factory=frozenset)  # blocked by care
    login_removed: bool = False  # care removed the child's login: no guardian sees the e-services for them


def under_guardian_age(birth_date: date, today: date) -> bool:
    """Before the 13th birthday: the age at which a guardian may act for a child."""
    return today < birthday(birth_date, GUARDIAN_ACCESS_ENDS_AT_AGE)


def in_guardians_care(child: Child, today: date) -> bool:
    """Whether guardians act for the child at all: under 13, without protected identity, and with
    the child's login not removed (seed 002: a child placed under LVU whose guardians must not see
    the bookings)."""
    if child.protected_identity or child.login_removed:
        return False
    return under_guardian_age(child.birth_date, today)


def guardian_may_act_for(child: Child, guardian_id: str, today: date) -> bool:
    """Whether this guardian may act for the child today (the register's link is checked by the caller)."""
    return in_guardians_care(child, today) and guardian_id not in child.blocked_guardian_ids


def children_guardian_may_act_for(children: list[Child], guardian_id: str, today: date) -> list[Child]:
    return sorted(
        (c for c in children if guardian_may_act_for(c, guardian_id, today)),
        key=lambda c: c.birth_date,
    )
