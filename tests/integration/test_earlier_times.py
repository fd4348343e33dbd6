"""Earlier times (tidigare tid) as people notice them: two waiting, the longest wait is offered a freed
time first; expiry passes it to the second; accepting moves the booking and its old time goes on to
the next; nobody else can book a held time; nothing inside the cutoff; a redelivered event makes no
second offer; accepting too late is refused and writes nothing; a guardian accepts for a child."""

from __future__ import annotations

from datetime import timedelta

import app
from chalicelib.adapters.tables import EarlierOfferRecord, EventRecord
from chalicelib.bootstrap import ports
from chalicelib.domain import clock, usage
from chalicelib.domain.earlier_times import answerable_from
from chalicelib.domain.notifications import Channel, earliest_send_time
from chalicelib.domain.events import Door
from chalicelib.services import booking, earlier_times, follow_ups, notifications
from chalicelib.adapters import events as event_store
from tests.integration import test_notifications as notices
from tests.integration.test_booking import (
    VC,
    _at,
    _book_in_browser,
    _booking_id,
    _citizen,
    _day,
    _logged_in,
    _publish,
    _staff,
    _staff_post,
)

NURSE = "sjukskoterska"  # from tomorrow; online changes close 24 hours before


def _wait(browser, booking_id: str, wanted: bool = True):
    fields = {"csrf_token": browser.csrf_token()}
    if wanted:
        fields["wanted"] = "yes"
    response = browser.post_form(f"/bookings/{booking_id}/earlier", fields)
    assert response.status_code == 303, response.body[:600]
    return response


def _offers_to(booking_id: str) -> list[EarlierOfferRecord]:
    return [o for o in EarlierOfferRecord.scan() if o.booking_id == booking_id]  # tests only: a handful


def _offer_messages(region, sub: str):
    citizen_id = _citizen(region, sub).subject_id
    return [m for m in ports().inbox.inbox_of(citizen_id) if m.subject == "Erbjudande om tidigare tid"]


def _two_waiting(region):
    """Ali and Anna booked later times and wait for an earlier one, Ali first; Olle holds the early time."""
    early, later = _day(5), _day(12)
    _publish(region, [("e1", NURSE, _at(early, 10)), ("a1", NURSE, _at(later, 9)), ("b1", NURSE, _at(later, 9, 30))],
             first=early, last=later)  # fmt: skip
    anna, ali, olle = _logged_in(region, "anna"), _logged_in(region, "ali"), _logged_in(region, "olle")
    anna_booking = _booking_id(_book_in_browser(anna, f"{VC}/a1"))
    ali_booking = _booking_id(_book_in_browser(ali, f"{VC}/b1"))
    olle_booking = _booking_id(_book_in_browser(olle, f"{VC}/e1"))
    _wait(ali, ali_booking)  # Ali waits longest, though Anna's time is earlier
    _wait(anna, anna_booking)
    return anna, ali, olle, anna_booking, ali_booking, olle_booking


