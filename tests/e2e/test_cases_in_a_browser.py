"""A citizen sends a prescription renewal; staff ask a counter-question, the citizen replies, staff
answer and close it. axe-core checks each page on both sides."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.conftest import open_from_inbox
from tests.e2e.test_login_in_a_browser import assert_accessible, login_at_provider


def test_a_renewal_with_a_counter_question_a_reply_and_an_answer(stack, browser):
    citizen = browser.new_context(locale="sv-SE").new_page()
    login_at_provider(citizen, stack.base_url, "/", "olle")  # a citizen no other browser test uses
    citizen.get_by_role("link", name="Ärenden", exact=True).click()
    citizen.get_by_role("link", name="Skriv ett nytt ärende").click()
    citizen.get_by_label("Sök på mottagningens namn eller kommun").fill("Norrby")
    citizen.get_by_role("button", name="Sök").click()
    citizen.get_by_role("link", name="Vårdcentralen Norrby").click()
    assert_accessible(citizen)
    citizen.get_by_role("link", name="Förnya recept").click()
    citizen.get_by_role("button", name="Skicka ärendet").click()
    expect(citizen.get_by_text("Rätta de markerade fälten.")).to_be_visible()
    assert_accessible(citizen)
    citizen.get_by_label("Läkemedlets namn").fill("Levaxin")
    citizen.get_by_label("Styrka, till exempel 50 mg").fill("50 mikrogram")
    citizen.get_by_label("tablett").check()
    citizen.get_by_label("Jag har läst och godkänner villkoren").check()
    citizen.get_by_role("button", name="Skicka ärendet").click()
    expect(citizen.get_by_text("Ärendet är skickat till mottagningen.")).to_be_visible()
    case_url = citizen.url.split("?")[0]

    staff = browser.new_context(locale="sv-SE").new_page()
    login_at_provider(staff, stack.base_url, "/staff", "eva")
    staff.get_by_role("link", name="Ärenden", exact=True).click()
    staff.get_by_label("Enhet").select_option(label="Vårdcentralen Norrby")
    staff.get_by_role("button", name="Visa").click()
    assert_accessible(staff)
    staff.get_by_role("row").filter(has_text="Förnya recept").get_by_role("link").first.click()
    staff.get_by_role("button", name="Ta ärendet").click()
    staff.get_by_label("Motfråga").check()
    staff.get_by_label("Meddelande").fill("Hur många tabletter har du kvar?")
    assert_accessible(staff)
    staff.get_by_role("button", name="Förhandsgranska").click()
    staff.get_by_role("button", name="Skicka svaret").click()
    expect(staff.locator(".case-facts")).to_contain_text("Väntar på invånaren")  # staff wording on staff pages

    # The counter-question reaches the inbox from the case's event, in the case's own thread.
    open_from_inbox(citizen, stack.base_url, "Fråga från mottagningen")
    expect(citizen.get_by_role("heading", level=1)).to_have_text("Ärende: Förnya recept")
    assert_accessible(citizen)
    citizen.get_by_role("link", name="Läs och svara").click()
    assert citizen.url.split("?")[0] == case_url
    expect(citizen.get_by_text("Hur många tabletter har du kvar?")).to_be_visible()
    citizen.get_by_label("Ditt svar").fill("Tio stycken.")
    citizen.get_by_role("button", name="Skicka svar").click()
    expect(citizen.get_by_text("Ditt svar är skickat.")).to_be_visible()
    assert_accessible(citizen)

    staff.reload()
    expect(staff.get_by_text("Tio stycken.")).to_be_visible()
    staff.get_by_label("Svar (avslutar ärendet)").check()
    staff.get_by_label("Meddelande").fill("Receptet är förnyat.")
    staff.get_by_role("button", name="Förhandsgranska").click()
    staff.get_by_role("button", name="Skicka svaret").click()
    expect(staff.locator(".case-facts")).to_contain_text("Avslutat")

    citizen.reload()
    expect(citizen.get_by_text("Receptet är förnyat.")).to_be_visible()
    expect(citizen.get_by_text("Avslutat")).to_be_visible()
    open_from_inbox(citizen, stack.base_url, "Svar på ditt ärende")
    expect(citizen.locator("article.message")).to_have_count(2)  # the question and the answer, one thread
