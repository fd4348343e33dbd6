"""The staff tool's forms pages (formulär): the unit's forms with their figures (sent, answered,
overdue) and, for its local admin, the region's forms to choose from and each form's settings
(retention after export, offered as an e-service, stop using it); sending a form to a list of
personnummer; package dispatch (paketutskick: forms on one or more days) and the unit's packages; the follow-up list of one form; an answer with its patient header (access-logged) and
its exports (FHIR QuestionnaireResponse JSON, and a PDF); and the regional admin's region forms:
import, a new version, a text editor, retire. Every page works without JavaScript: each button is a
form, and each form post redirects (post/redirect/get) or shows its page again with the errors
beside the fields."""

from __future__ import annotations

import json
import urllib.parse
import uuid
from datetime import date, timedelta

from chalice import Blueprint, Response

from chalicelib.api.http import form, form_action, language, redirect, render_page, require_csrf
from chalicelib.api.session import staff_or_landing
from chalicelib.bootstrap import ports
from chalicelib.domain import clock
from chalicelib.domain import questionnaire as q
from chalicelib.domain.forms import MAX_RECIPIENTS, RequestStatus
from chalicelib.errors import AppError
from chalicelib.services import form_admin, forms
from chalicelib.services.principals import StaffPrincipal

staff_form_pages = Blueprint(__name__)
FORM = ["application/x-www-form-urlencoded"]
_RECOVERABLE = (400, 403, 409, 422)
_SEND_FIELDS = ("personnummer", "due_on", "remind_days_before")
_SETTING_FIELDS = ("retention_days", "offered")
_PACKAGE_FIELDS = ("parts", "personnummer", "answer_days", "remind_days_before")
_PARTS_CODES = ("form_not_subscribed", "form_retired")  # a form of a row the unit cannot send: beside the rows
PACKAGE_ROWS = 6


def _staff() -> tuple[StaffPrincipal | None, Response | None]:
    return staff_or_landing(staff_form_pages.current_request)


def _params() -> dict[str, str]:
    return dict(staff_form_pages.current_request.query_params or {})


def _page(principal: StaffPrincipal, template: str, *, status: int = 200, **context: object) -> Response:
    return render_page(template, language(staff_form_pages.current_request), staff=True,
                       csrf_token=principal.csrf_token, principal=principal, status=status, **context)  # fmt: skip


def _q(value: str) -> str:
    return urllib.parse.quote(value, safe="")


# -- the unit's forms ------------------------------------------------------------------------------------


def _forms_page(principal: StaffPrincipal, unit_id: str | None, *, cursor: str | None = None,
                done: str | None = None, error: AppError | None = None,
                fields: dict[str, str] | None = None) -> Response:  # fmt: skip
    units = form_admin.form_units(ports(), principal)
    unit = next((u for u in units if u.hsa_id == unit_id), units[0] if units else None)
    fields = fields or {}
    # A setting refused is shown beside its field, in the posted form's own box, with what was typed.
    beside = error is not None and error.field in _SETTING_FIELDS
    context: dict[str, object] = {"units": units, "unit": unit, "done": done, "error": None if beside else error,
                                  "unit_forms": [], "catalogue": [], "next_cursor": None, "cursor": cursor,
                                  "can_send": False, "can_follow": False, "can_subscribe": False,
                                  "errors": {error.field: error.message} if beside else {},
                                  "error_form": fields.get("form_id") if beside else None, "values": fields,
                                  "max_retention": form_admin.MAX_RETENTION_DAYS,
                                  "health_declaration": q.FormKind.HEALTH_DECLARATION.value}  # fmt: skip
    if unit is not None:
        subscribed = forms.unit_forms(ports(), principal, unit.hsa_id)
        context.update(unit_forms=subscribed, can_send=form_admin.may_send(principal, unit.hsa_id),
                       can_follow=form_admin.may_follow(principal, unit.hsa_id),
                       can_subscribe=form_admin.may_subscribe(principal, unit.hsa_id))  # fmt: skip
        if context["can_subscribe"]:
            page = form_admin.catalogue(ports(), principal, cursor)
            used = {f.definition.form_id for f in subscribed}
            context.update(catalogue=[d for d in page if d.form_id not in used and d.status == "active"],
                           next_cursor=page.next_cursor)  # fmt: skip
    return _page(principal, "staff_forms.html", status=error.status if error else 200, **context)


