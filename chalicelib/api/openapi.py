"""The OpenAPI 3.1 document for /api/v1 and /integration/v1, generated from the declared operations
(api/contract.py OPERATIONS: each route's models, query, security, statuses) and the models'
schemas (msgspec). Nothing here is written by hand but prose. Built on the first request for
/api/v1/openapi.json and kept: never on the import path (`import app` builds no schema).

Every operation lists its error statuses and, for each, the stable codes it can give: those every
operation of its kind gives (not logged in, CSRF, a body that does not match, an id that cannot
exist) and those its own code and services raise (api/error_codes.py, kept current by
tests/integration/test_openapi_contract.py)."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import msgspec

from chalicelib.api.contract import (CITIZEN, HSA_ID_PATTERN, ID_PATTERN, KEY, NOT_BLANK, OPERATIONS,
                                     PERSONNUMMER_PATTERN, STAFF, Error, Operation)  # fmt: skip

_PATH_ID = {"type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9._:\\-]{0,127}$"}
_STATUS_TEXT = {200: "OK", 201: "Created", 202: "Accepted", 400: "Bad input: the code says what, `field` where",
                401: "Not logged in, or no valid key", 403: "Not allowed (or the CSRF token is missing)",
                404: "Not found (or not yours: the same answer)", 409: "Conflict: someone or something else was first",
                415: "The body must be application/json", 422: "Well-formed, but cannot be done for this person or "
                "in this state", 429: "Too many: Retry-After says in how many seconds to try again",
                503: "A service we depend on failed and nothing was done: try again later (Retry-After)"}  # fmt: skip
# What any JSON body can get (api/http.py json_body, api/contract.py), and what a model's schema adds.
_BODY_CODES = ("body_too_large", "malformed_json", "json_too_deep", "invalid_unicode", "control_character",
               "body_not_object", "field_invalid", "unknown_field")  # fmt: skip
_PATTERN_CODES = {PERSONNUMMER_PATTERN: "personnummer_invalid", HSA_ID_PATTERN: "hsa_id_invalid",
                  ID_PATTERN: "id_invalid", NOT_BLANK: "field_empty"}  # fmt: skip


def _schema_codes(schema: Any, components: dict[str, Any], seen: set[str]) -> set[str]:
    """The validation codes (api/contract.py _translate) a body of this schema can get."""
    found: set[str] = set()
    if isinstance(schema, list):
        for item in schema:
            found |= _schema_codes(item, components, seen)
    if not isinstance(schema, dict):
        return found
    if (ref := schema.get("$ref")) and ref not in seen:
        seen.add(ref)
        found |= _schema_codes(components[ref.rsplit("/", 1)[1]], components, seen)
    checks = {"required": "field_required", "minLength": "field_too_short", "maxLength": "field_too_long",
              "maxItems": "too_many_items", "minItems": "too_few_items", "enum": "value_not_allowed",
              "minimum": "value_out_of_range", "maximum": "value_out_of_range"}  # fmt: skip
    found |= {code for keyword, code in checks.items() if schema.get(keyword)}
    if schema.get("minLength") == 1:
        found.add("field_empty")
    if "pattern" in schema:
        found.add(_PATTERN_CODES.get(schema["pattern"], "field_invalid"))
    for value in schema.values():
        if isinstance(value, (dict, list)):
            found |= _schema_codes(value, components, seen)
    return found
_KEY_SCOPE_CODES = ("scope_not_allowed", "unit_not_allowed", "region_wide_key_required")


def _codes(op: Operation, body_codes: set[str]) -> dict[int, set[str]]:
    from chalicelib.api.error_codes import ERROR_CODES

    codes: dict[int, set[str]] = {}

    def add(status: int, *names: str) -> None:
        codes.setdefault(status, set()).update(names)

    if op.security in (CITIZEN, STAFF):
        add(401, "not_logged_in")
    if op.security == KEY:
        add(401, "invalid_credentials")
    if op.csrf:
        add(403, "csrf_failed")
    if op.idempotency:
        add(400, "idempotency_key_required")
        add(409, "idempotency_key_reused", "request_in_progress")
    if op.body is not None:
        add(400, *_BODY_CODES, *body_codes, *(("body_required",) if op.body_required else ()))
        add(415, "unsupported_media_type")
    if "{" in op.path:
        add(404, "not_found")
    if any(p.name == "cursor" for p in op.query):
        add(400, "cursor_invalid")
    for status, names in ERROR_CODES.get(f"{op.method} {op.path}", {}).items():
        add(int(status), *names)
    for status, names in op.errors.items():
        add(status, *names)
    return codes


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _operation(op: Operation, schema_of: dict[Any, dict[str, Any]], components: dict[str, Any]) -> dict[str, Any]:
    parameters: list[dict[str, Any]] = [
        {"name": name, "in": "path", "required": True, "schema": _PATH_ID} for name in re.findall(r"\{(\w+)\}", op.path)
    ]
    for param in op.query:
        parameters.append({"name": param.name, "in": "query", "required": param.required,
                           "schema": param.schema or {"type": "string"},
                           **({"description": param.description} if param.description else {})})  # fmt: skip
    if op.csrf:
        me = "/api/v1/staff/me" if op.security == STAFF else "/api/v1/me"
        parameters.append({"name": "X-CSRF-Token", "in": "header", "required": True,
                           "schema": {"type": "string", "minLength": 1}, "description": f"The csrf_token from GET {me}"})
    if op.idempotency:
        parameters.append({"name": "Idempotency-Key", "in": "header", "required": True,
                           "schema": {"type": "string", "pattern": "^[A-Za-z0-9._:\\-]{8,128}$"},
                           "description": "The same key again returns the first answer and changes nothing."})
    ok: dict[str, Any] = {"description": _STATUS_TEXT.get(op.status, "OK")}
    if op.response is not None:
        ok["content"] = {"application/json": {"schema": schema_of[op.response]}}
    responses: dict[str, Any] = {str(op.status): ok}
    body_codes = _schema_codes(schema_of[op.body], components, set()) if op.body is not None else set()
    for status, names in sorted(_codes(op, body_codes).items()):
        listed = sorted(names)
        response: dict[str, Any] = {
            "description": f"{_STATUS_TEXT.get(status, 'Error')}. Codes: {', '.join(listed)}",
            "content": {"application/json": {"schema": {"allOf": [_ref("Error"), {
                "type": "object", "properties": {"code": {"enum": listed}}}]}}},
        }  # fmt: skip
        if status in (429, 503):
            response["headers"] = {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds"}}
        responses[str(status)] = response
    document: dict[str, Any] = {
        "operationId": op.handler.replace("chalicelib.api.", "").replace(":", "."),
        "summary": op.summary,
        "security": [{op.security: []}] if op.security else [],
        "responses": responses,
    }
    if op.description:
        document["description"] = op.description
    if parameters:
        document["parameters"] = parameters
    if op.body is not None:
        document["requestBody"] = {"required": op.body_required,
                                   "content": {"application/json": {"schema": schema_of[op.body]}}}  # fmt: skip
    return document


def load_operations() -> list[Operation]:
    """Every area's operations: an area's module is otherwise imported by its first request (api/areas.py)."""
    import importlib

    from chalicelib.api.areas import AREAS

    for module, _ in AREAS:
        importlib.import_module(module)
    return sorted(OPERATIONS.values(), key=lambda op: (op.path, op.method))


@cache
def openapi_document() -> dict[str, Any]:
    operations = load_operations()
    types = [Error, *{t for op in operations for t in (op.body, op.response) if t is not None}]
    schemas, components = msgspec.json.schema_components(types, ref_template="#/components/schemas/{name}")
    schema_of = dict(zip(types, schemas, strict=True))
    paths: dict[str, dict[str, Any]] = {}
    for op in operations:
        paths.setdefault(op.path, {})[op.method.lower()] = _operation(op, schema_of, components)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "E-tjänster / E-services",
            "version": "1",
            "description": "Citizen and staff JSON API (session cookie, X-CSRF-Token on changes) and the integration "
            "API for care systems (bearer key). Every error is JSON {code, message, field?, errors?}: a stable code "
            "(listed per operation and status), a message in the request's language (the lang cookie, else "
            "Accept-Language: sv or en), the field it is about.",
        },
        "paths": paths,
        "components": {
            "securitySchemes": {
                CITIZEN: {"type": "apiKey", "in": "cookie", "name": "sid"},
                STAFF: {"type": "apiKey", "in": "cookie", "name": "staff_sid"},
                KEY: {"type": "http", "scheme": "bearer", "bearerFormat": "<key_id>.<secret>"},
            },
            "schemas": components,
        },
    }
