"""Digital summons: care books through the integration API, the 18:00 release sends each summons
once on the right channels, changes and cancellations before and after release, the print batch
PDF, and the summons' buttons into the booking flow."""

from __future__ import annotations

import io
import re
import threading
from datetime import datetime, time, timedelta, timezone

import pypdf
import pytest
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends

from chalicelib.bootstrap import ports
from chalicelib.domain import clock
from chalicelib.domain.clock import STOCKHOLM
from chalicelib.domain.personnummer import parse
from chalicelib.services import integration, notifications, summons
from chalicelib.services.integration import issue_key
from local.event_consumer import FollowUpFailing
from tests.integration.harness import on_working_day

VC, KA, HS = "SE2321000099-VC01", "SE2321000099-KA01", "SE2321000099-HS01"
PATH = "/integration/v1/appointments"


_at = on_working_day


def _body(region, sub: str, **changes):
    start = _at(5, 10)
    body = {"unit_hsa_id": KA, "personnummer": region.people[sub].personnummer, "visit_type_id": "arskontroll",
            "start": start.isoformat(), "end": (start + timedelta(minutes=30)).isoformat(),
            "preparation": "Ta med dina mediciner.", "links": [{"label": "Hitta hit", "url": "https://example.org/hitta"}]}
    body.update(changes)
    return body


def _book(region, sub: str, key: str, **changes) -> str:
    response = region.integration("POST", PATH, _body(region, sub, **changes), idempotency_key=key)
    assert response.status_code == 201, response.body
    return response.json_body["appointment_id"]


def _evening(now: datetime | None = None) -> datetime:
    """18:00 Stockholm on the evening whose batch carries what is booked now."""
    day = summons.rules.release_date(now or clock.utc_now())
    return datetime.combine(day, time(18, 0), tzinfo=STOCKHOLM).astimezone(timezone.utc)


def _logged_in(region, sub: str):
    browser = region.browser()
    browser.login(sub)
    return browser


def _citizen_id(region, sub: str) -> str:
    return ports().identities.find_or_create(parse(region.people[sub].personnummer, region.today))


def _summonses(region, sub: str) -> list:
    return [m for m in ports().inbox.inbox_of(_citizen_id(region, sub)) if m.topic.startswith("Kallelse")]


@pytest.fixture(autouse=True)
def _follow_ups_after_each_release(region, monkeypatch):
    """In AWS the stream's Lambda follows a release within moments; here the consumer runs right after it."""
    release = summons.release_due

    def release_then_follow_up(*args, **kwargs):
        result = release(*args, **kwargs)
        region.follow_up()
        return result

    release_then_follow_up.__wrapped__ = release
    monkeypatch.setattr(summons, "release_due", release_then_follow_up)


def _pdf_pages(pdf: bytes) -> list[str]:
    """Each page's text with its line breaks as spaces (address lines wrap inside the window)."""
    return [" ".join(page.extract_text().split()) for page in pypdf.PdfReader(io.BytesIO(pdf)).pages]


def _downloaded(url: str) -> list[str]:
    """A print file through its short-lived link (straight from S3, never through the app)."""
    import requests

    response = requests.get(url, timeout=10)
    assert response.status_code == 200 and response.headers["Content-Type"] == "application/pdf"
    return _pdf_pages(response.content)


def _print_files(region, key: str, day: str) -> dict:
    """The evening's print job (scheduled after the release), its files made by the print workers,
    then the print vendor's list of them."""
    assert region.client.lambda_.invoke("print_batch", {"day": day}).payload["batch_date"] == day
    region.follow_up()
    response = region.client.http.get(f"/integration/v1/print-batches/{day}",
                                      headers={"Authorization": f"Bearer {key}"})  # fmt: skip
    assert response.status_code == 200 and response.headers["Content-Type"] == "application/json"
    return response.json_body


