"""1177 Journalen as the citizen reads it: from the region's care systems (the demo's FHIR R4
sources, real HTTP servers), at each view, with the age rules, what the region leaves out, and a
source that does not answer."""

from __future__ import annotations

import base64
from datetime import date, datetime, time, timedelta

import pytest

from chalicelib.adapters.stores import sha256_hex
from chalicelib.adapters.tables import SessionRecord
from chalicelib.domain import clock
from chalicelib.domain.personnummer import with_check_digit
from local.care_system_fhir import HSA_ID_SYSTEM

VC01 = "SE2321000099-VC01"


def note(title: str, when: datetime, unit: str = VC01, text: str = "Anteckningens text.") -> dict:
    return {
        "resourceType": "DocumentReference", "status": "current", "date": when.isoformat(), "description": title,
        "type": {"text": "Journalanteckning"},
        "custodian": {"identifier": {"system": HSA_ID_SYSTEM, "value": unit}, "display": "Vårdcentralen Norrby"},
        "content": [{"attachment": {"contentType": "text/plain; charset=utf-8",
                                    "data": base64.b64encode(text.encode()).decode()}}],
    }  # fmt: skip


def add_person(region, given: str, born: date, serial: str, *, guardians: tuple[str, ...] = ()) -> str:
    pnr = with_check_digit(born, serial)
    body = {"personnummer": pnr, "given_name": given, "family_name": "Test",
            "guardians": [region.people[g].personnummer for g in guardians]}  # fmt: skip
    response = region.integration("POST", "/integration/v1/population-register/persons", body,
                                  idempotency_key=f"journal-person-{serial}-{born.isoformat()}")  # fmt: skip
    assert response.status_code == 200, response.body
    return pnr


def act_for(browser, given_name: str) -> None:
    me = browser.get("/api/v1/me").json_body
    child = next(c["child_id"] for c in me["can_act_for"] if c["given_name"] == given_name)
    assert browser.post_form("/act-for", {"person": child, "csrf_token": browser.csrf_token()}).status_code == 303


def test_an_adult_reads_her_notes_newest_first_without_what_the_region_leaves_out(region):
    browser = region.browser()
    browser.login("anna")
    page = browser.page("/journal")
    shown = [t for t in ("Återbesök, förmaksflimmer", "Vaccination, influensa", "Nybesök, hjärtklappning",
                         "Besök, ryggvärk") if t in page]  # fmt: skip
    assert shown == ["Återbesök, förmaksflimmer", "Vaccination, influensa", "Nybesök, hjärtklappning",
                     "Besök, ryggvärk"]  # fmt: skip
    assert page.index("Vaccination, influensa") < page.index("Återbesök, förmaksflimmer")  # newest first
    assert "Besök, halsont" not in page  # written 2014, before the region's start date
    assert "Inskrivning mödravården" not in page  # a unit the region leaves out
    assert "Telefonsamtal" not in page  # the source marks it hidden from the patient
    assert "Kardiologmottagningen" in page and "Vårdcentralen Norrby" in page


def test_each_category_is_read_from_the_source_that_holds_it(region):
    browser = region.browser()
    browser.login("anna")
    lab = browser.page("/journal?category=lab")
    assert "P-NT-proBNP" in lab and "Utanför referensintervallet" in lab
    assert "Förmaksflimmer och förmaksfladder" in browser.page("/journal?category=diagnoses")
    assert "Vaccin mot säsongsinfluensa" in browser.page("/journal?category=vaccinations")
    assert "Apixaban 5 mg tablett" in browser.page("/journal?category=medicines")
    assert browser.get("/journal?category=recept").status_code == 400


def test_the_unit_filter_shows_one_units_notes(region):
    browser = region.browser()
    browser.login("anna")
    page = browser.page("/journal?category=notes&unit=SE2321000099-KA01")
    assert "Nybesök, hjärtklappning" in page and "Besök, ryggvärk" not in page


