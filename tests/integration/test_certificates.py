"""Mina intyg (issue 21): certificates read from the region's care systems (the demo's FHIR R4 source,
a real HTTP server) at each view; read, downloaded as a PDF, hidden and shown again (each an event),
and sent on to the demo receiver (a real HTTP server) by the follow-up of `certificate.sent`, once
per send even when the event comes twice or the receiver was down."""

from __future__ import annotations

import json
import re
import urllib.parse
from datetime import timedelta

import pytest

from chalicelib.adapters.tables import EventRecord
from chalicelib.bootstrap import ports
from chalicelib.domain import clock
from chalicelib.domain.events import Kind
from chalicelib.domain.personnummer import parse, with_check_digit
from chalicelib.services import certificates, follow_ups
from chalicelib.services.principals import CitizenPrincipal
from local.event_consumer import FollowUpFailing

SICK_PAY = "/certificates/cosmic/cert-anna-1"
PNR_SYSTEM = "http://electronichealth.se/identifier/personnummer"


def _logged_in(region, sub: str):
    browser = region.browser()
    browser.login(sub)
    return browser


def _citizen_id(region, pnr: str) -> str:
    return ports().identities.find(parse(pnr, region.today))


def _anna(region) -> CitizenPrincipal:
    return CitizenPrincipal(_citizen_id(region, region.people["anna"].personnummer), "Anna", None, None, "x")


def _post(browser, path: str, fields: dict[str, str]):
    headers = {"Content-Type": "application/x-www-form-urlencoded",
               "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}  # a browser's
    return browser.request("POST", path, headers=headers,
                           body=urllib.parse.urlencode({"csrf_token": browser.csrf_token(), **fields}).encode())


def _send_fields(page: str) -> dict[str, str]:
    return {"send_id": re.search(r'name="send_id" value="([^"]+)"', page).group(1), "receiver": "fk"}


def _events(citizen_id: str, kind: Kind) -> list:
    return [e for e in EventRecord.query(f"certificates#{citizen_id}") if e.kind == kind.value]


def test_the_list_is_newest_first_with_title_date_and_unit_and_notes_leave_certificates_out(region):
    anna = _logged_in(region, "anna")
    page = anna.page("/certificates")
    titles = re.findall(r'<h2><a href="/certificates/cosmic/(cert-anna-\d)">([^<]+)</a></h2>', page)
    assert titles == [("cert-anna-1", "Läkarintyg för sjukpenning"), ("cert-anna-2", "Intyg om arbetsförmåga"),
                      ("cert-anna-3", "Läkarintyg för körkortsinnehav")]  # fmt: skip
    assert "Vårdcentralen Norrby" in page and "Kardiologmottagningen, Demo sjukhus" in page
    assert (region.today - timedelta(days=12)).isoformat() in page
    api = anna.get("/api/v1/certificates").json_body
    assert [c["id"] for c in api["certificates"]] == ["cert-anna-1", "cert-anna-2", "cert-anna-3"]
    assert api["receivers"] == [{"id": "fk", "name": "Försäkringskassan"}] and api["failed_sources"] == []
    # The journal's notes do not list certificates: they are here
    notes = anna.page("/journal?category=notes")
    assert '<ol class="journal">' in notes  # Anna's notes are there, the certificates are not
    assert "Läkarintyg" not in notes and "Intyg om arbetsförmåga" not in notes
    # The start page's menu leads here
    assert 'href="/certificates">Mina intyg</a>' in anna.page("/")


def test_reading_one_and_its_pdf_naming_the_person_and_the_unit(region):
    anna = _logged_in(region, "anna")
    page = anna.page(SICK_PAY)
    assert "Läkarintyg för sjukpenning" in page and "Lumbago (M54.5)" in page and "Omar Lund" in page
    assert region.people["anna"].personnummer not in page
    pdf = _post(anna, f"{SICK_PAY}/pdf", {})
    assert pdf.status_code == 200 and pdf.headers["Content-Type"] == "application/pdf"
    assert pdf.headers["Content-Disposition"].startswith("attachment;") and pdf.body.startswith(b"%PDF")
    from pypdf import PdfReader  # noqa: PLC0415
    import io

    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.body)).pages)
    person = region.people["anna"]
    assert f"{person.given_name} {person.family_name}" in text and "Vårdcentralen Norrby" in text
    assert "Lumbago" in text
    # Another person's certificate id answers "not found": the source is asked with the patient
    ali = _logged_in(region, "ali")
    assert ali.get(SICK_PAY).status_code == 404
    assert anna.get("/certificates/cosmic/no-such-cert").status_code == 404
    assert anna.get("/certificates/nowhere/cert-anna-1").status_code == 404


