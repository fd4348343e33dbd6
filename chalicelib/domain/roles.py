"""Staff roles (behörigheter) in the staff tool, by unit; who may appoint whom; and the menu each
role sees."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum


class StaffRole(str, Enum):
    CASE_RECEIVER = "case_receiver"  # ärendemottagare
    CASE_HANDLER = "case_handler"  # ärendehandläggare
    LOCAL_ADMIN = "local_admin"  # lokal administratör
    REVIEWER = "reviewer"  # granskare
    PERMISSION_ADMIN = "permission_admin"  # behörighetsadministratör
    REGIONAL_ADMIN = "regional_admin"  # regional administratör (region-wide)
    REGION_AUDITOR = "region_auditor"  # regional logggranskare: pulls a patient's access-log extract (region-wide)
    JOURNAL_ADMIN = "journal_admin"  # beslutar om försegling, blockering, utökad åtkomst och inloggning (verksamhetschef eller delegerad)


@dataclass(frozen=True, slots=True)
class RoleAtUnit:
    unit_hsa_id: str
    role: StaffRole


# Held at the region's own HSA-id, not at a unit.
REGION_ROLES = (StaffRole.REGIONAL_ADMIN, StaffRole.REGION_AUDITOR)
# A unit's permission admin grants the daily-work roles at that unit ...
GRANTED_BY_PERMISSION_ADMIN = (StaffRole.CASE_RECEIVER, StaffRole.CASE_HANDLER, StaffRole.REVIEWER)
# ... and only the regional admin appoints the unit's admins (and may grant the rest too).
APPOINTED_BY_REGIONAL_ADMIN = (*GRANTED_BY_PERMISSION_ADMIN, StaffRole.LOCAL_ADMIN, StaffRole.PERMISSION_ADMIN,
                               StaffRole.JOURNAL_ADMIN)  # fmt: skip


def may_grant(appointer_roles_at_unit: Iterable[StaffRole], regional_admin: bool, role: StaffRole) -> bool:
    """Whether someone with these roles at a unit (and perhaps the region's admin role) may grant or
    revoke `role` at that unit."""
    if regional_admin and role in APPOINTED_BY_REGIONAL_ADMIN:
        return True
    return StaffRole.PERMISSION_ADMIN in set(appointer_roles_at_unit) and role in GRANTED_BY_PERMISSION_ADMIN


_UNIT_WORK = (StaffRole.CASE_RECEIVER, StaffRole.CASE_HANDLER, StaffRole.REVIEWER)
# (path, text key, roles that may use it anywhere; None: everyone), in the menu's order.
MENU: tuple[tuple[str, str, tuple[StaffRole, ...] | None], ...] = (
    ("/staff", "staff.start.heading", None),
    ("/staff/cases", "staff.nav.cases", _UNIT_WORK),
    ("/staff/bookings", "staff.nav.bookings", (*_UNIT_WORK, StaffRole.LOCAL_ADMIN)),
    ("/staff/summons", "staff.nav.summons", (*_UNIT_WORK, StaffRole.LOCAL_ADMIN)),
    ("/staff/booking-rules", "staff.nav.booking_rules", (StaffRole.LOCAL_ADMIN,)),
    ("/staff/follow-up", "staff.nav.follow_up", _UNIT_WORK),
    ("/staff/forms", "staff.nav.forms", (*_UNIT_WORK, StaffRole.LOCAL_ADMIN)),
    ("/staff/messages", "staff.nav.messages", _UNIT_WORK),
    ("/staff/case-types", "staff.nav.case_types", (StaffRole.LOCAL_ADMIN, StaffRole.REGIONAL_ADMIN)),
    ("/staff/case-settings", "staff.nav.case_settings", (StaffRole.LOCAL_ADMIN,)),
    ("/staff/permissions", "staff.nav.permissions", (StaffRole.PERMISSION_ADMIN, StaffRole.REGIONAL_ADMIN)),
    ("/staff/region/forms", "staff.nav.region_forms", (StaffRole.REGIONAL_ADMIN,)),
    ("/staff/integration-keys", "staff.nav.integration_keys", (StaffRole.REGIONAL_ADMIN,)),
    ("/staff/audit", "staff.nav.audit", (StaffRole.REGION_AUDITOR,)),
    # The usage statistics: a unit's local admin sees their units', the regional admin the region's.
    ("/staff/statistics", "staff.nav.statistics", (StaffRole.LOCAL_ADMIN, StaffRole.REGIONAL_ADMIN)),
    ("/staff/protections", "staff.nav.protections", (StaffRole.JOURNAL_ADMIN,)),
    ("/staff/settings", "staff.nav.settings", None),
)


def menu(roles: Iterable[RoleAtUnit]) -> list[tuple[str, str]]:
    """The menu entries (path, text key) this staff member may use somewhere."""
    held = {r.role for r in roles}
    return [(path, key) for path, key, allowed in MENU if allowed is None or held & set(allowed)]
