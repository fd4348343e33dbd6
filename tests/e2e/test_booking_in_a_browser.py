"""A citizen books, rebooks and cancels in the browser against the local stack's demo slots; each
step lands a confirmation in the inbox. axe-core checks every booking page and the staff tool's
appointment book."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.conftest import open_from_inbox
from tests.e2e.test_login_in_a_browser import assert_accessible, login_at_provider


def _choose_first_free_time(page) -> None:
    # The last day offered, two weeks ahead: far from the 24-hour change limit whatever the hour.
    page.get_by_role("navigation", name="Välj dag").get_by_role("link").last.click()
    assert_accessible(page)
    page.get_by_role("radio").first.check()


def test_a_citizen_books_rebooks_and_cancels(stack, page):
    login_at_provider(page, stack.base_url, "/", "maja")
    page.get_by_role("link", name="Bokade tider").click()
    expect(page.get_by_text("Du har inga bokade tider.")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Boka ny tid").click()
    page.get_by_role("link", name="Vårdcentralen Norrby").click()
    assert_accessible(page)
    page.get_by_role("link", name="Besök hos sjuksköterska").click()
    _choose_first_free_time(page)
    page.get_by_role("button", name="Gå vidare").click()
    expect(page.get_by_role("heading", name="Bekräfta bokningen")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Boka tiden").click()
    expect(page.get_by_text("Tiden är bokad.")).to_be_visible()
    booked_at = page.locator("dd time").first.inner_text()
    assert_accessible(page)

    page.get_by_role("link", name="Boka om").click()
    expect(page.get_by_role("heading", name="Boka om tid")).to_be_visible()
    page.get_by_role("navigation", name="Välj dag").get_by_role("link").last.click()
    page.get_by_role("radio").last.check()
    page.get_by_role("button", name="Boka om till vald tid").click()
    expect(page.get_by_text("Tiden är ombokad.")).to_be_visible()
    assert page.locator("dd time").first.inner_text() != booked_at

    page.get_by_role("link", name="Avboka tiden").click()
    expect(page.get_by_role("heading", name="Vill du avboka tiden?")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Varför avbokar du? (frivilligt)").select_option(label="Jag mår bättre")
    page.get_by_role("button", name="Ja, avboka tiden").click()
    expect(page.get_by_role("status")).to_have_text("Tiden är avbokad. En bekräftelse finns i din inkorg.")
    expect(page.get_by_text("Den här tiden är avbokad.")).to_be_visible()
    assert_accessible(page)

    open_from_inbox(page, stack.base_url, "Din tid är avbokad")
    for subject in ("Bokningsbekräftelse", "Din tid är ombokad", "Din tid är avbokad"):
        expect(page.get_by_role("heading", name=subject)).to_be_visible()
    expect(page.get_by_role("link", name="bokning.ics", exact=False).first).to_be_visible()


def test_the_staff_appointment_book_is_accessible(stack, page):
    login_at_provider(page, stack.base_url, "/staff", "eva")
    page.get_by_role("link", name="Tidbok").click()
    expect(page.get_by_role("heading", name="Tidbok", exact=True)).to_be_visible()
    page.get_by_role("table").first.get_by_role("link").nth(1).click()  # Tuesday of this week
    expect(page.get_by_role("heading", name="Lägg ut tider")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Kallelser").click()
    page.get_by_label("Enhet", exact=True).select_option(label="Kardiologmottagningen, Demo sjukhus")
    page.get_by_role("button", name="Visa").click()
    expect(page.get_by_role("heading", name="Boka besök och skicka kallelse")).to_be_visible()
    assert_accessible(page)


def test_a_local_admin_sets_booking_rules(stack, page):
    login_at_provider(page, stack.base_url, "/staff", "johan")
    page.get_by_role("link", name="Regler för webbokning").click()
    assert_accessible(page)
    page.get_by_label("Ombokning senast (timmar före besöket)").first.fill("48")
    page.get_by_role("button", name="Spara").first.click()
    expect(page.get_by_text("Reglerna är sparade.")).to_be_visible()
    expect(page.get_by_label("Ombokning senast (timmar före besöket)").first).to_have_value("48")