def test_the_longest_wait_is_offered_first_nobody_else_can_book_it_and_expiry_passes_it_on(region, monkeypatch):
    anna, ali, olle, anna_booking, ali_booking, olle_booking = _two_waiting(region)
    page = anna.page(f"/bookings/{anna_booking}")
    assert "Jag vill ha en tidigare tid om någon avbokar" in page and "Du väntar på en tidigare tid sedan" in page
    assert olle.post_form(f"/bookings/{olle_booking}/cancel", {"csrf_token": olle.csrf_token()}).status_code == 303
    # Ali is offered the time, with a button in his inbox; Anna nothing yet.
    [offer] = _offers_to(ali_booking)
    assert offer.state == "open" and offer.slot_id == f"{VC}/e1" and not _offers_to(anna_booking)
    assert offer.expires_at - answerable_from(offer.created_at) == timedelta(minutes=30)  # from 08:00 if at night
    [message] = _offer_messages(region, "ali")
    assert message.actions[0].path == f"/earlier-times/{offer.offer_id}" and not _offer_messages(region, "anna")
    assert ports().offer_schedules.get(offer.offer_id)["ScheduleExpression"].startswith("at(")
    offer_page = ali.page(f"/earlier-times/{offer.offer_id}")
    assert "Ja, flytta till den tidigare tiden" in offer_page and "Nej tack, behåll min tid" in offer_page
    assert anna.get(f"/earlier-times/{offer.offer_id}").status_code == 404  # not hers
    # Held: a third person cannot book it online, and it is not among the free times.
    karin = _logged_in(region, "karin")
    taken = _book_in_browser(karin, f"{VC}/e1")
    assert taken.status_code == 409 and "Någon annan hann boka tiden" in taken.body.decode()
    day = _day(5).isoformat()
    assert "10:00–10:30" not in karin.page(f"/book?unit={VC}&visit_type={NURSE}&day={day}")
    # The staff day shows it held, not free to book.
    staff_day = _staff(region, "eva").page(f"/staff/bookings?unit={VC}&day={day}")
    held = staff_day[staff_day.index("10:00–10:30"):][:900]
    assert f"hålls till {offer.expires_at.astimezone(clock.STOCKHOLM):%H:%M}" in held and "Ledig" not in held
    # Before the expiry the schedule does nothing; at the exact second it passes the time to Anna.
    assert app.earlier_offer_expiry({"offer_id": offer.offer_id}, None) == {"result": "not_yet"}
    monkeypatch.setattr(clock, "utc_now", lambda: offer.expires_at)
    assert app.earlier_offer_expiry({"offer_id": offer.offer_id}, None) == {"result": "expired"}
    assert app.earlier_offer_expiry({"offer_id": offer.offer_id}, None) == {"result": "answered"}  # fired twice
    region.follow_up()
    [to_anna] = _offers_to(anna_booking)
    assert to_anna.state == "open" and ports().slots.get(f"{VC}/e1").held_for == anna_booking
    [expired] = _offer_messages(region, "ali")
    assert expired.state_note == "Erbjudandet har gått ut. Du behåller din tid." and not expired.actions
    assert ports().bookings.get(ali_booking).slot_id == f"{VC}/b1"  # Ali keeps his time (and keeps waiting)
    # Anna lets it expire too: nobody is left, and the time is simply free again.
    monkeypatch.setattr(clock, "utc_now", lambda: to_anna.expires_at)
    assert app.earlier_offer_expiry({"offer_id": to_anna.offer_id}, None) == {"result": "expired"}
    region.follow_up()
    slot = ports().slots.get(f"{VC}/e1")
    assert slot.free and len(_offers_to(ali_booking)) == 1  # never offered the same time twice


def test_accepting_moves_the_booking_and_its_old_time_is_offered_on(region):
    anna, ali, olle, anna_booking, ali_booking, olle_booking = _two_waiting(region)
    _wait(ali, ali_booking, wanted=False)
    assert "Du väntar på en tidigare tid" not in ali.page(f"/bookings/{ali_booking}")
    _wait(ali, ali_booking)  # back in line, now behind Anna
    olle.post_form(f"/bookings/{olle_booking}/cancel", {"csrf_token": olle.csrf_token()})
    [offer] = _offers_to(anna_booking)
    accepted = anna.post_form(f"/earlier-times/{offer.offer_id}/accept", {"csrf_token": anna.csrf_token()})
    assert accepted.status_code == 303 and accepted.headers["Location"] == f"/bookings/{anna_booking}?done=rebooked"
    moved = ports().bookings.get(anna_booking)
    assert moved.slot_id == f"{VC}/e1" and moved.start == _at(_day(5), 10)
    assert ports().slots.get(f"{VC}/e1").booking_id == anna_booking and ports().slots.get(f"{VC}/e1").held_for is None
    # The usual confirmation of a moved time; the offer's message says what became of it.
    subjects = [m.subject for m in ports().inbox.inbox_of(moved.citizen_id)]
    assert "Din tid är ombokad" in subjects
    [answered] = _offer_messages(region, "anna")
    assert answered.state_note == "Du tackade ja. Din tid är flyttad." and not answered.actions
    assert ports().offer_schedules.get(offer.offer_id) is None
    assert "Du väntar på en tidigare tid" not in anna.page(f"/bookings/{anna_booking}")  # she got it
    # Her old time goes on to Ali, whose booking is later still.
    [to_ali] = _offers_to(ali_booking)
    assert to_ali.slot_id == f"{VC}/a1" and ports().slots.get(f"{VC}/a1").held_for == ali_booking
    # A second click on the same answer changes nothing.
    again = anna.post_form(f"/earlier-times/{offer.offer_id}/accept", {"csrf_token": anna.csrf_token()})
    assert again.status_code == 303 and ports().bookings.get(anna_booking).sequence == moved.sequence
    # Ali declines: the hold goes, nobody else waits, the time is free for web booking.
    declined = ali.post_form(f"/earlier-times/{to_ali.offer_id}/decline", {"csrf_token": ali.csrf_token()})
    assert declined.status_code == 303
    assert "Du tackade nej" in ali.page(f"/earlier-times/{to_ali.offer_id}")
    assert ports().slots.get(f"{VC}/a1").free and ports().bookings.get(ali_booking).slot_id == f"{VC}/b1"
    # The unit's usage statistics count the two offers and the one taken (and the move as a rebooking).
    counted = ports().usage.figures(usage.owner_of_unit(VC), "2000-01", "2099-12")
    assert _total(counted, usage.EARLIER_OFFERED) == 2 and _total(counted, usage.EARLIER_ACCEPTED) == 1
    assert _total(counted, usage.REBOOKED) == 1


