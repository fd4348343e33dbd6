"""The citizen's start page as an overview, as 1177's: the next bookings and open invitations, the
unread messages, the cases that wait for the person, then the e-services — the acting subject's own
(a child's when a guardian acts for one), the same in the JSON twin, in Swedish and in English."""

from __future__ import annotations

import re
import uuid
from datetime import datetime, time, timedelta

from chalicelib.bootstrap import ports
from chalicelib.domain import clock
from chalicelib.domain.booking import Booking, BookingStatus, Slot, Visibility
from chalicelib.domain.clock import STOCKHOLM
from chalicelib.domain.events import Door
from chalicelib.domain.roles import RoleAtUnit, StaffRole
from chalicelib.services import booking, booking_staff, cases
from chalicelib.services.principals import CitizenPrincipal, StaffPrincipal
from tests.integration.test_summons import _citizen_id, _logged_in

VC = "SE2321000099-VC01"
EVA = StaffPrincipal("SE2321000099-P001", "Eva Nilsson", (RoleAtUnit(VC, StaffRole.CASE_RECEIVER),), "x")
RENEWAL = {"q-lakemedel": "Levaxin", "q-styrka": "50 mikrogram", "q-form": "tablett", "accept_terms": "yes"}
SWEDISH_HEADINGS = ("Kommande tider", "Kallelser att boka", "Olästa meddelanden", "Ärenden som väntar på dig",
                    "E-tjänster")  # fmt: skip


def _principal(region, sub: str) -> CitizenPrincipal:
    return CitizenPrincipal(_citizen_id(region, sub), sub, None, None, "x")


def _at(days_ahead: int, hour: int, minute: int = 0) -> datetime:
    day = clock.stockholm_date(clock.utc_now()) + timedelta(days=days_ahead)
    return datetime.combine(day, time(hour, minute), tzinfo=STOCKHOLM)


def _publish(region, slots: list[tuple[str, datetime]], visibility: str = "web") -> None:
    days = sorted({start.date() for _, start in slots})
    body = {"from": days[0].isoformat(), "to": days[-1].isoformat(), "slots": [
        {"slot_id": slot_id, "visit_type_id": "sjukskoterska", "start": start.isoformat(),
         "end": (start + timedelta(minutes=30)).isoformat(), "visibility": visibility} for slot_id, start in slots]}
    answer = region.integration("PUT", f"/integration/v1/units/{VC}/slots", body, idempotency_key=None)
    assert answer.status_code == 200, answer.body


def _book(region, sub: str, slot_id: str) -> str:
    return booking.book(ports(), _principal(region, sub), f"{VC}/{slot_id}", clock.utc_now()).booking_id


def _past_booking(region, sub: str) -> str:
    """A visit that ended an hour ago (care booked it then; no door books a time that has begun)."""
    now, citizen_id, booking_id = clock.utc_now(), _citizen_id(region, sub), f"past-{uuid.uuid4()}"
    start = now - timedelta(hours=2)
    slot = Slot(f"{VC}/{booking_id}", VC, "sjukskoterska", start, start + timedelta(hours=1), "Mottagningen",
                "Sjuksköterska", Visibility.HIDDEN, booking_id, None, None, citizen_id)  # fmt: skip
    past = Booking(booking_id, citizen_id, VC, "Vårdcentralen Norrby", "sjukskoterska", "Besök hos sjuksköterska",
                   slot.slot_id, slot.start, slot.end, slot.place, BookingStatus.BOOKED, "staff", start - timedelta(days=7))
    ports().bookings.book(past, booking.booked_event(past, Door.STAFF, now), new_slot=slot)
    return booking_id


def _message(region, sub: str, subject: str, *, key: str | None = None) -> str:
    answer = region.integration("POST", "/integration/v1/messages", {
        "sender_unit_hsa_id": VC, "personnummer": region.people[sub].personnummer, "topic": f"Ämne {subject}",
        "subject": subject, "body": "Hej!"}, idempotency_key=key or f"k-{uuid.uuid4()}")  # fmt: skip
    assert answer.status_code == 201, answer.body
    return answer.json_body["message_id"]


