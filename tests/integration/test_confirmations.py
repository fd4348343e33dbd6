"""A person is told the rule that applies to them now, is asked before a booking is cancelled or a
message deleted (a second page, no JavaScript), and is told afterwards what happened."""

from __future__ import annotations

from datetime import timedelta

from chalicelib.bootstrap import ports
from chalicelib.domain import clock
from chalicelib.domain.clock import STOCKHOLM
from tests.integration.test_booking import HS, VC, _at, _book_in_browser, _booking_id, _day, _logged_in, _publish
from tests.integration.test_summons import _at as _working_day_at
from tests.integration.test_summons import _book as _summon


def _local(moment) -> str:
    return moment.astimezone(STOCKHOLM).strftime("%Y-%m-%d %H:%M")


def test_the_confirmation_page_states_the_rule_for_that_time_as_of_now(region):
    anna = _logged_in(region, "anna")
    day = _day(4)
    soon = (clock.utc_now() + timedelta(hours=5)).astimezone(STOCKHOLM).replace(second=0, microsecond=0)
    _publish(region, [("n1", "sjukskoterska", _at(day, 9))])
    _publish(region, [("p1", "provtagning", soon)], first=soon.date(), last=soon.date() + timedelta(days=1))
    _publish(region, [("s1", "sti-test", _at(day, 10))], unit=HS)
    # A nurse visit in four days: both until 24 hours before, with the date and time
    nurse = anna.page(f"/book/confirm?slot={VC}/n1")
    assert f"Du kan av- eller omboka tiden här till och med {_local(_at(day, 9) - timedelta(hours=24))}" in nurse
    # A same-day test in five hours: already inside the cutoff, so it says so before she books
    same_day = anna.page(f"/book/confirm?slot={VC}/p1")
    assert "Tiden kan inte av- eller ombokas här när du har bokat den; ring 010-100 10 00" in same_day
    assert "till och med" not in same_day
    # The STI clinic takes cancellations by phone only: rebooking online, cancelling by phone
    sti = anna.page(f"/book/confirm?slot={HS}/s1")
    assert f"Du kan boka om tiden här till och med {_local(_at(day, 10) - timedelta(hours=24))}" in sti
    assert "Mottagningen tar inte emot avbokningar här. Ring 010-100 30 00" in sti


def test_a_summons_without_rebooking_online_says_until_when_to_cancel_and_to_call_for_another_time(region):
    anna = _logged_in(region, "anna")
    # Given Årskontroll (not web-bookable) booked by care: no rebooking online
    appointment = _summon(region, "anna", "conf-sum-1")
    start = ports().bookings.get(appointment).start
    page = anna.page(f"/bookings/{appointment}")
    # Then the page says until when she may cancel, and to call for another time
    assert (f"Du kan avboka tiden här till och med {_local(start - timedelta(hours=24))}. Tiden kan inte bokas om "
            "här; ring 010-100 20 00 om du behöver en annan tid.") in page  # fmt: skip
    assert f"/bookings/{appointment}/rebook" not in page
    assert start == _working_day_at(5, 10)


def test_cancelling_asks_first_and_says_what_happened(region):
    # Given Anna's booked nurse visit
    day = _day(5)
    _publish(region, [("k1", "sjukskoterska", _at(day, 9))])
    anna = _logged_in(region, "anna")
    booking_id = _booking_id(_book_in_browser(anna, f"{VC}/k1"))
    page = anna.page(f"/bookings/{booking_id}")
    # The booking page links to a question; it has no form that cancels
    assert f'href="/bookings/{booking_id}/cancel"' in page and f'action="/bookings/{booking_id}/cancel"' not in page
    # When she follows it, she is asked, with what and when, and nothing is cancelled yet
    question = anna.page(f"/bookings/{booking_id}/cancel")
    assert f"Vill du avboka Besök hos sjuksköterska {_local(_at(day, 9))} på Vårdcentralen Norrby?" in question
    assert f'action="/bookings/{booking_id}/cancel"' in question and "Nej, behåll tiden" in question
    assert ports().bookings.get(booking_id).status.value == "booked"
    # When she says yes, it is cancelled and the page says so
    done = anna.post_form(f"/bookings/{booking_id}/cancel", {"csrf_token": anna.csrf_token(), "reason": ""})
    assert done.status_code == 303 and done.headers["Location"] == f"/bookings/{booking_id}?done=cancelled"
    after = anna.page(done.headers["Location"])
    assert "Tiden är avbokad. En bekräftelse finns i din inkorg." in after and "Den här tiden är avbokad." in after
    assert ports().bookings.get(booking_id).status.value == "cancelled"
    # A booking that can no longer be cancelled here is not asked about: its page says what to do
    again = anna.get(f"/bookings/{booking_id}/cancel")
    assert again.status_code == 303 and again.headers["Location"] == f"/bookings/{booking_id}"


def test_deleting_a_message_asks_first_and_says_what_happened(region):
    # Given a message from care in Anna's inbox
    anna = _logged_in(region, "anna")
    sent = region.integration("POST", "/integration/v1/messages", {
        "sender_unit_hsa_id": VC, "personnummer": region.people["anna"].personnummer, "topic": "Provsvar",
        "subject": "Ditt provsvar", "body": "Svaret är klart."}, idempotency_key="conf-msg-1")  # fmt: skip
    message_id = sent.json_body["message_id"]
    thread = anna.page(f"/inbox/{message_id}")
    assert f'href="/inbox/{message_id}/delete"' in thread and f'action="/inbox/{message_id}/delete"' not in thread
    # When she chooses Ta bort, she is asked first, and the message is still there
    question = anna.page(f"/inbox/{message_id}/delete")
    assert "Vill du ta bort meddelandet?" in question and "Meddelandet ”Ditt provsvar” tas bort" in question
    assert len(anna.get("/api/v1/inbox").json_body["threads"]) == 1
    # When she says yes, it is gone and the inbox says so
    done = anna.post_form(f"/inbox/{message_id}/delete", {"csrf_token": anna.csrf_token()})
    assert done.status_code == 303
    inbox = anna.page(done.headers["Location"])
    assert "Meddelandet är borttaget från din inkorg." in inbox
    assert anna.get("/api/v1/inbox").json_body["threads"] == []
    # Another person's message cannot be asked about
    karin = _logged_in(region, "karin")
    assert karin.get(f"/inbox/{message_id}/delete").status_code == 404
