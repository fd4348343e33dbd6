"""Earlier times in the browser: Ali books the last time of the last day and asks for an earlier one;
Gunnar books an earlier time that day and cancels it; the offer reaches Ali's inbox, and on a phone
(320 px) she opens it and takes the earlier time. Then a local admin reads the unit's usage
statistics, where the offer and its acceptance are counted. axe-core checks each page."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import expect

from tests.e2e.conftest import open_from_inbox
from tests.e2e.test_login_in_a_browser import assert_accessible, login_at_provider

SHOTS = Path(__file__).resolve().parents[2] / "out" / "screenshots"


def _book_on_the_last_day(page, base_url: str, who: str, which: str) -> str:
    login_at_provider(page, base_url, "/", who)
    page.get_by_role("link", name="Bokade tider").click()
    page.get_by_role("link", name="Boka ny tid").click()
    page.get_by_role("link", name="Vårdcentralen Norrby").click()
    page.get_by_role("link", name="Besök hos sjuksköterska").click()
    # The last day offered, two weeks ahead: far from the 24-hour change limit whatever the hour.
    page.get_by_role("navigation", name="Välj dag").get_by_role("link").last.click()
    getattr(page.get_by_role("radio"), which).check()
    page.get_by_role("button", name="Gå vidare").click()
    page.get_by_role("button", name="Boka tiden").click()
    expect(page.get_by_text("Tiden är bokad.")).to_be_visible()
    return page.locator("dd time").first.inner_text()


def _cancel(page) -> None:
    page.get_by_role("link", name="Avboka tiden").click()
    page.get_by_role("button", name="Ja, avboka tiden").click()
    expect(page.get_by_text("Den här tiden är avbokad.")).to_be_visible()


def test_ali_waits_for_an_earlier_time_and_takes_it_on_her_phone(stack, browser):
    SHOTS.mkdir(parents=True, exist_ok=True)
    ali = browser.new_context(locale="sv-SE", viewport={"width": 320, "height": 720}).new_page()
    gunnar = browser.new_context(locale="sv-SE").new_page()
    try:
        ali_time = _book_on_the_last_day(ali, stack.base_url, "ali", "last")
        ali.get_by_label("Jag vill ha en tidigare tid om någon avbokar").check()
        ali.get_by_role("button", name="Spara val").click()
        expect(ali.get_by_role("status")).to_have_text("Sparat. Du får ett erbjudande om en tidigare tid blir ledig.")
        expect(ali.get_by_text("Du väntar på en tidigare tid sedan")).to_be_visible()
        assert_accessible(ali)
        booking_url = ali.url

        earlier = _book_on_the_last_day(gunnar, stack.base_url, "gunnar", "first")
        assert earlier != ali_time
        _cancel(gunnar)

        # The freed time is offered to Ali (the only one waiting): in her inbox a moment later.
        open_from_inbox(ali, stack.base_url, "Erbjudande om tidigare tid")
        ali.get_by_role("link", name="Svara på erbjudandet").click()
        expect(ali.get_by_role("heading", name="Erbjudande om tidigare tid")).to_be_visible()
        assert earlier in ali.locator("dd time").first.inner_text()
        assert_accessible(ali)
        assert ali.evaluate("document.documentElement.scrollWidth") <= 320  # nothing to scroll sideways
        ali.screenshot(path=str(SHOTS / "earlier-time-offer-320.png"), full_page=True)
        ali.get_by_role("button", name="Ja, flytta till den tidigare tiden").click()
        expect(ali.get_by_text("Tiden är ombokad.")).to_be_visible()
        assert ali.locator("dd time").first.inner_text() == earlier
        expect(ali.get_by_text("Du väntar på en tidigare tid sedan")).to_have_count(0)
        assert_accessible(ali)

        # In the booking's thread: the confirmation of the move, and the offer saying what became of it,
        # without its button.
        open_from_inbox(ali, stack.base_url, "Din tid är ombokad")
        expect(ali.get_by_text("Du tackade ja. Din tid är flyttad.")).to_be_visible()
        expect(ali.get_by_role("link", name="Svara på erbjudandet")).to_have_count(0)
        # The shared stack as it was: her time cancelled, and its thread read (the inbox test counts her unread).
        ali.goto(booking_url)
        _cancel(ali)
        open_from_inbox(ali, stack.base_url, "Din tid är avbokad")
        ali.goto(stack.base_url + "/inbox")
        expect(ali.get_by_text("oläst", exact=False)).to_have_count(0)
    finally:
        ali.context.close()
        gunnar.context.close()


def test_a_local_admin_reads_the_unit_s_usage_statistics(stack, page):
    login_at_provider(page, stack.base_url, "/staff", "johan")
    page.get_by_role("link", name="Statistik").first.click()
    expect(page.get_by_role("heading", name="Användningsstatistik")).to_be_visible()
    expect(page.get_by_role("img", name="Tidigare tider")).to_be_visible()
    expect(page.get_by_role("rowheader", name="Antagna erbjudanden")).to_be_visible()
    assert_accessible(page)
    page.set_viewport_size({"width": 320, "height": 720})
    page.screenshot(path=str(SHOTS / "usage-statistics-320.png"), full_page=True)
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV", exact=False).first.click()
    assert download.value.suggested_filename.endswith(".csv")
