"""The region auditor's access-log extract: who read a patient's data, at which unit, what and when,
at least twelve months back, as a page and as CSV; the personnummer travels only in a POST body; the
extract itself lands in the patient's access log; anyone who is not the auditor gets 403."""

from __future__ import annotations

import re
from datetime import timedelta

from chalicelib.adapters.access_log import AccessEntry
from chalicelib.bootstrap import ports
from chalicelib.domain import clock
from chalicelib.domain.personnummer import parse

VC = "SE2321000099-VC01"


def _login(region, sub: str, audience: str = "staff"):
    browser = region.browser()
    browser.login(sub, audience)
    return browser


def _citizen_id(region, sub: str) -> str:
    return ports().identities.find(parse(region.people[sub].personnummer, region.today))


def _read_by(name: str, hsa_id: str, at, what: str = "case") -> AccessEntry:
    return AccessEntry(hsa_id, name, VC, "Vårdcentralen Norrby", what, "x-1", at)


def _post(browser, path: str, fields: dict[str, str]):
    return browser.post_form(path, {"csrf_token": browser.csrf_token("/api/v1/staff/me"), **fields})


def test_the_auditor_pulls_a_patients_extract_as_a_page_and_as_csv_and_the_pull_is_logged(region):
    # Given reads of Anna's data by staff: one today, one eleven months ago, one fourteen months ago
    anna = _citizen_id(region, "anna")
    now = clock.utc_now()
    ports().access_log.record(anna, _read_by("Eva Nilsson", "SE2321000099-P001", now - timedelta(hours=1)))
    ports().access_log.record(anna, _read_by("Gammal Läsare", "SE2321000099-P011", now - timedelta(days=335),
                                             "inbox_message"))  # fmt: skip
    ports().access_log.record(anna, _read_by("Mycket Gammal", "SE2321000099-P012", now - timedelta(days=430)))
    alva = _login(region, "alva")
    pnr = region.people["anna"].personnummer
    # When the auditor asks for Anna's extract
    assert "Loggutdrag för en patient" in alva.page("/staff/audit")
    shown = _post(alva, "/staff/audit", {"personnummer": pnr})
    # Then the page names Anna and lists who, unit, what and when for at least twelve months
    page = shown.body.decode()
    assert shown.status_code == 200 and "Anna Andersson" in page
    assert f"Anna Andersson, {pnr[:8]}-{pnr[8:]}" in page  # twelve digits, as the form asks and the staff tool shows
    assert "Eva Nilsson" in page and "SE2321000099-P001" in page and "Vårdcentralen Norrby" in page
    assert "Ett ärende" in page and "Gammal Läsare" in page and "Ett meddelande i inkorgen" in page
    assert "Mycket Gammal" not in page
    # And as CSV, with the same rows
    download = _post(alva, "/staff/audit/csv", {"personnummer": pnr})
    assert download.status_code == 200 and download.headers["Content-Type"].startswith("text/csv")
    assert download.headers["Content-Disposition"] == 'attachment; filename="loggutdrag.csv"'
    rows = download.body.decode("utf-8-sig").splitlines()
    assert rows[0] == "Tid;Vem;HSA-id;Enhet;Enhetens HSA-id;Vad;Id"
    assert any("Eva Nilsson;SE2321000099-P001;Vårdcentralen Norrby;SE2321000099-VC01;Ett ärende" in r for r in rows)
    assert any("Gammal Läsare" in r for r in rows) and not any("Mycket Gammal" in r for r in rows)
    # And each pull is in Anna's own access log, where she can see it
    pulls = [e for e in ports().access_log.of_citizen(anna) if e.what == "access_log_extract"]
    assert [(e.staff_hsa_id, e.item_id) for e in pulls] == [("SE2321000099-P006", "csv"), ("SE2321000099-P006", "page")]
    citizen = _login(region, "anna", "citizen")
    assert "Alva Granqvist" in citizen.page("/access-log") and "Ett loggutdrag" in citizen.page("/access-log")


def test_the_extract_pages_with_a_cursor_posted_back(region):
    anna = _citizen_id(region, "anna")
    now = clock.utc_now()
    for n in range(105):
        ports().access_log.record(anna, _read_by(f"Läsare {n:03d}", "SE2321000099-P001", now - timedelta(minutes=n + 1)))
    alva = _login(region, "alva")
    first = _post(alva, "/staff/audit", {"personnummer": region.people["anna"].personnummer}).body.decode()
    cursor = re.search(r'name="cursor" value="([^"]+)"', first).group(1)
    assert "Läsare 000" in first and "Läsare 104" not in first
    second = _post(alva, "/staff/audit", {"personnummer": region.people["anna"].personnummer, "cursor": cursor})
    assert "Läsare 104" in second.body.decode() and 'name="cursor"' not in second.body.decode()
    # A cursor cannot be turned on another patient's log
    other = _post(alva, "/staff/audit", {"personnummer": region.people["karin"].personnummer, "cursor": cursor})
    assert other.status_code == 400


def test_a_protected_patient_is_shown_without_name_and_a_bad_number_beside_the_field(region):
    alva = _login(region, "alva")
    maja = region.people["maja"]
    ports().access_log.record(_citizen_id(region, "maja") or ports().identities.find_or_create(
        parse(maja.personnummer, region.today)), _read_by("Eva Nilsson", "SE2321000099-P001", clock.utc_now()))
    page = _post(alva, "/staff/audit", {"personnummer": maja.personnummer}).body.decode()
    assert "Skyddad identitet" in page and "Maja" not in page and "Eva Nilsson" in page
    bad = _post(alva, "/staff/audit", {"personnummer": "19850412-0000"})
    assert bad.status_code == 400 and 'id="personnummer-error"' in bad.body.decode()
    assert "19850412-0000" not in bad.body.decode()


def test_no_one_but_the_auditor_may_pull_an_extract(region):
    anna = _citizen_id(region, "anna")
    before = len(ports().access_log.of_citizen(anna))
    for sub in ("eva", "johan", "rut", "petra"):
        staff = _login(region, sub)
        assert staff.get("/staff/audit").status_code == 403
        for path in ("/staff/audit", "/staff/audit/csv"):
            refused = _post(staff, path, {"personnummer": region.people["anna"].personnummer})
            assert refused.status_code == 403 and "Anna" not in refused.body.decode()
    assert len(ports().access_log.of_citizen(anna)) == before
