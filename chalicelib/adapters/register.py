"""The population register in DynamoDB, and the personnummer -> citizen id look-up.

A region that has its own register service implements `PopulationRegister`
(chalicelib/services/ports.py) against it and wires that in bootstrap.py instead.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import date, datetime

from pynamodb.exceptions import DoesNotExist, PutError
from pynamodb.transactions import TransactWrite

from chalicelib.adapters.tables import Identity, PostalAddress, RegisterAuditRecord, RegisterPerson
from chalicelib.domain.clock import utc_now
from chalicelib.domain.people import Address, Person, PersonUpdate
from chalicelib.domain.personnummer import Personnummer, parse
from chalicelib.errors import BadInput


class IdentityStore:
    """Maps a personnummer to the opaque citizen id used everywhere else."""

    def __init__(self, hmac_key: bytes) -> None:
        self._key = hmac_key

    def pnr_key(self, pnr: Personnummer) -> str:
        return hmac.new(self._key, pnr.digits.encode(), hashlib.sha256).hexdigest()

    def find(self, pnr: Personnummer) -> str | None:
        try:
            return Identity.get(self.pnr_key(pnr)).citizen_id
        except DoesNotExist:
            return None

    def find_many(self, numbers: list[Personnummer]) -> dict[str, str]:
        """personnummer digits → citizen id for those known: BatchGetItem, a hundred a request."""
        digits_of = {self.pnr_key(p): p.digits for p in numbers}
        return {digits_of[r.pnr_key]: r.citizen_id for r in Identity.batch_get(list(digits_of))}

    def find_or_create(self, pnr: Personnummer) -> str:
        existing = self.find(pnr)
        if existing:
            return existing
        record = Identity(self.pnr_key(pnr), citizen_id=str(uuid.uuid4()), created_at=utc_now())
        try:
            record.save(condition=Identity.pnr_key.does_not_exist())
            return record.citizen_id
        except PutError:
            # Someone else created it between our read and write: theirs stands.
            found = self.find(pnr)
            if found is None:
                raise
            return found


def _to_person(record: RegisterPerson) -> Person:
    # The stored number was validated on the way in; parse with its own birth date as "today"
    # bound so century resolution cannot move it.
    pnr = parse(record.personnummer, today=date.max)
    address = None
    if record.address is not None and not record.protected_identity:
        address = Address(record.address.street, record.address.postal_code, record.address.city)
    return Person(
        citizen_id=record.citizen_id,
        personnummer=pnr,
        given_name=record.given_name,
        family_name=record.family_name,
        protected_identity=bool(record.protected_identity),
        address=address,
        guardian_ids=frozenset(record.guardian_ids or ()),
        child_ids=frozenset(record.child_ids or ()),
        blocked_guardian_ids=frozenset(record.blocked_guardian_ids or ()),
        login_removed=bool(record.login_removed),
    )


@dataclass(frozen=True, slots=True)
class ChangedBy:
    """Who sends a register change: the integration key and its system (for the audit record)."""

    key_id: str
    system_name: str


@dataclass(frozen=True, slots=True)
class RegisterChange:
    """One audited change of a person's guardians or protected identity."""

    key_id: str
    system_name: str
    changes: frozenset[str]
    guardians_before: frozenset[str]
    guardians_after: frozenset[str]
    protected_before: bool | None
    protected_after: bool
    changed_at: datetime


def _audit(citizen_id: str, previous: Person | None, guardian_ids: set[str], protected: bool, by: ChangedBy,
           now: datetime) -> RegisterAuditRecord | None:  # fmt: skip
    before = set(previous.guardian_ids) if previous else set()
    changes = set()
    if guardian_ids != before:
        changes.add("guardians")
    if (previous.protected_identity if previous else False) != protected:
        changes.add("protected_identity")
    if not changes:
        return None
    return RegisterAuditRecord(
        citizen_id, f"{now.isoformat()}#{secrets.token_hex(4)}", key_id=by.key_id, system_name=by.system_name,
        changes=changes, guardians_before=before or None, guardians_after=guardian_ids or None,
        protected_before=previous.protected_identity if previous else None, protected_after=protected, changed_at=now,
    )  # fmt: skip


