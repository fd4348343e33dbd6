"""Persons, not accounts: everyone in the population register has an inbox. A child under 13 is
reached through the guardians who may act for them (each told by their own settings); a child of 13
or with protected identity only by their own account; the care system is told honestly when nobody
reads the inbox now, and someone unknown is refused with a clear code."""

from __future__ import annotations

import json
import re
from datetime import date, datetime, time, timedelta

import pytest
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends

from chalicelib.bootstrap import ports
from chalicelib.domain import clock
from chalicelib.domain.personnummer import parse, with_check_digit
from chalicelib.services import notifications

MESSAGES = "/integration/v1/messages"
STATUS = "/integration/v1/citizen-status"
REGISTER = "/integration/v1/population-register/persons"
VC = "SE2321000099-VC01"
NOBODY = "197501019876"  # a valid personnummer that neither the register nor any login knows


def _notifications_to(address: str) -> list:
    sent = ses_backends[DEFAULT_ACCOUNT_ID]["eu-north-1"].sent_messages
    return [m for m in sent if ("inkorg" in m.subject or "inbox" in m.subject)
            and m.destinations["ToAddresses"] == [address]]


def _citizen_id(region, sub: str) -> str:
    return ports().identities.find(parse(region.people[sub].personnummer, region.today))


def _logged_in(region, sub: str):
    browser = region.browser()
    browser.login(sub)
    return browser


def _with_verified_email(region, sub: str, address: str, **settings: str):
    """Logged in, with a verified notification e-mail (and any other settings, e.g. digital_first)."""
    browser = _logged_in(region, sub)
    headers = {"Content-Type": "application/json", "X-CSRF-Token": browser.csrf_token()}
    browser.request("POST", "/api/v1/settings/contact", headers=headers,
                    body=json.dumps({"channel": "email", "address": address}).encode())  # fmt: skip
    code = re.search(r"\b(\d{6})\b", ses_backends[DEFAULT_ACCOUNT_ID]["eu-north-1"].sent_messages[-1].body)[1]
    browser.request("POST", "/api/v1/settings/contact/verify", headers=headers,
                    body=json.dumps({"channel": "email", "code": code}).encode())  # fmt: skip
    if settings:
        browser.post_form("/settings", {"csrf_token": browser.csrf_token(), "language": "sv", **settings})
    return browser


def _message(pnr: str, subject: str = "Vaccination", topic: str = "Vaccination") -> dict:
    return {"sender_unit_hsa_id": VC, "personnummer": pnr, "topic": topic, "subject": subject,
            "body": "Välkommen på vaccination."}  # fmt: skip


def _send(region, pnr: str, key: str, **changes):
    response = region.integration("POST", MESSAGES, _message(pnr, **changes), idempotency_key=key)
    assert response.status_code == 201, response.body
    return response.json_body


def _status(region, pnr: str) -> dict:
    response = region.integration("POST", STATUS, {"personnummer": pnr}, idempotency_key=None)
    assert response.status_code == 200, response.body
    return response.json_body


def _act_for(browser, given_name: str) -> None:
    children = browser.get("/api/v1/me").json_body["can_act_for"]
    child_id = next(c["child_id"] for c in children if c["given_name"] == given_name)
    assert browser.post_form("/act-for", {"person": child_id, "csrf_token": browser.csrf_token()}).status_code == 303


def _add_child(region, given_name: str, born: date, serial: str, *guardians: str) -> str:
    pnr = with_check_digit(born, serial)
    body = {"personnummer": pnr, "given_name": given_name, "family_name": "Lind",
            "address": {"street": "Lindvägen 3", "postal_code": "123 46", "city": "Demostad"},
            "guardians": [region.people[g].personnummer for g in guardians or ("karin",)]}  # fmt: skip
    assert region.integration("POST", REGISTER, body, idempotency_key=f"child-{serial}").status_code == 200
    return pnr


