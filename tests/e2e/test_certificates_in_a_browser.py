"""Anna reads her certificates on a phone-sized screen (320 px: WCAG 2.2 reflow), read from the demo
care system at view time: opens one, downloads it as a PDF, sends it on to the demo receiver
(Försäkringskassan) and sees it sent, hides one and finds it again behind "Visa dolda intyg". axe-core
checks each page."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.test_login_in_a_browser import assert_accessible, login_at_provider


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 320


def test_anna_reads_downloads_sends_and_hides_a_certificate_at_320_px(stack, browser):
    context = browser.new_context(locale="sv-SE", viewport={"width": 320, "height": 640}, accept_downloads=True)
    citizen = context.new_page()
    login_at_provider(citizen, stack.base_url, "/", "anna")
    citizen.get_by_role("link", name="Mina intyg", exact=True).click()
    expect(citizen.get_by_role("heading", name="Mina intyg", level=1)).to_be_visible()
    expect(citizen.locator("ol.certificates > li")).to_have_count(3)
    expect(citizen.locator("ol.certificates h2").first).to_have_text("Läkarintyg för sjukpenning")
    _fits(citizen)
    assert_accessible(citizen)

    citizen.get_by_role("link", name="Läkarintyg för sjukpenning").click()
    expect(citizen.get_by_text("Lumbago (M54.5)", exact=False)).to_be_visible()
    _fits(citizen)
    assert_accessible(citizen)
    with citizen.expect_download() as download:
        citizen.get_by_role("button", name="Ladda ner som PDF").click()
    assert download.value.suggested_filename.startswith("intyg-") and download.value.suggested_filename.endswith(".pdf")

    citizen.get_by_label("Försäkringskassan").check()
    citizen.get_by_role("button", name="Skicka intyget").click()
    expect(citizen.get_by_text("Intyget skickas.", exact=False)).to_be_visible()
    for _ in range(20):  # the follow-up runs from the event stream (polled every 0.2 s)
        if citizen.get_by_text(re.compile(r"Skickat till Försäkringskassan \d{4}-\d{2}-\d{2}")).count():
            break
        citizen.wait_for_timeout(300)
        citizen.reload()
    expect(citizen.get_by_text(re.compile(r"Skickat till Försäkringskassan \d{4}-\d{2}-\d{2} \d{2}:\d{2}"))).to_be_visible()
    _fits(citizen)
    assert_accessible(citizen)

    citizen.get_by_role("button", name="Dölj intyget").click()
    expect(citizen.get_by_text("Intyget är dolt i din lista.")).to_be_visible()
    expect(citizen.locator("ol.certificates > li")).to_have_count(2)
    citizen.get_by_role("link", name="Visa dolda intyg (1)").click()
    expect(citizen.locator("ol.certificates > li")).to_have_count(3)
    expect(citizen.get_by_text("Dolt", exact=False).first).to_be_visible()
    _fits(citizen)
    assert_accessible(citizen)
    context.close()
