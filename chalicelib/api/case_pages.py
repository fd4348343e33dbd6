"""The citizen's case pages: find a unit, send a case, follow it and reply to a counter-question;
and the staff tool's queue and case page."""

from __future__ import annotations

import uuid

from chalice import Blueprint, Response

from chalicelib.api.http import form_action, language, render_page
from chalicelib.api.session import citizen_or_landing, staff_or_landing
from chalicelib.bootstrap import ports
from chalicelib.domain import clock
from chalicelib.domain.cases import Template
from chalicelib.errors import AppError
from chalicelib.services import case_admin, cases
from chalicelib.services.principals import CitizenPrincipal, StaffPrincipal

case_pages = Blueprint(__name__)
FORM = ["application/x-www-form-urlencoded"]


def _citizen() -> tuple[CitizenPrincipal | None, Response | None]:
    return citizen_or_landing(case_pages.current_request)


def _staff() -> tuple[StaffPrincipal | None, Response | None]:
    return staff_or_landing(case_pages.current_request)


def _page(principal, template: str, *, staff: bool = False, status: int = 200, **context: object) -> Response:  # noqa: ANN001
    return render_page(template, language(case_pages.current_request), staff=staff, csrf_token=principal.csrf_token,
                       principal=principal, status=status, **context)  # fmt: skip


def _params() -> dict[str, str]:
    return dict(case_pages.current_request.query_params or {})


@case_pages.route("/cases", methods=["GET"])
def my_cases() -> Response:
    principal, away = _citizen()
    if away:
        return away
    return _page(principal, "cases.html", records=cases.my_cases(ports(), principal), sent=_params().get("sent"))


@case_pages.route("/contact", methods=["GET"])
def find_unit() -> Response:
    principal, away = _citizen()
    if away:
        return away
    query = _params().get("q", "")
    return _page(principal, "contact.html", query=query, units=cases.find_units(ports(), query))


@case_pages.route("/contact/{unit_hsa_id}", methods=["GET"])
def unit_card(unit_hsa_id: str) -> Response:
    principal, away = _citizen()
    if away:
        return away
    unit = cases._unit(ports(), unit_hsa_id)
    return _page(principal, "unit_card.html", unit=unit, case_types=cases.case_types_at(ports(), unit))


def _form(principal: CitizenPrincipal, unit_hsa_id: str, case_type_id: str, *, errors: dict[str, str] | None = None,
          values: dict[str, str] | None = None, status: int = 200) -> Response:  # fmt: skip
    unit, case_type = cases.form_for(ports(), unit_hsa_id, case_type_id)
    return _page(principal, "case_form.html", status=status, unit=unit, case_type=case_type, errors=errors or {},
                 values=values or {}, submission_id=(values or {}).get("submission_id") or str(uuid.uuid4()))


@case_pages.route("/contact/{unit_hsa_id}/{case_type_id}", methods=["GET"])
def case_form(unit_hsa_id: str, case_type_id: str) -> Response:
    principal, away = _citizen()
    return away or _form(principal, unit_hsa_id, case_type_id)


@case_pages.route("/contact/{unit_hsa_id}/{case_type_id}", methods=["POST"], content_types=FORM)
def send_case(unit_hsa_id: str, case_type_id: str) -> Response:
    principal, away = _citizen()
    if away:
        return away
    request = case_pages.current_request

    def run(fields: dict[str, str]) -> str:
        case_id = cases.submit(ports(), principal, unit_hsa_id, case_type_id, fields, clock.utc_now(),
                               request.lambda_context)  # fmt: skip
        return f"/cases/{case_id}?sent=1"

    def beside_the_fields(fields: dict[str, str], error: AppError) -> Response:
        errors = getattr(error, "errors", None) or ({error.field: error.message} if error.field else {"_form": error.message})
        return _form(principal, unit_hsa_id, case_type_id, errors=errors, values=fields, status=error.status)

    return form_action(request, principal.csrf_token, run, beside_the_fields)


def _case(principal: CitizenPrincipal, case_id: str, *, error: AppError | None = None) -> Response:
    record = cases.my_case(ports(), principal, case_id)
    return _page(principal, "case.html", status=error.status if error else 200, record=record, error=error,
                 sent=bool(_params().get("sent")), replied=bool(_params().get("replied")),
                 case_version=case_admin.version_of_case(ports(), record))  # fmt: skip


@case_pages.route("/cases/{case_id}", methods=["GET"])
def case_page(case_id: str) -> Response:
    principal, away = _citizen()
    return away or _case(principal, case_id)


