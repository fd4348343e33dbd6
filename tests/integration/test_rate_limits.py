"""Rate limits (issue 16): verification codes per address and per citizen a day, five tries a day
held under concurrency, logins per client, citizen-status per key and per client. Each is a 429 with
a Swedish message, a code and Retry-After, and nothing is sent or stored past the limit."""

from __future__ import annotations

import json
import re
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

import pytest
from moto.core import DEFAULT_ACCOUNT_ID
from moto.sns.models import sns_backends

from chalicelib.adapters.tables import RateCounter
from chalicelib.domain import clock
from chalicelib.domain import limits as rules


def _sms() -> list:
    return list(sns_backends[DEFAULT_ACCOUNT_ID]["eu-north-1"].sms_messages.values())


def _api(browser, path, body):
    headers = {"Content-Type": "application/json", "X-CSRF-Token": browser.csrf_token()}
    return browser.request("POST", path, headers=headers, body=json.dumps(body).encode())


def _seconds_to_stockholm_midnight() -> int:
    now = clock.utc_now()
    return rules.retry_after_seconds(rules.window(rules.CODE_TRIES, "x", now).ends_at, now)


def test_thirty_codes_in_a_row_to_one_number_send_five_then_a_429_until_midnight(region):
    anna = region.browser()
    anna.login("anna")
    before = len(_sms())
    midnight_in = _seconds_to_stockholm_midnight()
    answers = [_api(anna, "/api/v1/settings/contact", {"channel": "sms", "address": "070-123 45 67"})
               for _ in range(30)]  # fmt: skip
    assert [a.status_code for a in answers[:5]] == [202] * 5
    refused = answers[5]
    assert {a.status_code for a in answers[5:]} == {429}
    assert refused.json_body["code"] == "too_many_codes" and "i dag" in refused.json_body["message"]
    assert refused.json_body["field"] == "address"
    # Until Stockholm midnight, as it was when the sixth code was refused (the 30 calls take a while).
    assert _seconds_to_stockholm_midnight() - 5 <= int(refused.headers["Retry-After"]) <= midnight_in + 5
    assert len(_sms()) - before == 5
    # The same number written another way is the same address.
    assert _api(anna, "/api/v1/settings/contact", {"channel": "sms", "address": "+46701234567"}).status_code == 429


def test_ten_codes_a_day_per_citizen_whatever_the_addresses(region):
    anna = region.browser()
    anna.login("anna")
    statuses = [_api(anna, "/api/v1/settings/contact", {"channel": "email", "address": f"anna{n}@example.se"}).status_code
                for n in range(12)]  # fmt: skip
    assert statuses == [202] * 10 + [429, 429]
    # Another citizen may still verify one of those addresses (the address has had one code).
    ali = region.browser()
    ali.login("ali")
    assert _api(ali, "/api/v1/settings/contact", {"channel": "email", "address": "anna3@example.se"}).status_code == 202


def test_the_settings_page_shows_the_limit_beside_the_field(region):
    anna = region.browser()
    anna.login("anna")
    for _ in range(5):
        anna.post_form("/settings/contact", {"csrf_token": anna.csrf_token(), "channel": "sms", "address": "0701234567"})
    page = anna.post_form("/settings/contact", {"csrf_token": anna.csrf_token(), "channel": "sms", "address": "0701234567"})
    assert page.status_code == 429 and "Retry-After" in page.headers
    assert 'id="sms-address-error"' in page.body.decode() and "Försök igen i morgon" in page.body.decode()


def test_forty_concurrent_wrong_guesses_get_five_tries_and_a_new_code_gives_none(region):
    from chalicelib.bootstrap import ports
    from chalicelib.errors import BadInput, TooManyRequests
    from chalicelib.services import citizen_settings
    from chalicelib.services.principals import CitizenPrincipal

    anna = region.browser()
    anna.login("anna")
    _api(anna, "/api/v1/settings/contact", {"channel": "sms", "address": "0701234567"})
    code = re.search(r"\b(\d{6})\b", _sms()[-1][1])[1]
    wrong = "000000" if code != "000000" else "111111"
    principal = CitizenPrincipal(_citizen_id(region), "Anna", None, None, "x")
    now = clock.utc_now()

    def guess(_: int) -> str:
        try:
            citizen_settings.confirm(ports(), principal, "sms", wrong, now)
        except TooManyRequests as error:
            return error.code
        except BadInput as error:
            return error.code
        return "confirmed"

    with ThreadPoolExecutor(max_workers=40) as pool:
        outcomes = list(pool.map(guess, range(40)))
    # At most five guesses were compared with the code; every other one was refused before that
    # (too_many_tries from the day's counter, or code_expired once the code's own count was full).
    assert 1 <= outcomes.count("code_wrong") <= 5
    assert set(outcomes) <= {"code_wrong", "too_many_tries", "code_expired"}
    assert outcomes.count("too_many_tries") + outcomes.count("code_expired") >= 35
    # A new code does not reset the count: even the right one is refused until tomorrow.
    _api(anna, "/api/v1/settings/contact", {"channel": "sms", "address": "0701234567"})
    fresh = re.search(r"\b(\d{6})\b", _sms()[-1][1])[1]
    refused = _api(anna, "/api/v1/settings/contact/verify", {"channel": "sms", "code": fresh})
    assert refused.status_code == 429 and refused.json_body["code"] == "too_many_tries"
    assert int(refused.headers["Retry-After"]) > 0
    assert anna.get("/api/v1/settings").json_body["notify"]["sms"]["address"] is None


