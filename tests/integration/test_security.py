"""Security (issue 16): what a tester of a health portal tries. A unit's key stays in its units and
never changes the population register; `next` stays on the site; bad input gets a clear 400 with a
code and writes nothing; a bad key is a 401 whatever the body; headers and cookies are strict; a
staff download of the print batch shows in each person's access log."""

from __future__ import annotations

import json
import re
import urllib.parse
from datetime import date, datetime, time, timedelta, timezone

import pytest

from chalicelib.adapters.tables import InboxMessageRecord, IntegrationClient, RegisterAuditRecord
from chalicelib.bootstrap import ports
from chalicelib.domain import clock
from chalicelib.domain.clock import STOCKHOLM
from chalicelib.domain.personnummer import parse, with_check_digit
from chalicelib.services import self_tests, summons
from chalicelib.services.integration import issue_key
from tests.integration.harness import on_working_day

VC, KA, HS = "SE2321000099-VC01", "SE2321000099-KA01", "SE2321000099-HS01"
REGISTER = "/integration/v1/population-register/persons"
MESSAGES = "/integration/v1/messages"
STI, COVID = "klamydia-gonorre", "covid-pcr"  # followed up at HS01 and at VC01


def _citizen_id(region, sub: str) -> str:
    return ports().identities.find(parse(region.people[sub].personnummer, region.today))


def _logged_in(region, sub: str, audience: str = "citizen"):
    browser = region.browser()
    browser.login(sub, audience)
    return browser


def _sigge_update(region, **changes):
    sigge = region.people["sigge"]
    body = {"personnummer": sigge.personnummer, "given_name": "Sigge", "family_name": "Lind",
            "protected_identity": True, "guardians": [region.people["karin"].personnummer]}  # fmt: skip
    body.update(changes)
    return body


# -- the population register: the region's feed only, every change audited ----------------------------


def test_a_unit_key_cannot_change_guardians_or_protection_in_the_register(region):
    # Given a key for the STI clinic that even holds the register scope
    unit_key = issue_key(ports(), system_name="Hud", allowed_units={HS}, scopes={"population-register"},
                         now=clock.utc_now())  # fmt: skip
    sigge_before = ports().register.get(_citizen_id(region, "sigge"))
    # When it tries to lift Sigge's protection and name Anna as his guardian
    response = region.integration("POST", REGISTER, _sigge_update(
        region, protected_identity=False, guardians=[region.people["anna"].personnummer]), key=unit_key)
    # Then it is refused, and Sigge's record, his audit trail and Anna's children are as they were
    assert response.status_code == 403 and response.json_body["code"] == "region_wide_key_required"
    assert ports().register.get(sigge_before.citizen_id) == sigge_before
    assert ports().register.changes_of(sigge_before.citizen_id) == []
    anna = _logged_in(region, "anna")
    assert anna.get("/api/v1/me").json_body["can_act_for"] == []


def test_each_change_of_guardians_or_protection_by_the_register_feed_is_audited(region):
    # Given the region's register feed (the demo's region-wide key)
    key_id = region.integration_key.split(".")[0]
    sigge = _citizen_id(region, "sigge")
    karin, anna = _citizen_id(region, "karin"), _citizen_id(region, "anna")
    # When it adds Anna as Sigge's second guardian, sends the same again, then lifts his protection
    both = [region.people["karin"].personnummer, region.people["anna"].personnummer]
    assert region.integration("POST", REGISTER, _sigge_update(region, guardians=both),
                              idempotency_key="audit-0001").status_code == 200  # fmt: skip
    assert region.integration("POST", REGISTER, _sigge_update(region, guardians=both, given_name="Sigurd"),
                              idempotency_key="audit-0002").status_code == 200  # a name only: nothing to audit
    assert region.integration("POST", REGISTER, _sigge_update(region, guardians=both, protected_identity=False),
                              idempotency_key="audit-0003").status_code == 200  # fmt: skip
    # Then two audit records say which key changed what, from what to what, and when (ids, no personnummer)
    protection, guardians = ports().register.changes_of(sigge)
    assert guardians.changes == {"guardians"} and guardians.key_id == key_id
    assert guardians.system_name == "Demo journalsystem"
    assert guardians.guardians_before == {karin} and guardians.guardians_after == {karin, anna}
    assert protection.changes == {"protected_identity"}
    assert (protection.protected_before, protection.protected_after) == (True, False)
    assert protection.changed_at >= guardians.changed_at
    stored = json.dumps([r.attribute_values for r in RegisterAuditRecord.query(sigge)], default=str)
    assert region.people["karin"].personnummer not in stored and region.people["sigge"].personnummer not in stored


