"""Web booking through the pages and the integration API, with moto: publishing slots, one winner
among 50, cancel and rebook under the unit's rules, confirmations with a calendar file, the cutoff
schedule created, moved and deleted, invitations, and the staff side."""

from __future__ import annotations

import re
import threading
from datetime import datetime, time, timedelta, timezone

import requests

from chalicelib.bootstrap import ports
from chalicelib.domain import clock
from chalicelib.domain.clock import STOCKHOLM
from chalicelib.domain.personnummer import parse
from chalicelib.domain.roles import RoleAtUnit, StaffRole
from chalicelib.errors import AppError
from chalicelib.services import booking, booking_staff
from chalicelib.services.integration import issue_key
from chalicelib.services.principals import CitizenPrincipal, StaffPrincipal

VC, HS = "SE2321000099-VC01", "SE2321000099-HS01"
EVA = StaffPrincipal("SE2321000099-P001", "Eva Nilsson", (RoleAtUnit(VC, StaffRole.CASE_RECEIVER),), "x")


def _day(days_ahead: int):
    return clock.stockholm_date(clock.utc_now()) + timedelta(days=days_ahead)


def _at(day, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=STOCKHOLM)


def _publish(region, slots: list[tuple[str, str, datetime]], *, visibility="web", unit=VC, first=None, last=None,
             key=None):  # fmt: skip
    days = sorted({s[2].date() for s in slots}) or [first]
    body = {"from": (first or days[0]).isoformat(), "to": (last or days[-1]).isoformat(), "slots": [
        {"slot_id": sid, "visit_type_id": vt, "start": start.isoformat(),
         "end": (start + timedelta(minutes=30)).isoformat(), "visibility": visibility}
        for sid, vt, start in slots]}  # fmt: skip
    return region.integration("PUT", f"/integration/v1/units/{unit}/slots", body, key=key, idempotency_key=None)


def _logged_in(region, sub: str):
    browser = region.browser()
    browser.login(sub)
    return browser


def _citizen(region, sub: str) -> CitizenPrincipal:
    citizen_id = ports().identities.find_or_create(parse(region.people[sub].personnummer, region.today))
    return CitizenPrincipal(citizen_id, sub, None, None, "x")


def _book_in_browser(browser, slot_id: str, invitation: str | None = None):
    fields = {"csrf_token": browser.csrf_token(), "slot": slot_id}
    if invitation:
        fields["invitation"] = invitation
    return browser.post_form("/book", fields)


def _booking_id(response) -> str:
    assert response.status_code == 303, response.body[:800]
    return response.headers["Location"].split("?")[0].rsplit("/", 1)[1]


def test_publishing_is_idempotent_and_a_booked_slot_cannot_disappear(region):
    day = _day(3)
    slots = [("s1", "sjukskoterska", _at(day, 10)), ("s2", "sjukskoterska", _at(day, 10, 30))]
    first = _publish(region, slots)
    assert first.status_code == 200 and first.json_body == {"published": 2, "withdrawn": 0, "slots": 2}
    assert _publish(region, slots).json_body == {"published": 0, "withdrawn": 0, "slots": 2}
    anna = _logged_in(region, "anna")
    _booking_id(_book_in_browser(anna, f"{VC}/s1"))
    removed = _publish(region, slots[1:])
    assert (removed.status_code, removed.json_body["code"]) == (409, "slot_booked")
    moved = _publish(region, [("s1", "sjukskoterska", _at(day, 11)), slots[1]])
    assert moved.status_code == 409
    assert len(ports().slots.between(VC, *booking.day_bounds(day))) == 2  # nothing written
    assert _publish(region, [slots[0]]).json_body == {"published": 0, "withdrawn": 1, "slots": 1}  # s2 was free


