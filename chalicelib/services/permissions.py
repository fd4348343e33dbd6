"""Who may do what in the staff tool, by unit (behörigheter). A unit's permission admin
(behörighetsadministratör) grants and revokes receiver, handler and reviewer at that unit; only the
regional admin appoints the unit's local and permission admins; a unit never loses its last permission
admin. People are chosen from the staff directory (their logins and the region's directory), never
typed in. A revoked role ends access at the next request (roles are read every request)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from chalicelib.adapters.tables import UnitRecord
from chalicelib.domain import staff
from chalicelib.domain.roles import APPOINTED_BY_REGIONAL_ADMIN, RoleAtUnit, StaffRole, may_grant
from chalicelib.errors import BadInput, Conflict, Forbidden
from chalicelib.observability import logger
from chalicelib.services.ports import Ports
from chalicelib.services.principals import StaffPrincipal

# Everything anyone may grant at a unit (the form's choices are narrowed per person by grantable()).
GRANTABLE = APPOINTED_BY_REGIONAL_ADMIN
_HSA_ID = re.compile(r"SE[0-9]{10}-[A-Za-z0-9]{1,31}")  # ASCII digits only; used with fullmatch


def is_regional_admin(ports: Ports, principal: StaffPrincipal) -> bool:
    return principal.has_role(ports.settings.region_hsa_id, StaffRole.REGIONAL_ADMIN)


def grantable(ports: Ports, principal: StaffPrincipal, unit_hsa_id: str) -> list[StaffRole]:
    """The roles this person may grant and revoke at the unit (empty: none)."""
    held = [r.role for r in principal.roles if r.unit_hsa_id == unit_hsa_id]
    regional = is_regional_admin(ports, principal)
    return [r for r in GRANTABLE if may_grant(held, regional, r)]


def manageable_units(ports: Ports, principal: StaffPrincipal) -> list[UnitRecord]:
    """Every unit for the regional admin (one Query of the directory); otherwise the units where the
    person is permission admin (one BatchGetItem)."""
    if is_regional_admin(ports, principal):
        return ports.units.all()
    return ports.units.get_many([u for u in principal.units() if principal.has_role(u, StaffRole.PERMISSION_ADMIN)])


def _require_any(ports: Ports, principal: StaffPrincipal, unit_hsa_id: str) -> None:
    if not grantable(ports, principal, unit_hsa_id) or ports.units.get(unit_hsa_id) is None:
        raise Forbidden("role_required", "Bara enhetens behörighetsadministratör kan ändra behörigheter.")


def roles_at(ports: Ports, principal: StaffPrincipal, unit_hsa_id: str) -> list[Any]:
    _require_any(ports, principal, unit_hsa_id)
    return sorted(ports.staff.at_unit(unit_hsa_id), key=lambda a: (a.staff_name, a.role))


def find_staff(ports: Ports, principal: StaffPrincipal, unit_hsa_id: str, query: str | None) -> list[staff.StaffProfile]:
    """People in the staff directory whose name starts with the words (or with this HSA-id)."""
    _require_any(ports, principal, unit_hsa_id)
    text = (query or "").strip()
    if len(text) > 100:
        raise BadInput("query_too_long", "Sök på högst 100 tecken.", field="q")
    return ports.staff_profiles.search(text) if text else []


def _role(ports: Ports, principal: StaffPrincipal, unit_hsa_id: str, value: str | None) -> StaffRole:
    try:
        role = StaffRole(value or "")
    except ValueError:
        raise BadInput("role_invalid", "Välj en behörighet.", field="role") from None
    if role not in GRANTABLE:
        raise BadInput("role_invalid", "Välj en behörighet.", field="role")
    if role not in grantable(ports, principal, unit_hsa_id):
        raise Forbidden("role_not_yours_to_grant",
                        "Bara regionens administratör utser lokala administratörer och behörighetsadministratörer.")
    return role


def grant(ports: Ports, principal: StaffPrincipal, unit_hsa_id: str, fields: dict[str, str], now: datetime) -> None:
    """Grant a role to someone chosen from the staff directory: HSA-id and name come from there."""
    _require_any(ports, principal, unit_hsa_id)
    role = _role(ports, principal, unit_hsa_id, fields.get("role"))
    hsa_id = (fields.get("hsa_id") or "").strip()
    person = ports.staff_profiles.get(hsa_id) if _HSA_ID.fullmatch(hsa_id) else None
    if person is None:
        raise BadInput("staff_not_in_directory", "Välj en person ur personalkatalogen.", field="hsa_id")
    ports.staff.grant(person.hsa_id, person.name, RoleAtUnit(unit_hsa_id, role), now)
    logger.info("role granted", extra={"staff_hsa_id": person.hsa_id, "unit_hsa_id": unit_hsa_id, "role": role.value,
                                       "granted_by": principal.hsa_id})  # fmt: skip


def revoke(ports: Ports, principal: StaffPrincipal, unit_hsa_id: str, fields: dict[str, str]) -> None:
    _require_any(ports, principal, unit_hsa_id)
    role = _role(ports, principal, unit_hsa_id, fields.get("role"))
    hsa_id = (fields.get("hsa_id") or "").strip()
    if not _HSA_ID.fullmatch(hsa_id):
        raise BadInput("hsa_id_invalid", "Välj personen ur listan.", field="hsa_id")
    if role is StaffRole.PERMISSION_ADMIN:
        others = [a.staff_hsa_id for a in ports.staff.at_unit(unit_hsa_id)
                  if a.role == role.value and a.staff_hsa_id != hsa_id]  # fmt: skip
        done = ports.staff.revoke_keeping_one(hsa_id, RoleAtUnit(unit_hsa_id, role), others)
        if done is None:
            raise Conflict("roles_changed", "Behörigheterna ändrades samtidigt av någon annan. Försök igen.")
        if not done:
            raise Conflict("last_permission_admin",
                           "Enheten måste ha minst en behörighetsadministratör. Utse en ny innan du tar bort den här.")
    else:
        ports.staff.revoke(hsa_id, RoleAtUnit(unit_hsa_id, role))
    logger.info("role revoked", extra={"staff_hsa_id": hsa_id, "unit_hsa_id": unit_hsa_id, "role": role.value,
                                       "revoked_by": principal.hsa_id})  # fmt: skip
