"""A nurse's daily work in the staff tool: the patient header (and one access-log row per view),
the queue's views (one Query each, by due then arrival, paged), take / release / reassign (exactly
one wins), reminding and closing a waiting case, standard replies inserted after typed text and a
preview, invånarärenden with the recipient shown before and after, the patient search, and the same
work through the JSON API under /api/v1/staff."""

from __future__ import annotations

import json
import re
import threading
import urllib.parse
from datetime import datetime, timedelta, timezone

from chalicelib.adapters.tables import CaseRecord
from chalicelib.bootstrap import ports
from chalicelib.domain import clock
from chalicelib.domain import queue as views
from chalicelib.domain.events import Door, Kind
from chalicelib.domain.personnummer import parse
from chalicelib.domain.roles import RoleAtUnit, StaffRole
from chalicelib.errors import AppError
from chalicelib.services import case_work, cases
from chalicelib.services.principals import CitizenPrincipal, StaffPrincipal

VC, HS = "SE2321000099-VC01", "SE2321000099-HS01"
RENEWAL = {"q-lakemedel": "Levaxin", "q-styrka": "50 mikrogram", "q-form": "tablett", "accept_terms": "yes"}
EVA = StaffPrincipal("SE2321000099-P001", "Eva Nilsson", (RoleAtUnit(VC, StaffRole.CASE_RECEIVER),), "x")
SARA = StaffPrincipal("SE2321000099-P021", "Sara Svensson", (RoleAtUnit(VC, StaffRole.CASE_HANDLER),), "x")
OLA = StaffPrincipal("SE2321000099-P022", "Ola Olsson", (RoleAtUnit(VC, StaffRole.CASE_HANDLER),), "x")


def _colleagues() -> None:
    """Given two more case handlers at the health centre (as a permission admin would grant)."""
    for who in (SARA, OLA):
        ports().staff.grant(who.hsa_id, who.display_name, who.roles[0], clock.utc_now())


def _logged_in(region, sub: str, audience: str = "citizen"):
    browser = region.browser()
    browser.login(sub, audience)
    return browser


def _citizen_id(region, sub: str) -> str:
    return ports().identities.find(parse(region.people[sub].personnummer, region.today))


def _citizen(region, sub: str, acting_for: str | None = None) -> CitizenPrincipal:
    return CitizenPrincipal(_citizen_id(region, sub), sub, _citizen_id(region, acting_for) if acting_for else None,
                            acting_for, "x")  # fmt: skip


def _submit(region, sub: str = "anna", *, acting_for: str | None = None, now: datetime | None = None,
            key: str = "") -> str:  # fmt: skip
    fields = {"q-fraga": "Jag har ont.", "accept_terms": "yes", "submission_id": f"sub-{key or id(object())}"}
    return cases.submit(ports(), _citizen(region, sub, acting_for), VC, "skicka-meddelande", fields,
                        now or clock.utc_now())  # fmt: skip


def _pnr_display(region, sub: str) -> str:
    digits = region.people[sub].personnummer
    return f"{digits[:8]}-{digits[8:]}"


def _log(region, sub: str) -> list:
    return ports().access_log.of_citizen(_citizen_id(region, sub))


def _in_view(view: str, staff: StaffPrincipal = EVA) -> list[str]:
    return [r.record.case_id for r in case_work.queue_page(ports(), staff, VC, view, None, clock.utc_now()).rows]


def _staff_csrf(browser) -> str:
    return browser.csrf_token("/api/v1/staff/me")


# -- who ------------------------------------------------------------------------------------------


def test_the_case_page_shows_the_patient_header_and_each_view_writes_one_access_log_row(region):
    case_id = _submit(region)
    eva = _logged_in(region, "eva", "staff")
    page = eva.page(f"/staff/cases/{case_id}")
    header = page[page.index('class="patient-header"'):page.index("</section>")]
    assert "Anna Andersson" in header and _pnr_display(region, "anna") in header
    assert f"{clock.stockholm_date(clock.utc_now()).year - 1985 - 1}" in header or "år" in header
    assert "Storgatan 12" in header and "Barn under 13" not in header
    assert [(e.staff_name, e.what) for e in _log(region, "anna")] == [("Eva Nilsson", "case")]
    eva.page(f"/staff/cases/{case_id}")
    assert len(_log(region, "anna")) == 2
    # The personnummer is shown, never put in a link
    digits = region.people["anna"].personnummer
    assert not [href for href in re.findall(r'href="([^"]*)"', page) if digits[2:] in href.replace("-", "")]