def test_publishing_bad_input_gets_a_code_and_writes_nothing(region):
    day = _day(3)
    other = issue_key(ports(), system_name="HS", allowed_units={HS}, scopes={"appointments"}, now=clock.utc_now())
    past = clock.utc_now().astimezone(STOCKHOLM) - timedelta(hours=1)
    cases = [
        (dict(slots=[("a", "okand-typ", _at(day, 10))]), 422, "visit_type_not_offered"),
        (dict(slots=[("a", "sjukskoterska", _at(day, 10))], first=day + timedelta(days=1), last=day + timedelta(days=2)),
         400, "slot_outside_range"),
        (dict(slots=[("a", "sjukskoterska", past)], first=past.date(), last=past.date() + timedelta(days=1)), 400,
         "slot_in_past"),
        (dict(slots=[("a", "sjukskoterska", _at(day, 10))], key=other), 403, "unit_not_allowed"),
        (dict(slots=[("a", "sjukskoterska", _at(day, 10))] * 2), 400, "slots_invalid"),
    ]  # fmt: skip
    for kwargs, status, code in cases:
        response = _publish(region, **kwargs)
        assert (response.status_code, response.json_body["code"]) == (status, code), kwargs
    end_first = region.integration("PUT", f"/integration/v1/units/{VC}/slots", {
        "from": day.isoformat(), "to": day.isoformat(), "slots": [{"slot_id": "b", "visit_type_id": "sjukskoterska",
        "start": _at(day, 10).isoformat(), "end": _at(day, 9).isoformat()}]}, idempotency_key=None)  # fmt: skip
    assert end_first.json_body["code"] == "end_before_start"
    assert ports().slots.between(VC, *booking.day_bounds(day)) == []


def test_a_citizen_books_in_the_browser_and_gets_a_confirmation_with_a_calendar_file(region):
    day = _day(4)
    _publish(region, [("t1", "sjukskoterska", _at(day, 9)), ("t2", "sjukskoterska", _at(day, 9, 30))])
    anna = _logged_in(region, "anna")
    assert "Vårdcentralen Norrby" in anna.page("/book")
    assert "Besök hos sjuksköterska" in anna.page(f"/book?unit={VC}")
    days = anna.page(f"/book?unit={VC}&visit_type=sjukskoterska")
    assert day.isoformat() in days
    times = anna.page(f"/book?unit={VC}&visit_type=sjukskoterska&day={day.isoformat()}")
    assert "09:00–09:30" in times and "09:30–10:00" in times
    assert "Boka tiden" in anna.page(f"/book/confirm?slot={VC}/t1")
    booking_id = _booking_id(_book_in_browser(anna, f"{VC}/t1"))
    page = anna.page(f"/bookings/{booking_id}?done=booked")
    assert "Tiden är bokad" in page and "Avboka tiden" in page and "Boka om" in page
    assert "Besök hos sjuksköterska" in anna.page("/bookings") and "Nästa:" in anna.page("/")
    # The time is gone for others
    assert "09:00–09:30" not in anna.page(f"/book?unit={VC}&visit_type=sjukskoterska&day={day.isoformat()}")
    # The confirmation in the inbox, with a calendar file
    thread = anna.get("/api/v1/inbox").json_body["threads"][0]
    message = thread["messages"][0]
    assert message["subject"] == "Bokningsbekräftelse" and message["attachments"][0]["filename"] == "bokning.ics"
    link = anna.get(f"/api/v1/inbox/messages/{message['message_id']}/attachments/"
                    f"{message['attachments'][0]['attachment_id']}").json_body["url"]  # fmt: skip
    ics = requests.get(link, timeout=10).text
    start_utc = _at(day, 9).astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    assert f"DTSTART:{start_utc}" in ics and "LOCATION:Mottagningen\\, plan 2" in ics
    # The cutoff schedule: 24 hours before, in Stockholm time, deleted after it runs
    schedule = ports().cutoff_schedules.get(booking_id)
    closes = (_at(day, 9) - timedelta(hours=24)).astimezone(STOCKHOLM).replace(tzinfo=None)
    assert schedule["ScheduleExpression"] == f"at({closes.isoformat()})"
    assert schedule["ScheduleExpressionTimezone"] == "Europe/Stockholm"
    assert schedule["ActionAfterCompletion"] == "DELETE"
    # The same confirmation sent twice is one booking
    assert _booking_id(_book_in_browser(anna, f"{VC}/t1")) == booking_id


