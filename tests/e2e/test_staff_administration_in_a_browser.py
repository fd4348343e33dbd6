"""The staff tool's administration walked as its users walk it, in a real browser at 1280 px (the case
type editor at 1920 px too): the regional admin's care-system keys (issued with scopes and units, the
secret shown once, last use, rotation with an overlap, revocation) and central case types (a new
version, units, the preview as the citizen sees it); the permission admin's roles for people chosen
from the staff directory, and the unit that keeps its last permission admin; the local admin's own
case types and standard replies; a complaint to Patientnämnden in the board's queue, not the clinic's;
and the auditor's access-log extract as a page and as CSV. Each role's menu shows what it may use;
axe-core checks every page, and no page is wider than the screen."""

from __future__ import annotations

import csv
import io
import re

import requests
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from tests.e2e.test_login_in_a_browser import assert_accessible, login_at_provider

VC, HS = "SE2321000099-VC01", "SE2321000099-HS01"
KEYS = "/staff/integration-keys"
WHEN = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}")


def _person(sub: str):
    from chalicelib.domain.clock import stockholm_date, utc_now
    from demo import region_demo

    return next(c for c in region_demo.citizens(stockholm_date(utc_now())) if c.sub == sub)


def _staff(browser, stack, sub: str, width: int = 1280):
    page = browser.new_context(locale="sv-SE", viewport={"width": width, "height": 900}).new_page()
    login_at_provider(page, stack.base_url, "/staff", sub)
    return page


def _citizen(browser, stack, sub: str):
    page = browser.new_context(locale="sv-SE").new_page()
    login_at_provider(page, stack.base_url, "/", sub)
    return page


def _checked(page) -> None:
    """axe-core finds nothing, the page is no wider than the screen, and the staff tool uses its width."""
    assert_accessible(page)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{page.url} is {overflow} px wider than the screen"
    width = page.evaluate("document.querySelector('main .wrap').getBoundingClientRect().width")
    assert width > 0.9 * page.viewport_size["width"], (page.url, width)


def _menu(page) -> list[str]:
    return [text.strip() for text in page.locator("nav.staff-nav a").all_inner_texts()]


def _citizen_status(stack, key: str) -> int:
    """A care system's call with the key: does this person read the inbox digitally?"""
    response = requests.post(f"{stack.base_url}/integration/v1/citizen-status", timeout=10,
                             json={"personnummer": _person("anna").personnummer},
                             headers={"Authorization": f"Bearer {key}"})  # fmt: skip
    return response.status_code


def _settled_content(page) -> str:
    """The page's HTML once the navigation the browser is making has ended (Back may end on Chromium's
    own error page a moment after Playwright's call returns)."""
    for _ in range(50):
        try:
            page.wait_for_load_state()
            return page.content()
        except PlaywrightError:  # "the page is navigating": ask again in a moment
            page.wait_for_timeout(100)
    return page.content()


def _key_row(page, system: str):
    return page.get_by_role("row").filter(has_text=system)


