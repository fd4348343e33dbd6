"""Forms (formulär) from the citizen's side: a form a unit sends reaches the inbox and the start page,
is filled in page by page without JavaScript (a draft kept at every step, errors beside the field),
sent once, and reads back read-only; a guardian fills a child's; a health declaration still valid is
not asked again; the daily job reminds, marks overdue and purges after export."""

from __future__ import annotations

import json
import re
import uuid
from datetime import datetime, time, timedelta

import pytest

from chalicelib.bootstrap import ports
from chalicelib.domain import clock
from chalicelib.domain.clock import STOCKHOLM
from chalicelib.domain.forms import add_months
from chalicelib.domain.roles import RoleAtUnit, StaffRole
from chalicelib.services import forms
from chalicelib.services.principals import CitizenPrincipal, StaffPrincipal
from tests.integration.test_summons import _citizen_id, _logged_in

VC = "SE2321000099-VC01"
EVA = StaffPrincipal("SE2321000099-P001", "Eva Nilsson", (RoleAtUnit(VC, StaffRole.CASE_RECEIVER),), "x")
T = "http://hl7.org/fhir/StructureDefinition/translation"


def _en(text: str) -> dict:
    return {"extension": [{"url": T, "extension": [{"url": "lang", "valueCode": "en"},
                                                   {"url": "content", "valueString": text}]}]}  # fmt: skip


TWO_PAGES = {
    "resourceType": "Questionnaire", "status": "active", "title": "Inför besöket", "_title": _en("Before your visit"),
    "url": "https://e-tjanster.github.io/fhir/Questionnaire/test-infor-besoket",
    "item": [
        {"linkId": "om-dig", "type": "group", "text": "Om dig", "item": [
            {"linkId": "roker", "type": "boolean", "text": "Röker du?", "_text": _en("Do you smoke?"), "required": True},
            {"linkId": "cigaretter", "type": "integer", "text": "Hur många cigaretter om dagen?", "required": True,
             "enableWhen": [{"question": "roker", "operator": "=", "answerBoolean": True}]},
        ]},
        {"linkId": "halsa", "type": "group", "text": "Din hälsa", "item": [
            {"linkId": "mar", "type": "choice", "text": "Hur mår du?", "required": True, "answerOption": [
                {"valueCoding": {"code": "bra", "display": "Bra"}}, {"valueCoding": {"code": "daligt", "display": "Dåligt"}}]},
            {"linkId": "ovrigt", "type": "text", "text": "Övrigt"},
        ]},
    ],
}  # fmt: skip


def _publish(resource: dict, form_id: str) -> forms.Definition:
    parsed_resource, form = forms.read_questionnaire(json.dumps(resource))
    now = clock.utc_now()
    definition = forms.publish(ports(), parsed_resource, form, "test", now, new_id=form_id)
    admin = StaffPrincipal("SE2321000099-A001", "Admin", (RoleAtUnit(VC, StaffRole.LOCAL_ADMIN),), "x")
    forms.subscribe(ports(), admin, VC, form_id, now)
    return definition


def _send(region, form_id: str, *subs: str, due_days: int = 7, remind: str = "") -> forms.Dispatch:
    due = (clock.stockholm_date(clock.utc_now()) + timedelta(days=due_days)).isoformat()
    fields = {"form_id": form_id, "personnummer": "\n".join(region.people[s].personnummer for s in subs),
              "due_on": due, "remind_days_before": remind, "dispatch_id": str(uuid.uuid4())}  # fmt: skip
    sent = forms.send(ports(), EVA, VC, fields, clock.utc_now())
    region.follow_up()
    return sent


def _request_of(region, sub: str) -> str:
    return ports().form_requests.page_of_citizen(_citizen_id(region, sub), 10, None)[0][0].request_id


def _post(browser, request_id: str, page: int, step: str, **answers: str | list[str]):
    fields: list[tuple[str, str]] = [("csrf_token", browser.csrf_token()), ("page", str(page)), ("step", step)]
    for name, value in answers.items():
        for one in value if isinstance(value, list) else [value]:
            fields.append((name, one))
    import urllib.parse

    return browser.request("POST", f"/forms/{request_id}", headers={"Content-Type": "application/x-www-form-urlencoded"},
                           body=urllib.parse.urlencode(fields).encode())  # fmt: skip


