"""The citizen's case pages: find a unit, send a case, follow it and reply to a counter-question
(or an invånarärende's questions). The staff tool's case pages are in staff_case_pages.py."""

from __future__ import annotations

import uuid

from chalice import Blueprint, Response

from chalicelib.api.http import form_action, language, render_page
from chalicelib.api.session import citizen_or_landing
from chalicelib.bootstrap import ports
from chalicelib.domain import clock
from chalicelib.errors import AppError
from chalicelib.services import case_admin, cases, forms
from chalicelib.services.principals import CitizenPrincipal

case_pages = Blueprint(__name__)
FORM = ["application/x-www-form-urlencoded"]


def _citizen() -> tuple[CitizenPrincipal | None, Response | None]:
    return citizen_or_landing(case_pages.current_request)


def _page(principal: CitizenPrincipal, template: str, *, status: int = 200, **context: object) -> Response:
    return render_page(template, language(case_pages.current_request), staff=False, csrf_token=principal.csrf_token,
                       principal=principal, status=status, **context)  # fmt: skip


def _params() -> dict[str, str]:
    return dict(case_pages.current_request.query_params or {})


@case_pages.route("/cases", methods=["GET"])
def my_cases() -> Response:
    principal, away = _citizen()
    if away:
        return away
    cursor = _params().get("cursor")
    return _page(principal, "cases.html", records=cases.my_cases(ports(), principal, cursor), cursor=cursor,
                 sent=_params().get("sent"), case_type_name_in=cases.case_type_name)  # fmt: skip


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
    offered = forms.offered_forms(ports(), unit.hsa_id) if ports().settings.eservice_on("forms") else []
    return _page(principal, "unit_card.html", unit=unit, case_types=cases.case_types_at(ports(), unit),
                 offered_forms=offered)  # fmt: skip


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


def _case(principal: CitizenPrincipal, case_id: str, *, error: AppError | None = None,
          values: dict[str, str] | None = None) -> Response:  # fmt: skip
    record = cases.read_case(ports(), principal, case_id, clock.utc_now())
    errors = getattr(error, "errors", None) or ({error.field: error.message} if error and error.field else {})
    version, lang = case_admin.version_of_case(ports(), record), language(case_pages.current_request)
    return _page(principal, "case.html", status=error.status if error else 200, record=record, error=error,
                 errors=errors, values=values or {}, questions=cases.questions_of(record),
                 sent=bool(_params().get("sent")), replied=bool(_params().get("replied")), case_version=version,
                 case_type_name=cases.case_type_name(record, lang),
                 answers_shown=cases.shown_answers(record, version, lang))  # fmt: skip


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
        cases.reply(ports(), principal, case_id, fields.get("reply"), clock.utc_now(), fields)
        return f"/cases/{case_id}?replied=1"

    return form_action(case_pages.current_request, principal.csrf_token, run,
                       lambda fields, error: _case(principal, case_id, error=error, values=fields))