def test_the_regional_admin_issues_a_key_sees_its_use_rotates_it_with_an_overlap_and_revokes_it(stack, browser):
    rut = _staff(browser, stack, "rut")
    assert _menu(rut) == ["Personalverktyget", "Ärendetyper", "Behörigheter", "Regionens formulär",
                          "Vårdsystemens nycklar", "Statistik", "Mina inställningar"]  # fmt: skip
    _checked(rut)
    # The region's usage statistics: a table, and charts drawn on the server (read only: nothing to undo)
    rut.get_by_role("link", name="Statistik").click()
    expect(rut.get_by_role("heading", level=1)).to_have_text("Användningsstatistik")
    expect(rut.get_by_role("img", name="Bokningar")).to_be_visible()
    _checked(rut)
    rut.get_by_role("link", name="Personalverktyget").click()
    rut.get_by_role("link", name="Vårdsystemens nycklar").click()
    expect(rut.get_by_role("heading", level=1)).to_have_text("Vårdsystemens nycklar")
    _checked(rut)

    # A key for the lab system: messages only, for the health centre only
    rut.get_by_label("Vårdsystem").fill("Labbsystemet Norrby")
    rut.get_by_label("Meddelanden till inkorgen").check()
    rut.get_by_role("group", name="Enheter").get_by_label("Vårdcentralen Norrby").check()
    rut.get_by_role("button", name="Utfärda nyckeln").click()
    expect(rut.get_by_role("heading", level=1)).to_have_text("Nyckeln visas en gång")
    expect(rut.get_by_role("status")).to_contain_text("Kopiera nyckeln till Labbsystemet Norrby nu")
    key = rut.get_by_label("Nyckel", exact=True).input_value()
    key_id, secret = key.split(".", 1)
    _checked(rut)

    # Reloading the page sends the form again: no second key, and the secret is not shown again
    rut.reload()
    expect(rut.get_by_role("status")).to_contain_text("har redan visats en gång och visas inte igen")
    assert secret not in rut.content()
    expect(_key_row(rut, "Labbsystemet Norrby")).to_have_count(1)
    _checked(rut)

    # The key list shows it, never used; the lab system uses it; the list shows when
    rut.goto(stack.base_url + KEYS)
    row = _key_row(rut, "Labbsystemet Norrby")
    expect(row).to_contain_text(key_id)
    expect(row).to_contain_text("Meddelanden till inkorgen")
    expect(row).to_contain_text("Vårdcentralen Norrby")
    expect(row).to_contain_text("Aldrig")
    assert _citizen_status(stack, key) == 200
    rut.reload()
    expect(row).not_to_contain_text("Aldrig")
    expect(row.get_by_role("cell").nth(2)).to_have_text(WHEN)

    # Rotated with a two-hour overlap: the new key works, and so does the old one until then
    row.get_by_label("Gamla hemligheten gäller (timmar)").fill("2")
    row.get_by_role("button", name="Förnya").click()
    expect(rut.get_by_role("heading", level=1)).to_have_text("Nyckeln visas en gång")
    expect(rut.get_by_text("Den gamla hemligheten fungerar till")).to_be_visible()
    new = rut.get_by_label("Nyckel", exact=True).input_value()
    assert new != key and new.startswith(f"{key_id}.")
    _checked(rut)
    assert _citizen_status(stack, new) == 200 and _citizen_status(stack, key) == 200
    # Back to the list, then the browser's Back: the new secret is not shown again, nor rotated again
    # (which would end the old key's overlap at once)
    rut.get_by_role("link", name="Tillbaka till nycklarna").click()
    try:
        rut.go_back()
    except PlaywrightError:
        pass  # Chromium does not post the form again on its own (ERR_CACHE_MISS): its error page shows nothing
    assert new.split(".", 1)[1] not in _settled_content(rut)
    assert _citizen_status(stack, key) == 200 and _citizen_status(stack, new) == 200
    rut.goto(stack.base_url + KEYS)
    expect(_key_row(rut, "Labbsystemet Norrby")).to_contain_text("den gamla gäller till")

    # Revoked, after a question (it cannot be undone): both get 401 at once, and the list says so
    _key_row(rut, "Labbsystemet Norrby").get_by_role("link", name="Återkalla").click()
    expect(rut.get_by_role("heading", name="Återkalla nyckeln för Labbsystemet Norrby?")).to_be_visible()
    _checked(rut)
    assert _citizen_status(stack, new) == 200  # asking changed nothing
    rut.get_by_role("button", name="Ja, återkalla nyckeln").click()
    expect(rut.get_by_role("status")).to_contain_text("Nyckeln är återkallad")
    expect(_key_row(rut, "Labbsystemet Norrby")).to_contain_text("Återkallad")
    _checked(rut)
    assert _citizen_status(stack, new) == 401 and _citizen_status(stack, key) == 401
    assert _citizen_status(stack, stack.integration_key) == 200  # the demo journal system's key is untouched


