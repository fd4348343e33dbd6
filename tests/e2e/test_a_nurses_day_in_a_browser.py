"""A nurse's day in the browser: the queue → take → Motfråga (with a preview) → the citizen replies →
"Invånaren har svarat" → Besvara. The patient header stays in view at 1280 and 1920 px, the staff
tool uses the width, each staff view of the person writes one access-log row (the citizen sees them),
and axe-core checks every staff page."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.test_login_in_a_browser import assert_accessible, login_at_provider


def _person(sub: str):
    from chalicelib.domain.clock import stockholm_date, utc_now
    from demo import region_demo

    return next(c for c in region_demo.citizens(stockholm_date(utc_now())) if c.sub == sub)


def _access_log_rows(citizen, stack) -> int:
    return len(citizen.request.get(f"{stack.base_url}/api/v1/access-log").json()["entries"])


def _header_stays_in_view(staff) -> None:
    """Scrolled to the end of a case (on a short window, so that there is something to scroll), the
    patient header is still at the top of the screen."""
    size = staff.viewport_size
    staff.set_viewport_size({"width": size["width"], "height": 420})
    header = staff.locator(".patient-header")
    assert header.evaluate("e => getComputedStyle(e).position") == "sticky"
    offset = header.evaluate("e => e.getBoundingClientRect().top + window.scrollY")
    staff.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    staff.wait_for_timeout(100)
    assert staff.evaluate("window.scrollY") > offset  # the page did scroll past where the header began
    box = header.bounding_box()
    assert box is not None and 0 <= box["y"] < 2, box
    staff.evaluate("window.scrollTo(0, 0)")
    staff.set_viewport_size(size)


def test_a_nurses_day_queue_take_counter_question_reply_and_answer(stack, browser):
    anna = _person("anna")
    pnr = f"{anna.personnummer[:8]}-{anna.personnummer[8:]}"
    question = "Jag har haft hosta i tre veckor. Behöver jag komma in?"

    citizen = browser.new_context(locale="sv-SE").new_page()
    login_at_provider(citizen, stack.base_url, "/", "anna")
    citizen.goto(f"{stack.base_url}/contact/SE2321000099-VC01/skicka-meddelande")
    citizen.get_by_label("Din fråga").fill(question)
    citizen.get_by_label("Jag har läst och godkänner villkoren").check()
    citizen.get_by_role("button", name="Skicka ärendet").click()
    expect(citizen.get_by_text("Ärendet är skickat till mottagningen.")).to_be_visible()
    case_url = citizen.url.split("?")[0]
    logged = _access_log_rows(citizen, stack)

    context = browser.new_context(locale="sv-SE", viewport={"width": 1280, "height": 800})
    staff = context.new_page()
    login_at_provider(staff, stack.base_url, "/staff", "eva")
    staff.get_by_role("link", name="Ärenden", exact=True).click()
    staff.get_by_label("Enhet").select_option(label="Vårdcentralen Norrby")
    staff.get_by_role("button", name="Visa").click()
    expect(staff.get_by_role("link", name="Nya")).to_have_attribute("aria-current", "page")
    assert_accessible(staff)
    width = staff.evaluate("document.querySelector('main .wrap').getBoundingClientRect().width")
    assert width > 1200, width  # the staff tool uses the screen's width
    row = staff.get_by_role("row").filter(has_text="Skicka meddelande").filter(has_text="Anna Andersson").first
    expect(row).to_contain_text("Ny")
    row.get_by_role("link", name="Anna Andersson").click()

    # The patient header: who this is, before anything else; the view is logged once
    header = staff.locator(".patient-header")
    expect(header).to_contain_text("Anna Andersson")
    expect(header).to_contain_text(pnr)
    expect(header).to_contain_text("år")
    assert _access_log_rows(citizen, stack) == logged + 1
    assert_accessible(staff)
    _header_stays_in_view(staff)

    staff.get_by_role("button", name="Ta ärendet").click()
    expect(staff.get_by_text("Du har tagit ärendet.")).to_be_visible()
    staff.get_by_label("Motfråga").check()
    staff.get_by_label("Meddelande").fill("Har du feber? Hur mycket?")
    staff.get_by_role("button", name="Förhandsgranska").click()
    preview = staff.locator("section.preview")
    expect(preview).to_contain_text("Har du feber? Hur mycket?")
    expect(preview).to_contain_text("Eva Nilsson")  # the signature, as the citizen will read it
    assert_accessible(staff)
    staff.get_by_role("button", name="Skicka svaret").click()
    expect(staff.get_by_text("Svaret är skickat till invånarens inkorg.")).to_be_visible()
    expect(staff.locator(".case-facts")).to_contain_text("Väntar på invånaren")  # staff wording

    citizen.goto(case_url)
    expect(citizen.get_by_text("Väntar på ditt svar")).to_be_visible()  # the citizen's wording
    expect(citizen.get_by_text("Har du feber? Hur mycket?")).to_be_visible()
    citizen.get_by_label("Ditt svar").fill("Ja, 38,5 i två dagar.")
    citizen.get_by_role("button", name="Skicka svar").click()
    expect(citizen.get_by_text("Ditt svar är skickat.")).to_be_visible()

    # Later, on a wide screen: the reply waits under "Invånaren har svarat"
    staff.set_viewport_size({"width": 1920, "height": 1080})
    staff.get_by_role("link", name="Ärenden", exact=True).click()
    staff.get_by_label("Enhet").select_option(label="Vårdcentralen Norrby")
    staff.get_by_role("button", name="Visa").click()
    staff.get_by_role("link", name="Invånaren har svarat").click()
    row = staff.get_by_role("row").filter(has_text="Skicka meddelande").filter(has_text="Anna Andersson").first
    expect(row).to_contain_text("Invånaren har svarat")
    expect(row).to_contain_text("Eva Nilsson")
    assert_accessible(staff)
    before = _access_log_rows(citizen, stack)
    row.get_by_role("link", name="Anna Andersson").click()
    expect(staff.get_by_text("Ja, 38,5 i två dagar.")).to_be_visible()
    assert _access_log_rows(citizen, stack) == before + 1
    _header_stays_in_view(staff)
    staff.get_by_label("Svar (avslutar ärendet)").check()
    staff.get_by_label("Meddelande").fill("Kom in i morgon kl. 9, vi lyssnar på lungorna.")
    staff.get_by_role("button", name="Förhandsgranska").click()
    staff.get_by_role("button", name="Skicka svaret").click()
    expect(staff.locator(".case-facts")).to_contain_text("Avslutat")
    assert_accessible(staff)

    citizen.reload()
    expect(citizen.get_by_text("Kom in i morgon kl. 9, vi lyssnar på lungorna.")).to_be_visible()
    expect(citizen.get_by_text("Avslutat", exact=True)).to_be_visible()
    # Every staff view of Anna is in her access log, and none of them carried her personnummer in a URL
    citizen.goto(f"{stack.base_url}/access-log")
    expect(citizen.get_by_text("Eva Nilsson").first).to_be_visible()
    assert not re.search(anna.personnummer[2:8], staff.url)