def test_fifty_at_once_one_slot_one_booking(region):
    day = _day(5)
    _publish(region, [("race", "sjukskoterska", _at(day, 13))])
    now = clock.utc_now()
    results: list[str] = []
    start = threading.Barrier(50)

    def attempt(n: int) -> None:
        principal = CitizenPrincipal(f"racer-{n}", f"Racer {n}", None, None, "x")
        start.wait()
        try:
            booking.book(ports(), principal, f"{VC}/race", now)
            results.append("booked")
        except AppError as error:
            results.append(error.code)

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count("booked") == 1 and results.count("slot_taken") == 49
    holder = ports().slots.get(f"{VC}/race").booking_id
    winners = [n for n in range(50) if any(b.booking_id == holder for b in ports().bookings.of_citizen(f"racer-{n}"))]
    assert len(winners) == 1


def test_rebooking_takes_the_new_time_and_frees_the_old_or_changes_nothing(region):
    day = _day(6)
    _publish(region, [("r1", "sjukskoterska", _at(day, 9)), ("r2", "sjukskoterska", _at(day, 10)),
                      ("r3", "sjukskoterska", _at(day, 11))])  # fmt: skip
    anna = _logged_in(region, "anna")
    booking_id = _booking_id(_book_in_browser(anna, f"{VC}/r1"))
    # Someone else takes r2 at the same moment Anna asks for it: she keeps r1.
    booking.book(ports(), CitizenPrincipal("other", "Other", None, None, "x"), f"{VC}/r2", clock.utc_now())
    refused = anna.post_form(f"/bookings/{booking_id}/rebook", {"csrf_token": anna.csrf_token(), "slot": f"{VC}/r2"})
    assert refused.status_code == 409 and "Någon annan hann boka tiden" in refused.body.decode()
    assert ports().slots.get(f"{VC}/r1").booking_id == booking_id
    before = ports().cutoff_schedules.get(booking_id)["ScheduleExpression"]
    moved = anna.post_form(f"/bookings/{booking_id}/rebook", {"csrf_token": anna.csrf_token(), "slot": f"{VC}/r3"})
    assert moved.status_code == 303
    assert ports().slots.get(f"{VC}/r1").booking_id is None
    assert ports().slots.get(f"{VC}/r3").booking_id == booking_id
    after = ports().cutoff_schedules.get(booking_id)["ScheduleExpression"]
    assert before != after and after.startswith(f"at({(day - timedelta(days=1)).isoformat()}T11:00")
    subjects = [m["subject"] for t in anna.get("/api/v1/inbox").json_body["threads"] for m in t["messages"]]
    assert subjects.count("Din tid är ombokad") == 1


def test_cancelling_frees_the_slot_deletes_the_schedule_and_tells_the_unit_why(region):
    day = _day(6)
    _publish(region, [("c1", "sjukskoterska", _at(day, 14))])
    anna = _logged_in(region, "anna")
    booking_id = _booking_id(_book_in_browser(anna, f"{VC}/c1"))
    bad = anna.post_form(f"/bookings/{booking_id}/cancel", {"csrf_token": anna.csrf_token(), "reason": "secret"})
    assert bad.status_code == 400 and ports().slots.get(f"{VC}/c1").booking_id == booking_id
    response = anna.post_form(f"/bookings/{booking_id}/cancel", {"csrf_token": anna.csrf_token(),
                                                                 "reason": "feeling_better"})  # fmt: skip
    assert response.status_code == 303
    assert ports().slots.get(f"{VC}/c1").booking_id is None  # bookable again at once
    assert ports().cutoff_schedules.get(booking_id) is None
    assert ports().bookings.get(booking_id).cancel_reason == "feeling_better"
    assert "Besök hos sjuksköterska" not in anna.page("/bookings")
    other = booking.book(ports(), CitizenPrincipal("next", "Next", None, None, "x"), f"{VC}/c1", clock.utc_now())
    assert other.slot_id == f"{VC}/c1"