def test_a_form_sent_by_the_unit_is_filled_page_by_page_and_sent_once(region):
    _publish(TWO_PAGES, "infor-besoket")
    sent = _send(region, "infor-besoket", "anna")
    assert (sent.sent, sent.already_sent, sent.still_valid) == (1, 0, 0)
    anna = _logged_in(region, "anna")
    start = anna.page("/")
    assert "Formulär att fylla i" in start and "Inför besöket" in start
    letter = next(m for m in ports().inbox.inbox_of(_citizen_id(region, "anna")) if m.subject.startswith("Formulär"))
    request_id = _request_of(region, "anna")
    assert [a.path for a in letter.actions] == [f"/forms/{request_id}"]
    assert "Svara senast" in letter.body and "Vårdcentralen Norrby" in letter.body

    page = anna.page(f"/forms/{request_id}")
    assert "Sida 1 av 2" in page and "Röker du?" in page
    assert "Hur många cigaretter" not in page  # asked only when she smokes

    # She smokes, goes on: the number is asked on the same page (the page is worked out from the draft).
    answer = _post(anna, request_id, 1, "save", roker="true")
    assert answer.status_code == 303 and answer.headers["Location"].endswith("page=1&saved=1")
    page = anna.page(f"/forms/{request_id}?page=1&saved=1")
    assert "Utkastet är sparat" in page and "Hur många cigaretter om dagen?" in page

    # A number that is not a whole number: the error beside the field, her other answer kept.
    answer = _post(anna, request_id, 1, "next", roker="true", cigaretter="3,5")
    assert answer.status_code == 400
    body = answer.body.decode()
    assert 'id="cigaretter-error"' in body and "Skriv ett heltal" in body
    assert re.search(r'value="true"\s+checked', body)

    assert _post(anna, request_id, 1, "next", roker="true", cigaretter="10").headers["Location"].endswith("page=2")
    # Back and forth loses nothing.
    assert _post(anna, request_id, 2, "back", ovrigt="Inget").headers["Location"].endswith("page=1")
    assert 'value="10"' in anna.page(f"/forms/{request_id}?page=1")
    assert "Inget" in anna.page(f"/forms/{request_id}?page=2")

    # Sending with a required answer missing shows where.
    answer = _post(anna, request_id, 2, "send", ovrigt="Inget")
    assert answer.status_code == 400 and "Svara på frågan." in answer.body.decode()
    assert ports().form_requests.get(request_id).status == "sent"

    answer = _post(anna, request_id, 2, "send", mar="bra", ovrigt="Inget")
    assert answer.status_code == 303 and answer.headers["Location"].endswith("?sent=1")
    done = anna.page(f"/forms/{request_id}?sent=1")
    assert "Formuläret är skickat" in done and "Röker du?" in done and "Bra" in done and 'name="step"' not in done

    # From a second tab, the old page posted again: nothing changes, she sees it as sent.
    again = _post(anna, request_id, 2, "send", mar="daligt")
    assert again.status_code == 303 and again.headers["Location"] == f"/forms/{request_id}"
    stored = ports().form_requests.get(request_id)
    response = json.loads(stored.response)
    assert response["status"] == "completed" and response["questionnaire"].endswith("|1")
    answers = {i["linkId"]: i for group in response["item"] for i in group["item"]}
    assert answers["mar"]["answer"] == [{"valueCoding": {"code": "bra", "display": "Bra"}}]
    assert answers["cigaretter"]["answer"] == [{"valueInteger": 10}]
    figures = ports().unit_forms.get(VC, "infor-besoket")
    assert (figures.sent, figures.answered, figures.overdue) == (1, 1, 0)
    from fhirclient.models.questionnaireresponse import QuestionnaireResponse

    QuestionnaireResponse(response, strict=True)  # a valid FHIR R4 resource
    assert "Du har inga formulär att fylla i." in anna.page("/")


def test_an_answer_to_a_question_no_longer_asked_is_not_sent(region):
    _publish(TWO_PAGES, "infor-besoket")
    _send(region, "infor-besoket", "anna")
    anna, request_id = _logged_in(region, "anna"), _request_of(region, "anna")
    _post(anna, request_id, 1, "next", roker="true", cigaretter="20")
    _post(anna, request_id, 2, "back", mar="bra")
    _post(anna, request_id, 1, "next", roker="false")  # she changed her mind
    _post(anna, request_id, 2, "send", mar="bra")
    response = json.loads(ports().form_requests.get(request_id).response)
    linked = {i["linkId"] for group in response["item"] for i in group["item"]}
    assert linked == {"roker", "mar"}


