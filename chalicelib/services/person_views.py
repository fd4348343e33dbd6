"""Staff screens about one person beside cases: one booking in the appointment book, one visit with
its summons, one sent message, one self-test result to follow up. Each shows the patient header and
writes exactly one access-log row (services/patients.py view); another unit's item gets the same
answer as one that does not exist."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from chalicelib.adapters.tables import KitOrderRecord, SummonsRecord, UnitRecord
from chalicelib.domain.booking import Booking, BookingStatus, has_begun
from chalicelib.domain.patient import PatientHeader
from chalicelib.errors import NotFound
from chalicelib.services import patients
from chalicelib.services.booking_staff import BOOKERS, VIEWERS
from chalicelib.services.ports import Ports
from chalicelib.services.principals import StaffPrincipal
from chalicelib.services.self_tests import FOLLOW_UP_ROLES


@dataclass(frozen=True)
class BookingView:
    booking: Booking
    summons: SummonsRecord | None  # the summons, when care booked the visit
    header: PatientHeader
    unit: UnitRecord | None
    can_change: bool = False  # the staff member may move or cancel it (the Tidbok's page for that)


def booking(ports: Ports, principal: StaffPrincipal, booking_id: str, now: datetime) -> BookingView:
    """A booking (or a visit care booked, with its summons) at one of the staff member's units."""
    found = ports.bookings.get(booking_id)
    if found is None or not principal.has_role(found.unit_hsa_id, *VIEWERS):
        raise NotFound("booking_not_found", "Bokningen finns inte.")
    summons = ports.summons.get(booking_id) if found.booked_by == "care_system" else None
    unit = ports.units.get(found.unit_hsa_id)
    header = patients.view(ports, principal, found.citizen_id, unit=unit, unit_hsa_id=found.unit_hsa_id,
                           what="summons" if summons else "booking", item_id=booking_id, now=now)  # fmt: skip
    can_change = (found.status is BookingStatus.BOOKED and not has_begun(found.start, now)
                  and principal.has_role(found.unit_hsa_id, *BOOKERS))  # fmt: skip
    return BookingView(found, summons, header, unit, can_change)


@dataclass(frozen=True)
class ResultView:
    order: KitOrderRecord
    test_name: str
    positive: list[str]
    header: PatientHeader
    unit: UnitRecord | None


def result(ports: Ports, principal: StaffPrincipal, order_id: str, now: datetime) -> ResultView:
    """A self-test result for the clinic that follows the test up."""
    order = ports.kit_orders.by_order(order_id)
    offer = next((o for o in ports.test_catalogue.offers() if order and o.test_id == order.test_id), None)
    if order is None or offer is None or not order.result or not principal.has_role(offer.follow_up_unit,
                                                                                      *FOLLOW_UP_ROLES):
        raise NotFound("result_not_found", "Provsvaret finns inte.")
    unit = ports.units.get(offer.follow_up_unit)
    header = patients.view(ports, principal, order.citizen_id, unit=unit, unit_hsa_id=offer.follow_up_unit,
                           what="lab_result", item_id=order_id, now=now)  # fmt: skip
    outcomes = order.outcomes.as_dict() if order.outcomes is not None else {}
    positive = sorted(a for a, outcome in outcomes.items() if outcome == "positive")
    return ResultView(order, offer.name.sv, positive, header, unit)
