"""Region content in Swedish and, optionally, English (issue 18): case types and their questions, visit
types and self-tests read in English by a citizen who chose English, each text falling back to the
Swedish where the region wrote none; a choice made in English is stored, and read by staff, as the
Swedish option; staff add the English beside the Swedish (an edit like any other: a new version)."""

from __future__ import annotations

import html
import json
import re
import urllib.parse
from datetime import datetime, time, timedelta

from chalicelib.bootstrap import ports
from chalicelib.domain import clock
from chalicelib.domain.clock import STOCKHOLM

VC, PN = "SE2321000099-VC01", "SE2321000099-PN01"
STI = "klamydia-gonorre"


def _login(region, sub: str, audience: str = "citizen", *, english: bool = False):
    browser = region.browser()
    browser.login(sub, audience)
    if english:
        browser.get("/language?lang=en&next=/")
    return browser


def _page(browser, path: str) -> str:
    return html.unescape(browser.page(path))


def _send(browser, case_type: str, answers: dict[str, str], unit: str = VC) -> str:
    page = browser.page(f"/contact/{unit}/{case_type}")
    fields = {n: re.search(rf'name="{n}" value="([^"]+)"', page).group(1) for n in ("csrf_token", "submission_id")}
    response = browser.post_form(f"/contact/{unit}/{case_type}", {**fields, **answers, "accept_terms": "yes"})
    assert response.status_code == 303, response.body[:600]
    return response.headers["Location"].split("?")[0].rsplit("/", 1)[1]


def _post(browser, path: str, fields: dict):
    body = urllib.parse.urlencode(fields, doseq=True).encode()
    return browser.request("POST", path, headers={"Content-Type": "application/x-www-form-urlencoded"}, body=body)


# -- cases ------------------------------------------------------------------------------------------------


def test_a_citizen_in_english_reads_the_case_type_in_english_and_the_nurse_reads_her_answers_in_swedish(region):
    # Given Anna, who chose English
    anna = _login(region, "anna", english=True)
    # When she finds her health centre: the case types read in English, one the region wrote no English for in Swedish
    card = _page(anna, f"/contact/{VC}")
    assert "Renew a prescription" in card and "Ask for a prescription to be renewed." in card
    assert "Egenremiss" in card and "Förnya recept" not in card
    # And the renewal's form: the questions, options and terms in English, each option answering with its Swedish
    form = _page(anna, f"/contact/{VC}/fornya-recept")
    assert "<h1>Renew a prescription</h1>" in form and "The medicine's name" in form
    assert "Anything else the clinic needs to know? (optional)" in form and "call 112 or 1177" in form
    assert re.search(r'value="kapsel"[^>]*><label for="q-form-\d+">capsule</label>', form)
    assert "Läkemedlets namn" not in form and ">kapsel<" not in form
    # When she sends it, choosing "capsule"
    case_id = _send(anna, "fornya-recept", {"q-lakemedel": "Levaxin", "q-styrka": "50 mikrogram", "q-form": "kapsel"})
    # Then the case keeps the Swedish question and option, and the case type's name in both languages
    record = ports().cases.get(case_id)
    assert [(a.label, a.answer) for a in record.answers] == [
        ("Läkemedlets namn", "Levaxin"), ("Styrka, till exempel 50 mg", "50 mikrogram"), ("Form", "kapsel")]
    assert (record.case_type_name, record.case_type_name_en) == ("Förnya recept", "Renew a prescription")
    # And Anna reads her case in English: its name, her answers by the English question, her choice as "capsule"
    mine = _page(anna, f"/cases/{case_id}")
    assert "<h1>Renew a prescription</h1>" in mine and "The medicine's name" in mine
    assert "<dd class=\"body\">capsule</dd>" in mine and "Renew a prescription" in _page(anna, "/cases")
    # And the nurse reads it as written in Swedish: the Swedish question and the Swedish option
    eva = _login(region, "eva", "staff")
    staff_page = _page(eva, f"/staff/cases/{case_id}")
    assert "<h1>Förnya recept</h1>" in staff_page and "Läkemedlets namn" in staff_page
    assert "<dd class=\"body\">kapsel</dd>" in staff_page
    assert "capsule" not in staff_page and "The medicine's name" not in staff_page
    # And in Swedish Anna's pages say it all in Swedish again
    anna.get("/language?lang=sv&next=/")
    assert "<dd class=\"body\">kapsel</dd>" in _page(anna, f"/cases/{case_id}")


