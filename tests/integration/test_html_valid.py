"""Every page of the app is valid HTML (issue 18): the Nu HTML Checker (vnu.jar, tools/html-checker,
installed by `make install`) over every browser page in Swedish and in English, as the people who see
each one (a citizen, a guardian acting for a child, a nurse, a unit's admin, the regional admin, the
region's auditor, nobody), with error pages and forms sent back with their errors. One region, one
pass over the pages, each answer written to a file, then one run of the checker over all the files:
0 errors.

ADDING A PAGE: a new GET route outside /api/ and /integration/ fails
`test_every_page_route_is_visited_or_said_not_to_be_a_page` until it has a line in VISITS (who sees it,
and in which state) or in NOT_PAGES (why it answers no page). Resources in a path are made as the
authorisation matrix makes them (its ROWS name the kinds, its World makes them); a visit may name
others or a query of its own. Then run this file.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import pytest

from tests.integration.test_authorisation_matrix import (
    ANON,
    AUDITOR,
    CIT_A,
    GUARDIAN,
    REGIONAL,
    ROWS,
    STAFF_A,
    VC,
    Caller,
    World,
    world_of_callers,
)

ROOT = Path(__file__).resolve().parents[2]
VNU_JAR = ROOT / "tools" / "html-checker" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
TEMPLATES = ROOT / "chalicelib" / "web" / "templates"
LANGUAGES = ("sv", "en")
NURSE = "nurse"  # Eva, case receiver at the health centre and case handler at cardiology: a narrower staff menu
HTML = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
ADMIN = STAFF_A  # Johan: every unit role at Vårdcentralen Norrby (the matrix's unit A)
NAMES = {ANON: "nobody logged in", CIT_A: "Anna", GUARDIAN: "Karin for Elsa", ADMIN: "Johan, unit admin",
         NURSE: "Eva, nurse", REGIONAL: "Rut, regional admin", AUDITOR: "Alva, auditor"}  # fmt: skip

# GET routes outside the APIs that answer no page, each with what it answers instead. The test visits
# them too and fails if one answers HTML after all.
NOT_PAGES: dict[str, str] = {
    "GET /.well-known/jwks.json": "JSON: the app's public keys for the providers",
    "GET /favicon.svg": "the site's icon (SVG)",
    "GET /favicon.ico": "a permanent redirect to /favicon.svg",
    "GET /static/app.css": "the stylesheet",
    "GET /static/logout.js": "the logout page's script",
    "GET /language": "remembers the language chosen and redirects back",
    "GET /login": "a redirect to the e-ID provider",
    "GET /staff/login": "a redirect to the SITHS provider",
    "GET /logged-out": "where the provider sends the browser after logout: a redirect to the landing page",
    "GET /staff/logged-out": "the same for staff: a redirect to the staff landing page",
    "GET /inbox/{message_id}/attachments/{attachment_id}": "a redirect to the file's one-minute link",
    "GET /staff/print-batch/file": "a redirect to the PDF's one-minute link",
    "GET /staff/statistics.csv": "the usage statistics as CSV",
}
JSON_PREFIXES = ("/api/", "/integration/")  # JSON for every caller (chalicelib/api/http.py wants_page)


@dataclass(frozen=True)
class Visit:
    """One request whose answer is a page: `route` as the route table spells it (METHOD /path)."""

    route: str
    who: str
    state: str = ""  # what this visit shows of the page, when a route has several
    query: str | None = None  # None: the matrix's query for the route; may name the resources
    kinds: tuple[str, ...] | None = None  # the resources the path (and query) need; None: the matrix's
    fields: dict[str, str] | Callable[[Any], dict[str, str]] | None = None  # a POST's form (CSRF added)
    status: int = 200
    each: Callable[[Any], list[dict[str, str]]] | None = None  # one visit per set of parameters
    patch: tuple[str, str, Any] | None = None  # (module, name, value) while visiting: a list's page of one


def _get(route: str, who: str, state: str = "", **options: Any) -> Visit:
    return Visit(f"GET {route}", who, state, **options)


def _post(route: str, who: str, state: str, fields: Any, status: int = 200, **options: Any) -> Visit:
    return Visit(f"POST {route}", who, state, fields=fields, status=status, **options)


def _source_down(*_args: Any) -> Any:
    """A care system that does not answer (Mina intyg names it)."""
    from chalicelib.errors import Unavailable

    raise Unavailable("source_unavailable", "{source} svarar inte just nu. Försök igen om en stund.",
                      values={"source": "Cosmic, Region Demo"})


def _case_forms(made: Any) -> list[dict[str, str]]:
    """Every central case type's form: every kind of question there is."""
    from demo.region_demo import CENTRAL_CASE_TYPES

    return [{"unit_hsa_id": VC, "case_type_id": t.case_type_id} for t in CENTRAL_CASE_TYPES]


def _self_test_pages(made: Any) -> list[dict[str, str]]:
    from demo.region_demo import SELF_TESTS

    return [{"test_id": offer.test_id} for offer in SELF_TESTS]


# What Anna's inbox holds: a message, one with an attachment, a booking's confirmation (with its .ics),
# a self-test result, a case's counter-question and a summons (with its rebook and cancel buttons).
# A Questionnaire with three problems (no title, a choice without options, a linkId twice): each is listed.
_BROKEN_FORM = json.dumps({"resourceType": "Questionnaire", "status": "active", "item": [
    {"linkId": "a", "type": "choice", "text": "Hur mår du?"}, {"linkId": "a", "type": "string", "text": "Mer?"}]})
INBOX = ("message", "message_with_attachment", "booking", "resulted_order", "answered_case", "released_summons")
CITIZEN_PAGES = ("/", "/inbox", "/settings", "/access-log", "/book", "/bookings", "/cases", "/contact", "/self-tests",
                 "/forms", "/journal", "/journal/log", "/medicines", "/certificates", "/consumables", "/listing")

