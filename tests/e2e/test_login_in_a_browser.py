"""A person in a real browser: e-ID and SITHS logins at the region's (local) OpenID providers, the
start pages (the citizen's overview, in Swedish and English, at a phone's 320 px too), acting for a
child, logout that ends the provider's session too, and axe-core finding no accessibility violations."""

from __future__ import annotations

import json
import urllib.request
import uuid

from playwright.sync_api import expect

import pytest
from axe_playwright_python.sync_playwright import Axe

AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa",
                                                       "best-practice"]}}  # fmt: skip


def assert_accessible(page) -> None:
    results = Axe().run(page, options=AXE_OPTIONS)
    assert results.violations_count == 0, results.generate_report()


def choose_person(page, sub: str) -> None:
    """The provider's login page: choose the test person (at the preselected level of assurance)."""
    page.locator(f'#choose-person button[name="sub"][value="{sub}"]').click()


def login_at_provider(page, base_url: str, entry: str, sub: str) -> None:
    page.goto(f"{base_url}{entry}")
    page.get_by_role("link", name="Logga in med e-legitimation" if entry == "/" else "Logga in med SITHS").click()
    choose_person(page, sub)
    page.wait_for_url(f"{base_url}{entry}")


def test_a_guardian_logs_in_acts_for_her_child_and_logs_out(stack, page):
    page.goto(stack.base_url + "/")
    assert_accessible(page)
    login_at_provider(page, stack.base_url, "/", "karin")
    expect(page.get_by_text("Inloggad som Karin Lind")).to_be_visible()
    # The overview comes first, each section calm when empty, then the e-services
    for heading in ("Kommande tider", "Olästa meddelanden", "Ärenden som väntar på dig", "E-tjänster"):
        expect(page.get_by_role("heading", name=heading, level=2, exact=True)).to_be_visible()
    expect(page.get_by_text("Du har inga kommande tider.")).to_be_visible()
    assert_accessible(page)

    # Karin chooses Elsa (9); Olle (14) and Sigge (protected identity) are not offered
    assert page.get_by_label("Olle", exact=False).count() == 0
    assert page.get_by_label("Sigge", exact=False).count() == 0
    page.get_by_label("Elsa", exact=False).check()
    page.get_by_role("button", name="Byt").click()
    expect(page.get_by_text("Du företräder Elsa")).to_be_visible()
    expect(page.get_by_role("heading", name="Ärenden som väntar på dig")).to_be_visible()  # Elsa's overview
    assert_accessible(page)

    # Logging out ends the e-ID provider's session too: the browser goes there (by script, or the
    # page's button without it), the provider asks to confirm, and sends her back
    page.get_by_role("button", name="Logga ut").click()
    page.locator('button[name="logout"]').click()
    expect(page.get_by_text("Du är utloggad.")).to_be_visible()
    assert_accessible(page)
    # The next person at this computer is asked who they are, not let in as Karin
    page.get_by_role("link", name="Logga in med e-legitimation").click()
    expect(page.locator("#choose-person")).to_be_visible()
    page.goto(stack.base_url + "/")
    expect(page.get_by_role("heading", name="Logga in på e-tjänsterna")).to_be_visible()


def test_a_login_below_the_required_level_of_assurance_is_refused(stack, page):
    page.goto(stack.base_url + "/")
    page.get_by_role("link", name="Logga in med e-legitimation").click()
    page.get_by_label("Tillitsnivå").first.select_option(value="http://id.elegnamnden.se/loa/1.0/loa2")
    choose_person(page, "anna")
    expect(page.get_by_role("heading", name="Inloggningen kunde inte godkännas")).to_be_visible()
    assert_accessible(page)


def _message_to(stack, sub: str, subject: str) -> None:
    """A care system's message over HTTP, so the overview has something unread to list."""
    from chalicelib.domain.clock import stockholm_date, utc_now
    from demo import region_demo

    person = next(c for c in region_demo.citizens(stockholm_date(utc_now())) if c.sub == sub)
    request = urllib.request.Request(
        stack.base_url + "/integration/v1/messages", method="POST",
        data=json.dumps({"sender_unit_hsa_id": "SE2321000099-VC01", "personnummer": person.personnummer,
                         "topic": "Hälsosamtal", "subject": subject, "body": "Välkommen!"}).encode(),
        headers={"Authorization": f"Bearer {stack.integration_key}", "Content-Type": "application/json",
                 "Idempotency-Key": f"e2e-start-{uuid.uuid4()}"},
    )  # fmt: skip
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 201


def test_the_start_page_in_english_is_accessible(stack, page):
    _message_to(stack, "anna", "Inbjudan till hälsosamtal")
    login_at_provider(page, stack.base_url, "/", "anna")
    page.get_by_role("link", name="In English").click()
    expect(page.get_by_text("Logged in as Anna Andersson")).to_be_visible()
    assert page.locator("html").get_attribute("lang") == "en"
    # The overview in English, no Swedish heading left; the unread message listed as a link to it
    for heading in ("Upcoming appointments", "Unread messages", "Cases waiting for you", "E-services"):
        expect(page.get_by_role("heading", name=heading, level=2, exact=True)).to_be_visible()
    for heading in ("Kommande tider", "Olästa meddelanden", "Ärenden som väntar på dig", "E-tjänster"):
        expect(page.get_by_role("heading", name=heading)).to_have_count(0)
    expect(page.get_by_role("link", name="Inbjudan till hälsosamtal")).to_be_visible()
    assert_accessible(page)
    # At a phone's 320 px nothing scrolls sideways (reflow), and it is still accessible
    page.set_viewport_size({"width": 320, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    expect(page.get_by_role("heading", name="Unread messages")).to_be_visible()
    assert_accessible(page)


def test_staff_log_in_with_siths_and_see_units_and_roles(stack, page):
    page.goto(stack.base_url + "/staff")
    assert_accessible(page)
    login_at_provider(page, stack.base_url, "/staff", "eva")
    expect(page.get_by_role("heading", name="Personalverktyget")).to_be_visible()
    expect(page.get_by_role("rowheader", name="Vårdcentralen Norrby SE2321000099-VC01")).to_be_visible()
    expect(page.get_by_text("Ärendemottagare")).to_be_visible()
    assert_accessible(page)


def test_staff_without_a_role_are_refused(stack, page):
    page.goto(stack.base_url + "/staff")
    page.get_by_role("link", name="Logga in med SITHS").click()
    choose_person(page, "nils")
    expect(page.get_by_role("heading", name="Du saknar behörighet")).to_be_visible()
    assert_accessible(page)


@pytest.mark.parametrize("sub", ["per"])
def test_a_removed_login_gets_the_neutral_page(stack, page, sub):
    page.goto(stack.base_url + "/")
    page.get_by_role("link", name="Logga in med e-legitimation").click()
    choose_person(page, sub)
    expect(page.get_by_role("heading", name="Du kan inte logga in")).to_be_visible()
    assert_accessible(page)


def test_the_dev_outbox_lists_what_moto_sent(stack, page):
    page.goto(stack.base_url + "/dev/outbox")
    expect(page.get_by_role("heading", name="Skickad e-post och sms")).to_be_visible()
    assert_accessible(page)
