"""Small DynamoDB stores behind the services: login attempts, sessions, accounts, staff roles,
units and integration clients. Access patterns are listed in tables.py."""

from __future__ import annotations

import hashlib
from datetime import datetime

from pynamodb.exceptions import DeleteError, DoesNotExist, TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from chalicelib.adapters import events
from chalicelib.adapters.booking import visit_type_map
from chalicelib.adapters.tables import (
    Account,
    PendingContact,
    IntegrationClient,
    LoginAttempt,
    SessionRecord,
    StaffProfile,
    StaffRoleAssignment,
    SummonsTemplateMap,
    UnitRecord,
    condition_failed,
)
from chalicelib.domain.contact import PendingVerification
from chalicelib.domain.notifications import Channel
from chalicelib.domain import staff
from chalicelib.domain.booking import VisitType
from chalicelib.domain.events import DomainEvent
from chalicelib.domain.roles import RoleAtUnit, StaffRole


def sha256_hex(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


class LoginAttemptStore:
    def put(self, attempt: LoginAttempt) -> None:
        attempt.save()

    def take(self, state: str) -> LoginAttempt | None:
        """Delete and return the attempt for this state, or None. Exactly one caller can take it."""
        try:
            response = LoginAttempt._get_connection().delete_item(
                sha256_hex(state),
                condition=LoginAttempt.state_hash.exists(),
                return_values="ALL_OLD",
            )
        except DeleteError as error:
            if condition_failed(error):
                return None
            raise
        return LoginAttempt.from_raw_data(response["Attributes"])


class SessionStore:
    def create(self, record: SessionRecord, began: DomainEvent | None = None) -> None:
        """A new session; a citizen's with its `citizen.logged_in` event in the same transaction."""
        if began is None:
            record.save(condition=SessionRecord.session_hash.does_not_exist())
            return
        events.commit(began, lambda tx: tx.save(record, condition=SessionRecord.session_hash.does_not_exist()))

    def get(self, token: str) -> SessionRecord | None:
        try:
            return SessionRecord.get(sha256_hex(token))
        except DoesNotExist:
            return None

    def touch(self, record: SessionRecord, now: datetime) -> None:
        record.update(actions=[SessionRecord.last_seen_at.set(now)], condition=SessionRecord.session_hash.exists())

    def set_acting_for(self, record: SessionRecord, child_id: str | None) -> None:
        action = (
            SessionRecord.acting_for_id.set(child_id) if child_id else SessionRecord.acting_for_id.remove()
        )
        record.update(actions=[action], condition=SessionRecord.session_hash.exists())

    def delete(self, record: SessionRecord) -> None:
        record.delete()

    def end_all_of(self, subject_id: str) -> int:
        """End every live session of one person (their login was removed): one Query of the keys-only
        index by-subject, a DeleteItem each. Ending what is already gone changes nothing."""
        hashes = [r.session_hash for r in SessionRecord.by_subject.query(subject_id)]
        for session_hash in hashes:
            SessionRecord(session_hash).delete()
        return len(hashes)


class AccountStore:
    def record_login(self, citizen_id: str, now: datetime) -> bool:
        """Note a login; False (and nothing written) when the citizen's login has been removed."""
        account = Account(citizen_id)
        try:
            account.update(
                actions=[
                    Account.last_login_at.set(now),
                    Account.first_login_at.set(Account.first_login_at | now),
                ],
                condition=Account.login_removed.does_not_exist() | (Account.login_removed == False),  # noqa: E712
            )
        except UpdateError as error:
            if condition_failed(error):
                return False
            raise
        return True

    @staticmethod
    def is_active(account: Account) -> bool:
        """An account exists once the citizen has logged in (and it has not been removed)."""
        return account.first_login_at is not None and not account.login_removed

    def set_login_removed(self, citizen_id: str, removed: bool) -> None:
        Account(citizen_id).update(actions=[Account.login_removed.set(removed)])

    # -- settings (inställningar) --

    def get(self, citizen_id: str) -> Account:
        try:
            return Account.get(citizen_id)
        except DoesNotExist:
            return Account(citizen_id)

    def get_many(self, citizen_ids: list[str]) -> list[Account]:
        """The accounts of these citizens that exist (a person and their guardians): one BatchGetItem."""
        if not citizen_ids:
            return []
        return list(Account.batch_get(sorted(set(citizen_ids))))

    @staticmethod
    def _attributes(channel: Channel) -> tuple:
        if channel is Channel.EMAIL:
            return Account.email, Account.pending_email
        return Account.sms, Account.pending_sms

    def pending(self, account: Account, channel: Channel) -> PendingVerification | None:
        value = account.pending_email if channel is Channel.EMAIL else account.pending_sms
        if value is None:
            return None
        return PendingVerification(value.address, value.code_hash, value.expires_at, int(value.attempts or 0))

    def set_preferences(self, citizen_id: str, *, digital_first: bool, language: str) -> None:
        Account(citizen_id).update(
            actions=[Account.digital_first.set(digital_first), Account.language.set(language)],
            condition=Account.citizen_id.exists(),
        )

    def set_pending(self, citizen_id: str, channel: Channel, pending: PendingVerification) -> None:
        value = PendingContact(address=pending.address, code_hash=pending.code_hash,
                               expires_at=pending.expires_at, attempts=pending.attempts)  # fmt: skip
        Account(citizen_id).update(actions=[self._attributes(channel)[1].set(value)], condition=Account.citizen_id.exists())

    def count_failed_code(self, citizen_id: str, channel: Channel) -> None:
        Account(citizen_id).update(actions=[self._attributes(channel)[1].attempts.add(1)])

    def confirm_pending(self, citizen_id: str, channel: Channel, pending: PendingVerification) -> bool:
        """Make the pending address the verified one, unless a new code was asked for meanwhile."""
        verified, pending_attr = self._attributes(channel)
        try:
            Account(citizen_id).update(
                actions=[verified.set(pending.address), pending_attr.remove()],
                condition=pending_attr.code_hash == pending.code_hash,
            )
        except UpdateError as error:
            if condition_failed(error):
                return False
            raise
        return True

    def withdraw(self, citizen_id: str, channel: Channel) -> None:
        verified, pending_attr = self._attributes(channel)
        Account(citizen_id).update(actions=[verified.remove(), pending_attr.remove()])


class StaffDirectory:
    def roles_of(self, staff_hsa_id: str) -> list[RoleAtUnit]:
        return [
            RoleAtUnit(unit_hsa_id=a.unit_hsa_id, role=StaffRole(a.role))
            for a in StaffRoleAssignment.query(staff_hsa_id)
        ]

    def grant(self, staff_hsa_id: str, staff_name: str, role: RoleAtUnit, now: datetime) -> None:
        StaffRoleAssignment(
            staff_hsa_id,
            f"{role.unit_hsa_id}#{role.role.value}",
            unit_hsa_id=role.unit_hsa_id,
            role=role.role.value,
            staff_name=staff_name,
            granted_at=now,
        ).save()

    def at_unit(self, unit_hsa_id: str) -> list[StaffRoleAssignment]:
        """Everyone holding a role at the unit: one Query of the by-unit index."""
        return list(StaffRoleAssignment.by_unit.query(unit_hsa_id))

    def revoke(self, staff_hsa_id: str, role: RoleAtUnit) -> None:
        StaffRoleAssignment(staff_hsa_id, f"{role.unit_hsa_id}#{role.role.value}").delete()

    def _holds(self, staff_hsa_id: str, assignment: str) -> bool:
        try:
            StaffRoleAssignment.get(staff_hsa_id, assignment, consistent_read=True)
        except DoesNotExist:
            return False
        return True

    def revoke_keeping_one(self, staff_hsa_id: str, role: RoleAtUnit, others: list[str]) -> bool | None:
        """Revoke a role the unit must always have one holder of (its permission admin): one
        transaction deletes it and checks that another named holder still has the role. Of two admins
        removing each other at once exactly one succeeds. True when revoked (or already gone), False
        when none of `others` holds the role any more (this one is the last), None when another change
        to the same roles ran at the same moment (try again)."""
        assignment = f"{role.unit_hsa_id}#{role.role.value}"
        for other in others:
            try:
                with TransactWrite(connection=StaffRoleAssignment._get_connection().connection) as tx:
                    tx.delete(StaffRoleAssignment(staff_hsa_id, assignment),
                              condition=StaffRoleAssignment.staff_hsa_id.exists())  # fmt: skip
                    tx.condition_check(StaffRoleAssignment, other, assignment,
                                       condition=StaffRoleAssignment.staff_hsa_id.exists())  # fmt: skip
            except TransactWriteError as error:
                if error.cause_response_code != "TransactionCanceledException":
                    raise
                if any(r and r.code == "TransactionConflict" for r in error.cancellation_reasons):
                    return None
                if not self._holds(staff_hsa_id, assignment):
                    return True  # already revoked: nothing to do
                continue  # that other holder is gone too: try the next one
            return True
        return False


def _name_key(name: str) -> str:
    """The directory's way in: family name first, then given names, folded for search."""
    words = name.casefold().split()
    return " ".join(words[-1:] + words[:-1])


class StaffProfiles:
    def get(self, staff_hsa_id: str) -> staff.StaffProfile | None:
        try:
            record = StaffProfile.get(staff_hsa_id)
        except DoesNotExist:
            return None
        return staff.StaffProfile(record.staff_hsa_id, record.name, record.title, record.signature)

    def _listed(self, name: str) -> list:
        return [StaffProfile.listed.set("staff"), StaffProfile.name_key.set(_name_key(name))]

    def remember_login(self, staff_hsa_id: str, name: str, title: str | None, now: datetime) -> None:
        """Name and title as HSA gives them at each login; the own signature stays. The login puts
        the person in the staff directory admins choose from."""
        actions = [StaffProfile.name.set(name), StaffProfile.updated_at.set(now), *self._listed(name)]
        actions.append(StaffProfile.title.set(title) if title else StaffProfile.title.remove())
        StaffProfile(staff_hsa_id).update(actions=actions)

    def from_region_directory(self, staff_hsa_id: str, name: str, title: str | None, now: datetime) -> None:
        """A person from the region's staff directory (HSA), before they have ever logged in."""
        self.remember_login(staff_hsa_id, name, title, now)

    def search(self, query: str, limit: int = 20) -> list[staff.StaffProfile]:
        """People whose family name (then given names) starts with the words searched for, or who are
        named as people usually write it, given name first ("Nora Ny"): one Query of at most `limit`,
        two when there is more than one word; an HSA-id is looked up directly."""
        text = " ".join(query.casefold().split())
        if not text:
            return []
        if text.upper().startswith("SE") and "-" in text:
            found = self.get(query.strip())
            return [found] if found else []
        found: dict[str, staff.StaffProfile] = {}
        for prefix in dict.fromkeys((text, _name_key(text))):  # as typed, then the last word first
            for r in StaffProfile.by_name.query("staff", StaffProfile.name_key.startswith(prefix), limit=limit):
                found.setdefault(r.staff_hsa_id, staff.StaffProfile(r.staff_hsa_id, r.name, r.title, r.signature))
        return list(found.values())[:limit]

    def set_signature(self, staff_hsa_id: str, name: str, signature: str | None, now: datetime) -> None:
        change = StaffProfile.signature.set(signature) if signature else StaffProfile.signature.remove()
        # The name only if the profile has none yet (a session older than the profile).
        StaffProfile(staff_hsa_id).update(
            actions=[change, StaffProfile.name.set(StaffProfile.name | name), StaffProfile.updated_at.set(now)]
        )


class UnitDirectory:
    def get(self, hsa_id: str) -> UnitRecord | None:
        try:
            return UnitRecord.get(hsa_id)
        except DoesNotExist:
            return None

    def get_many(self, hsa_ids: list[str]) -> list[UnitRecord]:
        if not hsa_ids:
            return []
        return sorted(UnitRecord.batch_get(sorted(set(hsa_ids))), key=lambda u: u.name)

    def all(self) -> list[UnitRecord]:
        """The region's units by name: one Query (paged by PynamoDB if the region is large)."""
        return list(UnitRecord.directory.query("unit"))

    def save(self, unit: UnitRecord) -> None:
        unit.save()

    def set_summons_template(self, hsa_id: str, template: SummonsTemplateMap) -> None:
        UnitRecord(hsa_id).update(actions=[UnitRecord.summons_template.set(template)],
                                  condition=UnitRecord.hsa_id.exists())  # fmt: skip

    def set_case_types(self, hsa_id: str, active: set[str], paused: set[str]) -> None:
        UnitRecord(hsa_id).update(actions=[
            UnitRecord.active_case_types.set(active) if active else UnitRecord.active_case_types.remove(),
            UnitRecord.paused_case_types.set(paused) if paused else UnitRecord.paused_case_types.remove(),
        ], condition=UnitRecord.hsa_id.exists())  # fmt: skip

    def set_paused_case_types(self, hsa_id: str, paused: set[str]) -> None:
        attribute = UnitRecord.paused_case_types
        UnitRecord(hsa_id).update(actions=[attribute.set(paused) if paused else attribute.remove()],
                                  condition=UnitRecord.hsa_id.exists())  # fmt: skip

    def assign_case_type(self, hsa_id: str, case_type_id: str, assigned: bool) -> None:
        """Offer a central case type at the unit, or stop offering it (the regional admin's choice)."""
        attribute = UnitRecord.active_case_types
        action = attribute.add({case_type_id}) if assigned else attribute.delete({case_type_id})
        UnitRecord(hsa_id).update(actions=[action], condition=UnitRecord.hsa_id.exists())

    def set_visit_types(self, hsa_id: str, visit_types: list[VisitType]) -> None:
        UnitRecord(hsa_id).update(actions=[UnitRecord.visit_types.set([visit_type_map(v) for v in visit_types])],
                                  condition=UnitRecord.hsa_id.exists())  # fmt: skip

    def set_offer_hold(self, hsa_id: str, minutes: int) -> None:
        """How long an earlier-time offer holds a slot at the unit (domain/earlier_times.py)."""
        UnitRecord(hsa_id).update(actions=[UnitRecord.offer_hold_minutes.set(minutes)],
                                  condition=UnitRecord.hsa_id.exists())  # fmt: skip


class IntegrationClientStore:
    def get(self, key_id: str) -> IntegrationClient | None:
        try:
            return IntegrationClient.get(key_id)
        except DoesNotExist:
            return None

    def save(self, client: IntegrationClient) -> None:
        client.save(condition=IntegrationClient.key_id.does_not_exist())

    def all(self) -> list[IntegrationClient]:
        """The region's keys by system name: one Query of the directory index."""
        return list(IntegrationClient.directory.query("client"))

    def _update(self, key_id: str, actions: list, condition) -> bool:  # noqa: ANN001
        try:
            IntegrationClient(key_id).update(actions=actions, condition=IntegrationClient.key_id.exists() & condition)
        except UpdateError as error:
            if condition_failed(error):
                return False
            raise
        return True

    def rotate(self, key_id: str, old_hash: str, new_hash: str, previous_valid_until: datetime,
               now: datetime) -> bool:  # fmt: skip
        """The new secret replaces the one the admin saw; the old one stays valid until the overlap
        ends. Of two rotations at once exactly one wins; a revoked key cannot be rotated."""
        return self._update(key_id, [
            IntegrationClient.secret_hash.set(new_hash), IntegrationClient.previous_secret_hash.set(old_hash),
            IntegrationClient.previous_valid_until.set(previous_valid_until), IntegrationClient.rotated_at.set(now),
        ], (IntegrationClient.secret_hash == old_hash) & IntegrationClient.revoked_at.does_not_exist())  # fmt: skip

    def revoke(self, key_id: str, now: datetime) -> bool:
        """Every secret of the key stops at once (the previous one too)."""
        return self._update(key_id, [
            IntegrationClient.revoked_at.set(now), IntegrationClient.previous_secret_hash.remove(),
            IntegrationClient.previous_valid_until.remove(),
        ], IntegrationClient.revoked_at.does_not_exist())  # fmt: skip

    def note_use(self, key_id: str, now: datetime, not_since: datetime) -> None:
        """Last use, written only when the one stored is older than `not_since` (few writes)."""
        self._update(key_id, [IntegrationClient.last_used_at.set(now)],
                     IntegrationClient.last_used_at.does_not_exist() | (IntegrationClient.last_used_at < not_since))