def test_booked_at_17_59_59_is_summoned_that_evening_and_at_18_00_the_next(region):
    _logged_in(region, "anna")
    principal = integration.authenticate(ports(), f"Bearer {region.integration_key}")
    day = clock.stockholm_date(clock.utc_now()) + timedelta(days=1)
    before, at_six = (datetime.combine(day, t, tzinfo=STOCKHOLM).astimezone(timezone.utc)
                      for t in (time(17, 59, 59), time(18, 0)))  # fmt: skip
    early = summons.book_from_care_system(ports(), principal, _body(region, "anna", start=_at(6, 9).isoformat(),
                                          end=_at(6, 9, 30).isoformat()), "sum-edge-01", before)  # fmt: skip
    late = summons.book_from_care_system(ports(), principal, _body(region, "anna"), "sum-edge-02", at_six)
    assert early["summons_release_on"] == day.isoformat()
    assert late["summons_release_on"] == (day + timedelta(days=1)).isoformat()
    assert summons.release_due(ports(), at_six - timedelta(seconds=1)).released == 0
    assert summons.release_due(ports(), at_six).released == 1
    assert [m.subject for m in _summonses(region, "anna")] == ["Kallelse: Årskontroll"]
    assert summons.release_due(ports(), at_six + timedelta(days=1)).released == 1


def test_each_channel_and_the_print_batch(region):
    anna = _logged_in(region, "anna")  # account, digital first: inbox only
    anna.post_form("/settings", {"csrf_token": anna.csrf_token(), "digital_first": "yes", "language": "sv"})
    _logged_in(region, "karin")  # account without digital first: inbox and paper
    ids = {sub: _book(region, sub, f"sum-ch-{sub}") for sub in ("anna", "karin", "gunnar", "sigge")}
    # gunnar has no account: paper. sigge (6, protected identity, no account): paper through the Tax Agency.
    result = summons.release_due(ports(), _evening())
    assert (result.released, result.failed) == (4, 0)
    assert len(_summonses(region, "anna")) == 1 and len(_summonses(region, "karin")) == 1
    assert _summonses(region, "gunnar") == []
    statuses = {sub: region.integration("GET", f"{PATH}/{i}", None).json_body["summons"] for sub, i in ids.items()}
    assert {sub: (s["inbox"], s["paper"]) for sub, s in statuses.items()} == {
        "anna": (True, False), "karin": (True, True), "gunnar": (False, True), "sigge": (False, True)}
    vendor = issue_key(ports(), system_name="Tryckeri", allowed_units={VC, KA, HS}, scopes={"print"},
                       now=clock.utc_now())  # fmt: skip
    day = clock.stockholm_date(_evening()).isoformat()
    listed = _print_files(region, vendor, day)
    assert listed["complete"] and listed["letters"] == 3
    pages = [page for f in listed["files"] for page in _downloaded(f["url"])]
    assert len(pages) == 3
    karin, gunnar, sigge = (next(p for p in pages if name in p) for name in ("Karin", "Gunnar", "Sigge"))
    assert "Kallelse: Årskontroll" in gunnar and "Ta med dina mediciner." in gunnar
    people = region.people
    assert people["gunnar"].address.street in gunnar
    assert "Skatteverkets särskilda postförmedling" in sigge and "Skolvägen" not in sigge
    assert "vårdnadshavare" not in sigge  # protected identity wins over the guardians' address line
    assert "Demo journalsystem" not in karin
    # A key without the print scope gets nothing
    booking_only = issue_key(ports(), system_name="Bokning", allowed_units={KA}, scopes={"appointments"},
                             now=clock.utc_now())  # fmt: skip
    refused = region.client.http.get(f"/integration/v1/print-batches/{day}",
                                     headers={"Authorization": f"Bearer {booking_only}"})
    assert refused.status_code == 403


def test_a_repeated_and_an_overlapping_run_send_nothing_twice(region):
    for sub in ("anna", "karin", "maja", "ali"):
        _logged_in(region, sub)
    for n, sub in enumerate(("anna", "karin", "maja", "ali", "gunnar")):
        _book(region, sub, f"sum-rep-{n}")
    evening = _evening()
    results = []
    runs = [threading.Thread(target=lambda: results.append(summons.release_due(ports(), evening))) for _ in range(3)]
    [t.start() for t in runs]
    [t.join() for t in runs]
    assert sum(r.released for r in results) == 5 and sum(r.failed for r in results) == 0
    assert summons.release_due(ports(), evening + timedelta(minutes=10)).released == 0
    for sub in ("anna", "karin", "maja", "ali"):
        assert len(_summonses(region, sub)) == 1, sub
    assert len(ports().print_letters.batch(clock.stockholm_date(evening))) == 5  # none chose digital first: paper too