def test_protected_identity_shows_neither_name_nor_address(region):
    case_id = _submit(region, "maja")
    eva = _logged_in(region, "eva", "staff")
    queue = eva.page(f"/staff/cases?unit={VC}")
    assert "Skyddad identitet" in queue and "Maja" not in queue
    page = eva.page(f"/staff/cases/{case_id}")
    header = page[page.index('class="patient-header"'):page.index("</section>")]
    assert "Skyddad identitet" in header and _pnr_display(region, "maja") in header
    assert "Maja" not in page and "Berg" not in page and "Adress" not in header
    assert len(_log(region, "maja")) == 1


def test_a_child_under_13_shows_the_guardians_acting(region):
    case_id = _submit(region, "karin", acting_for="elsa")
    eva = _logged_in(region, "eva", "staff")
    header = eva.page(f"/staff/cases/{case_id}").split('class="patient-header"')[1].split("</section>")[0]
    assert "Elsa Lind" in header and "9 år" in header
    assert "Barn under 13 år" in header and "Vårdnadshavare företräder barnet" in header
    assert [e.what for e in _log(region, "elsa")] == ["case"] and _log(region, "karin") == []


# -- the queue --------------------------------------------------------------------------------------


def _case_at(region, due: datetime, arrived: datetime, n: int) -> str:
    case_id = f"00000000-0000-4000-8000-{n:012d}"
    ports().cases.create(CaseRecord(
        case_id, unit_hsa_id=VC, citizen_id=_citizen_id(region, "anna"), sent_by_id=_citizen_id(region, "anna"),
        case_type_id="skicka-meddelande", case_type_name=f"Fråga {n}", answers=[], status="new", created_at=arrived,
        created_key=f"{arrived.isoformat()}#{case_id}", due_at=due, due_key=f"{due.isoformat()}#{case_id}",
        open_unit=VC, patient_name="Anna Andersson", patient_protected=False, patient_born="1985-04-12"),
        cases.case_event(Kind.CASE_SENT, case_id, arrived, Door.CITIZEN))  # fmt: skip
    return case_id


def test_each_view_is_one_query_sorted_by_due_then_arrival_and_paged(region, monkeypatch):
    from bench.__main__ import counting_dynamodb_calls

    base = datetime(2026, 3, 2, 7, 0, tzinfo=timezone.utc)
    made = {}
    for n, (due_h, arrived_m) in enumerate([(3, 5), (1, 30), (2, 0), (1, 10), (3, 1), (2, 40), (1, 20)]):
        made[_case_at(region, base + timedelta(hours=due_h), base - timedelta(minutes=60 - arrived_m), n)] = (due_h, arrived_m)
    expected = sorted(made, key=lambda c: made[c])
    monkeypatch.setattr(views, "PAGE_SIZE", 3)
    seen, cursor, pages = [], None, 0
    while True:
        with counting_dynamodb_calls() as calls:
            page = case_work.queue_page(ports(), EVA, VC, "new", cursor, clock.utc_now())
        assert dict(calls) == {"Query": 1}
        seen += [r.record.case_id for r in page.rows]
        pages += 1
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == expected and pages == 3
    for bad in ("not-a-cursor", views.encode_cursor(views.View.MINE, "x", "y")):
        try:
            case_work.queue_page(ports(), EVA, VC, "new", bad, clock.utc_now())
        except AppError as error:
            assert error.code == "cursor_invalid" and error.status == 400
        else:
            raise AssertionError("a foreign cursor was accepted")
    eva = _logged_in(region, "eva", "staff")
    first = eva.page(f"/staff/cases?unit={VC}&view=new")
    assert first.count('href="/staff/cases/') == 3 and 'rel="next"' in first
    assert eva.get(f"/staff/cases?unit={VC}&view=everything").status_code == 400


