"""The population register in DynamoDB, and the personnummer -> citizen id look-up.

A region that has its own register service implements `PopulationRegister`
(chalicelib/services/ports.py) against it and wires that in bootstrap.py instead.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from datetime import date

from pynamodb.exceptions import DoesNotExist, PutError
from pynamodb.transactions import TransactWrite

from chalicelib.adapters.tables import Identity, PostalAddress, RegisterPerson
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
    )


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

    def upsert(self, update: PersonUpdate) -> Person:
        """Create or replace one person and keep guardian <-> child links symmetric, in one transaction."""
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
        record = RegisterPerson(
            citizen_id,
            personnummer=update.personnummer.digits,
            given_name=update.given_name,
            family_name=update.family_name,
            birth_date=update.personnummer.birth_date.isoformat(),
            protected_identity=update.protected_identity,
            address=None
            if update.address is None or update.protected_identity
            else PostalAddress(
                street=update.address.street, postal_code=update.address.postal_code, city=update.address.city
            ),
            guardian_ids=guardian_ids or None,
            child_ids=set(previous.child_ids) if previous and previous.child_ids else None,
            updated_at=now,
        )
        # The model's own connection: a new one per call would build a new botocore client (~0.2 s).
        with TransactWrite(connection=RegisterPerson._get_connection().connection) as tx:
            tx.save(record)
            for added in guardian_ids - previous_guardians:
                tx.update(
                    RegisterPerson(added),
                    actions=[RegisterPerson.child_ids.add({citizen_id})],
                    condition=RegisterPerson.citizen_id.exists(),
                )
            for removed in previous_guardians - guardian_ids:
                tx.update(RegisterPerson(removed), actions=[RegisterPerson.child_ids.delete({citizen_id})])
        return _to_person(record)
