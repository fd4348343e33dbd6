"""Forms in the staff tool (issue 19): a nurse sends a form to a list of personnummer (a wrong line
refused beside the field with nothing sent, a double post sending once), follows up sent / answered /
overdue (a protected identity without a name), opens an answer (the patient header, the access log)
and exports it as a FHIR QuestionnaireResponse and as a PDF (a health declaration's holds only the
medically relevant answers, each red or green in colour and in words); a nurse of another unit is
refused; the regional admin imports a form (each problem of a broken one listed), edits its texts
into a new version and retires it."""

from __future__ import annotations

import io
import json
import re
import uuid
from datetime import datetime, time, timedelta, timezone
from urllib.parse import urlparse

import pypdf
import requests

from chalicelib.bootstrap import ports
from chalicelib.domain import clock
from chalicelib.domain import questionnaire as q
from chalicelib.domain.personnummer import parse
from chalicelib.domain.roles import RoleAtUnit, StaffRole
from chalicelib.services import forms
from chalicelib.services.principals import CitizenPrincipal, StaffPrincipal

VC, HS = "SE2321000099-VC01", "SE2321000099-HS01"
JOHAN = StaffPrincipal("SE2321000099-P002", "Johan Ström", (RoleAtUnit(VC, StaffRole.LOCAL_ADMIN),), "x")
EXT = q.EXTENSIONS
MEDICAL = [{"url": q.MEDICALLY_RELEVANT, "valueBoolean": True}]
ATTENTION = [{"url": q.ATTENTION, "valueBoolean": True}]


def _choice(link_id: str, text: str, *, medical: bool) -> dict:
    item = {"linkId": link_id, "type": "choice", "text": text, "required": True, "answerOption": [
        {"valueCoding": {"code": "ja", "display": "Ja"}, "extension": ATTENTION},
        {"valueCoding": {"code": "nej", "display": "Nej"}}]}  # fmt: skip
    if medical:
        item["extension"] = MEDICAL
    return item


HEALTH_DECLARATION = {
    "resourceType": "Questionnaire", "status": "active", "title": "Hälsodeklaration inför operation",
    "extension": [{"url": q.FORM_KIND, "valueCode": "health-declaration"}],
    "item": [
        _choice("allergi", "Har du någon allergi mot läkemedel?", medical=True),
        _choice("blod", "Tar du blodförtunnande läkemedel?", medical=True),
        _choice("resa", "Har du rest utomlands den senaste månaden?", medical=False),
        {"linkId": "ovrigt", "type": "text", "text": "Vill du berätta något mer?"},
    ],
}  # fmt: skip

SURVEY = {
    "resourceType": "Questionnaire", "status": "active", "title": "Hälsosamtal 50 år",
    "_title": {"extension": [{"url": q.TRANSLATION, "extension": [
        {"url": "lang", "valueCode": "en"}, {"url": "content", "valueString": "Health talk at 50"}]}]},
    "item": [{"linkId": "vanor", "type": "group", "text": "Levnadsvanor", "item": [
        {"linkId": "motion", "type": "integer", "text": "Hur många dagar i veckan rör du dig minst 30 minuter?"}]}],
}  # fmt: skip


def _publish(resource: dict) -> str:
    parsed, form = forms.read_questionnaire(json.dumps(resource))
    definition = forms.publish(ports(), parsed, form, "SE2321000099-P004", clock.utc_now())
    forms.subscribe(ports(), JOHAN, VC, definition.form_id, clock.utc_now())
    return definition.form_id


def _staff(region, sub: str):
    browser = region.browser()
    browser.login(sub, "staff")
    return browser


def _citizen_id(region, sub: str) -> str:
    return ports().identities.find(parse(region.people[sub].personnummer, region.today))


def _send_form(browser, form_id: str) -> dict[str, str]:
    page = browser.page(f"/staff/forms/{form_id}/send?unit={VC}")
    return {n: re.search(rf'name="{n}" value="([^"]+)"', page).group(1) for n in ("csrf_token", "dispatch_id")}


def _figures(form_id: str) -> tuple[int, int, int]:
    subscription = ports().unit_forms.get(VC, form_id)
    return int(subscription.sent), int(subscription.answered), int(subscription.overdue)