# -- lab results and kit orders: the key's units only ----------------------------------------------------


def _order(region, sub: str, test_id: str, pickup: str) -> str:
    browser = _logged_in(region, sub)
    page = browser.page(f"/self-tests/{test_id}")
    form = {name: re.search(rf'name="{name}" value="([^"]+)"', page).group(1) for name in ("csrf_token", "submission_id")}
    assert browser.post_form(f"/self-tests/{test_id}", {**form, "delivery": "pickup",
                                                        "pickup_point": pickup}).status_code == 303  # fmt: skip
    return next(r.order_id for r in ports().kit_orders.of_citizen(_citizen_id(region, sub)) if r.test_id == test_id)


def test_a_unit_key_sees_and_answers_only_its_own_units_kit_orders(region):
    # Given Anna has ordered an STI kit (the STI clinic's) and a covid kit (the health centre's)
    sti = _order(region, "anna", STI, "Apoteket Norrby, Norrbygatan 2")
    covid = _order(region, "anna", COVID, "Vårdcentralen Norrby, entrén")
    health_centre = issue_key(ports(), system_name="VC-lab", allowed_units={VC}, scopes={"lab-results"},
                              now=clock.utc_now())  # fmt: skip
    # When the health centre's key lists the orders to ship
    listed = region.integration("GET", "/integration/v1/kit-orders?status=ordered", None, key=health_centre)
    # Then it sees its own order only: not the STI clinic's, nor its address
    assert listed.status_code == 200
    assert [o["order_id"] for o in listed.json_body["orders"]] == [covid]
    # And it cannot post a result, or mark as sent or received, the STI clinic's order
    result = {"order_id": sti, "analyses": [{"analysis": "chlamydia", "outcome": "positive"},
                                            {"analysis": "gonorrhoea", "outcome": "negative"}]}  # fmt: skip
    posted = region.integration("POST", "/integration/v1/lab-results", result, key=health_centre,
                                idempotency_key="other-unit-0001")  # fmt: skip
    assert posted.status_code == 422 and posted.json_body["code"] == "order_unknown"
    sent = region.integration("POST", f"/integration/v1/kit-orders/{sti}/sent", {"kit_number": "KIT-9"},
                              key=health_centre)  # fmt: skip
    assert sent.status_code == 404 and sent.json_body["code"] == "order_not_found"
    received = region.integration("POST", f"/integration/v1/kit-orders/{sti}/received", {}, key=health_centre)
    assert received.status_code == 404
    stored = ports().kit_orders.by_order(sti)
    assert stored.status == "ordered" and stored.result is None
    # While the STI clinic's own key sees it and may answer it
    clinic = issue_key(ports(), system_name="HS-lab", allowed_units={HS}, scopes={"lab-results"}, now=clock.utc_now())
    mine = region.integration("GET", "/integration/v1/kit-orders?status=ordered", None, key=clinic)
    assert [o["order_id"] for o in mine.json_body["orders"]] == [sti]


