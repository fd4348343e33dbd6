"""The calendar file a person gets with each booking confirmation: the latest change wins in their
calendar, a cancellation removes the visit, and a sensitive visit shows only "Besök"."""

from __future__ import annotations

from datetime import timezone

import requests

from tests.integration.test_booking import (
    HS,
    VC,
    _at,
    _book_in_browser,
    _booking_id,
    _day,
    _logged_in,
    _publish,
    _staff_post,
)


def _calendar_files(browser) -> list[str]:
    """Every .ics in the person's inbox, oldest first."""
    files = []
    for thread in browser.get("/api/v1/inbox").json_body["threads"]:
        for message in thread["messages"]:
            for attachment in message["attachments"]:
                if attachment["filename"].endswith(".ics"):
                    link = browser.get(f"/api/v1/inbox/messages/{message['message_id']}/attachments/"
                                       f"{attachment['attachment_id']}").json_body["url"]  # fmt: skip
                    files.append((message["sent_at"], requests.get(link, timeout=10).content.decode()))
    return [text for _, text in sorted(files)]


def _prop(ics: str, name: str) -> str:
    lines = ics.replace("\r\n ", "").split("\r\n")
    return next(line.split(":", 1)[1] for line in lines if line.split(":", 1)[0].split(";")[0] == name)


def test_booked_moved_and_cancelled_gives_sequence_0_1_2_and_the_last_cancels(region):
    # Given Anna books 09:00, moves to 11:00, then cancels
    day = _day(6)
    _publish(region, [("q1", "sjukskoterska", _at(day, 9)), ("q2", "sjukskoterska", _at(day, 11))])
    anna = _logged_in(region, "anna")
    booking_id = _booking_id(_book_in_browser(anna, f"{VC}/q1"))
    assert anna.post_form(f"/bookings/{booking_id}/rebook", {"csrf_token": anna.csrf_token(),
                                                             "slot": f"{VC}/q2"}).status_code == 303
    assert anna.post_form(f"/bookings/{booking_id}/cancel", {"csrf_token": anna.csrf_token()}).status_code == 303
    # Then her calendar gets three versions of one event, each replacing the one before, the last a cancellation
    first, moved, cancelled = _calendar_files(anna)
    assert len({_prop(x, "UID") for x in (first, moved, cancelled)}) == 1
    assert [_prop(x, "SEQUENCE") for x in (first, moved, cancelled)] == ["0", "1", "2"]
    assert _prop(moved, "DTSTART") == _at(day, 11).astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    assert (_prop(cancelled, "METHOD"), _prop(cancelled, "STATUS")) == ("CANCEL", "CANCELLED")
    assert 'CN="Vårdcentralen Norrby"' in first.replace("\r\n ", "")


def test_a_visit_the_unit_marks_sensitive_is_besok_in_the_calendar(region):
    # Given the STI clinic's test visit, which the clinic marks sensitive
    day = _day(3)
    _publish(region, [("sti-1", "sti-test", _at(day, 10))], unit=HS)
    karin = _logged_in(region, "karin")
    _booking_id(_book_in_browser(karin, f"{HS}/sti-1"))
    # When Karin adds the confirmation's calendar file to her shared calendar
    (ics,) = _calendar_files(karin)
    # Then it says only "Besök", and is private
    assert _prop(ics, "SUMMARY") == "Besök" and _prop(ics, "CLASS") == "PRIVATE"
    assert "könssjukdomar" not in ics


def test_a_local_admin_marks_a_visit_type_sensitive_and_the_next_calendar_file_says_besok(region):
    # Given Johan, local admin at the health centre, marks the nurse visit sensitive
    johan = region.browser()
    johan.login("johan", "staff")
    assert 'name="sensitive"' in johan.page(f"/staff/booking-rules?unit={VC}")
    saved = _staff_post(johan, "/staff/booking-rules", {"unit": VC, "visit_type": "sjukskoterska",
                                                        "preset": "from_tomorrow", "cancel_hours": "24",
                                                        "rebook_hours": "24", "cancel_online": "yes",
                                                        "web_booking": "yes", "sensitive": "yes"})  # fmt: skip
    assert saved.status_code == 303
    # When Anna books one
    day = _day(5)
    _publish(region, [("sens-1", "sjukskoterska", _at(day, 9))])
    anna = _logged_in(region, "anna")
    _booking_id(_book_in_browser(anna, f"{VC}/sens-1"))
    # Then her calendar file says only "Besök"
    (ics,) = _calendar_files(anna)
    assert _prop(ics, "SUMMARY") == "Besök" and "sjuksköterska" not in ics