def test_inside_the_cutoff_the_page_says_call_the_unit_and_nothing_changes(region):
    soon = clock.utc_now() + timedelta(hours=23)
    soon_local = soon.astimezone(STOCKHOLM).replace(second=0, microsecond=0)
    _publish(region, [("soon", "provtagning", soon_local), ("later", "provtagning", soon_local + timedelta(hours=2))],
             last=soon_local.date() + timedelta(days=1))  # fmt: skip
    anna = _logged_in(region, "anna")
    booking_id = _booking_id(_book_in_browser(anna, f"{VC}/soon"))  # same-day booking is allowed here
    page = anna.page(f"/bookings/{booking_id}")
    assert "kan inte längre ändras här" in page and "010-100 10 00" in page and "Avboka tiden" not in page
    refused = anna.post_form(f"/bookings/{booking_id}/rebook", {"csrf_token": anna.csrf_token(), "slot": f"{VC}/later"})
    assert refused.status_code == 422 and "Ring mottagningen" in refused.body.decode()
    assert anna.post_form(f"/bookings/{booking_id}/cancel", {"csrf_token": anna.csrf_token()}).status_code == 422
    assert ports().slots.get(f"{VC}/soon").booking_id == booking_id
    assert ports().cutoff_schedules.get(booking_id) is None  # the moment had passed when she booked


def test_a_unit_that_takes_cancellations_by_phone_only(region):
    day = _day(3)
    _publish(region, [("sti", "sti-test", _at(day, 10))], unit=HS)
    anna = _logged_in(region, "anna")
    booking_id = _booking_id(_book_in_browser(anna, f"{HS}/sti"))
    page = anna.page(f"/bookings/{booking_id}")
    assert "tar inte emot avbokningar här. Ring 010-100 30 00" in page and "Avboka tiden" not in page
    response = anna.post_form(f"/bookings/{booking_id}/cancel", {"csrf_token": anna.csrf_token()})
    assert response.status_code == 422 and ports().slots.get(f"{HS}/sti").booking_id == booking_id


def test_the_cutoff_reminder_goes_once_and_not_for_a_moved_or_cancelled_booking(region):
    day = _day(4)
    _publish(region, [("m1", "sjukskoterska", _at(day, 9)), ("m2", "sjukskoterska", _at(day, 10))])
    principal = _citizen(region, "anna")
    made = booking.book(ports(), principal, f"{VC}/m1", clock.utc_now())
    event = {"booking_id": made.booking_id, "start": made.start.isoformat()}
    import app

    assert app.booking_cutoff(event, None) == {"result": "reminded"}
    assert app.booking_cutoff(event, None) == {"result": "already_reminded"}  # the schedule fired twice
    region.follow_up()
    reminders = [m for m in ports().inbox.inbox_of(principal.citizen_id) if m.subject == "Påminnelse om din bokade tid"]
    assert len(reminders) == 1 and "Vårdcentralen Norrby" in reminders[0].body
    moved = booking.rebook(ports(), principal, made.booking_id, f"{VC}/m2", clock.utc_now())
    assert app.booking_cutoff(event, None) == {"result": "moved"}  # the old time's schedule
    booking.cancel(ports(), principal, moved.booking_id, None, clock.utc_now())
    assert app.booking_cutoff({"booking_id": moved.booking_id, "start": moved.start.isoformat()}, None) == {
        "result": "no_booking"}