def test_a_forged_or_borrowed_cursor_is_refused_before_any_lookup(region, monkeypatch):
    # Given two orders of the health centre and pages of one
    monkeypatch.setattr(self_tests, "PAGE_MAX", 1)
    _order(region, "anna", COVID, "Vårdcentralen Norrby, entrén")
    _order(region, "karin", COVID, "Vårdcentralen Norrby, entrén")
    path = "/integration/v1/kit-orders?status=ordered"
    first = region.integration("GET", path, None)
    cursor = first.json_body["next_cursor"]
    second = region.integration("GET", f"{path}&cursor={urllib.parse.quote(cursor)}", None)
    assert second.status_code == 200 and len(second.json_body["orders"]) == 1
    assert second.json_body["orders"] != first.json_body["orders"]
    # When a cursor is forged, tampered with, or taken to another key or another query
    other_key = issue_key(ports(), system_name="VC-lab", allowed_units={VC}, scopes={"lab-results"},
                          now=clock.utc_now())  # fmt: skip
    token, mac = cursor.split(".")
    forged = [
        "abc", "{}", "e30", json.dumps({"citizen_id": {"S": "x"}}),
        f"{token}.{'0' * len(mac)}", f"{token[:-2]}AA.{mac}", "." * 3, "x" * 5000,
    ]
    for bad in forged:
        response = region.integration("GET", f"{path}&cursor={urllib.parse.quote(bad)}", None)
        # Then each is a clear 400, never a 500
        assert response.status_code == 400 and response.json_body["code"] == "cursor_invalid", bad
    borrowed = region.integration("GET", f"{path}&cursor={urllib.parse.quote(cursor)}", None, key=other_key)
    assert borrowed.status_code == 400 and borrowed.json_body["code"] == "cursor_invalid"
    other_query = region.integration("GET", f"/integration/v1/kit-orders?status=sent&cursor={urllib.parse.quote(cursor)}",
                                     None)  # fmt: skip
    assert other_query.status_code == 400


# -- appointments and messages: the key's units on every call --------------------------------------------


def _appointment_body(region, sub: str) -> dict:
    start = on_working_day(5, 10)  # the clinic is open on working days
    return {"unit_hsa_id": KA, "personnummer": region.people[sub].personnummer, "visit_type_id": "arskontroll",
            "start": start.isoformat(), "end": (start + timedelta(minutes=30)).isoformat()}


def test_a_key_that_lost_a_unit_no_longer_reaches_that_units_appointments_or_messages(region):
    # Given the journal system booked a visit and sent a message for the cardiology clinic
    booked = region.integration("POST", "/integration/v1/appointments", _appointment_body(region, "anna"),
                                idempotency_key="lost-unit-0001")  # fmt: skip
    appointment_id = booked.json_body["appointment_id"]
    sent = region.integration("POST", MESSAGES, {"sender_unit_hsa_id": KA, "personnummer":
                              region.people["anna"].personnummer, "topic": "T", "subject": "S", "body": "B"},
                              idempotency_key="lost-unit-0002")  # fmt: skip
    message_id = sent.json_body["message_id"]
    # When the region takes the clinic off the key
    key_id = region.integration_key.split(".")[0]
    IntegrationClient(key_id).update(actions=[IntegrationClient.allowed_units.delete({KA})])
    # Then the key gets "not found" for them, and cannot change or cancel the visit
    for method, path in (("GET", f"/integration/v1/appointments/{appointment_id}"),
                         ("PATCH", f"/integration/v1/appointments/{appointment_id}"),
                         ("DELETE", f"/integration/v1/appointments/{appointment_id}"),
                         ("GET", f"{MESSAGES}/{message_id}")):  # fmt: skip
        response = region.integration(method, path, {"place": "Annanstans"})
        assert response.status_code == 404, (method, path, response.body)
    assert ports().bookings.get(appointment_id).status.value == "booked"


# -- next: a path on this site ---------------------------------------------------------------------------