def test_a_case_moves_through_the_views_as_the_work_goes(region):
    _colleagues()
    case_id = _submit(region)
    assert case_id in _in_view("new") and case_id in _in_view("unassigned") and case_id not in _in_view("mine")
    cases.take(ports(), EVA, case_id, clock.utc_now())
    assert case_id in _in_view("mine") and case_id not in _in_view("new") and case_id not in _in_view("unassigned")
    cases.answer(ports(), EVA, case_id, "counter_question", "Hur länge?", clock.utc_now())
    assert case_id in _in_view("waiting") and case_id in _in_view("mine")
    cases.reply(ports(), _citizen(region, "anna"), case_id, "Två dagar.", clock.utc_now())
    assert case_id in _in_view("replied") and case_id not in _in_view("waiting")
    case_work.release(ports(), EVA, case_id, clock.utc_now())
    assert case_id in _in_view("unassigned") and case_id in _in_view("replied") and case_id not in _in_view("mine")
    case_work.reassign(ports(), EVA, case_id, SARA.hsa_id, clock.utc_now())
    assert case_id in _in_view("mine", SARA) and ports().cases.get(case_id).handler_name == "Sara Svensson"
    cases.answer(ports(), SARA, case_id, "answer", "Vila.", clock.utc_now())
    assert case_id in _in_view("closed") and not any(case_id in _in_view(v, SARA) for v in
                                                     ("new", "mine", "unassigned", "waiting", "replied"))


def test_exactly_one_of_two_reassignments_wins(region):
    _colleagues()
    case_id = _submit(region)
    cases.take(ports(), EVA, case_id, clock.utc_now())
    version = ports().cases.get(case_id).version
    barrier, outcomes = threading.Barrier(2), []

    def reassign(who: StaffPrincipal, to: StaffPrincipal) -> None:
        barrier.wait()
        try:
            case_work.reassign(ports(), who, case_id, to.hsa_id, clock.utc_now(), version)
            outcomes.append(to.hsa_id)
        except AppError as error:
            outcomes.append(error.code)

    threads = [threading.Thread(target=reassign, args=args) for args in ((EVA, SARA), (SARA, OLA))]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert len(outcomes) == 2 and outcomes.count("case_changed") == 1
    winner = next(o for o in outcomes if o != "case_changed")
    assert ports().cases.get(case_id).handler_hsa_id == winner


def test_a_case_goes_only_to_a_colleague_with_a_case_role_and_only_its_handler_releases_it(region):
    _colleagues()
    case_id = _submit(region)
    cases.take(ports(), EVA, case_id, clock.utc_now())
    for stranger in ("SE2321000099-P002", "SE2321000099-P003", "nobody"):  # a local admin, another unit's handler
        try:
            case_work.reassign(ports(), EVA, case_id, stranger, clock.utc_now())
        except AppError as error:
            assert error.code == "colleague_invalid"
        else:
            raise AssertionError(f"reassigned to {stranger}")
    try:
        case_work.release(ports(), SARA, case_id, clock.utc_now())
    except AppError as error:
        assert error.code == "case_not_yours"
    eva = _logged_in(region, "eva", "staff")
    page = eva.page(f"/staff/cases/{case_id}")
    assert "Sara Svensson" in page and "Johan" not in page.split('id="to"')[1].split("</select>")[0]
    released = eva.post_form(f"/staff/cases/{case_id}/release", {"csrf_token": _staff_csrf(eva)})
    assert released.status_code == 303 and ports().cases.get(case_id).handler_hsa_id is None


def test_a_waiting_case_can_be_reminded_or_closed(region):
    anna = _logged_in(region, "anna")
    case_id = _submit(region)
    eva = _logged_in(region, "eva", "staff")
    csrf = _staff_csrf(eva)
    assert eva.post_form(f"/staff/cases/{case_id}/remind", {"csrf_token": csrf}).status_code == 422  # not waiting
    eva.post_form(f"/staff/cases/{case_id}/take", {"csrf_token": csrf})
    eva.post_form(f"/staff/cases/{case_id}/answer", {"csrf_token": csrf, "template": "counter_question",
                                                     "text": "Har du feber?"})  # fmt: skip
    page = eva.page(f"/staff/cases/{case_id}")
    assert "Skicka påminnelse" in page and "Avsluta ärendet" in page and "Väntar på invånaren" in page
    assert eva.post_form(f"/staff/cases/{case_id}/remind", {"csrf_token": csrf, "text": ""}).status_code == 303
    subjects = [m["subject"] for t in anna.get("/api/v1/inbox").json_body["threads"] for m in t["messages"]]
    assert "Påminnelse: mottagningen väntar på ditt svar" in subjects
    assert ports().cases.get(case_id).status == "waiting_for_citizen"
    assert eva.post_form(f"/staff/cases/{case_id}/close", {"csrf_token": csrf,
                                                           "text": "Hör av dig om det blir värre."}).status_code == 303
    record = ports().cases.get(case_id)
    assert record.status == "closed" and case_id in _in_view("closed") and case_id not in _in_view("waiting")
    assert "Avslutat" in anna.page(f"/cases/{case_id}")  # the citizen's wording on the citizen's page
    subjects = [m["subject"] for t in anna.get("/api/v1/inbox").json_body["threads"] for m in t["messages"]]
    assert "Ditt ärende är avslutat" in subjects