def test_invitation_only_slots_need_an_invitation_that_has_not_expired(region):
    day = _day(5)
    _publish(region, [("i1", "sjukskoterska", _at(day, 9)), ("i2", "sjukskoterska", _at(day, 9, 30))],
             visibility="invited")  # fmt: skip
    anna = _logged_in(region, "anna")
    refused = _book_in_browser(anna, f"{VC}/i1")
    assert refused.status_code == 422 and "bara bokas med en inbjudan" in refused.body.decode()
    assert day.isoformat() not in anna.page(f"/book?unit={VC}&visit_type=sjukskoterska")
    invitation = booking_staff.invite(ports(), EVA, VC, {"personnummer": region.people["anna"].personnummer,
                                      "visit_type": "sjukskoterska", "slot_ids": [f"{VC}/i1", f"{VC}/i2"],
                                      "valid_days": "7"}, clock.utc_now())  # fmt: skip
    letter = anna.get("/api/v1/inbox").json_body["threads"][0]["messages"][0]
    assert letter["subject"] == "Välkommen att boka tid: Besök hos sjuksköterska"
    listed = anna.page(f"/book?unit={VC}&visit_type=sjukskoterska&invitation={invitation}&day={day.isoformat()}")
    assert "09:00–09:30" in listed
    # The phone app's door: the invitation is open, with what it opens and until when
    (listed_json,) = anna.get("/api/v1/invitations").json_body["invitations"]
    assert listed_json["invitation_id"] == invitation and listed_json["state"] == "open"
    assert listed_json["visit_type_name"] == "Besök hos sjuksköterska" and listed_json["unit_name"] == "Vårdcentralen Norrby"
    booked = _booking_id(_book_in_browser(anna, f"{VC}/i1", invitation))
    assert booked
    used = anna.get(f"/api/v1/invitations/{invitation}").json_body
    assert used["state"] == "used" and used["booking_id"] == booked
    again = _book_in_browser(anna, f"{VC}/i2", invitation)
    assert again.status_code == 422 and "redan bokat en tid med den här inbjudan" in again.body.decode()
    maja = _logged_in(region, "maja")  # someone else cannot use Anna's invitation
    assert _book_in_browser(maja, f"{VC}/i2", invitation).status_code == 404
    assert maja.get(f"/api/v1/invitations/{invitation}").status_code == 404
    assert maja.get("/api/v1/invitations").json_body["invitations"] == []
    expired = booking_staff.invite(ports(), EVA, VC, {"personnummer": region.people["anna"].personnummer,
                                   "visit_type": "sjukskoterska", "slot_ids": [f"{VC}/i2"], "valid_days": "1"},
                                   clock.utc_now() - timedelta(days=2))  # fmt: skip
    late = _book_in_browser(anna, f"{VC}/i2", expired)
    assert late.status_code == 422 and "Inbjudan har gått ut" in late.body.decode()
    assert anna.get(f"/api/v1/invitations/{expired}").json_body["state"] == "expired"


def test_a_guardian_books_for_her_child_under_13(region):
    day = _day(3)
    _publish(region, [("g1", "sjukskoterska", _at(day, 9))])
    karin = _logged_in(region, "karin")
    elsa_id = next(c["child_id"] for c in karin.get("/api/v1/me").json_body["can_act_for"])
    karin.post_form("/act-for", {"person": elsa_id, "csrf_token": karin.csrf_token()})
    booking_id = _booking_id(_book_in_browser(karin, f"{VC}/g1"))
    assert ports().bookings.get(booking_id).citizen_id == elsa_id
    assert "Du företräder Elsa" in karin.page("/bookings")
    karin.post_form("/act-for", {"person": "self", "csrf_token": karin.csrf_token()})
    assert "Besök hos sjuksköterska" not in karin.page("/bookings")
    assert karin.get(f"/bookings/{booking_id}").status_code == 404


def _staff(region, sub: str):
    browser = region.browser()
    browser.login(sub, "staff")
    return browser


def _staff_post(staff, path: str, fields: dict):
    import urllib.parse

    csrf = staff.csrf_token("/api/v1/staff/me")
    body = urllib.parse.urlencode({"csrf_token": csrf, **fields}, doseq=True).encode()
    return staff.request("POST", path, headers={"Content-Type": "application/x-www-form-urlencoded"}, body=body)


def test_staff_see_the_day_and_week_and_each_booking_shown_is_logged(region):
    day = _day(3)
    _publish(region, [("d1", "sjukskoterska", _at(day, 9)), ("d2", "sjukskoterska", _at(day, 9, 30))])
    anna = _logged_in(region, "anna")
    _book_in_browser(anna, f"{VC}/d1")
    eva = _staff(region, "eva")
    page = eva.page(f"/staff/bookings?unit={VC}&day={day.isoformat()}")
    assert ">Anna Andersson</a>" in page and "Ledig" in page and "Besök hos sjuksköterska" in page
    week = eva.page(f"/staff/bookings/week?unit={VC}&day={day.isoformat()}")
    assert re.search(r'<td class="cell-free"><ul class="counts"><li class="count-free">1 ledig</li>'
                     r'<li class="count-booked">1 bokad</li></ul></td>', week)  # 09:00–10:00 that day
    log = ports().access_log.of_citizen(_citizen(region, "anna").citizen_id)
    assert [(e.staff_name, e.what) for e in log] == [("Eva Nilsson", "booking")]
    lisa = _staff(region, "lisa")  # another unit's staff
    assert lisa.get(f"/staff/bookings?unit={VC}&day={day.isoformat()}").body.decode().count("Anna Andersson") == 0