@case_pages.route("/cases/{case_id}/reply", methods=["POST"], content_types=FORM)
def reply(case_id: str) -> Response:
    principal, away = _citizen()
    if away:
        return away

    def run(fields: dict[str, str]) -> str:
        cases.reply(ports(), principal, case_id, fields.get("reply"), clock.utc_now())
        return f"/cases/{case_id}?replied=1"

    return form_action(case_pages.current_request, principal.csrf_token, run,
                       lambda _fields, error: _case(principal, case_id, error=error))


# -- staff ------------------------------------------------------------------------------------------


@case_pages.route("/staff/cases", methods=["GET"])
def staff_queue() -> Response:
    principal, away = _staff()
    if away:
        return away
    units = ports().units.get_many([u for u in principal.units() if principal.has_role(u, *cases.READERS)])
    chosen = _params().get("unit") or (units[0].hsa_id if units else None)
    closed = _params().get("show") == "closed"
    if not chosen:
        records = []
    elif closed:
        records = cases.closed_recently(ports(), principal, chosen, clock.utc_now())
    else:
        records = cases.queue(ports(), principal, chosen)
    return _page(principal, "staff_cases.html", staff=True, units=units, chosen=chosen, records=records,
                 closed=closed, now=clock.utc_now())  # fmt: skip


def _staff_case(principal: StaffPrincipal, case_id: str, *, error: AppError | None = None) -> Response:
    record = cases.open_case(ports(), principal, case_id, clock.utc_now())
    replies = ports().standard_replies.of_unit(record.unit_hsa_id)
    chosen = next((r for r in replies if r.reply_id == _params().get("reply")), None)
    return _page(principal, "staff_case.html", staff=True, status=error.status if error else 200, record=record,
                 error=error, templates=[t.value for t in Template], now=clock.utc_now(), replies=replies,
                 prefill=chosen.text if chosen else "", unreached=bool(_params().get("unreached")),
                 can_work=principal.has_role(record.unit_hsa_id, *cases.WORKERS),
                 case_version=case_admin.version_of_case(ports(), record))  # fmt: skip


def _new_citizen_case(principal: StaffPrincipal, *, error: AppError | None = None,
                      values: dict[str, str] | None = None) -> Response:  # fmt: skip
    units = ports().units.get_many([u for u in principal.units() if principal.has_role(u, *cases.WORKERS)])
    errors = {error.field: error.message} if error and error.field else {}
    return _page(principal, "staff_citizen_case.html", staff=True, status=error.status if error else 200,
                 units=units, error=error, errors=errors, values=values or {},
                 submission_id=(values or {}).get("submission_id") or str(uuid.uuid4()))  # fmt: skip


@case_pages.route("/staff/citizen-case", methods=["GET"])
def new_citizen_case() -> Response:
    principal, away = _staff()
    return away or _new_citizen_case(principal)


@case_pages.route("/staff/citizen-case", methods=["POST"], content_types=FORM)
def start_citizen_case() -> Response:
    principal, away = _staff()
    if away:
        return away
    request = case_pages.current_request

    def run(fields: dict[str, str]) -> str:
        case_id, reached = cases.start_for_citizen(ports(), principal, fields.get("unit", ""), fields,
                                                   clock.utc_now(), request.lambda_context)  # fmt: skip
        return f"/staff/cases/{case_id}" + ("" if reached else "?unreached=1")

    return form_action(request, principal.csrf_token, run,
                       lambda fields, error: _new_citizen_case(principal, error=error, values=fields))


@case_pages.route("/staff/cases/{case_id}", methods=["GET"])
def staff_case(case_id: str) -> Response:
    principal, away = _staff()
    return away or _staff_case(principal, case_id)


@case_pages.route("/staff/cases/{case_id}/take", methods=["POST"], content_types=FORM)
def take(case_id: str) -> Response:
    principal, away = _staff()
    if away:
        return away

    def run(_fields: dict[str, str]) -> str:
        cases.take(ports(), principal, case_id)
        return f"/staff/cases/{case_id}"

    return form_action(case_pages.current_request, principal.csrf_token, run,
                       lambda _fields, error: _staff_case(principal, case_id, error=error))


@case_pages.route("/staff/cases/{case_id}/answer", methods=["POST"], content_types=FORM)
def answer(case_id: str) -> Response:
    principal, away = _staff()
    if away:
        return away

    def run(fields: dict[str, str]) -> str:
        cases.answer(ports(), principal, case_id, fields.get("template"), fields.get("text"), clock.utc_now())
        return f"/staff/cases/{case_id}"

    return form_action(case_pages.current_request, principal.csrf_token, run,
                       lambda _fields, error: _staff_case(principal, case_id, error=error))
