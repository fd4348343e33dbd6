"""What a browser gets beside the pages: the site's icon, and errors (an unknown address, a
failure) as pages in the site's frame in the visitor's language; the APIs keep their JSON errors."""

from __future__ import annotations

import json

from chalicelib.api import pages

HTML = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


def test_the_icon_is_linked_served_and_cached_long(region):
    browser = region.browser()
    assert '<link rel="icon" href="/favicon.svg" type="image/svg+xml">' in browser.page("/")
    icon = browser.get("/favicon.svg")
    assert icon.status_code == 200 and icon.headers["Content-Type"] == "image/svg+xml"
    assert icon.body.startswith(b"<svg") and "max-age=2592000" in icon.headers["Cache-Control"]
    legacy = browser.get("/favicon.ico")
    assert legacy.status_code == 301 and legacy.headers["Location"] == "/favicon.svg"
    assert "max-age=2592000" in legacy.headers["Cache-Control"]


def test_an_unknown_address_is_a_404_page_in_the_visitors_language(region):
    browser = region.browser()
    # Given a visitor with no language chosen: Swedish
    response = browser.get("/no-such-page", headers=HTML)
    body = response.body.decode()
    assert response.status_code == 404 and response.headers["Content-Type"].startswith("text/html")
    assert '<html lang="sv">' in body and "<h1>Sidan finns inte</h1>" in body and 'class="site-header"' in body
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    # When they choose English, Then the same address answers in English
    browser.get("/language?lang=en&next=/")
    english = browser.get("/inbox/no/such/thing", headers=HTML).body.decode()
    assert '<html lang="en">' in english and "<h1>Page not found</h1>" in english


def test_the_apis_keep_their_json_errors_and_a_json_caller_gets_json(region):
    for path in ("/api/v1/no-such-thing", "/integration/v1/no-such-thing"):
        response = region.client.http.get(path, headers=HTML)
        assert response.status_code == 404 and response.headers["Content-Type"] == "application/json"
        assert json.loads(response.body)["code"] == "not_found"
    asked_for_json = region.client.http.get("/no-such-page", headers={"Accept": "application/json"})
    assert asked_for_json.status_code == 404 and json.loads(asked_for_json.body)["code"] == "not_found"


def test_a_failure_is_a_500_page_for_a_browser(region, monkeypatch):
    # Given the start page fails inside
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(pages, "_landing", broken)
    # When a browser asks for it, Then a 500 page in the site's frame, no trace of the error
    response = region.browser().get("/", headers=HTML)
    body = response.body.decode()
    assert response.status_code == 500 and response.headers["Content-Type"].startswith("text/html")
    assert "Ett tekniskt fel uppstod." in body and 'class="site-header"' in body and "boom" not in body


def test_the_language_switch_comes_back_to_the_same_page_and_the_staff_menu_marks_where_you_are(region):
    anna = region.browser()
    anna.login("anna")
    page = anna.page("/bookings?done=cancelled")
    assert 'href="/language?lang=en&amp;next=/bookings%3Fdone%3Dcancelled"' in page
    switched = anna.get("/language?lang=en&next=%2Fbookings%3Fdone%3Dcancelled")
    assert switched.status_code == 303 and switched.headers["Location"] == "/bookings?done=cancelled"
    # A page answered to a form (a POST) cannot be fetched again: the switch goes to the start page
    refused = anna.post_form("/settings", {"csrf_token": anna.csrf_token(), "language": "xx"})
    assert refused.status_code == 400 and 'next=/"' in refused.body.decode()
    # Staff: the menu marks the page you are on, and only that one
    eva = region.browser()
    eva.login("eva", "staff")
    cases = eva.page("/staff/cases")
    menu = cases[cases.index('class="staff-nav"'):cases.index("</nav>", cases.index('class="staff-nav"'))]
    assert menu.count('aria-current="page"') == 1 and 'href="/staff/cases" aria-current="page"' in menu