def test_a_follow_up_that_fails_half_way_is_retried_and_sends_each_summons_once(region, monkeypatch):
    subs = ("anna", "karin", "maja", "ali")
    for n, sub in enumerate(subs):
        _logged_in(region, sub)
        _book(region, sub, f"sum-fail-{n}")
    real_deliver, seen = ports().summons.deliver_many, []

    def flaky(deliveries, *args, **kwargs):  # the released summonses' messages, written together
        for delivery in deliveries:
            if delivery.message_id not in seen:
                seen.append(delivery.message_id)
            if seen.index(delivery.message_id) in (1, 2):  # the second and third summons, however often tried
                raise ConnectionError("DynamoDB went away")
        return real_deliver(deliveries, *args, **kwargs)

    monkeypatch.setattr(ports().summons, "deliver_many", flaky)
    first = summons.release_due.__wrapped__(ports(), _evening())
    assert (first.released, first.failed) == (4, 0)  # released: each with its event, in one write
    with pytest.raises(FollowUpFailing):
        region.follow_up()  # two of the four follow-ups fail; the stream keeps them
    monkeypatch.setattr(ports().summons, "deliver_many", real_deliver)
    region.follow_up()  # retried from the first failure on: the ones already done find their work done
    assert [len(_summonses(region, sub)) for sub in subs] == [1, 1, 1, 1]
    assert summons.release_due(ports(), _evening() + timedelta(minutes=10)).released == 0


def test_changes_before_release_give_one_final_summons_and_after_release_an_updated_one(region):
    anna = _logged_in(region, "anna")
    changed = _book(region, "anna", "sum-chg-1")
    cancelled = _book(region, "anna", "sum-chg-2", start=_at(6, 11).isoformat(), end=_at(6, 11, 30).isoformat())
    new_start = _at(7, 14)
    patch = {"start": new_start.isoformat(), "end": (new_start + timedelta(minutes=30)).isoformat(), "place": "Rum 12"}
    assert region.integration("PATCH", f"{PATH}/{changed}", patch).status_code == 200
    assert region.integration("PATCH", f"{PATH}/{changed}", patch).json_body["summons"]["version"] == 2  # same again
    assert region.integration("DELETE", f"{PATH}/{cancelled}", None).json_body["status"] == "cancelled"
    summons.release_due(ports(), _evening())
    (only,) = _summonses(region, "anna")
    assert "14:00" in only.body and "Rum 12" in only.body and only.subject == "Kallelse: Årskontroll"
    # After the release: a change gives an updated summons in the next evening's batch
    later = _at(8, 9)
    region.integration("PATCH", f"{PATH}/{changed}", {"start": later.isoformat(),
                                                      "end": (later + timedelta(minutes=30)).isoformat()})
    summons.release_due(ports(), _evening() + timedelta(days=1))
    subjects = sorted(m.subject for m in _summonses(region, "anna"))
    assert subjects == ["Kallelse: Årskontroll", "Ändrad kallelse: Årskontroll"]
    # Cancelled after release: the citizen is told at once, in the summons' own thread
    region.integration("DELETE", f"{PATH}/{changed}", None)
    told = [m for m in ports().inbox.inbox_of(_citizen_id(region, "anna")) if m.subject == "Avbokad: Årskontroll"]
    assert len(told) == 1 and told[0].thread_key == _summonses(region, "anna")[0].thread_key
    assert "Årskontroll" not in anna.page("/bookings")


