"""Logging in with e-ID and SITHS through the real OIDC test provider, and every way it can fail."""

from __future__ import annotations

import re
import urllib.parse
from datetime import timedelta

import pytest

from chalicelib.adapters.stores import sha256_hex
from chalicelib.adapters.tables import SessionRecord
from chalicelib.domain.clock import utc_now
from tests.integration.harness import choose_at_provider, path_of


def _set_cookie_headers(response) -> list[str]:
    values = {k.lower(): v for k, v in response.headers.items()}.get("set-cookie", [])
    return [values] if isinstance(values, str) else list(values)


def test_a_citizen_logs_in_and_sees_their_name(region):
    browser = region.browser()
    # When Anna logs in with e-ID
    response = browser.login("anna")
    # Then she lands on the start page with a server-side session cookie
    assert response.status_code == 303 and response.headers["Location"] == "/"
    session_cookie = next(c for c in _set_cookie_headers(response) if c.startswith("sid="))
    assert "HttpOnly" in session_cookie and "SameSite=Lax" in session_cookie
    assert "Secure" not in session_cookie  # plain-http localhost only
    page = browser.page("/")
    assert "Inloggad som Anna Andersson" in page
    assert "Inkorg" in page and 'href="/forms"' in page  # every e-service is there, forms too


def test_the_authorization_request_uses_state_nonce_and_pkce(region):
    url = region.browser().start_login()
    params = urllib.parse.parse_qs(urllib.parse.urlparse(url).query)
    assert params["code_challenge_method"] == ["S256"]
    assert len(params["code_challenge"][0]) == 43
    assert len(params["state"][0]) >= 43  # 32 random bytes, base64url: 256 bits
    assert len(params["nonce"][0]) >= 43
    assert params["redirect_uri"] == ["http://localhost:8000/auth/callback"]


def test_the_session_cookie_and_urls_never_hold_the_personnummer(region):
    browser = region.browser()
    anna = region.people["anna"]
    callback = choose_at_provider(browser.start_login(), "anna")
    response = browser.get(path_of(callback))
    everything = " ".join([callback, response.headers.get("Location", ""), *browser.cookies.values()])
    assert anna.personnummer not in everything
    assert anna.personnummer[2:] not in everything


@pytest.mark.parametrize("sub", ["ali", "gunnar", "maja"])
def test_coordination_number_centenarian_and_protected_identity_can_log_in(region, sub):
    browser = region.browser()
    assert browser.login(sub).status_code == 303
    person = region.people[sub]
    assert f"Inloggad som {person.given_name} {person.family_name}" in browser.page("/")


def test_someone_not_yet_in_the_register_gets_an_account_named_from_the_e_id(region):
    browser = region.browser()
    assert browser.login("newcomer").status_code == 303
    assert "Inloggad som Nora Ny" in browser.page("/")


def test_a_citizen_whose_login_was_removed_gets_a_neutral_refusal_and_no_session(region):
    browser = region.browser()
    response = browser.login("per")
    assert response.status_code == 403
    body = response.body.decode()
    assert "Du kan inte logga in" in body
    assert "borttagen" not in body  # neutral: it does not say why
    assert "sid" not in browser.cookies


def _assert_login_failed(browser, response):
    assert response.status_code == 400
    assert "Inloggningen misslyckades" in response.body.decode()
    assert "sid" not in browser.cookies and "staff_sid" not in browser.cookies


@pytest.mark.parametrize("sub", ["no-pnr", "bad-check-digit", "ten-digits", "pnr-as-coordination", "fullwidth-digits"])
def test_a_token_without_a_valid_personnummer_claim_gives_no_session(region, sub):
    browser = region.browser()
    _assert_login_failed(browser, browser.login(sub))


def test_a_wrong_state_gives_no_session(region):
    browser = region.browser()
    callback = choose_at_provider(browser.start_login(), "anna")
    forged = re.sub(r"state=[^&]+", "state=" + "A" * 43, callback)
    _assert_login_failed(browser, browser.get(path_of(forged)))


def test_a_reused_callback_gives_no_second_session(region):
    browser = region.browser()
    callback = choose_at_provider(browser.start_login(), "anna")
    assert browser.get(path_of(callback)).status_code == 303
    other = region.browser()
    other.cookies.update({k: v for k, v in browser.cookies.items() if k.startswith("login_binding")})
    _assert_login_failed(other, other.get(path_of(callback)))


def test_a_replayed_code_with_a_fresh_state_is_refused_by_the_provider(region):
    browser = region.browser()
    first = choose_at_provider(browser.start_login(), "anna")
    assert browser.get(path_of(first)).status_code == 303
    old_code = urllib.parse.parse_qs(urllib.parse.urlparse(first).query)["code"][0]
    # A new login attempt in the same browser, completed with the already used code
    second = choose_at_provider(browser.start_login(), "anna")
    replay = re.sub(r"code=[^&]+", f"code={old_code}", second)
    before = dict(browser.cookies)
    response = browser.get(path_of(replay))
    assert response.status_code == 400
    assert "Inloggningen misslyckades" in response.body.decode()
    assert browser.cookies.get("sid") == before.get("sid")  # no new session


def test_a_callback_in_another_browser_than_the_login_started_in_is_refused(region):
    victim = region.browser()
    callback = choose_at_provider(victim.start_login(), "anna")
    attacker = region.browser()  # no login_binding cookie
    _assert_login_failed(attacker, attacker.get(path_of(callback)))


def test_a_cancelled_login_at_the_provider_gives_no_session(region):
    browser = region.browser()
    url = browser.start_login()
    state = urllib.parse.parse_qs(urllib.parse.urlparse(url).query)["state"][0]
    _assert_login_failed(browser, browser.get(f"/auth/callback?error=access_denied&state={state}"))