@pytest.mark.parametrize("raw_next", [
    "/%09/evil.example/x", "/%0A/x", "/%0D%0A/evil.example", "//evil.example/x", "/\\evil.example",
    "%2F%2Fevil.example", "/%252F/evil.example", "https://evil.example/", "javascript:alert(1)",
    "/%5Cevil.example", "%09//evil.example", "/%E2%80%A8/x", "", "evil.example",
])  # fmt: skip
def test_the_language_switch_never_sends_the_browser_off_the_site(region, raw_next):
    # Given a link someone crafted, When a citizen follows it
    response = region.browser().get(f"/language?lang=sv&next={raw_next}")
    # Then the browser stays on the site: the front page
    assert response.status_code == 303
    assert response.headers["Location"] == "/"


def test_the_language_switch_goes_back_to_a_page_on_the_site(region):
    response = region.browser().get("/language?lang=en&next=/self-tests%3Ftab%3D1")
    assert response.status_code == 303 and response.headers["Location"] == "/self-tests?tab=1"
    assert any(c.startswith("lang=en;") for c in response.headers["Set-Cookie"])


# -- bad input: a clear 400 with a code, nothing written -------------------------------------------------


def _message(region, **changes) -> dict:
    body = {"sender_unit_hsa_id": VC, "personnummer": region.people["anna"].personnummer, "topic": "Provsvar",
            "subject": "Ditt provsvar", "body": "Rad ett\nRad två\tmed tabb"}  # fmt: skip
    body.update(changes)
    return body


def _inbox_size(region, sub: str) -> int:
    return InboxMessageRecord.count(_citizen_id(region, sub))


@pytest.mark.parametrize("raw, code", [
    (b'{"a":' * 33 + b"1" + b"}" * 33, "json_too_deep"),
    (b"[" * 100_000 + b"]" * 100_000, "json_too_deep"),
    (b'{"topic": "\\ud800"}', "invalid_unicode"),
    (b'{"topic": "a\\udc00b"}', "invalid_unicode"),
    (b'{"topic": "bell\\u0007"}', "control_character"),
    (b'{"topic": "nul\\u0000"}', "control_character"),
    (b'{"topic": "esc\\u001b[31m"}', "control_character"),
    (b'{"to\\u0000pic": "x"}', "control_character"),
    (b'{"topic": NaN}', "malformed_json"),
    (b'\xff\xfe', "malformed_json"),
])  # fmt: skip
def test_bad_json_is_a_clear_400_and_writes_nothing(region, raw, code):
    # Given Anna's inbox, When a care system sends a body no one should accept
    before = _inbox_size(region, "anna")
    response = region.integration("POST", MESSAGES, None, raw=raw, idempotency_key="bad-json-0001")
    # Then a 400 with a code, and nothing delivered
    assert response.status_code == 400, response.body[:200]
    assert response.json_body["code"] == code
    assert _inbox_size(region, "anna") == before


def test_texts_keep_line_breaks_and_tabs_but_no_other_control_characters(region):
    refused = region.integration("POST", MESSAGES, _message(region, subject="Ditt\u0085provsvar"),
                                 idempotency_key="ctrl-0001")  # fmt: skip
    assert refused.status_code == 400 and refused.json_body["code"] == "control_character"
    # Windows line breaks become plain ones; tabs and line breaks stay
    accepted = region.integration("POST", MESSAGES, _message(region, body="Rad ett\r\nRad två\tmed tabb"),
                                  idempotency_key="ctrl-0002")  # fmt: skip
    assert accepted.status_code == 201
    (message, _) = ports().inbox.find(accepted.json_body["message_id"])
    assert message.body == "Rad ett\nRad två\tmed tabb"