VISITS: tuple[Visit, ...] = (
    # nobody logged in
    _get("/", ANON, "the landing page"),
    _get("/", ANON, "the landing page after logout", query="logged_out=1"),
    _get("/staff", ANON, "the staff landing page"),
    _get("/auth/callback", ANON, "a callback with no login under way", status=400),
    _get("/staff/auth/callback", ANON, "a callback with no login under way", status=400),
    # a citizen: Anna
    *(_get(path, CIT_A) for path in CITIZEN_PAGES),
    _get("/journal", CIT_A, "the journal's lab results, each flagged value marked", query="category=lab"),
    _get("/inbox", CIT_A, "after a deletion", query="deleted=1"),
    _get("/inbox", CIT_A, "a page of one, with the next", patch=("chalicelib.services.inbox", "INBOX_PAGE", 1)),
    _get("/inbox/{message_id}", CIT_A, "every thread in the inbox", kinds=INBOX, each=lambda made: made.threads(CIT_A)),
    _get("/inbox/{message_id}/delete", CIT_A),
    _get("/settings", CIT_A, "saved", query="done=saved"),
    _get("/settings", CIT_A, "a contact waiting for its code", query="done=code_sent", kinds=("pending_email",)),
    _get("/book", CIT_A, "a unit chosen", query=f"unit={VC}"),
    _get("/book", CIT_A, "a week of days", query=f"unit={VC}&visit_type=sjukskoterska", kinds=("free_slot",)),
    _get("/book", CIT_A, "a day's times", query=f"unit={VC}&visit_type=sjukskoterska&day={{day}}",
         kinds=("free_slot",)),
    _get("/book", CIT_A, "an invitation", query=f"unit={VC}&visit_type=sjukskoterska&invitation={{invitation_id}}",
         kinds=("invitation",)),
    _get("/book/confirm", CIT_A),
    _get("/bookings/{booking_id}", CIT_A),
    _get("/bookings/{booking_id}", CIT_A, "just booked", query="done=booked"),
    _get("/bookings/{booking_id}/cancel", CIT_A),
    _get("/bookings/{booking_id}/rebook", CIT_A),
    _get("/bookings/{booking_id}", CIT_A, "waiting for an earlier time", query="done=waiting"),
    _get("/earlier-times/{offer_id}", CIT_A),
    _get("/cases", CIT_A, "just sent", query="sent=1"),
    _get("/cases", CIT_A, "a page of one, with the next", kinds=("answered_case",),
         patch=("chalicelib.services.cases", "CASES_PAGE", 1)),
    _get("/cases/{case_id}", CIT_A, "sent", query="sent=1"),
    _get("/cases/{case_id}", CIT_A, "a counter-question to answer", kinds=("answered_case",)),
    _get("/contact", CIT_A, "a search", query="q=Norrby"),
    _get("/contact/{unit_hsa_id}", CIT_A),
    _get("/contact/{unit_hsa_id}/{case_type_id}", CIT_A, "every central case type", each=_case_forms),
    _get("/self-tests", CIT_A, "an order with its result", kinds=("resulted_order",)),
    _get("/self-tests/{test_id}", CIT_A, "every test on offer", each=_self_test_pages),
    _get("/forms/{request_id}", CIT_A, "a form to fill in", kinds=("form_request",)),
    _get("/contact/{unit_hsa_id}/forms/{form_id}", CIT_A, "an offered form to start", kinds=("offered_form",)),
    _get("/contact/{unit_hsa_id}", CIT_A, "with an offered form", kinds=("offered_form",)),
    _get("/forms/{request_id}", CIT_A, "a draft saved", query="saved=1", kinds=("form_request",)),
    # a guardian, Karin, acting for Elsa (9)
    *(_get(path, GUARDIAN, "acting for a child") for path in CITIZEN_PAGES),
    _get("/inbox/{message_id}", GUARDIAN, "the child's thread", kinds=("child_message",)),
    # forms sent back with their errors
    _post("/contact/{unit_hsa_id}/{case_type_id}", CIT_A, "required answers missing", {"q-fraga": ""}, 400,
          kinds=("unit", "case_type")),
    _post("/settings/contact", CIT_A, "an e-mail address that is none", {"channel": "email", "address": "x"}, 400),
    _post("/self-tests/{test_id}", CIT_A, "no pickup point chosen", {"delivery": "pickup"}, 400,
          kinds=(), query="", each=lambda made: [{"test_id": "klamydia-gonorre"}]),
    _post("/self-test-kits", CIT_A, "a kit number that is none", {"kit_number": "nope"}, 422),
    _post("/forms/{request_id}", CIT_A, "sent with a required answer missing", {"page": "1", "step": "send"}, 400,
          kinds=("form_request",)),
    _post("/logout", CIT_A, "on to the provider's logout", {}, kinds=("fresh_citizen",)),
    _post("/medicines/renew", CIT_A, "nothing chosen and the terms not accepted", {"unit": VC}, 400),
    _post("/medicines/renew", CIT_A, "a prescribing unit not on the platform", {"unit": "SE2321000099-PV01",
          "medicine": "cosmic/MedicationRequest/med-anna-5", "accept_terms": "yes"}, 422),
    _get("/cases/{case_id}", CIT_A, "a renewal from the list, its medicines listed", kinds=("renewal_case",)),
    _get("/certificates", CIT_A, "the hidden ones listed too", query="hidden=1"),
    _get("/certificates/{source}/{certificate_id}", CIT_A, "one certificate, its forms", kinds=("certificate",)),
    _post("/certificates/{source}/{certificate_id}/send", CIT_A, "no receiver chosen", {"receiver": ""}, 400,
          kinds=("certificate",)),
    _get("/certificates/{source}/{certificate_id}", CIT_A, "its care system does not answer", kinds=("certificate",),
         status=503, patch=("chalicelib.services.certificates", "_read", _source_down)),
    _get("/consumables", CIT_A, "after an order: placed, in the list with its cancel button", query="placed=1",
         kinds=("consumable_order",)),
    _get("/consumables", GUARDIAN, "Karin orders for Elsa"),
    _post("/consumables/order", CIT_A, "another address with a postal code that is none", lambda made: {
        "submission_id": made.fresh_id(), "item": "cosmic/DeviceRequest/dev-anna-2", "quantity": "10",
        "delivery_choice": "other", "street": "Gatan 1", "postal_code": "12", "city": "Demostad"}, 400),
    _post("/consumables/order", CIT_A, "more than is left of the period", lambda made: {
        "submission_id": made.fresh_id(), "item": "cosmic/DeviceRequest/dev-anna-2", "quantity": "1000",
        "delivery_choice": "pickup:Apoteket Norrby, Norrbygatan 2, 123 45 Demostad"}, 400),
    _post("/listing", CIT_A, "no vårdcentral chosen", {}, 400),
    _get("/listing", CIT_A, "a request sent, waiting for the answer", query="sent=1", kinds=("listing_sent",)),
    # staff: the unit's admin (Johan, every role at the health centre)
    _get("/staff", ADMIN),
    _get("/staff/settings", ADMIN),
    _get("/staff/settings", ADMIN, "saved", query="saved=1"),
    _get("/staff/messages", ADMIN, kinds=("message",)),
    _get("/staff/messages/{message_id}", ADMIN),
    _get("/staff/new-message", ADMIN),
    _get("/staff/cases", ADMIN, kinds=("case",)),
    *(_get("/staff/cases", ADMIN, f"the view {view}", query=f"unit={VC}&view={view}")
      for view in ("mine", "unassigned", "waiting", "replied", "closed")),
    _get("/staff/cases/{case_id}", ADMIN),
    _get("/staff/cases/{case_id}", ADMIN, "taken and answered", kinds=("answered_case",)),
    _get("/staff/cases/{case_id}", ADMIN, "a renewal from the list, its medicines listed", kinds=("renewal_case",)),
    _get("/staff/patients", ADMIN),
    _get("/staff/visits/{booking_id}", ADMIN),
    _get("/staff/results/{order_id}", ADMIN, kinds=("resulted_order",)),
    _get("/staff/follow-up", ADMIN, kinds=("resulted_order",)),
    _get("/staff/forms", ADMIN, "the unit's forms and the region's to choose", kinds=("form",)),
    _get("/staff/forms", ADMIN, "just chosen", query=f"unit={VC}&done=subscribed", kinds=("form",)),
    _get("/staff/forms", ADMIN, "a form the unit stopped using, and settings refused beside the field",
         kinds=("form", "stopped_form")),
    _post("/staff/forms/settings", ADMIN, "a retention out of range", lambda made: {
        "unit": VC, "form_id": made.params(("form",))["form_id"], "retention_days": "0", "offered": "yes"}, 400,
        kinds=("form",)),
    _get("/staff/forms/packages", ADMIN, "a package with a part sent and parts planned", kinds=("form_package",)),
    _get("/staff/forms/packages", ADMIN, "just planned", query=f"unit={VC}&done=planned"),
    _get("/staff/forms/packages/new", ADMIN, kinds=("form",)),
    _post("/staff/forms/packages/new", ADMIN, "a day that is no day", lambda made: {
        "unit": VC, "form_1": made.params(("form",))["form_id"], "day_1": "i morgon", "personnummer": made.pnr("anna"),
        "answer_days": "14"}, 400, kinds=("form",)),
    _post("/staff/forms/packages/new", ADMIN, "a line that is no personnummer", lambda made: {
        "unit": VC, "form_1": made.params(("form",))["form_id"], "day_1": made.tomorrow(), "personnummer": "12345",
        "answer_days": "x"}, 400, kinds=("form",)),
    _get("/staff/forms/{form_id}/send", ADMIN),
    _get("/staff/forms/{form_id}/follow-up", ADMIN, "sent and answered", kinds=("form", "form_answer")),
    _get("/staff/forms/{form_id}/follow-up", ADMIN, "just sent", query=f"unit={VC}&done=sent&sent=2&valid=1"),
    _get("/staff/form-answers/{request_id}", ADMIN),
    _get("/staff/form-answers/{request_id}", ADMIN, "a health declaration, red and green",
         kinds=("declaration_answer",)),
    _get("/staff/form-answers/{request_id}", ADMIN, "not answered yet", kinds=("form_request",)),
    _post("/staff/forms/{form_id}/send", ADMIN, "a line that is no personnummer", {
        "unit": VC, "personnummer": "12345", "due_on": "x"}, 400),
    _get("/staff/citizen-case", ADMIN),
    _get("/staff/case-settings", ADMIN, kinds=("reply",)),
    _get("/staff/case-types", ADMIN),
    _get("/staff/permissions", ADMIN),
    _get("/staff/permissions", ADMIN, "a search in the staff directory", query=f"unit={VC}&q=Nora"),
    _get("/staff/bookings", ADMIN, "a day with free and booked times", query=f"unit={VC}&day={{day}}",
         kinds=("booked_day",)),
    _get("/staff/bookings", ADMIN, "today"),
    _get("/staff/bookings/week", ADMIN, "a week with free and booked times", query=f"unit={VC}&day={{day}}",
         kinds=("booked_day",)),
    _get("/staff/bookings/book", ADMIN),
    _get("/staff/bookings/{booking_id}/move", ADMIN),
    _get("/staff/booking-rules", ADMIN),
    _get("/staff/summons", ADMIN, kinds=("appointment",)),
    _get("/staff/print-batch", ADMIN, "an evening with a file", query=f"unit={VC}&day={{day}}", kinds=("print_file",)),
    _post("/staff/new-message", ADMIN, "nothing filled in", {"unit": VC}, 400),
    _post("/staff/patients", ADMIN, "a patient found", lambda made: {"unit": VC, "personnummer": made.pnr("anna")}),
    _post("/staff/patients", ADMIN, "a patient with protected identity (the header hides name and address)",
          lambda made: {"unit": VC, "personnummer": made.pnr("maja")}),
    _post("/staff/patients", ADMIN, "a personnummer that is none", {"unit": VC, "personnummer": "12"}, 400),
    _post("/staff/citizen-case", ADMIN, "the recipient shown before sending", lambda made: {
        "unit": VC, "personnummer": made.pnr("anna"), "template": "question", "subject": "Fråga",
        "text": "Hur mår du?", "step": "preview"}),
    _post("/staff/citizen-case", ADMIN, "nothing filled in", {"unit": VC, "step": "preview"}, 400),
    _post("/staff/cases/{case_id}/answer", ADMIN, "an answer previewed", {
        "template": "counter_question", "text": "Vilken dos tar du?", "step": "preview"}, kinds=("taken_case",)),
    _post("/staff/case-types", ADMIN, "nothing filled in", {"owner": VC}, 400),
    _post("/staff/bookings/slots", ADMIN, "times that are none", {"unit": VC, "day": "x"}, 422),
    _post("/staff/booking-rules", ADMIN, "rules that are none", {"unit": VC, "visit_type": "x"}, 422),
    _post("/staff/summons", ADMIN, "nothing filled in", {"unit": VC}, 400),
    _post("/staff/settings", ADMIN, "a signature too long", {"signature": "x" * 5000}, 400),
    # a nurse (Eva): what a case receiver sees
    _get("/staff", NURSE),
    _get("/staff/cases", NURSE, kinds=("case",)),
    _get("/staff/cases/{case_id}", NURSE),
    _get("/staff/forms", NURSE, "a nurse: figures, no catalogue", kinds=("form",)),
    # the regional admin (Rut)
    _get("/staff", REGIONAL),
    _get("/staff/case-types", REGIONAL),
    _get("/staff/case-types/edit", REGIONAL),
    _get("/staff/case-types/preview", REGIONAL),
    _get("/staff/integration-keys", REGIONAL),
    _get("/staff/region/forms", REGIONAL, kinds=("region_form",)),
    _get("/staff/region/forms", REGIONAL, "just retired", query="done=retired"),
    _get("/staff/region/forms/{form_id}/edit", REGIONAL),
    _post("/staff/region/forms", REGIONAL, "a broken Questionnaire, every problem listed",
          {"questionnaire": _BROKEN_FORM}, 400),
    _post("/staff/region/forms/{form_id}/version", REGIONAL, "a broken version, every problem listed",
          {"questionnaire": _BROKEN_FORM}, 400, kinds=("region_form",)),
    _post("/staff/region/forms/{form_id}/edit", REGIONAL, "a question added without text or options, beside the fields",
          {"version": "1", "action": "add", "add_type": "choice", "add_text": "", "add_page": "new"}, 400,
          kinds=("region_form",)),
    _get("/staff/integration-keys/{key_id}/revoke", REGIONAL),
    _get("/staff/permissions", REGIONAL, "every unit's admins", query=""),
    _post("/staff/integration-keys", REGIONAL, "a new key's secret, shown once", lambda made: {
        "system_name": "HTML-kontroll", "scopes": "messages", "units": VC, "submission_id": made.fresh_id()}),
    _post("/staff/integration-keys", REGIONAL, "nothing filled in", lambda made: {"submission_id": made.fresh_id()},
          400),
    # the region's auditor (Alva)
    _get("/staff", AUDITOR),
    # Johan decides on protections (journal admin at Vårdcentralen Norrby)
    _get("/staff/protections", ADMIN, "the decisions at his unit"),
    _post("/staff/protections", ADMIN, "a personnummer that is none", {"personnummer": "12"}, 400),
    _get("/staff/persons/{citizen_id}/protections", ADMIN, "an adult, nothing in force"),
    _get("/staff/persons/{citizen_id}/protections", ADMIN, "a 14-year-old with a block, a hidden unit and a seal",
         kinds=("protected_child",)),
    _post("/staff/persons/{citizen_id}/protections/block-guardian", ADMIN, "a block without a reason, beside the field",
          lambda made: {"unit": VC, "guardian": made.world.citizen_ids["karin"]}, 400, kinds=("young_teen",)),
    _get("/journal/seal", CIT_A),
    _get("/staff/audit", AUDITOR),
    _post("/staff/audit", AUDITOR, "a patient's extract", lambda made: {"personnummer": made.pnr("anna")}),
    _post("/staff/audit", AUDITOR, "a personnummer that is none", {"personnummer": "12"}, 400),
    # usage statistics: Johan for his unit, Rut for the region; a month typed wrong, beside the field
    _get("/staff/statistics", ADMIN, "his unit's last twelve months"),
    _get("/staff/statistics", REGIONAL, "the region's last twelve months", query="unit=region"),
    _get("/staff/statistics", REGIONAL, "a month typed wrong", query="unit=region&from=2026-13", status=400),
)