def test_the_regional_admin_makes_a_new_version_of_a_central_case_type_assigns_it_and_previews_it(stack, browser):
    # A citizen's case sent with the case type as it is today
    karin = _citizen(browser, stack, "karin")
    karin.goto(f"{stack.base_url}/contact/{VC}/bestall-journalkopia")
    karin.get_by_label("Vilken period gäller det?").fill("2024")
    karin.get_by_label("Jag har läst och godkänner villkoren").check()
    karin.get_by_role("button", name="Skicka ärendet").click()
    expect(karin.get_by_text("Ärendet är skickat till mottagningen.")).to_be_visible()
    sent_case = karin.url.split("?")[0]

    rut = _staff(browser, stack, "rut")
    rut.get_by_role("link", name="Ärendetyper").click()
    _checked(rut)
    row = rut.get_by_role("row").filter(has_text="Beställ journalkopia")
    expect(row).to_contain_text("1 fråga")
    row.get_by_role("link", name="Ändra").click()
    expect(rut.get_by_role("heading", level=1)).to_have_text("Ändra Beställ journalkopia")
    _checked(rut)
    first = rut.get_by_role("group", name="Fråga 1")
    first.get_by_label("Hjälptext (visas under frågan)").fill("Till exempel 2023, eller januari–mars 2024.")
    second = rut.get_by_role("group", name="Fråga 2 (ny)")
    second.get_by_label("Frågetext", exact=True).fill("Hur vill du få kopian?")
    second.get_by_label("Typ av svar").select_option(label="Val bland alternativ")
    second.get_by_label("Alternativ, åtskilda med komma (för val)").fill("I inkorgen, Med posten")
    second.get_by_label("Ordning").fill("20")
    rut.get_by_role("button", name="Spara som ny version").click()
    expect(rut.get_by_role("status")).to_contain_text("sparad som en ny version")
    expect(rut.get_by_text("Version 2 · Aktiv")).to_be_visible()
    _checked(rut)

    # Offered by the STI clinic too
    units = rut.get_by_role("group", name="Enheter som erbjuder Beställ journalkopia")
    expect(units.get_by_label("Vårdcentralen Norrby")).to_be_checked()
    units.get_by_label("Hud- och STI-mottagningen").check()
    rut.get_by_role("button", name="Spara", exact=True).click()
    expect(rut.get_by_role("status")).to_contain_text("Enheterna som erbjuder ärendetypen är sparade.")
    expect(rut.get_by_role("group", name="Enheter som erbjuder Beställ journalkopia")
           .get_by_label("Hud- och STI-mottagningen")).to_be_checked()  # fmt: skip

    # The preview: the form as the citizen will see it, the help text under its question
    rut.get_by_role("link", name="Förhandsgranska").click()
    preview = rut.locator("section.preview[lang=sv]")  # as a reader in Swedish sees it (then in English)
    expect(rut.get_by_role("note")).to_contain_text("version 2")
    expect(preview.get_by_label("Vilken period gäller det?")).to_be_visible()
    expect(preview.get_by_text("Till exempel 2023, eller januari–mars 2024.")).to_be_visible()
    expect(preview.get_by_role("radio", name="Med posten")).to_be_visible()
    expect(preview.get_by_role("button")).to_have_count(0)  # nothing can be sent from here
    _checked(rut)

    # The citizen sees exactly that at the STI clinic; the case already sent keeps its version
    karin.goto(f"{stack.base_url}/contact/{HS}")
    karin.get_by_role("link", name="Beställ journalkopia").click()
    expect(karin.get_by_text("Till exempel 2023, eller januari–mars 2024.")).to_be_visible()
    expect(karin.get_by_role("radio", name="Med posten")).to_be_visible()
    karin.goto(sent_case)
    expect(karin.get_by_text("Skickat med ärendetypens version 1")).to_be_visible()
    expect(karin.get_by_text("Hur vill du få kopian?")).to_have_count(0)


