"""The staff tool's admin pages: a unit's case types and standard replies (local admin) and its
roles (permission admin)."""

from __future__ import annotations

import urllib.parse

from chalice import Blueprint, Response

from chalicelib.api.http import form_action, form_lists, language, render_page
from chalicelib.api.session import staff_or_landing
from chalicelib.bootstrap import ports
from chalicelib.domain import clock
from chalicelib.domain.cases import CaseType, CaseTypeStatus, QuestionKind
from chalicelib.domain.roles import StaffRole
from chalicelib.errors import AppError
from chalicelib.services import case_admin, cases, permissions
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
        assigned = set(unit.active_case_types or ())
        context.update(central=[t for t in ports().case_types.central() if t.case_type_id in assigned
                                and t.status is not CaseTypeStatus.RETIRED],
                       paused=set(unit.paused_case_types or ()),
                       replies=case_admin.replies(ports(), principal, unit.hsa_id))  # fmt: skip
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
        if fields.get("reply_id"):
            case_admin.edit_reply(ports(), principal, fields.get("unit", ""), fields)
        else:
            cases.save_standard_reply(ports(), principal, fields.get("unit", ""), fields)
        return f"/staff/case-settings?unit={fields.get('unit', '')}&done=reply"

    return _post(run, _case_settings)


@staff_admin_pages.route("/staff/case-settings/replies/status", methods=["POST"], content_types=FORM)
def reply_status() -> Response:
    def run(principal, fields, _lists):  # noqa: ANN001, ANN202
        case_admin.set_reply_status(ports(), principal, fields.get("unit", ""), fields.get("reply_id", ""),
                                    fields.get("status"))  # fmt: skip
        return f"/staff/case-settings?unit={fields.get('unit', '')}&done=reply_{fields.get('status')}"

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
    """The case types the person edits, by owner, and the form for a new one."""
    errors = getattr(error, "errors", None) or ({error.field: error.message} if error and error.field else {})
    return _render(principal, "staff_case_types.html", error, owners=cases.editable_owners(ports(), principal),
                   existing=case_admin.overview(ports(), principal), done=done, errors=errors,
                   values=values or {}, rows=_question_rows(None, values),
                   kinds=[k.value for k in QuestionKind])  # fmt: skip


def _question_rows(case_type: CaseType | None, values: dict[str, str] | None) -> list[dict[str, str]]:
    """The editor's rows: what was posted (shown again with the errors), else the questions of the
    version being edited, and a few blank rows for new questions."""
    if values and values.get("rows", "").isdigit():
        return [{f: values.get(f"q{n}-{f}", "") for f in _ROW_FIELDS} for n in range(1, min(int(values["rows"]), 50) + 1)]
    rows = [{"id": q.question_id, "label": q.label.sv, "kind": q.kind.value, "required": "yes" if q.required else "",
             "options": ", ".join(q.values), "help": q.help_text.sv, "order": str(10 * n), "label_en": q.label.en or "",
             "help_en": q.help_text.en or "",
             "options_en": ", ".join(o.en or "" for o in q.options) if any(o.en for o in q.options) else ""}
            for n, q in enumerate(case_type.questions if case_type else (), start=1)]  # fmt: skip
    start = len(rows) + 1
    return rows + [{**dict.fromkeys(_ROW_FIELDS, ""), "kind": "text", "required": "yes", "order": str(10 * n)}
                   for n in range(start, start + case_admin.BLANK_ROWS)]  # fmt: skip


_ROW_FIELDS = ("id", "label", "kind", "required", "options", "help", "order", "label_en", "help_en", "options_en")


@staff_admin_pages.route("/staff/case-types", methods=["GET"])
def case_types_page() -> Response:
    principal, away = _staff()
    params = staff_admin_pages.current_request.query_params or {}
    return away or _case_types(principal, done=params.get("done"))


def _edit_page(principal: StaffPrincipal, owner: str, case_type_id: str, error: AppError | None = None,
               values: dict[str, str] | None = None, done: str | None = None) -> Response:  # fmt: skip
    case_type = case_admin.case_type(ports(), principal, owner, case_type_id)
    errors = getattr(error, "errors", None) or ({error.field: error.message} if error and error.field else {})
    units = (case_admin.assignments(ports(), principal, case_type_id)
             if owner == cases.CENTRAL_OWNER else [])  # fmt: skip
    return _render(principal, "staff_case_type_edit.html", error, owner=owner, case_type=case_type, errors=errors,
                   values=values or {}, rows=_question_rows(case_type, values), done=done, units=units,
                   kinds=[k.value for k in QuestionKind])  # fmt: skip


@staff_admin_pages.route("/staff/case-types/edit", methods=["GET"])
def edit_case_type_page() -> Response:
    principal, away = _staff()
    params = staff_admin_pages.current_request.query_params or {}
    return away or _edit_page(principal, params.get("owner", ""), params.get("id", ""), done=params.get("done"))


@staff_admin_pages.route("/staff/case-types/preview", methods=["GET"])
def preview_case_type() -> Response:
    """The form as the citizen sees it (nothing can be sent from here)."""
    principal, away = _staff()
    if away:
        return away
    params = staff_admin_pages.current_request.query_params or {}
    case_type = case_admin.case_type(ports(), principal, params.get("owner", ""), params.get("id", ""))
    return _render(principal, "staff_case_type_preview.html", None, case_type=case_type, owner=params.get("owner", ""))


@staff_admin_pages.route("/staff/case-types", methods=["POST"], content_types=FORM)
def save_case_type() -> Response:
    principal, away = _staff()
    if away:
        return away

    def run(fields: dict[str, str]) -> str:
        saved = case_admin.save(ports(), principal, fields, clock.utc_now())
        owner = urllib.parse.quote(fields.get("owner", ""))
        return f"/staff/case-types/edit?owner={owner}&id={saved.case_type_id}&done=saved"

    def again(fields: dict[str, str], error: AppError) -> Response:
        if fields.get("case_type_id"):
            return _edit_page(principal, fields.get("owner", ""), fields["case_type_id"], error, values=fields)
        return _case_types(principal, error=error, values=fields)

    return form_action(staff_admin_pages.current_request, principal.csrf_token, run, again)


@staff_admin_pages.route("/staff/case-types/status", methods=["POST"], content_types=FORM)
def case_type_status() -> Response:
    principal, away = _staff()
    if away:
        return away

    def run(fields: dict[str, str]) -> str:
        case_admin.set_status(ports(), principal, fields.get("owner", ""), fields.get("case_type_id", ""),
                              fields.get("status"))  # fmt: skip
        return f"/staff/case-types?done={fields.get('status')}"

    return form_action(staff_admin_pages.current_request, principal.csrf_token, run,
                       lambda _fields, error: _case_types(principal, error=error))  # fmt: skip


@staff_admin_pages.route("/staff/case-types/units", methods=["POST"], content_types=FORM)
def assign_case_type() -> Response:
    principal, away = _staff()
    if away:
        return away
    request = staff_admin_pages.current_request

    def run(fields: dict[str, str]) -> str:
        case_admin.assign(ports(), principal, fields.get("case_type_id", ""), form_lists(request).get("units", []))
        return f"/staff/case-types/edit?owner=central&id={fields.get('case_type_id', '')}&done=units"

    return form_action(request, principal.csrf_token, run,
                       lambda fields, error: _edit_page(principal, cases.CENTRAL_OWNER, fields.get("case_type_id", ""),
                                                        error))  # fmt: skip
