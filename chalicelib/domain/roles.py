"""Staff roles (behörigheter) in the staff tool, by unit."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class StaffRole(str, Enum):
    CASE_RECEIVER = "case_receiver"  # ärendemottagare
    CASE_HANDLER = "case_handler"  # ärendehandläggare
    LOCAL_ADMIN = "local_admin"  # lokal administratör
    REVIEWER = "reviewer"  # granskare
    PERMISSION_ADMIN = "permission_admin"  # behörighetsadministratör
    REGIONAL_ADMIN = "regional_admin"  # regional administratör (region-wide)


@dataclass(frozen=True, slots=True)
class RoleAtUnit:
    unit_hsa_id: str
    role: StaffRole