def _thirteen_years_before(day: date) -> date:
    if (day.month, day.day) == (2, 29):
        pytest.skip("a 13th birthday on 29 February does not exist; the leap-day rule is unit-tested")
    return day.replace(year=day.year - 13)


def test_a_message_to_a_9_year_old_is_in_her_inbox_and_her_guardian_reads_it_and_is_told(region):
    # Given Karin, Elsa's guardian, has logged in and verified an e-mail address; Elsa never has
    karin = _with_verified_email(region, "karin", "karin@example.se")
    # When the care system writes to Elsa (9)
    answer = _send(region, region.people["elsa"].personnummer, "persons-elsa-1")
    # Then it is accepted, and the care system learns that a guardian reads it
    assert answer["reaches_digitally"] is True and answer["digital_channel"] == "guardian"
    # And it is in Elsa's own inbox, not Karin's
    assert [m.subject for m in ports().inbox.inbox_of(_citizen_id(region, "elsa"))] == ["Vaccination"]
    assert karin.get("/api/v1/inbox").json_body["threads"] == []
    # And Karin's start page shows that something waits in Elsa's inbox
    assert "1 oläst i inkorgen" in karin.page("/")
    # And Karin's own e-mail says only that something new waits: no name, no clinic, no subject
    assert notifications.dispatch_due(ports(), clock.utc_now()).sent == 1
    (email,) = _notifications_to("karin@example.se")
    for secret in ("Elsa", "Lind", "Vaccination", "Norrby"):
        assert secret not in email.subject + email.body
    # When Karin acts for Elsa, the page and the JSON API show the message
    _act_for(karin, "Elsa")
    page = karin.page("/inbox")
    assert "Inkorg för Elsa" in page and "Du företräder Elsa" in page and "Vaccination" in page
    listing = karin.get("/api/v1/inbox").json_body
    assert listing["owner"] == "child" and listing["unread"] == 1
    opened = karin.get(f"/api/v1/inbox/messages/{answer['message_id']}").json_body
    assert opened["messages"][0]["subject"] == "Vaccination"


def test_a_14_year_old_is_reached_only_through_his_own_account(region):
    # Given Karin has a verified e-mail address, and her son Olle (14) has never logged in
    karin = _with_verified_email(region, "karin", "karin@example.se")
    olle_pnr = region.people["olle"].personnummer
    # When the care system writes to Olle
    answer = _send(region, olle_pnr, "persons-olle-1", subject="Till Olle")
    # Then it is accepted into his inbox, but nobody reads it now, and his guardian is not told
    assert (answer["reaches_digitally"], answer["digital_channel"]) == (False, None)
    assert notifications.dispatch_due(ports(), clock.utc_now()).sent == 0
    assert _notifications_to("karin@example.se") == []
    # And Karin cannot read it
    assert karin.get(f"/api/v1/inbox/messages/{answer['message_id']}").status_code == 404
    assert "Till Olle" not in json.dumps(karin.get("/api/v1/inbox").json_body)
    # When Olle logs in, it is there, and from now on he is reached by his own account
    olle = _logged_in(region, "olle")
    assert [t["messages"][0]["subject"] for t in olle.get("/api/v1/inbox").json_body["threads"]] == ["Till Olle"]
    assert _status(region, olle_pnr)["digital_channel"] == "own_account"


def test_a_child_with_protected_identity_is_never_reached_through_a_guardian(region):
    # Given Karin has a verified e-mail address; Sigge (6) has protected identity
    _with_verified_email(region, "karin", "karin@example.se")
    sigge_pnr = region.people["sigge"].personnummer
    # When the care system writes to Sigge
    answer = _send(region, sigge_pnr, "persons-sigge-1")
    # Then it is kept in his inbox, nobody reads it digitally, and no guardian is told
    assert (answer["reaches_digitally"], answer["digital_channel"]) == (False, None)
    assert len(ports().inbox.inbox_of(_citizen_id(region, "sigge"))) == 1
    assert notifications.dispatch_due(ports(), clock.utc_now()).sent == 0
    status = _status(region, sigge_pnr)
    assert (status["has_inbox"], status["reaches_digitally"], status["notify_email"]) == (True, False, False)