def _send_case(region, sub: str) -> str:
    fields = {**RENEWAL, "submission_id": str(uuid.uuid4())}
    return cases.submit(ports(), _principal(region, sub), VC, "fornya-recept", fields, clock.utc_now())


def _staff_writes(case_id: str, template: str, text: str) -> None:
    """Eva takes the case (if no one has) and answers with the template."""
    if ports().cases.get(case_id).handler_hsa_id is None:
        cases.take(ports(), EVA, case_id, clock.utc_now())
    cases.answer(ports(), EVA, case_id, template, text, clock.utc_now())


def _section(page: str, heading_id: str) -> str:
    """One section of the overview, from its heading to the section's end."""
    found = re.search(rf'<section aria-labelledby="{heading_id}">(.*?)</section>', page, re.S)
    assert found, heading_id
    return found.group(1)


def _heading_levels(page: str) -> list[int]:
    return [int(level) for level in re.findall(r"<h([1-6])[ >]", page)]


def test_anna_sees_her_next_bookings_soonest_first_never_a_past_or_cancelled_one(region):
    # Given four times Anna booked and cancelled, before four she keeps, and a visit that has ended
    _publish(region, [(f"c{n}", _at(2, 9 + n)) for n in range(4)]
             + [(f"n{n}", _at(3 + n, 10)) for n in range(4)])  # fmt: skip
    cancelled = [_book(region, "anna", f"c{n}") for n in range(4)]
    for booking_id in cancelled:
        booking.cancel(ports(), _principal(region, "anna"), booking_id, None, clock.utc_now())
    kept = [_book(region, "anna", f"n{n}") for n in range(4)]
    past = _past_booking(region, "anna")
    anna = _logged_in(region, "anna")
    # When she opens the start page
    upcoming = _section(anna.page("/"), "upcoming-heading")
    # Then the next three she keeps are there, soonest first, each a link with its time, unit and place
    links = re.findall(r'<a href="/bookings/([^"]+)"><time datetime="([^"]+)">', upcoming)
    assert [booking_id for booking_id, _ in links] == kept[:3]
    assert links[0][1] == _at(3, 10).isoformat(timespec="seconds")
    assert "Besök hos sjuksköterska" in upcoming and "Vårdcentralen Norrby, Mottagningen" in upcoming
    # And never a cancelled time or one that has been
    assert not any(booking_id in upcoming for booking_id in [*cancelled, past])
    assert '<a href="/bookings">Visa alla dina tider</a>' in upcoming
    # And the JSON twin says the same
    start = anna.get("/api/v1/start").json_body
    assert [b["booking_id"] for b in start["next_bookings"]] == kept[:3]
    assert start["next_booking"]["booking_id"] == kept[0]


def test_an_open_invitation_is_offered_until_it_is_used_and_an_expired_one_never(region):
    _publish(region, [("i1", _at(5, 9)), ("i2", _at(5, 9, 30))], visibility="invited")
    anna = _logged_in(region, "anna")
    assert "Kallelser att boka" not in anna.page("/")
    assert "Du har inga kommande tider." in anna.page("/")
    pnr = region.people["anna"].personnummer
    open_one = booking_staff.invite(ports(), EVA, VC, {"personnummer": pnr, "visit_type": "sjukskoterska",
                                                       "slot_ids": [f"{VC}/i1", f"{VC}/i2"], "valid_days": "7"},
                                    clock.utc_now())  # fmt: skip
    expired = booking_staff.invite(ports(), EVA, VC, {"personnummer": pnr, "visit_type": "sjukskoterska",
                                                      "slot_ids": [f"{VC}/i2"], "valid_days": "1"},
                                   clock.utc_now() - timedelta(days=2))  # fmt: skip
    upcoming = _section(anna.page("/"), "upcoming-heading")
    assert '<h3 id="invitations-heading">Kallelser att boka</h3>' in upcoming
    path = f"/book?unit={VC}&amp;visit_type=sjukskoterska&amp;invitation={open_one}"
    assert f'<a href="{path}">Boka tid: Besök hos sjuksköterska</a>' in upcoming and expired not in upcoming
    assert [i["invitation_id"] for i in anna.get("/api/v1/start").json_body["invitations"]] == [open_one]
    # Booked with it, it is a booking and no longer an invitation
    booked = booking.book(ports(), _principal(region, "anna"), f"{VC}/i1", clock.utc_now(), open_one).booking_id
    upcoming = _section(anna.page("/"), "upcoming-heading")
    assert "Kallelser att boka" not in upcoming and f"/bookings/{booked}" in upcoming
    assert anna.get("/api/v1/start").json_body["invitations"] == []


