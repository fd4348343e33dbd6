"""The authorisation matrix (issue 16): every route of the app (Chalice's `app.routes`) × every kind
of caller, each cell with the outcome it must have. A route without a row fails
`test_every_route_has_a_row`, so a new route cannot ship without saying who may call it.

ADDING A ROUTE: add one line to ROWS below: `"METHOD /path": row(RULE, ...)`. RULE is who may
call it (see the rules under "Who may call"); `params` names the resources its path needs (one of
RESOURCES, created fresh for the row and owned by citizen A / unit A), `body` what it sends
(FORM, JSON or NONE; a minimal body is enough, since a 400 for a missing field still shows
that authorisation let the caller through), `query` a query string. Then run this file.

Outcomes: OK (the caller got past authorisation: any status below 500 except those below),
LOGIN (401, or a redirect to the citizen or staff landing page), REFUSED (403 or 404: not yours,
not your unit, not your scope). Any 5xx fails every cell.
"""

from __future__ import annotations

import itertools
import json
import re
import urllib.parse
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, Callable

import pytest

from chalicelib.domain.clock import STOCKHOLM

VC, HS, KA = "SE2321000099-VC01", "SE2321000099-HS01", "SE2321000099-KA01"
OK, LOGIN, REFUSED, OWN_UNIT = "ok", "login", "refused", "own unit"
UNIT_A_NAME = "Vårdcentralen Norrby"
# A refusal that answers as "no such thing" with another status (no oracle for other units' ids).
REFUSAL_CODES = {"order_unknown"}

# -- the callers (columns) -------------------------------------------------------------------------
ANON = "anonymous"
CIT_A = "citizen A"  # Anna, who owns every citizen resource in the matrix
CIT_B = "citizen B"  # Ali, another adult
GUARDIAN = "guardian, child under 13"  # Karin acting for Elsa (9)
GUARDIAN_13 = "guardian tried 13-year-old"  # Karin, refused acting for Olle (14): herself
GUARDIAN_PROT = "guardian tried protected child"  # Karin, refused acting for Sigge (6, protected): herself
STAFF_A = "staff unit A"  # Johan, every role at Vårdcentralen Norrby (unit A)
STAFF_B = "staff unit B"  # Lisa, every role at Hud- och STI-mottagningen (unit B)
STAFF_NO_ROLE = "staff, no role"  # Nils: his login is refused, so he calls with no session
REGIONAL = "regional admin"  # Rut
AUDITOR = "auditor"  # Alva, the region's log auditor (region_auditor): the access-log extract, nothing else
KEY_A = "key unit A"  # every scope, unit A only
KEY_B = "key unit B"  # every scope, unit B only
KEY_NO_SCOPE = "key without scope"  # unit A, no scope

CITIZENS = (CIT_A, CIT_B, GUARDIAN, GUARDIAN_13, GUARDIAN_PROT)
STAFF = (STAFF_A, STAFF_B, REGIONAL, AUDITOR)
KEYS = (KEY_A, KEY_B, KEY_NO_SCOPE)
CALLERS = (ANON, *CITIZENS, STAFF_A, STAFF_B, STAFF_NO_ROLE, REGIONAL, AUDITOR, *KEYS)


def _cells(ok: tuple[str, ...] = (), refused: tuple[str, ...] = (), **others: str) -> dict[str, str]:
    """Every caller LOGIN, except those named OK or REFUSED (or by name in `others`)."""
    cells = {who: LOGIN for who in CALLERS}
    cells.update({who: OK for who in ok})
    cells.update({who: REFUSED for who in refused})
    cells.update({_CALLER_NAMES[k]: v for k, v in others.items()})
    return cells


_CALLER_NAMES = {"anon": ANON, "cit_a": CIT_A, "cit_b": CIT_B, "guardian": GUARDIAN, "guardian_13": GUARDIAN_13,
                 "guardian_prot": GUARDIAN_PROT, "staff_a": STAFF_A, "staff_b": STAFF_B,
                 "staff_no_role": STAFF_NO_ROLE, "regional": REGIONAL, "auditor": AUDITOR, "key_a": KEY_A, "key_b": KEY_B,
                 "key_no_scope": KEY_NO_SCOPE}  # fmt: skip

# -- who may call (rules) ---------------------------------------------------------------------------
PUBLIC = _cells(ok=CALLERS)
CITIZEN = _cells(ok=CITIZENS)  # any logged-in citizen, for their own (or their child's) data
CITIZEN_A_ONLY = _cells(ok=(CIT_A,), refused=(CIT_B, GUARDIAN, GUARDIAN_13, GUARDIAN_PROT))  # A's resource
ACT_FOR = _cells(ok=(GUARDIAN,), refused=(CIT_A, CIT_B, GUARDIAN_13, GUARDIAN_PROT))  # act for the child named
STAFF_ANY = _cells(ok=STAFF)  # any staff member with a role
STAFF_UNIT_A = _cells(ok=(STAFF_A,), refused=(STAFF_B, REGIONAL, AUDITOR))  # unit A's data, by unit A's staff
STAFF_UNIT_A_OR_REGION = _cells(ok=(STAFF_A, REGIONAL), refused=(STAFF_B, AUDITOR))
# A staff page that names unit A shows the caller's own unit instead when they have no role at unit A:
# OWN_UNIT is a 200 without unit A's name on the page.
STAFF_OWN_UNIT = _cells(ok=(STAFF_A,), staff_b=OWN_UNIT, regional=OWN_UNIT, auditor=OWN_UNIT)
REGION_ADMIN_ONLY = _cells(ok=(REGIONAL,), refused=(STAFF_A, STAFF_B, AUDITOR))  # keys, central case types
AUDITOR_ONLY = _cells(ok=(AUDITOR,), refused=(STAFF_A, STAFF_B, REGIONAL))  # the access-log extract
KEY_UNIT_A = _cells(ok=(KEY_A,), refused=(KEY_B, KEY_NO_SCOPE))  # unit A's data, by unit A's key with the scope
KEY_ANY_UNIT = _cells(ok=(KEY_A, KEY_B), refused=(KEY_NO_SCOPE,))  # each key for its own units, with the scope
REGISTER_FEED = _cells(refused=KEYS)  # the region's register feed only: no unit key
JOURNAL_ADMINS = _cells(ok=(STAFF_A, STAFF_B), refused=(REGIONAL, AUDITOR))  # the journal admin role, at any unit
REGION_KEY_ONLY = _cells(refused=KEYS)  # the region's own system (the listing system): no unit key
CITIZEN_OWN_JOURNAL = _cells(ok=(CIT_A, CIT_B, GUARDIAN_13, GUARDIAN_PROT), refused=(GUARDIAN,))  # not acting for a child


MATRIX_FORM = {
    "resourceType": "Questionnaire", "status": "active", "title": "Matrisformulär",
    "item": [{"linkId": "mar", "type": "choice", "text": "Hur mår du?", "required": True,
              "answerOption": [{"valueCoding": {"code": "bra", "display": "Bra"}},
                               {"valueCoding": {"code": "daligt", "display": "Dåligt"}}]},
             {"linkId": "ovrigt", "type": "text", "text": "Övrigt"}],
}  # fmt: skip


# -- resources a row's path needs, created fresh for each row (owned by citizen A, at unit A) -------
@dataclass(frozen=True)
class Row:
    rule: dict[str, str]
    params: tuple[str, ...] = ()  # resource kinds, see RESOURCES
    body: str = "none"  # "none", "form" (with the caller's CSRF token), "json" (with X-CSRF-Token)
    fields: Callable[[Any, str], dict[str, Any]] | dict[str, Any] = field(default_factory=dict)
    query: str = ""  # may name params: "slot={slot_id}"
    note: str = ""
    ok_if: Callable[[Any, str], bool] | None = None  # for a row whose success looks like a login redirect


def row(rule: dict[str, str], *params: str, body: str = "none", fields: Any = None, query: str = "",
        note: str = "", ok_if: Any = None) -> Row:  # fmt: skip
    return Row(rule, params, body, fields or {}, query, note, ok_if)


FORM, JSON_BODY = "form", "json"
UNIT_A = f"unit={VC}"