class DynamoPopulationRegister:
    def __init__(self, identities: IdentityStore) -> None:
        self._identities = identities

    def get(self, citizen_id: str) -> Person | None:
        try:
            return _to_person(RegisterPerson.get(citizen_id))
        except DoesNotExist:
            return None

    def get_many(self, citizen_ids: list[str]) -> list[Person]:
        if not citizen_ids:
            return []
        return [_to_person(r) for r in RegisterPerson.batch_get(list(citizen_ids))]

    def find_by_personnummer(self, pnr: Personnummer) -> Person | None:
        citizen_id = self._identities.find(pnr)
        return self.get(citizen_id) if citizen_id else None

    def changes_of(self, citizen_id: str, limit: int = 50) -> list[RegisterChange]:
        """The audited changes of a person's guardians and protection, newest first: one Query."""
        return [
            RegisterChange(r.key_id, r.system_name, frozenset(r.changes), frozenset(r.guardians_before or ()),
                           frozenset(r.guardians_after or ()), r.protected_before, bool(r.protected_after),
                           r.changed_at)
            for r in RegisterAuditRecord.query(citizen_id, scan_index_forward=False, limit=limit)
        ]  # fmt: skip

    def upsert(self, update: PersonUpdate, changed_by: ChangedBy | None = None) -> Person:
        """Create or update one person (the register's own attributes only) and keep guardian <-> child
        links symmetric, in one transaction.
        A change of guardians or protected identity sent by `changed_by` is audited in the same one."""
        citizen_id = self._identities.find_or_create(update.personnummer)
        guardian_ids: set[str] = set()
        for guardian_pnr in update.guardians:
            guardian_id = self._identities.find(guardian_pnr)
            if guardian_id is None or self.get(guardian_id) is None:
                raise BadInput("guardian_unknown", "En vårdnadshavare finns inte i registret.", field="guardians")
            guardian_ids.add(guardian_id)
        if citizen_id in guardian_ids:
            raise BadInput("guardian_is_self", "En person kan inte vara sin egen vårdnadshavare.", field="guardians")

        previous = self.get(citizen_id)
        previous_guardians = set(previous.guardian_ids) if previous else set()
        now = utc_now()
        address = None if update.address is None or update.protected_identity else PostalAddress(
            street=update.address.street, postal_code=update.address.postal_code, city=update.address.city)
        # An update of the feed's own attributes, never a whole-item put: what others keep on the person
        # (child links, a guardian care blocked, a removed login) is not the feed's to overwrite, and a
        # block decided while the feed writes is not lost.
        actions = [
            RegisterPerson.personnummer.set(update.personnummer.digits),
            RegisterPerson.given_name.set(update.given_name),
            RegisterPerson.family_name.set(update.family_name),
            RegisterPerson.birth_date.set(update.personnummer.birth_date.isoformat()),
            RegisterPerson.protected_identity.set(update.protected_identity),
            RegisterPerson.address.set(address) if address is not None else RegisterPerson.address.remove(),
            RegisterPerson.guardian_ids.set(guardian_ids) if guardian_ids else RegisterPerson.guardian_ids.remove(),
            RegisterPerson.updated_at.set(now),
        ]  # fmt: skip
        record = RegisterPerson(
            citizen_id, personnummer=update.personnummer.digits, given_name=update.given_name,
            family_name=update.family_name, birth_date=update.personnummer.birth_date.isoformat(),
            protected_identity=update.protected_identity, address=address, guardian_ids=guardian_ids or None,
            child_ids=set(previous.child_ids) if previous and previous.child_ids else None, updated_at=now,
            blocked_guardian_ids=set(previous.blocked_guardian_ids) if previous and previous.blocked_guardian_ids
            else None, login_removed=previous.login_removed if previous else None,
        )  # fmt: skip
        # The model's own connection: a new one per call would build a new botocore client (~0.2 s).
        audit = _audit(citizen_id, previous, guardian_ids, update.protected_identity, changed_by, now) if changed_by \
            else None
        with TransactWrite(connection=RegisterPerson._get_connection().connection) as tx:
            tx.update(RegisterPerson(citizen_id), actions=actions)
            if audit is not None:
                tx.save(audit)
            for added in guardian_ids - previous_guardians:
                tx.update(
                    RegisterPerson(added),
                    actions=[RegisterPerson.child_ids.add({citizen_id})],
                    condition=RegisterPerson.citizen_id.exists(),
                )
            for removed in previous_guardians - guardian_ids:
                tx.update(RegisterPerson(removed), actions=[RegisterPerson.child_ids.delete({citizen_id})])
        return _to_person(record)