def test_the_summons_in_the_inbox_leads_into_rebooking_and_staff_see_it_read(region):
    anna = _logged_in(region, "anna")
    # A visit type citizens may book on the web, so rebooking online is on offer
    appointment = _book(region, "anna", "sum-inbox-1", unit_hsa_id=VC, visit_type_id="sjukskoterska")
    forbidden = _book(region, "anna", "sum-inbox-2", may_rebook=False, may_cancel=False,
                      start=_at(6, 9).isoformat(), end=_at(6, 9, 30).isoformat())  # fmt: skip
    summons.release_due(ports(), _evening())
    messages = {m.body: m for m in _summonses(region, "anna")}
    with_buttons = next(m for m in messages.values() if _at(5, 10).strftime("%H:%M") in m.body)
    without = next(m for m in messages.values() if m is not with_buttons)
    assert [a.label for a in with_buttons.actions] == ["Boka om", "Avboka"]
    assert without.actions == ()
    page = anna.page(f"/inbox/{with_buttons.message_id}")
    assert "Ta med dina mediciner." in page and 'href="https://example.org/hitta"' in page
    assert f'href="/bookings/{appointment}/rebook"' in page
    status = region.integration("GET", f"{PATH}/{appointment}", None).json_body["summons"]
    assert status["read_at"] is not None and status["state"] == "released"
    # Care forbade changes online: the booking page says call the unit
    assert "kan inte längre ändras här" in anna.page(f"/bookings/{forbidden}")
    refused = anna.post_form(f"/bookings/{forbidden}/cancel", {"csrf_token": anna.csrf_token()})
    assert refused.status_code == 422


def test_bad_input_gets_a_code_and_stores_nothing(region):
    _logged_in(region, "anna")
    other = issue_key(ports(), system_name="HS", allowed_units={HS}, scopes={"appointments"}, now=clock.utc_now())
    past = clock.utc_now() - timedelta(hours=1)
    pnr = region.people["anna"].personnummer
    cases = [
        ({"start": past.isoformat(), "end": (past + timedelta(minutes=30)).isoformat()}, None, 400, "start_in_past"),
        ({"end": _at(5, 9).isoformat()}, None, 400, "end_before_start"),
        ({"unit_hsa_id": "SE0000000000-NONE"}, None, 403, "unit_not_allowed"),
        ({"visit_type_id": "okand"}, None, 400, "unknown_visit_type"),
        ({"personnummer": pnr[:-1] + str((int(pnr[-1]) + 1) % 10)}, None, 400, "personnummer_invalid"),
        ({}, other, 403, "unit_not_allowed"),
        ({"links": [{"label": "x", "url": "http://insecure.example"}]}, None, 400, "links_invalid"),
        ({"diagnosis": "x"}, None, 400, "unknown_field"),
    ]
    for n, (changes, key, status, code) in enumerate(cases):
        response = region.integration("POST", PATH, _body(region, "anna", **changes), key=key,
                                      idempotency_key=f"sum-bad-{n:04d}")  # fmt: skip
        assert (response.status_code, response.json_body["code"]) == (status, code), changes
    assert ports().summons.due(clock.stockholm_date(clock.utc_now()) + timedelta(days=2)) == []
    assert ports().bookings.of_citizen(_citizen_id(region, "anna")) == []


