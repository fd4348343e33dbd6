"""A health declaration that rides with a booked operation, in the browser: the hospital's system
books the visit with the form, the citizen fills it in on a phone (320 px, no sideways scrolling,
questions her answers ask appear on the same page), sends it, and the nurse reads it and exports the
PDF, where only the medically relevant answers stand, each marked red or green in words too.
axe-core checks each page."""

from __future__ import annotations

import io
import uuid
from datetime import datetime, time, timedelta

from playwright.sync_api import expect

from tests.e2e.conftest import open_from_inbox
from tests.e2e.test_inbox_in_a_browser import _integration
from tests.e2e.test_login_in_a_browser import assert_accessible, login_at_provider

KA = "SE2321000099-KA01"
PHONE = {"width": 320, "height": 740}


def _shot(page, name: str) -> None:
    """E2E_SCREENSHOTS=<folder>: keep what the page looked like, to look at."""
    import os

    if os.environ.get("E2E_SCREENSHOTS"):
        page.screenshot(path=f"{os.environ['E2E_SCREENSHOTS']}/{name}.png", full_page=True)


def _no_sideways_scroll(page) -> None:
    wide = page.evaluate("""() => [...document.querySelectorAll('body *')]
        .filter(e => e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX === 'visible' && e.clientWidth > 0)
        .map(e => `${e.tagName}.${e.className} ${e.scrollWidth} > ${e.clientWidth}`)
        .slice(0, 8)""")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], wide


def _answers(page, **chosen: str) -> None:
    for link_id, value in chosen.items():
        page.locator(f'input[name="{link_id}"][value="{value}"]').check()


def test_a_health_declaration_with_a_summons_is_filled_on_a_phone_and_read_red_and_green(stack, browser):
    from chalicelib.domain.clock import STOCKHOLM, stockholm_date, utc_now
    from demo import region_demo

    anna = next(c for c in region_demo.citizens(stockholm_date(utc_now())) if c.sub == "anna")
    day = stockholm_date(utc_now()) + timedelta(days=10)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    start = datetime.combine(day, time(10, 0), tzinfo=STOCKHOLM)
    _integration(stack, "POST", "/integration/v1/appointments", {
        "unit_hsa_id": KA, "personnummer": anna.personnummer, "visit_type_id": "arskontroll",
        "start": start.isoformat(), "end": (start + timedelta(minutes=30)).isoformat(),
        "forms": ["halsodeklaration"], "far_ahead_intended": True}, key=f"e2e-form-{uuid.uuid4()}")  # fmt: skip

    citizen = browser.new_context(locale="sv-SE", viewport=PHONE).new_page()
    login_at_provider(citizen, stack.base_url, "/", "anna")
    open_from_inbox(citizen, stack.base_url, "Formulär att fylla i: Hälsodeklaration inför operation")
    citizen.get_by_role("link", name="Fyll i formuläret").first.click()
    expect(citizen.get_by_role("heading", name="Hälsodeklaration inför operation")).to_be_visible()
    expect(citizen.get_by_text("Sida 1 av 7")).to_be_visible()
    assert_accessible(citizen)
    _no_sideways_scroll(citizen)

    _answers(citizen, kon="man")
    citizen.locator("#f-langd").fill("182")
    citizen.locator("#f-vikt").fill("81,5")
    citizen.get_by_role("button", name="Nästa").click()
    expect(citizen.get_by_text("Sida 2 av 7")).to_be_visible()
    _answers(citizen, hjarta="nej", pacemaker="nej", blodtryck="ja", lungor="nej", trappor="ja")
    citizen.get_by_role("button", name="Nästa").click()
    _answers(citizen, blodning="nej", **{"blodning-familj": "vet-inte"}, allergi="ja")
    citizen.get_by_role("button", name="Nästa").click()
    # "Ja" to allergies asks what, on the same page: it stays and shows the question
    expect(citizen.get_by_text("Dina svar gav fler frågor på den här sidan.")).to_be_visible()
    _shot(citizen, "form-more-asked")
    citizen.locator("#f-allergi-vad").fill("Penicillin, utslag")
    assert_accessible(citizen)
    citizen.get_by_role("button", name="Nästa").click()
    expect(citizen.get_by_text("Sida 4 av 7")).to_be_visible()
    _answers(citizen, lakemedel="ja")
    citizen.get_by_role("button", name="Nästa").click()
    citizen.locator("#f-lakemedel-vilka").fill("Enalapril 10 mg")
    _answers(citizen, blodforttunnande="warfarin")
    citizen.get_by_role("button", name="Spara utkast").click()
    expect(citizen.get_by_text("Utkastet är sparat.")).to_be_visible()
    _no_sideways_scroll(citizen)
    citizen.get_by_role("button", name="Nästa").click()
    _answers(citizen, **{"narkos-tidigare": "nej", "narkos-familj": "nej"}, somnapne="nej")
    citizen.get_by_role("button", name="Nästa").click()
    _answers(citizen, diabetes="nej", rokning="slutat")
    citizen.get_by_role("button", name="Nästa").click()
    expect(citizen.get_by_text("Sida 7 av 7")).to_be_visible()
    citizen.get_by_label("Övrigt du vill att vi ska veta").fill("Jag är rädd för nålar.")
    citizen.get_by_role("button", name="Skicka").click()
    expect(citizen.get_by_text("Tack! Formuläret är skickat till mottagningen.")).to_be_visible()
    expect(citizen.get_by_text("Penicillin, utslag")).to_be_visible()
    _shot(citizen, "form-sent")
    assert_accessible(citizen)
    _no_sideways_scroll(citizen)

    staff = browser.new_context(locale="sv-SE", viewport={"width": 1280, "height": 800}).new_page()
    login_at_provider(staff, stack.base_url, "/staff", "eva")
    staff.goto(f"{stack.base_url}/staff/forms?unit={KA}")
    staff.locator('a[href^="/staff/forms/halsodeklaration/follow-up"]').click()
    staff.get_by_role("link", name="Anna Andersson").first.click()
    expect(staff.get_by_text("Penicillin, utslag")).to_be_visible()
    expect(staff.get_by_text("Observera").first).to_be_visible()
    _shot(staff, "form-answer-staff")
    assert_accessible(staff)

    csrf = staff.locator('input[name="csrf_token"]').first.get_attribute("value")
    exported = staff.request.post(staff.url.split("?")[0] + "/pdf", form={"csrf_token": csrf}, max_redirects=0)
    assert exported.status in (302, 303), exported.status
    pdf = staff.request.get(exported.headers["location"])
    assert pdf.ok and pdf.body()[:4] == b"%PDF"
    from pypdf import PdfReader

    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.body())).pages)
    flat = " ".join(text.split())
    assert "Penicillin, utslag" in flat and "Warfarin" in flat
    assert "Observera" in flat and "Utan anmärkning" in flat
    assert "Vilket kön har du?" not in flat  # not medically relevant: not on the declaration's PDF