def _page_routes() -> set[str]:
    """Every GET route of the route table outside the JSON APIs."""
    from chalicelib.api.route_table import ROUTES

    return {f"GET {path}" for path, methods, *_ in ROUTES if "GET" in methods and not path.startswith(JSON_PREFIXES)}


def test_every_page_route_is_visited_or_said_not_to_be_a_page():
    """A GET route added without a visit (or a reason it is no page) fails here: see this file's docstring."""
    routes = _page_routes()
    visited = {v.route for v in VISITS if v.route.startswith("GET ")}
    missing = routes - visited - set(NOT_PAGES)
    assert not missing, f"GET routes neither visited nor listed in NOT_PAGES (tests/integration/test_html_valid.py): " \
                        f"{sorted(missing)}"
    gone = (visited | set(NOT_PAGES)) - routes
    assert not gone, f"visits or NOT_PAGES entries for routes the app no longer has: {sorted(gone)}"
    assert not visited & set(NOT_PAGES), f"both visited and said to be no page: {sorted(visited & set(NOT_PAGES))}"
    from chalicelib.api.route_table import ROUTES

    routes_with_methods = {f"{m} {path}" for path, methods, *_ in ROUTES for m in methods}
    assert not {v.route for v in VISITS} - routes_with_methods, "a visit to a route the app does not have"


