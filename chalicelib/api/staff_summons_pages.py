"""The staff tool's summons pages: a unit's appointments booked by care with how far each summons
came and whether it was read, booking and cancelling one, the unit's summons template, and the
evening's print batch."""

from __future__ import annotations

import uuid
from datetime import timedelta

from chalice import Blueprint, Response

from chalicelib.api.http import form_action, language, redirect, render_page
from chalicelib.api.session import staff_or_landing
from chalicelib.bootstrap import ports
from chalicelib.domain import clock
from chalicelib.domain.roles import StaffRole
from chalicelib.errors import AppError
from chalicelib.services import booking, booking_staff, forms, summons
from chalicelib.services.principals import StaffPrincipal

staff_summons_pages = Blueprint(__name__)
FORM = ["application/x-www-form-urlencoded"]
SHOWN_DAYS = 28


def _staff() -> tuple[StaffPrincipal | None, Response | None]:
    return staff_or_landing(staff_summons_pages.current_request)


def _params() -> dict[str, str]:
    return dict(staff_summons_pages.current_request.query_params or {})


def _page(principal: StaffPrincipal, unit_id: str | None, *, error: AppError | None = None, done: str | None = None,
          values: dict[str, str] | None = None) -> Response:  # fmt: skip
    units = booking_staff.bookable_units(ports(), principal)
    unit = next((u for u in units if u.hsa_id == unit_id), units[0] if units else None)
    today = clock.stockholm_date(clock.utc_now())
    errors = {error.field: error.message} if error and error.field else {}
    context: dict[str, object] = {"units": units, "unit": unit, "error": error, "errors": errors, "done": done,
                                  "rows": [], "unit_forms": [],
                                  "visit_types": [], "can_book": False, "is_admin": False, "summons_template": None,
                                  "today": today, "tomorrow": today + timedelta(days=1), "values": values or {},
                                  "submission_id": (values or {}).get("submission_id") or str(uuid.uuid4())}
    if unit is not None:
        context.update(
            rows=summons.of_unit(ports(), principal, unit.hsa_id, today, SHOWN_DAYS),
            visit_types=booking.visit_types_of(unit),
            can_book=principal.has_role(unit.hsa_id, *booking_staff.BOOKERS),
            is_admin=principal.has_role(unit.hsa_id, StaffRole.LOCAL_ADMIN),
            summons_template=summons.template_of(unit),
            unit_forms=forms.sendable(ports(), unit.hsa_id),
        )
    return render_page("staff_summons.html", language(staff_summons_pages.current_request), staff=True,
                       csrf_token=principal.csrf_token, principal=principal,
                       status=error.status if error else 200, **context)  # fmt: skip


@staff_summons_pages.route("/staff/summons", methods=["GET"])
def summons_page() -> Response:
    principal, away = _staff()
    if away:
        return away
    params = _params()
    return _page(principal, params.get("unit"), done=params.get("done"))


def _post(run) -> Response:  # noqa: ANN001 (a callable taking the principal and the form, returning what was done)
    principal, away = _staff()
    if away:
        return away
    request = staff_summons_pages.current_request
    return form_action(request, principal.csrf_token,
                       lambda fields: f"/staff/summons?unit={fields.get('unit', '')}&done={run(principal, fields)}",
                       lambda fields, error: _page(principal, fields.get("unit"), error=error, values=fields))


@staff_summons_pages.route("/staff/summons", methods=["POST"], content_types=FORM)
def book() -> Response:
    def run(principal, fields):  # noqa: ANN001, ANN202
        summons.book_by_staff(ports(), principal, fields, clock.utc_now(),
                              staff_summons_pages.current_request.lambda_context)  # fmt: skip
        return "booked"

    return _post(run)


@staff_summons_pages.route("/staff/summons/{appointment_id}/cancel", methods=["POST"], content_types=FORM)
def cancel(appointment_id: str) -> Response:
    def run(principal, fields):  # noqa: ANN001, ANN202
        summons.cancel_appointment(ports(), principal, appointment_id, clock.utc_now())
        return "cancelled"

    return _post(run)


@staff_summons_pages.route("/staff/summons/{appointment_id}/change", methods=["POST"], content_types=FORM)
def change(appointment_id: str) -> Response:
    def run(principal, fields):  # noqa: ANN001, ANN202
        summons.change_by_staff(ports(), principal, appointment_id, fields, clock.utc_now())
        return "changed"

    return _post(run)


@staff_summons_pages.route("/staff/summons/template", methods=["POST"], content_types=FORM)
def save_template() -> Response:
    def run(principal, fields):  # noqa: ANN001, ANN202
        summons.save_template(ports(), principal, fields.get("unit", ""), fields)
        return "template"

    return _post(run)


@staff_summons_pages.route("/staff/print-batch", methods=["GET"])
def print_batch() -> Response:
    """The unit's files of an evening's print batch (made after the release), each a download."""
    principal, away = _staff()
    if away:
        return away
    params = _params()
    day = params.get("day") or clock.stockholm_date(clock.utc_now()).isoformat()
    unit_id = params.get("unit", "")
    view = summons.print_batch_for_staff(ports(), principal, unit_id, day)
    unit = next((u for u in booking_staff.bookable_units(ports(), principal) if u.hsa_id == unit_id), None)
    return render_page("staff_print_batch.html", language(staff_summons_pages.current_request), staff=True,
                       csrf_token=principal.csrf_token, principal=principal, unit_id=unit_id,
                       unit_name=unit.name if unit else unit_id, batch=view)  # fmt: skip


@staff_summons_pages.route("/staff/print-batch/file", methods=["GET"])
def print_file() -> Response:
    """One file: each person in it gets an access-log entry, then a one-minute link to the PDF."""
    principal, away = _staff()
    if away:
        return away
    params = _params()
    return redirect(summons.print_file_for_staff(ports(), principal, params.get("unit", ""), params.get("day", ""),
                                                 params.get("part", ""), clock.utc_now()))  # fmt: skip