def test_a_callback_without_code_or_state_gives_no_session(region):
    browser = region.browser()
    _assert_login_failed(browser, browser.get("/auth/callback"))


def test_staff_log_in_with_hsa_id_and_see_their_units_and_roles(region):
    browser = region.browser()
    response = browser.login("eva", audience="staff")
    assert response.status_code == 303 and response.headers["Location"] == "/staff"
    page = browser.page("/staff")
    assert "Eva Nilsson" in page and "SE2321000099-P001" in page
    assert "Vårdcentralen Norrby" in page and "Ärendemottagare" in page
    assert "Kardiologmottagningen, Demo sjukhus" in page and "Ärendehandläggare" in page
    assert "Hud- och STI-mottagningen" not in page


def test_a_regional_admin_sees_the_whole_region(region):
    browser = region.browser()
    browser.login("rut", audience="staff")
    page = browser.page("/staff")
    assert "Hela regionen" in page and "Regional administratör" in page


def test_staff_without_any_role_are_refused_clearly_with_no_session(region):
    browser = region.browser()
    response = browser.login("nils", audience="staff")
    assert response.status_code == 403
    assert "Du saknar behörighet" in response.body.decode()
    assert "staff_sid" not in browser.cookies


def test_staff_token_without_hsa_id_gives_no_session(region):
    browser = region.browser()
    _assert_login_failed(browser, browser.login("no-hsa", audience="staff"))


def test_a_citizen_session_does_not_open_the_staff_tool_and_vice_versa(region):
    citizen = region.browser()
    citizen.login("anna")
    assert "Logga in i personalverktyget" in citizen.page("/staff")
    assert citizen.get("/api/v1/staff/me").status_code == 401
    staff = region.browser()
    staff.login("eva", audience="staff")
    assert "Logga in på e-tjänsterna" in staff.page("/")
    assert staff.get("/api/v1/me").status_code == 401


def test_a_staff_role_revoked_mid_session_ends_access(region):
    from chalicelib.adapters.tables import StaffRoleAssignment

    browser = region.browser()
    browser.login("lisa", audience="staff")
    for assignment in StaffRoleAssignment.query("SE2321000099-P003"):
        assignment.delete()
    assert "Logga in i personalverktyget" in browser.page("/staff")


def test_logout_needs_the_csrf_token_and_ends_the_session_on_the_server(region):
    browser = region.browser()
    browser.login("anna")
    token = browser.cookies["sid"]
    # Without the token: refused, still logged in
    assert browser.post_form("/logout", {}).status_code == 403
    assert "Inloggad som" in browser.page("/")
    # With it: logged out, and the old cookie is worth nothing
    response = browser.post_form("/logout", {"csrf_token": browser.csrf_token()})
    assert response.status_code == 200 and "Du är utloggad från e-tjänsterna" in response.body.decode()
    assert browser.get("/logged-out").headers["Location"] == "/?logged_out=1"
    assert "Du är utloggad" in browser.page("/?logged_out=1")
    assert SessionRecord.count(sha256_hex(token)) == 0
    replay = region.browser()
    replay.cookies["sid"] = token
    assert "Logga in på e-tjänsterna" in replay.page("/")


def _age_session(token: str, *, idle: timedelta | None = None, expired: bool = False) -> None:
    record = SessionRecord.get(sha256_hex(token))
    now = utc_now()
    actions = []
    if idle is not None:
        actions.append(SessionRecord.last_seen_at.set(now - idle))
    if expired:
        actions.append(SessionRecord.expires_at.set(now - timedelta(seconds=1)))
    record.update(actions=actions)


def test_a_session_idle_for_30_minutes_ends(region):
    browser = region.browser()
    browser.login("anna")
    _age_session(browser.cookies["sid"], idle=timedelta(minutes=29, seconds=50))
    assert "Inloggad som" in browser.page("/")
    _age_session(browser.cookies["sid"], idle=timedelta(minutes=30))
    page = browser.page("/")
    assert "Du har loggats ut eftersom du varit inaktiv" in page
    assert "sid" not in browser.cookies


def test_a_session_past_its_absolute_lifetime_ends_even_when_active(region):
    browser = region.browser()
    browser.login("anna")
    token = browser.cookies["sid"]
    _age_session(token, expired=True)
    assert "Logga in på e-tjänsterna" in browser.page("/")
    assert SessionRecord.count(sha256_hex(token)) == 0


def test_a_new_login_replaces_the_earlier_session_in_the_browser(region):
    browser = region.browser()
    browser.login("anna")
    first = browser.cookies["sid"]
    browser.login("anna")
    assert browser.cookies["sid"] != first
    assert SessionRecord.count(sha256_hex(first)) == 0


def test_a_login_attempt_older_than_ten_minutes_gives_no_session(region):
    from chalicelib.adapters.tables import LoginAttempt

    browser = region.browser()
    url = browser.start_login()
    callback = choose_at_provider(url, "anna")
    state = urllib.parse.parse_qs(urllib.parse.urlparse(url).query)["state"][0]
    LoginAttempt.get(sha256_hex(state)).update(actions=[LoginAttempt.expires_at.set(utc_now() - timedelta(seconds=1))])
    _assert_login_failed(browser, browser.get(path_of(callback)))


def test_only_hashes_of_state_and_session_tokens_are_stored(region):
    from chalicelib.adapters.tables import LoginAttempt

    browser = region.browser()
    url = browser.start_login()
    state = urllib.parse.parse_qs(urllib.parse.urlparse(url).query)["state"][0]
    assert LoginAttempt.count(state) == 0 and LoginAttempt.count(sha256_hex(state)) == 1
    browser.get(path_of(choose_at_provider(url, "anna")))
    assert SessionRecord.count(browser.cookies["sid"]) == 0