def test_someone_in_the_register_who_never_logged_in_gets_the_message_when_he_does(region):
    gunnar_pnr = region.people["gunnar"].personnummer
    # Given Gunnar is in the register and has never logged in: the care system is told to send paper
    status = _status(region, gunnar_pnr)
    assert status == {"has_inbox": True, "reaches_digitally": False, "digital_channel": None, "has_account": False,
                      "digital_first": False, "notify_email": False, "notify_sms": False}  # fmt: skip
    # When the care system writes to him
    answer = _send(region, gunnar_pnr, "persons-gunnar-1", subject="Till Gunnar")
    # Then it is accepted, and the answer says honestly that nobody reads it yet
    assert (answer["reaches_digitally"], answer["digital_channel"]) == (False, None)
    # When he logs in for the first time, the message is waiting
    gunnar = _logged_in(region, "gunnar")
    listing = gunnar.get("/api/v1/inbox").json_body
    assert listing["unread"] == 1 and listing["threads"][0]["messages"][0]["subject"] == "Till Gunnar"
    assert _status(region, gunnar_pnr)["reaches_digitally"] is True


def test_someone_who_logged_in_before_the_register_knew_them_keeps_one_id_and_one_inbox(region):
    # Given Nora logs in before the register knows her
    nora_pnr = "198112189876"  # the test provider's "newcomer"
    nora = _logged_in(region, "newcomer")
    first_id = ports().identities.find(parse(nora_pnr, region.today))
    _send(region, nora_pnr, "persons-nora-1", subject="Före registret")
    # When the register learns of her
    body = {"personnummer": nora_pnr, "given_name": "Nora", "family_name": "Ny", "guardians": []}
    assert region.integration("POST", REGISTER, body, idempotency_key="persons-nora-reg").status_code == 200
    # Then she has the same id, so the same inbox
    assert ports().register.find_by_personnummer(parse(nora_pnr, region.today)).citizen_id == first_id
    _send(region, nora_pnr, "persons-nora-2", subject="Efter registret", topic="Annat")
    subjects = sorted(t["messages"][0]["subject"] for t in nora.get("/api/v1/inbox").json_body["threads"])
    assert subjects == ["Efter registret", "Före registret"]


def test_a_register_update_gives_every_person_an_inbox_before_any_login(region):
    # When the register learns of a newborn with Karin as guardian
    pnr = _add_child(region, "Ebba", region.today - timedelta(days=30), "428")
    # Then the baby has an id (an inbox) at once, and a message to her is accepted
    assert ports().identities.find(parse(pnr, region.today)) is not None
    assert _send(region, pnr, "persons-ebba-1")["reaches_digitally"] is False  # Karin has not logged in


def test_someone_unknown_gets_a_clear_422_and_nothing_is_written(region):
    # When the care system writes to a personnummer neither the register nor any login knows
    response = region.integration("POST", MESSAGES, _message(NOBODY), idempotency_key="persons-nobody-1")
    # Then it is refused with a clear code
    assert response.status_code == 422
    assert (response.json_body["code"], response.json_body["field"]) == ("person_unknown", "personnummer")
    # And nothing was written: no id, no inbox, and citizen-status says so
    assert ports().identities.find(parse(NOBODY, region.today)) is None
    assert _status(region, NOBODY) == {"has_inbox": False, "reaches_digitally": False, "digital_channel": None,
                                        "has_account": False, "digital_first": False, "notify_email": False,
                                        "notify_sms": False}  # fmt: skip
    # Nor was the refusal remembered: once the register knows the person, the same call goes through
    body = {"personnummer": NOBODY, "given_name": "Sen", "family_name": "Ankomst", "guardians": []}
    assert region.integration("POST", REGISTER, body, idempotency_key="persons-nobody-reg").status_code == 200
    again = region.integration("POST", MESSAGES, _message(NOBODY), idempotency_key="persons-nobody-1")
    assert again.status_code == 201