@staff_form_pages.route("/staff/forms", methods=["GET"])
def unit_forms_page() -> Response:
    principal, away = _staff()
    if away:
        return away
    params = _params()
    return _forms_page(principal, params.get("unit"), cursor=params.get("cursor"), done=params.get("done"))


@staff_form_pages.route("/staff/forms/subscribe", methods=["POST"], content_types=FORM)
def subscribe() -> Response:
    """The unit's local admin starts using one of the region's forms ("Använd formuläret")."""
    principal, away = _staff()
    if away:
        return away

    def run(fields: dict[str, str]) -> str:
        unit = fields.get("unit", "")
        form_admin.subscribe(ports(), principal, unit, fields.get("form_id", ""), clock.utc_now())
        return f"/staff/forms?unit={_q(unit)}&done=subscribed"

    return form_action(staff_form_pages.current_request, principal.csrf_token, run,
                       lambda fields, error: _forms_page(principal, fields.get("unit"), error=error))  # fmt: skip


def _unit_setting(change) -> Response:  # noqa: ANN001 (change(principal, unit, form_id, fields) -> done)
    """A local admin's post about one of the unit's forms: back to the forms page, or the page again
    with the error beside the field (a caller without the role gets the 403 as it is)."""
    principal, away = _staff()
    if away:
        return away

    def run(fields: dict[str, str]) -> str:
        unit = fields.get("unit", "")
        done = change(principal, unit, fields.get("form_id", ""), fields)
        return f"/staff/forms?unit={_q(unit)}&done={done}"

    def again(fields: dict[str, str], error: AppError) -> Response:
        if error.status == 403 or error.code == "form_not_subscribed":
            raise error
        return _forms_page(principal, fields.get("unit"), error=error, fields=fields)

    return form_action(staff_form_pages.current_request, principal.csrf_token, run, again)


@staff_form_pages.route("/staff/forms/settings", methods=["POST"], content_types=FORM)
def form_settings() -> Response:
    """The unit's local admin: how long answers are kept after export, and whether the form is offered
    as an e-service on the unit's contact card."""

    def change(principal: StaffPrincipal, unit: str, form_id: str, fields: dict[str, str]) -> str:
        changed = form_admin.change_settings(ports(), principal, unit, form_id, fields, clock.utc_now())
        return "saved" if changed else "unchanged"

    return _unit_setting(change)


@staff_form_pages.route("/staff/forms/stop", methods=["POST"], content_types=FORM)
def stop_using() -> Response:
    """The unit's local admin: the unit stops using the form (what was sent stays answerable and followed up)."""

    def change(principal: StaffPrincipal, unit: str, form_id: str, _fields: dict[str, str]) -> str:
        form_admin.stop_using(ports(), principal, unit, form_id, clock.utc_now())
        return "stopped"

    return _unit_setting(change)


# -- package dispatch (paketutskick) ----------------------------------------------------------------------


@staff_form_pages.route("/staff/forms/packages", methods=["GET"])
def packages() -> Response:
    """The unit's packages, newest first: each part's form and day and whether it went, and how many
    people the package goes to (never who)."""
    principal, away = _staff()
    if away:
        return away
    params = _params()
    unit_id = params.get("unit", "")
    rows = form_admin.packages(ports(), principal, unit_id, params.get("cursor"))
    return _page(principal, "staff_form_packages.html", unit=ports().units.get(unit_id), unit_id=unit_id,
                 rows=rows, cursor=params.get("cursor"), next_cursor=rows.next_cursor, done=params.get("done"),
                 can_send=form_admin.may_send(principal, unit_id))  # fmt: skip


def _package_page(principal: StaffPrincipal, unit_id: str, *, error: AppError | None = None,
                  values: dict[str, str] | None = None) -> Response:  # fmt: skip
    choices = form_admin.package_choices(ports(), principal, unit_id)
    values = dict(values or {})
    for n in range(1, PACKAGE_ROWS + 1):
        if not _iso_date(values.get(f"day_{n}")):
            values.pop(f"day_{n}", None)  # a date field shows only a date back
    field = error.field if error and error.field in _PACKAGE_FIELDS else ("parts" if error and error.code in
                                                                          _PARTS_CODES else None)  # fmt: skip
    today = clock.stockholm_date(clock.utc_now())
    return _page(principal, "staff_form_package.html", status=error.status if error else 200,
                 unit=ports().units.get(unit_id), unit_id=unit_id, choices=choices, rows=range(1, PACKAGE_ROWS + 1),
                 error=None if field else error, errors={field: error.message} if field and error else {},
                 values=values, tomorrow=today + timedelta(days=1), max_recipients=MAX_RECIPIENTS,
                 # A new id per form shown: the same package posted twice (a double click) is planned once.
                 dispatch_id=values.get("dispatch_id") or str(uuid.uuid4()))  # fmt: skip


