"""Anna renews two prescriptions from the list on a phone-sized screen (320 px: WCAG 2.2 reflow), read
from the demo care system at view time; the cardiology clinic's handler sees both medicines in the
case. axe-core checks each page."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.test_login_in_a_browser import assert_accessible, login_at_provider


def test_anna_renews_two_prescriptions_from_the_list_at_320_px(stack, browser):
    context = browser.new_context(locale="sv-SE", viewport={"width": 320, "height": 640})
    citizen = context.new_page()
    login_at_provider(citizen, stack.base_url, "/", "anna")
    citizen.get_by_role("link", name="Läkemedel", exact=True).click()
    expect(citizen.get_by_role("heading", name="Förnya recept", level=2)).to_be_visible()
    expect(citizen.get_by_role("heading", name="Mina läkemedel", level=2)).to_be_visible()
    # Nothing wider than the screen: no sideways scrolling at 320 px
    assert citizen.evaluate("document.documentElement.scrollWidth") <= 320
    assert_accessible(citizen)

    clinic = citizen.locator("section.renewal-unit").filter(
        has=citizen.get_by_role("heading", name="Kardiologmottagningen, Demo sjukhus"))  # fmt: skip
    clinic.get_by_role("button", name="Skicka till Kardiologmottagningen, Demo sjukhus").click()
    expect(citizen.get_by_text("Välj minst ett läkemedel").first).to_be_visible()
    assert_accessible(citizen)
    clinic = citizen.locator("section.renewal-unit").filter(
        has=citizen.get_by_role("heading", name="Kardiologmottagningen, Demo sjukhus"))  # fmt: skip
    clinic.get_by_label("Bisoprolol 2,5 mg tablett").check()
    clinic.get_by_label("Apixaban 5 mg tablett").check()
    clinic.get_by_label("Jag har läst och godkänner villkoren").check()
    clinic.get_by_role("button", name="Skicka till Kardiologmottagningen, Demo sjukhus").click()
    expect(citizen.get_by_text("Ärendet är skickat till mottagningen.")).to_be_visible()
    expect(citizen.get_by_role("heading", name="Läkemedel att förnya")).to_be_visible()
    expect(citizen.locator("ul.medicines li")).to_have_count(2)
    assert citizen.evaluate("document.documentElement.scrollWidth") <= 320
    assert_accessible(citizen)
    case_id = citizen.url.split("?")[0].rsplit("/", 1)[1]

    staff = browser.new_context(locale="sv-SE").new_page()
    login_at_provider(staff, stack.base_url, "/staff", "eva")  # case handler at the cardiology clinic
    staff.goto(f"{stack.base_url}/staff/cases/{case_id}")
    expect(staff.locator("ul.medicines li")).to_have_count(2)
    expect(staff.locator("ul.medicines")).to_contain_text("Apixaban 5 mg, tablett")
    assert_accessible(staff)
    context.close()
