"""What every caller notices about the HTTP surface: JSON errors with a code, no stack traces,
an OpenAPI document that matches the routes, security headers, and the language switch."""

from __future__ import annotations

import app as app_module
from chalicelib.api.openapi import openapi_document


def test_an_unknown_route_is_a_json_404_with_a_code(region):
    for path in ("/api/v1/nothing-here", "/integration/v1/nope"):
        response = region.client.http.get(path)
        assert response.status_code == 404
        assert response.json_body["code"] == "not_found"
    # Outside the APIs a browser gets a page (test_site_frame.py); a caller asking for JSON, the JSON
    response = region.client.http.get("/no/such/page", headers={"Accept": "application/json"})
    assert response.status_code == 404 and response.json_body["code"] == "not_found"
    assert region.client.http.get("/no/such/page").headers["Content-Type"].startswith("text/html")


def test_a_wrong_method_is_a_json_error_with_a_code(region):
    response = region.client.http.request("DELETE", "/api/v1/me")
    assert response.status_code == 405
    assert response.json_body["code"] == "method_not_allowed"


def test_the_api_without_a_session_says_not_logged_in(region):
    response = region.client.http.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json_body == {"code": "not_logged_in", "message": "Du behöver logga in."}


def test_malformed_json_to_the_api_is_a_400_with_a_code(region):
    browser = region.browser()
    browser.login("karin")
    headers = {"Content-Type": "application/json", "X-CSRF-Token": browser.csrf_token()}
    response = browser.request("PUT", "/api/v1/acting-for", headers=headers, body=b"{not json")
    assert response.status_code == 400
    assert response.json_body["code"] == "malformed_json"


def test_an_unexpected_error_is_a_json_500_without_a_stack_trace(region, monkeypatch):
    from chalicelib.services import start_pages

    def broken(*args, **kwargs):
        raise RuntimeError("database exploded at line 42")

    monkeypatch.setattr(start_pages, "citizen_start", broken)
    browser = region.browser()
    browser.login("anna")
    api = browser.get("/api/v1/me")
    assert api.status_code == 500
    assert api.json_body == {"code": "internal_error", "message": "Ett tekniskt fel uppstod."}
    page = browser.get("/")
    assert page.status_code == 500
    body = page.body.decode()
    assert "Ett tekniskt fel uppstod" in body
    assert "Traceback" not in body and "exploded" not in body


def test_pages_carry_security_headers_and_a_correlation_id(region):
    response = region.client.http.get("/")
    headers = {k.lower(): v for k, v in response.headers.items()}
    assert "default-src 'self'" in headers["content-security-policy"]
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["cache-control"] == "no-store"
    assert len(headers["x-correlation-id"]) >= 8
    echoed = region.client.http.get("/", headers={"X-Correlation-Id": "abc-123-def-456"})
    assert echoed.headers["X-Correlation-Id"] == "abc-123-def-456"


def test_the_openapi_document_describes_every_api_and_integration_route():
    document = openapi_document()
    described = {(path, method.upper()) for path, ops in document["paths"].items() for method in ops}
    routed = {
        (path, method)
        for path, methods in app_module.app.routes.items()
        if path.startswith(("/api/v1", "/integration/v1"))
        for method in methods
    }
    assert routed == described


def test_the_openapi_document_is_served(region):
    response = region.client.http.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.json_body["openapi"].startswith("3.")


def test_english_is_one_click_away_and_remembered(region):
    browser = region.browser()
    response = browser.get("/language?lang=en&next=/staff")
    assert response.status_code == 303 and response.headers["Location"] == "/staff"
    page = browser.page("/staff")
    assert '<html lang="en">' in page and "Log in to the staff tool" in page
    assert 'lang="sv"' in page and "På svenska" in page


def test_the_language_switch_never_redirects_off_site(region):
    for target in ("//evil.example/", "https://evil.example/", "/\\evil"):
        response = region.client.http.get(f"/language?lang=sv&next={target}")
        assert response.headers["Location"] == "/"


def test_the_start_pages_work_without_javascript(region):
    browser = region.browser()
    browser.login("karin")
    page = browser.page("/")
    assert "<script" not in page
    assert '<form method="post" action="/act-for">' in page


def test_the_menu_shows_only_the_e_services_the_region_has_switched_on(region, monkeypatch):
    from chalicelib import bootstrap

    monkeypatch.setenv("ESERVICES_ENABLED", '{"inbox": true, "cases": true, "booking": false, "forms": false}')
    bootstrap.ports.cache_clear()
    bootstrap.get_settings.cache_clear()
    browser = region.browser()
    browser.login("anna")
    page = browser.page("/")
    assert "Inkorg" in page and "Ärenden" in page and "Inställningar" in page
    assert "Bokade tider" not in page and "Formulär" not in page
