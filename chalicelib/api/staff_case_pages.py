"""The staff tool's case pages: the queue's views, a case with its patient header and what can be
done with it (take, release, reassign, remind, close, answer with a standard reply inserted and a
preview), the invånarärende with its recipient shown before and after sending, and the patient
search. Every page works without JavaScript: each button is a form."""

from __future__ import annotations

import uuid

from chalice import Blueprint, Response

from chalicelib.api.http import form, form_action, language, render_page, require_csrf
from chalicelib.api.session import staff_or_landing
from chalicelib.bootstrap import ports
from chalicelib.domain import clock
from chalicelib.domain import queue as views
from chalicelib.domain.cases import Template
from chalicelib.errors import AppError, NotFound
from chalicelib.services import case_admin, case_work, cases, patients, protections
from chalicelib.services.principals import StaffPrincipal

staff_case_pages = Blueprint(__name__)
FORM = ["application/x-www-form-urlencoded"]
_RECOVERABLE = (400, 403, 409, 422)


def _staff() -> tuple[StaffPrincipal | None, Response | None]:
    return staff_or_landing(staff_case_pages.current_request)


def _params() -> dict[str, str]:
    return dict(staff_case_pages.current_request.query_params or {})


def _page(principal: StaffPrincipal, template: str, *, status: int = 200, **context: object) -> Response:
    return render_page(template, language(staff_case_pages.current_request), staff=True,
                       csrf_token=principal.csrf_token, principal=principal, status=status, **context)  # fmt: skip


def _field_errors(error: AppError | None) -> dict[str, str]:
    if error is None:
        return {}
    return getattr(error, "errors", None) or ({error.field: error.message} if error.field else {})


# -- the queue ------------------------------------------------------------------------------------


@staff_case_pages.route("/staff/cases", methods=["GET"])
def queue() -> Response:
    principal, away = _staff()
    if away:
        return away
    params = _params()
    units = case_work.unit_choices(ports(), principal)
    chosen = params.get("unit") or (units[0][0] if units else None)
    view = params.get("view") or ("closed" if params.get("show") == "closed" else None)
    page = (case_work.queue_page(ports(), principal, chosen, view, params.get("cursor"), clock.utc_now()) if chosen
            else case_work.QueuePage(views.View.NEW, [], None))  # fmt: skip
    return _page(principal, "staff_cases.html", units=units, chosen=chosen, page=page, cursor=params.get("cursor"),
                 views=[v.value for v in views.View], now=clock.utc_now())  # fmt: skip


# -- one case -------------------------------------------------------------------------------------


def _case_page(principal: StaffPrincipal, case_id: str, *, error: AppError | None = None,
               values: dict[str, str] | None = None, preview: str | None = None) -> Response:  # fmt: skip
    now = clock.utc_now()
    shown = case_work.open_for_staff(ports(), principal, case_id, now)
    record = shown.record
    can_work = principal.has_role(record.unit_hsa_id, *cases.WORKERS)
    version = case_admin.version_of_case(ports(), record)
    return _page(
        principal, "staff_case.html", status=error.status if error else 200, record=record, patient=shown.header,
        error=error, errors=_field_errors(error), values=values or {}, preview=preview,
        templates=[t.value for t in Template], now=now, can_work=can_work,
        replies=ports().standard_replies.of_unit(record.unit_hsa_id) if can_work else [],
        colleagues=case_work.colleagues(ports(), principal, record.unit_hsa_id) if can_work else [],
        status_key=views.staff_status_key(record.status, bool(record.citizen_replied_at)),
        done=_params().get("done"), unreached=bool(_params().get("unreached")),
        case_version=version, answers_shown=cases.shown_answers(record, version, "sv"),  # staff read the Swedish
    )  # fmt: skip


@staff_case_pages.route("/staff/cases/{case_id}", methods=["GET"])
def case(case_id: str) -> Response:
    principal, away = _staff()
    return away or _case_page(principal, case_id)


def _act(case_id: str, run, done: str) -> Response:  # noqa: ANN001 (a callable taking the form)
    """A button on the case page: do it, then show the case again saying what was done."""
    principal, away = _staff()
    if away:
        return away

    def act(fields: dict[str, str]) -> str:
        run(principal, fields)
        return f"/staff/cases/{case_id}?done={done}"

    return form_action(staff_case_pages.current_request, principal.csrf_token, act,
                       lambda fields, error: _case_page(principal, case_id, error=error))  # fmt: skip


@staff_case_pages.route("/staff/cases/{case_id}/take", methods=["POST"], content_types=FORM)
def take(case_id: str) -> Response:
    return _act(case_id, lambda p, _f: cases.take(ports(), p, case_id, clock.utc_now()), "taken")


@staff_case_pages.route("/staff/cases/{case_id}/release", methods=["POST"], content_types=FORM)
def release(case_id: str) -> Response:
    return _act(case_id, lambda p, _f: case_work.release(ports(), p, case_id, clock.utc_now()), "released")