def test_a_standard_reply_is_added_after_what_was_typed_and_the_preview_sends_nothing(region):
    anna = _logged_in(region, "anna")
    ports().standard_replies.save(VC, "r1", "Egenvård", "Drick mycket vatten och vila.")
    case_id = _submit(region)
    eva = _logged_in(region, "eva", "staff")
    csrf = _staff_csrf(eva)
    eva.post_form(f"/staff/cases/{case_id}/take", {"csrf_token": csrf})
    form = {"csrf_token": csrf, "template": "partial", "text": "Hej Anna!", "reply": "r1"}
    inserted = eva.post_form(f"/staff/cases/{case_id}/answer", {**form, "step": "insert"}).body.decode()
    assert "Hej Anna!\n\nDrick mycket vatten och vila.</textarea>" in inserted
    assert 'id="tpl-partial" name="template" value="partial" checked' in inserted and "<script" not in inserted
    preview = eva.post_form(f"/staff/cases/{case_id}/answer", {**form, "text": "Vila.", "step": "preview"})
    body = preview.body.decode()
    assert preview.status_code == 200 and "Förhandsgranskning" in body and "Eva Nilsson" in body.split('id="preview-heading"')[1]
    assert 'value="send"' in body and ports().cases.get(case_id).conversation == []
    assert anna.get("/api/v1/inbox").json_body["threads"] == []
    empty = eva.post_form(f"/staff/cases/{case_id}/answer", {**form, "text": " ", "step": "preview"})
    assert empty.status_code == 400 and 'id="text-error"' in empty.body.decode()
    sent = eva.post_form(f"/staff/cases/{case_id}/answer", {**form, "text": "Vila.", "step": "send"})
    assert sent.status_code == 303 and len(anna.get("/api/v1/inbox").json_body["threads"]) == 1


# -- invånarärende ------------------------------------------------------------------------------------


def _citizen_case_form(eva, region, sub: str, template: str, **extra: str) -> dict[str, str]:
    page = eva.page("/staff/citizen-case")
    return {"csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', page).group(1),
            "submission_id": re.search(r'name="submission_id" value="([^"]+)"', page).group(1), "unit": VC,
            "personnummer": region.people[sub].personnummer, "template": template, "subject": "Inför besöket",
            "text": "Svara gärna på frågorna.", **extra}  # fmt: skip


def test_an_invanararende_with_questions_shows_the_recipient_before_and_after_sending(region):
    anna = _logged_in(region, "anna")
    eva = _logged_in(region, "eva", "staff")
    page = eva.page("/staff/citizen-case")
    assert 'value="information"' in page and 'value="type:fornya-recept"' in page
    fields = _citizen_case_form(eva, region, "anna", "type:fornya-recept")
    preview = eva.post_form("/staff/citizen-case", {**fields, "step": "preview"}).body.decode()
    header = preview.split('class="patient-header"')[1].split("</section>")[0]
    assert "Anna Andersson" in header and _pnr_display(region, "anna") in header
    assert "Läkemedlets namn" in preview and "Skicka invånarärendet" in preview
    assert [e.what for e in _log(region, "anna")] == ["citizen_case_recipient"]
    assert anna.get("/api/v1/inbox").json_body["threads"] == []  # nothing sent by the preview
    sent = eva.post_form("/staff/citizen-case", {**fields, "step": "send"})
    assert sent.status_code == 303 and "personnummer" not in sent.headers["Location"]
    after = eva.get(sent.headers["Location"]).body.decode()
    assert "Anna Andersson" in after.split('class="patient-header"')[1].split("</section>")[0]
    case_id = sent.headers["Location"].split("?")[0].rsplit("/", 1)[1]
    form = anna.page(f"/cases/{case_id}")
    assert "Läkemedlets namn" in form and 'name="q-form"' in form
    csrf = anna.csrf_token()
    missing = anna.post_form(f"/cases/{case_id}/reply", {"csrf_token": csrf, "q-form": "pulver"})
    assert missing.status_code == 400 and 'id="lakemedel-error"' in missing.body.decode()
    done = anna.post_form(f"/cases/{case_id}/reply", {"csrf_token": csrf, "q-lakemedel": "Levaxin",
                                                      "q-styrka": "50", "q-form": "tablett"})  # fmt: skip
    assert done.status_code == 303
    record = ports().cases.get(case_id)
    assert [(a.label, a.answer) for a in record.answers][0] == ("Läkemedlets namn", "Levaxin")
    assert case_id in _in_view("replied") and case_id in _in_view("mine")