def test_a_source_that_does_not_answer_is_named_and_the_rest_shown(region, care_systems):
    browser = region.browser()
    browser.login("anna")
    care_systems["lab"].fail_with(503)
    try:
        lab = browser.page("/journal?category=lab")
        notes = browser.page("/journal")
        api = browser.get("/api/v1/journal?category=lab").json_body
    finally:
        care_systems["lab"].fail_with(None)
    assert "Journalen kunde inte hämtas från Labbsystemet, Region Demo just nu" in lab
    assert "Labbsystemet" not in notes and "Återbesök, förmaksflimmer" in notes  # notes are the other source's
    assert api["failed_sources"] == ["Labbsystemet, Region Demo"] and api["entries"] == []


def test_a_page_asks_each_source_once_per_resource_type_by_post(region, care_systems):
    browser = region.browser()
    browser.login("anna")
    cosmic = care_systems["cosmic"]
    cosmic.clear_requests()
    browser.page("/journal")
    searches = [r for r in cosmic.requests if r[2] == "DocumentReference"]
    assert len(searches) == 1  # one request per resource type to a source per page
    assert all(r[0] == "POST" and r[1].endswith("/DocumentReference/_search") for r in searches)  # no pnr in a URL


def test_a_guardian_reads_her_9_year_olds_journal_but_not_her_14_year_olds(region):
    karin = region.browser()
    karin.login("karin")
    act_for(karin, "Elsa")
    page = karin.page("/journal")
    assert "Journalen" in page and "Besök, öronvärk" in page
    olle = region.browser()
    olle.login("olle")
    page = olle.page("/journal")
    assert "Du kan läsa din journal här från den dag du fyller 16 år." in page
    assert "Besök, stukad fotled" not in page


def test_a_guardian_cannot_open_a_protected_childs_or_a_strangers_journal(region):
    karin = region.browser()
    karin.login("karin")
    sigge = region.people["sigge"]
    from chalicelib.bootstrap import ports
    from chalicelib.domain.personnummer import parse

    sigge_id = ports().identities.find(parse(sigge.personnummer, region.today))
    anna_id = ports().identities.find(parse(region.people["anna"].personnummer, region.today))
    for child in (sigge_id, anna_id):
        response = karin.get(f"/journal?child={child}")
        assert response.status_code == 403
        assert "Femårsbesök" not in response.body.decode()


def test_someone_turning_16_reads_their_journal_from_midnight_stockholm_time(region, care_systems, monkeypatch):
    tomorrow = region.today + timedelta(days=1)
    if (tomorrow.month, tomorrow.day) == (2, 29):
        pytest.skip("a 16th birthday on 29 February is unit-tested")
    born = tomorrow.replace(year=tomorrow.year - 16)
    pnr = add_person(region, "Siri", born, "323")
    care_systems["cosmic"].add(pnr, [note("Besök, skolhälsovården", datetime(2024, 3, 1, 10, tzinfo=clock.STOCKHOLM))])
    browser = region.browser()
    browser.login("turning-16")
    token = browser.cookies["sid"]

    def at(moment: datetime) -> None:
        monkeypatch.setattr(clock, "utc_now", lambda: moment)
        SessionRecord.get(sha256_hex(token)).update(actions=[
            SessionRecord.last_seen_at.set(moment - timedelta(minutes=1)),
            SessionRecord.expires_at.set(moment + timedelta(hours=1))])  # fmt: skip

    midnight = datetime.combine(tomorrow, time(0, 0), tzinfo=clock.STOCKHOLM)
    at(midnight - timedelta(seconds=1))
    assert "Besök, skolhälsovården" not in browser.page("/journal")
    at(midnight)
    assert "Besök, skolhälsovården" in browser.page("/journal")


def test_a_coordination_number_holder_reads_the_journal_where_the_region_allows_it(region):
    browser = region.browser()
    browser.login("ali")
    assert "Besök, hälsoundersökning" in browser.page("/journal")


def test_someone_not_in_the_register_is_told_so_and_no_source_is_asked(region, care_systems):
    care_systems["cosmic"].clear_requests()
    browser = region.browser()
    browser.login("newcomer")
    assert "Vi hittar inte dina uppgifter i regionens register" in browser.page("/journal")
    assert not [r for r in care_systems["cosmic"].requests if r[2] == "DocumentReference"]