def test_a_guardian_fills_a_childs_form_and_cannot_open_a_fourteen_year_olds(region):
    _publish(TWO_PAGES, "infor-besoket")
    _send(region, "infor-besoket", "elsa", "olle")
    elsa_request, olle_request = _request_of(region, "elsa"), _request_of(region, "olle")
    karin_id, elsa_id = _citizen_id(region, "karin"), _citizen_id(region, "elsa")
    for_elsa = CitizenPrincipal(karin_id, "Karin", elsa_id, "Elsa", "x")
    now = clock.utc_now()
    forms.post_page(ports(), for_elsa, elsa_request, 0, {"roker": ["false"]}, "next", now)
    result = forms.post_page(ports(), for_elsa, elsa_request, 1, {"mar": ["bra"]}, "send", now)
    assert result.sent
    response = json.loads(ports().form_requests.get(elsa_request).response)
    assert response["subject"] == {"reference": f"Patient/{elsa_id}"}
    assert response["author"] == {"reference": f"Patient/{karin_id}"}
    assert ports().form_requests.get(elsa_request).answered_by == karin_id
    karin = _logged_in(region, "karin")
    assert karin.get(f"/forms/{olle_request}").status_code == 404  # Olle's own, and he is 14
    assert karin.get(f"/forms/{elsa_request}").status_code == 404  # not while she acts for herself


HEALTH_DECLARATION = {
    "resourceType": "Questionnaire", "status": "active", "title": "Hälsodeklaration",
    "extension": [{"url": "https://e-tjanster.github.io/fhir/StructureDefinition/form-kind",
                   "valueCode": "health-declaration"}],
    "item": [{"linkId": "blodtunnande", "type": "boolean", "text": "Tar du blodförtunnande?", "required": True}],
}  # fmt: skip


def test_a_health_declaration_still_valid_is_not_asked_again(region):
    _publish(HEALTH_DECLARATION, "halsodeklaration-test")
    _send(region, "halsodeklaration-test", "anna")
    anna = CitizenPrincipal(_citizen_id(region, "anna"), "Anna", None, None, "x")
    forms.post_page(ports(), anna, _request_of(region, "anna"), 0, {"blodtunnande": ["false"]}, "send", clock.utc_now())
    valid = ports().form_validity.get(anna.citizen_id, "halsodeklaration-test")
    today = clock.stockholm_date(clock.utc_now())
    assert valid.valid_until == (add_months(today, 12) - timedelta(days=1)).isoformat()  # Anna is an adult
    again = _send(region, "halsodeklaration-test", "anna", "gunnar")
    assert (again.sent, again.still_valid) == (1, 1)


def test_a_retried_dispatch_sends_nothing_twice(region):
    _publish(TWO_PAGES, "infor-besoket")
    due = (clock.stockholm_date(clock.utc_now()) + timedelta(days=5)).isoformat()
    fields = {"form_id": "infor-besoket", "personnummer": region.people["anna"].personnummer, "due_on": due,
              "dispatch_id": str(uuid.uuid4())}  # fmt: skip
    first = forms.send(ports(), EVA, VC, fields, clock.utc_now())
    second = forms.send(ports(), EVA, VC, fields, clock.utc_now())
    region.follow_up()
    assert (first.sent, second.sent, second.already_sent) == (1, 0, 1)
    letters = [m for m in ports().inbox.inbox_of(_citizen_id(region, "anna")) if m.subject.startswith("Formulär")]
    assert len(letters) == 1
    assert ports().unit_forms.get(VC, "infor-besoket").sent == 1


@pytest.mark.parametrize("text, code", [("19850412-2389\nnonsense", "personnummer_invalid"),
                                        ("", "recipients_missing")])  # fmt: skip
def test_a_bad_list_of_personnummer_sends_nothing(region, text, code):
    _publish(TWO_PAGES, "infor-besoket")
    due = (clock.stockholm_date(clock.utc_now()) + timedelta(days=5)).isoformat()
    with pytest.raises(Exception) as refused:
        forms.send(ports(), EVA, VC, {"form_id": "infor-besoket", "personnummer": text, "due_on": due}, clock.utc_now())
    assert refused.value.code == code and refused.value.field == "personnummer"
    assert ports().unit_forms.get(VC, "infor-besoket").sent == 0


