"""Settings: digital first, language, and notification addresses verified by a one-time code."""

from __future__ import annotations

import re
from datetime import timedelta

from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends
from moto.sns.models import sns_backends

from chalicelib.adapters.tables import Account
from chalicelib.domain import clock


def _emails() -> list:
    return list(ses_backends[DEFAULT_ACCOUNT_ID]["eu-north-1"].sent_messages)


def _sms() -> list:
    return list(sns_backends[DEFAULT_ACCOUNT_ID]["eu-north-1"].sms_messages.values())


def _code_in(text: str) -> str:
    return re.search(r"\b(\d{6})\b", text)[1]


def _settings_form(browser, path, **fields):
    return browser.post_form(path, {"csrf_token": browser.csrf_token(), **fields})


def test_digital_first_and_language_are_saved_and_the_care_system_sees_digital_first(region):
    anna = region.browser()
    anna.login("anna")
    status = region.integration("POST", "/integration/v1/citizen-status",
                                {"personnummer": region.people["anna"].personnummer}).json_body  # fmt: skip
    assert status == {"has_inbox": True, "reaches_digitally": True, "digital_channel": "own_account",
                      "has_account": True, "digital_first": False, "notify_email": False, "notify_sms": False}
    response = _settings_form(anna, "/settings", digital_first="yes", language="en")
    assert response.status_code == 303
    assert anna.cookies["lang"] == "en"
    assert "Your settings are saved." in anna.page("/settings?done=saved")
    status = region.integration("POST", "/integration/v1/citizen-status",
                                {"personnummer": region.people["anna"].personnummer}).json_body  # fmt: skip
    assert status["digital_first"] is True


def test_an_email_address_is_used_only_after_its_code_is_confirmed(region):
    anna = region.browser()
    anna.login("anna")
    assert _settings_form(anna, "/settings/contact", channel="email", address="anna@example.se").status_code == 303
    sent = _emails()[-1]
    assert sent.destinations["ToAddresses"] == ["anna@example.se"]
    code = _code_in(sent.body)
    # Not yet verified: the care system sees no e-mail notification
    pnr = {"personnummer": region.people["anna"].personnummer}
    assert region.integration("POST", "/integration/v1/citizen-status", pnr).json_body["notify_email"] is False
    wrong = "000000" if code != "000000" else "111111"
    refused = _settings_form(anna, "/settings/contact/verify", channel="email", code=wrong)
    assert refused.status_code == 400 and "Koden stämmer inte" in refused.body.decode()
    assert _settings_form(anna, "/settings/contact/verify", channel="email", code=code).status_code == 303
    assert "Avisering går till anna@example.se" in anna.page("/settings")
    assert region.integration("POST", "/integration/v1/citizen-status", pnr).json_body["notify_email"] is True
    # Withdrawn at any time
    _settings_form(anna, "/settings/contact/remove", channel="email")
    assert region.integration("POST", "/integration/v1/citizen-status", pnr).json_body["notify_email"] is False


def test_a_mobile_number_is_normalised_and_verified_by_sms(region):
    anna = region.browser()
    anna.login("anna")
    headers = {"Content-Type": "application/json", "X-CSRF-Token": anna.csrf_token()}
    started = anna.request("POST", "/api/v1/settings/contact", headers=headers,
                           body=b'{"channel": "sms", "address": "070-123 45 67"}')  # fmt: skip
    assert started.status_code == 202 and started.json_body["notify"]["sms"]["pending"] == "+46701234567"
    phone, text = _sms()[-1][:2]
    assert phone == "+46701234567"
    confirmed = anna.request("POST", "/api/v1/settings/contact/verify", headers=headers,
                             body=f'{{"channel": "sms", "code": "{_code_in(text)}"}}'.encode())  # fmt: skip
    assert confirmed.json_body["notify"]["sms"] == {"address": "+46701234567", "pending": None}


def test_an_invalid_address_gets_a_message_beside_the_field_and_nothing_is_sent(region):
    anna = region.browser()
    anna.login("anna")
    before = (len(_emails()), len(_sms()))
    page = _settings_form(anna, "/settings/contact", channel="sms", address="12345")
    assert page.status_code == 400
    body = page.body.decode()
    assert 'id="sms-address-error"' in body and "svenskt mobilnummer" in body
    assert 'aria-invalid="true" aria-describedby="sms-address-error"' in body
    assert (len(_emails()), len(_sms())) == before
    assert Account.get(_citizen_id(region, "anna")).pending_sms is None


def _citizen_id(region, sub):
    from chalicelib.bootstrap import ports
    from chalicelib.domain.personnummer import parse

    return ports().identities.find(parse(region.people[sub].personnummer, region.today))


def test_a_code_stops_working_after_ten_minutes_and_after_five_wrong_tries(region, monkeypatch):
    anna = region.browser()
    anna.login("anna")
    _settings_form(anna, "/settings/contact", channel="email", address="anna@example.se")
    code = _code_in(_emails()[-1].body)
    for _ in range(5):
        _settings_form(anna, "/settings/contact/verify", channel="email", code="999999" if code != "999999" else "888888")
    locked = _settings_form(anna, "/settings/contact/verify", channel="email", code=code)
    assert locked.status_code == 400 and "Koden gäller inte längre" in locked.body.decode()

    _settings_form(anna, "/settings/contact", channel="email", address="anna@example.se")
    code = _code_in(_emails()[-1].body)
    later = clock.utc_now() + timedelta(minutes=10)
    monkeypatch.setattr(clock, "utc_now", lambda: later)
    from chalicelib.adapters.stores import sha256_hex
    from chalicelib.adapters.tables import SessionRecord

    SessionRecord.get(sha256_hex(anna.cookies["sid"])).update(actions=[SessionRecord.last_seen_at.set(later)])
    expired = _settings_form(anna, "/settings/contact/verify", channel="email", code=code)
    assert expired.status_code == 400 and "Koden gäller inte längre" in expired.body.decode()


def test_the_code_messages_name_no_clinic_or_health_matter(region):
    anna = region.browser()
    anna.login("anna")
    _settings_form(anna, "/settings/contact", channel="email", address="anna@example.se")
    message = _emails()[-1]
    assert "Region Demo" in message.subject and "Anna" not in message.body


def test_settings_are_the_guardians_own_while_acting_for_a_child(region):
    karin = region.browser()
    karin.login("karin")
    elsa = karin.get("/api/v1/me").json_body["can_act_for"][0]["child_id"]
    karin.post_form("/act-for", {"person": elsa, "csrf_token": karin.csrf_token()})
    assert "Inställningarna gäller dig själv, inte Elsa." in karin.page("/settings")
