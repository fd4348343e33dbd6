"""Who is calling. Every service call takes one of these, whatever the entry (page, JSON API,
integration API), and decides authorisation from it."""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.domain.roles import RoleAtUnit, StaffRole, menu
from chalicelib.errors import Forbidden


@dataclass(frozen=True, slots=True)
class CitizenPrincipal:
    citizen_id: str
    display_name: str
    acting_for_id: str | None  # a child under 13 the citizen acts for (ombud)
    acting_for_name: str | None
    csrf_token: str

    @property
    def subject_id(self) -> str:
        """Whose data this call concerns: the child's when acting for one, else one's own."""
        return self.acting_for_id or self.citizen_id


@dataclass(frozen=True, slots=True)
class StaffPrincipal:
    hsa_id: str
    display_name: str
    roles: tuple[RoleAtUnit, ...]
    csrf_token: str

    def units(self) -> list[str]:
        return sorted({r.unit_hsa_id for r in self.roles})

    def has_role(self, unit_hsa_id: str, *roles: StaffRole) -> bool:
        return any(r.unit_hsa_id == unit_hsa_id and r.role in roles for r in self.roles)

    def menu(self) -> list[tuple[str, str]]:
        """What the staff member may use: the staff tool's menu (path, text key) for their roles."""
        return menu(self.roles)


@dataclass(frozen=True, slots=True)
class IntegrationPrincipal:
    """A care system's key: it acts only for its units (`allowed_units`) and only in its scopes.
    `region_wide`: the region's own system (the register feed), not a unit's; only such a key may
    change what holds region-wide, such as the population register."""

    key_id: str
    system_name: str
    allowed_units: frozenset[str]
    scopes: frozenset[str]
    region_wide: bool = False

    def require_unit(self, unit_hsa_id: str) -> None:
        if unit_hsa_id not in self.allowed_units:
            raise Forbidden("unit_not_allowed", "Nyckeln får inte användas för den enheten.", field="unit_hsa_id")

    def may_act_for(self, unit_hsa_id: str | None) -> bool:
        """For a record found by id: whether it is one of the key's units' (else: as if it did not exist)."""
        return unit_hsa_id is not None and unit_hsa_id in self.allowed_units

    def require_region_wide(self, scope: str) -> None:
        """The scope, held by a region-wide key: a key for some units never changes region-wide data."""
        self.require_scope(scope)
        if not self.region_wide:
            raise Forbidden("region_wide_key_required",
                            "Bara regionens egen nyckel (till exempel folkbokföringsflödet) får göra det här anropet.")

    def require_scope(self, scope: str) -> None:
        if scope not in self.scopes:
            raise Forbidden("scope_not_allowed", "Nyckeln får inte användas för det här anropet.")


def require_citizen_subject(principal: CitizenPrincipal, citizen_id: str) -> None:
    """A citizen sees their own data, or that of the child they are acting for."""
    if citizen_id != principal.subject_id:
        raise Forbidden("not_your_data", "Du har inte behörighet till uppgifterna.")