def test_the_daily_job_reminds_marks_overdue_and_purges_after_export(region):
    _publish(TWO_PAGES, "infor-besoket")
    _send(region, "infor-besoket", "anna", "gunnar", due_days=3, remind="2")
    now = clock.utc_now()
    anna_request, gunnar_request = _request_of(region, "anna"), _request_of(region, "gunnar")
    anna = CitizenPrincipal(_citizen_id(region, "anna"), "Anna", None, None, "x")
    forms.post_page(ports(), anna, anna_request, 0, {"roker": ["false"]}, "next", now)
    forms.post_page(ports(), anna, anna_request, 1, {"mar": ["bra"]}, "send", now)

    assert forms.daily(ports(), now + timedelta(days=1)) == {"reminded": 1, "overdue": 0, "purged": 0}
    region.follow_up()
    reminders = [m for m in ports().inbox.inbox_of(_citizen_id(region, "gunnar")) if m.subject.startswith("Påminnelse")]
    assert len(reminders) == 1  # Gunnar, who has not answered; Anna has
    assert forms.daily(ports(), now + timedelta(days=1))["reminded"] == 0  # once

    assert forms.daily(ports(), now + timedelta(days=4))["overdue"] == 1
    assert ports().form_requests.get(gunnar_request).overdue
    figures = ports().unit_forms.get(VC, "infor-besoket")
    assert (figures.sent, figures.answered, figures.overdue) == (2, 1, 1)

    forms.export_json(ports(), EVA, anna_request, now)
    assert forms.daily(ports(), now + timedelta(days=89))["purged"] == 0
    assert forms.daily(ports(), now + timedelta(days=90))["purged"] == 1
    purged = ports().form_requests.get(anna_request)
    assert purged.status == "purged" and purged.response is None
    assert "gallrade" in _logged_in(region, "anna").page(f"/forms/{anna_request}")


def test_a_health_declaration_rides_with_a_booked_operation_into_the_summons_thread(region):
    _publish(HEALTH_DECLARATION, "halsodeklaration-test")
    visit_day = clock.stockholm_date(clock.utc_now()) + timedelta(days=10)
    start = datetime.combine(visit_day, time(9, 0), tzinfo=STOCKHOLM)
    body = {"unit_hsa_id": VC, "personnummer": region.people["anna"].personnummer, "visit_type_id": "sjukskoterska",
            "start": start.isoformat(), "end": (start + timedelta(minutes=30)).isoformat(),
            "forms": ["halsodeklaration-test"], "outside_opening_hours_intended": True, "far_ahead_intended": True}
    refused = region.integration("POST", "/integration/v1/appointments", {**body, "forms": ["finns-inte"]},
                                 idempotency_key="k-ride-refused-1")  # fmt: skip
    assert refused.status_code == 400 and refused.json_body["code"] == "form_not_subscribed"
    assert ports().form_requests.page_of_citizen(_citizen_id(region, "anna"), 10, None)[0] == []

    booked = region.integration("POST", "/integration/v1/appointments", body, idempotency_key="k-ride-000001")
    assert booked.status_code == 201, booked.body
    appointment_id = booked.json_body["appointment_id"]
    region.follow_up()
    request = ports().form_requests.get(_request_of(region, "anna"))
    assert request.summons_id == appointment_id
    assert request.due_on == (visit_day - timedelta(days=1)).isoformat()  # the day before the operation
    assert request.remind_on == (visit_day - timedelta(days=3)).isoformat()
    letter = next(m for m in ports().inbox.inbox_of(_citizen_id(region, "anna")) if m.subject.startswith("Formulär"))
    assert letter.thread_id == f"booking#{appointment_id}"  # with the summons, when it comes

    # The same call again (a retry) books nothing new and sends no second form.
    again = region.integration("POST", "/integration/v1/appointments", body, idempotency_key="k-ride-000001")
    assert again.json_body["appointment_id"] == appointment_id
    region.follow_up()
    assert len(ports().form_requests.page_of_citizen(_citizen_id(region, "anna"), 10, None)[0]) == 1