def test_the_permission_admin_grants_a_role_from_the_directory_and_the_unit_keeps_its_last_permission_admin(
    stack, browser
):
    johan = _staff(browser, stack, "johan")
    assert _menu(johan) == ["Personalverktyget", "Tidbok", "Kallelser", "Regler för webbokning", "Formulär",
                            "Ärendetyper", "Ärendeinställningar", "Behörigheter", "Statistik", "Åtkomst och skydd",
                            "Mina inställningar"]  # fmt: skip
    johan.get_by_role("link", name="Behörigheter").click()
    expect(johan.get_by_role("heading", level=2, name="Vårdcentralen Norrby")).to_be_visible()
    _checked(johan)

    # Nora is chosen from the staff directory, found by her name as anyone writes it
    johan.get_by_label("Sök i personalkatalogen").fill("Nora Ny")
    johan.get_by_role("button", name="Sök").click()
    found = johan.get_by_role("row").filter(has_text="Nora Ny, Sjuksköterska")
    expect(found).to_contain_text("SE2321000099-P009")
    # He gives what a permission admin may give, not the admin roles
    choices = found.get_by_label("Behörighet").locator("option").all_inner_texts()
    assert choices == ["Ärendemottagare", "Ärendehandläggare", "Granskare"], choices
    _checked(johan)
    found.get_by_label("Behörighet").select_option(label="Ärendehandläggare")
    found.get_by_role("button", name="Ge behörighet").click()
    expect(johan.get_by_role("status")).to_have_text("Behörigheten är given.")
    nora = johan.get_by_role("row").filter(has_text="Nora Ny")
    expect(nora).to_contain_text("Ärendehandläggare")
    _checked(johan)
    nora.get_by_role("button", name="Ta bort").click()
    expect(johan.get_by_role("status")).to_contain_text("Behörigheten är borttagen.")
    expect(johan.get_by_role("row").filter(has_text="Nora Ny")).to_have_count(0)

    # His own admin roles are not his to remove: no button, and a forged post is refused in words
    admin_row = johan.get_by_role("row").filter(has_text="Johan Ström").filter(has_text="Behörighetsadministratör")
    expect(admin_row.get_by_role("button")).to_have_count(0)
    csrf = johan.locator('input[name="csrf_token"]').first.input_value()
    forged = johan.request.post(f"{stack.base_url}/staff/permissions/revoke", form={
        "csrf_token": csrf, "unit": VC, "hsa_id": "SE2321000099-P002", "role": "permission_admin"})  # fmt: skip
    assert forged.status == 403 and "Bara regionens administratör utser" in forged.text()

    # The regional admin may remove admins, but not the health centre's last permission admin
    rut = _staff(browser, stack, "rut")
    rut.goto(f"{stack.base_url}/staff/permissions?unit={VC}")
    _checked(rut)
    rut.get_by_role("row").filter(has_text="Johan Ström").filter(has_text="Behörighetsadministratör") \
        .get_by_role("button", name="Ta bort").click()  # fmt: skip
    expect(rut.get_by_role("alert")).to_have_text(
        "Enheten måste ha minst en behörighetsadministratör. Utse en ny innan du tar bort den här.")
    expect(rut.get_by_role("row").filter(has_text="Johan Ström").filter(has_text="Behörighetsadministratör")) \
        .to_have_count(1)  # fmt: skip
    _checked(rut)


