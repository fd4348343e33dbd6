"""The unit sees what citizens change themselves: a notice in the Tidbok, and an e-mail to the
unit's functional mailbox when it has one. The e-mail names the visit type and time only, never
the person: staff open the Tidbok (logged in, access-logged) to see who."""

from __future__ import annotations

from chalicelib.adapters.tables import UnitNoticeRecord
from chalicelib.domain.clock import STOCKHOLM
from chalicelib.domain.events import Door, DomainEvent, Kind
from chalicelib.domain.roles import StaffRole
from chalicelib.errors import Forbidden
from chalicelib.observability import logger
from chalicelib.services.ports import Ports
from chalicelib.services.principals import StaffPrincipal

WHAT = {
    Kind.BOOKING_BOOKED: "bokade en tid",
    Kind.BOOKING_MOVED: "bokade om en tid",
    Kind.BOOKING_CANCELLED: "avbokade en tid",
    Kind.SUMMONS_CHANGED: "bokade om ett kallat besök",
    Kind.SUMMONS_CANCELLED: "avbokade ett kallat besök",
}
READERS = (StaffRole.CASE_RECEIVER, StaffRole.CASE_HANDLER, StaffRole.LOCAL_ADMIN, StaffRole.REVIEWER)


def tell_unit(ports: Ports, change: DomainEvent) -> None:
    """Follow-up of a booking's or summons' change: only when the citizen made it."""
    if change.get("door") != Door.CITIZEN or change.kind not in WHAT:
        return
    booking = ports.bookings.get(change["booking_id"])
    if booking is None:
        return
    notice = ports.unit_notices.add(UnitNoticeRecord(
        booking.unit_hsa_id, f"{change.occurred_at.isoformat()}#{change.event_id}", kind=change.kind.value,
        booking_id=booking.booking_id, visit_type_name=booking.visit_type_name, start=booking.start,
        occurred_at=change.occurred_at))  # fmt: skip
    unit = ports.units.get(booking.unit_hsa_id)
    if unit is None or not unit.functional_mailbox or notice.mailed_at is not None:
        return
    ports.messenger.send_email(unit.functional_mailbox, f"E-tjänster: en invånare {WHAT[change.kind]}", text(notice))
    ports.unit_notices.mailed(notice, change.occurred_at)
    logger.info("unit told", extra={"unit_hsa_id": unit.hsa_id, "booking_id": booking.booking_id})


def text(notice: UnitNoticeRecord) -> str:
    start = notice.start.astimezone(STOCKHOLM)
    happened = notice.occurred_at.astimezone(STOCKHOLM)
    return (f"{happened:%Y-%m-%d %H:%M}: en invånare {WHAT[Kind(notice.kind)]} i e-tjänsterna: "
            f"{notice.visit_type_name} {start:%Y-%m-%d kl. %H:%M}. Se Tidboken i personalverktyget.")


def recent(ports: Ports, principal: StaffPrincipal, unit_hsa_id: str) -> list[UnitNoticeRecord]:
    """The unit's notices of the last 30 days, newest first (no names: the Tidbok shows who)."""
    if not principal.has_role(unit_hsa_id, *READERS):
        raise Forbidden("unit_not_allowed", "Du har ingen behörighet till den enhetens tidbok.")
    return ports.unit_notices.recent(unit_hsa_id)