def test_the_journal_pages_newest_first_and_each_note_once(region, care_systems):
    pnr = add_person(region, "Många", date(1960, 1, 2), "334")
    start = datetime(2024, 1, 1, 9, tzinfo=clock.STOCKHOLM)
    # 45 notes, three at the same minute each time: the page's boundary falls inside such a group
    notes = [note(f"Anteckning nummer {i:02d}", start + timedelta(days=i // 3)) for i in range(45)]
    care_systems["cosmic"].add(pnr, notes)
    from chalicelib.bootstrap import ports
    from chalicelib.domain.personnummer import parse
    from chalicelib.services import journal
    from chalicelib.services.principals import CitizenPrincipal

    citizen_id = ports().identities.find(parse(pnr, region.today))
    principal = CitizenPrincipal(citizen_id, "Många Test", None, None, "csrf")
    seen, cursor, pages = [], None, 0
    while True:
        page = journal.page(ports(), principal, journal.category_of("notes"), clock.utc_now(), cursor=cursor)
        pages += 1
        seen += [e.title for e in page.entries]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert sorted(seen) == sorted(f"Anteckning nummer {i:02d}" for i in range(45))
    assert len(seen) == len(set(seen)) and pages == 3


def test_the_care_log_shows_the_last_twelve_months_and_our_own_log_beside_it(region):
    browser = region.browser()
    browser.login("anna")
    page = browser.page("/journal/log")
    assert "I vårdens journalsystem" in page and "I e-tjänsterna" in page
    api = browser.get("/api/v1/journal/care-log").json_body
    assert len(api["accesses"]) == 4  # the fifth is 500 days old
    assert all(a["who"] and a["unit_name"] for a in api["accesses"])


def test_the_journal_in_the_json_api_is_the_pages_journal(region):
    browser = region.browser()
    browser.login("anna")
    api = browser.get("/api/v1/journal").json_body
    assert api["access"] == {"allowed": True, "denied": None, "only_units": None}
    titles = [e["title"] for e in api["entries"]]
    assert titles[0] == "Vaccination, influensa" and "Telefonsamtal" not in titles
    assert {u["hsa_id"] for u in api["units"]} == {VC01, "SE2321000099-KA01"}


# -- with the protections care and the citizen put in place (seed 002) --

def johan():
    """The demo's verksamhetschef: journal admin at Vårdcentralen Norrby."""
    from chalicelib.domain.roles import RoleAtUnit, StaffRole
    from chalicelib.services.principals import StaffPrincipal

    return StaffPrincipal("SE2321000099-P002", "Johan Ström", (RoleAtUnit(VC01, StaffRole.JOURNAL_ADMIN),), "x")


def citizen_id(region, sub: str) -> str:
    from chalicelib.bootstrap import ports
    from chalicelib.domain.personnummer import parse

    return ports().identities.find(parse(region.people[sub].personnummer, region.today))


def test_a_citizen_seals_her_journal_then_lifts_it_herself(region):
    anna = region.browser()
    anna.login("anna")
    assert "Försegla min journal" in anna.page("/journal/seal")
    assert anna.post_form("/journal/seal", {"csrf_token": anna.csrf_token()}).status_code == 303
    page = anna.page("/journal")
    assert "Du har förseglat din journal" in page and "Återbesök, förmaksflimmer" not in page
    assert anna.get("/api/v1/journal").json_body["access"]["denied"] == "sealed"
    assert "Inkorg" in anna.page("/")  # the other e-services stay as they were
    assert anna.post_form("/journal/unseal", {"csrf_token": anna.csrf_token()}).status_code == 303
    assert "Återbesök, förmaksflimmer" in anna.page("/journal")


def test_a_seal_care_put_on_her_request_only_care_lifts(region):
    from chalicelib.bootstrap import ports
    from chalicelib.services import protections

    protections.seal(ports(), johan(), citizen_id(region, "anna"), VC01, "På patientens begäran", clock.utc_now())
    anna = region.browser()
    anna.login("anna")
    assert "behöver du kontakta en vårdenhet" in anna.page("/journal/seal")
    response = anna.post_form("/journal/unseal", {"csrf_token": anna.csrf_token()})
    assert response.status_code == 403
    assert "Återbesök, förmaksflimmer" not in anna.page("/journal")


def test_a_guardian_sees_nothing_of_a_sealed_childs_journal(region):
    from chalicelib.bootstrap import ports
    from chalicelib.services import protections

    protections.seal(ports(), johan(), citizen_id(region, "elsa"), VC01, "Barnet riskerar att fara illa", clock.utc_now())
    karin = region.browser()
    karin.login("karin")
    act_for(karin, "Elsa")
    page = karin.page("/journal")
    assert "Du kan inte läsa journalen för det här barnet här" in page and "Besök, öronvärk" not in page
    assert "förseglad" not in page  # the guardian is not told why


def test_a_unit_care_hides_is_gone_from_the_journal(region):
    from chalicelib.bootstrap import ports
    from chalicelib.services import protections

    principal = johan()
    protections.hide_unit(ports(), principal, citizen_id(region, "anna"), VC01, "Menprövning", clock.utc_now())
    anna = region.browser()
    anna.login("anna")
    page = anna.page("/journal")
    assert "Besök, ryggvärk" not in page  # Vårdcentralen Norrby's
    assert "Återbesök, förmaksflimmer" in page  # Kardiologmottagningen's stays


def test_a_blocked_guardian_loses_the_childs_journal_at_once_the_other_guardian_keeps_it(region):
    from chalicelib.bootstrap import ports
    from chalicelib.services import protections

    karin = region.browser()
    karin.login("karin")
    act_for(karin, "Elsa")
    assert "Besök, öronvärk" in karin.page("/journal")
    protections.block_guardian(ports(), johan(), citizen_id(region, "elsa"), VC01, citizen_id(region, "karin"),
                               "Beslut enligt LVU", clock.utc_now())  # fmt: skip
    page = karin.page("/journal")  # the same session, the next request
    assert "Besök, öronvärk" not in page
    assert "Du företräder Elsa" not in page
    assert karin.get(f"/journal?child={citizen_id(region, 'elsa')}").status_code == 403


def test_extended_access_lets_the_guardian_read_one_units_journal_of_her_14_year_old(region):
    from chalicelib.bootstrap import ports
    from chalicelib.services import protections

    olle = citizen_id(region, "olle")
    karin = region.browser()
    karin.login("karin")
    assert "Journalen för Olle" not in karin.page("/journal")
    protections.extend(ports(), johan(), olle, VC01, "guardian", "I samråd med barn och vårdnadshavare",
                       clock.utc_now())  # fmt: skip
    assert "Journalen för Olle" in karin.page("/journal")
    page = karin.page(f"/journal?child={olle}")
    assert "Besök, stukad fotled" in page  # Vårdcentralen Norrby's
    assert "Besök, hudmottagningen" not in page  # Hud- och STI-mottagningen: no extension there
    # Olle himself still reads nothing until he is 16, or care gives him early access
    own = region.browser()
    own.login("olle")
    assert "Besök, stukad fotled" not in own.page("/journal")
    protections.extend(ports(), johan(), olle, VC01, "child", "Tidigarelagd åtkomst", clock.utc_now())
    page = own.page("/journal")
    assert "Besök, stukad fotled" in page and "Besök, hudmottagningen" not in page


def test_a_source_slower_than_its_time_is_named_and_the_page_does_not_wait_for_it(region, care_systems):
    import dataclasses
    import time as wall

    from chalicelib.bootstrap import ports

    settings = ports().settings
    quick = tuple(dataclasses.replace(s, timeout_seconds=0.3) for s in settings.journal_sources)
    ports().settings = dataclasses.replace(settings, journal_sources=quick)
    browser = region.browser()
    browser.login("anna")
    care_systems["cosmic"].delay(2.0)
    try:
        started = wall.perf_counter()
        page = browser.page("/journal")
        took = wall.perf_counter() - started
    finally:
        care_systems["cosmic"].delay(0)
    assert "Journalen kunde inte hämtas från Cosmic, Region Demo just nu" in page
    assert took < 1.5