def _child(world: Any, who: str, params: dict[str, str]) -> dict[str, str]:
    """The child each caller tries to act for: Elsa (9) for the guardian; Olle (14) and Sigge
    (protected) for the other two columns; Elsa for everyone else (who is not her guardian)."""
    child = {GUARDIAN_13: "olle", GUARDIAN_PROT: "sigge"}.get(who, "elsa")
    return {"child_id": world.citizen_ids[child], "person": world.citizen_ids[child]}


def _appointment_body(world: Any, who: str, params: dict[str, str] | None = None) -> dict[str, Any]:
    start = world.next_time()
    return {"unit_hsa_id": VC, "personnummer": world.region.people["anna"].personnummer,
            "visit_type_id": "sjukskoterska", "start": start.isoformat(),
            "end": (start + timedelta(minutes=30)).isoformat()}  # fmt: skip


def _message_body(world: Any, who: str, params: dict[str, str] | None = None) -> dict[str, Any]:
    return {"sender_unit_hsa_id": VC, "personnummer": world.region.people["anna"].personnummer,
            "topic": "Matris", "subject": "Hej", "body": "Ett meddelande."}  # fmt: skip


def _slots_body(world: Any, who: str, params: dict[str, str]) -> dict[str, Any]:
    day = world.booking_day().isoformat()
    return {"from": day, "to": day, "slots": []}


