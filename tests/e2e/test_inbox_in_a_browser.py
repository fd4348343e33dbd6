"""A care system posts a message over HTTP; the citizen sees the unread count, opens it in the
browser, and the care system then sees it read. axe-core checks the inbox pages."""

from __future__ import annotations

from playwright.sync_api import expect

import json
import urllib.request

from tests.e2e.test_login_in_a_browser import assert_accessible, login_at_provider


def _integration(stack, method: str, path: str, body: dict | None = None, key: str = "e2e-inbox-0001") -> dict:
    request = urllib.request.Request(
        stack.base_url + path,
        method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": f"Bearer {stack.integration_key}", "Content-Type": "application/json",
                 "Idempotency-Key": key},
    )  # fmt: skip
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def test_a_message_from_care_is_read_in_the_browser_and_the_sender_sees_it_read(stack, page):
    from chalicelib.domain.clock import stockholm_date, utc_now
    from demo import region_demo

    ali = next(c for c in region_demo.citizens(stockholm_date(utc_now())) if c.sub == "ali")
    login_at_provider(page, stack.base_url, "/", "ali")  # the first login creates the account
    sent = _integration(stack, "POST", "/integration/v1/messages", {
        "sender_unit_hsa_id": "SE2321000099-HS01", "personnummer": ali.personnummer, "topic": "Provsvar",
        "subject": "Ditt provsvar är klart", "body": "Hej Ali!\n\nDitt prov är analyserat. Inget avvikande.",
    })  # fmt: skip
    page.reload()
    expect(page.get_by_text("1 oläst", exact=True)).to_be_visible()
    page.get_by_role("link", name="Inkorg").click()
    assert_accessible(page)
    page.get_by_role("link", name="Ditt provsvar är klart").click()
    expect(page.get_by_role("heading", name="Ditt provsvar är klart")).to_be_visible()
    expect(page.get_by_text("Inget avvikande.")).to_be_visible()
    assert_accessible(page)
    status = _integration(stack, "GET", f"/integration/v1/messages/{sent['message_id']}")
    assert status["read_at"] is not None


def test_settings_page_is_accessible_and_shows_field_errors(stack, page):
    login_at_provider(page, stack.base_url, "/", "gunnar")
    page.get_by_role("link", name="Inställningar").click()
    assert_accessible(page)
    page.get_by_label("Nytt mobilnummer").fill("12345")
    page.get_by_role("button", name="Skicka kod").nth(1).click()
    expect(page.get_by_text("Skriv ett svenskt mobilnummer")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Ny e-postadress").fill("gunnar@example.se")
    page.get_by_role("button", name="Skicka kod").first.click()
    expect(page.get_by_text("Vi har skickat en kod.")).to_be_visible()
    expect(page.get_by_label("Skriv koden vi skickade till gunnar@example.se")).to_be_visible()
    assert_accessible(page)
    # The local stack shows the code e-mail on its dev page, as moto received it
    page.goto(stack.base_url + "/dev/outbox")
    expect(page.get_by_role("cell", name="gunnar@example.se").first).to_be_visible()
    assert_accessible(page)