def test_citizen_status_for_a_child_follows_every_guardian(region):
    # Given Vide (5) has two guardians, Karin and Anna, and neither has logged in
    vide = _add_child(region, "Vide", region.today - timedelta(days=5 * 365), "437", "karin", "anna")
    assert _status(region, vide)["digital_channel"] is None
    # When Karin logs in and chooses digital first and English, with a verified e-mail address
    _with_verified_email(region, "karin", "karin@example.se", digital_first="yes", language="en")
    # Then a guardian reaches Vide, but paper still goes: Anna is not reached
    status = _status(region, vide)
    assert (status["reaches_digitally"], status["digital_channel"], status["has_account"]) == (True, "guardian", False)
    assert (status["digital_first"], status["notify_email"]) == (False, True)
    # When Anna logs in without digital first, paper still goes; once she chooses it too, no paper
    anna = _logged_in(region, "anna")
    assert _status(region, vide)["digital_first"] is False
    anna.post_form("/settings", {"csrf_token": anna.csrf_token(), "digital_first": "yes", "language": "sv"})
    assert _status(region, vide)["digital_first"] is True
    # And both guardians are told of a message to Vide, each by their own settings
    _send(region, vide, "persons-vide-1")
    assert notifications.dispatch_due(ports(), clock.utc_now()).sent == 1  # only Karin verified an address
    (email,) = _notifications_to("karin@example.se")
    assert email.subject.startswith("New in your inbox")  # her language, not the child's or the region's


def _at(monkeypatch, moment: datetime) -> datetime:
    monkeypatch.setattr(clock, "utc_now", lambda: moment)
    return moment


def test_a_guardian_told_about_two_children_and_herself_gets_one_notification_per_15_minutes(region, monkeypatch):
    # Given Karin has a verified e-mail address, and two children under 13: Elsa and Vide
    _with_verified_email(region, "karin", "karin@example.se")
    vide = _add_child(region, "Vide", region.today - timedelta(days=5 * 365), "437")
    start = _at(monkeypatch, datetime.combine(region.today + timedelta(days=1), time(10, 0), tzinfo=clock.STOCKHOLM))
    # When care writes to Karin herself, and she is told
    _send(region, region.people["karin"].personnummer, "persons-three-1")
    assert notifications.dispatch_due(ports(), start).sent == 1
    # And then, within 15 minutes, to Elsa and to Vide
    later = _at(monkeypatch, start + timedelta(minutes=5))
    _send(region, region.people["elsa"].personnummer, "persons-three-2")
    _send(region, vide, "persons-three-3")
    # Then no more e-mail goes within the 15 minutes: the outbox is Karin's, whoever's inbox got it
    assert notifications.dispatch_due(ports(), later).sent == 0
    assert len(_notifications_to("karin@example.se")) == 1
    # And a new message after 15 minutes gives the next one
    after = _at(monkeypatch, start + timedelta(minutes=16))
    _send(region, vide, "persons-three-4", topic="Annat")
    assert notifications.dispatch_due(ports(), after).sent == 1