def test_a_citizen_form_with_a_control_character_is_refused_and_writes_nothing(region):
    anna = _logged_in(region, "anna")
    before = len(ports().cases.of_citizen(_citizen_id(region, "anna")))
    page = anna.page(f"/contact/{VC}/skicka-meddelande")
    fields = dict(re.findall(r'name="(csrf_token|submission_id)" value="([^"]+)"', page))
    response = anna.post_form(f"/contact/{VC}/skicka-meddelande", {**fields, "fraga": "Hej\x1b[2J"})
    assert response.status_code == 400
    assert len(ports().cases.of_citizen(_citizen_id(region, "anna"))) == before


@pytest.mark.parametrize("slot_id", ["", {}, [], 0, None, "\u0000", "a" * 300, "../../x", "x y"])
def test_a_booking_with_a_slot_id_that_cannot_be_one_is_a_clear_400(region, slot_id):
    anna = _logged_in(region, "anna")
    response = anna.request("POST", "/api/v1/bookings", body=json.dumps({"slot_id": slot_id}).encode(),
                            headers={"Content-Type": "application/json", "X-CSRF-Token": anna.csrf_token()})
    assert response.status_code == 400
    # the model's codes (wrong type, empty, too long) or the id rule's (a character an id cannot have)
    assert response.json_body["code"] in ("field_required", "field_invalid", "field_empty", "field_too_long",
                                          "id_invalid", "control_character")
    if response.json_body["code"] != "control_character":  # that one is the whole body's, found before the model
        assert response.json_body["field"] == "slot_id"
    assert anna.get("/api/v1/bookings").json_body["bookings"] == []


def test_an_id_in_the_path_that_cannot_be_one_is_not_found(region):
    for path in ("/integration/v1/kit-orders/%00/sent", "/integration/v1/messages/" + "x" * 300,
                 "/integration/v1/appointments/%F0%9F%98%80"):  # fmt: skip
        response = region.integration("POST" if path.endswith("sent") else "GET", path, {"kit_number": "K1"})
        assert response.status_code in (400, 404), (path, response.status_code)


def _integration_routes(region) -> list[tuple[str, str]]:
    from app import app

    routes = []
    for path, methods in app.routes.items():
        if path.startswith("/integration/"):
            routes += [(method, re.sub(r"\{[^}]+\}", "x1234567", path)) for method in methods]
    return routes


def test_a_bad_key_with_a_bad_body_is_a_401_on_every_integration_route(region):
    # Given a body that is not JSON at all, When it comes with no key or a wrong one
    key_id = region.integration_key.split(".")[0]
    for method, path in _integration_routes(region):
        for key in (False, f"{key_id}.wrong", "nonsense"):
            response = region.integration(method, path, None, raw=b'{"a": [' * 50, key=key)
            # Then the answer is about the key: 401, not 400 about the body
            assert response.status_code == 401, (method, path, response.status_code)
            assert response.json_body["code"] == "invalid_credentials"


# -- headers and cookies -------------------------------------------------------------------------------


def test_every_answer_carries_strict_transport_a_policy_without_inline_script_and_no_sniffing(region):
    for path in ("/", "/staff", "/api/v1/me", "/integration/v1/kit-orders", "/inbox/x", "/static/logout.js"):
        headers = region.browser().get(path).headers
        assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
        policy = headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in policy and "script-src 'self'" in policy
        assert "unsafe-inline" not in policy and "sha256-" not in policy
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"


def test_the_logout_page_uses_our_script_file_and_still_has_its_button(region):
    anna = _logged_in(region, "anna")
    response = anna.post_form("/logout", {"csrf_token": anna.csrf_token()})
    page = response.body.decode()
    assert response.status_code == 200
    assert '<script src="/static/logout.js"></script>' in page and "<script>" not in page
    assert re.search(r'<form id="end-session" method="post" action="[^"]+">', page)
    assert "<button type=\"submit\">" in page  # without JavaScript the person presses it
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "sha256-" not in policy and "form-action 'self' http" in policy
    script = region.browser().get("/static/logout.js")
    assert script.status_code == 200 and script.headers["Content-Type"].startswith("text/javascript")
    assert 'getElementById("end-session").submit()' in script.body.decode()