def test_a_care_system_sends_a_form_and_fetches_the_answer_as_a_questionnaire_response(region):
    _publish(TWO_PAGES, "infor-besoket")
    due = (clock.stockholm_date(clock.utc_now()) + timedelta(days=7)).isoformat()
    body = {"unit_hsa_id": VC, "form_id": "infor-besoket", "due_on": due,
            "personnummer": [region.people["anna"].personnummer, region.people["gunnar"].personnummer]}
    sent = region.integration("POST", "/integration/v1/form-requests", body, idempotency_key="k-forms-000001")
    assert sent.status_code == 201, sent.body
    assert sent.json_body["sent"] == 2 and len(set(sent.json_body["request_ids"])) == 2
    again = region.integration("POST", "/integration/v1/form-requests", body, idempotency_key="k-forms-000001")
    assert again.json_body == sent.json_body
    region.follow_up()
    assert ports().unit_forms.get(VC, "infor-besoket").sent == 2
    anna_request = sent.json_body["request_ids"][0]
    assert anna_request == _request_of(region, "anna")  # in the order given

    waiting = region.integration("GET", f"/integration/v1/form-requests/{anna_request}", None, idempotency_key=None)
    assert waiting.status_code == 200 and waiting.json_body["status"] == "sent" and waiting.json_body["response"] is None
    anna = CitizenPrincipal(_citizen_id(region, "anna"), "Anna", None, None, "x")
    forms.post_page(ports(), anna, anna_request, 0, {"roker": ["false"]}, "next", clock.utc_now())
    forms.post_page(ports(), anna, anna_request, 1, {"mar": ["daligt"]}, "send", clock.utc_now())
    answered = region.integration("GET", f"/integration/v1/form-requests/{anna_request}", None, idempotency_key=None)
    assert answered.json_body["status"] == "answered"
    assert answered.json_body["response"]["resourceType"] == "QuestionnaireResponse"
    assert ports().form_requests.get(anna_request).purge_day is not None  # fetched = exported: retention runs

    listed = region.integration("GET", f"/integration/v1/units/{VC}/forms/infor-besoket/requests", None,
                                idempotency_key=None)  # fmt: skip
    assert {r["request_id"] for r in listed.json_body["requests"]} == set(sent.json_body["request_ids"])

    bad = region.integration("POST", "/integration/v1/form-requests", {**body, "personnummer": []},
                             idempotency_key="k-forms-000002")  # fmt: skip
    assert bad.status_code == 400
    unknown = region.integration("POST", "/integration/v1/form-requests", {**body, "form_id": "finns-inte"},
                                 idempotency_key="k-forms-000003")  # fmt: skip
    assert unknown.status_code == 404 and unknown.json_body["code"] == "form_not_subscribed"


def test_a_package_sends_each_part_on_its_day_once_however_often_its_schedule_fires(region):
    _publish(TWO_PAGES, "infor-besoket")
    _publish(HEALTH_DECLARATION, "halsodeklaration-test")
    today = clock.stockholm_date(clock.utc_now())
    in_a_week, in_a_month = today + timedelta(days=7), today + timedelta(days=30)
    fields = {"personnummer": f"{region.people['anna'].personnummer}\n{region.people['gunnar'].personnummer}",
              "answer_days": "10", "remind_days_before": "3", "dispatch_id": str(uuid.uuid4())}
    parts = [("infor-besoket", in_a_week.isoformat()), ("halsodeklaration-test", in_a_month.isoformat())]
    package_id = forms.schedule_package(ports(), EVA, VC, parts, fields, clock.utc_now())
    assert forms.schedule_package(ports(), EVA, VC, parts, fields, clock.utc_now()) == package_id  # a double post
    region.follow_up()
    schedule = ports().package_schedules.get(f"{package_id}-1")
    assert schedule["ScheduleExpression"] == f"at({in_a_month.isoformat()}T08:00:00)"
    assert schedule["ScheduleExpressionTimezone"] == "Europe/Stockholm"
    assert json.loads(schedule["Target"]["Input"]) == {"package_id": package_id, "part": 1}
    assert ports().form_requests.page_of_citizen(_citizen_id(region, "anna"), 10, None)[0] == []  # not before its day

    morning = datetime.combine(in_a_week, time(8, 0), tzinfo=STOCKHOLM)
    assert forms.send_package_part(ports(), {"package_id": package_id, "part": 0}, morning) == "sent"
    assert forms.send_package_part(ports(), {"package_id": package_id, "part": 0}, morning) == "already_sent"
    region.follow_up()
    sent = ports().form_requests.page_of_citizen(_citizen_id(region, "anna"), 10, None)[0]
    assert [(r.form_id, r.due_on, r.package_id) for r in sent] == [
        ("infor-besoket", (in_a_week + timedelta(days=10)).isoformat(), package_id)]
    assert ports().unit_forms.get(VC, "infor-besoket").sent == 2

    with pytest.raises(Exception) as refused:
        forms.schedule_package(ports(), EVA, VC, [("infor-besoket", today.isoformat())], fields, clock.utc_now())
    assert refused.value.code == "send_on_invalid"

    # The unit stops using the second form before its day: that part does not go.
    stopped = ports().unit_forms.get(VC, "halsodeklaration-test")
    ports().unit_forms.update(stopped, [type(stopped).stopped_at.set(clock.utc_now())], forms.event(
        forms.Kind.FORM_UNSUBSCRIBED, f"unit_form#{VC}#halsodeklaration-test", clock.utc_now()))
    later = datetime.combine(in_a_month, time(8, 0), tzinfo=STOCKHOLM)
    assert forms.send_package_part(ports(), {"package_id": package_id, "part": 1}, later) == "form_gone"


