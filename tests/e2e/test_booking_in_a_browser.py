"""A citizen books, rebooks and cancels in the browser against the local stack's demo slots; each
step lands a confirmation in the inbox. A nurse books a patient in the staff tool's Tidbok (the day
as a time grid per practitioner and room), opens the week and moves the booking to another day.
axe-core checks every booking page and every Tidbok page."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

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
    page.get_by_role("navigation", name="Dagar").get_by_role("link").nth(2).click()  # Tuesday of this week
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
    # The first visit type's rules (the unit's hold time for earlier-time offers has its own form above).
    rules = page.locator("form").filter(has=page.get_by_label("Ombokning senast (timmar före besöket)")).first
    rules.get_by_label("Ombokning senast (timmar före besöket)").fill("48")
    rules.get_by_role("button", name="Spara").click()
    expect(page.get_by_text("Reglerna är sparade.")).to_be_visible()
    expect(page.get_by_label("Ombokning senast (timmar före besöket)").first).to_have_value("48")


VC = "SE2321000099-VC01"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "out" / "screenshots"


def _weekday_from(day: date, days_ahead: int) -> date:
    """The first weekday at least `days_ahead` days after `day`: the demo has times on weekdays."""
    day += timedelta(days=days_ahead)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _fits_the_width(page) -> None:
    """The page itself never scrolls sideways: a wide grid scrolls inside its own frame."""
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_a_nurse_books_in_the_day_grid_opens_the_week_and_moves_the_booking_to_another_day(stack, browser):
    from chalicelib.domain.clock import stockholm_date, utc_now
    from demo import region_demo

    today = stockholm_date(utc_now())
    day = _weekday_from(today, 2)  # far from the 24-hour change limit whatever the hour
    later = day + timedelta(days=7)  # the same weekday a week on: another day, inside the demo's two weeks
    olle = next(c for c in region_demo.citizens(today) if c.sub == "olle")
    context = browser.new_context(locale="sv-SE", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    login_at_provider(page, stack.base_url, "/staff", "eva")

    # The day: a time grid with a column per practitioner and room
    page.get_by_role("link", name="Tidbok").click()
    page.get_by_label("Enhet").select_option(label="Vårdcentralen Norrby")
    page.get_by_label("Dag", exact=True).fill(day.isoformat())
    page.get_by_role("button", name="Visa").click()
    grid = page.get_by_role("table").first
    for column in ("Tid", "Eva Nilsson", "Nora Ny", "Provtagningsrum 1", "Provtagningsrum 2"):
        expect(grid.get_by_role("columnheader", name=column, exact=True)).to_be_visible()
    expect(grid.get_by_role("rowheader", name="09:30", exact=True)).to_be_visible()
    assert_accessible(page)
    _fits_the_width(page)

    # Eva books Olle at 09:30 with the nurse Eva Nilsson, from the free cell
    grid.get_by_role("link", name="Boka 09:30–10:00 Besök hos sjuksköterska, Eva Nilsson", exact=True).click()
    expect(page.get_by_role("heading", name="Boka tid åt en invånare")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Invånarens personnummer").fill(olle.personnummer)
    page.get_by_role("button", name="Boka tiden").click()
    expect(page.get_by_role("status")).to_have_text("Tiden är bokad. Invånaren har fått en bekräftelse i inkorgen.")
    # The grid shows who is booked (a link to the visit, which logs the read), never a personnummer
    row = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name="09:30", exact=True))
    expect(row.get_by_role("link", name="Olle Lind", exact=True)).to_be_visible()
    assert olle.personnummer[2:8] not in page.content()
    assert_accessible(page)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "tidbok-day-1280.png"), full_page=True)

    # The week: hours × days, free and booked per cell, a link to each day
    page.get_by_role("link", name="Visa veckan").click()
    week = page.get_by_role("table").first
    expect(week.get_by_role("columnheader", name=re.compile(day.isoformat()))).to_be_visible()
    expect(week.get_by_text("1 bokad", exact=True).first).to_be_visible()
    assert_accessible(page)
    _fits_the_width(page)
    page.screenshot(path=str(SCREENSHOTS / "tidbok-week-1280.png"), full_page=True)
    page.get_by_role("link", name="Nästa vecka").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"vecka {(day + timedelta(weeks=1)).isocalendar().week}")
    page.get_by_role("link", name="Föregående vecka").click()
    page.get_by_role("table").first.get_by_role("link", name=re.compile(day.isoformat())).click()

    # Move Olle to the same time a week later: the move page pages week by week
    page.get_by_role("row").filter(has=page.get_by_role("rowheader", name="09:30", exact=True)).get_by_role(
        "link", name=re.compile("^Flytta eller avboka Olle Lind")).click()
    expect(page.get_by_role("heading", name="Flytta eller avboka tiden")).to_be_visible()
    expect(page.locator(".patient-header")).to_contain_text("Olle Lind")
    assert_accessible(page)
    target = page.get_by_role("group", name=re.compile(later.isoformat()))
    for _ in range(3):
        if target.count():
            break
        page.get_by_role("link", name="Nästa vecka").click()
    target.get_by_label(re.compile("^09:30–10:00, Eva Nilsson")).check()
    page.get_by_role("button", name="Flytta till vald tid").click()
    expect(page.get_by_role("status")).to_have_text("Tiden är flyttad. Invånaren har fått besked i inkorgen.")
    expect(page.get_by_label("Dag", exact=True)).to_have_value(later.isoformat())
    row = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name="09:30", exact=True))
    expect(row.get_by_role("link", name="Olle Lind", exact=True)).to_be_visible()
    assert_accessible(page)

    # On a wide screen the same grid uses the width; the old day no longer has Olle
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(f"{stack.base_url}/staff/bookings?unit={VC}&day={day.isoformat()}")
    expect(page.get_by_role("link", name="Olle Lind", exact=True)).to_have_count(0)
    _fits_the_width(page)
    page.screenshot(path=str(SCREENSHOTS / "tidbok-day-1920.png"), full_page=True)
    context.close()