def test_staff_book_move_and_cancel_for_a_citizen_and_past_the_cutoff_only_with_a_reason(region):
    soon = clock.utc_now().astimezone(STOCKHOLM).replace(second=0, microsecond=0) + timedelta(hours=20)
    _publish(region, [("x1", "sjukskoterska", soon), ("x2", "sjukskoterska", soon + timedelta(hours=1))],
             last=soon.date() + timedelta(days=1))  # fmt: skip
    anna = _logged_in(region, "anna")
    eva = _staff(region, "eva")
    where = {"unit": VC, "day": soon.date().isoformat()}
    bad = _staff_post(eva, "/staff/bookings/book", {**where, "slot": f"{VC}/x1", "personnummer": "19121212"})
    assert bad.status_code == 400 and ports().slots.get(f"{VC}/x1").booking_id is None
    booked = _staff_post(eva, "/staff/bookings/book", {**where, "slot": f"{VC}/x1",
                                                       "personnummer": region.people["anna"].personnummer})  # fmt: skip
    assert booked.status_code == 303
    booking_id = ports().slots.get(f"{VC}/x1").booking_id
    assert "Tiden bokades av Vårdcentralen Norrby" in anna.get(
        f"/api/v1/inbox/messages/{anna.get('/api/v1/inbox').json_body['threads'][0]['messages'][0]['message_id']}"
    ).json_body["messages"][0]["body"]  # fmt: skip
    # 20 hours before: past the 24-hour cutoff. Moving needs a reason.
    refused = _staff_post(eva, f"/staff/bookings/{booking_id}/move", {**where, "slot": f"{VC}/x2"})
    assert refused.status_code == 400 and "Skriv varför" in refused.body.decode()
    assert ports().slots.get(f"{VC}/x1").booking_id == booking_id
    moved = _staff_post(eva, f"/staff/bookings/{booking_id}/move", {**where, "slot": f"{VC}/x2",
                                                                    "override_reason": "Läkaren är sjuk"})  # fmt: skip
    assert moved.status_code == 303 and ports().slots.get(f"{VC}/x2").booking_id == booking_id
    cancelled = _staff_post(eva, f"/staff/bookings/{booking_id}/cancel", {**where,
                                                                          "override_reason": "Mottagningen stänger"})
    assert cancelled.status_code == 303 and ports().slots.get(f"{VC}/x2").booking_id is None
    bodies = [m.body for m in ports().inbox.inbox_of(_citizen(region, "anna").citizen_id)]
    assert any("Orsak: Läkaren är sjuk" in b for b in bodies) and any("Orsak: Mottagningen stänger" in b for b in bodies)
    lisa = _staff(region, "lisa")  # another unit
    assert _staff_post(lisa, "/staff/bookings/book", {**where, "slot": f"{VC}/x1",
                                                      "personnummer": region.people["anna"].personnummer}).status_code == 403