def test_a_case_type_without_english_reads_in_swedish_on_the_english_page(region):
    anna = _login(region, "anna", english=True)
    form = _page(anna, f"/contact/{VC}/egenremiss")
    # The region's texts in Swedish, where it wrote no English; the page's own texts in English
    assert "<h1>Egenremiss</h1>" in form and "Vad söker du för?" in form and "ring 112 eller 1177" in form
    assert "Send the case" in form and "I have read and accept the terms" in form
    case_id = _send(anna, "egenremiss", {"q-besvar": "Ont i knät"})
    assert "<h1>Egenremiss</h1>" in _page(anna, f"/cases/{case_id}")
    assert ports().cases.get(case_id).case_type_name_en is None


def test_a_complaint_addressed_in_english_to_the_patient_board_still_reaches_the_board(region):
    # The option's stored value is its Swedish, so the rule that reads it works whatever the language shown
    anna = _login(region, "anna", english=True)
    form = _page(anna, f"/contact/{VC}/synpunkter")
    assert re.search(r'value="patientnämnden"[^>]*><label for="q-till-\d+">the patient board</label>', form)
    case_id = _send(anna, "synpunkter", {"q-till": "patientnämnden", "q-synpunkt": "I waited for three hours."})
    assert ports().cases.get(case_id).unit_hsa_id == PN
    assert "<dd class=\"body\">the patient board</dd>" in _page(anna, f"/cases/{case_id}")


def test_adding_english_to_a_case_type_is_a_new_version_and_a_case_sent_before_keeps_its_own(region):
    # Given a self-referral sent in English while the case type had no English (version 1)
    anna = _login(region, "anna", english=True)
    before = _send(anna, "egenremiss", {"q-besvar": "Ont i knät"})
    # When the regional admin adds English beside the Swedish
    rut = _login(region, "rut", "staff")
    edit = _page(rut, "/staff/case-types/edit?owner=central&id=egenremiss")
    assert "Namn på engelska (valfritt)" in edit and "Frågetext på engelska (valfritt)" in edit
    question_id = re.search(r'name="q1-id" value="([^"]+)"', edit).group(1)
    fields = {"csrf_token": rut.csrf_token("/api/v1/staff/me"), "owner": "central", "case_type_id": "egenremiss",
              "version": "1", "name": "Egenremiss", "name_en": "Self-referral",
              "description": "Skicka en remiss till mottagningen själv.",
              "description_en": "Send a referral to the clinic yourself.", "terms": "Villkor.",
              "terms_en": "Terms.", "rows": "2", "q1-id": question_id, "q1-label": "Vad söker du för?",
              "q1-label_en": "What are you seeking care for?", "q1-help": "Beskriv kort.",
              "q1-help_en": "Describe it briefly.", "q1-kind": "text", "q1-required": "yes", "q1-order": "10",
              "q2-label": "Hur länge?", "q2-label_en": "Since when?", "q2-kind": "choice",
              "q2-options": "en vecka, längre", "q2-options_en": "a week, longer", "q2-required": "yes",
              "q2-order": "20"}  # fmt: skip
    saved = _post(rut, "/staff/case-types", fields)
    assert saved.status_code == 303 and "done=saved" in saved.headers["Location"], saved.body[:600]
    # Then it is version 2, with its English
    current = ports().case_types.get("central", "egenremiss")
    assert current.version == 2 and current.name.en == "Self-referral"
    assert current.questions[0].help_text.in_("en") == "Describe it briefly."
    assert [(o.sv, o.en) for o in current.questions[1].options] == [("en vecka", "a week"), ("längre", "longer")]
    # And the edit page shows the English in its fields again; the preview shows the form in both languages
    again = _page(rut, "/staff/case-types/edit?owner=central&id=egenremiss")
    assert 'name="name_en" lang="en" value="Self-referral"' in again and 'value="a week, longer"' in again
    preview = _page(rut, "/staff/case-types/preview?owner=central&id=egenremiss")
    assert "Vad söker du för?" in preview and "What are you seeking care for?" in preview
    assert "I have read and accept the terms" in preview and "Jag har läst och godkänner villkoren" in preview
    assert len(re.findall(r'id="([^"]+)"', preview)) == len(set(re.findall(r'id="([^"]+)"', preview)))
    # And the case sent before stays on version 1, as it was: in Swedish, the question it was asked
    assert ports().cases.get(before).case_type_version == 1
    old = _page(anna, f"/cases/{before}")
    assert "<h1>Egenremiss</h1>" in old and "Vad söker du för?" in old and "What are you seeking" not in old
    # While the form now reads in English, and a new case is sent with version 2
    assert "<h1>Self-referral</h1>" in _page(anna, f"/contact/{VC}/egenremiss")
    after = _send(anna, "egenremiss", {"q-besvar": "Ont i knät", f"q-{current.questions[1].question_id}": "längre"})
    new = _page(anna, f"/cases/{after}")
    assert "What are you seeking care for?" in new and "<dd class=\"body\">longer</dd>" in new