def test_an_offered_form_is_started_from_the_contact_card_and_arrives_as_a_case(region):
    _publish(TWO_PAGES, "infor-besoket")
    subscription = ports().unit_forms.get(VC, "infor-besoket")
    anna = _logged_in(region, "anna")
    assert "Inför besöket" not in anna.page(f"/contact/{VC}")  # not offered yet
    ports().unit_forms.update(subscription, [type(subscription).offered.set(True)],
                              forms.event(forms.Kind.FORM_SUBSCRIPTION_CHANGED, f"unit_form#{VC}#infor-besoket",
                                          clock.utc_now(), unit_hsa_id=VC, form_id="infor-besoket"))  # fmt: skip
    card = anna.page(f"/contact/{VC}")
    assert f'href="/contact/{VC}/forms/infor-besoket"' in card
    start = anna.page(f"/contact/{VC}/forms/infor-besoket")
    submission = re.search(r'name="submission_id" value="([^"]+)"', start).group(1)
    fields = {"csrf_token": anna.csrf_token(), "submission_id": submission}
    first = anna.post_form(f"/contact/{VC}/forms/infor-besoket", fields)
    again = anna.post_form(f"/contact/{VC}/forms/infor-besoket", fields)  # a double click
    assert first.status_code == 303 and first.headers["Location"] == again.headers["Location"]
    request_id = first.headers["Location"].rsplit("/", 1)[1]
    region.follow_up()
    assert not [m for m in ports().inbox.inbox_of(_citizen_id(region, "anna")) if m.subject.startswith("Formulär")]
    _post(anna, request_id, 1, "next", roker="false")
    _post(anna, request_id, 2, "send", mar="daligt", ovrigt="Ont i ryggen sedan i måndags")
    region.follow_up()
    case = ports().cases.get(ports().form_requests.get(request_id).case_id)
    assert case.unit_hsa_id == VC and case.status == "new" and case.case_type_name == "Inför besöket"
    assert [(a.label, a.answer) for a in case.answers] == [
        ("Röker du?", "Nej"), ("Hur mår du?", "Dåligt"), ("Övrigt", "Ont i ryggen sedan i måndags")]
    assert case.case_id in {c.case_id for c in ports().cases.queue(VC)}
    assert "Inför besöket" in anna.page("/cases")
    assert anna.get(f"/cases/{case.case_id}").status_code == 200
    nurse = region.browser()
    nurse.login("eva", "staff")
    staff_view = nurse.page(f"/staff/cases/{case.case_id}")
    assert "Inför besöket" in staff_view and "Ont i ryggen sedan i måndags" in staff_view


def test_a_question_an_answer_asks_on_the_same_page_is_shown_before_going_on(region):
    _publish(TWO_PAGES, "infor-besoket")
    _send(region, "infor-besoket", "anna")
    anna, request_id = _logged_in(region, "anna"), _request_of(region, "anna")
    # Without JavaScript the page could not show "how many" before "yes" was posted: it stays, and asks.
    answer = _post(anna, request_id, 1, "next", roker="true")
    assert answer.status_code == 303 and answer.headers["Location"].endswith("?page=1&more=1")
    page = anna.page(answer.headers["Location"])
    assert "fler frågor på den här sidan" in page and "Hur många cigaretter om dagen?" in page
    # Going on without answering it: the error beside it, still on the page.
    answer = _post(anna, request_id, 1, "next", roker="true")
    assert answer.status_code == 400 and 'id="cigaretter-error"' in answer.body.decode()
    assert _post(anna, request_id, 1, "next", roker="true", cigaretter="5").headers["Location"].endswith("page=2")


