"""The staff tool's admin pages: a unit's case types and standard replies (local admin) and its
roles (permission admin)."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.api.http import form_action, form_lists, language, render_page
from chalicelib.api.session import staff_or_landing
from chalicelib.bootstrap import ports
from chalicelib.domain import clock
from chalicelib.domain.roles import StaffRole
from chalicelib.errors import AppError
from chalicelib.services import cases, permissions
from chalicelib.services.principals import StaffPrincipal

staff_admin_pages = Blueprint(__name__)
FORM = ["application/x-www-form-urlencoded"]


def _staff() -> tuple[StaffPrincipal | None, Response | None]:
    return staff_or_landing(staff_admin_pages.current_request)


def _units(principal: StaffPrincipal, role: StaffRole) -> list:
    return ports().units.get_many([u for u in principal.units() if principal.has_role(u, role)])


def _render(principal: StaffPrincipal, template: str, error: AppError | None, **context: object) -> Response:
    return render_page(template, language(staff_admin_pages.current_request), staff=True,
                       csrf_token=principal.csrf_token, principal=principal, error=error,
                       status=error.status if error else 200, **context)  # fmt: skip


def _case_settings(principal: StaffPrincipal, unit_id: str | None, error: AppError | None = None,
                   done: str | None = None) -> Response:  # fmt: skip
    units = _units(principal, StaffRole.LOCAL_ADMIN)
    unit = next((u for u in units if u.hsa_id == unit_id), units[0] if units else None)
    context: dict[str, object] = {"units": units, "unit": unit, "done": done, "central": [], "replies": []}
    if unit is not None:
        context.update(central=ports().case_types.central(), active=set(unit.active_case_types or ()),
                       paused=set(unit.paused_case_types or ()),
                       replies=cases.standard_replies(ports(), principal, unit.hsa_id))  # fmt: skip
    return _render(principal, "staff_case_settings.html", error, **context)


@staff_admin_pages.route("/staff/case-settings", methods=["GET"])
def case_settings() -> Response:
    principal, away = _staff()
    params = staff_admin_pages.current_request.query_params or {}
    return away or _case_settings(principal, params.get("unit"), done=params.get("done"))


def _post(run, page) -> Response:  # noqa: ANN001 (run(principal, fields, lists) -> location; page(principal, unit, error))
    principal, away = _staff()
    if away:
        return away
    request = staff_admin_pages.current_request
    return form_action(request, principal.csrf_token, lambda fields: run(principal, fields, form_lists(request)),
                       lambda fields, error: page(principal, fields.get("unit"), error))


@staff_admin_pages.route("/staff/case-settings/types", methods=["POST"], content_types=FORM)
def save_case_types() -> Response:
    def run(principal, fields, lists):  # noqa: ANN001, ANN202
        cases.set_case_types(ports(), principal, fields.get("unit", ""), lists.get("active", []), lists.get("paused", []))
        return f"/staff/case-settings?unit={fields.get('unit', '')}&done=types"

    return _post(run, _case_settings)


@staff_admin_pages.route("/staff/case-settings/replies", methods=["POST"], content_types=FORM)
def save_reply() -> Response:
    def run(principal, fields, _lists):  # noqa: ANN001, ANN202
        cases.save_standard_reply(ports(), principal, fields.get("unit", ""), fields)
        return f"/staff/case-settings?unit={fields.get('unit', '')}&done=reply"

    return _post(run, _case_settings)


def _permissions(principal: StaffPrincipal, unit_id: str | None, error: AppError | None = None,
                 done: str | None = None, query: str | None = None) -> Response:  # fmt: skip
    units = permissions.manageable_units(ports(), principal)
    unit = next((u for u in units if u.hsa_id == unit_id), units[0] if units else None)
    roles = permissions.roles_at(ports(), principal, unit.hsa_id) if unit else []
    grantable = [r.value for r in permissions.grantable(ports(), principal, unit.hsa_id)] if unit else []
    found = permissions.find_staff(ports(), principal, unit.hsa_id, query) if unit and query else []
    return _render(principal, "staff_permissions.html", error, units=units, unit=unit, roles=roles, done=done,
                   grantable=grantable, query=query or "", found=found)  # fmt: skip


@staff_admin_pages.route("/staff/permissions", methods=["GET"])
def permissions_page() -> Response:
    principal, away = _staff()
    params = staff_admin_pages.current_request.query_params or {}
    return away or _permissions(principal, params.get("unit"), done=params.get("done"), query=params.get("q"))


@staff_admin_pages.route("/staff/permissions/grant", methods=["POST"], content_types=FORM)
def grant() -> Response:
    def run(principal, fields, _lists):  # noqa: ANN001, ANN202
        permissions.grant(ports(), principal, fields.get("unit", ""), fields, clock.utc_now())
        return f"/staff/permissions?unit={fields.get('unit', '')}&done=granted"

    return _post(run, _permissions)


@staff_admin_pages.route("/staff/permissions/revoke", methods=["POST"], content_types=FORM)
def revoke() -> Response:
    def run(principal, fields, _lists):  # noqa: ANN001, ANN202
        permissions.revoke(ports(), principal, fields.get("unit", ""), fields)
        return f"/staff/permissions?unit={fields.get('unit', '')}&done=revoked"

    return _post(run, _permissions)


def _case_types(principal: StaffPrincipal, _unit: str | None = None, error: AppError | None = None,
                done: str | None = None, values: dict[str, str] | None = None) -> Response:  # fmt: skip
    owners = cases.editable_owners(ports(), principal)
    existing = [(label, ports().case_types.central() if owner == cases.CENTRAL_OWNER
                 else ports().case_types.local(owner)) for owner, label in owners]  # fmt: skip
    errors = {error.field: error.message} if error and error.field else {}
    return _render(principal, "staff_case_types.html", error, owners=owners, existing=existing, done=done,
                   errors=errors, values=values or {})  # fmt: skip


@staff_admin_pages.route("/staff/case-types", methods=["GET"])
def case_types_page() -> Response:
    principal, away = _staff()
    params = staff_admin_pages.current_request.query_params or {}
    return away or _case_types(principal, done=params.get("done"))


@staff_admin_pages.route("/staff/case-types", methods=["POST"], content_types=FORM)
def save_case_type() -> Response:
    principal, away = _staff()
    if away:
        return away

    def run(fields: dict[str, str]) -> str:
        cases.save_case_type(ports(), principal, fields)
        return "/staff/case-types?done=saved"

    return form_action(staff_admin_pages.current_request, principal.csrf_token, run,
                       lambda fields, error: _case_types(principal, error=error, values=fields))