def test_the_english_is_checked_like_the_swedish_and_nothing_is_saved_when_it_is_wrong(region):
    rut = _login(region, "rut", "staff")
    fields = {"csrf_token": rut.csrf_token("/api/v1/staff/me"), "owner": "central", "case_type_id": "egenremiss",
              "version": "1", "name": "Egenremiss", "name_en": "N" * 101, "terms": "Villkor.", "rows": "1",
              "q1-label": "Hur länge?", "q1-label_en": "How long?", "q1-kind": "choice",
              "q1-options": "en vecka, längre", "q1-options_en": "a week", "q1-help_en": "Only English",
              "q1-required": "yes"}  # fmt: skip
    refused = _post(rut, "/staff/case-types", fields)
    assert refused.status_code == 400
    page = html.unescape(refused.body.decode())
    assert '<p class="field-error" id="name_en-error">Högst 100 tecken.</p>' in page
    assert 'id="q1-options_en-error"' in page and 'id="q1-help_en-error"' in page
    assert ports().case_types.get("central", "egenremiss").version == 1


# -- booking ----------------------------------------------------------------------------------------------


def _publish(region, *slots: tuple[str, datetime, dict]):
    day = slots[0][1].date().isoformat()
    body = {"from": day, "to": day, "slots": [
        {"slot_id": slot_id, "visit_type_id": "sjukskoterska", "start": start.isoformat(),
         "end": (start + timedelta(minutes=30)).isoformat(), "visibility": "web", **extra}
        for slot_id, start, extra in slots]}  # fmt: skip
    response = region.integration("PUT", f"/integration/v1/units/{VC}/slots", body, idempotency_key=None)
    assert response.status_code == 200, response.body


