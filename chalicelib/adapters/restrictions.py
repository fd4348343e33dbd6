"""The protections around a person (domain/restrictions.py) in DynamoDB.

Tables: `restrictions` (citizen_id, key = Restriction.key: "seal", "hide_unit#<unit>",
"block_guardian#<guardian citizen id>", "login_removed", "extend_guardian#<unit>",
"extend_child#<unit>"), one item per kind and target, so deciding again renews it; and
`restriction-audit` (citizen_id, "<at ISO>#<random>"), one row per decision.

Access patterns (no Scan anywhere):

| pattern                                              | call                                                   |
| ---------------------------------------------------- | ------------------------------------------------------ |
| everything recorded for one person (`of`)            | Query restrictions (citizen_id): one request            |
| decide (new) / renew                                 | TransactWriteItems: PutItem restrictions (condition new / exists) + PutItem restriction-audit + PutItem events; for a block UpdateItem register-persons ADD blocked_guardian_ids (condition the guardian is the child's); for a login removal UpdateItem accounts login_removed (+ register-persons login_removed) |
| lift                                                 | TransactWriteItems: DeleteItem restrictions (condition exists) + audit + event (+ the DELETE / the flag cleared) |
| the restrictions decided at some units, newest first | one Query per unit of the index by-deciding-unit, descending, Limit page+1, merged |
| a person's decisions (history), newest first          | Query restriction-audit (citizen_id), descending, Limit page+1 |

What other paths need without another read is kept beside the person in the same transaction:
`RegisterPerson.blocked_guardian_ids` (acting, reach, letters) and `Account.login_removed` (the
login refuses; `AccountStore.record_login`), and `RegisterPerson.login_removed` (no guardian acts
for a child whose login is removed). The register feed updates only its own attributes, so it never
wipes them (adapters/register.py).
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from pynamodb.attributes import UTCDateTimeAttribute
from pynamodb.transactions import TransactWrite

from chalicelib.adapters import events
from chalicelib.adapters.paging import Position, exclusive_start, one_page
from chalicelib.adapters.tables import Account, RegisterPerson, RestrictionAuditRecord, RestrictionRecord
from chalicelib.domain.events import DomainEvent
from chalicelib.domain.restrictions import Restriction, RestrictionKind, Restrictions
from chalicelib.errors import Conflict

DONE = "-"  # a unit whose restrictions have all been shown (in a list's position)


@dataclass(frozen=True, slots=True)
class Decision:
    """One row of a person's history of protections."""

    action: str  # "decided", "renewed", "lifted"
    restriction_key: str
    kind: RestrictionKind
    unit_hsa_id: str | None
    guardian_id: str | None
    reason: str | None
    by: str
    by_name: str
    at_unit: str | None
    at: datetime
    until: datetime | None


def _restriction(record: RestrictionRecord) -> Restriction:
    return Restriction(
        citizen_id=record.citizen_id, kind=RestrictionKind(record.kind), unit_hsa_id=record.unit_hsa_id,
        guardian_id=record.guardian_id, reason=record.reason or "", decided_by=record.decided_by,
        decided_by_name=record.decided_by_name, decided_at_unit=record.decided_at_unit,
        decided_at=record.decided_at, until=record.until,
    )  # fmt: skip


def _record(r: Restriction) -> RestrictionRecord:
    return RestrictionRecord(
        r.citizen_id, r.key, kind=r.kind.value, unit_hsa_id=r.unit_hsa_id, guardian_id=r.guardian_id,
        reason=r.reason or None, decided_by=r.decided_by, decided_by_name=r.decided_by_name,
        decided_at_unit=r.decided_at_unit, decided_at=r.decided_at, until=r.until,
    )  # fmt: skip


def _audit(r: Restriction, action: str, *, by: str, by_name: str, at_unit: str | None, at: datetime,
           reason: str | None) -> RestrictionAuditRecord:  # fmt: skip
    return RestrictionAuditRecord(
        r.citizen_id, f"{at.isoformat()}#{secrets.token_hex(4)}", action=action, restriction_key=r.key,
        kind=r.kind.value, unit_hsa_id=r.unit_hsa_id, guardian_id=r.guardian_id, reason=reason or None, by=by,
        by_name=by_name, at_unit=at_unit, at=at, until=r.until if action != "lifted" else None,
    )  # fmt: skip


def _decision(record: RestrictionAuditRecord) -> Decision:
    return Decision(record.action, record.restriction_key, RestrictionKind(record.kind), record.unit_hsa_id,
                    record.guardian_id, record.reason, record.by, record.by_name, record.at_unit, record.at,
                    record.until)  # fmt: skip