@staff_form_pages.route("/staff/forms/packages/new", methods=["GET"])
def package_page() -> Response:
    principal, away = _staff()
    return away or _package_page(principal, _params().get("unit", ""))


@staff_form_pages.route("/staff/forms/packages/new", methods=["POST"], content_types=FORM)
def plan_package() -> Response:
    """Forms to the same people on one or more days: each row a form and its day (empty rows skipped).
    The personnummer travel in the body only."""
    principal, away = _staff()
    if away:
        return away

    def run(fields: dict[str, str]) -> str:
        unit = fields.get("unit", "")
        parts = [(fields.get(f"form_{n}", "").strip(), fields.get(f"day_{n}", "").strip())
                 for n in range(1, PACKAGE_ROWS + 1)]  # fmt: skip
        forms.schedule_package(ports(), principal, unit, parts, fields, clock.utc_now())
        return f"/staff/forms/packages?unit={_q(unit)}&done=planned"

    def beside_the_field(fields: dict[str, str], error: AppError) -> Response:
        if error.status == 403 or (error.status == 404 and error.code not in _PARTS_CODES):
            raise error
        return _package_page(principal, fields.get("unit", ""), error=error, values=fields)

    return form_action(staff_form_pages.current_request, principal.csrf_token, run, beside_the_field)


# -- sending ----------------------------------------------------------------------------------------------


def _send_page(principal: StaffPrincipal, unit_id: str, form_id: str, *, error: AppError | None = None,
               values: dict[str, str] | None = None) -> Response:  # fmt: skip
    chosen = form_admin.to_send(ports(), principal, unit_id, form_id)
    unit = ports().units.get(unit_id)
    values = dict(values or {})
    if not _iso_date(values.get("due_on")):
        values.pop("due_on", None)  # a date field shows only a date back (the error beside it says what was wrong)
    errors = {error.field: error.message} if error and error.field in _SEND_FIELDS else {}
    today = clock.stockholm_date(clock.utc_now())
    return _page(principal, "staff_form_send.html", status=error.status if error else 200, unit=unit,
                 unit_form=chosen, error=error, errors=errors, values=values, today=today,
                 health_declaration=chosen.definition.kind == q.FormKind.HEALTH_DECLARATION.value,
                 max_recipients=MAX_RECIPIENTS,
                 # A new id per form shown: the same form sent twice (a double click) sends once.
                 dispatch_id=values.get("dispatch_id") or str(uuid.uuid4()))  # fmt: skip


def _iso_date(text: str | None) -> bool:
    try:
        date.fromisoformat(text or "")
    except ValueError:
        return False
    return len(text or "") == 10


@staff_form_pages.route("/staff/forms/{form_id}/send", methods=["GET"])
def send_page(form_id: str) -> Response:
    principal, away = _staff()
    return away or _send_page(principal, _params().get("unit", ""), form_id)


@staff_form_pages.route("/staff/forms/{form_id}/send", methods=["POST"], content_types=FORM)
def send(form_id: str) -> Response:
    """The personnummer travel in the form's body only; the answer names how many, never whom."""
    principal, away = _staff()
    if away:
        return away

    def run(fields: dict[str, str]) -> str:
        unit = fields.get("unit", "")
        done = forms.send(ports(), principal, unit, {**fields, "form_id": form_id}, clock.utc_now())
        return (f"/staff/forms/{_q(form_id)}/follow-up?unit={_q(unit)}&done=sent&sent={done.sent + done.already_sent}"
                f"&valid={done.still_valid}")  # fmt: skip

    def beside_the_field(fields: dict[str, str], error: AppError) -> Response:
        if error.status == 403 or (error.status == 404 and error.field is None):
            raise error
        return _send_page(principal, fields.get("unit", ""), form_id, error=error, values=fields)

    return form_action(staff_form_pages.current_request, principal.csrf_token, run, beside_the_field,
                       (*_RECOVERABLE, 404))


# -- follow-up --------------------------------------------------------------------------------------------