def test_a_citizen_in_english_books_an_english_visit_type(region):
    day = clock.stockholm_date(clock.utc_now()) + timedelta(days=3)
    start = datetime.combine(day, time(10), tzinfo=STOCKHOLM)
    # The first time with the visit type's own place and role (its Swedish, as a slot keeps them), the
    # second with a place the care system wrote itself
    _publish(region, ("en-1", start, {}), ("en-2", start + timedelta(hours=1), {"place": "Rum 12, plan 2"}))
    anna = _login(region, "anna", english=True)
    # The units and visit types in English
    assert "Sample collection, Visit to a nurse" in _page(anna, "/book")
    types = _page(anna, f"/book?unit={VC}")
    assert "Visit to a nurse" in types and "Nurse" in types and "Besök hos sjuksköterska" not in types
    times = _page(anna, f"/book?unit={VC}&visit_type=sjukskoterska&day={day.isoformat()}")
    assert "<h2>Visit to a nurse, Vårdcentralen Norrby</h2>" in times and "10:00–10:30, Nurse" in times
    confirm = _page(anna, f"/book/confirm?slot={urllib.parse.quote(f'{VC}/en-1')}")
    assert "Visit to a nurse (Nurse)" in confirm and "Vårdcentralen Norrby, The clinic, floor 2" in confirm
    # When she books, the booking keeps the Swedish; her pages read it in English
    booked = anna.post_form("/book", {"csrf_token": anna.csrf_token(), "slot": f"{VC}/en-1"})
    assert booked.status_code == 303, booked.body[:600]
    booking_id = booked.headers["Location"].split("?")[0].rsplit("/", 1)[1]
    assert ports().bookings.get(booking_id).visit_type_name == "Besök hos sjuksköterska"
    page = _page(anna, f"/bookings/{booking_id}")
    assert "<h1>Visit to a nurse</h1>" in page and "The clinic, floor 2" in page
    assert "Visit to a nurse" in _page(anna, "/bookings") and "Visit to a nurse" in _page(anna, "/")
    # The start page's overview names it in English too, with its place (not only the e-services box)
    upcoming = _page(anna, "/").split('id="upcoming-heading"', 1)[1].split("</section>", 1)[0]
    assert "Visit to a nurse" in upcoming and "The clinic, floor 2" in upcoming and "Besök hos" not in upcoming
    # And a place a care system wrote itself is shown as written
    own_place = _page(anna, f"/book/confirm?slot={urllib.parse.quote(f'{VC}/en-2')}")
    assert "Vårdcentralen Norrby, Rum 12, plan 2" in own_place


def test_a_local_admin_gives_a_visit_type_its_english_and_rules_saved_without_it_keep_it(region):
    johan = _login(region, "johan", "staff")
    rules_page = _page(johan, f"/staff/booking-rules?unit={VC}")
    assert "Besökstypens namn på engelska" in rules_page and "På svenska: Besök hos sjuksköterska" in rules_page
    base = {"csrf_token": johan.csrf_token("/api/v1/staff/me"), "unit": VC, "visit_type": "sjukskoterska",
            "preset": "from_tomorrow", "cancel_hours": "24", "rebook_hours": "24", "cancel_online": "yes",
            "web_booking": "yes"}  # fmt: skip
    saved = _post(johan, "/staff/booking-rules", {**base, "name_en": "Nurse appointment", "place_en": "",
                                                  "practitioner_role_en": "Registered nurse"})  # fmt: skip
    assert saved.status_code == 303, saved.body[:600]
    visit = next(v for v in ports().units.get(VC).visit_types if v.visit_type_id == "sjukskoterska")
    assert (visit.name, visit.name_en, visit.place_en, visit.practitioner_role_en) == (
        "Besök hos sjuksköterska", "Nurse appointment", None, "Registered nurse")
    assert _post(johan, "/staff/booking-rules", base).status_code == 303  # a form without the English fields
    visit = next(v for v in ports().units.get(VC).visit_types if v.visit_type_id == "sjukskoterska")
    assert visit.name_en == "Nurse appointment"
    too_long = _post(johan, "/staff/booking-rules", {**base, "name_en": "N" * 101})
    assert too_long.status_code == 400 and "Högst 100 tecken." in html.unescape(too_long.body.decode())
    anna = _login(region, "anna", english=True)
    assert "Nurse appointment" in _page(anna, f"/book?unit={VC}")


# -- self-tests -------------------------------------------------------------------------------------------