def _citizen_id(region) -> str:
    from chalicelib.bootstrap import ports
    from chalicelib.domain.personnummer import parse

    return ports().identities.find(parse(region.people["anna"].personnummer, region.today))


def test_logins_are_limited_per_client_with_a_swedish_page_and_retry_after(region, monkeypatch):
    # The window is a fixed minute: hold the clock inside one, or a slow machine crosses into the next
    # and the 31st login is rightly let through.
    start_of_minute = clock.utc_now().replace(second=0, microsecond=0)
    monkeypatch.setattr(clock, "utc_now", lambda: start_of_minute + timedelta(seconds=20))
    browser = region.browser()
    starts = [browser.get("/login").status_code for _ in range(rules.CITIZEN_LOGINS_PER_CLIENT.max_hits + 1)]
    assert starts[:-1] == [302] * rules.CITIZEN_LOGINS_PER_CLIENT.max_hits
    refused = browser.get("/login")
    assert refused.status_code == 429 and 1 <= int(refused.headers["Retry-After"]) <= 60
    assert "för många försök" in refused.body.decode()
    # Staff share their workplace's address: their entry counts apart and allows more.
    assert browser.get("/staff/login").status_code == 302


def test_citizen_status_is_limited_per_key_and_counted_before_the_body(region, monkeypatch):
    from chalicelib.domain.limits import Limit

    monkeypatch.setattr(rules, "CITIZEN_STATUS_PER_KEY", Limit("status-key", 3, 60, "too_many_requests", "För många anrop."))
    pnr = {"personnummer": region.people["anna"].personnummer}
    statuses = [region.integration("POST", "/integration/v1/citizen-status", pnr).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = region.integration("POST", "/integration/v1/citizen-status", None, raw=b"{not json")
    assert refused.status_code == 429 and refused.json_body["code"] == "too_many_requests"
    assert "Retry-After" in refused.headers
    # Without a key: 401, never counted against anyone.
    assert region.integration("POST", "/integration/v1/citizen-status", pnr, key=False).status_code == 401


def test_citizen_status_is_limited_per_client_across_keys(region, monkeypatch):
    from chalicelib.bootstrap import ports
    from chalicelib.domain.limits import Limit
    from chalicelib.services import integration

    monkeypatch.setattr(rules, "CITIZEN_STATUS_PER_CLIENT", Limit("status-client", 2, 60, "too_many_requests", "För många."))
    other = integration.issue_key(ports(), system_name="Annat system", allowed_units={"SE2321000099-VC01"},
                                  scopes={"messages"}, now=clock.utc_now())  # fmt: skip
    pnr = {"personnummer": region.people["anna"].personnummer}
    assert region.integration("POST", "/integration/v1/citizen-status", pnr).status_code == 200
    assert region.integration("POST", "/integration/v1/citizen-status", pnr, key=other).status_code == 200
    assert region.integration("POST", "/integration/v1/citizen-status", pnr, key=other).status_code == 429


def test_no_counter_key_holds_an_address_or_a_personnummer(region):
    anna = region.browser()
    anna.login("anna")
    _api(anna, "/api/v1/settings/contact", {"channel": "email", "address": "anna@example.se"})
    region.integration("POST", "/integration/v1/citizen-status", {"personnummer": region.people["anna"].personnummer})
    keys = [item.bucket for item in RateCounter.scan()]  # a test's look at the table, not an app path
    assert keys and not any("anna" in k or "@" in k or "127.0.0.1" in k or region.people["anna"].personnummer in k
                            for k in keys)  # fmt: skip
    assert all(item.expires_at > clock.utc_now() for item in RateCounter.scan())


@pytest.mark.parametrize(
    ("now", "midnight"),
    [
        (datetime(2025, 3, 29, 22, 30, tzinfo=timezone.utc), datetime(2025, 3, 29, 23, 0, tzinfo=timezone.utc)),
        # the night clocks go forward: Stockholm's midnight after 30 March is 22:00 UTC
        (datetime(2025, 3, 30, 12, 0, tzinfo=timezone.utc), datetime(2025, 3, 30, 22, 0, tzinfo=timezone.utc)),
        (datetime(2025, 10, 25, 22, 30, tzinfo=timezone.utc), datetime(2025, 10, 26, 23, 0, tzinfo=timezone.utc)),
    ],
)
def test_a_day_is_a_stockholm_day(now, midnight):
    assert rules.window(rules.CODE_TRIES, "c", now).ends_at == midnight
