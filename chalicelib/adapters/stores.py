"""Small DynamoDB stores behind the services: login attempts, sessions, accounts, staff roles,
units and integration clients. Access patterns are listed in tables.py."""

from __future__ import annotations

import hashlib
from datetime import datetime

from pynamodb.exceptions import DeleteError, DoesNotExist, UpdateError

from chalicelib.adapters.tables import (
    Account,
    IntegrationClient,
    LoginAttempt,
    SessionRecord,
    StaffRoleAssignment,
    UnitRecord,
)
from chalicelib.domain.roles import RoleAtUnit, StaffRole


def sha256_hex(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _condition_failed(error: Exception) -> bool:
    cause = getattr(error, "cause_response_code", None)
    return cause == "ConditionalCheckFailedException"


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
            if _condition_failed(error):
                return None
            raise
        return LoginAttempt.from_raw_data(response["Attributes"])


class SessionStore:
    def create(self, record: SessionRecord) -> None:
        record.save(condition=SessionRecord.session_hash.does_not_exist())

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
            if _condition_failed(error):
                return False
            raise
        return True

    def has_account(self, citizen_id: str) -> bool:
        """An account exists once the citizen has logged in (and it has not been removed)."""
        try:
            account = Account.get(citizen_id)
        except DoesNotExist:
            return False
        return account.first_login_at is not None and not account.login_removed

    def set_login_removed(self, citizen_id: str, removed: bool) -> None:
        Account(citizen_id).update(actions=[Account.login_removed.set(removed)])


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

    def save(self, unit: UnitRecord) -> None:
        unit.save()


class IntegrationClientStore:
    def get(self, key_id: str) -> IntegrationClient | None:
        try:
            return IntegrationClient.get(key_id)
        except DoesNotExist:
            return None

    def save(self, client: IntegrationClient) -> None:
        client.save(condition=IntegrationClient.key_id.does_not_exist())
