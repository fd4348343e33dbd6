"""How care reaches a person: persons, not accounts.

Everyone the population register knows has an inbox, whether or not they ever logged in; an
account is only a login record. The inbox is read, and its readers are told by e-mail or SMS that
something new waits (each by their own verified addresses and language), by:

- the person themselves, with an active account (they have logged in, and their login is not removed);
- for a child under 13 without protected identity (`in_guardians_care`): every guardian the
  register names who has an active account, but a guardian care has blocked (`guardian_may_act_for`):
  a blocked guardian neither reads the child's inbox, nor is told, nor is named on a letter. From the 13th birthday (a Stockholm date), or with
  protected identity, only the child's own account.

Paper (the summons' channel choice; what `citizen-status` tells a care system):

- no paper ("digital first") only when those who decide chose digital first and are reached: the
  person's own choice; for a child under 13, the choice of *every* guardian who may act for them.
  A guardian without an account is not reached, so then paper goes too: a summons must not be
  missed, and guardians may live apart. A child under 13 with no guardian in the register gets paper.
- a letter to a child under 13 is addressed "Till vårdnadshavare för <the child's name>" at the
  child's address, with the guardians' names (never a protected guardian's). A child with protected
  identity gets the protected-identity handling instead, whatever the age.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import Enum

from chalicelib.domain.guardianship import guardian_may_act_for, in_guardians_care
from chalicelib.domain.people import Person

SWEDISH = "sv"  # the region's language: what a message is written in when no reader chose another
NO_ADDRESS = "Adress saknas i folkbokföringen"
PROTECTED_NOTE = "Skyddad identitet: skickas via Skatteverkets särskilda postförmedling"


@dataclass(frozen=True, slots=True)
class AccountHolder:
    """Someone who logs in (an active account), with the choices that matter for reaching them."""

    citizen_id: str
    digital_first: bool
    email: bool  # a verified e-mail address for notifications
    sms: bool  # a verified mobile number
    language: str = SWEDISH  # the language they chose for the e-services ("sv", "en")


class DigitalChannel(str, Enum):
    OWN_ACCOUNT = "own_account"
    GUARDIAN = "guardian"


@dataclass(frozen=True, slots=True)
class Reach:
    citizen_id: str  # whose inbox: always the person's own, a child's too
    own: AccountHolder | None
    guardians: tuple[AccountHolder, ...]  # guardians who may act for the person and log in
    guardians_decide: bool  # a child under 13 without protected identity
    digital_first: bool  # no paper needed

    @property
    def notify(self) -> tuple[AccountHolder, ...]:
        """Whom to tell that something new waits, each by their own settings."""
        return ((self.own,) if self.own else ()) + self.guardians

    @property
    def channel(self) -> DigitalChannel | None:
        if self.own:
            return DigitalChannel.OWN_ACCOUNT
        return DigitalChannel.GUARDIAN if self.guardians else None

    @property
    def language(self) -> str:
        """The language a message or letter to this person is written in: their own choice; for a
        child under 13, the guardians' when they all chose the same; Swedish otherwise (a person
        without an account, or guardians who chose differently)."""
        if self.own:
            return self.own.language
        chosen = {g.language for g in self.guardians}
        return chosen.pop() if len(chosen) == 1 else SWEDISH

    @property
    def reaches_digitally(self) -> bool:
        return bool(self.notify)

    @property
    def notify_email(self) -> bool:
        return any(h.email for h in self.notify)

    @property
    def notify_sms(self) -> bool:
        return any(h.sms for h in self.notify)


def guardians_decide(person: Person | None, today: date) -> bool:
    """A child under 13 without protected identity: the guardians read, choose and get the letter."""
    return person is not None and in_guardians_care(person.as_child(), today)


def guardians_who_may_read(person: Person | None, today: date) -> tuple[str, ...]:
    """The citizen ids of the guardians who may act for the person today (none from 13 on; never a
    guardian care has blocked)."""
    if person is None or not guardians_decide(person, today):
        return ()
    child = person.as_child()
    return tuple(sorted(g for g in person.guardian_ids if guardian_may_act_for(child, g, today)))


def reach(citizen_id: str, person: Person | None, holders: Mapping[str, AccountHolder], today: date) -> Reach:
    """`person`: the register's record (None: not in the register, or known to be 13 or older);
    `holders`: the active accounts among the person and their guardians, by citizen id."""
    guardian_ids = guardians_who_may_read(person, today)
    own = holders.get(citizen_id)
    guardians = tuple(holders[g] for g in guardian_ids if g in holders)
    decide = guardians_decide(person, today)
    if decide:
        # Every guardian must be reached and have chosen digital first; none in the register: paper.
        digital_first = bool(guardian_ids) and len(guardians) == len(guardian_ids) and all(
            g.digital_first for g in guardians
        )
    else:
        digital_first = own is not None and own.digital_first
    return Reach(citizen_id, own, guardians, decide, digital_first)


def letter_address(person: Person | None, guardians: Sequence[Person], today: date) -> list[str]:
    """The envelope's address lines for a letter to `person`; `guardians`: their register records
    (read only for a child under 13)."""
    if person is None:
        return [NO_ADDRESS]
    if person.protected_identity:
        # No address here: the Swedish Tax Agency forwards it (and a child's too, whatever the age).
        return [person.full_name, PROTECTED_NOTE]
    if guardians_decide(person, today):
        lines = [f"Till vårdnadshavare för {person.full_name}"]
        names = [g.full_name for g in guardians
                 if not g.protected_identity and g.citizen_id not in person.blocked_guardian_ids]  # fmt: skip
        if names:
            lines.append(" och ".join(names))
    else:
        lines = [person.full_name]
    if person.address is None:
        return [*lines, NO_ADDRESS]
    return [*lines, person.address.street, f"{person.address.postal_code} {person.address.city}"]
