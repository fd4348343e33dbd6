"""Every error a service gives is in the reader's language: beside the field and on the page for a
browser that chose English, in the JSON API for a caller whose `lang` cookie or Accept-Language says
English; Swedish otherwise, word for word as the service wrote it."""

from __future__ import annotations

import json
import re
from datetime import datetime, time, timedelta

from chalicelib.bootstrap import ports
from chalicelib.domain import clock
from chalicelib.domain.clock import STOCKHOLM
from chalicelib.services import booking
from chalicelib.services.principals import CitizenPrincipal

VC = "SE2321000099-VC01"
TAKEN_SV = "Någon annan hann boka tiden. Välj en annan tid."
TAKEN_EN = "Someone else booked the time first. Choose another time."


def _browser(region, sub: str, lang: str | None = None):
    browser = region.browser()
    browser.login(sub)
    if lang:
        assert browser.get(f"/language?lang={lang}&next=/").status_code == 303
    return browser


def _taken_slot(region) -> str:
    """A time published for web booking that someone else has just booked."""
    start = datetime.combine(clock.stockholm_date(clock.utc_now()) + timedelta(days=5), time(9), tzinfo=STOCKHOLM)
    body = {"from": start.date().isoformat(), "to": start.date().isoformat(), "slots": [
        {"slot_id": "taken", "visit_type_id": "sjukskoterska", "start": start.isoformat(),
         "end": (start + timedelta(minutes=30)).isoformat()}]}  # fmt: skip
    assert region.integration("PUT", f"/integration/v1/units/{VC}/slots", body, idempotency_key=None).status_code == 200
    booking.book(ports(), CitizenPrincipal("other", "Other", None, None, "x"), f"{VC}/taken", clock.utc_now())
    return f"{VC}/taken"


def _book_by_api(browser, slot_id: str, headers: dict[str, str] | None = None):
    csrf = {"Content-Type": "application/json", "X-CSRF-Token": browser.csrf_token(), **(headers or {})}
    return browser.request("POST", "/api/v1/bookings", headers=csrf, body=json.dumps({"slot_id": slot_id}).encode())


def test_an_english_citizen_booking_a_taken_time_reads_why_in_english_on_the_page_and_in_json(region):
    slot_id = _taken_slot(region)
    anna = _browser(region, "anna", "en")
    page = anna.post_form("/book", {"csrf_token": anna.csrf_token(), "slot": slot_id})
    assert page.status_code == 409
    assert TAKEN_EN in page.body.decode() and TAKEN_SV not in page.body.decode()
    refused = _book_by_api(anna, slot_id)  # the lang cookie the pages set
    assert (refused.status_code, refused.json_body) == (409, {"code": "slot_taken", "message": TAKEN_EN})
    ali = _browser(region, "ali")  # no cookie: Accept-Language decides
    assert _book_by_api(ali, slot_id, {"Accept-Language": "en-GB,en;q=0.8"}).json_body["message"] == TAKEN_EN


def test_a_swedish_citizen_still_reads_the_services_swedish(region):
    slot_id = _taken_slot(region)
    anna = _browser(region, "anna")
    page = anna.post_form("/book", {"csrf_token": anna.csrf_token(), "slot": slot_id})
    assert page.status_code == 409 and TAKEN_SV in page.body.decode()
    assert _book_by_api(anna, slot_id).json_body["message"] == TAKEN_SV
    assert _book_by_api(anna, slot_id, {"Accept-Language": "sv, en;q=0.5"}).json_body["message"] == TAKEN_SV
    swedish = _browser(region, "ali", "sv")  # the cookie wins over the browser's English
    assert _book_by_api(swedish, slot_id, {"Accept-Language": "en"}).json_body["message"] == TAKEN_SV