def _count(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


@staff_form_pages.route("/staff/forms/{form_id}/follow-up", methods=["GET"])
def follow_up(form_id: str) -> Response:
    """What the unit sent of one form, newest first: who (a name, or "Skyddad identitet"), when, the
    last day, where it stands, and a score that reached the form's threshold."""
    principal, away = _staff()
    if away:
        return away
    params = _params()
    unit_id = params.get("unit", "")
    chosen, rows = forms.dispatches(ports(), principal, unit_id, form_id, params.get("cursor"), clock.utc_now())
    return _page(principal, "staff_form_follow_up.html", unit=ports().units.get(unit_id), unit_form=chosen, rows=rows,
                 cursor=params.get("cursor"), next_cursor=rows.next_cursor,
                 can_send=form_admin.may_send(principal, unit_id) and chosen.active and chosen.subscription.stopped_at is None,
                 done=params.get("done"), sent=_count(params.get("sent")), valid=_count(params.get("valid")),
                 score_text=forms.score_text)  # fmt: skip


@staff_form_pages.route("/staff/form-requests/{request_id}/withdraw", methods=["POST"], content_types=FORM)
def withdraw(request_id: str) -> Response:
    """Take back a form not yet answered (sent by mistake): back to the follow-up list, which says so."""
    principal, away = _staff()
    if away:
        return away

    def run(_fields: dict[str, str]) -> str:
        record = forms.withdraw(ports(), principal, request_id, clock.utc_now())
        return f"/staff/forms/{record.form_id}/follow-up?unit={record.unit_hsa_id}&done=withdrawn"

    # Nothing to correct on a form: an error (answered meanwhile: 409) is its own page.
    return form_action(staff_form_pages.current_request, principal.csrf_token, run, lambda *_: None, recoverable=())


# -- an answer --------------------------------------------------------------------------------------------


@staff_form_pages.route("/staff/form-answers/{request_id}", methods=["GET"])
def answer(request_id: str) -> Response:
    """One person's answer, with the patient header; the open is written to their access log."""
    principal, away = _staff()
    if away:
        return away
    view = forms.open_answer(ports(), principal, request_id, clock.utc_now())
    form_ = view.definition.form
    return _page(principal, "staff_form_answer.html", view=view, record=view.record, patient=view.header,
                 title=form_.title.sv, lines=view.lines, answered=view.record.status == RequestStatus.ANSWERED.value,
                 declaration=form_.kind is q.FormKind.HEALTH_DECLARATION,
                 score=forms.score_text(view.record.score), threshold=forms.score_text(
                     None if form_.threshold is None else str(form_.threshold)),
                 unit=ports().units.get(view.record.unit_hsa_id))  # fmt: skip


def _export(request_id: str, make) -> Response:  # noqa: ANN001 (make(principal) -> Response)
    """An export is a change (the first starts the unit's retention, after which the answer is purged),
    so it is a button: a POST with the CSRF token, never a link one could be sent."""
    principal, away = _staff()
    if away:
        return away
    require_csrf(principal.csrf_token, form(staff_form_pages.current_request).get("csrf_token"))
    return make(principal)


@staff_form_pages.route("/staff/form-answers/{request_id}/json", methods=["POST"], content_types=FORM)
def export_json(request_id: str) -> Response:
    """The answer as its FHIR R4 QuestionnaireResponse, as a file (access-logged as the open is)."""

    def make(principal: StaffPrincipal) -> Response:
        text, filename = form_admin.export_json(ports(), principal, request_id, clock.utc_now())
        return Response(body=text, status_code=200, headers={
            "Content-Type": "application/fhir+json; charset=utf-8", "Cache-Control": "no-store",
            "Content-Disposition": f'attachment; filename="{filename}"'})  # fmt: skip

    return _export(request_id, make)


@staff_form_pages.route("/staff/form-answers/{request_id}/pdf", methods=["POST"], content_types=FORM)
def export_pdf(request_id: str) -> Response:
    """The answer as a PDF: made, then a one-minute link to it (no response carries a PDF)."""

    def make(principal: StaffPrincipal) -> Response:
        lang = language(staff_form_pages.current_request)
        return redirect(form_admin.export_pdf(ports(), principal, request_id, clock.utc_now(), lang))

    return _export(request_id, make)


# -- the region's forms (regional admin) ------------------------------------------------------------------


def _region_page(principal: StaffPrincipal, *, cursor: str | None = None, done: str | None = None,
                 error: AppError | None = None, values: dict[str, str] | None = None) -> Response:  # fmt: skip
    form_admin.require_regional_admin(ports(), principal)
    page = form_admin.catalogue(ports(), principal, cursor)
    problems = form_admin.problems_of(error) if error else []
    return _page(principal, "staff_region_forms.html", status=error.status if error else 200, definitions=page,
                 cursor=cursor, next_cursor=page.next_cursor, done=done, error=error, problems=problems,
                 values=values or {})  # fmt: skip


@staff_form_pages.route("/staff/region/forms", methods=["GET"])
def region_forms() -> Response:
    principal, away = _staff()
    if away:
        return away
    params = _params()
    return _region_page(principal, cursor=params.get("cursor"), done=params.get("done"))


@staff_form_pages.route("/staff/region/forms", methods=["POST"], content_types=FORM)
def import_form() -> Response:
    """A Questionnaire pasted as JSON becomes a new form; every problem is listed beside the field."""
    principal, away = _staff()
    if away:
        return away

    def run(fields: dict[str, str]) -> str:
        made = form_admin.import_form(ports(), principal, fields.get("questionnaire"), clock.utc_now())
        return f"/staff/region/forms/{_q(made.form_id)}/edit?done=imported"

    return form_action(staff_form_pages.current_request, principal.csrf_token, run,
                       lambda fields, error: _region_page(principal, error=error, values=fields))  # fmt: skip


@staff_form_pages.route("/staff/region/forms/{form_id}/retire", methods=["POST"], content_types=FORM)
def retire(form_id: str) -> Response:
    principal, away = _staff()
    if away:
        return away

    def run(_fields: dict[str, str]) -> str:
        form_admin.retire(ports(), principal, form_id, clock.utc_now())
        return "/staff/region/forms?done=retired"

    return form_action(staff_form_pages.current_request, principal.csrf_token, run,
                       lambda fields, error: _region_page(principal, error=error))  # fmt: skip


def _edit_page(principal: StaffPrincipal, form_id: str, *, done: str | None = None, error: AppError | None = None,
               values: dict[str, str] | None = None, pasted: bool = False) -> Response:  # fmt: skip
    definition = form_admin.to_edit(ports(), principal, form_id)
    errors = dict(getattr(error, "errors", None) or {})
    problems = form_admin.problems_of(error) if error and not errors else []
    action = (values or {}).get("action") or ""
    return _page(principal, "staff_region_form_edit.html", status=error.status if error else 200,
                 definition=definition, record=definition.record, rows=form_admin.editor_rows(definition),
                 done=done, error=error, problems=problems, errors=errors, values=values, pasted=pasted,
                 action=action, pages=form_admin.editor_pages(definition), types=form_admin.ADDABLE_TYPES,
                 new_page=form_admin.NEW_PAGE, retired=definition.record.status == "retired",
                 source=json.dumps(definition.resource, ensure_ascii=False, indent=2))  # fmt: skip


@staff_form_pages.route("/staff/region/forms/{form_id}/edit", methods=["GET"])
def edit_page(form_id: str) -> Response:
    principal, away = _staff()
    return away or _edit_page(principal, form_id, done=_params().get("done"))


@staff_form_pages.route("/staff/region/forms/{form_id}/edit", methods=["POST"], content_types=FORM)
def edit(form_id: str) -> Response:
    """The editor's texts, required flags and options as a new version; or (`action`) one of its small
    forms: a question added, removed, or moved up or down its page."""
    principal, away = _staff()
    if away:
        return away

    def run(fields: dict[str, str]) -> str:
        if fields.get("action"):
            made = form_admin.change_items(ports(), principal, form_id, fields, clock.utc_now())
            return f"/staff/region/forms/{_q(form_id)}/edit?done={'version' if made else 'unchanged'}"
        form_admin.edit_texts(ports(), principal, form_id, fields, clock.utc_now())
        return f"/staff/region/forms/{_q(form_id)}/edit?done=version"

    return form_action(staff_form_pages.current_request, principal.csrf_token, run,
                       lambda fields, error: _edit_page(principal, form_id, error=error, values=fields))  # fmt: skip


@staff_form_pages.route("/staff/region/forms/{form_id}/version", methods=["POST"], content_types=FORM)
def new_version(form_id: str) -> Response:
    """A new version of the form pasted as a whole Questionnaire."""
    principal, away = _staff()
    if away:
        return away

    def run(fields: dict[str, str]) -> str:
        form_admin.import_form(ports(), principal, fields.get("questionnaire"), clock.utc_now(), form_id=form_id)
        return f"/staff/region/forms/{_q(form_id)}/edit?done=version"

    return form_action(staff_form_pages.current_request, principal.csrf_token, run,
                       lambda fields, error: _edit_page(principal, form_id, error=error, values=fields,
                                                        pasted=True))  # fmt: skip
