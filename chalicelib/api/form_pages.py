"""The citizen's forms (formulär): the list, and a form filled in one page at a time without
JavaScript — each page posted saves a draft, errors stand beside their fields, the last page sends.
A sent form reads back read-only."""

from __future__ import annotations

import uuid

from chalice import Blueprint, Response

from chalicelib.api.http import form_action, form_lists, language, redirect, render_page, require_csrf
from chalicelib.api.session import citizen_or_landing
from chalicelib.bootstrap import ports
from chalicelib.domain import clock
from chalicelib.domain import questionnaire as q
from chalicelib.errors import AppError
from chalicelib.services import forms
from chalicelib.services.principals import CitizenPrincipal

form_pages = Blueprint(__name__)
FORM = ["application/x-www-form-urlencoded"]
STEPS = ("next", "back", "save", "send")


def _citizen() -> tuple[CitizenPrincipal | None, Response | None]:
    return citizen_or_landing(form_pages.current_request)


def _page(principal: CitizenPrincipal, template: str, *, status: int = 200, **context: object) -> Response:
    return render_page(template, language(form_pages.current_request), staff=False,
                       csrf_token=principal.csrf_token, principal=principal, status=status, **context)  # fmt: skip


@form_pages.route("/forms", methods=["GET"])
def my_forms() -> Response:
    principal, away = _citizen()
    if away:
        return away
    cursor = (form_pages.current_request.query_params or {}).get("cursor")
    return _page(principal, "forms.html", forms=forms.my_forms(ports(), principal, cursor, clock.utc_now()),
                 cursor=cursor)  # fmt: skip


def _page_number(text: str | None, filling: forms.Filling) -> int:
    try:
        number = int(text or 1)
    except ValueError:
        number = 1
    return min(max(number, 1), len(filling.form.pages)) - 1


def _fill(principal: CitizenPrincipal, filling: forms.Filling, page: int, *, errors: dict | None = None,
          values: dict | None = None, status: int = 200, saved: bool = False, sent: bool = False,
          more: bool = False) -> Response:  # fmt: skip
    form = filling.form
    answers = filling.answers
    return _page(principal, "form_fill.html", status=status, filling=filling, form=form, page=page,
                 items=form.pages[page], pages=len(form.pages), shown=q.enabled(form, answers),
                 values=values if values is not None else q.raw_of(form, answers), errors=errors or {},
                 lines=q.lines(form, answers, language(form_pages.current_request)) if not filling.open else [],
                 saved=saved, sent=sent, more=more)  # fmt: skip


@form_pages.route("/forms/{request_id}", methods=["GET"])
def fill(request_id: str) -> Response:
    principal, away = _citizen()
    if away:
        return away
    params = form_pages.current_request.query_params or {}
    filling = forms.filling(ports(), principal, request_id)
    return _fill(principal, filling, _page_number(params.get("page"), filling), saved=params.get("saved") == "1",
                 sent=params.get("sent") == "1", more=params.get("more") == "1")  # fmt: skip


@form_pages.route("/forms/{request_id}", methods=["POST"], content_types=FORM)
def post_page(request_id: str) -> Response:
    principal, away = _citizen()
    if away:
        return away
    fields = form_lists(form_pages.current_request)
    require_csrf(principal.csrf_token, (fields.get("csrf_token") or [""])[-1])
    step = (fields.get("step") or ["save"])[-1]
    step = step if step in STEPS else "save"
    filling = forms.filling(ports(), principal, request_id)
    page = _page_number((fields.get("page") or ["1"])[-1], filling)
    try:
        result = forms.post_page(ports(), principal, request_id, page, fields, step, clock.utc_now())
    except AppError as error:
        if error.status == 409:
            return redirect(f"/forms/{request_id}")  # sent meanwhile (another tab): show it as sent
        if error.status != 400:
            raise
        values = {k: v for k, v in fields.items() if k not in ("csrf_token", "step", "page")}
        return _fill(principal, filling, page, errors={"_form": error.message}, values=values, status=400)
    if result.errors:
        values = {k: v for k, v in fields.items() if k not in ("csrf_token", "step", "page")}
        return _fill(principal, result.filling, result.page, errors=result.errors,
                     values={**q.raw_of(result.filling.form, result.filling.answers), **values}
                     if result.page == page else None, status=400)  # fmt: skip
    if result.sent:
        return redirect(f"/forms/{request_id}?sent=1")
    suffix = "&saved=1" if step == "save" else "&more=1" if result.more_asked else ""
    return redirect(f"/forms/{request_id}?page={result.page + 1}{suffix}")


@form_pages.route("/contact/{unit_hsa_id}/forms/{form_id}", methods=["GET"])
def offered(unit_hsa_id: str, form_id: str) -> Response:
    """An offered form (erbjuden e-tjänst) on the unit's contact card: what it is, and a button to start."""
    principal, away = _citizen()
    if away:
        return away
    unit, _ = forms.offered_form(ports(), unit_hsa_id, form_id)
    form = forms.current(ports(), form_id).form
    return _page(principal, "form_offered.html", unit=unit, form=form, form_id=form_id, submission_id=str(uuid.uuid4()))


@form_pages.route("/contact/{unit_hsa_id}/forms/{form_id}", methods=["POST"], content_types=FORM)
def start_offered(unit_hsa_id: str, form_id: str) -> Response:
    principal, away = _citizen()
    if away:
        return away

    def run(fields: dict[str, str]) -> str:
        return f"/forms/{forms.start_offered(ports(), principal, unit_hsa_id, form_id, fields, clock.utc_now())}"

    return form_action(form_pages.current_request, principal.csrf_token, run, lambda _fields, error: offered(unit_hsa_id, form_id))