def test_a_new_message_from_care_is_unread_on_the_start_page_until_she_reads_it(region):
    anna = _logged_in(region, "anna")
    assert "Du har inga olästa meddelanden." in _section(anna.page("/"), "unread-heading")
    # Given a new message from the health centre
    message_id = _message(region, "anna", "Ditt provsvar är klart")
    # Then the start page counts it and links to it, with its sender and date
    unread = _section(anna.page("/"), "unread-heading")
    assert "Du har 1 oläst meddelande." in unread
    assert f'<a href="/inbox/{message_id}">Ditt provsvar är klart</a>' in unread
    assert "Från Vårdcentralen Norrby" in unread and "<time datetime=" in unread
    start = anna.get("/api/v1/start").json_body
    assert start["unread"] == 1 and [(u["message_id"], u["subject"], u["sender_unit"]) for u in start["unread_newest"]] \
        == [(message_id, "Ditt provsvar är klart", "Vårdcentralen Norrby")]  # fmt: skip
    # When she reads it, it leaves the start page
    anna.page(f"/inbox/{message_id}")
    unread = _section(anna.page("/"), "unread-heading")
    assert "Du har inga olästa meddelanden." in unread and message_id not in unread
    assert anna.get("/api/v1/start").json_body["unread_newest"] == []


def test_the_newest_three_unread_are_listed_and_a_deleted_one_never(region):
    anna = _logged_in(region, "anna")
    sent = [_message(region, "anna", f"Meddelande {n}") for n in range(5)]
    deleted = sent[-1]
    anna.post_form(f"/inbox/{deleted}/delete", {"csrf_token": anna.csrf_token()})
    unread = _section(anna.page("/"), "unread-heading")
    assert "Du har 4 olästa meddelanden." in unread
    assert re.findall(r'<a href="/inbox/([^"]+)">', unread) == [sent[3], sent[2], sent[1]]
    assert [u["message_id"] for u in anna.get("/api/v1/start").json_body["unread_newest"]] == [sent[3], sent[2], sent[1]]


def test_a_case_waits_for_her_while_care_has_asked_or_written_something_she_has_not_read(region):
    anna = _logged_in(region, "anna")
    case_id = _send_case(region, "anna")
    # A case she sent waits for the clinic, not for her
    assert "Inga ärenden väntar på dig." in _section(anna.page("/"), "waiting-heading")
    # When the clinic asks a counter-question, the case waits for her answer, read or not
    _staff_writes(case_id, "counter_question", "Hur många tabletter har du kvar?")
    waiting = _section(anna.page("/"), "waiting-heading")
    assert f'<a href="/cases/{case_id}">Förnya recept</a>' in waiting
    assert "Vårdcentralen Norrby · Mottagningen väntar på ditt svar" in waiting
    anna.page(f"/cases/{case_id}")
    assert f"/cases/{case_id}" in _section(anna.page("/"), "waiting-heading")
    (listed,) = anna.get("/api/v1/start").json_body["cases_waiting"]
    assert (listed["case_id"], listed["case_type"], listed["unit_name"], listed["waits_for"]) == \
           (case_id, "Förnya recept", "Vårdcentralen Norrby", "answer")  # fmt: skip
    # Her reply ends the wait
    cases.reply(ports(), _principal(region, "anna"), case_id, "Tio stycken.", clock.utc_now())
    assert "Inga ärenden väntar på dig." in _section(anna.page("/"), "waiting-heading")
    # A partial answer waits until she reads it: here in the inbox, where its letter is
    _staff_writes(case_id, "partial", "Läkaren tittar på det i morgon.")
    waiting = _section(anna.page("/"), "waiting-heading")
    assert "Mottagningen har skrivit till dig" in waiting
    assert anna.get("/api/v1/start").json_body["cases_waiting"][0]["waits_for"] == "read"
    letter = anna.get("/api/v1/inbox").json_body["threads"][0]["messages"][0]
    assert letter["subject"] == "Delsvar på ditt ärende"
    anna.page(f"/inbox/{letter['message_id']}")
    assert "Inga ärenden väntar på dig." in _section(anna.page("/"), "waiting-heading")
    # The answer that closes it waits until she opens the case, which reads its letter in the inbox too
    _staff_writes(case_id, "answer", "Receptet är förnyat.")
    assert f"/cases/{case_id}" in _section(anna.page("/"), "waiting-heading")
    assert anna.get("/api/v1/start").json_body["unread"] == 1
    anna.page(f"/cases/{case_id}")
    assert "Inga ärenden väntar på dig." in _section(anna.page("/"), "waiting-heading")
    start = anna.get("/api/v1/start").json_body
    assert start["cases_waiting"] == [] and start["unread"] == 0 and start["unread_newest"] == []