def _total(counted: dict[str, int], figure: str) -> int:
    return sum(n for key, n in counted.items() if key.endswith(f"#{figure}"))


def test_accepting_after_the_expiry_is_refused_and_writes_nothing(region, monkeypatch):
    anna, ali, olle, anna_booking, ali_booking, olle_booking = _two_waiting(region)
    olle.post_form(f"/bookings/{olle_booking}/cancel", {"csrf_token": olle.csrf_token()})
    [offer] = _offers_to(ali_booking)
    before = ports().bookings.get(ali_booking)
    from tests.integration.harness import clock_at

    clock_at(monkeypatch, ali, offer.expires_at)  # the exact second: gone (the schedule has not run yet)
    refused = ali.post_form(f"/earlier-times/{offer.offer_id}/accept", {"csrf_token": ali.csrf_token()})
    assert refused.status_code == 422
    assert "Erbjudandet har gått ut och tiden har gått vidare. Din bokade tid är kvar." in refused.body.decode()
    assert "Ja, flytta" not in refused.body.decode()
    assert ports().bookings.get(ali_booking) == before and ports().earlier_offers.get(offer.offer_id).state == "open"
    assert ports().slots.get(f"{VC}/e1").held_for == ali_booking  # until the schedule passes it on


def test_nothing_is_offered_inside_the_cutoff_and_a_redelivered_event_makes_no_second_offer(region, monkeypatch):
    anna, ali, olle, anna_booking, ali_booking, olle_booking = _two_waiting(region)
    early = _at(_day(5), 10)
    # Staff cancel Olle's time 20 hours before it: inside its cutoff, so nobody is offered it.
    late = early - timedelta(hours=20)
    monkeypatch.setattr(clock, "utc_now", lambda: late)
    booking.cancel_booking(ports(), ports().bookings.get(olle_booking), None, late, Door.STAFF)
    region.follow_up()
    assert not _offers_to(ali_booking) and not _offers_to(anna_booking) and ports().slots.get(f"{VC}/e1").free
    # Twenty-eight minutes before the cutoff: offered, held only until the cutoff.
    olle2 = booking.book(ports(), _citizen(region, "olle"), f"{VC}/e1", early - timedelta(days=2))
    soon = early - timedelta(hours=24, minutes=28)
    monkeypatch.setattr(clock, "utc_now", lambda: soon)
    booking.cancel_booking(ports(), olle2, None, soon, Door.STAFF)
    region.follow_up()
    [offer] = _offers_to(ali_booking)
    assert offer.expires_at == early - timedelta(hours=24)
    # The cancellation's event delivered again: no second offer, nothing else held.
    cancelled = [r for r in EventRecord.query(booking.stream_key(olle2.booking_id)) if r.kind == "booking.cancelled"]
    record = cancelled[-1]
    follow_ups.handle(ports(), event_store.from_image({
        "kind": record.kind, "stream_key": record.stream_key, "occurred_at": record.occurred_at,
        "data": record.data.as_dict(), "event_id": record.event_id}))  # fmt: skip
    region.follow_up()
    assert len(_offers_to(ali_booking)) == 1 and not _offers_to(anna_booking)
    assert len(_offer_messages(region, "ali")) == 1
    # Four minutes before the cutoff the time is simply free when it comes back (under five minutes to answer).
    assert earlier_times.offer_slot(ports(), f"{VC}/e1", early - timedelta(hours=24, minutes=4)) is None