def _version(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


@staff_case_pages.route("/staff/cases/{case_id}/reassign", methods=["POST"], content_types=FORM)
def reassign(case_id: str) -> Response:
    return _act(case_id, lambda p, f: case_work.reassign(ports(), p, case_id, f.get("to"), clock.utc_now(),
                                                          _version(f.get("version"))), "reassigned")  # fmt: skip


@staff_case_pages.route("/staff/cases/{case_id}/remind", methods=["POST"], content_types=FORM)
def remind(case_id: str) -> Response:
    return _act(case_id, lambda p, f: case_work.remind(ports(), p, case_id, f.get("text"), clock.utc_now()), "reminded")


@staff_case_pages.route("/staff/cases/{case_id}/close", methods=["POST"], content_types=FORM)
def close(case_id: str) -> Response:
    return _act(case_id, lambda p, f: case_work.close(ports(), p, case_id, f.get("text"), clock.utc_now()), "closed")


@staff_case_pages.route("/staff/cases/{case_id}/answer", methods=["POST"], content_types=FORM)
def answer(case_id: str) -> Response:
    """One form, three buttons: insert a standard reply after the text (the form comes back with it),
    preview (the form comes back with the answer as the citizen reads it), send."""
    principal, away = _staff()
    if away:
        return away
    request = staff_case_pages.current_request
    fields = form(request)
    step = fields.get("step") or "send"
    if step in ("insert", "preview"):
        require_csrf(principal.csrf_token, fields.get("csrf_token"))
        record = ports().cases.get(case_id)
        try:
            if record is None:
                raise NotFound("case_not_found", "Ärendet finns inte.")
            if step == "insert":
                text = case_work.with_standard_reply(ports(), principal, record.unit_hsa_id, fields.get("text"),
                                                     fields.get("reply"))  # fmt: skip
                return _case_page(principal, case_id, values={**fields, "text": text})
            _, signed = case_work.preview_answer(ports(), principal, record, fields.get("template"),
                                                 fields.get("text"), clock.utc_now())  # fmt: skip
            return _case_page(principal, case_id, values=fields, preview=signed)
        except AppError as error:
            if error.status not in _RECOVERABLE:
                raise
            return _case_page(principal, case_id, error=error, values=fields)

    def run(sent: dict[str, str]) -> str:
        cases.answer(ports(), principal, case_id, sent.get("template"), sent.get("text"), clock.utc_now())
        return f"/staff/cases/{case_id}?done=answered"

    return form_action(request, principal.csrf_token, run,
                       lambda sent, error: _case_page(principal, case_id, error=error, values=sent))


# -- invånarärende ----------------------------------------------------------------------------------


def _citizen_case(principal: StaffPrincipal, *, error: AppError | None = None, values: dict[str, str] | None = None,
                  draft: cases.CitizenCaseDraft | None = None) -> Response:  # fmt: skip
    values = values or {}
    units = ports().units.get_many([u for u in principal.units() if principal.has_role(u, *cases.WORKERS)])
    unit = next((u for u in units if u.hsa_id == values.get("unit")), units[0] if units else None)
    templates = cases.citizen_case_templates(ports(), unit) if unit else []
    return _page(principal, "staff_citizen_case.html", status=error.status if error else 200, units=units,
                 error=error, errors=_field_errors(error), values=values, templates=templates, draft=draft,
                 patient=draft.header if draft else None,
                 submission_id=values.get("submission_id") or str(uuid.uuid4()))  # fmt: skip


@staff_case_pages.route("/staff/citizen-case", methods=["GET"])
def new_citizen_case() -> Response:
    principal, away = _staff()
    return away or _citizen_case(principal, values={"unit": _params().get("unit", "")})


@staff_case_pages.route("/staff/citizen-case", methods=["POST"], content_types=FORM)
def start_citizen_case() -> Response:
    """step=preview shows the recipient (patient header) and the message; step=send sends it. The
    personnummer travels in the form body only."""
    principal, away = _staff()
    if away:
        return away
    request = staff_case_pages.current_request
    fields = form(request)
    if fields.get("step") in ("preview", "change"):
        require_csrf(principal.csrf_token, fields.get("csrf_token"))
        if fields.get("step") == "change":
            return _citizen_case(principal, values=fields)
        try:
            draft = cases.draft_for_citizen(ports(), principal, fields.get("unit", ""), fields, clock.utc_now())
        except AppError as error:
            if error.status not in _RECOVERABLE:
                raise
            return _citizen_case(principal, error=error, values=fields)
        return _citizen_case(principal, values=fields, draft=draft)

    def run(sent: dict[str, str]) -> str:
        case_id, reached = cases.start_for_citizen(ports(), principal, sent.get("unit", ""), sent, clock.utc_now(),
                                                   request.lambda_context)  # fmt: skip
        return f"/staff/cases/{case_id}" + ("" if reached else "?unreached=1")

    return form_action(request, principal.csrf_token, run,
                       lambda sent, error: _citizen_case(principal, error=error, values=sent))


# -- patient search ---------------------------------------------------------------------------------


def _patients(principal: StaffPrincipal, *, error: AppError | None = None, values: dict[str, str] | None = None,
              found: patients.PatientOverview | None = None) -> Response:  # fmt: skip
    units = patients.search_units(ports(), principal)
    return _page(principal, "staff_patients.html", status=error.status if error else 200, units=units, error=error,
                 errors=_field_errors(error), values=values or {}, found=found,
                 patient=found.header if found else None, may_protect=protections.may_decide(principal),
                 status_key=lambda r: views.staff_status_key(r.status, bool(r.citizen_replied_at)))  # fmt: skip


@staff_case_pages.route("/staff/patients", methods=["GET"])
def patient_search() -> Response:
    principal, away = _staff()
    return away or _patients(principal)


@staff_case_pages.route("/staff/patients", methods=["POST"], content_types=FORM)
def patient_found() -> Response:
    """A POST, so the personnummer is never in a URL (nor in a browser's history or a proxy's log)."""
    principal, away = _staff()
    if away:
        return away
    fields = form(staff_case_pages.current_request)
    require_csrf(principal.csrf_token, fields.get("csrf_token"))
    units = patients.search_units(ports(), principal)
    unit = fields.get("unit") or (units[0].hsa_id if units else "")
    try:
        found = patients.search(ports(), principal, unit, fields.get("personnummer"), clock.utc_now())
    except AppError as error:
        if error.status not in _RECOVERABLE:
            raise
        return _patients(principal, error=error, values=fields)
    return _patients(principal, values={"unit": unit}, found=found)