# -- the resources the pages show ---------------------------------------------------------------------
class Made:
    """The matrix's resources (World.make), each made once for all visits, and a few more this test
    needs so that pages show their fuller states."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.cache: dict[str, dict[str, str]] = {}
        self._ids = 0

    def params(self, kinds: tuple[str, ...]) -> dict[str, str]:
        params: dict[str, str] = {}
        for kind in kinds:
            if kind not in self.cache:
                maker = getattr(self, f"_make_{kind}", None)
                self.cache[kind] = maker() if maker else self.world.make(kind)
            params.update(self.cache[kind])
        return params

    def pnr(self, sub: str) -> str:
        return self.world.region.people[sub].personnummer

    def fresh_id(self) -> str:
        self._ids += 1
        return f"html-check-{self._ids:04d}"

    def threads(self, who: str) -> list[dict[str, str]]:
        """Every thread in the caller's inbox."""
        listed = self.world.callers[who].browser.get("/api/v1/inbox").json_body["threads"]
        return [{"message_id": thread["messages"][0]["message_id"]} for thread in listed]

    def _staff_json(self, who: str, method: str, path: str, body: Any = None) -> Any:
        caller = self.world.callers[who]
        response = caller.browser.request(method, path, headers={
            "Content-Type": "application/json", "X-CSRF-Token": caller.csrf}, body=json.dumps(body or {}).encode())
        assert response.status_code < 300, (path, response.status_code, response.body[:400])
        return response.json_body

    def _make_renewal_case(self) -> dict[str, str]:
        """Anna renews her paracetamol from the list (Förnya recept) at unit A."""
        anna = self.world.callers[CIT_A].browser
        page = anna.page("/medicines")
        form = re.search(rf'<form method="post" action="/medicines/renew".*?value="{VC}".*?</form>', page, re.S).group(0)
        submission = re.search(r'name="submission_id" value="([^"]+)"', form).group(1)
        response = anna.post_form("/medicines/renew", {
            "csrf_token": self.world.callers[CIT_A].csrf, "submission_id": submission, "unit": VC,
            "medicine": "cosmic/MedicationRequest/med-anna-3", "accept_terms": "yes"})  # fmt: skip
        assert response.status_code == 303, response.body[:600]
        return {"case_id": response.headers["Location"].split("?")[0].rsplit("/", 1)[1]}

    def _make_listing_sent(self) -> dict[str, str]:
        """Anna asks to be listed at Vårdcentralen Älvby."""
        anna = self.world.callers[CIT_A].browser
        page = anna.page("/listing")
        submission = re.search(r'name="submission_id" value="([^"]+)"', page).group(1)
        response = anna.post_form("/listing", {"csrf_token": self.world.callers[CIT_A].csrf,
                                               "submission_id": submission, "unit": "SE2321000099-VC02"})
        assert response.status_code == 303, response.body[:600]
        return {}

    def _make_taken_case(self) -> dict[str, str]:
        case_id = self.world.make("case")["case_id"]
        self._staff_json(ADMIN, "POST", f"/api/v1/staff/cases/{case_id}/take")
        return {"case_id": case_id}

    def _make_answered_case(self) -> dict[str, str]:
        """A case the unit answered with a counter-question: the citizen's page has a reply form."""
        case_id = self._make_taken_case()["case_id"]
        self._staff_json(ADMIN, "POST", f"/api/v1/staff/cases/{case_id}/answer",
                         {"template": "counter_question", "text": "Vilken dos tar du i dag?"})
        return {"case_id": case_id}

    def _make_resulted_order(self) -> dict[str, str]:
        """Anna's covid test with a positive result: in her inbox, on the clinic's follow-up list."""
        order_id = self.world.make("kit_order")["order_id"]
        self.world._integration("POST", "/integration/v1/lab-results", {
            "order_id": order_id, "analysed_at": "2026-11-20T10:00:00+01:00",
            "analyses": [{"analysis": "sars_cov_2", "outcome": "positive"}]})  # fmt: skip
        return {"order_id": order_id}

    def _make_released_summons(self) -> dict[str, str]:
        """A summons to Anna, released in its evening: in her inbox with its rebook and cancel buttons."""
        from datetime import datetime, time as clock_time, timezone

        from chalicelib.domain import clock
        from chalicelib.domain.clock import STOCKHOLM
        from chalicelib.services import summons

        appointment = self.params(("appointment",))
        evening = datetime.combine(summons.rules.release_date(clock.utc_now()), clock_time(18, 0), tzinfo=STOCKHOLM)
        assert summons.release_due(self.world.ports(), evening.astimezone(timezone.utc)).released >= 1
        self.world.region.follow_up()
        return appointment

    def _make_child_message(self) -> dict[str, str]:
        """A message to Elsa (9), read by her guardian."""
        body = {"sender_unit_hsa_id": VC, "personnummer": self.pnr("elsa"), "topic": "Vaccination",
                "subject": "Dags för vaccination", "body": "Välkommen till skolsköterskan."}  # fmt: skip
        return {"message_id": self.world._integration("POST", "/integration/v1/messages", body)["message_id"]}

    def _make_booked_day(self) -> dict[str, str]:
        """A day of the Tidbok full of Region Demo's times (a column per practitioner and room), one booked."""
        from chalicelib.domain import clock
        from demo import region_demo

        region_demo.seed_slots(self.world.ports(), self.world.region.today)
        booked = self.world.ports().bookings.get(self.params(("booking",))["booking_id"])
        return {"day": clock.stockholm_date(booked.start).isoformat()}

    def _make_free_slot(self) -> dict[str, str]:
        """The matrix's free time, and its day."""
        from chalicelib.domain import clock

        made = self.world.make("free_slot")
        return {**made, "day": clock.stockholm_date(self.world.ports().slots.get(made["slot_id"]).start).isoformat()}

    def _make_pending_email(self) -> dict[str, str]:
        """An e-mail address waiting for its code (the settings page shows the code's field)."""
        anna = self.world.callers[CIT_A]
        response = anna.browser.post_form("/settings/contact", {
            "csrf_token": anna.csrf, "channel": "email", "address": "anna@example.se"})  # fmt: skip
        assert response.status_code == 303, response.body[:400]
        return {}

    def _make_declaration_answer(self) -> dict[str, str]:
        """A health declaration unit A sent to Anna, answered: one medically relevant answer red, one green."""
        import uuid
        from datetime import timedelta

        from chalicelib.domain import clock
        from chalicelib.domain import questionnaire as q
        from chalicelib.domain.roles import RoleAtUnit, StaffRole
        from chalicelib.services import forms
        from chalicelib.services.principals import CitizenPrincipal, StaffPrincipal

        ports, now = self.world.ports(), clock.utc_now()
        medical = [{"url": q.MEDICALLY_RELEVANT, "valueBoolean": True}]
        options = [{"valueCoding": {"code": "ja", "display": "Ja"},
                    "extension": [{"url": q.ATTENTION, "valueBoolean": True}]},
                   {"valueCoding": {"code": "nej", "display": "Nej"}}]  # fmt: skip
        resource, form = forms.read_questionnaire(json.dumps({
            "resourceType": "Questionnaire", "status": "active", "title": "Hälsodeklaration",
            "extension": [{"url": q.FORM_KIND, "valueCode": "health-declaration"}],
            "item": [{"linkId": "allergi", "type": "choice", "text": "Allergi?", "answerOption": options,
                      "extension": medical},
                     {"linkId": "blod", "type": "choice", "text": "Blodförtunnande?", "answerOption": options,
                      "extension": medical}]}))  # fmt: skip
        form_id = forms.publish(ports, resource, form, "html-check", now).form_id
        admin = StaffPrincipal("SE2321000099-P002", "Johan Ström", (RoleAtUnit(VC, StaffRole.LOCAL_ADMIN),
                                                                    RoleAtUnit(VC, StaffRole.CASE_HANDLER)), "x")
        forms.subscribe(ports, admin, VC, form_id, now)
        sent = forms.send(ports, admin, VC, {"form_id": form_id, "personnummer": self.pnr("anna"),
                                             "due_on": (clock.stockholm_date(now) + timedelta(days=7)).isoformat(),
                                             "dispatch_id": str(uuid.uuid4())}, now)  # fmt: skip
        anna = CitizenPrincipal(self.world.citizen_ids["anna"], "Anna", None, None, "x")
        forms.post_page(ports, anna, sent.request_ids[0], 0, {"allergi": ["ja"], "blod": ["nej"]}, "send", now)
        return {"request_id": sent.request_ids[0]}

    def tomorrow(self) -> str:
        from datetime import timedelta

        from chalicelib.domain import clock

        return (clock.stockholm_date(clock.utc_now()) + timedelta(days=1)).isoformat()

    def _make_form_package(self) -> dict[str, str]:
        """A package unit A planned to Anna and Ali: its first part sent, two planned."""
        import uuid
        from datetime import timedelta

        from chalicelib.domain import clock
        from chalicelib.services import forms

        ports, now = self.world.ports(), clock.utc_now()
        form_id = self.params(("form",))["form_id"]
        today = clock.stockholm_date(now)
        parts = [(form_id, (today + timedelta(days=n)).isoformat()) for n in (1, 30, 90)]
        package_id = forms.schedule_package(ports, self.world._form_admin(), VC, parts, {
            "personnummer": f"{self.pnr('anna')}\n{self.pnr('ali')}", "answer_days": "10", "remind_days_before": "2",
            "dispatch_id": str(uuid.uuid4())}, now)  # fmt: skip
        assert forms.send_package_part(ports, {"package_id": package_id, "part": 0}, now) == "sent"
        return {"unit_hsa_id": VC}

    def _make_stopped_form(self) -> dict[str, str]:
        """A form unit A used, offered, then stopped using (its settings box gives way to "use again")."""
        from chalicelib.domain import clock
        from chalicelib.services import form_admin

        ports, now = self.world.ports(), clock.utc_now()
        form_id = self.world.make("stoppable_form")["form_id"]
        admin = self.world._form_admin()
        form_admin.change_settings(ports, admin, VC, form_id, {"retention_days": "30", "offered": "yes"}, now)
        form_admin.stop_using(ports, admin, VC, form_id, now)
        return {"stopped_form_id": form_id}

    def _make_fresh_citizen(self) -> dict[str, str]:
        return {}

    def _make_young_teen(self) -> dict[str, str]:
        """A child of Karin's aged 14, nothing decided yet: every decision's form shows."""
        from datetime import timedelta

        return {"citizen_id": self.world.make_person(self.world.region.today - timedelta(days=14 * 365 + 40),
                                                     guardians=("karin",))}  # fmt: skip

    def _make_protected_child(self) -> dict[str, str]:
        """A child of Karin's aged 14 with Karin blocked, the unit's journal hidden and the journal sealed."""
        from chalicelib.domain import clock
        from chalicelib.domain.roles import RoleAtUnit, StaffRole
        from chalicelib.services import protections
        from chalicelib.services.principals import StaffPrincipal

        child = self._make_young_teen()["citizen_id"]
        johan = StaffPrincipal("SE2321000099-P002", "Johan Ström", (RoleAtUnit(VC, StaffRole.JOURNAL_ADMIN),), "x")
        ports, now = self.world.ports(), clock.utc_now()
        protections.block_guardian(ports, johan, child, VC, self.world.citizen_ids["karin"], "Risk för barnet", now)
        protections.hide_unit(ports, johan, child, VC, None, now)
        protections.seal(ports, johan, child, VC, "På barnets begäran", now)
        protections.lift(ports, johan, child, "seal", VC, now)
        protections.seal(ports, johan, child, VC, "Igen", now)
        return {"citizen_id": child}