def test_hiding_and_showing_each_an_event_and_the_show_hidden_toggle(region):
    anna = _logged_in(region, "anna")
    citizen_id = _anna(region).citizen_id
    hidden = _post(anna, f"{SICK_PAY}/hide", {})
    assert hidden.status_code == 303 and hidden.headers["Location"] == "/certificates?done=hidden"
    _post(anna, f"{SICK_PAY}/hide", {})  # again: nothing changes
    page = anna.page("/certificates")
    assert "cert-anna-1" not in page and "Visa dolda intyg (1)" in page
    with_hidden = anna.page("/certificates?hidden=1")
    assert "cert-anna-1" in with_hidden and "Dolt" in with_hidden
    assert [c["hidden"] for c in anna.get("/api/v1/certificates?hidden=true").json_body["certificates"]] == [
        True, False, False]  # fmt: skip
    assert len(_events(citizen_id, Kind.CERTIFICATE_HIDDEN)) == 1
    assert _post(anna, f"{SICK_PAY}/show", {}).status_code == 303
    assert "cert-anna-1" in anna.page("/certificates")
    assert len(_events(citizen_id, Kind.CERTIFICATE_SHOWN)) == 1


def test_a_send_reaches_the_receiver_once_even_when_the_event_comes_twice(region, certificate_receiver):
    certificate_receiver.clear()
    anna = _logged_in(region, "anna")
    fields = _send_fields(anna.page(SICK_PAY))
    assert _post(anna, f"{SICK_PAY}/send", fields).status_code == 303
    assert _post(anna, f"{SICK_PAY}/send", fields).status_code == 303  # the same form twice: one send
    (document,) = certificate_receiver.received
    assert document["resourceType"] == "DocumentReference" and document["id"] == "cert-anna-1"
    assert document["subject"]["identifier"] == {"system": PNR_SYSTEM, "value": region.people["anna"].personnummer}
    page = anna.page(SICK_PAY)
    assert re.search(r"Skickat till Försäkringskassan \d{4}-\d{2}-\d{2} \d{2}:\d{2}", page)
    assert "Skickat till Försäkringskassan" in anna.page("/certificates")
    # The event delivered again: nothing is sent twice
    (sent,) = _events(_anna(region).citizen_id, Kind.CERTIFICATE_SENT)
    from chalicelib.adapters.events import from_image

    happened = from_image({"kind": sent.kind, "stream_key": sent.stream_key, "occurred_at": sent.occurred_at,
                           "data": sent.data.as_dict() if hasattr(sent.data, "as_dict") else dict(sent.data),
                           "event_id": sent.event_id})  # fmt: skip
    requests = certificate_receiver.requests
    follow_ups.handle(ports(), happened)
    assert certificate_receiver.requests == requests and len(certificate_receiver.received) == 1
    assert len(_events(_anna(region).citizen_id, Kind.CERTIFICATE_DELIVERED)) == 1


def test_a_receiver_down_leaves_the_send_pending_and_the_retry_sends_it_once(region, certificate_receiver):
    certificate_receiver.clear()
    principal = _anna(region)
    certificate_receiver.fail_with(503)
    try:
        certificates.send(ports(), principal, "cosmic", "cert-anna-2", "fk", certificates.new_send_id(),
                          clock.utc_now())  # fmt: skip
        with pytest.raises(FollowUpFailing):
            region.follow_up()  # the receiver answers 503: the follow-up fails, the stream keeps it
        found = certificates.overview(ports(), principal, clock.utc_now())
        (listed,) = [l for l in found.listed if l.certificate.resource_id == "cert-anna-2"]
        assert [s.pending for s in listed.sends] == [True] and certificate_receiver.received == []
    finally:
        certificate_receiver.fail_with(None)
    region.follow_up()  # retried: now it goes
    assert len(certificate_receiver.received) == 1
    anna = _logged_in(region, "anna")
    assert "Skickat till Försäkringskassan" in anna.page("/certificates/cosmic/cert-anna-2")


def test_the_page_says_skickas_until_the_receiver_took_it(region, certificate_receiver):
    principal = _anna(region)
    send_id = certificates.new_send_id()
    sent = certificates.send(ports(), principal, "cosmic", "cert-anna-3", "fk", send_id, clock.utc_now())
    assert sent.pending  # before the follow-up ran
    found = certificates.one(ports(), principal, "cosmic", "cert-anna-3", clock.utc_now())
    assert [s.pending for s in found.sends] == [True]
    region.follow_up()
    assert not certificates.one(ports(), principal, "cosmic", "cert-anna-3", clock.utc_now()).sends[0].pending