def test_the_local_admin_edits_pauses_and_resumes_a_local_case_type_and_a_standard_reply(stack, browser):
    johan = _staff(browser, stack, "johan")
    johan.get_by_role("link", name="Ärendetyper").click()
    _checked(johan)
    expect(johan.get_by_label("Ärendetypen hör till")).to_have_value(VC)
    johan.get_by_label("Namn", exact=True).fill("Intyg för idrott")
    johan.get_by_label("Beskrivning", exact=True).fill("Be om ett intyg till idrottsföreningen.")
    johan.get_by_label("Villkor", exact=True).fill("Intyget kostar 300 kronor.")
    johan.get_by_role("group", name="Fråga 1 (ny)").get_by_label("Frågetext", exact=True).fill("Vilken idrott?")
    johan.get_by_role("button", name="Spara", exact=True).click()
    expect(johan.get_by_role("heading", level=1)).to_have_text("Ändra Intyg för idrott")

    # A question gets help text; a new one is optional, a date, and asked first
    johan.get_by_role("group", name="Fråga 1").get_by_label("Hjälptext (visas under frågan)") \
        .fill("Till exempel fotboll eller simning.")  # fmt: skip
    second = johan.get_by_role("group", name="Fråga 2 (ny)")
    second.get_by_label("Frågetext", exact=True).fill("När behöver du intyget?")
    second.get_by_label("Typ av svar").select_option(label="Datum")
    second.get_by_label("Ordning").fill("5")
    second.get_by_label("Invånaren måste svara").uncheck()
    johan.get_by_role("button", name="Spara som ny version").click()
    expect(johan.get_by_text("Version 2 · Aktiv")).to_be_visible()
    _checked(johan)
    johan.get_by_role("link", name="Förhandsgranska").click()
    preview = johan.locator("section.preview[lang=sv]")
    labels = preview.locator("label[for^=q-]").all_inner_texts()
    assert labels == ["När behöver du intyget? (frivilligt) (ÅÅÅÅ-MM-DD)", "Vilken idrott?"], labels
    expect(preview.get_by_text("Till exempel fotboll eller simning.")).to_be_visible()
    _checked(johan)

    # Paused, citizens do not see it; resumed, they do
    olle = _citizen(browser, stack, "olle")
    johan.goto(stack.base_url + "/staff/case-types")
    johan.get_by_role("row").filter(has_text="Intyg för idrott").get_by_role("button", name="Pausa").click()
    expect(johan.get_by_role("status")).to_have_text("Ärendetypen är pausad och visas inte för invånarna.")
    expect(johan.get_by_role("row").filter(has_text="Intyg för idrott")).to_contain_text("Pausad")
    _checked(johan)
    olle.goto(f"{stack.base_url}/contact/{VC}")
    expect(olle.get_by_role("link", name="Förnya recept")).to_be_visible()
    expect(olle.get_by_role("link", name="Intyg för idrott")).to_have_count(0)
    johan.get_by_role("row").filter(has_text="Intyg för idrott").get_by_role("button", name="Återuppta").click()
    expect(johan.get_by_role("status")).to_have_text("Ärendetypen visas för invånarna igen.")
    olle.reload()
    olle.get_by_role("link", name="Intyg för idrott").click()
    expect(olle.get_by_text("Till exempel fotboll eller simning.")).to_be_visible()

    # A standard reply: added, edited, paused and resumed
    johan.get_by_role("link", name="Ärendeinställningar").click()
    _checked(johan)
    johan.get_by_label("Rubrik", exact=True).fill("Receptet är förnyat")
    johan.get_by_label("Meddelande", exact=True).fill("Hej! Receptet är förnyat.")
    johan.get_by_role("button", name="Lägg till standardsvar").click()
    expect(johan.get_by_role("status")).to_have_text("Standardsvaret är sparat.")
    reply = johan.locator("section.card").filter(has_text="Receptet är förnyat")
    reply.locator("summary").click()
    reply.get_by_label("Meddelande", exact=True).fill("Hej! Receptet är förnyat. Hämta ut det på valfritt apotek.")
    _checked(johan)
    reply.get_by_role("button", name="Spara").click()
    reply = johan.locator("section.card").filter(has_text="Receptet är förnyat")
    expect(reply).to_contain_text("Hämta ut det på valfritt apotek.")
    reply.get_by_role("button", name="Pausa").click()
    expect(johan.get_by_role("status")).to_have_text("Standardsvaret är pausat och visas inte för handläggarna.")
    expect(johan.get_by_role("heading", name="Receptet är förnyat (Pausad)")).to_be_visible()
    _checked(johan)
    reply = johan.locator("section.card").filter(has_text="Receptet är förnyat")
    reply.get_by_role("button", name="Återuppta").click()
    expect(johan.get_by_role("status")).to_have_text("Standardsvaret används igen.")
    expect(johan.get_by_role("heading", name="Receptet är förnyat", exact=True)).to_be_visible()


def test_the_case_type_editor_uses_a_wide_screen(stack, browser):
    rut = _staff(browser, stack, "rut", width=1920)
    rut.goto(f"{stack.base_url}/staff/case-types/edit?owner=central&id=egenremiss")
    _checked(rut)
    question = rut.get_by_role("group", name="Fråga 1")
    text = question.get_by_label("Frågetext", exact=True).bounding_box()
    required = question.get_by_label("Invånaren måste svara").bounding_box()
    assert abs(required["y"] - text["y"]) < 40, "a question's fields stand in one row"
    rut.set_viewport_size({"width": 1280, "height": 900})
    _checked(rut)
    text = question.get_by_label("Frågetext", exact=True).bounding_box()
    kind = question.get_by_label("Typ av svar").bounding_box()
    assert abs(kind["y"] - text["y"]) < 40 and kind["x"] > text["x"] + text["width"]