# -- the pass over the pages --------------------------------------------------------------------------
@dataclass
class Page:
    file: Path
    address: str
    lang: str
    who: str
    state: str


@pytest.fixture(scope="module")
def world(providers, today):
    with world_of_callers(providers, today) as shared:
        nurse = shared.region.browser()
        nurse.login("eva", "staff")
        shared.callers[NURSE] = Caller(nurse, csrf=nurse.csrf_token("/api/v1/staff/me"))
        shared.callers[ANON] = Caller(shared.region.browser())
        yield shared


def _rendered_templates(monkeypatch) -> set[str]:
    """The names of the templates rendered from now on (a page's own, and those it extends or includes)."""
    from chalicelib.web import render

    environment = render._environment()
    seen: set[str] = set()
    original = environment.get_template

    def get_template(name: Any, *args: Any, **kwargs: Any) -> Any:
        seen.add(str(name))
        return original(name, *args, **kwargs)

    monkeypatch.setattr(environment, "get_template", get_template)
    return seen


class Pass:
    """The visits of one test run: each page answered is kept as a file, anything else is a failure."""

    def __init__(self, world: World, made: Made, directory: Path) -> None:
        self.world, self.made, self.directory = world, made, directory
        self.pages: list[Page] = []
        self.failures: list[str] = []
        self.routes_seen: Counter[str] = Counter()

    def speak(self, lang: str) -> None:
        """Every caller chooses the language, as a person does with the "In English" / "På svenska" link."""
        for caller in self.world.callers.values():
            if caller.browser is not None:
                response = caller.browser.get(f"/language?lang={lang}&next=/")
                assert response.status_code == 303 and caller.browser.cookies.get("lang") == lang

    def keep(self, response: Any, address: str, lang: str, who: str, state: str, route: str) -> None:
        content_type = response.headers.get("Content-Type", "")
        if not content_type.startswith("text/html"):
            self.failures.append(f"{address} [{lang}, {who}]: {content_type!r}, not a page")
            return
        body = response.body if isinstance(response.body, bytes) else str(response.body).encode()
        lang_attribute = re.search(rb'<html lang="([a-z]+)"', body)
        if not lang_attribute or lang_attribute.group(1).decode() != lang:
            found = lang_attribute.group(0).decode() if lang_attribute else "no <html lang>"
            self.failures.append(f"{address} [{lang}, {who}]: not in {lang} ({found})")
        file = self.directory / f"{len(self.pages):03d}-{lang}.html"
        file.write_bytes(body)
        self.pages.append(Page(file, address, lang, who, state))
        self.routes_seen[f"{route} {lang}"] += 1

    def visit(self, visit: Visit, lang: str) -> None:
        kinds, query = _kinds_and_query(visit)
        with pytest.MonkeyPatch.context() as patched:
            if visit.patch:
                module, name, value = visit.patch
                patched.setattr(f"{module}.{name}", value)
            self._visit(visit, lang, kinds, query)

    def _visit(self, visit: Visit, lang: str, kinds: tuple[str, ...], query: str) -> None:
        for extra in visit.each(self.made) if visit.each else [{}]:
            params = {**self.made.params(kinds), **extra}
            method, template = visit.route.split(" ", 1)
            address = template.format(**params) + (f"?{query.format(**params)}" if query else "")
            caller = self.world.callers[visit.who]
            browser = caller.browser
            if method == "GET":
                response = browser.get(address, headers=HTML)
            else:
                csrf = caller.csrf
                if "fresh_citizen" in kinds:  # a logout ends the session: a login of its own
                    browser = self.world.region.browser()
                    browser.login("anna")
                    browser.get(f"/language?lang={lang}&next=/")
                    csrf = browser.csrf_token()
                fields = visit.fields(self.made) if callable(visit.fields) else dict(visit.fields or {})
                response = browser.request("POST", address, headers={
                    **HTML, "Content-Type": "application/x-www-form-urlencoded"},
                    body=_urlencode({"csrf_token": csrf, **fields}))  # fmt: skip
            label = f"{method} {address}" + (f" ({visit.state})" if visit.state else "")
            if response.status_code != visit.status:
                self.failures.append(f"{label} [{lang}, {visit.who}]: {response.status_code}, expected "
                                     f"{visit.status}: {response.body[:300]!r}")  # fmt: skip
                continue
            self.keep(response, label, lang, visit.who, visit.state, visit.route)

    def not_a_page(self, route: str) -> None:
        row = ROWS[route]
        params = self.made.params(row.params)
        address = route.split(" ", 1)[1].format(**params) + (f"?{row.query.format(**params)}" if row.query else "")
        for who in (ANON, CIT_A, ADMIN):
            response = self.world.callers[who].browser.get(address, headers=HTML)
            if response.headers.get("Content-Type", "").startswith("text/html"):
                self.failures.append(f"{route} is in NOT_PAGES but answers {who} with a page ({response.status_code})")