def _answer_all(region, form_id: str, dispatch_id: str, sub: str, raw: dict[str, list[str]]) -> str:
    citizen_id = _citizen_id(region, sub)
    request_id = forms.request_id_for(dispatch_id, citizen_id)
    principal = CitizenPrincipal(citizen_id, sub, None, None, "x")
    pages = len(forms.current(ports(), form_id).form.pages)
    for page in range(pages):
        result = forms.post_page(ports(), principal, request_id, page, raw, "send" if page == pages - 1 else "next",
                                 clock.utc_now())  # fmt: skip
    assert result.sent, result.errors
    return request_id


def _sent(region, nurse, form_id: str, numbers: str, due_days: int = 14) -> tuple[object, dict[str, str]]:
    fields = _send_form(nurse, form_id)
    due = (region.today + timedelta(days=due_days)).isoformat()
    response = nurse.post_form(f"/staff/forms/{form_id}/send", {**fields, "unit": VC, "personnummer": numbers,
                                                                 "due_on": due, "remind_days_before": "3"})
    return response, fields


def test_a_nurse_sends_follows_up_opens_and_exports_a_health_declaration(region):
    """Given a health declaration the health centre uses, when Eva sends it to Anna and Maja (protected
    identity), then the figures move as they answer and as the last day passes, and each answer opens
    with its patient header and exports as FHIR and as a PDF of only the medically relevant answers."""
    form_id = _publish(HEALTH_DECLARATION)
    eva = _staff(region, "eva")
    assert "/staff/forms" in eva.page("/staff")
    listed = eva.page(f"/staff/forms?unit={VC}")
    assert "Hälsodeklaration inför operation" in listed and f"/staff/forms/{form_id}/send" in listed

    # a wrong line: refused beside the field, nothing sent
    anna, maja = region.people["anna"].personnummer, region.people["maja"].personnummer
    response, _ = _sent(region, eva, form_id, f"{anna}\n12345")
    assert response.status_code == 400
    page = response.body.decode()
    assert 'id="personnummer-error"' in page and "Rad 2 är inte ett giltigt personnummer." in page
    assert anna in page  # what was typed is kept in the field, to correct
    assert _figures(form_id) == (0, 0, 0)

    # sent to two; the same page posted twice sends once
    response, fields = _sent(region, eva, form_id, f"{anna}\n{maja[:8]}-{maja[8:]}")
    assert response.status_code == 303, response.body[:500]
    again = eva.post_form(f"/staff/forms/{form_id}/send", {
        **fields, "unit": VC, "personnummer": f"{anna}\n{maja}",
        "due_on": (region.today + timedelta(days=14)).isoformat(), "remind_days_before": "3"})  # fmt: skip
    assert again.status_code == 303
    assert _figures(form_id) == (2, 0, 0)
    follow_up = eva.page(urlparse(response.headers["Location"]).path + "?" + urlparse(response.headers["Location"]).query)
    assert "Skickat till 2 personer." in follow_up
    assert "Anna Andersson" in follow_up and "Skyddad identitet" in follow_up and "Maja" not in follow_up
    assert anna not in follow_up and anna[2:] not in follow_up  # names, never numbers, in the list

    # Anna answers: allergy yes (red), blood thinners no (green), travel yes (not medically relevant)
    request_id = _answer_all(region, form_id, fields["dispatch_id"], "anna", {
        "allergi": ["ja"], "blod": ["nej"], "resa": ["ja"], "ovrigt": ["Inget mer."]})
    assert _figures(form_id) == (2, 1, 0)
    follow_up = eva.page(f"/staff/forms/{form_id}/follow-up?unit={VC}")
    assert f"/staff/form-answers/{request_id}" in follow_up and "Besvarat" in follow_up

    # the answer: the patient header, the access log, red and green in words
    assert [e.what for e in ports().access_log.of_citizen(_citizen_id(region, "anna"))] == []
    opened = eva.page(f"/staff/form-answers/{request_id}")
    header = opened[opened.index('class="patient-header"'):opened.index("</section>")]
    assert "Anna Andersson" in header and f"{anna[:8]}-{anna[8:]}" in header
    assert [(e.staff_name, e.what) for e in ports().access_log.of_citizen(_citizen_id(region, "anna"))] == [
        ("Eva Nilsson", "form")]
    assert 'class="attention-red"' in opened and 'class="attention-green"' in opened
    assert "Observera" in opened and "Utan anmärkning" in opened and "Inget mer." in opened

    # the JSON export: a FHIR R4 QuestionnaireResponse, as a file
    csrf = eva.csrf_token("/api/v1/staff/me")
    exported = eva.post_form(f"/staff/form-answers/{request_id}/json", {"csrf_token": csrf})
    assert exported.status_code == 200 and exported.headers["Content-Disposition"].startswith("attachment;")
    resource = json.loads(exported.body)
    from fhirclient.models.questionnaireresponse import QuestionnaireResponse

    parsed = QuestionnaireResponse(resource, strict=True)
    assert parsed.status == "completed" and parsed.id == request_id
    assert resource["questionnaire"].endswith("|1")
    assert {i["linkId"]: i["answer"][0]["valueCoding"]["code"] for i in resource["item"] if "valueCoding" in
            i["answer"][0]} == {"allergi": "ja", "blod": "nej", "resa": "ja"}  # fmt: skip
    record = ports().form_requests.get(request_id)
    assert record.exported_at is not None and record.purge_day is not None  # the unit's retention started
    assert eva.post_form(f"/staff/form-answers/{request_id}/json", {"csrf_token": "wrong"}).status_code == 403

    # the PDF: only the medically relevant answers, each marked in words (and colour)
    made = eva.post_form(f"/staff/form-answers/{request_id}/pdf", {"csrf_token": csrf})
    assert made.status_code == 303, made.body[:300]
    pdf = requests.get(made.headers["Location"], timeout=10)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    text = " ".join(" ".join(p.extract_text().split()) for p in pypdf.PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Har du någon allergi mot läkemedel?" in text and "Tar du blodförtunnande läkemedel?" in text
    assert "Observera" in text and "Utan anmärkning" in text
    assert "utomlands" not in text and "Inget mer." not in text and "berätta" not in text
    assert "Anna Andersson" in text
    assert [e.what for e in ports().access_log.of_citizen(_citizen_id(region, "anna"))].count("form") == 3  # the open, the JSON, the PDF

    # the day after the last day: Maja's unanswered form is overdue
    after = datetime.combine(region.today + timedelta(days=15), time(6, 0), tzinfo=clock.STOCKHOLM)
    forms.daily(ports(), after.astimezone(timezone.utc))
    assert _figures(form_id) == (2, 1, 1)
    listed = eva.page(f"/staff/forms?unit={VC}")
    assert '<span class="overdue">1</span>' in listed


def test_a_nurse_of_another_unit_sees_none_of_it(region):
    form_id = _publish(SURVEY)
    eva = _staff(region, "eva")
    response, fields = _sent(region, eva, form_id, region.people["anna"].personnummer)
    assert response.status_code == 303
    request_id = _answer_all(region, form_id, fields["dispatch_id"], "anna", {"motion": ["3"]})
    opened = eva.page(f"/staff/form-answers/{request_id}")
    assert "Levnadsvanor" in opened and "Hur många dagar" in opened and "attention-" not in opened
    lisa = _staff(region, "lisa")
    assert lisa.get(f"/staff/form-answers/{request_id}").status_code == 404
    assert lisa.get(f"/staff/forms/{form_id}/follow-up?unit={VC}").status_code == 403
    assert lisa.get(f"/staff/forms/{form_id}/send?unit={VC}").status_code == 403
    csrf = lisa.csrf_token("/api/v1/staff/me")
    assert lisa.post_form(f"/staff/form-answers/{request_id}/json", {"csrf_token": csrf}).status_code == 404
    assert lisa.post_form(f"/staff/form-answers/{request_id}/pdf", {"csrf_token": csrf}).status_code == 404
    page = lisa.page(f"/staff/forms?unit={VC}")
    assert "Hälsosamtal 50 år" not in page  # her own unit's forms, not the health centre's
    assert [e.what for e in ports().access_log.of_citizen(_citizen_id(region, "anna"))] == ["form"]


def test_the_local_admin_chooses_a_form_of_the_region(region):
    parsed, form = forms.read_questionnaire(json.dumps(SURVEY))
    form_id = forms.publish(ports(), parsed, form, "SE2321000099-P004", clock.utc_now()).form_id
    johan = _staff(region, "johan")
    page = johan.page(f"/staff/forms?unit={VC}")
    assert "Använd formuläret" in page and "Hälsosamtal 50 år" in page
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = johan.post_form("/staff/forms/subscribe", {"csrf_token": csrf, "unit": VC, "form_id": form_id})
    assert response.status_code == 303 and ports().unit_forms.get(VC, form_id) is not None
    assert "Enheten använder nu formuläret." in johan.page(response.headers["Location"])


def test_the_regional_admin_imports_edits_and_retires_a_form(region):
    rut = _staff(region, "rut")
    page = rut.page("/staff/region/forms")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    demo_forms = [d.form_id for d in ports().form_definitions.page(10, None)[0]]  # demo/forms, seeded
    broken = {"resourceType": "Questionnaire", "status": "active", "item": [
        {"linkId": "a", "type": "choice", "text": "Hur mår du?"},
        {"linkId": "a", "type": "string", "text": "Något mer?"},
        {"linkId": "b", "type": "string"}]}  # fmt: skip
    response = rut.post_form("/staff/region/forms", {"csrf_token": csrf, "questionnaire": json.dumps(broken)})
    assert response.status_code == 400
    shown = response.body.decode()
    for problem in ("Formuläret saknar titel (title).", "Fråga a: ett val behöver svarsalternativ (answerOption).",
                    "Fråga a: linkId finns redan i formuläret.", "Fråga b: texten saknas."):
        assert problem in shown, problem
    assert 'id="questionnaire-error"' in shown and "4 fel" in shown
    assert rut.post_form("/staff/region/forms", {"csrf_token": csrf, "questionnaire": "{"}).status_code == 400
    assert [d.form_id for d in ports().form_definitions.page(10, None)[0]] == demo_forms

    # a good one: imported, its texts edited into version 2, then retired
    response = rut.post_form("/staff/region/forms", {"csrf_token": csrf, "questionnaire": json.dumps(SURVEY)})
    assert response.status_code == 303, re.findall(r"<li>[^<]*</li>|role=\"alert\">[^<]*", response.body.decode())
    editor = response.headers["Location"].split("?")[0]
    form_id = editor.split("/")[-2]
    page = rut.page(editor)
    assert "Hur många dagar i veckan" in page and 'name="text_en.motion"' in page
    response = rut.post_form(editor, {
        "csrf_token": csrf, "version": "1", "title": "Hälsosamtal 50 år", "title_en": "Health talk at 50",
        "text.vanor": "Levnadsvanor", "text_en.vanor": "Habits",
        "text.motion": "Hur många dagar i veckan rör du på dig?", "text_en.motion": "How many days a week do you exercise?",
        "required.motion": "yes"})  # fmt: skip
    assert response.status_code == 303, re.findall(r"<li>[^<]*</li>|role=\"alert\">[^<]*", response.body.decode())
    current = forms.current(ports(), form_id)
    assert current.version == 2
    motion = current.form.item("motion")
    assert motion.required and motion.text.en == "How many days a week do you exercise?"
    assert current.form.item("vanor").text.en == "Habits"
    stale = rut.post_form(editor, {"csrf_token": csrf, "version": "1", "title": "Gammal"})
    assert stale.status_code == 409 and forms.current(ports(), form_id).version == 2

    assert rut.post_form(f"/staff/region/forms/{form_id}/retire", {"csrf_token": csrf}).status_code == 303
    assert "Formuläret är avvecklat." in rut.page("/staff/region/forms?done=retired")
    assert forms.current(ports(), form_id).record.status == "retired"
    johan = _staff(region, "johan")
    assert form_id not in johan.page(f"/staff/forms?unit={VC}")  # a retired form is not offered (the demo's is)
    eva = _staff(region, "eva")
    assert eva.get("/staff/region/forms").status_code == 403


def _settings(browser, form_id: str, **fields: str):
    csrf = browser.csrf_token("/api/v1/staff/me")
    return browser.post_form("/staff/forms/settings", {"csrf_token": csrf, "unit": VC, "form_id": form_id, **fields})


def test_the_local_admin_sets_how_long_answers_are_kept_and_offers_a_form(region):
    """Given a survey and a health declaration the health centre uses, when Johan (its local admin)
    keeps the survey's answers 30 days and offers it on the contact card, then both are saved with
    their event; a health declaration cannot be offered and a retention out of range is refused,
    each beside its field, nothing changed; a nurse, and another unit's staff, may do neither."""
    survey, declaration = _publish(SURVEY), _publish(HEALTH_DECLARATION)
    johan = _staff(region, "johan")
    page = johan.page(f"/staff/forms?unit={VC}")
    assert "Enhetens inställningar för formulären" in page and 'name="retention_days"' in page and 'value="90"' in page
    # A switch for the survey and for the demo region's own surveys at the health centre; none for the
    # health declaration
    demo_surveys = [f for f in ports().unit_forms.of_unit(VC) if f.form_id not in (survey, declaration)
                    and ports().form_definitions.current(f.form_id).kind != "health-declaration"]
    assert page.count('name="offered"') == 1 + len(demo_surveys)

    response = _settings(johan, survey, retention_days="30", offered="yes")
    assert response.status_code == 303 and response.headers["Location"].endswith("done=saved")
    record = ports().unit_forms.get(VC, survey)
    assert int(record.retention_days) == 30 and record.offered
    page = johan.page(response.headers["Location"])
    assert "Inställningarna är sparade." in page and "Erbjuds som e-tjänst" in page and 'value="30"' in page
    assert _settings(johan, survey, retention_days="30", offered="yes").headers["Location"].endswith("done=unchanged")
    response = _settings(johan, survey, retention_days="30")  # the box unticked: no longer offered
    assert response.status_code == 303 and not ports().unit_forms.get(VC, survey).offered

    refused = _settings(johan, declaration, retention_days="60", offered="yes")
    assert refused.status_code == 400
    shown = refused.body.decode()
    assert 'id="offered-error"' in shown and "kan inte erbjudas som e-tjänst" in shown
    for wrong in ("0", "3651", "tre"):
        refused = _settings(johan, survey, retention_days=wrong)
        assert refused.status_code == 400, wrong
        shown = refused.body.decode()
        assert 'id="retention_days-error"' in shown and "Svaren kan sparas 1–3650 dagar efter export." in shown
        assert f'value="{wrong}"' in shown  # what was typed, to correct
    assert int(ports().unit_forms.get(VC, declaration).retention_days) == 90
    assert not ports().unit_forms.get(VC, declaration).offered
    assert int(ports().unit_forms.get(VC, survey).retention_days) == 30

    eva = _staff(region, "eva")  # a case receiver at the health centre, not its local admin
    assert 'name="retention_days"' not in eva.page(f"/staff/forms?unit={VC}")
    assert _settings(eva, survey, retention_days="5", offered="yes").status_code == 403
    csrf = eva.csrf_token("/api/v1/staff/me")
    assert eva.post_form("/staff/forms/stop", {"csrf_token": csrf, "unit": VC, "form_id": survey}).status_code == 403
    lisa = _staff(region, "lisa")
    assert _settings(lisa, survey, retention_days="5").status_code == 403
    record = ports().unit_forms.get(VC, survey)
    assert int(record.retention_days) == 30 and not record.offered and record.stopped_at is None


def test_a_form_the_unit_stopped_using_is_still_followed_up(region):
    """Given a survey Eva sent to Anna and Anna answered, when Johan stops using it, then nothing new
    can be sent of it (the page, the post, a package, a care system), while the follow-up list and the
    answer still open and export (with the unit's retention); using it again restores it as it was."""
    form_id = _publish(SURVEY)
    eva = _staff(region, "eva")
    response, fields = _sent(region, eva, form_id, region.people["anna"].personnummer)
    assert response.status_code == 303
    request_id = _answer_all(region, form_id, fields["dispatch_id"], "anna", {"motion": ["3"]})
    johan = _staff(region, "johan")
    assert _settings(johan, form_id, retention_days="30").status_code == 303

    csrf = johan.csrf_token("/api/v1/staff/me")
    stopped = johan.post_form("/staff/forms/stop", {"csrf_token": csrf, "unit": VC, "form_id": form_id})
    assert stopped.status_code == 303
    assert johan.post_form("/staff/forms/stop", {"csrf_token": csrf, "unit": VC, "form_id": form_id}).status_code == 303
    record = ports().unit_forms.get(VC, form_id)
    assert record.stopped_at is not None and record.stopped_by == "SE2321000099-P002" and int(record.sent) == 1
    page = johan.page(stopped.headers["Location"])
    assert "Enheten använder inte längre formuläret." in page and "Använd formuläret igen" in page
    title = SURVEY["title"]
    assert f'Använd formuläret<span class="visually-hidden">: {title}</span>' not in page  # not in the region's list
    assert _settings(johan, form_id, retention_days="40").status_code == 409

    # nothing new is sent
    listed = eva.page(f"/staff/forms?unit={VC}")
    assert "Används inte längre" in listed and f"/staff/forms/{form_id}/send" not in listed
    assert eva.get(f"/staff/forms/{form_id}/send?unit={VC}").status_code == 404
    again = eva.post_form(f"/staff/forms/{form_id}/send", {
        "csrf_token": fields["csrf_token"], "dispatch_id": str(uuid.uuid4()), "unit": VC,
        "personnummer": region.people["gunnar"].personnummer,
        "due_on": (region.today + timedelta(days=14)).isoformat()})  # fmt: skip
    assert again.status_code == 404
    assert form_id not in eva.page(f"/staff/forms/packages/new?unit={VC}")
    assert _figures(form_id) == (1, 1, 0)

    # what was sent is still followed up, opened and exported, with the unit's retention
    follow_up = eva.page(f"/staff/forms/{form_id}/follow-up?unit={VC}")
    assert f"/staff/form-answers/{request_id}" in follow_up and "Anna Andersson" in follow_up
    assert f"/staff/forms/{form_id}/send" not in follow_up
    assert "Levnadsvanor" in eva.page(f"/staff/form-answers/{request_id}")
    exported = eva.post_form(f"/staff/form-answers/{request_id}/json", {"csrf_token": eva.csrf_token("/api/v1/staff/me")})
    assert exported.status_code == 200
    assert ports().form_requests.get(request_id).purge_day == (region.today + timedelta(days=30)).isoformat()

    # used again: as it was
    response = johan.post_form("/staff/forms/subscribe", {"csrf_token": csrf, "unit": VC, "form_id": form_id})
    assert response.status_code == 303
    record = ports().unit_forms.get(VC, form_id)
    assert record.stopped_at is None and int(record.retention_days) == 30 and int(record.sent) == 1
    assert eva.get(f"/staff/forms/{form_id}/send?unit={VC}").status_code == 200


def _editor_post(browser, editor: str, csrf: str, **fields: str):
    version = str(forms.current(ports(), editor.split("/")[-2]).version)
    return browser.post_form(editor, {"csrf_token": csrf, "version": version, **fields})


def test_the_regional_admin_adds_edits_and_removes_questions_without_json(region):
    """Given a survey Rut imported, when she adds a choice question with options to its page and a date
    question on a new page, then a new version holds them (codes made from the texts) and the citizen's
    side reads it page by page; a question without text and a choice without options are refused beside
    their fields and nothing is published; a question another depends on cannot be removed; editing a
    choice's options keeps the codes of the options that stay; a question moves within its page."""
    rut = _staff(region, "rut")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', rut.page("/staff/region/forms")).group(1)
    response = rut.post_form("/staff/region/forms", {"csrf_token": csrf, "questionnaire": json.dumps(SURVEY)})
    editor = response.headers["Location"].split("?")[0]
    form_id = editor.split("/")[-2]
    page = rut.page(editor)
    assert 'name="add_text"' in page and 'value="vanor"' in page and "Lägg till fråga" in page

    response = _editor_post(rut, editor, csrf, action="add", add_type="choice", add_text="Röker du?",
                            add_text_en="Do you smoke?", add_required="yes", add_page="vanor",
                            add_options="Ja, dagligen\nIbland\nNej", add_options_en="Yes, daily\nSometimes\nNo")
    assert response.status_code == 303, re.findall(r'field-error"[^>]*>[^<]*|<li>[^<]*</li>', response.body.decode())
    response = _editor_post(rut, editor, csrf, action="add", add_type="date", add_page="new",
                            add_text="När var du senast hos tandläkaren?", add_page_text="Tänder")
    assert response.status_code == 303
    current = forms.current(ports(), form_id)
    assert current.version == 3
    smoke = current.form.item("roker-du")
    assert smoke.required and smoke.text.en == "Do you smoke?"
    assert [(o.code, o.display.sv, o.display.en) for o in smoke.options] == [
        ("ja-dagligen", "Ja, dagligen", "Yes, daily"), ("ibland", "Ibland", "Sometimes"), ("nej", "Nej", "No")]
    assert [i.link_id for i in current.form.item("vanor").items] == ["motion", "roker-du"]
    assert len(current.form.pages) == 2 and current.form.pages[1][0].text.sv == "Tänder"
    dentist = current.form.pages[1][0].items[0]
    assert dentist.type is q.ItemType.DATE and not dentist.required
    # the citizen's side: the stored Questionnaire parses, and its pages read answers
    form = q.parse(json.loads(current.record.questionnaire))
    answers, errors = q.read_page(form, 0, {"motion": ["3"], "roker-du": ["ibland"]}, {})
    assert not errors and answers["roker-du"] == ("ibland",)
    answers, errors = q.read_page(form, 1, {dentist.link_id: ["2026-01-15"]}, answers)
    assert not errors

    # refused beside the fields, nothing published
    refused = _editor_post(rut, editor, csrf, action="add", add_type="choice", add_text=" ", add_page="vanor")
    assert refused.status_code == 400
    shown = refused.body.decode()
    assert 'id="add_text-error"' in shown and "Skriv frågans text." in shown
    assert 'id="add_options-error"' in shown and "Ett val behöver svarsalternativ" in shown
    assert forms.current(ports(), form_id).version == 3

    # a question another depends on
    resource = json.loads(forms.current(ports(), form_id).record.questionnaire)
    resource.pop("id"), resource.pop("version")
    resource["item"][0]["item"].append({"linkId": "hur-mycket", "type": "integer", "text": "Hur många om dagen?",
                                        "enableWhen": [{"question": "roker-du", "operator": "=",
                                                        "answerCoding": {"code": "ja-dagligen"}}]})  # fmt: skip
    assert rut.post_form(f"/staff/region/forms/{form_id}/version", {"csrf_token": csrf,
                         "questionnaire": json.dumps(resource)}).status_code == 303  # fmt: skip
    refused = _editor_post(rut, editor, csrf, action="remove", item="roker-du")
    assert refused.status_code == 400
    shown = refused.body.decode()
    assert 'id="remove.roker-du-error"' in shown and "hur-mycket" in shown
    assert forms.current(ports(), form_id).version == 4

    # the options edited: kept ones keep their codes (the condition on ja-dagligen still holds)
    fields = {"title": "Hälsosamtal 50 år", "text.vanor": "Levnadsvanor",
              "text.motion": SURVEY["item"][0]["item"][0]["text"],
              "text.roker-du": "Röker du?", "required.roker-du": "yes", "text.sida": "Tänder",
              f"text.{dentist.link_id}": dentist.text.sv, "text.hur-mycket": "Hur många om dagen?",
              "options.roker-du": "Nej\nJa, dagligen\nJa, på fest",
              "options_en.roker-du": "No\nYes, daily\nYes, at parties"}  # fmt: skip
    response = _editor_post(rut, editor, csrf, **fields)
    assert response.status_code == 303, re.findall(r'field-error"[^>]*>[^<]*|<li>[^<]*</li>', response.body.decode())
    smoke = forms.current(ports(), form_id).form.item("roker-du")
    assert [(o.code, o.display.en) for o in smoke.options] == [
        ("nej", "No"), ("ja-dagligen", "Yes, daily"), ("ja-pa-fest", "Yes, at parties")]
    refused = _editor_post(rut, editor, csrf, **{**fields, "options.roker-du": ""})
    assert refused.status_code == 400 and 'id="options.roker-du-error"' in refused.body.decode()
    assert forms.current(ports(), form_id).version == 5

    # moved, then removed (what depended on it first)
    assert _editor_post(rut, editor, csrf, action="up", item="roker-du").status_code == 303
    assert [i.link_id for i in forms.current(ports(), form_id).form.item("vanor").items] == [
        "roker-du", "motion", "hur-mycket"]
    assert _editor_post(rut, editor, csrf, action="remove", item="hur-mycket").status_code == 303
    assert _editor_post(rut, editor, csrf, action="remove", item="roker-du").status_code == 303
    current = forms.current(ports(), form_id)
    assert current.version == 8 and [i.link_id for i in current.form.item("vanor").items] == ["motion"]
    stale = rut.post_form(editor, {"csrf_token": csrf, "version": "3", "action": "remove", "item": "motion"})
    assert stale.status_code == 409 and forms.current(ports(), form_id).version == 8