def test_a_case_care_starts_waits_for_her_and_closing_without_words_leaves_nothing_waiting(region):
    from chalicelib.services import case_work

    anna = _logged_in(region, "anna")
    pnr = region.people["anna"].personnummer

    def start(template: str, subject: str) -> str:
        fields = {"personnummer": pnr, "subject": subject, "text": "Hej Anna!", "template": template,
                  "submission_id": str(uuid.uuid4())}  # fmt: skip
        return cases.start_for_citizen(ports(), EVA, VC, fields, clock.utc_now())[0]

    # Given the health centre asks her a question, and tells her something (information only)
    asked, told = start("question", "Hur mår du efter operationen?"), start("information", "Dina provsvar")
    waiting = _section(anna.page("/"), "waiting-heading")
    assert re.findall(r'<a href="/cases/([^"]+)">', waiting) == [told, asked]  # care's newest word first
    assert "Mottagningen väntar på ditt svar" in waiting and "Mottagningen har skrivit till dig" in waiting
    # Reading the information ends its wait; the question waits for her answer
    anna.page(f"/cases/{told}")
    assert re.findall(r'<a href="/cases/([^"]+)">', _section(anna.page("/"), "waiting-heading")) == [asked]
    # A reminder keeps it waiting; care closing it without words after she has read it leaves nothing waiting
    case_work.remind(ports(), EVA, asked, "", clock.utc_now())
    anna.page(f"/cases/{asked}")
    assert [c["waits_for"] for c in anna.get("/api/v1/start").json_body["cases_waiting"]] == ["answer"]
    case_work.close(ports(), EVA, asked, "", clock.utc_now())
    assert "Inga ärenden väntar på dig." in _section(anna.page("/"), "waiting-heading")


def test_the_json_api_opening_a_case_reads_it_as_the_page_does(region):
    anna = _logged_in(region, "anna")
    case_id = _send_case(region, "anna")
    _staff_writes(case_id, "answer", "Receptet är förnyat.")
    assert [c["case_id"] for c in anna.get("/api/v1/start").json_body["cases_waiting"]] == [case_id]
    assert anna.get(f"/api/v1/cases/{case_id}").status_code == 200
    assert anna.get("/api/v1/start").json_body["cases_waiting"] == []