def test_staff_book_with_a_summons_edit_the_template_follow_it_and_download_the_print_batch(region):
    import requests

    eva = region.browser()
    eva.login("eva", "staff")  # case handler at the cardiology clinic
    page = eva.page(f"/staff/summons?unit={KA}")
    fields = {"csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', page).group(1),
              "submission_id": re.search(r'name="submission_id" value="([^"]+)"', page).group(1),
              "unit": KA, "personnummer": region.people["gunnar"].personnummer, "visit_type": "arskontroll",
              "day": _at(4, 0).date().isoformat(), "time": "13:15", "preparation": "Fasta från midnatt.",
              "may_rebook": "yes"}  # fmt: skip
    bad = eva.post_form("/staff/summons", {**fields, "time": "25:99"})
    assert bad.status_code == 400 and 'id="time-error"' in bad.body.decode()
    assert eva.post_form("/staff/summons", fields).status_code == 303
    assert eva.post_form("/staff/summons", fields).status_code == 303  # the same form twice: one visit
    listing = eva.page(f"/staff/summons?unit={KA}")
    assert listing.count("Skickas kl. 18.00") == 1
    johan = region.browser()
    johan.login("johan", "staff")  # local admin at the health centre, not at the clinic
    forbidden = johan.post_form("/staff/summons/template", {"csrf_token": johan.csrf_token("/api/v1/staff/me"),
                                                            "unit": KA, "heading": "X"})  # fmt: skip
    assert forbidden.status_code == 403
    summons.release_due(ports(), _evening())
    assert "Skickad: papper" in eva.page(f"/staff/summons?unit={KA}")
    appointment = ports().summons.of_unit(KA, _at(0, 0), _at(30, 0))[0].appointment_id
    moved = eva.post_form(f"/staff/summons/{appointment}/change", {"csrf_token": fields["csrf_token"], "unit": KA,
                                                                   "day": _at(6, 0).date().isoformat(), "time": "08:30"})
    assert moved.status_code == 303 and "Skickas kl. 18.00" in eva.page(f"/staff/summons?unit={KA}")
    assert region.integration("GET", f"{PATH}/{appointment}", None).status_code == 404  # not the system's booking
    day = clock.stockholm_date(_evening()).isoformat()
    assert "kl. 18.30" in eva.page(f"/staff/print-batch?unit={KA}&day={day}")  # not made yet
    region.client.lambda_.invoke("print_batch", {"day": day})
    region.follow_up()  # the print workers make the files
    listing = eva.page(f"/staff/print-batch?unit={KA}&day={day}")
    (file_link,) = re.findall(r'href="(/staff/print-batch/file\?[^"]+)"', listing)
    link = eva.get(file_link.replace("&amp;", "&"))
    assert link.status_code == 303
    pages = _pdf_pages(requests.get(link.headers["Location"], timeout=10).content)
    assert len(pages) == 1 and "Fasta fr" in pages[0] and "13:15" in pages[0]
    lisa = region.browser()
    lisa.login("lisa", "staff")
    assert lisa.get(f"/staff/print-batch?unit={KA}&day={day}").status_code == 403


def test_the_units_template_is_what_the_summons_says(region):
    _logged_in(region, "anna")
    johan = region.browser()
    johan.login("johan", "staff")  # local admin at the health centre
    csrf = johan.csrf_token("/api/v1/staff/me")
    empty = johan.post_form("/staff/summons/template", {"csrf_token": csrf, "unit": VC, "heading": " "})
    assert empty.status_code == 400 and 'id="heading-error"' in empty.body.decode()
    saved = johan.post_form("/staff/summons/template", {
        "csrf_token": csrf, "unit": VC, "heading": "Välkommen till Vårdcentralen Norrby",
        "intro": "Du har fått en tid hos oss.", "footer": "Parkera på baksidan.", "contact": "Ring 010-100 10 00."})
    assert saved.status_code == 303
    _book(region, "anna", "sum-tpl-1", unit_hsa_id=VC, visit_type_id="sjukskoterska")
    summons.release_due(ports(), _evening())
    (message,) = _summonses(region, "anna")
    assert message.subject == "Välkommen till Vårdcentralen Norrby: Besök hos sjuksköterska"
    assert "Parkera på baksidan." in message.body and "Ring 010-100 10 00." in message.body


def test_a_summons_carries_the_care_systems_attachment_and_a_file_serves_one_appointment(region):
    from tests.integration.test_attachments import PDF, _uploaded

    anna = _logged_in(region, "anna")
    file_id = _uploaded(region, PDF, sender_unit_hsa_id=KA, filename="Inför EKG.pdf")
    appointment = _book(region, "anna", "sum-att-1", attachments=[file_id])
    again = region.integration("POST", PATH, _body(region, "anna", attachments=[file_id]), idempotency_key="sum-att-2")
    assert (again.status_code, again.json_body["code"]) == (422, "attachment_already_used")
    summons.release_due(ports(), _evening())
    (message,) = _summonses(region, "anna")
    assert [a.filename for a in message.attachments] == ["Inför EKG.pdf"]
    assert anna.get(f"/inbox/{message.message_id}/attachments/{file_id}").status_code == 303
    assert region.integration("GET", f"{PATH}/{appointment}", None).json_body["summons"]["state"] == "released"