def test_over_https_cookies_have_the_host_prefix_and_plain_ones_are_not_read(region, monkeypatch):
    from chalice.app import Request

    from chalicelib.api.http import cookies, set_cookie
    from chalicelib.settings import get_settings

    def request(cookie: str) -> Request:
        return Request({"multiValueQueryStringParameters": None, "headers": {"cookie": cookie},
                        "pathParameters": None, "requestContext": {"httpMethod": "GET", "resourcePath": "/"},
                        "body": None, "isBase64Encoded": False, "stageVariables": None, "path": "/"})  # fmt: skip

    # On the local stack (http://localhost) the names stay plain
    assert set_cookie("sid", "t").startswith("sid=t; Path=/")
    assert cookies(request("sid=t")) == {"sid": "t"}
    # Given the region serves over https
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://e-tjanster.regiondemo.example")
    get_settings.cache_clear()
    try:
        # Then the cookie is __Host- prefixed, Secure, on / and without a Domain
        header = set_cookie("sid", "t")
        assert header.startswith("__Host-sid=t; Path=/") and "; Secure" in header and "Domain" not in header
        # And a plain `sid` (which a sibling subdomain could set) is not read as the session
        assert cookies(request("sid=planted")) == {}
        assert cookies(request("sid=planted; __Host-sid=t")) == {"sid": "t"}
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()


# -- the access log: a staff download of the print batch ---------------------------------------------------


def test_a_staff_download_of_the_print_batch_shows_in_each_persons_access_log(region):
    import requests

    # Given Gunnar (no account: paper) is summoned to the cardiology clinic and the evening's batch is printed
    booked = region.integration("POST", "/integration/v1/appointments", _appointment_body(region, "gunnar"),
                                idempotency_key="print-log-0001")  # fmt: skip
    assert booked.status_code == 201
    evening = datetime.combine(summons.rules.release_date(clock.utc_now()), time(18), tzinfo=STOCKHOLM)
    assert summons.release_due(ports(), evening.astimezone(timezone.utc)).released == 1
    region.follow_up()
    region.client.lambda_.invoke("print_batch", {"day": evening.date().isoformat()})  # the 18:30 job
    region.follow_up()  # the print workers make the files
    # When Eva at the clinic downloads the batch's file
    eva = _logged_in(region, "eva", "staff")
    assert "Hämta fil 1 (PDF)" in eva.page(f"/staff/print-batch?unit={KA}&day={evening.date().isoformat()}")
    assert ports().access_log.of_citizen(_citizen_id(region, "gunnar")) == []  # listing the files reads no letter
    link = eva.get(f"/staff/print-batch/file?unit={KA}&day={evening.date().isoformat()}&part=1")
    assert link.status_code == 303 and requests.get(link.headers["Location"], timeout=10).status_code == 200
    # Then Gunnar's access log says Eva at the clinic took his summons out
    entries = ports().access_log.of_citizen(_citizen_id(region, "gunnar"))
    assert [(e.staff_name, e.unit_hsa_id, e.what, e.item_id) for e in entries] == [
        ("Eva Nilsson", KA, "print_batch", booked.json_body["appointment_id"])]
    gunnar = _logged_in(region, "gunnar")
    assert "En kallelse i utskriften till papperspost" in gunnar.page("/access-log")


# -- digits: ASCII only where a number is meant (the pure rules: tests/unit/test_ascii_digits.py) -----------


def test_a_personnummer_with_other_digits_is_refused_by_the_register(region):
    digits = with_check_digit(date(2019, 3, 3), "424")
    wide = digits.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    response = region.integration("POST", REGISTER, {"personnummer": wide, "given_name": "E", "family_name": "L"})
    assert response.status_code == 400 and response.json_body["code"] == "personnummer_invalid"
    assert ports().identities.find(parse(digits, region.today)) is None
