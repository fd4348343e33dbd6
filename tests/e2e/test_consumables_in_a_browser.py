"""Anna orders test strips to a pickup point on a phone-sized screen (320 px: WCAG 2.2 reflow): what is
prescribed is read from the demo care system at view time, the order is placed and listed. axe-core
checks each page."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.test_login_in_a_browser import assert_accessible, login_at_provider

STRIPS = "Blodsockerteststickor, FreeStyle Precision"
PHARMACY = "Apoteket Norrby, Norrbygatan 2, 123 45 Demostad"


def test_anna_orders_test_strips_to_a_pickup_point_at_320_px(stack, browser):
    context = browser.new_context(locale="sv-SE", viewport={"width": 320, "height": 640})
    citizen = context.new_page()
    login_at_provider(citizen, stack.base_url, "/", "anna")
    citizen.get_by_role("link", name="Förbrukningsartiklar", exact=True).click()
    expect(citizen.get_by_role("heading", name="Förbrukningsartiklar", level=1)).to_be_visible()
    strips = citizen.locator("section.consumable").filter(has=citizen.get_by_role("heading", name=STRIPS))
    expect(strips).to_contain_text("Kvar att beställa: 100 st")
    # Nothing wider than the screen: no sideways scrolling at 320 px
    assert citizen.evaluate("document.documentElement.scrollWidth") <= 320
    assert_accessible(citizen)

    strips.get_by_label("Antal (st)").fill("50")
    strips.get_by_label(f"Hämta på {PHARMACY}").check()
    strips.get_by_role("button", name=f"Beställ {STRIPS}").click()
    expect(citizen.get_by_text("Din beställning är skickad till leverantören.")).to_be_visible()
    strips = citizen.locator("section.consumable").filter(has=citizen.get_by_role("heading", name=STRIPS))
    expect(strips).to_contain_text("Kvar att beställa: 50 st")
    expect(strips).to_contain_text("Du har en pågående beställning av artikeln.")
    orders = citizen.locator("section[aria-labelledby='orders-heading'] li")
    expect(orders).to_have_count(1)
    expect(orders.first).to_contain_text(STRIPS)
    expect(orders.first).to_contain_text("Beställd")
    assert citizen.evaluate("document.documentElement.scrollWidth") <= 320
    assert_accessible(citizen)
    context.close()
