"""Login against providers set up as a Swedish region's brokers are (oidc-provider, per the Swedish
OIDC profile): every demo person, the level of assurance, userinfo, private_key_jwt, logout that
ends the provider's session, and two tabs."""

from __future__ import annotations

import html
import re
import urllib.parse

import pytest

from chalicelib.adapters.stores import sha256_hex
from chalicelib.adapters.tables import Identity, SessionRecord
from local.oidc_provider import LOA2, LOA3, LOA4
from tests.integration.harness import choose_at_provider, path_of

CITIZENS_WHO_LOG_IN = ["anna", "karin", "elsa", "olle", "sigge", "maja", "ali", "gunnar"]
STAFF_WHO_LOG_IN = ["eva", "johan", "lisa", "rut"]


@pytest.mark.parametrize("sub", CITIZENS_WHO_LOG_IN)
def test_every_demo_citizen_logs_in_through_the_e_id_broker(region, sub):
    # Given the broker releases the personnummer by scope, in the ID token as the profile says
    browser = region.browser()
    # When the person logs in
    response = browser.login(sub)
    # Then they are logged in under their own name, at level of assurance 3
    assert response.status_code == 303 and response.headers["Location"] == "/"
    person = region.people[sub]
    assert f"Inloggad som {person.given_name} {person.family_name}" in browser.page("/")
    record = SessionRecord.get(sha256_hex(browser.cookies["sid"]))
    assert record.acr == LOA3 and record.auth_time is not None


def test_a_person_whose_login_was_removed_is_refused_through_the_broker_too(region):
    browser = region.browser()
    assert browser.login("per").status_code == 403
    assert "sid" not in browser.cookies


@pytest.mark.parametrize("sub", STAFF_WHO_LOG_IN)
def test_every_demo_staff_member_logs_in_through_the_siths_provider(region, sub):
    # Given a provider that releases the HSA-id and title from userinfo only (the ID token has neither)
    browser = region.browser()
    response = browser.login(sub, audience="staff")
    assert response.status_code == 303 and response.headers["Location"] == "/staff"
    assert SessionRecord.get(sha256_hex(browser.cookies["staff_sid"])).acr == LOA3


def test_the_authorization_request_asks_for_the_personnummer_by_scope_at_loa3(region):
    url = region.browser().start_login()
    params = urllib.parse.parse_qs(urllib.parse.urlparse(url).query)
    assert params["scope"][0].split() == ["openid", "https://id.oidc.se/scope/naturalPersonNumber",
                                          "https://id.oidc.se/scope/naturalPersonName"]  # fmt: skip
    assert params["acr_values"] == [LOA3]


@pytest.mark.parametrize("audience", ["citizen", "staff"])
def test_a_login_below_loa3_is_refused_neutrally_and_writes_nothing(region, audience):
    # Given someone the register has never seen, who logs in with a level-2 e-ID
    browser = region.browser()
    identities_before = Identity.count()
    sub = "newcomer" if audience == "citizen" else "eva"
    # When the broker answers with acr loa2
    response = browser.login(sub, audience=audience, loa=LOA2)
    # Then a neutral refusal, no session, no identity, no account
    assert response.status_code == 403
    body = response.body.decode()
    assert "Inloggningen kunde inte godkännas" in body and "tillitsnivå 3" in body
    assert "sid" not in browser.cookies and "staff_sid" not in browser.cookies
    assert Identity.count() == identities_before


def test_a_higher_level_than_asked_for_is_not_accepted_unless_the_region_lists_it(region):
    # The region accepts exactly the levels it lists (loa3 by default): loa4 is a different promise
    browser = region.browser()
    assert browser.login("anna", loa=LOA4).status_code == 403


def test_the_public_key_for_private_key_jwt_is_served(region):
    from chalicelib.bootstrap import ports

    response = region.client.http.get("/.well-known/jwks.json")
    assert response.status_code == 200
    keys = response.json_body["keys"]
    assert keys == ports().client_key.public_jwks()["keys"]
    assert all("d" not in key for key in keys)  # never the private part


def _silently_logged_in(browser, audience: str = "citizen") -> bool:
    """Whether the provider sends the browser straight back, without asking who it is."""
    from local.oidc_provider import follows_to_callback

    return follows_to_callback(browser.provider, browser.start_login(audience)) is not None


def _end_session(browser, page: str) -> str:
    """What the browser does with the logout page's form: post it to the provider, confirm there."""
    from local.oidc_provider import end_session

    action = html.unescape(re.search(r'<form id="end-session" method="post" action="([^"]+)"', page)[1])
    fields = {html.unescape(k): html.unescape(v) for k, v in re.findall(r'name="([^"]+)" value="([^"]*)"', page)}
    return end_session(browser.provider, action, fields)


def test_logout_ends_the_providers_session_so_the_next_login_asks_again(region):
    # Given Anna logged in: a second login in the same browser would enter silently (the broker's SSO)
    browser = region.browser()
    browser.login("anna")
    assert _silently_logged_in(browser)
    browser.login("anna")
    # When she logs out
    page = browser.post_form("/logout", {"csrf_token": browser.csrf_token()}).body.decode()
    assert "id_token_hint" in page and "post_logout_redirect_uri" in page
    back = _end_session(browser, page)
    # Then the provider sends her back to us, and the next person at the computer is asked who they are
    assert path_of(back) == "/logged-out"
    assert not _silently_logged_in(browser)


def test_after_a_logout_the_next_login_asks_again_even_if_the_provider_session_survived(region):
    # Given Anna logged out with us but never reached the provider's logout (closed the tab)
    browser = region.browser()
    browser.login("anna")
    browser.post_form("/logout", {"csrf_token": browser.csrf_token()})
    # When the next person clicks "Logga in"
    url = browser.start_login()
    # Then we ask the provider to authenticate again, and it does not let them in silently
    assert urllib.parse.parse_qs(urllib.parse.urlparse(url).query)["prompt"] == ["login"]
    assert not _silently_logged_in(browser)
    # And once someone has logged in, the reminder is gone
    assert browser.login("karin").status_code == 303
    assert "login_again" not in browser.cookies


def test_a_login_started_in_a_second_tab_does_not_break_the_first(region):
    # Given a login started in one tab, then another in a second tab of the same browser
    browser = region.browser()
    first = browser.start_login()
    second = browser.start_login()
    # When the person finishes the first
    response = browser.get(path_of(choose_at_provider(first, "anna", opener=browser.provider)))
    # Then it logs in
    assert response.status_code == 303 and response.headers["Location"] == "/"
    # And the second still can
    assert browser.get(path_of(choose_at_provider(second, "anna", opener=browser.provider))).status_code == 303
