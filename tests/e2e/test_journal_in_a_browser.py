"""1177 Journalen in the browser, on a phone (320 px): the citizen reads her journal from the demo care
systems by category and unit, sees who in care opened it, seals it and lifts her seal; the
verksamhetschef blocks a guardian in the staff tool, the guardian's open session loses the child at
once, and lifting the block gives her back. axe-core checks each page."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.test_forms_in_a_browser import PHONE, _no_sideways_scroll, _shot
from tests.e2e.test_login_in_a_browser import assert_accessible, login_at_provider


def test_anna_reads_her_journal_on_a_phone_sees_who_opened_it_and_seals_it(stack, browser):
    page = browser.new_context(locale="sv-SE", viewport=PHONE).new_page()
    login_at_provider(page, stack.base_url, "/", "anna")
    page.get_by_role("link", name="Journalen").click()
    expect(page.get_by_role("heading", name="Journalen", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="Återbesök, förmaksflimmer")).to_be_visible()
    expect(page.get_by_text("Inskrivning mödravården")).to_have_count(0)  # a unit the region leaves out
    assert_accessible(page)
    _no_sideways_scroll(page)
    _shot(page, "journal-notes")

    page.get_by_role("link", name="Provsvar").click()
    expect(page.get_by_role("heading", name="P-NT-proBNP")).to_be_visible()
    expect(page.get_by_text("Utanför referensintervallet").first).to_be_visible()
    assert_accessible(page)
    _shot(page, "journal-lab")

    page.get_by_role("link", name="Anteckningar").click()
    page.get_by_label("Mottagning").select_option(label="Kardiologmottagningen, Demo sjukhus")
    page.get_by_role("button", name="Visa").click()
    expect(page.get_by_role("heading", name="Nybesök, hjärtklappning")).to_be_visible()
    expect(page.get_by_role("heading", name="Besök, ryggvärk")).to_have_count(0)

    page.get_by_role("link", name="Vem har läst min journal?").click()
    expect(page.get_by_role("heading", name="I vårdens journalsystem")).to_be_visible()
    assert page.locator("ol.accesses").first.locator("li").count() == 4
    assert_accessible(page)
    _no_sideways_scroll(page)
    _shot(page, "journal-log")

    page.get_by_role("link", name="Tillbaka till journalen").click()
    page.get_by_role("link", name="Försegla journalen").click()
    expect(page.get_by_text("Du kan själv ta bort förseglingen här")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Försegla min journal").click()
    expect(page.get_by_text("Du har förseglat din journal.")).to_be_visible()
    expect(page.get_by_role("heading", name="Återbesök, förmaksflimmer")).to_have_count(0)
    assert_accessible(page)
    _shot(page, "journal-sealed")
    page.get_by_role("link", name="Om förseglingen").click()
    page.get_by_role("button", name="Ta bort förseglingen").click()
    expect(page.get_by_role("heading", name="Återbesök, förmaksflimmer")).to_be_visible()


def test_the_verksamhetschef_blocks_a_guardian_and_her_open_session_loses_the_child(stack, browser):
    from chalicelib.domain.clock import stockholm_date, utc_now
    from demo import region_demo

    elsa = next(c for c in region_demo.citizens(stockholm_date(utc_now())) if c.sub == "elsa")
    karin = browser.new_context(locale="sv-SE", viewport=PHONE).new_page()
    login_at_provider(karin, stack.base_url, "/", "karin")
    karin.get_by_label("Elsa", exact=False).check()
    karin.get_by_role("button", name="Byt").click()
    karin.get_by_role("link", name="Journalen").click()
    expect(karin.get_by_role("heading", name="Besök, öronvärk")).to_be_visible()

    staff = browser.new_context(locale="sv-SE").new_page()
    login_at_provider(staff, stack.base_url, "/staff", "johan")
    staff.get_by_role("link", name="Åtkomst och skydd").first.click()
    staff.get_by_label("Invånarens personnummer").fill(elsa.personnummer)
    staff.get_by_role("button", name="Visa personens skydd").click()
    expect(staff.get_by_text("Elsa Lind").first).to_be_visible()  # the patient header: whose it is
    assert_accessible(staff)
    block = staff.locator("form", has=staff.get_by_role("heading", name="Blockera en vårdnadshavare"))
    block.get_by_label("Skäl (obligatoriskt)").fill("Beslut enligt LVU, barnet vistas på hemlig ort")
    block.get_by_role("button", name="Blockera vårdnadshavaren").click()
    expect(staff.get_by_role("cell", name="Karin Lind").first).to_be_visible()
    assert_accessible(staff)
    _shot(staff, "staff-guardian-blocked")

    karin.reload()
    expect(karin.get_by_role("heading", name="Besök, öronvärk")).to_have_count(0)
    expect(karin.get_by_text("Du företräder Elsa")).to_have_count(0)

    # Reversible: Johan lifts the block, and Karin may choose Elsa again
    staff.get_by_role("button", name="Häv blockeringen").click()
    expect(staff.get_by_text("Beslutet är hävt.")).to_be_visible()
    expect(staff.get_by_text("Inga skydd gäller för personen.")).to_be_visible()
    karin.goto(stack.base_url + "/")
    karin.get_by_label("Elsa", exact=False).check()
    karin.get_by_role("button", name="Byt").click()
    expect(karin.get_by_text("Du företräder Elsa")).to_be_visible()