def _print_batch(region) -> list[str]:
    vendor = issue_key(ports(), system_name="Tryckeri", allowed_units={KA}, scopes={"print"}, now=clock.utc_now())
    day = clock.stockholm_date(_evening()).isoformat()
    return [page for f in _print_files(region, vendor, day)["files"] for page in _downloaded(f["url"])]


def test_a_summons_to_a_9_year_old_whose_guardian_has_no_account_goes_on_paper_to_the_guardians(region):
    # Given Elsa (9), whose guardian Karin has never logged in
    appointment = _book(region, "elsa", "sum-child-paper")
    # When the evening release runs
    summons.release_due(ports(), _evening())
    # Then nothing goes digitally, and the letter is addressed to her guardians at her address
    status = region.integration("GET", f"{PATH}/{appointment}", None).json_body["summons"]
    assert (status["inbox"], status["paper"]) == (False, True)
    (page,) = _print_batch(region)
    assert "Till vårdnadshavare för Elsa Lind Karin Lind Lindvägen 3 123 46 Demostad" in page
    assert "Kallelse: Årskontroll" in page


def test_a_summons_to_a_9_year_old_follows_her_guardians_digital_first_choice(region):
    # Given Karin, Elsa's guardian, has logged in with a verified e-mail address, and chose digital first
    karin = _logged_in(region, "karin")
    headers = {"Content-Type": "application/json", "X-CSRF-Token": karin.csrf_token()}
    karin.request("POST", "/api/v1/settings/contact", headers=headers,
                  body=b'{"channel": "email", "address": "karin@example.se"}')  # fmt: skip
    code = re.search(r"\b(\d{6})\b", ses_backends[DEFAULT_ACCOUNT_ID]["eu-north-1"].sent_messages[-1].body)[1]
    karin.request("POST", "/api/v1/settings/contact/verify", headers=headers,
                  body=f'{{"channel": "email", "code": "{code}"}}'.encode())  # fmt: skip
    karin.post_form("/settings", {"csrf_token": karin.csrf_token(), "digital_first": "yes", "language": "sv"})
    # When care books a visit for Elsa and the evening release runs
    appointment = _book(region, "elsa", "sum-child-digital")
    summons.release_due(ports(), _evening())
    # Then the summons is in Elsa's inbox only: no paper
    status = region.integration("GET", f"{PATH}/{appointment}", None).json_body["summons"]
    assert (status["inbox"], status["paper"]) == (True, False)
    assert [m.subject for m in _summonses(region, "elsa")] == ["Kallelse: Årskontroll"]
    assert _summonses(region, "karin") == []
    # And Karin is told by her own e-mail, and reads it (with its buttons) acting for Elsa
    assert notifications.dispatch_due(ports(), _evening()).sent == 1
    elsa_id = next(c["child_id"] for c in karin.get("/api/v1/me").json_body["can_act_for"])
    karin.post_form("/act-for", {"person": elsa_id, "csrf_token": karin.csrf_token()})
    (thread,) = karin.get("/api/v1/inbox").json_body["threads"]
    assert thread["messages"][0]["subject"] == "Kallelse: Årskontroll"
    # (Årskontroll is not bookable on the web: no rebooking online, only cancelling)
    assert f'href="/bookings/{appointment}"' in karin.page(f"/inbox/{thread['messages'][0]['message_id']}")
    # When Karin withdraws digital first, the next (changed) summons goes on paper too, to the guardians
    karin.post_form("/act-for", {"person": "self", "csrf_token": karin.csrf_token()})
    karin.post_form("/settings", {"csrf_token": karin.csrf_token(), "language": "sv"})
    later = _at(7, 14)
    region.integration("PATCH", f"{PATH}/{appointment}", {"start": later.isoformat(),
                                                          "end": (later + timedelta(minutes=30)).isoformat()})
    summons.release_due(ports(), _evening() + timedelta(days=1))
    status = region.integration("GET", f"{PATH}/{appointment}", None).json_body["summons"]
    assert (status["inbox"], status["paper"]) == (True, True)
    letters = ports().print_letters.batch(clock.stockholm_date(_evening() + timedelta(days=1)))
    assert [x.address_lines[:2] for x in letters] == [["Till vårdnadshavare för Elsa Lind", "Karin Lind"]]