def test_a_guardian_accepts_an_earlier_time_for_her_child(region):
    early, later = _day(5), _day(12)
    _publish(region, [("g0", NURSE, _at(early, 11)), ("g1", NURSE, _at(later, 11))], first=early, last=later)
    karin = _logged_in(region, "karin")
    elsa_id = next(c["child_id"] for c in karin.get("/api/v1/me").json_body["can_act_for"])
    karin.post_form("/act-for", {"person": elsa_id, "csrf_token": karin.csrf_token()})
    elsa_booking = _booking_id(_book_in_browser(karin, f"{VC}/g1"))
    _wait(karin, elsa_booking)
    anna = _logged_in(region, "anna")
    anna_booking = _booking_id(_book_in_browser(anna, f"{VC}/g0"))
    anna.post_form(f"/bookings/{anna_booking}/cancel", {"csrf_token": anna.csrf_token()})
    [offer] = _offers_to(elsa_booking)
    assert offer.citizen_id == elsa_id
    inbox = karin.get("/api/v1/inbox").json_body["threads"]  # Elsa's inbox, which Karin reads for her
    assert any(m["subject"] == "Erbjudande om tidigare tid" for t in inbox for m in t["messages"])
    assert karin.post_form(f"/earlier-times/{offer.offer_id}/accept", {"csrf_token": karin.csrf_token()}
                           ).status_code == 303  # fmt: skip
    assert ports().bookings.get(elsa_booking).slot_id == f"{VC}/g0"
    karin.post_form("/act-for", {"person": "self", "csrf_token": karin.csrf_token()})
    assert karin.get(f"/earlier-times/{offer.offer_id}").status_code == 404  # as herself: not hers


def test_a_local_admin_sets_how_long_an_offer_holds_the_time(region):
    johan = _staff(region, "johan")  # local admin at the health centre
    assert "Tid att svara på erbjudande om tidigare tid" in johan.page("/staff/booking-rules")
    bad = _staff_post(johan, "/staff/booking-rules", {"unit": VC, "offer_hold_minutes": "2"})
    assert bad.status_code == 400 and "Ange minuter mellan 5 och 1440." in bad.body.decode()
    assert _staff_post(johan, "/staff/booking-rules", {"unit": VC, "offer_hold_minutes": "45"}).status_code == 303
    eva = _staff(region, "eva")  # case receiver, not local admin
    assert _staff_post(eva, "/staff/booking-rules", {"unit": VC, "offer_hold_minutes": "5"}).status_code in (403, 404)
    anna, ali, olle, anna_booking, ali_booking, olle_booking = _two_waiting(region)
    olle.post_form(f"/bookings/{olle_booking}/cancel", {"csrf_token": olle.csrf_token()})
    [offer] = _offers_to(ali_booking)
    assert offer.expires_at - answerable_from(offer.created_at) == timedelta(minutes=45)


def test_a_care_system_publishing_new_times_offers_them_to_whoever_waits_one_at_a_time(region):
    early, later = _day(4), _day(12)
    _publish(region, [("p1", NURSE, _at(later, 9)), ("p2", NURSE, _at(later, 9, 30))], first=later, last=later)
    anna, ali = _logged_in(region, "anna"), _logged_in(region, "ali")
    anna_booking = _booking_id(_book_in_browser(anna, f"{VC}/p1"))
    ali_booking = _booking_id(_book_in_browser(ali, f"{VC}/p2"))
    _wait(anna, anna_booking)
    _wait(ali, ali_booking)
    # Two new times, the same PUT: Anna (waiting longest) is offered the first, Ali the second, not both to Anna.
    _publish(region, [("n1", NURSE, _at(early, 9)), ("n2", NURSE, _at(early, 9, 30))], first=early, last=early)
    [to_anna], [to_ali] = _offers_to(anna_booking), _offers_to(ali_booking)
    assert (to_anna.slot_id, to_ali.slot_id) == (f"{VC}/n1", f"{VC}/n2")
    # The same PUT again publishes nothing new and offers nothing more.
    _publish(region, [("n1", NURSE, _at(early, 9)), ("n2", NURSE, _at(early, 9, 30))], first=early, last=early)
    assert len(_offers_to(anna_booking)) == 1 and len(_offers_to(ali_booking)) == 1
    # Withdrawing a held time is refused with its own reason (and until when), and changes nothing.
    refused = _publish(region, [("n1", NURSE, _at(early, 9))], first=early, last=early)
    until = f"{to_ali.expires_at.astimezone(clock.STOCKHOLM):%H:%M}"
    assert refused.status_code == 409 and refused.json_body["code"] == "slot_held", refused.body
    assert f"hålls till kl. {until}" in refused.json_body["message"]
    assert ports().slots.get(f"{VC}/n2").held_for == ali_booking