def test_a_form_reads_in_english_where_it_has_english_and_in_swedish_where_not(region):
    _publish(TWO_PAGES, "infor-besoket")
    _send(region, "infor-besoket", "anna")
    anna, request_id = _logged_in(region, "anna"), _request_of(region, "anna")
    assert anna.get(f"/language?lang=en&next=/forms/{request_id}").status_code in (302, 303)
    page = anna.page(f"/forms/{request_id}")
    assert "Before your visit" in page and "Do you smoke?" in page and "Page 1 of 2" in page
    assert '<legend lang="sv">Om dig</legend>' in page  # the group has no English: its Swedish, marked so
    assert ">Yes<" in page and ">No<" in page and "Save draft" in page


def test_a_nurse_books_a_visit_with_the_health_declaration_in_the_staff_tool(region):
    ka = "SE2321000099-KA01"
    eva = region.browser()
    eva.login("eva", "staff")  # case handler at the cardiology clinic, which uses the demo's health declaration
    page = eva.page(f"/staff/summons?unit={ka}")
    assert '<option value="halsodeklaration"' in page
    day = clock.stockholm_date(clock.utc_now()) + timedelta(days=6)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    fields = {"csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', page).group(1),
              "submission_id": re.search(r'name="submission_id" value="([^"]+)"', page).group(1),
              "unit": ka, "personnummer": region.people["gunnar"].personnummer, "visit_type": "arskontroll",
              "day": day.isoformat(), "time": "13:15", "form": "finns-inte"}  # fmt: skip
    refused = eva.post_form("/staff/summons", fields)
    assert refused.status_code == 400 and 'id="forms-error"' in refused.body.decode()
    assert eva.post_form("/staff/summons", {**fields, "form": "halsodeklaration"}).status_code == 303
    region.follow_up()
    sent = ports().form_requests.page_of_citizen(_citizen_id(region, "gunnar"), 10, None)[0]
    assert [(r.form_id, r.unit_hsa_id, r.due_on) for r in sent] == [
        ("halsodeklaration", ka, (day - timedelta(days=1)).isoformat())]


def test_answers_too_long_to_store_are_refused_on_the_page_and_nothing_is_saved(region):
    long_form = {"resourceType": "Questionnaire", "status": "active", "title": "Långa svar",
                 "item": [{"linkId": f"t{n}", "type": "text", "text": f"Fråga {n}"} for n in range(80)]}
    _publish(long_form, "langa-svar")
    _send(region, "langa-svar", "anna")
    anna, request_id = _logged_in(region, "anna"), _request_of(region, "anna")
    answer = _post(anna, request_id, 1, "save", **{f"t{n}": "a" * 4000 for n in range(80)})
    assert answer.status_code == 400 and "Svaren är för långa" in answer.body.decode()
    assert ports().form_requests.get(request_id).draft is None


def test_a_nurse_withdraws_a_form_sent_by_mistake_and_the_person_is_told_so(region):
    _publish(TWO_PAGES, "infor-besoket")
    _send(region, "infor-besoket", "anna")
    request_id = _request_of(region, "anna")
    eva = region.browser()
    eva.login("eva", "staff")
    listing = eva.page(f"/staff/forms/infor-besoket/follow-up?unit={VC}")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', listing).group(1)
    assert f'action="/staff/form-requests/{request_id}/withdraw"' in listing
    done = eva.post_form(f"/staff/form-requests/{request_id}/withdraw", {"csrf_token": csrf})
    assert done.status_code == 303 and done.headers["Location"].endswith("done=withdrawn")
    assert "Formuläret är återkallat." in eva.page(done.headers["Location"])
    assert eva.post_form(f"/staff/form-requests/{request_id}/withdraw", {"csrf_token": csrf}).status_code == 409
    assert ports().unit_forms.get(VC, "infor-besoket").sent == 0
    anna = _logged_in(region, "anna")
    gone = anna.page(f"/forms/{request_id}")  # from the letter in her inbox
    assert "Mottagningen har återkallat formuläret." in gone and 'name="step"' not in gone
    assert _post(anna, request_id, 1, "save", roker="true").headers["Location"] == f"/forms/{request_id}"
    assert "Inför besöket" not in anna.page("/forms") and "Du har inga formulär att fylla i." in anna.page("/")
