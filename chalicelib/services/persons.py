"""Persons, not accounts: whose inbox a personnummer means, who reads it and who is told that
something new waits. Every sender (care systems, staff, bookings, cases, self-tests, summons) goes
through here, so all behave the same; the rule itself is domain/reach.py.

DynamoDB: a register GetItem (skipped when the birth date is known and the person is 13 or
older: then nobody but they reach their inbox) and one BatchGetItem of the person's and their
guardians' accounts. No reads per guardian. For many people at once (the evening's summonses and
their notifications) the same reads cover a hundred people a call: `reach_many`, `letter_addresses`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from chalicelib.adapters.tables import Account
from chalicelib.domain import reach as rules
from chalicelib.domain.guardianship import under_guardian_age
from chalicelib.domain.people import Person
from chalicelib.domain.personnummer import Personnummer
from chalicelib.domain.reach import AccountHolder, Reach
from chalicelib.errors import Unprocessable
from chalicelib.services.ports import Ports


def known_citizen_id(ports: Ports, pnr: Personnummer) -> str | None:
    """The opaque id of someone the register knows or who has logged in (their inbox exists), else
    None. Reads only: a register update or a login gives the id, the same one whichever came first."""
    return ports.identities.find(pnr)


def citizen_id_for(ports: Ports, pnr: Personnummer) -> str:
    """As known_citizen_id; anyone else gets 422 `person_unknown`, and nothing is written."""
    citizen_id = known_citizen_id(ports, pnr)
    if citizen_id is None:
        raise Unprocessable("person_unknown", "Personen finns inte i folkbokföringen och har aldrig loggat in.",
                            field="personnummer")  # fmt: skip
    return citizen_id


def recipient(ports: Ports, pnr: Personnummer, today: date) -> Reach:
    """The person a sender names by personnummer (422 `person_unknown` if nobody knows them) and who
    reads their inbox today; `Reach.citizen_id` is the inbox to deliver to."""
    return reach_of(ports, citizen_id_for(ports, pnr), today, born=pnr.birth_date)


def reach_of(ports: Ports, citizen_id: str, today: date, *, born: date | None = None) -> Reach:
    """Who reads the person's inbox today. `born` (from a personnummer, when the caller has one)
    spares the register read for anyone 13 or older."""
    needs_register = born is None or under_guardian_age(born, today)
    person = ports.register.get(citizen_id) if needs_register else None
    return reach_with(ports, citizen_id, person, today)


def reach_with(ports: Ports, citizen_id: str, person: Person | None, today: date) -> Reach:
    """As reach_of, with the register's record the caller has already read (None: not in it)."""
    return reach_many(ports, [(citizen_id, person, today)])[0]


def reach_many(ports: Ports, wanted: Sequence[tuple[str, Person | None, date]]) -> list[Reach]:
    """As reach_with for each (citizen_id, register record, day): the accounts of all of them and
    of the guardians who read for a child under 13, in one BatchGetItem per hundred."""
    ids = {citizen_id for citizen_id, _, _ in wanted}
    ids |= {g for _, person, today in wanted for g in rules.guardians_who_may_read(person, today)}
    holders = {a.citizen_id: _holder(a) for a in ports.accounts.get_many(sorted(ids)) if ports.accounts.is_active(a)}
    return [rules.reach(citizen_id, person, holders, today) for citizen_id, person, today in wanted]


def _holder(account: Account) -> AccountHolder:
    return AccountHolder(account.citizen_id, bool(account.digital_first), account.email is not None,
                         account.sms is not None, account.language or rules.SWEDISH)  # fmt: skip


def letter_address(ports: Ports, person: Person | None, today: date) -> list[str]:
    """The address lines of a paper letter; a child under 13's guardians are read (one BatchGetItem)."""
    return letter_addresses(ports, [(person, today)])[0]


def letter_addresses(ports: Ports, wanted: Sequence[tuple[Person | None, date]]) -> list[list[str]]:
    """As letter_address for each (register record, day): every child's guardians in one read per hundred."""
    ids = sorted({g for person, today in wanted for g in rules.guardians_who_may_read(person, today)})
    found = {g.citizen_id: g for g in ports.register.get_many(ids)} if ids else {}
    return [rules.letter_address(person, [found[g] for g in rules.guardians_who_may_read(person, today) if g in found],
                                 today) for person, today in wanted]  # fmt: skip