def test_a_complaint_to_patientnamnden_reaches_its_queue_and_the_auditor_sees_who_read_it(stack, browser):
    karin = _person("karin")
    citizen = _citizen(browser, stack, "karin")
    citizen.goto(f"{stack.base_url}/contact/{VC}")
    citizen.get_by_role("link", name="Lämna synpunkter och klagomål").click()
    expect(citizen.get_by_text("eller av regionens patientnämnd om du väljer den")).to_be_visible()
    citizen.get_by_label("patientnämnden").check()
    citizen.get_by_label("Dina synpunkter").fill("Jag fick vänta två timmar i väntrummet utan besked.")
    citizen.get_by_label("Jag har läst och godkänner villkoren").check()
    citizen.get_by_role("button", name="Skicka ärendet").click()
    expect(citizen.get_by_role("status")).to_have_text("Ärendet är skickat till patientnämnden.")
    expect(citizen.get_by_text("Gäller Vårdcentralen Norrby")).to_be_visible()
    assert_accessible(citizen)

    # Patientnämnden's handler has it in the board's queue, with the clinic it is about
    petra = _staff(browser, stack, "petra")
    assert "Ärenden" in _menu(petra) and "Vårdsystemens nycklar" not in _menu(petra)
    petra.get_by_role("link", name="Ärenden", exact=True).click()
    row = petra.get_by_role("row").filter(has_text="Karin Lind").filter(has_text="Lämna synpunkter och klagomål")
    expect(row).to_contain_text("Gäller Vårdcentralen Norrby")
    _checked(petra)
    row.get_by_role("link", name="Karin Lind").click()
    expect(petra.get_by_text("Jag fick vänta två timmar i väntrummet utan besked.")).to_be_visible()
    _checked(petra)

    # The clinic's queue does not have it
    eva = _staff(browser, stack, "eva")
    eva.get_by_role("link", name="Ärenden", exact=True).click()
    eva.get_by_label("Enhet").select_option(label="Vårdcentralen Norrby")
    eva.get_by_role("button", name="Visa").click()
    expect(eva.get_by_role("link", name="Nya")).to_have_attribute("aria-current", "page")
    expect(eva.get_by_role("row").filter(has_text="Lämna synpunkter och klagomål")
           .filter(has_text="Karin Lind")).to_have_count(0)  # fmt: skip

    # The region's auditor pulls Karin's access-log extract: Petra's read is in it, as a page and as CSV
    alva = _staff(browser, stack, "alva")
    assert _menu(alva) == ["Personalverktyget", "Loggutdrag", "Mina inställningar"]
    alva.get_by_role("link", name="Loggutdrag").click()
    _checked(alva)
    pnr = f"{karin.personnummer[:8]}-{karin.personnummer[8:]}"
    alva.get_by_label("Patientens personnummer").fill(pnr)
    alva.get_by_role("button", name="Visa loggutdrag").click()
    expect(alva.get_by_role("heading", level=2)).to_have_text(f"Loggutdrag för Karin Lind, {pnr}")
    read = alva.get_by_role("row").filter(has_text="Petra Sund").first
    expect(read).to_contain_text("SE2321000099-P007")
    expect(read).to_contain_text("Patientnämnden, Region Demo")
    expect(read).to_contain_text("Ett ärende")
    expect(read.get_by_role("cell").first).to_have_text(WHEN)
    _checked(alva)
    assert karin.personnummer not in alva.url and pnr not in alva.url
    with alva.expect_download() as download:
        alva.locator("section.patient").get_by_role("button", name="Ladda ner som CSV").click()
    assert download.value.suggested_filename == "loggutdrag.csv"
    with open(download.value.path(), encoding="utf-8-sig") as file:
        rows = list(csv.reader(io.StringIO(file.read()), delimiter=";"))
    assert rows[0] == ["Tid", "Vem", "HSA-id", "Enhet", "Enhetens HSA-id", "Vad", "Id"]
    petra_reads = [r for r in rows[1:] if r[1] == "Petra Sund"]
    assert petra_reads and petra_reads[0][2:6] == ["SE2321000099-P007", "Patientnämnden, Region Demo",
                                                   "SE2321000099-PN01", "Ett ärende"]  # fmt: skip
    assert all(len(r[0]) == 19 and r[0][4] == "-" for r in rows[1:])  # when: ÅÅÅÅ-MM-DD hh:mm:ss
    # The pulls themselves are in the extract (page, then CSV), as they are in Karin's own access log
    assert [r[6] for r in rows[1:] if r[1] == "Alva Granqvist"][:2] == ["csv", "page"]