ROWS: dict[str, Row] = {
    # citizen pages and the site
    "GET /": row(PUBLIC, note="the landing page when not logged in"),
    "GET /.well-known/jwks.json": row(PUBLIC),
    "GET /static/app.css": row(PUBLIC),
    "GET /favicon.svg": row(PUBLIC),
    "GET /favicon.ico": row(PUBLIC, note="301 to /favicon.svg"),
    "GET /static/logout.js": row(PUBLIC),
    "GET /language": row(PUBLIC, query="lang=en&next=/inbox"),
    "GET /login": row(PUBLIC),
    "GET /auth/callback": row(PUBLIC, note="400: no login under way"),
    "GET /logged-out": row(PUBLIC),
    "POST /logout": row(PUBLIC, body=FORM, note="with no session: nothing to end"),
    "GET /access-log": row(CITIZEN),
    "POST /act-for": row(ACT_FOR, body=FORM, fields=_child, ok_if=lambda w, who: w.acting_for(who) == "elsa",
                         note="success goes to the start page, as a refusal would: the session says which"),
    "GET /inbox": row(CITIZEN),
    "GET /inbox/{message_id}": row(CITIZEN_A_ONLY, "message"),
    "GET /inbox/{message_id}/attachments/{attachment_id}": row(CITIZEN_A_ONLY, "message_with_attachment"),
    "POST /inbox/{message_id}/delete": row(CITIZEN_A_ONLY, "message", body=FORM),
    "GET /inbox/{message_id}/delete": row(CITIZEN_A_ONLY, "message"),
    "GET /settings": row(CITIZEN),
    "POST /settings": row(CITIZEN, body=FORM, fields={"language": "sv"}),
    "POST /settings/contact": row(CITIZEN, body=FORM, fields={"channel": "email", "address": "x"}),
    "POST /settings/contact/remove": row(CITIZEN, body=FORM, fields={"channel": "email"}),
    "POST /settings/contact/verify": row(CITIZEN, body=FORM, fields={"channel": "email", "code": "1"}),
    "GET /book": row(CITIZEN),
    "POST /book": row(CITIZEN, "free_slot", body=FORM, fields=lambda w, who, p: {"slot": p["slot_id"]}),
    "GET /book/confirm": row(CITIZEN, "free_slot", query="slot={slot_id}"),
    "GET /bookings": row(CITIZEN),
    "GET /bookings/{booking_id}": row(CITIZEN_A_ONLY, "booking"),
    "POST /bookings/{booking_id}/cancel": row(CITIZEN_A_ONLY, "booking", body=FORM),
    "GET /bookings/{booking_id}/cancel": row(CITIZEN_A_ONLY, "booking"),
    "GET /bookings/{booking_id}/rebook": row(CITIZEN_A_ONLY, "booking"),
    "POST /bookings/{booking_id}/earlier": row(CITIZEN_A_ONLY, "booking", body=FORM, fields={"wanted": "yes"}),
    "GET /earlier-times/{offer_id}": row(CITIZEN_A_ONLY, "earlier_offer"),
    "POST /earlier-times/{offer_id}/accept": row(CITIZEN_A_ONLY, "earlier_offer", body=FORM),
    "POST /earlier-times/{offer_id}/decline": row(CITIZEN_A_ONLY, "earlier_offer", body=FORM),
    "POST /bookings/{booking_id}/rebook": row(CITIZEN_A_ONLY, "booking", "free_slot", body=FORM,
                                              fields=lambda w, who, p: {"slot": p["slot_id"]}),
    "GET /cases": row(CITIZEN),
    "GET /cases/{case_id}": row(CITIZEN_A_ONLY, "case"),
    "POST /cases/{case_id}/reply": row(CITIZEN_A_ONLY, "case", body=FORM),
    "GET /contact": row(CITIZEN),
    "GET /contact/{unit_hsa_id}": row(CITIZEN, "unit"),
    "GET /contact/{unit_hsa_id}/{case_type_id}": row(CITIZEN, "unit", "case_type"),
    "POST /contact/{unit_hsa_id}/{case_type_id}": row(CITIZEN, "unit", "case_type", body=FORM),
    "GET /self-tests": row(CITIZEN),
    "GET /self-tests/{test_id}": row(CITIZEN, "test"),
    "POST /self-tests/{test_id}": row(CITIZEN, "test", body=FORM),
    "POST /self-test-kits": row(CITIZEN, body=FORM),
    "POST /self-tests/orders/{order_id}/sample": row(CITIZEN_A_ONLY, "kit_order", body=FORM),
    "GET /forms": row(CITIZEN),
    "GET /journal": row(CITIZEN),
    "GET /journal/log": row(CITIZEN),
    "GET /journal/seal": row(CITIZEN_OWN_JOURNAL),
    "POST /journal/seal": row(CITIZEN_OWN_JOURNAL, body=FORM, note="seals the caller's own journal"),
    "POST /journal/unseal": row(CITIZEN_OWN_JOURNAL, body=FORM, note="lifts the seal the row above put"),
    "GET /medicines": row(CITIZEN),
    "POST /medicines/renew": row(CITIZEN, body=FORM, fields={"unit": VC}),
    "GET /certificates": row(CITIZEN),
    "GET /certificates/{source}/{certificate_id}": row(CITIZEN_A_ONLY, "certificate"),
    "POST /certificates/{source}/{certificate_id}/pdf": row(CITIZEN_A_ONLY, "certificate", body=FORM),
    "POST /certificates/{source}/{certificate_id}/hide": row(CITIZEN_A_ONLY, "certificate", body=FORM),
    "POST /certificates/{source}/{certificate_id}/show": row(CITIZEN, "certificate", body=FORM,
                                                            note="showing what one did not hide changes nothing"),
    "POST /certificates/{source}/{certificate_id}/send": row(CITIZEN_A_ONLY, "certificate", body=FORM,
                                                            fields={"receiver": "fk"}),
    "GET /consumables": row(CITIZEN),
    "POST /consumables/order": row(CITIZEN, body=FORM, fields={"item": "matris/DeviceRequest/none"},
                                   note="400: no such item prescribed, past authorisation"),
    "POST /consumables/orders/{order_id}/cancel": row(CITIZEN_A_ONLY, "consumable_order", body=FORM),
    "GET /listing": row(CITIZEN),
    "POST /listing": row(CITIZEN, body=FORM, fields={"unit": "SE2321000099-XX99"},
                         note="400: not a vårdcentral of the region, past authorisation"),
    "POST /staff/form-requests/{request_id}/withdraw": row(STAFF_UNIT_A, "form_request", body=FORM),
    "GET /contact/{unit_hsa_id}/forms/{form_id}": row(CITIZEN, "offered_form"),
    "POST /contact/{unit_hsa_id}/forms/{form_id}": row(CITIZEN, "offered_form", body=FORM),
    "GET /forms/{request_id}": row(CITIZEN_A_ONLY, "form_request"),
    "POST /forms/{request_id}": row(CITIZEN_A_ONLY, "form_request", body=FORM, fields={"page": "1", "step": "save"}),
    # the citizen JSON API
    "GET /api/v1/openapi.json": row(PUBLIC),
    "GET /api/v1/me": row(CITIZEN),
    "PUT /api/v1/acting-for": row(ACT_FOR, body=JSON_BODY, fields=lambda w, who, p: {
        "child_id": _child(w, who, p)["child_id"]}),
    "DELETE /api/v1/acting-for": row(CITIZEN, body=JSON_BODY),
    "GET /api/v1/access-log": row(CITIZEN),
    "GET /api/v1/inbox": row(CITIZEN),
    "GET /api/v1/inbox/messages/{message_id}": row(CITIZEN_A_ONLY, "message"),
    "DELETE /api/v1/inbox/messages/{message_id}": row(CITIZEN_A_ONLY, "message", body=JSON_BODY),
    "GET /api/v1/inbox/messages/{message_id}/attachments/{attachment_id}":
        row(CITIZEN_A_ONLY, "message_with_attachment"),
    "GET /api/v1/settings": row(CITIZEN),
    "PUT /api/v1/settings": row(CITIZEN, body=JSON_BODY, fields={"digital_first": False, "language": "sv"}),
    "POST /api/v1/settings/contact": row(CITIZEN, body=JSON_BODY, fields={"channel": "email", "address": "x"}),
    "POST /api/v1/settings/contact/verify": row(CITIZEN, body=JSON_BODY, fields={"channel": "email", "code": "1"}),
    "DELETE /api/v1/settings/contact/{channel}": row(CITIZEN, "channel", body=JSON_BODY),
    "GET /api/v1/booking-units": row(CITIZEN),
    "GET /api/v1/booking-units/{unit_hsa_id}/visit-types/{visit_type_id}/slots": row(CITIZEN, "unit", "visit_type"),
    "GET /api/v1/bookings": row(CITIZEN),
    "POST /api/v1/bookings": row(CITIZEN, "free_slot", body=JSON_BODY,
                                 fields=lambda w, who, p: {"slot_id": p["slot_id"]}),
    "GET /api/v1/bookings/{booking_id}": row(CITIZEN_A_ONLY, "booking"),
    "POST /api/v1/bookings/{booking_id}/cancel": row(CITIZEN_A_ONLY, "booking", body=JSON_BODY),
    "PUT /api/v1/bookings/{booking_id}/earlier-time": row(CITIZEN_A_ONLY, "booking", body=JSON_BODY,
                                                          fields={"wanted": True}),
    "POST /api/v1/bookings/{booking_id}/rebook": row(CITIZEN_A_ONLY, "booking", "free_slot", body=JSON_BODY,
                                                     fields=lambda w, who, p: {"slot_id": p["slot_id"]}),
    "GET /api/v1/start": row(CITIZEN),
    "GET /api/v1/case-units": row(CITIZEN),
    "GET /api/v1/case-units/{unit_hsa_id}/case-types": row(CITIZEN, "unit"),
    "POST /api/v1/case-units/{unit_hsa_id}/case-types/{case_type_id}/cases": row(
        CITIZEN, "unit", "case_type", body=JSON_BODY, fields=lambda w, who, p: {
            "submission_id": f"matrix-{w.idempotency_key()}", "accept_terms": True, "answers": {"fraga": "Hej"}}),
    "GET /api/v1/cases": row(CITIZEN),
    "GET /api/v1/cases/{case_id}": row(CITIZEN_A_ONLY, "case"),
    "POST /api/v1/cases/{case_id}/reply": row(CITIZEN_A_ONLY, "case", body=JSON_BODY, fields={"text": "Svar."}),
    "GET /api/v1/forms": row(CITIZEN),
    "GET /api/v1/journal": row(CITIZEN),
    "GET /api/v1/journal/care-log": row(CITIZEN),
    "GET /api/v1/medicines": row(CITIZEN),
    "GET /api/v1/certificates": row(CITIZEN),
    "POST /api/v1/certificates/{source}/{certificate_id}/send": row(CITIZEN_A_ONLY, "certificate", body=JSON_BODY,
                                                                   fields={"receiver_id": "fk", "send_id":
                                                                           "6f1c2b9e-4d3a-4b8e-9c71-2a5d0e8f7b10"}),
    "POST /api/v1/medicines/renewals": row(CITIZEN, body=JSON_BODY, fields=lambda w, who, p: {
        "submission_id": f"matrix-{w.idempotency_key()}", "unit_hsa_id": VC, "accept_terms": False}),
    "GET /api/v1/consumables": row(CITIZEN),
    "POST /api/v1/consumables/orders": row(CITIZEN, body=JSON_BODY, fields=lambda w, who, p: {
        "submission_id": f"matrix-{w.idempotency_key()}", "item": "matris/DeviceRequest/none", "delivery": "pickup"}),
    "GET /api/v1/listing": row(CITIZEN),
    "POST /api/v1/listing/requests": row(CITIZEN, body=JSON_BODY, fields=lambda w, who, p: {
        "submission_id": f"matrix-{w.idempotency_key()}", "unit_hsa_id": "SE2321000099-XX99"}),
    "GET /api/v1/forms/{request_id}": row(CITIZEN_A_ONLY, "form_request"),
    "POST /api/v1/forms/{request_id}/answers": row(CITIZEN_A_ONLY, "form_request", body=JSON_BODY, fields={
        "page": 1, "step": "save", "answers": {"mar": ["bra"]}}),
    "GET /api/v1/self-tests": row(CITIZEN),
    "GET /api/v1/self-tests/orders": row(CITIZEN),
    "POST /api/v1/self-tests/orders/{order_id}/sample": row(CITIZEN_A_ONLY, "kit_order", body=JSON_BODY),
    "GET /api/v1/invitations": row(CITIZEN),
    "GET /api/v1/invitations/{invitation_id}": row(CITIZEN_A_ONLY, "invitation"),
    "POST /api/v1/self-tests/{test_id}/orders": row(CITIZEN, "test", body=JSON_BODY, fields=lambda w, who, p: {
        "submission_id": f"matrix-{w.idempotency_key()}", "delivery": "pickup", "pickup_point": "Ingenstans"}),
    "POST /api/v1/self-test-kits": row(CITIZEN, body=JSON_BODY, fields={"kit_number": "KIT-0000"}),
    "GET /api/v1/staff/me": row(STAFF_ANY),
    # the staff tool: each call names unit A
    "GET /staff": row(PUBLIC, note="the staff landing page when not logged in"),
    "GET /staff/login": row(PUBLIC),
    "GET /staff/auth/callback": row(PUBLIC, note="400: no login under way"),
    "GET /staff/logged-out": row(PUBLIC),
    "POST /staff/logout": row(PUBLIC, body=FORM),
    "GET /staff/settings": row(STAFF_ANY),
    "POST /staff/settings": row(STAFF_ANY, body=FORM),
    "GET /staff/messages": row(STAFF_UNIT_A, query=UNIT_A),
    "GET /staff/messages/{message_id}": row(STAFF_UNIT_A, "message"),
    "GET /staff/new-message": row(STAFF_OWN_UNIT, query=UNIT_A),
    "POST /staff/new-message": row(STAFF_UNIT_A, body=FORM, fields={"unit": VC}),
    "GET /staff/cases": row(STAFF_UNIT_A, query=UNIT_A),
    "GET /staff/cases/{case_id}": row(STAFF_UNIT_A, "case"),
    "POST /staff/cases/{case_id}/take": row(STAFF_UNIT_A, "case", body=FORM),
    "POST /staff/cases/{case_id}/answer": row(STAFF_UNIT_A, "case", body=FORM),
    "POST /staff/cases/{case_id}/release": row(STAFF_UNIT_A, "case", body=FORM),
    "POST /staff/cases/{case_id}/reassign": row(STAFF_UNIT_A, "case", body=FORM),
    "POST /staff/cases/{case_id}/remind": row(STAFF_UNIT_A, "case", body=FORM),
    "POST /staff/cases/{case_id}/close": row(STAFF_UNIT_A, "case", body=FORM),
    "GET /api/v1/staff/queue": row(STAFF_UNIT_A, query=UNIT_A),
    "GET /api/v1/staff/cases/{case_id}": row(STAFF_UNIT_A, "case"),
    "POST /api/v1/staff/cases/{case_id}/take": row(STAFF_UNIT_A, "case", body=JSON_BODY),
    "POST /api/v1/staff/cases/{case_id}/release": row(STAFF_UNIT_A, "case", body=JSON_BODY),
    # bodies that match their models: a wrong body is refused before the service looks at the case
    "POST /api/v1/staff/cases/{case_id}/reassign": row(STAFF_UNIT_A, "case", body=JSON_BODY,
                                                        fields={"to_hsa_id": "SE2321000099-P002"}),
    "POST /api/v1/staff/cases/{case_id}/remind": row(STAFF_UNIT_A, "case", body=JSON_BODY),
    "POST /api/v1/staff/cases/{case_id}/close": row(STAFF_UNIT_A, "case", body=JSON_BODY),
    "POST /api/v1/staff/cases/{case_id}/answer": row(STAFF_UNIT_A, "case", body=JSON_BODY,
                                                      fields={"template": "counter_question", "text": "Vilken dos?"}),
    "GET /staff/patients": row(STAFF_OWN_UNIT, query=UNIT_A),
    "POST /staff/patients": row(STAFF_UNIT_A, body=FORM, fields={"unit": VC}),
    "GET /staff/visits/{booking_id}": row(STAFF_UNIT_A, "booking"),
    "GET /staff/results/{order_id}": row(_cells(refused=(STAFF_A, STAFF_B, REGIONAL, AUDITOR)), "kit_order",
                                         note="an order without a result has no result page, for anyone"),
    "GET /staff/citizen-case": row(STAFF_OWN_UNIT, query=UNIT_A),
    "POST /staff/citizen-case": row(STAFF_UNIT_A, body=FORM, fields={"unit": VC}),
    "GET /staff/case-settings": row(STAFF_OWN_UNIT, query=UNIT_A),
    "POST /staff/case-settings/types": row(STAFF_UNIT_A, body=FORM, fields={"unit": VC, "active": "skicka-meddelande"},
                                          note="keeps the case type the matrix's cases use"),
    "POST /staff/case-settings/replies": row(STAFF_UNIT_A, body=FORM, fields={"unit": VC}),
    "GET /staff/case-types": row(STAFF_ANY, note="each sees the owners they may edit: the region, or their unit"),
    "POST /staff/case-types": row(STAFF_UNIT_A, body=FORM, fields={"owner": VC}),
    "POST /staff/case-settings/replies/status": row(STAFF_UNIT_A, "reply", body=FORM, fields=lambda w, who, p: {
        "unit": VC, "reply_id": p["reply_id"], "status": "paused"}),
    "GET /staff/case-types/edit": row(REGION_ADMIN_ONLY, "central_case_type", query="owner=central&id={case_type_id}"),
    "GET /staff/case-types/preview": row(REGION_ADMIN_ONLY, "central_case_type",
                                         query="owner=central&id={case_type_id}"),
    "POST /staff/case-types/status": row(REGION_ADMIN_ONLY, "central_case_type", body=FORM, fields=lambda w, who, p: {
        "owner": "central", "case_type_id": p["case_type_id"], "status": "retired"}),
    "POST /staff/case-types/units": row(REGION_ADMIN_ONLY, "central_case_type", body=FORM,
                                        fields=lambda w, who, p: {"case_type_id": p["case_type_id"]}),
    "GET /staff/integration-keys": row(REGION_ADMIN_ONLY),
    "POST /staff/integration-keys": row(REGION_ADMIN_ONLY, body=FORM, note="400 without a name: past authorisation"),
    "POST /staff/integration-keys/{key_id}/rotate": row(REGION_ADMIN_ONLY, "key", body=FORM),
    "GET /staff/integration-keys/{key_id}/revoke": row(REGION_ADMIN_ONLY, "key"),
    "POST /staff/integration-keys/{key_id}/revoke": row(REGION_ADMIN_ONLY, "key", body=FORM),
    "GET /staff/protections": row(JOURNAL_ADMINS),
    "POST /staff/protections": row(JOURNAL_ADMINS, body=FORM, note="400 without a personnummer: past authorisation"),
    "GET /staff/persons/{citizen_id}/protections": row(JOURNAL_ADMINS, "person"),
    "POST /staff/persons/{citizen_id}/protections/seal": row(STAFF_UNIT_A, "person", body=FORM, fields={"unit": VC},
                                                              note="400 without a reason: past authorisation"),
    "POST /staff/persons/{citizen_id}/protections/hide-unit": row(STAFF_UNIT_A, "person", body=FORM,
                                                                   fields={"unit": VC}),
    "POST /staff/persons/{citizen_id}/protections/extend": row(STAFF_UNIT_A, "person", body=FORM, fields={"unit": VC},
                                                                note="400: an adult gets no extension"),
    "POST /staff/persons/{citizen_id}/protections/block-guardian": row(STAFF_UNIT_A, "person", body=FORM,
                                                                        fields={"unit": VC}),
    "POST /staff/persons/{citizen_id}/protections/remove-login": row(STAFF_UNIT_A, "person", body=FORM,
                                                                      fields={"unit": VC}),
    "POST /staff/persons/{citizen_id}/protections/lift": row(STAFF_UNIT_A, "person", body=FORM, fields={"unit": VC},
                                                              note="409: nothing of that key in force"),
    "GET /staff/audit": row(AUDITOR_ONLY),
    # Usage statistics: a unit's local admin for the unit, the regional admin for every unit and the region.
    "GET /staff/statistics": row(STAFF_UNIT_A_OR_REGION, query=UNIT_A),
    "GET /staff/statistics.csv": row(STAFF_UNIT_A_OR_REGION, query=UNIT_A),
    "POST /staff/audit": row(AUDITOR_ONLY, body=FORM, note="400 without a personnummer: past authorisation"),
    "POST /staff/audit/csv": row(AUDITOR_ONLY, body=FORM),
    "GET /staff/permissions": row(_cells(ok=(STAFF_A, REGIONAL), staff_b=OWN_UNIT, auditor=OWN_UNIT), query=UNIT_A,
                                  note="the regional admin manages every unit's admins"),
    "POST /staff/permissions/grant": row(STAFF_UNIT_A_OR_REGION, body=FORM, fields={"unit": VC},
                                         note="the regional admin appoints admins at every unit"),
    "POST /staff/permissions/revoke": row(STAFF_UNIT_A_OR_REGION, body=FORM, fields={"unit": VC}),
    "GET /staff/follow-up": row(STAFF_UNIT_A, query=UNIT_A),
    "GET /staff/forms": row(STAFF_OWN_UNIT, query=UNIT_A),
    "POST /staff/forms/subscribe": row(STAFF_UNIT_A, "form", body=FORM, fields=lambda w, who, p: {
        "unit": VC, "form_id": p["form_id"]}, note="the unit's local admin"),
    "POST /staff/forms/settings": row(STAFF_UNIT_A, "form", body=FORM, fields=lambda w, who, p: {
        "unit": VC, "form_id": p["form_id"], "retention_days": "90"}, note="the unit's local admin"),
    "POST /staff/forms/stop": row(STAFF_UNIT_A, "stoppable_form", body=FORM, fields=lambda w, who, p: {
        "unit": VC, "form_id": p["form_id"]}, note="the unit's local admin; a form of its own (the matrix's stays)"),
    "GET /staff/forms/packages": row(STAFF_UNIT_A, query=UNIT_A),
    "GET /staff/forms/packages/new": row(STAFF_UNIT_A, query=UNIT_A),
    "POST /staff/forms/packages/new": row(STAFF_UNIT_A, body=FORM, fields={"unit": VC},
                                          note="400 without a form and a day: past authorisation"),
    "GET /staff/forms/{form_id}/send": row(STAFF_UNIT_A, "form", query=UNIT_A),
    "POST /staff/forms/{form_id}/send": row(STAFF_UNIT_A, "form", body=FORM, fields={"unit": VC},
                                            note="400 without personnummer: past authorisation"),
    "GET /staff/forms/{form_id}/follow-up": row(STAFF_UNIT_A, "form", query=UNIT_A),
    "GET /staff/form-answers/{request_id}": row(STAFF_UNIT_A, "form_answer"),
    "POST /staff/form-answers/{request_id}/json": row(STAFF_UNIT_A, "form_answer", body=FORM),
    "POST /staff/form-answers/{request_id}/pdf": row(STAFF_UNIT_A, "form_answer", body=FORM,
                                                     note="a redirect to the PDF's one-minute link"),
    "GET /staff/region/forms": row(REGION_ADMIN_ONLY),
    "POST /staff/region/forms": row(REGION_ADMIN_ONLY, body=FORM, note="400 without a Questionnaire"),
    "GET /staff/region/forms/{form_id}/edit": row(REGION_ADMIN_ONLY, "region_form"),
    "POST /staff/region/forms/{form_id}/edit": row(REGION_ADMIN_ONLY, "region_form", body=FORM,
                                                   note="409 without the version shown: past authorisation"),
    "POST /staff/region/forms/{form_id}/version": row(REGION_ADMIN_ONLY, "region_form", body=FORM),
    "POST /staff/region/forms/{form_id}/retire": row(REGION_ADMIN_ONLY, "region_form", body=FORM),
    "GET /staff/bookings": row(STAFF_OWN_UNIT, query=UNIT_A),
    "GET /staff/bookings/week": row(STAFF_OWN_UNIT, query=UNIT_A),
    "GET /staff/bookings/book": row(STAFF_UNIT_A, "free_slot", query="slot={slot_id}"),
    "GET /staff/bookings/{booking_id}/move": row(STAFF_UNIT_A, "booking"),
    "POST /staff/bookings/book": row(STAFF_UNIT_A, "free_slot", body=FORM, fields=lambda w, who, p: {
        "unit": VC, "slot": p["slot_id"], "personnummer": w.region.people["anna"].personnummer}),
    "POST /staff/bookings/invite": row(STAFF_UNIT_A, body=FORM, fields={"unit": VC}),
    "POST /staff/bookings/slots": row(STAFF_UNIT_A, body=FORM, fields={"unit": VC}),
    "POST /staff/bookings/{booking_id}/cancel": row(STAFF_UNIT_A, "booking", body=FORM),
    "POST /staff/bookings/{booking_id}/move": row(STAFF_UNIT_A, "booking", "free_slot", body=FORM,
                                                  fields=lambda w, who, p: {"slot": p["slot_id"]}),
    "GET /staff/booking-rules": row(STAFF_OWN_UNIT, query=UNIT_A),
    "POST /staff/booking-rules": row(STAFF_UNIT_A, body=FORM, fields={"unit": VC}),
    "GET /staff/summons": row(STAFF_OWN_UNIT, query=UNIT_A),
    "POST /staff/summons": row(STAFF_UNIT_A, body=FORM, fields={"unit": VC}),
    "POST /staff/summons/template": row(STAFF_UNIT_A, body=FORM, fields={"unit": VC}),
    "POST /staff/summons/{appointment_id}/cancel": row(STAFF_UNIT_A, "appointment", body=FORM),
    "POST /staff/summons/{appointment_id}/change": row(STAFF_UNIT_A, "appointment", body=FORM),
    "GET /staff/print-batch": row(STAFF_UNIT_A, query=UNIT_A),
    "GET /staff/print-batch/file": row(STAFF_UNIT_A, "print_file", query=f"{UNIT_A}&day={{day}}&part={{part}}",
                                       note="a made file of unit A: its people are access-logged"),
    # the integration API: bodies name unit A (and are complete, so the unit check is reached)
    "POST /integration/v1/population-register/persons": row(REGISTER_FEED, body=JSON_BODY, fields=lambda w, who, p: {
        "personnummer": w.region.people["sigge"].personnummer, "given_name": "Sigge", "family_name": "Lind",
        "protected_identity": False, "guardians": [w.region.people["karin"].personnummer]}),
    "POST /integration/v1/attachments": row(KEY_UNIT_A, body=JSON_BODY, fields={
        "sender_unit_hsa_id": VC, "filename": "a.pdf", "content_type": "application/pdf", "size_bytes": 100}),
    "POST /integration/v1/messages": row(KEY_UNIT_A, body=JSON_BODY, fields=_message_body),
    "GET /integration/v1/messages/{message_id}": row(KEY_UNIT_A, "message", note="the sending system only"),
    "POST /integration/v1/form-requests": row(KEY_UNIT_A, body=JSON_BODY, fields=lambda w, who, p: w.form_dispatch(who, p)),
    "GET /integration/v1/form-requests/{request_id}": row(KEY_UNIT_A, "form_request"),
    "GET /integration/v1/units/{unit_hsa_id}/forms/{form_id}/requests": row(KEY_UNIT_A, "unit_form"),
    "POST /integration/v1/citizen-status": row(KEY_ANY_UNIT, body=JSON_BODY, fields=lambda w, who, p: {
        "personnummer": w.region.people["anna"].personnummer}),
    "PUT /integration/v1/units/{unit_hsa_id}/slots": row(KEY_UNIT_A, "unit", body=JSON_BODY, fields=_slots_body),
    "POST /integration/v1/appointments": row(KEY_UNIT_A, body=JSON_BODY, fields=_appointment_body),
    "GET /integration/v1/appointments/{appointment_id}": row(KEY_UNIT_A, "appointment"),
    "PATCH /integration/v1/appointments/{appointment_id}": row(KEY_UNIT_A, "appointment", body=JSON_BODY,
                                                              fields={"preparation": "Kom fastande."}),
    "DELETE /integration/v1/appointments/{appointment_id}": row(KEY_UNIT_A, "appointment", body=JSON_BODY),
    "GET /integration/v1/print-batches/{day}": row(KEY_ANY_UNIT, "day", note="each key its own units' letters"),
    "POST /integration/v1/lab-results": row(KEY_UNIT_A, "kit_order", body=JSON_BODY, fields=lambda w, who, p: {
        "order_id": p["order_id"], "analysed_at": "2026-11-20T10:00:00+01:00",
        "analyses": [{"analysis": "sars_cov_2", "outcome": "negative"}]}),
    "GET /integration/v1/kit-orders": row(KEY_ANY_UNIT, query="status=ordered", note="each key its own units' orders"),
    "POST /integration/v1/kit-orders/{order_id}/sent": row(KEY_UNIT_A, "kit_order", body=JSON_BODY,
                                                          fields={"kit_number": "KIT-9001"}),
    "POST /integration/v1/kit-orders/{order_id}/received": row(KEY_UNIT_A, "kit_order", body=JSON_BODY),
    "GET /integration/v1/consumable-orders": row(KEY_ANY_UNIT, query="status=placed",
                                                 note="each key its own units' orders"),
    "POST /integration/v1/consumable-orders/{order_id}/shipped": row(KEY_UNIT_A, "consumable_order", body=JSON_BODY,
                                                                     fields={"tracking": "PKG-1"}),
    "POST /integration/v1/consumable-orders/{order_id}/delivered": row(KEY_UNIT_A, "shipped_consumable_order",
                                                                       body=JSON_BODY),
    "GET /integration/v1/listing-requests": row(REGION_KEY_ONLY, query="status=open",
                                                note="the listing system's region-wide key (tests/integration/"
                                                     "test_listing.py): no unit key"),
    "POST /integration/v1/listing-requests/{request_id}/decision": row(REGION_KEY_ONLY, "listing_request",
                                                                       body=JSON_BODY, fields={"decision": "accepted"}),
}

