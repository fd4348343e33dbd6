"""Every slot knows who published it: a care system's PUT replaces only its own slots for the day,
never those the unit published in the staff tool, another system's or an appointment's own; a
conflict names the booked time by the system's own slot id; publishing the same times twice
(through either door) changes nothing."""

from __future__ import annotations

from datetime import timedelta

from chalicelib.bootstrap import ports
from chalicelib.domain import clock
from chalicelib.domain.booking import STAFF
from chalicelib.domain.clock import STOCKHOLM
from chalicelib.services import booking
from chalicelib.services.integration import issue_key
from tests.integration.test_booking import (
    VC,
    _at,
    _book_in_browser,
    _booking_id,
    _day,
    _logged_in,
    _publish,
    _staff,
    _staff_post,
)


def _weekday(days_ahead: int):
    """A weekday at least that many days ahead: the units are open on weekdays."""
    day = _day(days_ahead)
    return day + timedelta(days=max(0, 7 - day.weekday())) if day.weekday() >= 5 else day


def _times(day) -> list[tuple[str, str | None]]:
    """The day's slots as the unit's day page lists them: time and who published them."""
    return [(s.start.astimezone(STOCKHOLM).strftime("%H:%M"), s.source)
            for s in ports().slots.between(VC, *booking.day_bounds(day))]  # fmt: skip


def _add_in_staff_tool(eva, day, start: str, end: str, visibility: str = "web"):
    return _staff_post(eva, "/staff/bookings/slots", {"unit": VC, "day": day.isoformat(), "visit_type": "sjukskoterska",
                                                      "from": start, "to": end, "visibility": visibility})


def test_a_care_systems_put_leaves_the_staff_published_times_and_appointments_alone(region):
    # Given two times the unit published in the staff tool, one booked by Anna, and an appointment care booked
    day = _weekday(5)
    eva = _staff(region, "eva")
    assert _add_in_staff_tool(eva, day, "13:00", "14:00").status_code == 303
    anna = _logged_in(region, "anna")
    staff_slot = ports().slots.between(VC, *booking.day_bounds(day))[0]
    booking_id = _booking_id(_book_in_browser(anna, staff_slot.slot_id))
    appointment = region.integration("POST", "/integration/v1/appointments", {
        "unit_hsa_id": VC, "personnummer": region.people["karin"].personnummer, "visit_type_id": "sjukskoterska",
        "start": _at(day, 15).isoformat(), "end": _at(day, 15, 30).isoformat()}, idempotency_key="slot-src-appt-1")
    assert appointment.status_code == 201, appointment.body
    # When the care system publishes its own times for that day, and then publishes an empty day
    first = _publish(region, [("ehr-1", "sjukskoterska", _at(day, 9)), ("ehr-2", "sjukskoterska", _at(day, 9, 30))])
    assert first.json_body == {"published": 2, "withdrawn": 0, "slots": 2}
    key_id = region.integration_key.split(".")[0]
    assert _times(day) == [("09:00", key_id), ("09:30", key_id), ("13:00", STAFF), ("13:30", STAFF), ("15:00", None)]
    emptied = _publish(region, [], first=day, last=day)
    # Then only its own times go; the staff tool's (free and booked) and the appointment stay
    assert emptied.json_body == {"published": 0, "withdrawn": 2, "slots": 0}
    assert _times(day) == [("13:00", STAFF), ("13:30", STAFF), ("15:00", None)]
    assert ports().bookings.get(booking_id).status.value == "booked"
    assert "13:30" in eva.page(f"/staff/bookings?unit={VC}&day={day.isoformat()}")


def test_a_conflict_names_the_booked_time_by_the_systems_own_id_and_another_systems_ids_are_its_own(region):
    # Given the care system's time EHR-4711 booked by Anna
    day = _day(6)
    _publish(region, [("EHR-4711", "sjukskoterska", _at(day, 10)), ("EHR-4712", "sjukskoterska", _at(day, 10, 30))])
    anna = _logged_in(region, "anna")
    _booking_id(_book_in_browser(anna, f"{VC}/EHR-4711"))
    # When the system publishes the day without it
    removed = _publish(region, [("EHR-4712", "sjukskoterska", _at(day, 10, 30))])
    # Then the refusal names EHR-4711 and its time, and nothing changed
    assert (removed.status_code, removed.json_body["code"]) == (409, "slot_booked")
    assert "EHR-4711" in removed.json_body["message"] and f"{day.isoformat()} 10:00" in removed.json_body["message"]
    assert len(_times(day)) == 2
    # A second system at the same unit cannot take over or withdraw the first one's times
    other = issue_key(ports(), system_name="Lab", allowed_units={VC}, scopes={"appointments"}, now=clock.utc_now())
    taken = _publish(region, [("EHR-4712", "sjukskoterska", _at(day, 11))], key=other)
    assert (taken.status_code, taken.json_body["code"]) == (409, "slot_id_taken")
    assert _publish(region, [], first=day, last=day, key=other).json_body["withdrawn"] == 0
    assert len(_times(day)) == 2
    # And ids the platform gives its own slots are not the care system's to use
    reserved = _publish(region, [("staff-x", "sjukskoterska", _at(day, 12))])
    assert (reserved.status_code, reserved.json_body["code"]) == (400, "slot_id_reserved")


def test_publishing_the_same_times_twice_in_the_staff_tool_adds_none(region):
    # Given 13:00–14:00 published in the staff tool
    day = _day(4)
    eva = _staff(region, "eva")
    _add_in_staff_tool(eva, day, "13:00", "14:00")
    # When the same form is sent again, and then 13:00–15:00
    again = _add_in_staff_tool(eva, day, "13:00", "14:00")
    assert again.status_code == 303
    assert _times(day) == [("13:00", STAFF), ("13:30", STAFF)]
    _add_in_staff_tool(eva, day, "13:00", "15:00")
    # Then each time is there once
    assert [t for t, _ in _times(day)] == ["13:00", "13:30", "14:00", "14:30"]
    # And the care system's same body twice changes nothing the second time
    body = [("e1", "sjukskoterska", _at(day, 8))]
    assert _publish(region, body).json_body["published"] == 1
    assert _publish(region, body).json_body == {"published": 0, "withdrawn": 0, "slots": 1}
    assert len(_times(day)) == 5
    assert all(s.start > clock.utc_now() + timedelta(days=1) for s in ports().slots.between(VC, *booking.day_bounds(day)))