def test_an_invanararende_to_a_child_under_13_reaches_the_guardians(region):
    karin = _logged_in(region, "karin")
    eva = _logged_in(region, "eva", "staff")
    fields = _citizen_case_form(eva, region, "elsa", "question")
    preview = eva.post_form("/staff/citizen-case", {**fields, "step": "preview"}).body.decode()
    assert "Elsa Lind" in preview and "Barn under 13 år" in preview and "når vårdnadshavarna" in preview
    sent = eva.post_form("/staff/citizen-case", {**fields, "step": "send"})
    case_id = sent.headers["Location"].split("?")[0].rsplit("/", 1)[1]
    assert ports().cases.get(case_id).citizen_id == _citizen_id(region, "elsa")
    karin.post_form("/act-for", {"person": _citizen_id(region, "elsa"), "csrf_token": karin.csrf_token()})
    letter = karin.get("/api/v1/inbox").json_body["threads"][0]["messages"][0]
    assert letter["subject"] == "Inför besöket" and letter["actions"][0]["path"] == f"/cases/{case_id}"


def test_an_information_only_invanararende_is_closed_at_once(region):
    anna = _logged_in(region, "anna")
    eva = _logged_in(region, "eva", "staff")
    fields = _citizen_case_form(eva, region, "anna", "information", text="Provsvaret var normalt.")
    sent = eva.post_form("/staff/citizen-case", {**fields, "step": "send"})
    case_id = sent.headers["Location"].split("?")[0].rsplit("/", 1)[1]
    assert ports().cases.get(case_id).status == "closed" and case_id in _in_view("closed")
    page = anna.page(f"/cases/{case_id}")
    assert "Provsvaret var normalt." in page and "Skicka svar" not in page


# -- patient search ------------------------------------------------------------------------------------


def test_the_patient_search_takes_the_personnummer_in_a_post_and_is_logged_once(region):
    case_id = _submit(region)
    region.integration("POST", "/integration/v1/messages", {
        "sender_unit_hsa_id": VC, "personnummer": region.people["anna"].personnummer, "topic": "Provsvar",
        "subject": "Ditt provsvar", "body": "Allt ser bra ut."})  # fmt: skip
    eva = _logged_in(region, "eva", "staff")
    form = eva.page("/staff/patients")
    assert '<form method="post" action="/staff/patients"' in form
    csrf = _staff_csrf(eva)
    unknown = eva.post_form("/staff/patients", {"csrf_token": csrf, "unit": VC, "personnummer": "191212121212"})
    assert unknown.status_code == 422 and 'id="personnummer-error"' in unknown.body.decode()
    found = eva.post_form("/staff/patients", {"csrf_token": csrf, "unit": VC,
                                              "personnummer": region.people["anna"].personnummer})  # fmt: skip
    page = found.body.decode()
    assert found.status_code == 200 and "Anna Andersson" in page and _pnr_display(region, "anna") in page
    assert f"/staff/cases/{case_id}" in page and "Ditt provsvar" in page
    assert [e.what for e in _log(region, "anna")] == ["patient_overview"]
    lisa = _logged_in(region, "lisa", "staff")  # the STI clinic's handler
    refused = lisa.post_form("/staff/patients", {"csrf_token": _staff_csrf(lisa), "unit": VC,
                                                 "personnummer": region.people["anna"].personnummer})  # fmt: skip
    assert refused.status_code == 403 and len(_log(region, "anna")) == 1