# Cells that do not hold yet, each with why; strict: when one starts to hold, remove it here.
KNOWN_OPEN: dict[tuple[str, str], str] = {}


# -- the world the cells run in ---------------------------------------------------------------------
@dataclass
class Caller:
    browser: Any = None  # a session (citizen or staff), or None
    key: str | None = None
    csrf: str | None = None


class World:
    def __init__(self, region: Any) -> None:
        from chalicelib.bootstrap import ports
        from chalicelib.domain.personnummer import parse

        self.region = region
        self.ports = ports
        self.citizen_ids = {sub: ports().identities.find_or_create(parse(c.personnummer, region.today))
                            for sub, c in region.people.items()}  # fmt: skip
        self._minutes = itertools.count()
        self._idempotency = itertools.count()
        self._booking_days = itertools.count()
        self.current: dict[str, str] = {}
        self.callers: dict[str, Caller] = {}
        self.keys: dict[str, str] = {}

    def next_time(self) -> datetime:
        """A distinct future weekday time at unit A for each slot or appointment the matrix makes."""
        n = next(self._minutes)
        day = self.region.today + timedelta(days=3 + n // 16)
        while day.weekday() >= 5:
            day += timedelta(days=1)
        return datetime.combine(day, time(9, 0), tzinfo=STOCKHOLM) + timedelta(minutes=30 * (n % 16))

    def booking_day(self) -> Any:
        """A weekday of its own for each published day of slots (a PUT replaces the day's slots)."""
        n = next(self._booking_days)
        day = self.region.today + timedelta(days=8)
        for _ in range(n + 1):
            day += timedelta(days=1)
            while day.weekday() >= 5:
                day += timedelta(days=1)
        return day

    def acting_for(self, who: str) -> str | None:
        caller = self.callers[who]
        me = caller.browser.get("/api/v1/me").json_body if caller.browser else {}
        child = (me or {}).get("acting_for") or {}
        names = {v: k for k, v in self.citizen_ids.items()}
        return names.get(child.get("child_id"))

    def idempotency_key(self) -> str:
        return f"matrix-{next(self._idempotency):06d}"

    # callers
    def set_up_callers(self) -> None:
        from chalicelib.domain import clock
        from chalicelib.domain.roles import RoleAtUnit, StaffRole
        from chalicelib.services import integration

        now = clock.utc_now()
        ports = self.ports()
        for hsa_id, name, unit in (("SE2321000099-P002", "Johan Ström", VC), ("SE2321000099-P003", "Lisa Åberg", HS)):
            for role in StaffRole:
                if role not in (StaffRole.REGIONAL_ADMIN, StaffRole.REGION_AUDITOR):  # region-wide roles
                    ports.staff.grant(hsa_id, name, RoleAtUnit(unit, role), now)
        scopes = {"population-register", "messages", "appointments", "lab-results", "print", "forms", "consumables",
                  "listing"}
        self.keys = {
            KEY_A: integration.issue_key(ports, system_name="Matris A", allowed_units={VC}, scopes=scopes, now=now),
            KEY_B: integration.issue_key(ports, system_name="Matris B", allowed_units={HS}, scopes=scopes, now=now),
            KEY_NO_SCOPE: integration.issue_key(ports, system_name="Matris utan", allowed_units={VC}, scopes=set(),
                                                now=now),  # fmt: skip
        }
        self.login_all()

    def login_all(self) -> None:
        self.callers = {ANON: Caller(), **{k: Caller(key=v) for k, v in self.keys.items()}}
        for who, sub in ((CIT_A, "anna"), (CIT_B, "ali"), (GUARDIAN, "karin"), (GUARDIAN_13, "karin"),
                         (GUARDIAN_PROT, "karin")):  # fmt: skip
            browser = self.region.browser()
            browser.login(sub)
            self.callers[who] = Caller(browser, csrf=browser.csrf_token())
        for who, sub in ((STAFF_A, "johan"), (STAFF_B, "lisa"), (REGIONAL, "rut"), (AUDITOR, "alva"),
                         (STAFF_NO_ROLE, "nils")):  # fmt: skip
            browser = self.region.browser()
            browser.login(sub, "staff")
            session = "staff_sid" in browser.cookies
            assert session == (who != STAFF_NO_ROLE), who
            self.callers[who] = Caller(browser, csrf=browser.csrf_token("/api/v1/staff/me") if session else None)
        self.act_as_set_up()

    def act_as_set_up(self) -> None:
        """The guardian acts for Elsa; the other two columns tried Olle and Sigge and were refused."""
        for who, child, expected in ((GUARDIAN, "elsa", 200), (GUARDIAN_13, "olle", 403), (GUARDIAN_PROT, "sigge", 403)):
            caller = self.callers[who]
            headers = {"Content-Type": "application/json", "X-CSRF-Token": caller.csrf}
            caller.browser.request("DELETE", "/api/v1/acting-for", headers=headers)
            response = caller.browser.request("PUT", "/api/v1/acting-for", headers=headers,
                                              body=json.dumps({"child_id": self.citizen_ids[child]}).encode())
            assert response.status_code == expected, (who, response.status_code, response.body[:300])

    # resources (owned by citizen A, at unit A)
    def make(self, kind: str) -> dict[str, str]:
        return getattr(self, f"_make_{kind}")()

    def _integration(self, method: str, path: str, body: Any, key: str | None = None) -> Any:
        response = self.region.integration(method, path, body, key=key or self.keys[KEY_A],
                                           idempotency_key=self.idempotency_key())  # fmt: skip
        assert response.status_code < 300, (path, response.status_code, response.body[:400])
        return response.json_body

    def _make_unit_form(self) -> dict[str, str]:
        """A form unit A uses."""
        from chalicelib.domain import clock
        from chalicelib.services import forms

        ports, now = self.ports(), clock.utc_now()
        if ports.form_definitions.current("matris-formular") is None:
            resource, form = forms.read_questionnaire(json.dumps(MATRIX_FORM))
            forms.publish(ports, resource, form, "matrix", now, new_id="matris-formular")
        forms.subscribe(ports, self._form_admin(), VC, "matris-formular", now)
        return {"unit_hsa_id": VC, "form_id": "matris-formular"}

    def _make_offered_form(self) -> dict[str, str]:
        """A form unit A offers on its contact card (erbjuden e-tjänst)."""
        from chalicelib.adapters.tables import UnitFormRecord
        from chalicelib.domain import clock
        from chalicelib.domain.events import Kind, event

        made = self._make_unit_form()
        subscription = self.ports().unit_forms.get(VC, made["form_id"])
        self.ports().unit_forms.update(subscription, [UnitFormRecord.offered.set(True)], event(
            Kind.FORM_SUBSCRIPTION_CHANGED, f"unit_form#{VC}#{made['form_id']}", clock.utc_now()))
        return made

    @staticmethod
    def _form_admin() -> Any:
        from chalicelib.domain.roles import RoleAtUnit, StaffRole
        from chalicelib.services.principals import StaffPrincipal

        return StaffPrincipal("SE2321000099-P002", "Johan Ström", (RoleAtUnit(VC, StaffRole.LOCAL_ADMIN),
                                                                   RoleAtUnit(VC, StaffRole.CASE_HANDLER)), "x")

    def _make_form_request(self) -> dict[str, str]:
        """A form unit A sent to citizen A, not yet answered."""
        import uuid

        from chalicelib.domain import clock
        from chalicelib.services import forms

        ports, now = self.ports(), clock.utc_now()
        self._make_unit_form()
        sent = forms.send(ports, self._form_admin(), VC, {
            "form_id": "matris-formular", "personnummer": self.region.people["anna"].personnummer,
            "due_on": (clock.stockholm_date(now) + timedelta(days=7)).isoformat(),
            "dispatch_id": str(uuid.uuid4())}, now)  # fmt: skip
        return {"request_id": sent.request_ids[0]}

    def form_dispatch(self, who: str, params: dict[str, str]) -> dict[str, Any]:
        from chalicelib.domain import clock

        self._make_unit_form()
        return {"unit_hsa_id": VC, "form_id": "matris-formular",
                "personnummer": [self.region.people["anna"].personnummer],
                "due_on": (clock.stockholm_date(clock.utc_now()) + timedelta(days=7)).isoformat()}  # fmt: skip

    def _make_form(self) -> dict[str, str]:
        """The matrix's form, used by unit A."""
        return {"form_id": self._make_unit_form()["form_id"]}

    def _make_stoppable_form(self) -> dict[str, str]:
        """A form of the region's unit A uses, of its own (stopping it leaves the matrix's form in use)."""
        from chalicelib.domain import clock
        from chalicelib.services import forms

        form_id = self._make_region_form()["form_id"]
        forms.subscribe(self.ports(), self._form_admin(), VC, form_id, clock.utc_now())
        return {"form_id": form_id}

    def _make_form_answer(self) -> dict[str, str]:
        """A form unit A sent to citizen A, answered."""
        from chalicelib.domain import clock
        from chalicelib.services import forms
        from chalicelib.services.principals import CitizenPrincipal

        request_id = self._make_form_request()["request_id"]
        anna = CitizenPrincipal(self.citizen_ids["anna"], "Anna", None, None, "x")
        done = forms.post_page(self.ports(), anna, request_id, 0, {"mar": ["bra"]}, "send", clock.utc_now())
        assert done.sent, done.errors
        return {"request_id": request_id}

    def _make_region_form(self) -> dict[str, str]:
        """A form of the region's of its own (retiring it leaves the matrix's form alone)."""
        from chalicelib.domain import clock
        from chalicelib.services import forms

        resource, form = forms.read_questionnaire(json.dumps(MATRIX_FORM))
        made = forms.publish(self.ports(), resource, form, "matrix", clock.utc_now(),
                             new_id=f"matris-region-{next(self._idempotency)}")  # fmt: skip
        return {"form_id": made.form_id}

    def _make_unit(self) -> dict[str, str]:
        return {"unit_hsa_id": VC}

    def make_person(self, born: date, guardians: tuple[str, ...] = ()) -> str:
        """A person of their own in the register (a protection decided about them leaves the callers alone)."""
        from chalicelib.domain.people import PersonUpdate
        from chalicelib.domain.personnummer import parse, with_check_digit

        n = next(self._idempotency)
        pnr = parse(with_check_digit(born + timedelta(days=n % 300), f"{n % 1000:03d}"), self.region.today)
        guardian_pnrs = tuple(parse(self.region.people[g].personnummer, self.region.today) for g in guardians)
        return self.ports().register.upsert(PersonUpdate(pnr, "Matris", "Person", False, None, guardian_pnrs)).citizen_id

    def _make_person(self) -> dict[str, str]:
        return {"citizen_id": self.make_person(date(1970, 1, 1))}

    def _make_certificate(self) -> dict[str, str]:
        """One of Anna's certificates in the demo care system (read there at view time)."""
        return {"source": "cosmic", "certificate_id": "cert-anna-2"}

    def _make_case_type(self) -> dict[str, str]:
        return {"case_type_id": "skicka-meddelande"}

    def _make_central_case_type(self) -> dict[str, str]:
        """A central case type of its own (retiring or unassigning it leaves the matrix's cases alone)."""
        from chalicelib.domain.cases import CaseType, Question, QuestionKind

        case_type_id = f"matrix-type-{next(self._idempotency)}"
        self.ports().case_types.save("central", CaseType(case_type_id, "Matristyp", "", "Villkor.",
                                                         (Question("q", "Fråga", QuestionKind.TEXT),)))
        return {"case_type_id": case_type_id}

    def _make_reply(self) -> dict[str, str]:
        reply_id = f"matrix-reply-{next(self._idempotency)}"
        self.ports().standard_replies.save(VC, reply_id, "Matrissvar", "Ett svar.")
        return {"reply_id": reply_id}

    def _make_key(self) -> dict[str, str]:
        from chalicelib.domain import clock
        from chalicelib.services import integration

        key = integration.issue_key(self.ports(), system_name="Matris nyckel", allowed_units={VC}, scopes={"messages"},
                                    now=clock.utc_now())  # fmt: skip
        return {"key_id": key.split(".", 1)[0]}

    def _make_visit_type(self) -> dict[str, str]:
        return {"visit_type_id": "sjukskoterska"}

    def _make_test(self) -> dict[str, str]:
        return {"test_id": "covid-pcr"}

    def _make_channel(self) -> dict[str, str]:
        return {"channel": "email"}

    def _make_day(self) -> dict[str, str]:
        return {"day": self.region.today.isoformat()}

    def _make_print_file(self) -> dict[str, str]:
        """A made print file of unit A (one letter to citizen A), in an evening of its own."""
        from chalicelib.adapters.tables import PrintLetterRecord
        from chalicelib.domain import clock
        from chalicelib.services import summons

        ports, now = self.ports(), clock.utc_now()
        day = date(2001, 1, 1) + timedelta(days=next(self._idempotency))
        PrintLetterRecord(day.isoformat(), f"{VC}#matrix-{day}#1", citizen_id=self.citizen_ids["anna"],
                          unit_hsa_id=VC, unit_name=UNIT_A_NAME, address_lines=["Anna"], subject="Kallelse",
                          body="Matris.", created_at=now).save()  # fmt: skip
        summons.plan_print_batch(ports, now, lambda files: len([summons.make_print_file(ports, f, now) for f in files]),
                                 day)  # fmt: skip
        return {"day": day.isoformat(), "part": "1"}

    def _make_message(self) -> dict[str, str]:
        body = _message_body(self, KEY_A)
        return {"message_id": self._integration("POST", "/integration/v1/messages", body)["message_id"]}

    def _make_message_with_attachment(self) -> dict[str, str]:
        import requests

        slot = self._integration("POST", "/integration/v1/attachments", {
            "sender_unit_hsa_id": VC, "filename": "Remiss.pdf", "content_type": "application/pdf",
            "size_bytes": 9})  # fmt: skip
        upload = slot["upload"]
        requests.post(upload["url"], data=upload["fields"], files={"file": ("f", b"%PDF-1.4\n", "application/pdf")},
                      timeout=10).raise_for_status()  # fmt: skip
        message = self._integration("POST", "/integration/v1/messages",
                                    {**_message_body(self, KEY_A), "attachments": [slot["attachment_id"]]})
        return {"message_id": message["message_id"], "attachment_id": slot["attachment_id"]}

    def _make_free_slot(self) -> dict[str, str]:
        day = self.booking_day()
        start = datetime.combine(day, time(10, 0), tzinfo=STOCKHOLM)
        slot_id = f"matrix-slot-{next(self._idempotency)}"
        self._integration("PUT", f"/integration/v1/units/{VC}/slots", {
            "from": day.isoformat(), "to": day.isoformat(), "slots": [
                {"slot_id": slot_id, "visit_type_id": "sjukskoterska", "start": start.isoformat(),
                 "end": (start + timedelta(minutes=30)).isoformat(), "visibility": "web"}]})  # fmt: skip
        return {"slot_id": f"{VC}/{slot_id}"}  # the unit's name for the slot, as the app stores it

    def _make_invitation(self) -> dict[str, str]:
        """An invitation to Anna, as the staff tool's "Bjud in" writes it."""
        from chalicelib.adapters.tables import InvitationRecord
        from chalicelib.domain import clock

        invitation_id = f"matrix-invitation-{next(self._idempotency)}"
        now = clock.utc_now()
        InvitationRecord(self.citizen_ids["anna"], invitation_id, unit_hsa_id=VC, visit_type_id="sjukskoterska",
                         slot_ids={"matrix-none"}, expires_at=now + timedelta(days=14), created_by="matrix",
                         created_at=now).save()  # fmt: skip
        return {"invitation_id": invitation_id}

    def _make_booking(self) -> dict[str, str]:
        slot_id = self._make_free_slot()["slot_id"]
        anna = self.callers[CIT_A]
        response = anna.browser.request("POST", "/api/v1/bookings", headers={
            "Content-Type": "application/json", "X-CSRF-Token": anna.csrf}, body=json.dumps({"slot_id": slot_id}).encode())
        assert response.status_code == 201, response.body[:400]
        return {"booking_id": response.json_body["booking_id"]}

    def _make_earlier_offer(self) -> dict[str, str]:
        """An open offer of an earlier time on one of Anna's bookings, as the follow-up writes it."""
        from chalicelib.adapters.earlier_times import offer_id_of
        from chalicelib.adapters.tables import EarlierOfferRecord
        from chalicelib.domain import clock

        booking_id = self._make_booking()["booking_id"]
        booking = self.ports().bookings.get(booking_id)
        now = clock.utc_now()
        slot_id = f"{VC}/matrix-earlier-{next(self._idempotency)}"
        offer_id = offer_id_of(slot_id, booking_id)
        EarlierOfferRecord(offer_id, slot_id=slot_id, booking_id=booking_id, citizen_id=booking.citizen_id,
                           unit_hsa_id=VC, visit_type_id="sjukskoterska", slot_start=booking.start - timedelta(days=1),
                           slot_end=booking.start - timedelta(days=1, minutes=-30), booking_start=booking.start,
                           created_at=now, expires_at=now + timedelta(minutes=30), state="open").save()  # fmt: skip
        return {"offer_id": offer_id, "booking_id": booking_id}

    def _make_case(self) -> dict[str, str]:
        anna = self.callers[CIT_A].browser
        path = f"/contact/{VC}/skicka-meddelande"
        page = anna.page(path)
        fields = {n: re.search(rf'name="{n}" value="([^"]+)"', page).group(1) for n in ("csrf_token", "submission_id")}
        response = anna.post_form(path, {**fields, "q-fraga": "Hur länge ska jag ta medicinen?", "accept_terms": "yes"})
        assert response.status_code == 303, response.body[:600]
        return {"case_id": response.headers["Location"].split("?")[0].rsplit("/", 1)[1]}

    def _make_kit_order(self) -> dict[str, str]:
        """Anna's covid test (followed up by unit A); one open order per test, so made once."""
        if "order_id" not in self.current:
            anna = self.callers[CIT_A].browser
            page = anna.page("/self-tests/covid-pcr")
            fields = {n: re.search(rf'name="{n}" value="([^"]+)"', page).group(1) for n in ("csrf_token", "submission_id")}
            response = anna.post_form("/self-tests/covid-pcr", {**fields, "delivery": "pickup",
                                                                 "pickup_point": "Vårdcentralen Norrby, entrén"})
            assert response.status_code == 303, response.body[:600]
            (order,) = self.ports().kit_orders.of_citizen(self.citizen_ids["anna"])
            self.current["order_id"] = order.order_id
        return {"order_id": self.current["order_id"]}

    def _make_consumable_order(self) -> dict[str, str]:
        """A placed order for Anna of an item of its own (one open order per item), prescribed at unit A."""
        import uuid

        from chalicelib.adapters.tables import ConsumableOrderRecord
        from chalicelib.domain import clock
        from chalicelib.domain.events import Kind, event

        now, order_id = clock.utc_now(), str(uuid.uuid4())
        placed_key = f"{now.isoformat()}#{order_id}"
        record = ConsumableOrderRecord(
            self.citizen_ids["anna"], f"order#{placed_key}", order_id=order_id,
            item_key=f"matris/DeviceRequest/{next(self._idempotency)}", item_name="Teststickor", quantity=1,
            quantity_unit="st", period_start=clock.stockholm_date(now).isoformat(), unit_hsa_id=VC,
            unit_name=UNIT_A_NAME, status="placed", placed_key=placed_key, delivery="pickup",
            address_lines=["Apoteket Norrby"], ordered_by=self.citizen_ids["anna"], placed_at=now)  # fmt: skip
        self.ports().consumable_orders.place(record, 10, event(Kind.CONSUMABLE_PLACED, f"consumable_order#{order_id}",
                                                               now, order_id=order_id))  # fmt: skip
        return {"order_id": order_id}

    def _make_shipped_consumable_order(self) -> dict[str, str]:
        made = self._make_consumable_order()
        response = self.region.integration("POST", f"/integration/v1/consumable-orders/{made['order_id']}/shipped",
                                           {}, key=self.keys[KEY_A], idempotency_key=self.idempotency_key())
        assert response.status_code == 200, response.body[:400]
        return made

    def _make_listing_request(self) -> dict[str, str]:
        """An open request of a person of its own (one open request per person) to list at Vårdcentralen Älvby."""
        import uuid

        from chalicelib.adapters.tables import ListingRequestRecord
        from chalicelib.domain import clock
        from chalicelib.domain.events import Kind, event

        now, request_id = clock.utc_now(), str(uuid.uuid4())
        key = f"{now.isoformat()}#{request_id}"
        record = ListingRequestRecord(self.make_person(date(1970, 1, 1)), f"request#{key}", request_id=request_id,
                                      status="open", requested_key=key, unit_hsa_id="SE2321000099-VC02",
                                      unit_name="Vårdcentralen Älvby", requested_at=now)  # fmt: skip
        self.ports().listing_requests.create(record, event(Kind.LISTING_REQUESTED, f"listing_request#{request_id}",
                                                           now, request_id=request_id))  # fmt: skip
        return {"request_id": request_id}

    def _make_appointment(self) -> dict[str, str]:
        body = _appointment_body(self, KEY_A)
        return {"appointment_id": self._integration("POST", "/integration/v1/appointments", body)["appointment_id"]}

    # one cell
    def send(self, route: str, spec: Row, who: str, params: dict[str, str]) -> Any:
        method, template = route.split(" ", 1)
        path = template.format(**params)
        if spec.query:
            path += "?" + spec.query.format(**params)
        caller = self.callers[who]
        headers: dict[str, str] = {}
        fields = spec.fields(self, who, params) if callable(spec.fields) else dict(spec.fields)
        body = b""
        if spec.body == FORM:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            body = urllib.parse.urlencode({"csrf_token": caller.csrf or "none", **fields}).encode()
        elif spec.body == JSON_BODY:
            headers["Content-Type"] = "application/json"
            headers["X-CSRF-Token"] = caller.csrf or "none"
            body = json.dumps(fields).encode()
        if caller.key:
            headers["Authorization"] = f"Bearer {caller.key}"
            headers["Idempotency-Key"] = self.idempotency_key()
        if caller.browser is not None:
            return caller.browser.request(method, path, headers=headers, body=body)
        return self.region.client.http.request(method, path, headers=headers, body=body)


def outcome(response: Any, expected: str) -> str:
    status = response.status_code
    if status >= 500:
        return f"error {status}"
    if status == 401:
        return LOGIN
    if status in (302, 303) and response.headers.get("Location") in ("/", "/staff"):
        return LOGIN
    if status in (403, 404):
        return REFUSED
    body = response.body if isinstance(response.body, bytes) else b""
    if status == 422 and body.startswith(b"{") and json.loads(body).get("code") in REFUSAL_CODES:
        return REFUSED
    if expected == OWN_UNIT and status == 200:
        return OWN_UNIT if UNIT_A_NAME.encode() not in body else "ok, with unit A's data"
    return OK


@contextmanager
def world_of_callers(providers, today):  # noqa: ANN001, ANN201 (pytest's fixtures)
    """Region Demo in process with every caller of the matrix logged in (also the HTML check's world)."""
    from chalicelib.domain import limits
    from chalicelib.domain.limits import Limit
    from tests.integration.conftest import region_in_process

    with pytest.MonkeyPatch.context() as monkeypatch:
        # The matrix is about who, not how often: every caller logs in from the same test client.
        for name in ("CITIZEN_LOGINS_PER_CLIENT", "STAFF_LOGINS_PER_CLIENT"):
            limit = getattr(limits, name)
            monkeypatch.setattr(limits, name, Limit(limit.name, 10_000, limit.window_seconds, limit.code, limit.message))
        with region_in_process(providers, today, monkeypatch) as region:
            shared = World(region)
            shared.set_up_callers()
            yield shared


@pytest.fixture(scope="module")
def world(providers, today):
    with world_of_callers(providers, today) as shared:
        yield shared


def _app_routes() -> set[str]:
    import app

    return {f"{method} {path}" for path, methods in app.app.routes.items() for method in methods}


def test_every_route_has_a_row():
    """A route added without its row fails here: add it to ROWS (see this file's docstring)."""
    routes, rows = _app_routes(), set(ROWS)
    assert not routes - rows, f"routes without a row in ROWS (tests/integration/test_authorisation_matrix.py): " \
                              f"{sorted(routes - rows)}"
    assert not rows - routes, f"rows for routes the app no longer has: {sorted(rows - routes)}"
    for route, spec in ROWS.items():
        assert set(spec.rule) == set(CALLERS), route
    print(f"\nauthorisation matrix: {len(ROWS)} routes x {len(CALLERS)} callers = {len(ROWS) * len(CALLERS)} cells")


@pytest.mark.parametrize("route", sorted(ROWS))
def test_cells(world, route):
    spec = ROWS[route]
    # Callers expected to be let through go last, each with a resource of its own (so one that
    # deletes or cancels leaves the next one something to try); the others share one.
    order = sorted(CALLERS, key=lambda who: spec.rule[who] == OK)
    shared = {k: v for kind in spec.params for k, v in world.make(kind).items()}
    mismatches, results = [], {}
    for who in order:
        params = shared
        if spec.rule[who] == OK and spec.params:
            params = {k: v for kind in spec.params for k, v in world.make(kind).items()}
        response = world.send(route, spec, who, params)
        got = outcome(response, spec.rule[who])
        if got == LOGIN and spec.ok_if is not None and spec.ok_if(world, who):
            got = OK
        results[who] = f"{got} ({response.status_code})"
        if got != spec.rule[who] and (route, who) not in KNOWN_OPEN:
            mismatches.append(f"{who}: expected {spec.rule[who]}, got {got} ({response.status_code})")
        elif got == spec.rule[who] and (route, who) in KNOWN_OPEN:
            mismatches.append(f"{who}: listed in KNOWN_OPEN but now holds: remove it there")
    if route in ("POST /logout", "POST /staff/logout", "POST /act-for", "PUT /api/v1/acting-for",
                 "DELETE /api/v1/acting-for"):  # fmt: skip
        world.login_all() if route.endswith("logout") else world.act_as_set_up()
    assert not mismatches, f"{route}:\n  " + "\n  ".join(mismatches) + f"\nall cells: {results}"