def test_an_english_settings_page_says_beside_the_field_what_is_wrong_with_the_number(region):
    anna = _browser(region, "anna", "en")
    page = anna.post_form("/settings/contact", {"csrf_token": anna.csrf_token(), "channel": "sms", "address": "12345"})
    assert page.status_code == 400
    beside = re.search(r'<p class="field-error" id="sms-address-error">([^<]*)</p>', page.body.decode())
    assert beside and beside[1] == "Write a Swedish mobile number, for example 070-123 45 67."
    swedish = _browser(region, "ali")
    page = swedish.post_form("/settings/contact", {"csrf_token": swedish.csrf_token(), "channel": "sms",
                                                   "address": "12345"})  # fmt: skip
    assert "Skriv ett svenskt mobilnummer, till exempel 070-123 45 67." in page.body.decode()


def test_a_message_with_a_value_has_the_value_filled_in_in_either_language(region):
    anna = _browser(region, "anna", "en")
    page = anna.page(f"/contact/{VC}/fornya-recept")
    form = {n: re.search(rf'name="{n}" value="([^"]+)"', page)[1] for n in ("csrf_token", "submission_id")}
    answers = {"q-lakemedel": "L" * 4001, "q-styrka": "50 mikrogram", "q-form": "tablett", "accept_terms": "yes"}
    sent = anna.post_form(f"/contact/{VC}/fornya-recept", {**form, **answers})
    assert sent.status_code == 400
    assert '<p class="field-error" id="lakemedel-error">At most 4000 characters.</p>' in sent.body.decode()
    # A care system's call, with the limit in the text: English when asked for, else Swedish
    day = clock.stockholm_date(clock.utc_now())
    body = json.dumps({"from": day.isoformat(), "to": (day + timedelta(days=90)).isoformat(), "slots": []}).encode()
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {region.integration_key}"}
    path = f"/integration/v1/units/{VC}/slots"
    english = region.client.http.request("PUT", path, headers={**headers, "Accept-Language": "en"}, body=body)
    assert english.status_code == 400
    assert english.json_body == {"code": "range_invalid", "message": "The period must be 1–62 days, with from before to.",
                                 "field": "to"}  # fmt: skip
    swedish = region.client.http.request("PUT", path, headers=headers, body=body)
    assert swedish.json_body["message"] == "Perioden ska vara 1–62 dagar, from före to."


def test_each_wrong_field_of_a_form_is_named_in_english_in_json(region):
    anna = _browser(region, "anna")
    headers = {"Content-Type": "application/json", "X-CSRF-Token": anna.csrf_token(), "Accept-Language": "en"}
    body = {"submission_id": "errors-lang-0001", "accept_terms": False, "answers": {"form": "pulver"}}
    wrong = anna.request("POST", f"/api/v1/case-units/{VC}/case-types/fornya-recept/cases", headers=headers,
                         body=json.dumps(body).encode())  # fmt: skip
    assert wrong.status_code == 400 and wrong.json_body["message"] == "Correct the marked fields."
    said = {e["field"]: e["message"] for e in wrong.json_body["errors"]}
    assert said["lakemedel"] == "Answer the question." and said["form"] == "Choose one of the options."
    assert said["terms"] == "You need to accept the terms to send the case."


def test_a_rate_limit_keeps_its_code_and_retry_after_in_english(region):
    anna = _browser(region, "anna", "en")
    headers = {"Content-Type": "application/json", "X-CSRF-Token": anna.csrf_token()}
    answers = [anna.request("POST", "/api/v1/settings/contact", headers=headers,
                            body=json.dumps({"channel": "email", "address": f"anna{n}@example.se"}).encode())
               for n in range(11)]  # fmt: skip
    refused = answers[-1]
    assert [a.status_code for a in answers[:10]] == [202] * 10 and refused.status_code == 429
    assert refused.json_body["code"] == "too_many_codes" and int(refused.headers["Retry-After"]) > 0
    assert refused.json_body["message"] == "You have asked for too many codes today. Try again tomorrow."