def test_a_visit_booked_by_care_shows_the_header_with_its_summons(region):
    from chalicelib.domain.clock import STOCKHOLM

    start = datetime.combine(region.today + timedelta(days=3), datetime.min.time().replace(hour=10), tzinfo=STOCKHOLM)
    booked = region.integration("POST", "/integration/v1/appointments", {
        "unit_hsa_id": VC, "personnummer": region.people["anna"].personnummer, "visit_type_id": "sjukskoterska",
        "start": start.isoformat(), "end": (start + timedelta(minutes=30)).isoformat()})  # fmt: skip
    assert booked.status_code == 201, booked.body
    appointment_id = booked.json_body["appointment_id"]
    eva = _logged_in(region, "eva", "staff")
    assert f"/staff/visits/{appointment_id}" in eva.page(f"/staff/summons?unit={VC}")
    before = len(_log(region, "anna"))
    page = eva.page(f"/staff/visits/{appointment_id}")
    assert "Anna Andersson" in page and _pnr_display(region, "anna") in page and "Kallelse" in page
    assert len(_log(region, "anna")) == before + 1 and _log(region, "anna")[0].what == "summons"
    lisa = _logged_in(region, "lisa", "staff")
    assert lisa.get(f"/staff/visits/{appointment_id}").status_code == 404


# -- the JSON API ---------------------------------------------------------------------------------------


def test_staff_work_through_the_json_api(region):
    anna = _logged_in(region, "anna")
    case_id = _submit(region)
    eva = _logged_in(region, "eva", "staff")
    queue = eva.get(f"/api/v1/staff/queue?unit={VC}&view=new").json_body
    row = next(c for c in queue["cases"] if c["case_id"] == case_id)
    assert row["patient"] == {"name": "Anna Andersson", "protected_identity": False, "age": row["patient"]["age"]}
    assert row["staff_status"] == "new" and queue["next_cursor"] is None
    shown = eva.get(f"/api/v1/staff/cases/{case_id}").json_body
    assert shown["patient"]["personnummer"] == _pnr_display(region, "anna") and len(_log(region, "anna")) == 1
    headers = {"Content-Type": "application/json"}
    refused = eva.request("POST", f"/api/v1/staff/cases/{case_id}/take", headers=headers)
    assert refused.status_code == 403 and refused.json_body["code"] == "csrf_failed"
    headers["X-CSRF-Token"] = _staff_csrf(eva)
    taken = eva.request("POST", f"/api/v1/staff/cases/{case_id}/take", headers=headers)
    assert taken.status_code == 200 and taken.json_body["handler"]["name"] == "Eva Nilsson"
    again = eva.request("POST", f"/api/v1/staff/cases/{case_id}/take", headers=headers)
    assert again.status_code == 409 and again.json_body["code"] == "case_taken"
    bad = eva.request("POST", f"/api/v1/staff/cases/{case_id}/answer", headers=headers,
                      body=json.dumps({"template": "nonsense", "text": "x"}).encode())
    assert bad.status_code == 400 and bad.json_body["field"] == "template"
    answered = eva.request("POST", f"/api/v1/staff/cases/{case_id}/answer", headers=headers,
                           body=json.dumps({"template": "answer", "text": "Klart."}).encode())
    assert answered.status_code == 200 and answered.json_body["staff_status"] == "closed"
    closed = eva.get(f"/api/v1/staff/queue?unit={VC}&view=closed").json_body
    assert case_id in [c["case_id"] for c in closed["cases"]]
    assert anna.get("/api/v1/inbox").json_body["threads"][0]["messages"][0]["subject"] == "Svar på ditt ärende"
    assert eva.get(f"/api/v1/staff/queue?unit={urllib.parse.quote(HS)}").status_code == 403


def test_a_positive_self_test_result_shows_the_header_to_the_clinic_that_follows_it_up(region):
    from tests.integration.test_self_tests import _order, _orders, _result

    karin = _logged_in(region, "karin")
    _order(karin)
    (order,) = _orders(region, "karin")
    _result(region, order.order_id, "lab-sw-01", gonorrhoea="positive")
    lisa = _logged_in(region, "lisa", "staff")  # the STI clinic
    assert f"/staff/results/{order.order_id}" in lisa.page("/staff/follow-up")
    before = len(_log(region, "karin"))
    page = lisa.page(f"/staff/results/{order.order_id}")
    assert "Karin Lind" in page and _pnr_display(region, "karin") in page and "gonorré" in page and "gonorrhoea" not in page
    assert len(_log(region, "karin")) == before + 1 and _log(region, "karin")[0].what == "lab_result"
    eva = _logged_in(region, "eva", "staff")  # no role at the STI clinic
    assert eva.get(f"/staff/results/{order.order_id}").status_code == 404