def test_a_guardian_acting_for_her_child_sees_the_childs_overview_never_her_own_nor_a_14_year_olds(region):
    # Given Karin's own, Elsa's (9) and Olle's (14) bookings, messages and cases waiting for them
    _publish(region, [("karin", _at(3, 9)), ("elsa", _at(3, 10)), ("olle", _at(3, 11))])
    things = {}
    for sub in ("karin", "elsa", "olle"):
        booking_id = _book(region, sub, sub)
        message_id = _message(region, sub, f"Till {sub}")
        case_id = _send_case(region, sub)
        _staff_writes(case_id, "counter_question", f"En fråga till {sub}")
        things[sub] = (booking_id, message_id, case_id)
    karin = _logged_in(region, "karin")

    def shows(page: str, sub: str) -> list[bool]:
        return [thing in page for thing in things[sub]]

    # As herself: her own overview only
    page = karin.page("/")
    assert shows(page, "karin") == [True, True, True]
    assert shows(page, "elsa") == [False, False, False] and shows(page, "olle") == [False, False, False]
    # Acting for Elsa: Elsa's, with the banner, never Karin's own and never Olle's
    elsa_id = next(c["child_id"] for c in karin.get("/api/v1/me").json_body["can_act_for"])
    karin.post_form("/act-for", {"person": elsa_id, "csrf_token": karin.csrf_token()})
    page = karin.page("/")
    assert "Du företräder Elsa" in page
    assert shows(page, "elsa") == [True, True, True]
    assert shows(page, "karin") == [False, False, False] and shows(page, "olle") == [False, False, False]
    # And the JSON twin says the same
    start = karin.get("/api/v1/start").json_body
    assert start["acting_for"]["child_id"] == elsa_id
    booking_id, message_id, case_id = things["elsa"]
    assert [b["booking_id"] for b in start["next_bookings"]] == [booking_id]
    assert [c["case_id"] for c in start["cases_waiting"]] == [case_id]
    assert message_id in [u["message_id"] for u in start["unread_newest"]]  # beside the confirmation and the question
    assert not any(thing in str(start) for thing in [*things["karin"], *things["olle"]])
    # Back to herself, Olle's are still not hers to see
    karin.post_form("/act-for", {"person": "self", "csrf_token": karin.csrf_token()})
    start = karin.get("/api/v1/start").json_body
    assert [c["case_id"] for c in start["cases_waiting"]] == [things["karin"][2]]
    assert not any(thing in str(start) for thing in things["olle"])


def test_the_english_start_page_has_english_sections_in_order_and_no_swedish_headings(region):
    _publish(region, [("e1", _at(4, 9))])
    _publish(region, [("e2", _at(5, 9))], visibility="invited")
    _book(region, "anna", "e1")
    booking_staff.invite(ports(), EVA, VC, {"personnummer": region.people["anna"].personnummer,
                                            "visit_type": "sjukskoterska", "slot_ids": [f"{VC}/e2"],
                                            "valid_days": "7"}, clock.utc_now())  # fmt: skip
    case_id = _send_case(region, "anna")
    _staff_writes(case_id, "partial", "We are looking into it.")
    anna = _logged_in(region, "anna")
    swedish = anna.page("/")
    anna.cookies["lang"] = "en"
    page = anna.page("/")
    for heading in ("Upcoming appointments", "Invitations to book", "Unread messages", "Cases waiting for you",
                    "E-services"):  # fmt: skip
        assert f">{heading}</h" in page, heading
    for heading in SWEDISH_HEADINGS:
        assert f">{heading}</h" not in page and f">{heading}</h" in swedish, heading
    assert "You have 3 unread messages." in page and "The clinic has written to you" in page
    assert "Show all your appointments" in page and "Show all messages" in page and "Show all your cases" in page
    # Headings in order: one h1, the sections' h2, the invitations' h3 inside its section, no level skipped
    levels = _heading_levels(page)
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:])), levels
    # The overview comes before the e-services
    assert page.index("Upcoming appointments") < page.index("Unread messages") < page.index("Cases waiting for you") \
        < page.index(">E-services<")  # fmt: skip


def test_the_empty_overview_is_calm_in_both_languages(region):
    maja = _logged_in(region, "maja")
    page = maja.page("/")
    for text in ("Du har inga kommande tider.", "Du har inga olästa meddelanden.", "Inga ärenden väntar på dig."):
        assert text in page
    maja.cookies["lang"] = "en"
    page = maja.page("/")
    for text in ("You have no upcoming appointments.", "You have no unread messages.", "No cases are waiting for you."):
        assert text in page
