"""Staff pages about one person beside cases: a booked visit (with its summons, when care booked it)
and a self-test result to follow up. Each shows the patient header and writes one access-log row."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.api.http import language, render_page
from chalicelib.api.session import staff_or_landing
from chalicelib.bootstrap import ports
from chalicelib.domain import clock
from chalicelib.services import person_views

staff_person_pages = Blueprint(__name__)


def _render(principal, template: str, **context: object) -> Response:  # noqa: ANN001
    return render_page(template, language(staff_person_pages.current_request), staff=True,
                       csrf_token=principal.csrf_token, principal=principal, **context)  # fmt: skip


@staff_person_pages.route("/staff/visits/{booking_id}", methods=["GET"])
def visit(booking_id: str) -> Response:
    principal, away = staff_or_landing(staff_person_pages.current_request)
    if away:
        return away
    shown = person_views.booking(ports(), principal, booking_id, clock.utc_now())
    return _render(principal, "staff_visit.html", shown=shown, patient=shown.header)


@staff_person_pages.route("/staff/results/{order_id}", methods=["GET"])
def result(order_id: str) -> Response:
    principal, away = staff_or_landing(staff_person_pages.current_request)
    if away:
        return away
    shown = person_views.result(ports(), principal, order_id, clock.utc_now())
    return _render(principal, "staff_result.html", shown=shown, patient=shown.header)
