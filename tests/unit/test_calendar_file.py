"""The calendar file (.ics) for a booking: a later change replaces an earlier one (SEQUENCE one more
per change, DTSTAMP the change time), the unit is the organizer, text is escaped as RFC 5545 says,
a cancellation cancels, and a sensitive visit shows only "Besök" in a calendar others may see."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

from chalicelib.domain.booking import Booking, BookingStatus, Slot, Visibility
from chalicelib.domain.calendar import booking_ics

BOOKED_AT = datetime(2026, 3, 2, 8, 15, tzinfo=timezone.utc)
START = datetime(2026, 3, 5, 9, 0, tzinfo=timezone.utc)
BOOKING = Booking(
    booking_id="b-1", citizen_id="c-1", unit_hsa_id="SE2321000099-HS01", unit_name="Hud- och STI-mottagningen",
    visit_type_id="sti-test", visit_type_name="Provtagning för könssjukdomar", slot_id="SE2321000099-HS01/s1",
    start=START, end=START + timedelta(minutes=15), place="Torget 2, plan 1", status=BookingStatus.BOOKED,
    booked_by="citizen", created_at=BOOKED_AT,
)  # fmt: skip


def _lines(ics: bytes) -> list[str]:
    """Unfolded content lines."""
    return ics.decode().replace("\r\n ", "").split("\r\n")


def _prop(ics: bytes, name: str) -> str:
    return next(line.split(":", 1)[1] for line in _lines(ics) if line.split(":", 1)[0].split(";")[0] == name)


def test_each_change_adds_one_to_sequence_and_dtstamp_is_when_it_changed():
    # Given a booking, then moved, then cancelled
    first = booking_ics(BOOKING, "e-tjanster.example", BOOKED_AT)
    moved_at, cancelled_at = BOOKED_AT + timedelta(hours=1), BOOKED_AT + timedelta(days=1)
    moved = BOOKING.moved_to(Slot("SE2321000099-HS01/s2", BOOKING.unit_hsa_id, "sti-test", START + timedelta(hours=1),
                                  START + timedelta(hours=1, minutes=15), "Torget 2", "Barnmorska", Visibility.WEB))
    second = booking_ics(moved, "e-tjanster.example", moved_at)
    third = booking_ics(moved.cancelled("cannot_come"), "e-tjanster.example", cancelled_at)
    # Then the calendar sees 0, 1, 2 for the same UID, stamped at each change
    assert [_prop(x, "SEQUENCE") for x in (first, second, third)] == ["0", "1", "2"]
    assert {_prop(x, "UID") for x in (first, second, third)} == {"b-1@e-tjanster.example"}
    assert [_prop(x, "DTSTAMP") for x in (first, second, third)] == ["20260302T081500Z", "20260302T091500Z",
                                                                     "20260303T081500Z"]
    # And the cancellation cancels
    assert (_prop(third, "METHOD"), _prop(third, "STATUS")) == ("CANCEL", "CANCELLED")
    assert (_prop(first, "METHOD"), _prop(first, "STATUS")) == ("PUBLISH", "CONFIRMED")


def test_the_unit_is_the_organizer():
    ics = booking_ics(BOOKING, "e-tjanster.example:8000", BOOKED_AT)
    organizer = next(line for line in _lines(ics) if line.startswith("ORGANIZER"))
    assert organizer == 'ORGANIZER;CN="Hud- och STI-mottagningen":mailto:no-reply@e-tjanster.example'


def test_a_sensitive_visit_is_only_besok_and_private():
    # Given the STI clinic marks its visit type sensitive
    ics = booking_ics(BOOKING, "e-tjanster.example", BOOKED_AT, sensitive=True)
    # Then a shared calendar shows "Besök", never what the visit is for
    assert _prop(ics, "SUMMARY") == "Besök" and _prop(ics, "CLASS") == "PRIVATE"
    assert "könssjukdomar" not in ics.decode()
    plain = booking_ics(BOOKING, "e-tjanster.example", BOOKED_AT)
    assert _prop(plain, "SUMMARY") == "Provtagning för könssjukdomar\\, Hud- och STI-mottagningen"
    assert "CLASS" not in plain.decode()


def test_line_breaks_and_special_characters_are_escaped_and_cannot_add_properties():
    # Given a place with CR, LF, CRLF, a semicolon, a comma and a backslash, and a unit name with a quote
    odd = replace(BOOKING, place='Plan 1\r\nATTENDEE:mailto:x@evil.example\rA;B,C\\D\nE',
                  unit_name='Mottagning "Norr"\r\nX')  # fmt: skip
    ics = booking_ics(odd, "e-tjanster.example", BOOKED_AT)
    lines = _lines(ics)
    # Then no line starts a property the text smuggled in, and the text reads back escaped
    assert not any(line.startswith("ATTENDEE") for line in lines)
    assert _prop(ics, "LOCATION") == "Plan 1\\nATTENDEE:mailto:x@evil.example\\nA\\;B\\,C\\\\D\\nE"
    assert next(x for x in lines if x.startswith("ORGANIZER")).startswith('ORGANIZER;CN="Mottagning Norr X":')
    assert all("\r" not in x and "\n" not in x for x in lines)
    # And every physical line is at most 75 octets
    assert all(len(x.encode()) <= 75 for x in ics.decode().split("\r\n"))
