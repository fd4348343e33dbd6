"""What the start pages show: who you are, who you act for, and your units and roles."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from chalicelib.domain.guardianship import Child
from chalicelib.services import booking
from chalicelib.services.acting import children_to_act_for
from chalicelib.services.ports import Ports
from chalicelib.services.principals import CitizenPrincipal, StaffPrincipal

# The citizen's e-services menu, in the order 1177 shows them, with the region switch each
# depends on (None: always there). Each feature arrives with its own issue; until then the menu
# names it without a link; the inbox and settings work.
CITIZEN_SERVICES = (
    ("service.inbox", "inbox"),
    ("service.cases", "cases"),
    ("service.bookings", "booking"),
    ("service.self_tests", "self_tests"),
    ("service.forms", "forms"),
    ("service.settings", None),
)


@dataclass(frozen=True)
class CitizenStart:
    children: list[Child]
    services: tuple[str, ...]
    unread: int | None  # None when the region has the inbox switched off
    bookings: list[booking.BookingView]  # upcoming, soonest first
    children_unread: dict[str, int]  # unread in each child's inbox (a guardian is told only "something new")


@dataclass(frozen=True)
class UnitRoles:
    hsa_id: str
    name: str
    roles: list[str]


def citizen_start(ports: Ports, principal: CitizenPrincipal, now: datetime, *,
                  children_unread: bool = False) -> CitizenStart:  # fmt: skip
    """`children_unread` (the start page): each child's unread count too, so a guardian told that
    something new waits sees whose inbox it is in. The counts are kept on write: one BatchGetItem for
    the subject's and every child's, however long their inboxes."""
    services = tuple(key for key, switch in CITIZEN_SERVICES if switch is None or ports.settings.eservice_on(switch))
    inbox_on = ports.settings.eservice_on("inbox")
    booking_on = ports.settings.eservice_on("booking")
    bookings = booking.upcoming(ports, principal, now, limit=1).items if booking_on else []  # the next one
    children = children_to_act_for(ports, principal, now)
    wanted = [principal.subject_id, *(c.citizen_id for c in children if children_unread)] if inbox_on else []
    counted = ports.inbox.unread_counts(wanted)
    unread = counted.get(principal.subject_id, 0) if inbox_on else None
    counts = {c.citizen_id: counted.get(c.citizen_id, 0) for c in children} if children_unread and inbox_on else {}
    return CitizenStart(children=children, services=services, unread=unread, bookings=bookings,
                        children_unread=counts)  # fmt: skip


def staff_units(ports: Ports, principal: StaffPrincipal, region_label: str) -> list[UnitRoles]:
    """The staff member's units with their roles there; region-wide roles under the region."""
    names = {u.hsa_id: u.name for u in ports.units.get_many(principal.units())}
    names.setdefault(ports.settings.region_hsa_id, region_label)
    by_unit: dict[str, list[str]] = {}
    for role in principal.roles:
        by_unit.setdefault(role.unit_hsa_id, []).append(role.role.value)
    return sorted(
        (UnitRoles(hsa_id=h, name=names.get(h, h), roles=sorted(r)) for h, r in by_unit.items()),
        key=lambda u: (u.hsa_id != ports.settings.region_hsa_id, u.name),
    )