def _beside_the_person(tx: TransactWrite, r: Restriction, in_force: bool, in_register: bool) -> None:
    """What other paths read without another read, kept in the decision's own transaction."""
    if r.kind is RestrictionKind.BLOCK_GUARDIAN and r.guardian_id:
        child = RegisterPerson(r.citizen_id)
        if in_force:  # only a guardian the register names for the child (a race with the feed loses)
            tx.update(child, actions=[RegisterPerson.blocked_guardian_ids.add({r.guardian_id})],
                      condition=RegisterPerson.guardian_ids.contains(r.guardian_id))  # fmt: skip
        else:
            tx.update(child, actions=[RegisterPerson.blocked_guardian_ids.delete({r.guardian_id})],
                      condition=RegisterPerson.citizen_id.exists())  # fmt: skip
    elif r.kind is RestrictionKind.LOGIN_REMOVED:
        tx.update(Account(r.citizen_id), actions=[Account.login_removed.set(in_force)])
        if in_register:
            tx.update(RegisterPerson(r.citizen_id), actions=[RegisterPerson.login_removed.set(in_force)],
                      condition=RegisterPerson.citizen_id.exists())  # fmt: skip


class RestrictionStore:
    def of(self, citizen_id: str) -> Restrictions:
        """Everything recorded for one person: one Query (a person has a handful at most)."""
        return Restrictions(tuple(_restriction(r) for r in RestrictionRecord.query(citizen_id)))

    def decide(self, restriction: Restriction, happened: DomainEvent, *, renewing: bool = False,
               in_register: bool = True) -> None:  # fmt: skip
        """A new restriction (`renewing`: the same one decided again, with a new end), its audit row and
        its event, all or nothing. Conflict when someone else decided or lifted it meanwhile."""
        record = _record(restriction)
        condition = RestrictionRecord.key.exists() if renewing else RestrictionRecord.key.does_not_exist()
        audit = _audit(restriction, "renewed" if renewing else "decided", by=restriction.decided_by,
                       by_name=restriction.decided_by_name, at_unit=restriction.decided_at_unit,
                       at=restriction.decided_at, reason=restriction.reason)  # fmt: skip

        def write(tx: TransactWrite) -> None:
            tx.save(record, condition=condition)
            tx.save(audit)
            if not renewing:
                _beside_the_person(tx, restriction, True, in_register)

        try:
            events.commit(happened, write)
        except events.ConditionLost:
            raise Conflict("restriction_changed", "Skyddet ändrades nyss av någon annan. Läs in sidan igen.") from None

    def lift(self, restriction: Restriction, happened: DomainEvent, *, by: str, by_name: str,
             at_unit: str | None, reason: str | None = None, in_register: bool = True) -> None:  # fmt: skip
        """Lift what is in force (as read): Conflict, and nothing written, when it is not there."""
        audit = _audit(restriction, "lifted", by=by, by_name=by_name, at_unit=at_unit, at=happened.occurred_at,
                       reason=reason)  # fmt: skip

        def write(tx: TransactWrite) -> None:
            tx.delete(RestrictionRecord(restriction.citizen_id, restriction.key),
                      condition=RestrictionRecord.key.exists())  # fmt: skip
            tx.save(audit)
            _beside_the_person(tx, restriction, False, in_register)

        try:
            events.commit(happened, write)
        except events.ConditionLost:
            raise Conflict("restriction_not_in_force", "Skyddet gäller inte längre.") from None

    def history(self, citizen_id: str, limit: int, start: Position | None) -> tuple[list[Decision], Position | None]:
        """A page of the person's decisions, newest first: one Query."""
        results = RestrictionAuditRecord.query(citizen_id, scan_index_forward=False, page_size=limit + 1,
                                               last_evaluated_key=exclusive_start(start))  # fmt: skip
        found, following = one_page(RestrictionAuditRecord, results, limit)
        return [_decision(r) for r in found], following

    def decided_at_units(self, units: Sequence[str], start: Position | None,
                         limit: int) -> tuple[list[Restriction], Position | None]:  # fmt: skip
        """A page of the restrictions decided at these units, newest first: one Query per unit (each
        from where it stopped), merged. The position names, per unit, the last one shown (DONE: all)."""
        start = start or {}
        pages: dict[str, list[RestrictionRecord]] = {}
        more: dict[str, bool] = {}
        for unit in sorted(set(units)):
            if start.get(unit) == DONE:
                continue
            from_here = json.loads(start[unit]) if start.get(unit) else None
            results = RestrictionRecord.by_unit.query(unit, scan_index_forward=False, page_size=limit + 1,
                                                      last_evaluated_key=exclusive_start(from_here))  # fmt: skip
            found, following = one_page(RestrictionRecord, results, limit)
            pages[unit], more[unit] = found, following is not None
        merged = sorted((r for found in pages.values() for r in found), key=lambda r: (r.decided_at, r.citizen_id,
                                                                                        r.key), reverse=True)[:limit]  # fmt: skip
        position: dict[str, str] = {u: v for u, v in start.items() if u not in pages}
        for unit, found in pages.items():
            shown = [r for r in merged if r.decided_at_unit == unit]
            if len(shown) == len(found) and not more[unit]:
                position[unit] = DONE
            elif shown:
                last = shown[-1]
                position[unit] = json.dumps({
                    "citizen_id": last.citizen_id, "key": last.key, "decided_at_unit": unit,
                    "decided_at": UTCDateTimeAttribute().serialize(last.decided_at)})  # fmt: skip
            elif start.get(unit):
                position[unit] = start[unit]
            else:
                position[unit] = ""
        finished = all(position.get(u) == DONE for u in set(units))
        return [_restriction(r) for r in merged], None if finished else position
