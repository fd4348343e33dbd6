"""The staff tool's appointment book: a unit's day (with its week), publishing slots, booking,
moving and cancelling for a citizen, and open invitations."""

from __future__ import annotations

from datetime import date

from chalice import Blueprint, Response

from chalicelib.api.http import form_action, form_lists, language, render_page
from chalicelib.api.session import staff_or_landing
from chalicelib.bootstrap import ports
from chalicelib.domain import clock
from chalicelib.domain.booking import PRESETS, Visibility
from chalicelib.errors import AppError
from chalicelib.services import booking, booking_staff, unit_notices
from chalicelib.services.principals import StaffPrincipal

staff_booking_pages = Blueprint(__name__)
FORM = ["application/x-www-form-urlencoded"]


def _staff() -> tuple[StaffPrincipal | None, Response | None]:
    return staff_or_landing(staff_booking_pages.current_request)


def _day(value: str | None) -> date:
    try:
        return date.fromisoformat(value or "")
    except ValueError:
        return clock.stockholm_date(clock.utc_now())


def _book_page(principal: StaffPrincipal, unit_id: str | None, day: date, *, error: AppError | None = None,
               done: str | None = None) -> Response:  # fmt: skip
    units = booking_staff.bookable_units(ports(), principal)
    unit = next((u for u in units if u.hsa_id == unit_id), units[0] if units else None)
    context: dict[str, object] = {"units": units, "unit": unit, "day": day, "error": error, "done": done,
                                  "entries": [], "week": [], "notices": [], "visit_types": [], "can_book": False,
                                  "visibilities": [v.value for v in Visibility]}  # fmt: skip
    if unit is not None:
        now = clock.utc_now()
        context.update(
            entries=booking_staff.day_view(ports(), principal, unit.hsa_id, day, now),
            week=booking_staff.week_counts(ports(), principal, unit.hsa_id, day),
            visit_types=booking.visit_types_of(unit),
            can_book=principal.has_role(unit.hsa_id, *booking_staff.BOOKERS),
            notices=unit_notices.recent(ports(), principal, unit.hsa_id),
        )
    return render_page("staff_bookings.html", language(staff_booking_pages.current_request), staff=True,
                       csrf_token=principal.csrf_token, principal=principal,
                       status=error.status if error else 200, **context)  # fmt: skip


@staff_booking_pages.route("/staff/bookings", methods=["GET"])
def day_page() -> Response:
    principal, away = _staff()
    if away:
        return away
    params = staff_booking_pages.current_request.query_params or {}
    return _book_page(principal, params.get("unit"), _day(params.get("day")), done=params.get("done"))


def _action(run) -> Response:  # noqa: ANN001 (a callable taking the principal, the form and its lists)
    """Run one staff action from a form and come back to the same unit and day, saying how it went."""
    principal, away = _staff()
    if away:
        return away
    request = staff_booking_pages.current_request

    def act(fields: dict[str, str]) -> str:
        done = run(principal, fields, form_lists(request))
        return f"/staff/bookings?unit={fields.get('unit')}&day={_day(fields.get('day')).isoformat()}&done={done}"

    return form_action(request, principal.csrf_token, act, lambda fields, error: _book_page(
        principal, fields.get("unit"), _day(fields.get("day")), error=error))  # fmt: skip


@staff_booking_pages.route("/staff/bookings/slots", methods=["POST"], content_types=FORM)
def add_slots() -> Response:
    def run(principal, fields, _lists):  # noqa: ANN001, ANN202
        booking_staff.add_slots(ports(), principal, fields.get("unit", ""), fields, clock.utc_now())
        return "slots"

    return _action(run)


@staff_booking_pages.route("/staff/bookings/book", methods=["POST"], content_types=FORM)
def book_for_citizen() -> Response:
    def run(principal, fields, _lists):  # noqa: ANN001, ANN202
        booking_staff.book_for_citizen(ports(), principal, fields.get("slot", ""), fields.get("personnummer"),
                                       clock.utc_now())  # fmt: skip
        return "booked"

    return _action(run)


@staff_booking_pages.route("/staff/bookings/{booking_id}/cancel", methods=["POST"], content_types=FORM)
def cancel_for_citizen(booking_id: str) -> Response:
    def run(principal, fields, _lists):  # noqa: ANN001, ANN202
        booking_staff.cancel_for_citizen(ports(), principal, booking_id, fields.get("override_reason"),
                                         clock.utc_now())  # fmt: skip
        return "cancelled"

    return _action(run)


@staff_booking_pages.route("/staff/bookings/{booking_id}/move", methods=["POST"], content_types=FORM)
def move_for_citizen(booking_id: str) -> Response:
    def run(principal, fields, _lists):  # noqa: ANN001, ANN202
        booking_staff.move_for_citizen(ports(), principal, booking_id, fields.get("slot", ""),
                                       fields.get("override_reason"), clock.utc_now())  # fmt: skip
        return "moved"

    return _action(run)


@staff_booking_pages.route("/staff/bookings/invite", methods=["POST"], content_types=FORM)
def invite() -> Response:
    def run(principal, fields, lists):  # noqa: ANN001, ANN202
        booking_staff.invite(ports(), principal, fields.get("unit", ""), {**fields, "slot_ids": lists.get("slot_ids", [])},
                             clock.utc_now())  # fmt: skip
        return "invited"

    return _action(run)


def _rules_page(principal: StaffPrincipal, unit_id: str | None, *, error: AppError | None = None,
                saved: bool = False) -> Response:  # fmt: skip
    units = [u for u in booking_staff.bookable_units(ports(), principal)
             if principal.has_role(u.hsa_id, *booking_staff.RULE_EDITORS)]  # fmt: skip
    unit = next((u for u in units if u.hsa_id == unit_id), units[0] if units else None)
    return render_page("staff_booking_rules.html", language(staff_booking_pages.current_request), staff=True,
                       csrf_token=principal.csrf_token, principal=principal, units=units, unit=unit, error=error,
                       saved=saved, presets=list(PRESETS), visit_types=booking.visit_types_of(unit) if unit else [],
                       status=error.status if error else 200)  # fmt: skip


@staff_booking_pages.route("/staff/booking-rules", methods=["GET"])
def rules_page() -> Response:
    principal, away = _staff()
    if away:
        return away
    params = staff_booking_pages.current_request.query_params or {}
    return _rules_page(principal, params.get("unit"), saved=bool(params.get("saved")))


@staff_booking_pages.route("/staff/booking-rules", methods=["POST"], content_types=FORM)
def save_rules() -> Response:
    principal, away = _staff()
    if away:
        return away

    def run(fields: dict[str, str]) -> str:
        booking_staff.save_rules(ports(), principal, fields.get("unit", ""), fields)
        return f"/staff/booking-rules?unit={fields.get('unit', '')}&saved=1"

    return form_action(staff_booking_pages.current_request, principal.csrf_token, run,
                       lambda fields, error: _rules_page(principal, fields.get("unit"), error=error))  # fmt: skip
