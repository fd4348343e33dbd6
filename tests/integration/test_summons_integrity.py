"""A summons is booked when the unit is open and not years ahead, unless care says it is meant;
rebooking online is offered only for visit types citizens can book on the web."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

from chalicelib.bootstrap import ports
from chalicelib.domain import clock
from chalicelib.domain.case_due import is_working_day
from chalicelib.domain.clock import STOCKHOLM
from tests.integration.test_summons import KA, PATH, _at, _body, _book, _citizen_id, _logged_in


def _next(weekday: int):
    day = clock.stockholm_date(clock.utc_now()) + timedelta(days=1)
    while day.weekday() != weekday:
        day += timedelta(days=1)
    return day


def _moment(day, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=STOCKHOLM)


def _post(region, key: str, start: datetime, **changes):
    return region.integration("POST", PATH, _body(region, "anna", start=start.isoformat(),
                                                  end=(start + timedelta(minutes=30)).isoformat(), **changes),
                              idempotency_key=key)  # fmt: skip


def test_a_summons_outside_opening_hours_or_years_ahead_is_refused_unless_care_means_it(region):
    # Given the cardiology clinic, open weekdays 07:30–16:00
    early = _at(3, 6, 30)
    saturday = _moment(_next(5), 10)
    late = _at(3, 15, 45)  # ends 16:15, after closing
    far = clock.stockholm_date(clock.utc_now()) + timedelta(days=3 * 365)
    while not is_working_day(far):
        far += timedelta(days=1)
    # When care books at 06:30, on a Saturday, ending after closing, and three years ahead
    for n, start in enumerate((early, saturday, late)):
        refused = _post(region, f"sum-hours-{n}", start)
        # Then each is refused with the clinic's hours in words, and nothing is booked
        assert (refused.status_code, refused.json_body["code"], refused.json_body["field"]) == (
            422, "outside_opening_hours", "start")
        assert "mån–fre 07:30–16:00" in refused.json_body["message"]
    years = _post(region, "sum-far-0", _moment(far, 10))
    assert (years.status_code, years.json_body["code"]) == (422, "too_far_ahead")
    assert ports().bookings.of_citizen(_citizen_id(region, "anna")) == []
    # When care says the early time is meant (an early fasting test), and the far one too
    meant = _post(region, "sum-hours-ok", early, outside_opening_hours_intended=True)
    far_meant = _post(region, "sum-far-ok", _moment(far, 10), far_ahead_intended=True)
    # Then both are booked
    assert meant.status_code == 201 and far_meant.status_code == 201
    assert len(ports().bookings.of_citizen(_citizen_id(region, "anna"))) == 2
    # And a move to a Saturday is refused the same way, unless meant
    appointment = meant.json_body["appointment_id"]
    moved = region.integration("PATCH", f"{PATH}/{appointment}", {
        "start": saturday.isoformat(), "end": (saturday + timedelta(minutes=30)).isoformat()})
    assert (moved.status_code, moved.json_body["code"]) == (422, "outside_opening_hours")
    assert ports().bookings.get(appointment).start == early
    moved = region.integration("PATCH", f"{PATH}/{appointment}", {
        "start": saturday.isoformat(), "end": (saturday + timedelta(minutes=30)).isoformat(),
        "outside_opening_hours_intended": True})
    assert moved.status_code == 200 and ports().bookings.get(appointment).start == saturday


def test_rebooking_online_only_for_a_visit_type_bookable_on_the_web(region):
    anna = _logged_in(region, "anna")
    # Given Årskontroll, which citizens cannot book on the web
    # When care asks for rebooking online
    refused = _post(region, "sum-rebook-1", _at(4, 10), may_rebook=True)
    # Then it is refused, saying why
    assert (refused.status_code, refused.json_body["code"], refused.json_body["field"]) == (
        422, "may_rebook_not_web_bookable", "may_rebook")
    # And without saying, the visit is booked without rebooking online: the booking page says to call
    appointment = _book(region, "anna", "sum-rebook-2")
    assert ports().bookings.get(appointment).allow_rebook is False
    page = anna.page(f"/bookings/{appointment}")
    assert f"/bookings/{appointment}/rebook" not in page
    patched = region.integration("PATCH", f"{PATH}/{appointment}", {"may_rebook": True})
    assert (patched.status_code, patched.json_body["code"]) == (422, "may_rebook_not_web_bookable")
    # While a web-bookable visit type keeps rebooking online by default
    web = _book(region, "anna", "sum-rebook-3", unit_hsa_id="SE2321000099-VC01", visit_type_id="sjukskoterska")
    assert ports().bookings.get(web).allow_rebook is True


def test_the_staff_form_refuses_a_time_the_clinic_is_closed_unless_ticked(region):
    eva = region.browser()
    eva.login("eva", "staff")
    page = eva.page(f"/staff/summons?unit={KA}")
    fields = {"csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', page).group(1),
              "submission_id": re.search(r'name="submission_id" value="([^"]+)"', page).group(1),
              "unit": KA, "personnummer": region.people["gunnar"].personnummer, "visit_type": "arskontroll",
              "day": _at(4, 0).date().isoformat(), "time": "19:00", "may_rebook": "yes", "may_cancel": "yes"}
    # When Eva books 19:00, after the clinic closes
    refused = eva.post_form("/staff/summons", fields)
    # Then the form says so beside the time, and nothing is booked
    assert refused.status_code == 422
    body = refused.body.decode()
    assert 'id="start-error"' in body and "utanför" in body and "kryssa i att tiden är avsiktlig" in body
    assert ports().summons.of_unit(KA, _at(0, 0), _at(30, 0)) == []
    # When she ticks that the time is meant
    assert eva.post_form("/staff/summons", {**fields, "outside_opening_hours_intended": "yes"}).status_code == 303
    (record,) = ports().summons.of_unit(KA, _at(0, 0), _at(30, 0))
    # Then it is booked, and (Årskontroll is not web-bookable) without rebooking online
    assert record.start.astimezone(STOCKHOLM).strftime("%H:%M") == "19:00" and record.allow_rebook is False