def test_the_13th_birthday_ends_the_guardians_reach_at_midnight_stockholm_time(region, monkeypatch):
    # Given Karin has a verified e-mail address; Vide turns 13 tomorrow and Tindra turned 13 today
    _with_verified_email(region, "karin", "karin@example.se")
    tomorrow = region.today + timedelta(days=1)
    vide = _add_child(region, "Vide", _thirteen_years_before(tomorrow), "311")
    tindra = _add_child(region, "Tindra", _thirteen_years_before(region.today), "303")
    # Then today a guardian reaches Vide, and nobody reaches Tindra
    assert _status(region, vide)["digital_channel"] == "guardian"
    assert _status(region, tindra)["digital_channel"] is None
    # When the clock shows 23:59:59 the day before Vide's birthday, Karin is still told of a message to him
    midnight = datetime.combine(tomorrow, time(0, 0), tzinfo=clock.STOCKHOLM)
    before = _at(monkeypatch, midnight - timedelta(seconds=1))
    assert _send(region, vide, "persons-bday-1")["digital_channel"] == "guardian"
    assert notifications.dispatch_due(ports(), before).sent == 1
    # And at 00:00:00 on his birthday she no longer reaches him, and is not told (even 15 minutes later)
    _at(monkeypatch, midnight)
    assert _status(region, vide)["digital_channel"] is None
    _at(monkeypatch, midnight + timedelta(minutes=20))
    assert _send(region, vide, "persons-bday-2", topic="Annat")["reaches_digitally"] is False
    assert notifications.dispatch_due(ports(), midnight + timedelta(minutes=20)).sent == 0
    assert len(_notifications_to("karin@example.se")) == 1


def test_an_invanararende_and_a_booking_confirmation_to_a_child_reach_her_guardian(region, monkeypatch):
    # Given Karin has a verified e-mail address and acts for Elsa
    karin = _with_verified_email(region, "karin", "karin@example.se")
    # When staff start a case to Elsa (invånarärende)
    eva = region.browser()
    eva.login("eva", "staff")
    page = eva.page("/staff/citizen-case")
    fields = {"csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', page).group(1),
              "submission_id": re.search(r'name="submission_id" value="([^"]+)"', page).group(1), "unit": VC,
              "personnummer": region.people["elsa"].personnummer, "subject": "Inför vaccinationen",
              "text": "Har Elsa några allergier?"}  # fmt: skip
    started = eva.post_form("/staff/citizen-case", fields)
    # Then it is started without a warning (a guardian reads Elsa's inbox), and Karin is told
    assert started.status_code == 303 and "unreached" not in started.headers["Location"]
    assert notifications.dispatch_due(ports(), clock.utc_now()).sent == 1
    # And Karin, acting for Elsa, finds it in Elsa's inbox and answers
    _act_for(karin, "Elsa")
    letter = karin.get("/api/v1/inbox").json_body["threads"][0]["messages"][0]
    assert letter["subject"] == "Inför vaccinationen"
    case_id = started.headers["Location"].rsplit("/", 1)[1]
    assert karin.post_form(f"/cases/{case_id}/reply", {"csrf_token": karin.csrf_token(), "reply": "Nej."}
                           ).status_code == 303  # fmt: skip
    # When Karin books a time for Elsa 20 minutes later, the confirmation is in Elsa's inbox too
    later = _at(monkeypatch, clock.utc_now() + timedelta(minutes=20))
    day = region.today + timedelta(days=3)
    start = datetime.combine(day, time(10, 0), tzinfo=clock.STOCKHOLM)
    slot = {"slot_id": "elsa-1", "visit_type_id": "sjukskoterska", "start": start.isoformat(),
            "end": (start + timedelta(minutes=30)).isoformat()}  # fmt: skip
    region.integration("PUT", f"/integration/v1/units/{VC}/slots",
                       {"from": day.isoformat(), "to": day.isoformat(), "slots": [slot]}, idempotency_key=None)
    assert karin.post_form("/book", {"csrf_token": karin.csrf_token(), "slot": f"{VC}/elsa-1"}).status_code == 303
    topics = sorted(m.topic for m in ports().inbox.inbox_of(_citizen_id(region, "elsa")))
    # (the booking's own thread, headed by the visit as it stands)
    assert topics == [f"Bokning: Besök hos sjuksköterska, {start:%Y-%m-%d} kl. 10:00", "Ärende: Inför vaccinationen"]
    # And Karin is told again, by her own e-mail
    assert notifications.dispatch_due(ports(), later).sent == 1
    assert len(_notifications_to("karin@example.se")) == 2
