"""The OpenAPI description of staff work under /api/v1/staff (chalicelib/api/staff_api.py), merged
into the document by chalicelib/api/openapi.py."""

from __future__ import annotations

from typing import Any

_ERROR = {"$ref": "#/components/schemas/Error"}
_TEXT = {400: "Bad input", 401: "Not logged in", 403: "Not allowed (or CSRF)", 404: "Not found (or another unit's)",
         409: "Someone else changed the case first", 422: "Not in this state"}  # fmt: skip
_CASE_ID = {"name": "case_id", "in": "path", "required": True, "schema": {"type": "string"}}
_CSRF = {"name": "X-CSRF-Token", "in": "header", "required": True, "schema": {"type": "string"},
         "description": "The csrf_token from GET /api/v1/staff/me"}  # fmt: skip
_SECURITY = [{"staffSession": []}]


def _errors(*statuses: int) -> dict[str, Any]:
    return {str(s): {"description": _TEXT[s], "content": {"application/json": {"schema": _ERROR}}} for s in statuses}


def _ok(ref: str) -> dict[str, Any]:
    return {"200": {"description": "OK", "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}}}}


def _body(schema: dict[str, Any], required: bool = True) -> dict[str, Any]:
    return {"required": required, "content": {"application/json": {"schema": schema}}}


def _command(summary: str, body: dict[str, Any] | None = None, *, statuses: tuple[int, ...] = (400, 401, 403, 404, 409,
                                                                                              422)) -> dict[str, Any]:
    operation: dict[str, Any] = {"summary": summary, "security": _SECURITY, "parameters": [_CASE_ID, _CSRF],
                                 "responses": {**_ok("StaffCaseSummary"), **_errors(*statuses)}}  # fmt: skip
    if body is not None:
        operation["requestBody"] = body
    return {"post": operation}


_OPTIONAL_TEXT = {"type": "object", "additionalProperties": False,
                  "properties": {"text": {"type": "string", "maxLength": 4000}}}  # fmt: skip


def staff_work_paths() -> dict[str, Any]:
    return {
        "/api/v1/staff/queue": {"get": {
            "summary": "One page of one view of the unit's case queue, sorted by due time then arrival (closed: "
                       "newest closed first); one Query. Paged: pass next_cursor back as cursor.",
            "security": _SECURITY,
            "parameters": [
                {"name": "unit", "in": "query", "required": True, "schema": {"type": "string"}},
                {"name": "view", "in": "query", "required": False, "schema": {
                    "type": "string", "default": "new",
                    "enum": ["new", "mine", "unassigned", "waiting", "replied", "closed"]},
                 "description": "Nya, Mina, Otilldelade, Väntar på invånaren, Invånaren har svarat, Avslutade (30 dagar)"},
                {"name": "cursor", "in": "query", "required": False, "schema": {"type": "string"},
                 "description": "Opaque; from next_cursor"},
            ],
            "responses": {**_ok("StaffQueuePage"), **_errors(400, 401, 403)},
        }},
        "/api/v1/staff/cases/{case_id}": {"get": {
            "summary": "A case with its patient header; written to the citizen's access log",
            "security": _SECURITY, "parameters": [_CASE_ID],
            "responses": {**_ok("StaffCase"), **_errors(401, 404)},
        }},
        "/api/v1/staff/cases/{case_id}/take": _command("Take an unhandled case (exactly one of several wins)"),
        "/api/v1/staff/cases/{case_id}/release": _command("Give the case back to the unit (Otilldelade)"),
        "/api/v1/staff/cases/{case_id}/reassign": _command(
            "Make a colleague with a case role at the unit the handler; with version, refused (409) if the case "
            "changed since it was read", _body({"type": "object", "required": ["to_hsa_id"],
                                                "additionalProperties": False, "properties": {
                                                    "to_hsa_id": {"type": "string"}, "version": {"type": "integer"}}})),
        "/api/v1/staff/cases/{case_id}/remind": _command(
            "Remind the citizen of an unanswered counter-question (a message in their inbox)", _body(_OPTIONAL_TEXT, False)),
        "/api/v1/staff/cases/{case_id}/close": _command(
            "Close a case waiting for the citizen; with text, the citizen gets it", _body(_OPTIONAL_TEXT, False)),
        "/api/v1/staff/cases/{case_id}/answer": _command(
            "Answer a case one handles: counter_question (Motfråga), answer (Besvara, closes), partial, referral",
            _body({"type": "object", "required": ["template", "text"], "additionalProperties": False, "properties": {
                "template": {"type": "string", "enum": ["counter_question", "answer", "partial", "referral"]},
                "text": {"type": "string", "maxLength": 4000}}})),
    }


def staff_work_schemas() -> dict[str, Any]:
    when = {"type": "string", "format": "date-time"}
    summary = {
        "type": "object",
        "properties": {
            "case_id": {"type": "string"}, "unit_hsa_id": {"type": "string"}, "case_type": {"type": "string"},
            "status": {"type": "string", "enum": ["new", "in_progress", "waiting_for_citizen", "closed"],
                       "description": "As the citizen sees it"},
            "staff_status": {"type": "string", "enum": ["new", "in_progress", "waiting_for_citizen", "citizen_replied",
                                                        "closed"], "description": "As the staff tool shows it"},
            "arrived_at": when, "due_at": when, "closed_at": {**when, "nullable": True}, "last_activity_at": when,
            "handler": {"type": "object", "nullable": True, "properties": {"hsa_id": {"type": "string"},
                                                                           "name": {"type": "string"}}},
            "version": {"type": "integer", "description": "Pass to reassign to refuse a change on a stale read"},
        },
    }  # fmt: skip
    return {
        "StaffCaseSummary": summary,
        "PatientHeader": {"type": "object", "description": "Protected identity: name and address are null/empty",
                          "properties": {
                              "name": {"type": "string", "nullable": True},
                              "personnummer": {"type": "string", "nullable": True, "description": "ÅÅÅÅMMDD-NNNN"},
                              "age": {"type": "integer", "nullable": True},
                              "protected_identity": {"type": "boolean"}, "child_under_13": {"type": "boolean"},
                              "guardians_acting": {"type": "boolean"}, "in_register": {"type": "boolean"},
                              "address": {"type": "array", "items": {"type": "string"}}}},
        "StaffQueuePage": {"type": "object", "properties": {
            "view": {"type": "string"},
            "cases": {"type": "array", "items": {"allOf": [{"$ref": "#/components/schemas/StaffCaseSummary"}, {
                "type": "object", "properties": {"patient": {"type": "object", "properties": {
                    "name": {"type": "string", "nullable": True}, "protected_identity": {"type": "boolean"},
                    "age": {"type": "integer", "nullable": True}}}}}]}},
            "next_cursor": {"type": "string", "nullable": True}}},
        "StaffCase": {"allOf": [{"$ref": "#/components/schemas/StaffCaseSummary"}, {"type": "object", "properties": {
            "patient": {"$ref": "#/components/schemas/PatientHeader"},
            "answers": {"type": "array", "items": {"type": "object", "properties": {
                "label": {"type": "string"}, "answer": {"type": "string"}}}},
            "conversation": {"type": "array", "items": {"type": "object", "properties": {
                "author": {"type": "string", "enum": ["citizen", "staff"]}, "name": {"type": "string"},
                "template": {"type": "string", "nullable": True}, "text": {"type": "string"}, "at": when}}},
            "colleagues": {"type": "array", "items": {"type": "object", "properties": {
                "hsa_id": {"type": "string"}, "name": {"type": "string"}}}}}}]},
    }  # fmt: skip
