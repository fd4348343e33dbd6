"""The staff tool's appointment book (Tidbok): a unit's day as a grid of times × practitioners and
rooms, its week as hours × days, publishing slots, booking for a citizen (a free time's page),
moving to any day or cancelling (a booking's page), and open invitations. Every page works without
JavaScript."""

from __future__ import annotations

import urllib.parse
from datetime import date, timedelta

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


def _week(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value or "")
    except ValueError:
        return None


def _render(principal: StaffPrincipal, template: str, error: AppError | None = None, **context: object) -> Response:
    return render_page(template, language(staff_booking_pages.current_request), staff=True,
                       csrf_token=principal.csrf_token, principal=principal, error=error,
                       errors={error.field: error.message} if error and error.field else {},
                       status=error.status if error else 200, **context)  # fmt: skip


def _unit_of(principal: StaffPrincipal, unit_id: str | None) -> tuple[list, object]:
    """The units whose Tidbok the staff member may see, and the one asked for (else their first)."""
    units = booking_staff.bookable_units(ports(), principal)
    return units, next((u for u in units if u.hsa_id == unit_id), units[0] if units else None)


def _book_page(principal: StaffPrincipal, unit_id: str | None, day: date, *, error: AppError | None = None,
               done: str | None = None) -> Response:  # fmt: skip
    """The day: a grid of times × practitioners and rooms, with publishing and open invitations."""
    units, unit = _unit_of(principal, unit_id)
    context: dict[str, object] = {"units": units, "unit": unit, "day": day, "done": done, "view": None,
                                  "week": booking_staff.week_of(day), "notices": [], "visit_types": [],
                                  "can_book": False, "visibilities": [v.value for v in Visibility],
                                  "previous_day": day - timedelta(days=1), "next_day": day + timedelta(days=1)}  # fmt: skip
    if unit is not None:
        now = clock.utc_now()
        context.update(
            view=booking_staff.day_view(ports(), principal, unit.hsa_id, day, now),
            visit_types=booking.visit_types_of(unit),
            can_book=principal.has_role(unit.hsa_id, *booking_staff.BOOKERS),
            notices=unit_notices.recent(ports(), principal, unit.hsa_id),
        )
    return _render(principal, "staff_bookings.html", error, **context)


@staff_booking_pages.route("/staff/bookings", methods=["GET"])
def day_page() -> Response:
    principal, away = _staff()
    if away:
        return away
    params = staff_booking_pages.current_request.query_params or {}
    return _book_page(principal, params.get("unit"), _day(params.get("day")), done=params.get("done"))


@staff_booking_pages.route("/staff/bookings/week", methods=["GET"])
def week_page() -> Response:
    """The week: hours × days, free and booked per cell, each day a link to its grid."""
    principal, away = _staff()
    if away:
        return away
    params = staff_booking_pages.current_request.query_params or {}
    units, unit = _unit_of(principal, params.get("unit"))
    day = _day(params.get("day"))
    view = booking_staff.week_view(ports(), principal, unit.hsa_id, day, clock.utc_now()) if unit else None
    return _render(principal, "staff_bookings_week.html", units=units, unit=unit, day=day, view=view,
                   week_number=day.isocalendar().week, previous_week=day - timedelta(weeks=1),
                   next_week=day + timedelta(weeks=1), today=clock.stockholm_date(clock.utc_now()))  # fmt: skip


def _slot_page(principal: StaffPrincipal, slot_id: str, *, error: AppError | None = None) -> Response:
    shown = booking_staff.slot_to_book(ports(), principal, slot_id, clock.utc_now())
    return _render(principal, "staff_booking_book.html", error, shown=shown,
                   day=clock.stockholm_date(shown.slot.start))  # fmt: skip


@staff_booking_pages.route("/staff/bookings/book", methods=["GET"])
def book_page() -> Response:
    """One free time (a free cell of the grid): book it for a citizen by personnummer (posted, never in a URL)."""
    principal, away = _staff()
    if away:
        return away
    params = staff_booking_pages.current_request.query_params or {}
    return _slot_page(principal, params.get("slot") or "")


def _move_page(principal: StaffPrincipal, booking_id: str, week: date | None, *, error: AppError | None = None,
               failed: str | None = None) -> Response:  # fmt: skip
    shown = booking_staff.move_choices(ports(), principal, booking_id, week, clock.utc_now())
    return _render(principal, "staff_booking_move.html", error, shown=shown, patient=shown.patient, failed=failed,
                   day=clock.stockholm_date(shown.booking.start),
                   week_number=shown.week[0].isocalendar().week)  # fmt: skip