def test_staff_publish_times_and_send_an_open_invitation_from_the_day_page(region):
    day = _day(4)
    anna = _logged_in(region, "anna")
    eva = _staff(region, "eva")
    where = {"unit": VC, "day": day.isoformat()}
    added = _staff_post(eva, "/staff/bookings/slots", {**where, "visit_type": "sjukskoterska", "from": "13:00",
                                                       "to": "14:00", "visibility": "invited"})  # fmt: skip
    assert added.status_code == 303
    slots = ports().slots.between(VC, *booking.day_bounds(day))
    assert [s.start.astimezone(STOCKHOLM).strftime("%H:%M") for s in slots] == ["13:00", "13:30"]
    page = eva.page(f"/staff/bookings?unit={VC}&day={day.isoformat()}")
    assert "Endast inbjudna" in page and "Skicka inbjudan" in page
    sent = _staff_post(eva, "/staff/bookings/invite", {**where, "visit_type": "sjukskoterska", "valid_days": "7",
                       "personnummer": region.people["anna"].personnummer, "slot_ids": [s.slot_id for s in slots]})
    assert sent.status_code == 303
    letter = anna.get("/api/v1/inbox").json_body["threads"][0]["messages"][0]
    assert 'class="button"' in anna.page(f"/inbox/{letter['message_id']}")
    (action,) = letter["actions"]
    assert action["label"] == "Boka tid"
    listed = anna.page(action["path"] + f"&day={day.isoformat()}")
    assert "13:00–13:30" in listed and "13:30–14:00" in listed
    bad = _staff_post(eva, "/staff/bookings/slots", {**where, "visit_type": "sjukskoterska", "from": "14:00",
                                                     "to": "13:00"})  # fmt: skip
    assert bad.status_code == 400 and len(ports().slots.between(VC, *booking.day_bounds(day))) == 2


def test_a_rebook_racing_a_booking_for_the_same_new_time_leaves_everyone_with_exactly_one_slot(region):
    for round_ in range(5):
        day = _day(7 + round_)  # a day each: publishing replaces a day's slots
        old, new = f"old{round_}", f"new{round_}"
        _publish(region, [(old, "sjukskoterska", _at(day, 8 + round_)),
                          (new, "sjukskoterska", _at(day, 8 + round_, 30))])  # fmt: skip
        anna = _citizen(region, "anna")
        held = booking.book(ports(), anna, f"{VC}/{old}", clock.utc_now())
        barrier, outcome = threading.Barrier(2), {}

        def rebook() -> None:
            barrier.wait()
            try:
                outcome["rebook"] = booking.rebook(ports(), anna, held.booking_id, f"{VC}/{new}", clock.utc_now()).slot_id
            except AppError as error:
                outcome["rebook"] = error.code

        def other() -> None:
            barrier.wait()
            try:
                outcome["other"] = booking.book(ports(), CitizenPrincipal(f"o{round_}", "O", None, None, "x"),
                                                f"{VC}/{new}", clock.utc_now()).slot_id  # fmt: skip
            except AppError as error:
                outcome["other"] = error.code

        threads = [threading.Thread(target=rebook), threading.Thread(target=other)]
        [t.start() for t in threads]
        [t.join() for t in threads]
        assert sorted(outcome.values()) == sorted([f"{VC}/{new}", "slot_taken"]), outcome
        # Anna holds exactly one slot, the one her booking names: the new if she won, else the old.
        held_slots = [s for s in (f"{VC}/{old}", f"{VC}/{new}") if ports().slots.get(s).booking_id == held.booking_id]
        assert held_slots == [ports().bookings.get(held.booking_id).slot_id]


def test_from_tomorrow_refuses_a_time_later_today(region):
    day = _day(3)
    _publish(region, [("today", "sjukskoterska", _at(day, 15))])
    morning = _at(day, 8).astimezone(timezone.utc)  # that day at 08:00: the visit is "today"
    try:
        booking.book(ports(), _citizen(region, "anna"), f"{VC}/today", morning)
    except AppError as error:
        assert error.code == "too_soon"
    else:
        raise AssertionError("booked a from-tomorrow visit type for later the same day")
    evening_before = _at(day - timedelta(days=1), 23, 59).astimezone(timezone.utc)
    assert booking.book(ports(), _citizen(region, "anna"), f"{VC}/today", evening_before).slot_id == f"{VC}/today"


