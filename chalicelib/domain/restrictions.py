"""Protections care puts around a person (seed 002, "Begränsa åtkomst" and "Risker och åtgärder").

- **Seal** (försegla) the whole journal: nothing from any source shows, to the person or a guardian.
  The citizen seals it themselves (and lifts it), or staff do on the citizen's request. The other
  e-services stay as they were.
- **Hide a unit** (försegla delvis): care hides one unit's journal information for two months at a
  time; renewed by deciding again.
- **Block a guardian** (blockera vårdnadshavare): the guardian can neither act for the child in any
  e-service nor read the child's journal. Until lifted.
- **Remove login** (ta bort inloggning): the person cannot log in to the e-services at all; they see
  only a neutral message. Until restored.
- **Extended access** (utökad åtkomst), per unit, for a child aged 13–15: the guardian may go on
  reading that unit's journal, or the child may read it early. A year at a time, never past the
  16th birthday, from which the child reads their own journal anyway.

Each is decided by staff (or the citizen, for sealing) with a reason, audited, reversible, and
listed. Pure rules here; storage in adapters/restrictions.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from chalicelib.domain.clock import STOCKHOLM, add_months
from chalicelib.domain.personnummer import birthday

HIDE_UNIT_MONTHS = 2  # seed 002: "kan döljas i två månader åt gången"
EXTENSION_MONTHS = 12  # seed 002: "Förlängningen gäller då för ett år i taget"
JOURNAL_OWN_AGE = 16  # from the 16th birthday a person reads their own journal
GUARDIAN_JOURNAL_ENDS_AT_AGE = 13  # a guardian reads a child's journal until the 13th birthday
EXTENSION_FROM_AGE = 13


class RestrictionKind(StrEnum):
    SEAL = "seal"  # the whole journal
    HIDE_UNIT = "hide_unit"  # one unit's journal, for two months
    BLOCK_GUARDIAN = "block_guardian"  # one guardian, from the child
    LOGIN_REMOVED = "login_removed"
    EXTEND_GUARDIAN = "extend_guardian"  # a guardian reads one unit's journal of a child aged 13–15
    EXTEND_CHILD = "extend_child"  # a child aged 13–15 reads one unit's journal early


UNIT_KINDS = (RestrictionKind.HIDE_UNIT, RestrictionKind.EXTEND_GUARDIAN, RestrictionKind.EXTEND_CHILD)


@dataclass(frozen=True, slots=True)
class Restriction:
    citizen_id: str  # whom it protects (the child, for a blocked guardian or an extension)
    kind: RestrictionKind
    unit_hsa_id: str | None  # the unit hidden or extended; None for the rest
    guardian_id: str | None  # the blocked guardian
    reason: str
    decided_by: str  # a staff member's HSA-id, or "citizen" when they sealed it themselves
    decided_by_name: str
    decided_at_unit: str | None  # the deciding staff member's unit (None: the citizen)
    decided_at: datetime
    until: datetime | None = None  # a hidden unit's or an extension's end (UTC); None: until lifted

    @property
    def key(self) -> str:
        """One of each kind per person and target: deciding again renews it."""
        target = self.unit_hsa_id or self.guardian_id
        return f"{self.kind.value}#{target}" if target else self.kind.value

    def in_force(self, now: datetime) -> bool:
        return self.until is None or now < self.until


def restriction_key(kind: RestrictionKind, target: str | None = None) -> str:
    return f"{kind.value}#{target}" if target else kind.value


def hidden_until(decided_at: datetime) -> datetime:
    """Two months from the decision, to the same minute (Stockholm calendar)."""
    return _months_later(decided_at, HIDE_UNIT_MONTHS)


def extension_until(decided_at: datetime, birth_date: date) -> datetime:
    """A year from the decision, or the 16th birthday (Stockholm midnight) if that comes first."""
    year_on = _months_later(decided_at, EXTENSION_MONTHS)
    sixteen = datetime.combine(birthday(birth_date, JOURNAL_OWN_AGE), datetime.min.time(), STOCKHOLM)
    return min(year_on, sixteen.astimezone(decided_at.tzinfo))


def _months_later(moment: datetime, months: int) -> datetime:
    local = moment.astimezone(STOCKHOLM)
    day = add_months(local.date(), months)
    return datetime.combine(day, local.timetz().replace(tzinfo=None), STOCKHOLM).astimezone(moment.tzinfo)


def extension_allowed(birth_date: date, today: date) -> bool:
    """Extended access is for a child aged 13–15."""
    return birthday(birth_date, EXTENSION_FROM_AGE) <= today < birthday(birth_date, JOURNAL_OWN_AGE)


@dataclass(frozen=True, slots=True)
class Restrictions:
    """Everything in force or recorded for one person: read with one Query."""

    items: tuple[Restriction, ...] = ()

    def _live(self, kind: RestrictionKind, now: datetime) -> list[Restriction]:
        return [r for r in self.items if r.kind == kind and r.in_force(now)]

    def sealed(self, now: datetime) -> bool:
        return bool(self._live(RestrictionKind.SEAL, now))

    def hidden_units(self, now: datetime) -> frozenset[str]:
        return frozenset(r.unit_hsa_id for r in self._live(RestrictionKind.HIDE_UNIT, now) if r.unit_hsa_id)

    def guardian_extended_units(self, now: datetime) -> frozenset[str]:
        return frozenset(r.unit_hsa_id for r in self._live(RestrictionKind.EXTEND_GUARDIAN, now) if r.unit_hsa_id)

    def child_early_units(self, now: datetime) -> frozenset[str]:
        return frozenset(r.unit_hsa_id for r in self._live(RestrictionKind.EXTEND_CHILD, now) if r.unit_hsa_id)

    def blocked_guardians(self) -> frozenset[str]:
        return frozenset(r.guardian_id for r in self.items if r.kind == RestrictionKind.BLOCK_GUARDIAN and r.guardian_id)

    def login_removed(self) -> bool:
        return any(r.kind == RestrictionKind.LOGIN_REMOVED for r in self.items)

    def in_force(self, now: datetime) -> list[Restriction]:
        return sorted((r for r in self.items if r.in_force(now)), key=lambda r: r.decided_at, reverse=True)

