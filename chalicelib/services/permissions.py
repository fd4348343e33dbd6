"""A unit's permission admin (behörighetsadministratör) grants and revokes the staff tool's roles at
that unit; a revoked role ends access at the next request (roles are read every request)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from chalicelib.domain.roles import RoleAtUnit, StaffRole
from chalicelib.errors import BadInput, Forbidden
from chalicelib.observability import logger
from chalicelib.services.ports import Ports
from chalicelib.services.principals import StaffPrincipal

GRANTABLE = tuple(r for r in StaffRole if r is not StaffRole.REGIONAL_ADMIN)
_HSA_ID = re.compile(r"SE[0-9]{10}-[A-Za-z0-9]{1,31}")  # ASCII digits only; used with fullmatch


def _require(principal: StaffPrincipal, unit_hsa_id: str) -> None:
    if not principal.has_role(unit_hsa_id, StaffRole.PERMISSION_ADMIN):
        raise Forbidden("role_required", "Bara enhetens behörighetsadministratör kan ändra behörigheter.")


def roles_at(ports: Ports, principal: StaffPrincipal, unit_hsa_id: str) -> list[Any]:
    _require(principal, unit_hsa_id)
    return sorted(ports.staff.at_unit(unit_hsa_id), key=lambda a: (a.staff_name, a.role))


def _role(value: str | None) -> StaffRole:
    try:
        role = StaffRole(value or "")
    except ValueError:
        role = None
    if role not in GRANTABLE:
        raise BadInput("role_invalid", "Välj en behörighet.", field="role")
    return role


def grant(ports: Ports, principal: StaffPrincipal, unit_hsa_id: str, fields: dict[str, str], now: datetime) -> None:
    _require(principal, unit_hsa_id)
    hsa_id = (fields.get("hsa_id") or "").strip()
    if not _HSA_ID.fullmatch(hsa_id):
        raise BadInput("hsa_id_invalid", "Skriv personens HSA-id, till exempel SE2321000099-P001.", field="hsa_id")
    name = (fields.get("name") or "").strip()
    if not name or len(name) > 100:
        raise BadInput("field_required", "Skriv personens namn.", field="name")
    role = _role(fields.get("role"))
    ports.staff.grant(hsa_id, name, RoleAtUnit(unit_hsa_id, role), now)
    logger.info("role granted", extra={"staff_hsa_id": hsa_id, "unit_hsa_id": unit_hsa_id, "role": role.value,
                                       "granted_by": principal.hsa_id})  # fmt: skip


def revoke(ports: Ports, principal: StaffPrincipal, unit_hsa_id: str, fields: dict[str, str]) -> None:
    _require(principal, unit_hsa_id)
    role = _role(fields.get("role"))
    hsa_id = (fields.get("hsa_id") or "").strip()
    if not _HSA_ID.fullmatch(hsa_id):
        raise BadInput("hsa_id_invalid", "Skriv personens HSA-id, till exempel SE2321000099-P001.", field="hsa_id")
    ports.staff.revoke(hsa_id, RoleAtUnit(unit_hsa_id, role))
    logger.info("role revoked", extra={"staff_hsa_id": hsa_id, "unit_hsa_id": unit_hsa_id, "role": role.value,
                                       "revoked_by": principal.hsa_id})  # fmt: skip
