"""The staff tool's region-wide pages: care-system keys (regional admin) and the access-log extract
(region auditor). A secret is shown in the answer to the post that made it, never on a page one can
open again; a personnummer only ever travels in a POST body."""

from __future__ import annotations

import uuid

from chalice import Blueprint, Response

from chalicelib.api.http import form, form_action, form_lists, language, redirect, render_page, require_csrf
from chalicelib.api.session import staff_or_landing
from chalicelib.bootstrap import ports
from chalicelib.domain import clock
from chalicelib.domain import integration_keys as keys
from chalicelib.errors import AppError, Conflict
from chalicelib.services import audit, integration_keys
from chalicelib.catalogs import known, translate
from chalicelib.services.principals import StaffPrincipal

staff_region_pages = Blueprint(__name__)
FORM = ["application/x-www-form-urlencoded"]
_KEY_FIELDS = ("system_name", "scopes", "units")


def _staff() -> tuple[StaffPrincipal | None, Response | None]:
    return staff_or_landing(staff_region_pages.current_request)


def _render(principal: StaffPrincipal, template: str, *, status: int = 200, **context: object) -> Response:
    return render_page(template, language(staff_region_pages.current_request), staff=True,
                       csrf_token=principal.csrf_token, principal=principal, status=status, **context)  # fmt: skip


# -- care-system keys (regional admin) -------------------------------------------------------------------


def _keys_page(principal: StaffPrincipal, *, error: AppError | None = None, shown=None, done: str | None = None,  # noqa: ANN001
               values: dict[str, str] | None = None, chosen: dict[str, list[str]] | None = None) -> Response:  # fmt: skip
    now = clock.utc_now()
    return _render(principal, "staff_integration_keys.html", status=error.status if error else 200,
                   keys=integration_keys.list_keys(ports(), principal, now), units=ports().units.all(),
                   scopes=keys.SCOPES, shown=shown, done=done, error=error,
                   errors={error.field: error.message} if error and error.field else {}, values=values or {},
                   chosen=chosen or {}, overlap_default=keys.OVERLAP_DEFAULT_HOURS,
                   overlap_max=keys.OVERLAP_MAX_HOURS,
                   submission_id=(values or {}).get("submission_id") or str(uuid.uuid4()))  # fmt: skip


@staff_region_pages.route("/staff/integration-keys", methods=["GET"])
def keys_page() -> Response:
    principal, away = _staff()
    if away:
        return away
    done = (staff_region_pages.current_request.query_params or {}).get("done")
    return _keys_page(principal, done=done)


def _shown_once(principal: StaffPrincipal, make) -> Response:  # noqa: ANN001 (make(fields, lists) -> ShownOnce | None)
    """Issue or rotate, and answer with the page that shows the secret this one time (no redirect:
    a page one could reload or open from history would show it again). Reloading that page sends the
    form again; the form's submission id makes that a no-op, answered with the key list."""
    request = staff_region_pages.current_request
    fields, lists = form(request), form_lists(request)
    require_csrf(principal.csrf_token, fields.get("csrf_token"))
    try:
        shown = make(fields, lists)
    except AppError as error:
        if error.status not in (400, 403, 409, 422):
            raise
        return _keys_page(principal, error=error, values=fields, chosen=lists)
    if shown is None:
        return redirect("/staff/integration-keys?done=shown_before")
    return _render(principal, "staff_integration_key_shown.html", shown=shown)


@staff_region_pages.route("/staff/integration-keys", methods=["POST"], content_types=FORM)
def issue_key() -> Response:
    principal, away = _staff()
    if away:
        return away
    context = staff_region_pages.current_request.lambda_context
    return _shown_once(principal, lambda fields, lists: integration_keys.issue(ports(), principal, fields, lists,
                                                                               clock.utc_now(), context))  # fmt: skip


@staff_region_pages.route("/staff/integration-keys/{key_id}/rotate", methods=["POST"], content_types=FORM)
def rotate_key(key_id: str) -> Response:
    principal, away = _staff()
    if away:
        return away
    context = staff_region_pages.current_request.lambda_context
    return _shown_once(principal, lambda fields, _lists: integration_keys.rotate(ports(), principal, key_id, fields,
                                                                                 clock.utc_now(), context))  # fmt: skip


@staff_region_pages.route("/staff/integration-keys/{key_id}/revoke", methods=["GET"])
def confirm_revoke_key(key_id: str) -> Response:
    """Revoking stops a care system at once and cannot be undone: a page asks first (no JavaScript)."""
    principal, away = _staff()
    if away:
        return away
    try:
        key = integration_keys.key_to_revoke(ports(), principal, key_id, clock.utc_now())
    except Conflict as error:
        return _keys_page(principal, error=error)
    return _render(principal, "staff_integration_key_revoke.html", key=key)


@staff_region_pages.route("/staff/integration-keys/{key_id}/revoke", methods=["POST"], content_types=FORM)
def revoke_key(key_id: str) -> Response:
    principal, away = _staff()
    if away:
        return away

    def run(_fields: dict[str, str]) -> str:
        integration_keys.revoke(ports(), principal, key_id, clock.utc_now())
        return "/staff/integration-keys?done=revoked"

    return form_action(staff_region_pages.current_request, principal.csrf_token, run,
                       lambda fields, error: _keys_page(principal, error=error))  # fmt: skip


# -- the access-log extract (region auditor) --------------------------------------------------------------


def _what_label(lang: str):  # noqa: ANN202
    def label(what: str) -> str:
        key = f"access_log.what.{what}"
        return translate(lang, key) if known(key) else what

    return label


@staff_region_pages.route("/staff/audit", methods=["GET"])
def audit_page() -> Response:
    principal, away = _staff()
    if away:
        return away
    audit.require_auditor(ports(), principal)
    return _render(principal, "staff_audit.html", extract=None, errors={}, error=None,
                   what=_what_label(language(staff_region_pages.current_request)))  # fmt: skip


def _audit_post(as_csv: bool) -> Response:
    principal, away = _staff()
    if away:
        return away
    request = staff_region_pages.current_request
    fields = form(request)
    require_csrf(principal.csrf_token, fields.get("csrf_token"))
    lang = language(request)
    try:
        extract = audit.extract(ports(), principal, fields, clock.utc_now(), as_csv=as_csv)
    except AppError as error:
        if error.status != 400:
            raise
        # Beside the field; the number typed is not shown back (nor put anywhere else).
        return _render(principal, "staff_audit.html", status=400, extract=None, error=error,
                       errors={error.field or "personnummer": error.message}, what=_what_label(lang))  # fmt: skip
    if not as_csv:
        return _render(principal, "staff_audit.html", extract=extract, errors={}, error=None, what=_what_label(lang))
    return Response(body=audit.to_csv(extract, _what_label(lang)), status_code=200, headers={
        "Content-Type": "text/csv; charset=utf-8", "Cache-Control": "no-store",
        "Content-Disposition": 'attachment; filename="loggutdrag.csv"'})  # fmt: skip


@staff_region_pages.route("/staff/audit", methods=["POST"], content_types=FORM)
def audit_extract() -> Response:
    return _audit_post(as_csv=False)


@staff_region_pages.route("/staff/audit/csv", methods=["POST"], content_types=FORM)
def audit_csv() -> Response:
    return _audit_post(as_csv=True)
