"""A guardian acts for a child under 13 (ombud); never for a 13-year-old, never for a child with
protected identity, never for someone else's child."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta

import pytest

from chalicelib.adapters.stores import sha256_hex
from chalicelib.adapters.tables import SessionRecord
from chalicelib.domain import clock
from chalicelib.domain.personnummer import with_check_digit
from tests.integration.harness import Browser


def _thirteen_years_before(day: date) -> date:
    if (day.month, day.day) == (2, 29):
        pytest.skip("a 13th birthday on 29 February does not exist; the leap-day rule is unit-tested")
    return day.replace(year=day.year - 13)


def _child_id(browser: Browser, given_name: str) -> str:
    me = browser.get("/api/v1/me").json_body
    return next(c["child_id"] for c in me["can_act_for"] if c["given_name"] == given_name)


def _add_child(region, given_name: str, born: date, serial: str, key: str) -> str:
    pnr = with_check_digit(born, serial)
    body = {"personnummer": pnr, "given_name": given_name, "family_name": "Lind",
            "guardians": [region.people["karin"].personnummer]}  # fmt: skip
    response = region.integration("POST", "/integration/v1/population-register/persons", body, idempotency_key=key)
    assert response.status_code == 200, response.body
    return pnr


def test_the_guardian_is_offered_the_9_year_old_only(region):
    browser = region.browser()
    browser.login("karin")
    page = browser.page("/")
    assert "Elsa" in page
    assert "Olle" not in page  # 14
    assert "Sigge" not in page  # protected identity
    me = browser.get("/api/v1/me").json_body
    assert [c["given_name"] for c in me["can_act_for"]] == ["Elsa"]


def test_the_guardian_switches_to_the_child_and_back(region):
    browser = region.browser()
    browser.login("karin")
    elsa = _child_id(browser, "Elsa")
    csrf = browser.csrf_token()
    # When Karin chooses Elsa
    response = browser.post_form("/act-for", {"person": elsa, "csrf_token": csrf})
    assert response.status_code == 303
    # Then the page says clearly whom she acts for
    page = browser.page("/")
    assert "Du företräder Elsa" in page
    assert browser.get("/api/v1/me").json_body["acting_for"]["given_name"] == "Elsa"
    # And back to herself
    browser.post_form("/act-for", {"person": "self", "csrf_token": csrf})
    assert "Du företräder" not in browser.page("/")
    assert browser.get("/api/v1/me").json_body["acting_for"] is None


def test_the_json_api_switches_with_the_csrf_header(region):
    browser = region.browser()
    browser.login("karin")
    elsa = _child_id(browser, "Elsa")
    body = json.dumps({"child_id": elsa}).encode()
    json_headers = {"Content-Type": "application/json"}
    refused = browser.request("PUT", "/api/v1/acting-for", headers=json_headers, body=body)
    assert refused.status_code == 403 and refused.json_body["code"] == "csrf_failed"
    headers = {**json_headers, "X-CSRF-Token": browser.csrf_token()}
    response = browser.request("PUT", "/api/v1/acting-for", headers=headers, body=body)
    assert response.status_code == 200
    assert response.json_body["acting_for"]["child_id"] == elsa
    back = browser.request("DELETE", "/api/v1/acting-for", headers=headers)
    assert back.json_body["acting_for"] is None


def test_acting_for_a_14_year_old_or_a_protected_child_is_refused(region):
    from chalicelib.bootstrap import ports
    from chalicelib.domain.personnummer import parse

    browser = region.browser()
    browser.login("karin")
    csrf = browser.csrf_token()
    for sub in ("olle", "sigge"):
        child_id = ports().identities.find(parse(region.people[sub].personnummer, region.today))
        response = browser.post_form("/act-for", {"person": child_id, "csrf_token": csrf})
        assert response.status_code == 403
    assert browser.get("/api/v1/me").json_body["acting_for"] is None


def test_a_citizen_cannot_act_for_someone_elses_child(region):
    karin = region.browser()
    karin.login("karin")
    elsa = _child_id(karin, "Elsa")
    anna = region.browser()
    anna.login("anna")
    response = anna.post_form("/act-for", {"person": elsa, "csrf_token": anna.csrf_token()})
    assert response.status_code == 403
    assert anna.get("/api/v1/me").json_body["acting_for"] is None


def test_switching_without_the_csrf_token_is_refused(region):
    browser = region.browser()
    browser.login("karin")
    elsa = _child_id(browser, "Elsa")
    assert browser.post_form("/act-for", {"person": elsa}).status_code == 403
    # A token with characters no token has is refused the same way (not a 500)
    assert browser.post_form("/act-for", {"person": elsa, "csrf_token": "åäö\u00ad"}).status_code == 403
    assert browser.get("/api/v1/me").json_body["acting_for"] is None


def test_a_child_turning_13_today_is_not_offered_one_turning_13_tomorrow_is(region):
    today = region.today
    _add_child(region, "Tindra", _thirteen_years_before(today), "303", "child-birthday-today")
    tomorrow = today + timedelta(days=1)
    _add_child(region, "Vide", _thirteen_years_before(tomorrow), "311", "child-birthday-tomorrow")
    browser = region.browser()
    browser.login("karin")
    names = [c["given_name"] for c in browser.get("/api/v1/me").json_body["can_act_for"]]
    assert "Vide" in names and "Tindra" not in names


def test_acting_for_ends_at_midnight_stockholm_time_on_the_13th_birthday(region, monkeypatch):
    # Given Karin acts for Vide, who turns 13 tomorrow
    today = region.today
    tomorrow = today + timedelta(days=1)
    _add_child(region, "Vide", _thirteen_years_before(tomorrow), "311", "child-vide")
    browser = region.browser()
    browser.login("karin")
    browser.post_form("/act-for", {"person": _child_id(browser, "Vide"), "csrf_token": browser.csrf_token()})
    token = browser.cookies["sid"]

    def at(moment: datetime) -> None:
        monkeypatch.setattr(clock, "utc_now", lambda: moment)
        # Karin has been active the whole time (the session is not idle)
        SessionRecord.get(sha256_hex(token)).update(
            actions=[SessionRecord.last_seen_at.set(moment - timedelta(minutes=1)),
                     SessionRecord.expires_at.set(moment + timedelta(hours=1))]
        )  # fmt: skip

    # When the clock shows 23:59:59 in Stockholm, she still acts for Vide
    midnight = datetime.combine(tomorrow, time(0, 0), tzinfo=clock.STOCKHOLM)
    at(midnight - timedelta(seconds=1))
    assert "Du företräder Vide" in browser.page("/")
    # And at 00:00:00 on the birthday it ends, and Vide is no longer offered
    at(midnight)
    page = browser.page("/")
    assert "Du företräder" not in page
    assert "Vide" not in page


def test_a_child_given_protected_identity_while_acted_for_is_dropped_at_once(region):
    browser = region.browser()
    browser.login("karin")
    browser.post_form("/act-for", {"person": _child_id(browser, "Elsa"), "csrf_token": browser.csrf_token()})
    elsa = region.people["elsa"]
    body = {"personnummer": elsa.personnummer, "given_name": "Elsa", "family_name": "Lind",
            "protected_identity": True, "guardians": [region.people["karin"].personnummer]}  # fmt: skip
    assert region.integration("POST", "/integration/v1/population-register/persons", body).status_code == 200
    page = browser.page("/")
    assert "Du företräder" not in page and "Elsa" not in page