def _kinds_and_query(visit: Visit) -> tuple[tuple[str, ...], str]:
    """The resources a visit's path needs and its query: its own, else the authorisation matrix's."""
    row = ROWS.get(visit.route)
    kinds = visit.kinds if visit.kinds is not None else (row.params if row else ())
    return kinds, visit.query if visit.query is not None else (row.query if row else "")


def _urlencode(fields: dict[str, str]) -> bytes:
    import urllib.parse

    return urllib.parse.urlencode(fields).encode()


def _check(files: list[Path]) -> list[dict[str, Any]]:
    """One run of the Nu HTML Checker over every file: its errors (JSON, --errors-only)."""
    java = shutil.which("java")
    assert java, "no Java runtime: `make test` installs Debian's default-jre-headless"
    assert VNU_JAR.is_file(), f"{VNU_JAR} is missing: `make install` installs it (tools/html-checker)"
    done = subprocess.run([java, "-jar", str(VNU_JAR), "--errors-only", "--format", "json", "--stdout",
                           "--exit-zero-always", *map(str, files)], capture_output=True, text=True, timeout=600)  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)["messages"]


def test_every_page_is_valid_html_in_swedish_and_english(world, tmp_path, monkeypatch):
    started = time.monotonic()
    rendered = _rendered_templates(monkeypatch)
    made = Made(world)
    run = Pass(world, made, tmp_path)
    for visit in VISITS:  # everything the pages show, made first: both languages see the same
        made.params(_kinds_and_query(visit)[0])
    making = time.monotonic() - started
    world.region.follow_up()
    # The pages only read, and the forms posted write nothing a page here shows: the follow-ups wait
    # for the end. Run around every request, as the harness runs them, they took four fifths of this
    # test's time (the local consumer polls moto's stream twice a request).
    with monkeypatch.context() as paused:
        paused.setattr(world.region.events, "drain", lambda: 0)
        _visit_every_page(run, world, monkeypatch)
    world.region.follow_up()
    visiting = time.monotonic() - started - making

    pages_missing = [f"{route} {lang}" for route in {v.route for v in VISITS} for lang in LANGUAGES
                     if not run.routes_seen[f"{route} {lang}"]]  # fmt: skip
    templates = {p.name for p in TEMPLATES.glob("*.html")}
    unrendered = sorted(templates - rendered)
    assert not run.failures, "pages that could not be checked:\n  " + "\n  ".join(run.failures)
    assert not pages_missing, f"routes not visited: {pages_missing}"
    assert not unrendered, f"templates no visit rendered (add a visit that shows them): {unrendered}"

    errors = _check([p.file for p in run.pages])
    by_file = {p.file.resolve().as_uri(): p for p in run.pages}
    by_file.update({f"file:{p.file.resolve()}": p for p in run.pages})
    report = []
    for message in errors:
        page = by_file.get(message.get("url", ""))
        where = (f"{page.file.name}: {page.address} [{page.lang}, {NAMES.get(page.who, page.who)}]" if page
                 else message.get("url", "?"))  # fmt: skip
        report.append(f"{where} line {message.get('lastLine', '?')}: {message.get('message')}"
                      f"\n      {message.get('extract', '').strip()!r}")  # fmt: skip
    per_language = Counter(p.lang for p in run.pages)
    routes = {r.rsplit(" ", 1)[0] for r in run.routes_seen if r.startswith(("GET ", "POST "))}
    print(f"\nHTML checked: {len(run.pages)} pages, {' + '.join(f'{n} in {lang}' for lang, n in per_language.items())}"
          f" ({len(routes)} routes, the 404 and 500 pages, the local outbox in Swedish only); making what they show "
          f"{making:.1f} s, visiting {visiting:.1f} s, checking {time.monotonic() - started - making - visiting:.1f} s")  # fmt: skip
    assert not errors, f"{len(errors)} HTML errors (Nu HTML Checker):\n  " + "\n  ".join(report)