def test_a_local_admin_changes_a_visit_types_rules_and_they_apply_at_once(region):
    day = _day(3)
    _publish(region, [("ru", "sjukskoterska", _at(day, 10))])
    anna = _logged_in(region, "anna")
    booking_id = _booking_id(_book_in_browser(anna, f"{VC}/ru"))
    johan = _staff(region, "johan")  # local admin at the health centre
    assert "Besök hos sjuksköterska" in johan.page("/staff/booking-rules")
    fields = {"unit": VC, "visit_type": "sjukskoterska", "preset": "from_tomorrow", "cancel_hours": "96",
              "rebook_hours": "96", "web_booking": "yes"}  # fmt: skip
    assert _staff_post(johan, "/staff/booking-rules", {**fields, "cancel_hours": "x"}).status_code == 400
    assert _staff_post(johan, "/staff/booking-rules", fields).status_code == 303
    # Three days ahead is now inside the 96-hour cutoff, and cancelling is by phone only.
    page = anna.page(f"/bookings/{booking_id}")
    assert "Tiden kan inte längre ändras här – ring mottagningen på 010-100 10 00." in page and "till och med" not in page
    eva = _staff(region, "eva")  # case receiver, not local admin
    assert _staff_post(eva, "/staff/booking-rules", fields).status_code == 403


def test_a_booking_the_unit_hides_is_not_shown_to_the_citizen(region):
    day = _day(3)
    _publish(region, [("h1", "sjukskoterska", _at(day, 10))], visibility="hidden")
    anna = _logged_in(region, "anna")
    assert day.isoformat() not in anna.page(f"/book?unit={VC}&visit_type=sjukskoterska")
    assert _book_in_browser(anna, f"{VC}/h1").status_code == 422
    eva = _staff(region, "eva")
    _staff_post(eva, "/staff/bookings/book", {"unit": VC, "day": day.isoformat(), "slot": f"{VC}/h1",
                                              "personnummer": region.people["anna"].personnummer})  # fmt: skip
    booking_id = ports().slots.get(f"{VC}/h1").booking_id
    assert booking_id and "Besök hos sjuksköterska" not in anna.page("/bookings")
    assert anna.get(f"/bookings/{booking_id}").status_code == 404
    assert anna.get("/api/v1/inbox").json_body["threads"] == []  # no confirmation either
    assert ">Anna Andersson</a>" in eva.page(f"/staff/bookings?unit={VC}&day={day.isoformat()}")


def test_the_json_api_books_rebooks_and_cancels_with_codes(region):
    day = _day(3)
    _publish(region, [("j1", "sjukskoterska", _at(day, 9)), ("j2", "sjukskoterska", _at(day, 9, 30))])
    anna = _logged_in(region, "anna")
    csrf = {"X-CSRF-Token": anna.csrf_token(), "Content-Type": "application/json"}

    def post(path: str, body: dict):
        import json

        return anna.request("POST", path, headers=csrf, body=json.dumps(body).encode())

    units = anna.get("/api/v1/booking-units").json_body["units"]
    assert [u["hsa_id"] for u in units] == [HS, VC]  # by name; the cardiology clinic books by invitation only
    slots = anna.get(f"/api/v1/booking-units/{VC}/visit-types/sjukskoterska/slots").json_body["slots"]
    assert [s["slot_id"] for s in slots] == [f"{VC}/j1", f"{VC}/j2"]
    made = post("/api/v1/bookings", {"slot_id": f"{VC}/j1"})
    assert made.status_code == 201 and made.json_body["can_rebook"] is True
    booking_id = made.json_body["booking_id"]
    taken = booking.book(ports(), CitizenPrincipal("x", "X", None, None, "x"), f"{VC}/j2", clock.utc_now())
    refused = post(f"/api/v1/bookings/{booking_id}/rebook", {"slot_id": f"{VC}/j2"})
    assert (refused.status_code, refused.json_body["code"]) == (409, "slot_taken")
    booking.cancel(ports(), CitizenPrincipal("x", "X", None, None, "x"), taken.booking_id, None, clock.utc_now())
    assert post(f"/api/v1/bookings/{booking_id}/rebook", {"slot_id": f"{VC}/j2"}).json_body["slot_id"] == f"{VC}/j2"
    assert anna.request("POST", f"/api/v1/bookings/{booking_id}/cancel", body=b"{}").status_code == 403  # no CSRF
    cancelled = post(f"/api/v1/bookings/{booking_id}/cancel", {"reason": "other"})
    assert cancelled.json_body["status"] == "cancelled"
    assert anna.get("/api/v1/bookings").json_body["bookings"] == []
