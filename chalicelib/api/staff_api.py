"""Staff work in the JSON API under /api/v1/staff, with the staff session cookie as on the staff
pages: the queue's views, a case (with its patient header; the read is access-logged), and taking,
releasing, reassigning, reminding, closing and answering. State-changing calls carry the session's
CSRF token in X-CSRF-Token (GET /api/v1/staff/me returns it). The same services as the pages."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint, Response

from chalicelib.adapters.tables import CaseRecord
from chalicelib.api import models as m
from chalicelib.api.contract import CURSOR, HSA_ID_PATTERN, STAFF, Param, operation, read_body
from chalicelib.api.http import json_response, require_csrf
from chalicelib.api.session import require_staff
from chalicelib.bootstrap import ports
from chalicelib.domain import clock
from chalicelib.domain import queue as views
from chalicelib.domain.patient import PatientHeader
from chalicelib.errors import BadInput, NotFound
from chalicelib.services import case_work, cases
from chalicelib.services.principals import StaffPrincipal

staff_api = Blueprint(__name__)
_STAFF_STATUS = {"staff.status.new": "new", "staff.status.working": "in_progress", "staff.status.waiting":
                 "waiting_for_citizen", "staff.status.replied": "citizen_replied", "staff.status.closed": "closed"}


def _iso(moment: Any) -> str | None:
    return moment.isoformat() if moment else None


def patient_json(header: PatientHeader) -> dict[str, Any]:
    return {"name": header.name, "personnummer": header.personnummer, "age": header.age,
            "protected_identity": header.protected_identity, "child_under_13": header.child_under_13,
            "guardians_acting": header.guardians_acting, "in_register": header.in_register,
            "address": list(header.address)}  # fmt: skip


def _summary(record: CaseRecord) -> dict[str, Any]:
    return {
        "case_id": record.case_id, "unit_hsa_id": record.unit_hsa_id, "case_type": record.case_type_name,
        "status": record.status, "staff_status": _STAFF_STATUS[views.staff_status_key(record.status,
                                                                                      bool(record.citizen_replied_at))],
        "arrived_at": _iso(record.created_at), "due_at": _iso(record.due_at), "closed_at": _iso(record.closed_at),
        "last_activity_at": _iso(record.last_activity_at or record.created_at),
        "handler": {"hsa_id": record.handler_hsa_id, "name": record.handler_name} if record.handler_hsa_id else None,
        "version": record.version,
    }  # fmt: skip


@operation(staff_api, "/api/v1/staff/queue", "GET", summary="One page of one view of the unit's case queue, sorted by due time then arrival (closed: newest closed first)", security=STAFF, response=m.StaffQueuePage, query=(Param("unit", "The unit's HSA-id", required=True, schema={"type": "string", "pattern": HSA_ID_PATTERN}), Param("view", "Nya, Mina, Otilldelade, Väntar på invånaren, Invånaren har svarat, Avslutade (30 dagar)", schema={"type": "string", "default": "new", "enum": ["new", "mine", "unassigned", "waiting", "replied", "closed"]}), CURSOR))
def queue() -> Response:
    principal = require_staff(staff_api.current_request)
    params = staff_api.current_request.query_params or {}
    unit = params.get("unit")
    if not unit:
        raise BadInput("field_required", "Ange enheten (unit).", field="unit")
    page = case_work.queue_page(ports(), principal, unit, params.get("view"), params.get("cursor"), clock.utc_now())
    return json_response({
        "view": page.view.value,
        "cases": [{**_summary(row.record), "patient": {"name": row.patient, "protected_identity": row.protected,
                                                       "age": row.age}} for row in page.rows],
        "next_cursor": page.next_cursor,
    })  # fmt: skip


def _case_json(principal: StaffPrincipal, case_id: str) -> dict[str, Any]:
    shown = case_work.open_for_staff(ports(), principal, case_id, clock.utc_now())
    record = shown.record
    can_work = principal.has_role(record.unit_hsa_id, *cases.WORKERS)
    return {
        **_summary(record),
        "patient": patient_json(shown.header),
        "answers": [{"label": a.label, "answer": a.answer} for a in record.answers],
        "medicines": [{"name": x.name, "strength": x.strength, "form": x.form, "dosage": x.dosage}
                      for x in record.medicines or ()],
        "conversation": [{"author": e.author, "name": e.name, "template": e.template, "text": e.text,
                          "at": _iso(e.at)} for e in record.conversation],
        "colleagues": [{"hsa_id": h, "name": n} for h, n in case_work.colleagues(ports(), principal, record.unit_hsa_id)]
        if can_work else [],
    }  # fmt: skip


@operation(staff_api, "/api/v1/staff/cases/{case_id}", "GET", summary="A case with its patient header; written to the citizen's access log", security=STAFF, response=m.StaffCase)
def case(case_id: str) -> Response:
    return json_response(_case_json(require_staff(staff_api.current_request), case_id))


def _command(case_id: str, run, model: type[Any] | None = None, *, body_required: bool = False) -> Response:  # noqa: ANN001
    """A change to a case: CSRF, the body as its model, the service, and the case after it
    (without another access-log row: the caller has the patient header from GET)."""
    request = staff_api.current_request
    principal = require_staff(request)
    require_csrf(principal.csrf_token, request.headers.get("x-csrf-token"))
    run(principal, read_body(request, model, required=body_required) if model else None)
    record = ports().cases.get(case_id)
    if record is None:
        raise NotFound("case_not_found", "Ärendet finns inte.")
    return json_response(_summary(record))


@operation(staff_api, "/api/v1/staff/cases/{case_id}/take", "POST", summary="Take an unhandled case (exactly one of several wins)", security=STAFF, response=m.StaffCaseSummary)
def take(case_id: str) -> Response:
    return _command(case_id, lambda p, _b: cases.take(ports(), p, case_id, clock.utc_now()))


@operation(staff_api, "/api/v1/staff/cases/{case_id}/release", "POST", summary="Give the case back to the unit (Otilldelade)", security=STAFF, response=m.StaffCaseSummary)
def release(case_id: str) -> Response:
    return _command(case_id, lambda p, _b: case_work.release(ports(), p, case_id, clock.utc_now()))


@operation(staff_api, "/api/v1/staff/cases/{case_id}/reassign", "POST", summary="Make a colleague with a case role at the unit the handler; with version, refused (409) if the case changed since it was read", security=STAFF, body=m.Reassign, response=m.StaffCaseSummary)
def reassign(case_id: str) -> Response:
    def run(principal: StaffPrincipal, body: m.Reassign) -> None:
        case_work.reassign(ports(), principal, case_id, body.to_hsa_id, clock.utc_now(), body.version)

    return _command(case_id, run, m.Reassign, body_required=True)


@operation(staff_api, "/api/v1/staff/cases/{case_id}/remind", "POST", summary="Remind the citizen of an unanswered counter-question (a message in their inbox)", security=STAFF, body=m.OptionalText, body_required=False, response=m.StaffCaseSummary)
def remind(case_id: str) -> Response:
    return _command(case_id, lambda p, b: case_work.remind(ports(), p, case_id, b.text, clock.utc_now()), m.OptionalText)


@operation(staff_api, "/api/v1/staff/cases/{case_id}/close", "POST", summary="Close a case waiting for the citizen; with text, the citizen gets it", security=STAFF, body=m.OptionalText, body_required=False, response=m.StaffCaseSummary)
def close(case_id: str) -> Response:
    return _command(case_id, lambda p, b: case_work.close(ports(), p, case_id, b.text, clock.utc_now()), m.OptionalText)


@operation(staff_api, "/api/v1/staff/cases/{case_id}/answer", "POST", summary="Answer a case one handles: counter_question (Motfråga), answer (Besvara, closes), partial, referral", security=STAFF, body=m.StaffAnswer, response=m.StaffCaseSummary)
def answer(case_id: str) -> Response:
    return _command(case_id, lambda p, b: cases.answer(ports(), p, case_id, b.template, b.text, clock.utc_now()),
                    m.StaffAnswer, body_required=True)  # fmt: skip
