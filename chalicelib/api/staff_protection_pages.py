"""The staff tool's protections pages (åtkomst och skydd): the restrictions decided at the staff
member's units, a person's protections with the patient header (access-logged), and a form per
decision: seal the journal, hide the unit's journal for two months, extended access for a child
aged 13–15, block one of a child's guardians, remove the login, and lift each. Every page works
without JavaScript: each button is a form, each post checks CSRF and redirects (post/redirect/get)
or shows the page again with the error beside the field."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.api.http import form, form_action, language, redirect, render_page, require_csrf
from chalicelib.api.session import staff_or_landing
from chalicelib.bootstrap import ports
from chalicelib.domain import clock
from chalicelib.errors import AppError
from chalicelib.services import protections
from chalicelib.services.principals import StaffPrincipal

staff_protection_pages = Blueprint(__name__)
FORM = ["application/x-www-form-urlencoded"]
_RECOVERABLE = (400, 409, 422)


def _staff() -> tuple[StaffPrincipal | None, Response | None]:
    return staff_or_landing(staff_protection_pages.current_request)


def _params() -> dict[str, str]:
    return dict(staff_protection_pages.current_request.query_params or {})


def _page(principal: StaffPrincipal, template: str, *, status: int = 200, **context: object) -> Response:
    return render_page(template, language(staff_protection_pages.current_request), staff=True,
                       csrf_token=principal.csrf_token, principal=principal, status=status, **context)  # fmt: skip


def _list(principal: StaffPrincipal, *, error: AppError | None = None, values: dict[str, str] | None = None) -> Response:
    cursor = _params().get("cursor")
    listed = protections.decided_here(ports(), principal, cursor)
    return _page(principal, "staff_protections.html", status=error.status if error else 200, listed=listed,
                 cursor=cursor, error=error, errors={error.field: error.message} if error and error.field else {},
                 values=values or {})  # fmt: skip


@staff_protection_pages.route("/staff/protections", methods=["GET"])
def protections_list() -> Response:
    principal, away = _staff()
    return away or _list(principal)


@staff_protection_pages.route("/staff/protections", methods=["POST"], content_types=FORM)
def protections_search() -> Response:
    """A POST, so the personnummer is never in a URL: on to the person's protections page."""
    principal, away = _staff()
    if away:
        return away
    fields = form(staff_protection_pages.current_request)
    require_csrf(principal.csrf_token, fields.get("csrf_token"))
    try:
        citizen_id = protections.find_person(ports(), principal, fields.get("personnummer"), clock.utc_now())
    except AppError as error:
        if error.status not in _RECOVERABLE:
            raise
        return _list(principal, error=error, values=fields)
    return redirect(f"/staff/persons/{citizen_id}/protections")


def _person_page(principal: StaffPrincipal, citizen_id: str, *, unit: str | None = None, done: str | None = None,
                 error: AppError | None = None, error_form: str | None = None,
                 fields: dict[str, str] | None = None) -> Response:  # fmt: skip
    params = _params()
    cursor = params.get("cursor")
    view = protections.page(ports(), principal, citizen_id, cursor, clock.utc_now(), unit=unit or params.get("unit"))
    return _page(principal, "staff_person_protections.html", status=error.status if error else 200, view=view,
                 patient=view.header, cursor=cursor, done=done or params.get("done"), error=error,
                 errors={error.field: error.message} if error and error.field else {}, error_form=error_form,
                 values=fields or {}, max_reason=protections.MAX_REASON, now=clock.utc_now())  # fmt: skip


@staff_protection_pages.route("/staff/persons/{citizen_id}/protections", methods=["GET"])
def person_protections(citizen_id: str) -> Response:
    principal, away = _staff()
    return away or _person_page(principal, citizen_id)


def _decision(citizen_id: str, name: str, decide) -> Response:  # noqa: ANN001 (decide(principal, fields, now))
    principal, away = _staff()
    if away:
        return away

    def run(fields: dict[str, str]) -> str:
        decide(principal, fields, clock.utc_now())
        return f"/staff/persons/{citizen_id}/protections?unit={fields.get('unit', '')}&done={name}"

    def again(fields: dict[str, str], error: AppError) -> Response:
        return _person_page(principal, citizen_id, unit=fields.get("unit"), error=error, error_form=name,
                            fields=fields)  # fmt: skip

    return form_action(staff_protection_pages.current_request, principal.csrf_token, run, again,
                       recoverable=_RECOVERABLE)  # fmt: skip


@staff_protection_pages.route("/staff/persons/{citizen_id}/protections/seal", methods=["POST"], content_types=FORM)
def protect_seal(citizen_id: str) -> Response:
    return _decision(citizen_id, "sealed", lambda p, f, now: protections.seal(
        ports(), p, citizen_id, f.get("unit"), f.get("reason"), now))


@staff_protection_pages.route("/staff/persons/{citizen_id}/protections/hide-unit", methods=["POST"],
                              content_types=FORM)  # fmt: skip
def protect_hide_unit(citizen_id: str) -> Response:
    return _decision(citizen_id, "unit_hidden", lambda p, f, now: protections.hide_unit(
        ports(), p, citizen_id, f.get("unit"), f.get("reason"), now))


@staff_protection_pages.route("/staff/persons/{citizen_id}/protections/extend", methods=["POST"], content_types=FORM)
def protect_extend(citizen_id: str) -> Response:
    return _decision(citizen_id, "extended", lambda p, f, now: protections.extend(
        ports(), p, citizen_id, f.get("unit"), f.get("who"), f.get("reason"), now))


@staff_protection_pages.route("/staff/persons/{citizen_id}/protections/block-guardian", methods=["POST"],
                              content_types=FORM)  # fmt: skip
def protect_block_guardian(citizen_id: str) -> Response:
    return _decision(citizen_id, "guardian_blocked", lambda p, f, now: protections.block_guardian(
        ports(), p, citizen_id, f.get("unit"), f.get("guardian"), f.get("reason"), now))


@staff_protection_pages.route("/staff/persons/{citizen_id}/protections/remove-login", methods=["POST"],
                              content_types=FORM)  # fmt: skip
def protect_remove_login(citizen_id: str) -> Response:
    return _decision(citizen_id, "login_removed", lambda p, f, now: protections.remove_login(
        ports(), p, citizen_id, f.get("unit"), f.get("reason"), now))


@staff_protection_pages.route("/staff/persons/{citizen_id}/protections/lift", methods=["POST"], content_types=FORM)
def protect_lift(citizen_id: str) -> Response:
    return _decision(citizen_id, "lifted", lambda p, f, now: protections.lift(
        ports(), p, citizen_id, f.get("key"), f.get("unit"), now))