def test_the_json_api_sends_once_per_send_id(region, certificate_receiver):
    certificate_receiver.clear()
    anna = _logged_in(region, "anna")
    headers = {"Content-Type": "application/json", "X-CSRF-Token": anna.csrf_token()}
    body = json.dumps({"send_id": "0b5e3c1e-1c9e-4d0a-9a57-1f6f3f1b2c3d", "receiver_id": "fk"}).encode()
    first = anna.request("POST", "/api/v1/certificates/cosmic/cert-anna-1/send", headers=headers, body=body)
    second = anna.request("POST", "/api/v1/certificates/cosmic/cert-anna-1/send", headers=headers, body=body)
    assert first.status_code == 202 and second.status_code == 202
    assert first.json_body["send_id"] == second.json_body["send_id"]
    assert len(certificate_receiver.received) == 1
    unknown = anna.request("POST", "/api/v1/certificates/cosmic/cert-anna-1/send", headers=headers,
                           body=json.dumps({"send_id": "0b5e3c1e-1c9e-4d0a-9a57-1f6f3f1b2c3e",
                                            "receiver_id": "nope"}).encode())  # fmt: skip
    assert unknown.status_code == 400 and unknown.json_body["code"] == "receiver_unknown"


def test_a_15_year_old_is_refused(region, care_systems):
    born = region.today - timedelta(days=15 * 365 + 40)
    pnr = with_check_digit(born, "367")
    response = region.integration("POST", "/integration/v1/population-register/persons",
                                  {"personnummer": pnr, "given_name": "Tove", "family_name": "Test", "guardians": []},
                                  idempotency_key=f"certificates-15-{born.isoformat()}")  # fmt: skip
    assert response.status_code == 200, response.body
    principal = CitizenPrincipal(_citizen_id(region, pnr), "Tove Test", None, None, "x")
    found = certificates.overview(ports(), principal, clock.utc_now())
    assert not found.allowed and found.listed == []
    from chalicelib.errors import Forbidden

    with pytest.raises(Forbidden):
        certificates.one(ports(), principal, "cosmic", "cert-anna-1", clock.utc_now())
    with pytest.raises(Forbidden):
        certificates.send(ports(), principal, "cosmic", "cert-anna-1", "fk", certificates.new_send_id(),
                          clock.utc_now())  # fmt: skip


def test_a_guardian_acting_for_her_9_year_old_reads_and_sends_the_childs(region, certificate_receiver):
    certificate_receiver.clear()
    karin = _logged_in(region, "karin")
    me = karin.get("/api/v1/me").json_body
    elsa_id = next(c["child_id"] for c in me["can_act_for"] if c["given_name"] == "Elsa")
    assert karin.post_form("/act-for", {"person": elsa_id, "csrf_token": karin.csrf_token()}).status_code == 303
    page = karin.page("/certificates")
    assert "Läkarintyg för tillfällig föräldrapenning" in page and "cert-anna" not in page
    path = "/certificates/cosmic/cert-elsa-1"
    assert _post(karin, f"{path}/send", _send_fields(karin.page(path))).status_code == 303
    (document,) = certificate_receiver.received
    assert document["subject"]["identifier"]["value"] == region.people["elsa"].personnummer
    assert karin.get(SICK_PAY).status_code == 404  # not the child's


def test_a_source_down_is_named(region, care_systems):
    anna = _logged_in(region, "anna")
    care_systems["cosmic"].fail_with(503)
    try:
        page = anna.page("/certificates")
        api = anna.get("/api/v1/certificates").json_body
        one = anna.get(SICK_PAY)
    finally:
        care_systems["cosmic"].fail_with(None)
    assert "Vi kunde inte hämta intyg från Cosmic, Region Demo just nu" in page
    assert api["failed_sources"] == ["Cosmic, Region Demo"] and api["certificates"] == []
    assert one.status_code == 503 and "Cosmic, Region Demo svarar inte just nu" in one.body.decode()


def test_no_personnummer_in_a_source_url(region, care_systems):
    anna = _logged_in(region, "anna")
    cosmic = care_systems["cosmic"]
    cosmic.clear_requests()
    anna.page("/certificates")
    anna.page(SICK_PAY)
    seen = cosmic.requests
    assert seen and all(region.people["anna"].personnummer not in path for _, path, _ in seen)
    assert all(method == "POST" for method, path, _ in seen if "DocumentReference" in path)