def _visit_every_page(run: Pass, world: World, monkeypatch: Any) -> None:
    for lang in LANGUAGES:
        run.speak(lang)
        for visit in VISITS:
            run.visit(visit, lang)
        # Not routes: an unknown address, and a failure inside, both in the site's frame.
        anonymous = world.callers[ANON].browser
        run.keep(anonymous.get("/no-such-page", headers=HTML), "GET /no-such-page (404)", lang, ANON, "404", "404")
        with monkeypatch.context() as broken:
            from chalicelib.api import pages

            broken.setattr(pages, "_landing", _fail)
            response = anonymous.get("/", headers=HTML)
            assert response.status_code == 500
            run.keep(response, "GET / (500)", lang, ANON, "500", "500")
    # The local stack's page of e-mail and SMS sent (served in Swedish only, not a route of the app's table).
    run.keep(_dev_outbox(), "GET /dev/outbox (local stack)", "sv", ANON, "", "dev")
    for route in sorted(NOT_PAGES):
        run.not_a_page(route)


def _fail(*args: Any, **kwargs: Any) -> Any:
    raise RuntimeError("a failure inside, for the 500 page")


def _dev_outbox() -> Any:
    from chalicelib.api.http import render_page

    return render_page("dev_outbox.html", "sv", staff=False,
                       emails=[{"to": "anna@example.se", "subject": "Nytt meddelande", "body": "Logga in och läs."}],
                       sms=[{"to": "+46701234567", "text": "Nytt meddelande i inkorgen."}])  # fmt: skip