def test_the_json_api_waits_and_stops_waiting(region):
    later = _day(12)
    _publish(region, [("j1", NURSE, _at(later, 9))], first=later, last=later)
    anna = _logged_in(region, "anna")
    booking_id = _booking_id(_book_in_browser(anna, f"{VC}/j1"))
    csrf = anna.csrf_token()

    def put(body: bytes):
        return anna.request("PUT", f"/api/v1/bookings/{booking_id}/earlier-time", body=body,
                            headers={"Content-Type": "application/json", "X-CSRF-Token": csrf})  # fmt: skip

    on = put(b'{"wanted": true}')
    assert on.status_code == 200 and on.json_body["wanted"] is True and on.json_body["waiting_since"]
    assert put(b'{"wanted": true}').json_body["waiting_since"] == on.json_body["waiting_since"]  # the same again
    assert put(b'{"wanted": "ja"}').status_code == 400
    off = put(b'{"wanted": false}')
    assert off.status_code == 200 and off.json_body == {"booking_id": booking_id, "wanted": False,
                                                        "waiting_since": None}  # fmt: skip


def test_a_booking_cancelled_while_it_holds_an_offer_passes_the_time_on_at_once(region):
    anna, ali, olle, anna_booking, ali_booking, olle_booking = _two_waiting(region)
    olle.post_form(f"/bookings/{olle_booking}/cancel", {"csrf_token": olle.csrf_token()})
    [offer] = _offers_to(ali_booking)
    assert ali.post_form(f"/bookings/{ali_booking}/cancel", {"csrf_token": ali.csrf_token()}).status_code == 303
    assert ports().earlier_offers.get(offer.offer_id).state == "declined"
    [to_anna] = _offers_to(anna_booking)
    assert to_anna.slot_id == f"{VC}/e1" and ports().slots.get(f"{VC}/e1").held_for == anna_booking


def test_the_offer_s_notice_by_sms_says_only_that_something_waits(region):
    anna, ali, olle, anna_booking, ali_booking, olle_booking = _two_waiting(region)
    _wait(ali, ali_booking, wanted=False)  # only Anna waits
    notices._verified_citizen(region, "sms", "0701234567")  # after her booking: only the offer is news
    olle.post_form(f"/bookings/{olle_booking}/cancel", {"csrf_token": olle.csrf_token()})
    assert [o.state for o in _offers_to(anna_booking)] == ["open"]
    # The SMS goes at once by day, at 08:00 if the offer came in the evening or at night.
    notifications.dispatch_due(ports(), earliest_send_time(Channel.SMS, clock.utc_now()))
    [sms] = notices._sms()
    assert sms[0] == "+46701234567"
    for secret in ("Norrby", "sjuksköterska", "tidigare", "Anna"):  # nothing of the visit, nor who
        assert secret not in sms[1]


def test_a_booking_leaves_the_wait_list_when_its_online_changes_close(region, monkeypatch):
    anna, ali, olle, anna_booking, ali_booking, olle_booking = _two_waiting(region)
    anna_time = ports().bookings.get(anna_booking)
    closes = anna_time.start - timedelta(hours=24)
    monkeypatch.setattr(clock, "utc_now", lambda: closes)
    fired = {"booking_id": anna_booking, "start": anna_time.start.isoformat()}
    assert app.booking_cutoff(fired, None) == {"result": "reminded"}
    # Her time can no longer be moved online, so no time is offered to it, and the list read for a freed
    # time holds only those who can still take one (it does not grow with the unit's past visits).
    waiting = [w.booking_id for w, _ in ports().wait_list.later_than(VC, NURSE, closes)]
    assert waiting == [ali_booking]
    monkeypatch.undo()  # back to now, where her session is
    assert "Du väntar på en tidigare tid" not in anna.page(f"/bookings/{anna_booking}")
