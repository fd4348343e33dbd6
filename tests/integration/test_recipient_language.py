"""What the e-services write to a person — booking confirmations, summonses in the inbox and on
paper, self-test results and their referral, notifications — is in the language the person chose in
Settings, and Swedish for everyone else (a person without an account, guardians who chose differently)."""

from __future__ import annotations

import io
from datetime import timedelta

import pypdf
import requests
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends

from chalicelib.bootstrap import ports
from chalicelib.domain import clock
from chalicelib.services import notifications, summons
from chalicelib.services.integration import issue_key
from tests.integration.test_booking import VC, _at, _book_in_browser, _booking_id, _day, _publish
from tests.integration.test_self_tests import _order, _orders, _result
from tests.integration.test_summons import KA, _book, _citizen_id, _evening, _print_files


def _in_english(region, sub: str, *, digital_first: bool = False):
    browser = region.browser()
    browser.login(sub)
    saved = browser.post_form("/settings", {"csrf_token": browser.csrf_token(), "language": "en",
                                            **({"digital_first": "yes"} if digital_first else {})})  # fmt: skip
    assert saved.status_code == 303
    return browser


def _messages(region, sub: str) -> list:
    return ports().inbox.inbox_of(_citizen_id(region, sub))


def test_a_booking_confirmation_is_in_the_language_the_person_chose(region):
    anna = _in_english(region, "anna")
    day = _day(4)
    _publish(region, [("en1", "sjukskoterska", _at(day, 9)), ("sv1", "sjukskoterska", _at(day, 10))])
    booking_id = _booking_id(_book_in_browser(anna, f"{VC}/en1"))
    region.follow_up()
    (message,) = [m for m in _messages(region, "anna") if m.thread_id and booking_id in m.thread_id]
    assert message.subject == "Booking confirmation"
    assert message.topic.startswith("Booking: ") and f"{day.isoformat()} at 09:00" in message.topic
    assert "Time: " in message.body and "Place: " in message.body and "Cannot come? Call" in message.body
    assert "Tid:" not in message.body and "Bokningsbekräftelse" not in message.subject
    # Karin kept Swedish: her confirmation is Swedish
    karin = region.browser()
    karin.login("karin")
    assert _book_in_browser(karin, f"{VC}/sv1").status_code == 303
    region.follow_up()
    assert "Bokningsbekräftelse" in [m.subject for m in _messages(region, "karin")]


def test_a_summons_goes_out_in_the_readers_language_in_the_inbox_and_on_paper(region):
    _in_english(region, "anna")  # not digital first: the inbox and a letter
    appointment = _book(region, "anna", "lang-sum-1", may_cancel=True)
    summons.release_due(ports(), _evening())
    region.follow_up()
    (message,) = [m for m in _messages(region, "anna") if m.thread_id and appointment in m.thread_id]
    assert message.subject == "Appointment letter: Annual check-up"  # the visit type in English too (region content)
    assert "Welcome to your appointment." in message.body and "Preparations:\nTa med dina mediciner." in message.body
    assert [a.label for a in message.actions] == ["Cancel"]  # Årskontroll is not booked on the web: no rebooking
    vendor = issue_key(ports(), system_name="Tryckeri", allowed_units={KA}, scopes={"print"}, now=clock.utc_now())
    listed = _print_files(region, vendor, clock.stockholm_date(_evening()).isoformat())
    (url,) = [f["url"] for f in listed["files"]]
    (page,) = [" ".join(p.extract_text().split()) for p in pypdf.PdfReader(io.BytesIO(requests.get(url, timeout=10).content)).pages]
    assert "Appointment letter: Annual check-up" in page and "Date " in page and "Reference " in page
    assert "Datum" not in page


def test_a_self_test_result_and_its_referral_are_in_the_readers_language(region):
    karin = _in_english(region, "karin")
    assert _order(karin)[0].status_code == 303
    (order,) = _orders(region, "karin")
    region.integration("POST", f"/integration/v1/kit-orders/{order.order_id}/sent", {"kit_number": "k-lang-1"})
    assert _result(region, order.order_id, "lab-lang-1", "positive", "negative").status_code == 201
    region.follow_up()
    (result,) = [m for m in _messages(region, "karin") if m.subject.startswith("Your test result")]
    assert result.topic.startswith("Test result: ")
    (referral,) = result.attachments
    assert referral.filename == "Referral for treatment.pdf"
    link = karin.get(f"/api/v1/inbox/messages/{result.message_id}/attachments/{referral.attachment_id}").json_body["url"]
    text = pypdf.PdfReader(io.BytesIO(requests.get(link, timeout=10).content)).pages[0].extract_text()
    assert "Referral for treatment" in text and "Positive for: chlamydia" in text


def test_the_notification_e_mail_is_in_the_holders_language(region, monkeypatch):
    from tests.integration.test_notifications import _deliver, _verified_citizen

    browser = _verified_citizen(region, "email", "anna@example.se")
    browser.post_form("/settings", {"csrf_token": browser.csrf_token(), "language": "en"})
    _deliver(region, "lang-notify-1")
    assert notifications.dispatch_due(ports(), clock.utc_now() + timedelta(seconds=1)).sent == 1
    (email,) = [m for m in ses_backends[DEFAULT_ACCOUNT_ID]["eu-north-1"].sent_messages if "inbox" in m.subject]
    assert email.subject == "New in your inbox – Region Demo e-services" and "Log in to read it" in email.body