def test_the_self_test_catalogue_and_a_result_text_in_english(region):
    anna = _login(region, "anna", english=True)
    catalogue = _page(anna, "/self-tests")
    assert "Chlamydia and gonorrhoea" in catalogue and "Klamydia och gonorré" not in catalogue
    assert "Take the sample as the instructions in the kit say." in _page(anna, f"/self-tests/{STI}")
    form = anna.page(f"/self-tests/{STI}")
    fields = {n: re.search(rf'name="{n}" value="([^"]+)"', form).group(1) for n in ("csrf_token", "submission_id")}
    ordered = anna.post_form(f"/self-tests/{STI}", {**fields, "delivery": "pickup",
                                                    "pickup_point": "Apoteket Norrby, Norrbygatan 2"})  # fmt: skip
    assert ordered.status_code == 303
    (order_id,) = [o["order_id"] for o in anna.get("/api/v1/self-tests/orders").json_body["orders"]]
    region.integration("POST", f"/integration/v1/kit-orders/{order_id}/sent", {"kit_number": "k-en-1"})
    result = region.integration("POST", "/integration/v1/lab-results", {
        "order_id": order_id, "analyses": [{"analysis": "chlamydia", "outcome": "negative"},
                                           {"analysis": "gonorrhoea", "outcome": "negative"}],
        "analysed_at": "2026-11-20T10:00:00+01:00"}, idempotency_key="lab-en-0001")  # fmt: skip
    assert result.status_code == 201, result.body
    # The JSON API: the request's language (the lang cookie here), Swedish without one
    (order,) = anna.get("/api/v1/self-tests/orders").json_body["orders"]
    assert order["test_name"] == "Chlamydia and gonorrhoea"
    assert order["result_text"].startswith("Your sample shows no chlamydia and no gonorrhoea.")
    swedish = _login(region, "anna")
    (order,) = swedish.get("/api/v1/self-tests/orders").json_body["orders"]
    assert order["result_text"].startswith("Ditt prov visar ingen klamydia och ingen gonorré.")


# -- the JSON API -----------------------------------------------------------------------------------------


def test_the_json_api_answers_in_the_language_asked_for_and_stores_the_swedish_option(region):
    anna = _login(region, "anna")
    headers = {"Content-Type": "application/json", "X-CSRF-Token": anna.csrf_token()}
    english = {"Accept-Language": "en-GB,en;q=0.9"}
    offered = anna.request("GET", f"/api/v1/case-units/{VC}/case-types", headers=english).json_body["case_types"]
    renewal = next(t for t in offered if t["case_type_id"] == "fornya-recept")
    assert (renewal["name"], renewal["description"]) == ("Renew a prescription", "Ask for a prescription to be renewed.")
    form = next(q for q in renewal["questions"] if q["question_id"] == "form")
    assert form["options"][:2] == ["tablett", "kapsel"] and form["option_labels"][:2] == ["tablet", "capsule"]
    assert next(t for t in offered if t["case_type_id"] == "egenremiss")["name"] == "Egenremiss"
    swedish = anna.get(f"/api/v1/case-units/{VC}/case-types").json_body["case_types"]
    assert next(t for t in swedish if t["case_type_id"] == "fornya-recept")["name"] == "Förnya recept"
    # A choice is sent as its option's value (the Swedish) and read back in the language asked for
    sent = anna.request("POST", f"/api/v1/case-units/{VC}/case-types/fornya-recept/cases", headers=headers,
                        body=json.dumps({"submission_id": "app-en-0001", "accept_terms": True, "answers": {
                            "lakemedel": "Levaxin", "styrka": "50 mikrogram", "form": "kapsel"}}).encode())  # fmt: skip
    assert sent.status_code == 201, sent.body[:400]
    case_id = sent.json_body["case_id"]
    shown = anna.request("GET", f"/api/v1/cases/{case_id}", headers=english).json_body
    assert shown["case_type"] == "Renew a prescription"
    assert {"label": "Form", "answer": "capsule"} in shown["answers"]
    assert {"label": "The medicine's name", "answer": "Levaxin"} in shown["answers"]
    assert {"label": "Form", "answer": "kapsel"} in anna.get(f"/api/v1/cases/{case_id}").json_body["answers"]
    # The lang cookie the pages set says it too; visit types and self-tests alike
    anna.get("/language?lang=en&next=/")
    assert anna.get("/api/v1/cases").json_body["cases"][0]["case_type"] == "Renew a prescription"
    units = anna.get("/api/v1/booking-units").json_body["units"]
    nurse = next(v for u in units if u["hsa_id"] == VC for v in u["visit_types"] if v["visit_type_id"] == "sjukskoterska")
    assert (nurse["name"], nurse["place"], nurse["practitioner_role"]) == ("Visit to a nurse", "The clinic, floor 2", "Nurse")
    tests = anna.get("/api/v1/self-tests").json_body["tests"]
    sti = next(t for t in tests if t["test_id"] == STI)
    assert sti["name"] == "Chlamydia and gonorrhoea" and sti["instructions"].startswith("Take the sample")