@staff_booking_pages.route("/staff/bookings/{booking_id}/move", methods=["GET"])
def move_page(booking_id: str) -> Response:
    """Move a booking to a free time of the same visit type on any day (a week a page), or cancel it."""
    principal, away = _staff()
    if away:
        return away
    params = staff_booking_pages.current_request.query_params or {}
    return _move_page(principal, booking_id, _week(params.get("week")))


def _action(run, booking_id: str | None = None) -> Response:  # noqa: ANN001 (a callable: principal, form, lists)
    """Run one staff action from a form and come back to the unit's day it concerns, saying how it
    went. A refusal shows the page the form was on again (the grid, a free time's page or a booking's)."""
    principal, away = _staff()
    if away:
        return away
    request = staff_booking_pages.current_request

    def act(fields: dict[str, str]) -> str:
        done, day = run(principal, fields, form_lists(request))
        unit = urllib.parse.quote(fields.get("unit") or "")
        return f"/staff/bookings?unit={unit}&day={(day or _day(fields.get('day'))).isoformat()}&done={done}"

    def again(fields: dict[str, str], error: AppError) -> Response:
        if fields.get("page") == "slot" and fields.get("slot"):
            return _slot_page(principal, fields["slot"], error=error)
        if fields.get("page") == "move" and booking_id:
            return _move_page(principal, booking_id, _week(fields.get("week")), error=error, failed=fields.get("form"))
        return _book_page(principal, fields.get("unit"), _day(fields.get("day")), error=error)

    return form_action(request, principal.csrf_token, act, again)


@staff_booking_pages.route("/staff/bookings/slots", methods=["POST"], content_types=FORM)
def add_slots() -> Response:
    def run(principal, fields, _lists):  # noqa: ANN001, ANN202
        booking_staff.add_slots(ports(), principal, fields.get("unit", ""), fields, clock.utc_now())
        return "slots", None

    return _action(run)


@staff_booking_pages.route("/staff/bookings/book", methods=["POST"], content_types=FORM)
def book_for_citizen() -> Response:
    def run(principal, fields, _lists):  # noqa: ANN001, ANN202
        made = booking_staff.book_for_citizen(ports(), principal, fields.get("slot", ""), fields.get("personnummer"),
                                              clock.utc_now())  # fmt: skip
        return "booked", clock.stockholm_date(made.start)

    return _action(run)


@staff_booking_pages.route("/staff/bookings/{booking_id}/cancel", methods=["POST"], content_types=FORM)
def cancel_for_citizen(booking_id: str) -> Response:
    def run(principal, fields, _lists):  # noqa: ANN001, ANN202
        cancelled = booking_staff.cancel_for_citizen(ports(), principal, booking_id, fields.get("override_reason"),
                                                     clock.utc_now())  # fmt: skip
        return "cancelled", clock.stockholm_date(cancelled.start)

    return _action(run, booking_id)


@staff_booking_pages.route("/staff/bookings/{booking_id}/move", methods=["POST"], content_types=FORM)
def move_for_citizen(booking_id: str) -> Response:
    def run(principal, fields, _lists):  # noqa: ANN001, ANN202
        moved = booking_staff.move_for_citizen(ports(), principal, booking_id, fields.get("slot", ""),
                                               fields.get("override_reason"), clock.utc_now())  # fmt: skip
        return "moved", clock.stockholm_date(moved.start)  # the day it moved to

    return _action(run, booking_id)


@staff_booking_pages.route("/staff/bookings/invite", methods=["POST"], content_types=FORM)
def invite() -> Response:
    def run(principal, fields, lists):  # noqa: ANN001, ANN202
        booking_staff.invite(ports(), principal, fields.get("unit", ""), {**fields, "slot_ids": lists.get("slot_ids", [])},
                             clock.utc_now())  # fmt: skip
        return "invited", None

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
        if "offer_hold_minutes" in fields:  # the unit's own setting, a form of its own on the page
            booking_staff.save_offer_hold(ports(), principal, fields.get("unit", ""), fields["offer_hold_minutes"])
        else:
            booking_staff.save_rules(ports(), principal, fields.get("unit", ""), fields)
        return f"/staff/booking-rules?unit={fields.get('unit', '')}&saved=1"

    return form_action(staff_booking_pages.current_request, principal.csrf_token, run,
                       lambda fields, error: _rules_page(principal, fields.get("unit"), error=error))  # fmt: skip
