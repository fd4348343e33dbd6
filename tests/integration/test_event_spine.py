"""One event per change: the same change through any door has the same follow-ups, from the event,
once, and a consumer that dies mid-batch loses nothing and repeats nothing."""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

import pytest

from chalicelib.adapters.tables import EventRecord
from chalicelib.bootstrap import ports
from chalicelib.domain import clock
from chalicelib.domain.clock import STOCKHOLM
from chalicelib.domain.personnummer import parse
from chalicelib.domain.roles import StaffRole
from chalicelib.services import booking, booking_staff, summons, unit_notices
from chalicelib.services.principals import CitizenPrincipal, RoleAtUnit, StaffPrincipal
from local.event_consumer import EventConsumer
from tests.integration.harness import on_working_day
from tests.integration.test_booking import _publish

KA, VC = "SE2321000099-KA01", "SE2321000099-VC01"
NURSE = StaffPrincipal("SE2321000099-P091", "Kim Kardio", (RoleAtUnit(KA, StaffRole.CASE_HANDLER),
                                                         RoleAtUnit(VC, StaffRole.CASE_HANDLER)), "x")
PATH = "/integration/v1/appointments"
VISIT = "Besök hos sjuksköterska"


_at = on_working_day


def _evening(days_after: int = 0) -> datetime:
    day = summons.rules.release_date(clock.utc_now()) + timedelta(days=days_after)
    return datetime.combine(day, time(18, 0), tzinfo=STOCKHOLM).astimezone(timezone.utc)


def _citizen_id(region, sub: str) -> str:
    return ports().identities.find_or_create(parse(region.people[sub].personnummer, region.today))


def _book(region, sub: str, key: str) -> str:
    """A visit the health centre books and summons to; citizens may rebook it online (a web-bookable type)."""
    start = _at(5, 10)
    response = region.integration("POST", PATH, {
        "unit_hsa_id": VC, "personnummer": region.people[sub].personnummer, "visit_type_id": "sjukskoterska",
        "start": start.isoformat(), "end": (start + timedelta(minutes=30)).isoformat()}, idempotency_key=key)  # fmt: skip
    assert response.status_code == 201, response.body
    return response.json_body["appointment_id"]


def _summons_messages(region, sub: str) -> list:
    return sorted((m for m in ports().inbox.inbox_of(_citizen_id(region, sub)) if m.topic.startswith("Kallelse")),
                  key=lambda m: m.sent_at)  # fmt: skip


def _web_slots(region, slots: dict[str, datetime], unit: str = KA, visit_type: str = "arskontroll") -> list[str]:
    """The unit's web times that day become these (the care system's PUT)."""
    response = _publish(region, [(slot_id, visit_type, start) for slot_id, start in slots.items()], unit=unit)
    assert response.status_code == 200, response.body
    return [f"{unit}/{slot_id}" for slot_id in slots]


def _web_slot(region, slot_id: str, start: datetime) -> str:
    return _web_slots(region, {slot_id: start}, VC, "sjukskoterska")[0]


def _nurse_slot(region, slot_id: str, start: datetime) -> str:
    """A time at the health centre that citizens book on the web."""
    return _web_slots(region, {slot_id: start}, VC, "sjukskoterska")[0]


def _move_by_care_system(region, appointment_id: str, new_start: datetime) -> None:
    response = region.integration("PATCH", f"{PATH}/{appointment_id}", {
        "start": new_start.isoformat(), "end": (new_start + timedelta(minutes=30)).isoformat()}, idempotency_key=None)
    assert response.status_code == 200, response.body


def _move_in_staff_summons(region, appointment_id: str, new_start: datetime) -> None:
    local = new_start.astimezone(STOCKHOLM)
    summons.change_by_staff(ports(), NURSE, appointment_id, {"day": local.date().isoformat(),
                                                              "time": f"{local:%H:%M}"}, clock.utc_now())


def _move_in_tidbok(region, appointment_id: str, new_start: datetime) -> None:
    slot_id = _web_slot(region, "tidbok-1", new_start)
    booking_staff.move_for_citizen(ports(), NURSE, appointment_id, slot_id, None, clock.utc_now())


def _rebook_by_citizen(region, appointment_id: str, new_start: datetime) -> None:
    slot_id = _web_slot(region, "web-1", new_start)
    principal = CitizenPrincipal(_citizen_id(region, "anna"), "anna", None, None, "x")
    booking.rebook(ports(), principal, appointment_id, slot_id, clock.utc_now())


DOORS = {"care_system": _move_by_care_system, "staff_summons": _move_in_staff_summons, "tidbok": _move_in_tidbok,
         "citizen": _rebook_by_citizen}  # fmt: skip


@pytest.mark.parametrize("door", DOORS)
def test_a_summons_moved_through_any_door_is_reissued_once_and_the_old_one_says_so(region, door):
    anna = region.browser()
    anna.login("anna")  # anna reads her inbox digitally
    appointment_id = _book(region, "anna", f"spine-{door}")
    assert summons.release_due(ports(), _evening()).released == 1
    region.follow_up()
    [first] = _summons_messages(region, "anna")
    assert first.actions and first.state_note is None

    new_start = _at(6, 13)
    DOORS[door](region, appointment_id, new_start)
    region.follow_up()
    [old] = _summons_messages(region, "anna")
    # At once: the summons in the inbox no longer offers the old time.
    assert old.state_note == "Tiden är ändrad. En ändrad kallelse skickas till dig." and old.actions == ()
    assert "Tiden är ändrad. En ändrad kallelse skickas till dig." in anna.page(f"/inbox/{old.message_id}")
    [json_old] = anna.get(f"/api/v1/inbox/messages/{old.message_id}").json_body["messages"]
    assert json_old["state_note"] == old.state_note and json_old["actions"] == []
    stored = ports().summons.get(appointment_id)
    assert stored.start == new_start and stored.state == "pending" and int(stored.version) == 2

    evening = _evening(1) if clock.utc_now() >= _evening() else _evening()
    for _ in range(2):  # the release runs again (a catch-up run): nothing twice
        summons.release_due(ports(), evening + timedelta(days=1))
        region.follow_up()
    messages = _summons_messages(region, "anna")
    assert [m.subject for m in messages] == [f"Kallelse: {VISIT}", f"Ändrad kallelse: {VISIT}"]
    assert f"{new_start:%Y-%m-%d} kl. 13:00" in messages[1].body
    assert messages[1].topic == f"Kallelse: {VISIT}, {new_start:%Y-%m-%d} kl. 13:00"
    assert len({m.thread_key for m in messages}) == 1  # one thread for the visit


def test_a_cancellation_after_release_reaches_a_paper_only_person_as_one_letter(region):
    appointment_id = _book(region, "gunnar", "spine-paper")  # gunnar has never logged in: paper only
    summons.release_due(ports(), _evening())
    region.follow_up()
    response = region.integration("DELETE", f"{PATH}/{appointment_id}", None, idempotency_key=None)
    assert response.status_code == 200 and response.json_body["status"] == "cancelled"
    region.follow_up()
    # The next print batch not yet closed: this evening's before 18:00, tomorrow's after.
    batch = summons.rules.release_date(clock.utc_now())
    letters = [x for x in ports().print_letters.batch(batch) if appointment_id in x.letter_key]
    cancellations = [x for x in letters if x.subject == f"Avbokad: {VISIT}"]
    assert len(cancellations) == 1
    assert "Vårdcentralen Norrby har avbokat besöket" in cancellations[0].body
    assert region.people["gunnar"].address.street in cancellations[0].address_lines[1]
    assert ports().inbox.inbox_of(_citizen_id(region, "gunnar")) == []
    # The stream delivers the cancellation again (at least once): still one letter.
    _replay_all(region)
    again = [x for x in ports().print_letters.batch(batch) if x.subject == f"Avbokad: {VISIT}"]
    assert len(again) == 1


def test_a_cancellation_before_release_sends_nothing(region):
    region.browser().login("anna")
    appointment_id = _book(region, "anna", "spine-early-cancel")
    assert region.integration("DELETE", f"{PATH}/{appointment_id}", None, idempotency_key=None).status_code == 200
    summons.release_due(ports(), _evening())
    region.follow_up()
    assert _summons_messages(region, "anna") == []
    assert not [m for m in ports().inbox.inbox_of(_citizen_id(region, "anna")) if m.subject.startswith("Avbokad")]


def _replay_all(region) -> None:
    """A fresh consumer from the stream's start: every event delivered once more."""
    EventConsumer(region.events.handler, EventRecord.Meta.table_name).drain()


def test_the_consumer_killed_mid_batch_loses_nothing_and_repeats_nothing(region):
    region.browser().login("anna")
    ids = [_book(region, "anna", f"spine-crash-{n}") for n in range(3)]
    summons.release_due(ports(), _evening())  # three summons.released events wait on the stream
    handled: list[str] = []

    def dies_after_two(batch, context):
        records = batch["Records"][:2]
        region.events.handler({"Records": records}, context)
        handled.extend(r["dynamodb"]["NewImage"]["kind"]["S"] for r in records)
        raise SystemExit("killed")  # the process dies before the batch completes

    crashing = EventConsumer(dies_after_two, EventRecord.Meta.table_name, _after=dict(region.events._after))
    with pytest.raises(SystemExit):
        crashing.poll_once()
    assert handled == ["summons.released", "summons.released"]
    region.follow_up()  # the consumer again, from where the stream had it: the whole batch once more
    messages = _summons_messages(region, "anna")
    assert len(messages) == 3 and len({m.message_id for m in messages}) == 3
    statuses = [region.integration("GET", f"{PATH}/{i}", None).json_body["summons"] for i in ids]
    assert all(s["inbox"] and s["state"] == "released" for s in statuses)


def test_each_change_writes_exactly_one_event(region):
    anna = CitizenPrincipal(_citizen_id(region, "anna"), "anna", None, None, "x")
    slot_id = _nurse_slot(region, "one-event", _at(4, 9))
    made = booking.book(ports(), anna, slot_id, clock.utc_now())
    kinds = [r.kind for r in EventRecord.query(booking.stream_key(made.booking_id))]
    assert kinds == ["booking.booked"]
    booking.cancel(ports(), anna, made.booking_id, None, clock.utc_now())
    kinds = [r.kind for r in EventRecord.query(booking.stream_key(made.booking_id))]
    assert kinds == ["booking.booked", "booking.cancelled"]


def test_the_unit_sees_what_the_citizen_changed_and_its_mailbox_is_told(region):
    from chalicelib.adapters.tables import UnitRecord
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    UnitRecord(VC).update(actions=[UnitRecord.functional_mailbox.set("kardiologi@regiondemo.example")])
    ses = ses_backends[DEFAULT_ACCOUNT_ID]["eu-north-1"]
    before = len(ses.sent_messages)
    anna = CitizenPrincipal(_citizen_id(region, "anna"), "anna", None, None, "x")
    made = booking.book(ports(), anna, _nurse_slot(region, "notice-1", _at(4, 11)), clock.utc_now())
    booking.cancel(ports(), anna, made.booking_id, "cannot_come", clock.utc_now())
    region.follow_up()
    region.follow_up()  # a second round changes nothing
    notices = [unit_notices.text(n) for n in unit_notices.recent(ports(), NURSE, VC)]
    assert len(notices) == 2 and "avbokade en tid" in notices[0] and "bokade en tid" in notices[1]
    mails = [m for m in ses.sent_messages[before:] if "kardiologi@regiondemo.example" in m.destinations["ToAddresses"]]
    assert len(mails) == 2
    assert all(region.people["anna"].family_name not in m.body for m in mails)  # no name in the e-mail
    # Staff's own changes are not "news" for the unit.
    other = booking.book(ports(), anna, _nurse_slot(region, "notice-2", _at(4, 12)), clock.utc_now())
    booking_staff.cancel_for_citizen(ports(), NURSE, other.booking_id, None, clock.utc_now())
    region.follow_up()
    assert len(unit_notices.recent(ports(), NURSE, VC)) == 3  # the booking, not the staff's cancellation


def test_each_booking_is_its_own_thread_headed_by_its_state_now(region):
    anna = CitizenPrincipal(_citizen_id(region, "anna"), "anna", None, None, "x")
    one, two = _web_slots(region, {"thread-1": _at(4, 9), "thread-2": _at(4, 10)}, VC, "sjukskoterska")
    first = booking.book(ports(), anna, one, clock.utc_now())
    booking.book(ports(), anna, two, clock.utc_now())
    region.follow_up()  # the confirmations go out (a booking already cancelled gets its cancellation only)
    booking.cancel(ports(), anna, first.booking_id, None, clock.utc_now())
    browser = region.browser()
    browser.login("anna")
    threads = {t.topic: t for t in booking.inbox.inbox_threads(ports(), anna)}
    visit = "Besök hos sjuksköterska"
    cancelled = f"Avbokad: {visit}, {_at(4, 9):%Y-%m-%d} kl. 09:00"
    booked = f"Bokning: {visit}, {_at(4, 10):%Y-%m-%d} kl. 10:00"
    assert cancelled in threads and booked in threads
    assert len(threads[cancelled].messages) == 2 and len(threads[booked].messages) == 1
    page = browser.page("/inbox")
    assert cancelled in page and booked in page


def test_a_case_writes_one_event_per_change_and_what_staff_write_reaches_the_inbox_once(region):
    """A case's life (sent, taken, a counter-question, the reply, the answer, a reminder on another
    case, closed with words): one event each, in order on the case's stream; the citizen's inbox gets
    exactly what staff wrote to them, in one thread per case, only when the consumer runs, and a
    consumer that runs every event again adds nothing."""
    from chalicelib.services import case_work, cases
    from tests.integration.test_staff_work import _citizen, _colleagues, _submit

    _colleagues()
    anna = _citizen(region, "anna", None)
    handler = StaffPrincipal("SE2321000099-P021", "Sara Svensson", (RoleAtUnit(VC, StaffRole.CASE_HANDLER),), "x")
    case_id = _submit(region, key="spine-case")
    cases.take(ports(), handler, case_id, clock.utc_now())
    cases.answer(ports(), handler, case_id, "counter_question", "Hur länge har det gjort ont?", clock.utc_now())

    def case_messages() -> list:
        return [m for m in ports().inbox.inbox_of(anna.subject_id) if m.thread_id == f"case#{case_id}"]

    assert case_messages() == []  # the change is made; the follow-up has not run yet (a crash here loses nothing)
    region.follow_up()
    (question,) = case_messages()
    assert question.subject == "Fråga från mottagningen" and [a.label for a in question.actions] == ["Läs och svara"]
    cases.reply(ports(), anna, case_id, "Sedan i måndags.", clock.utc_now())
    cases.answer(ports(), handler, case_id, "answer", "Kom in i morgon kl. 9.", clock.utc_now())
    region.follow_up()
    kinds = [r.kind for r in EventRecord.query(f"case#{case_id}")]
    assert kinds == ["case.sent", "case.taken", "case.answered", "case.replied", "case.answered"]

    waiting = _submit(region, key="spine-case-2")
    cases.take(ports(), handler, waiting, clock.utc_now())
    cases.answer(ports(), handler, waiting, "counter_question", "Vilken dos tar du?", clock.utc_now())
    case_work.remind(ports(), handler, waiting, None, clock.utc_now())
    case_work.close(ports(), handler, waiting, "Vi stänger ärendet. Hör av dig igen vid behov.", clock.utc_now())
    region.follow_up()
    assert [r.kind for r in EventRecord.query(f"case#{waiting}")] == [
        "case.sent", "case.taken", "case.answered", "case.reminded", "case.closed"]

    _replay_all(region)
    subjects = sorted(m.subject for m in case_messages())
    assert subjects == ["Fråga från mottagningen", "Svar på ditt ärende"]
    other = sorted(m.subject for m in ports().inbox.inbox_of(anna.subject_id) if m.thread_id == f"case#{waiting}")
    assert other == ["Ditt ärende är avslutat", "Fråga från mottagningen", "Påminnelse: mottagningen väntar på ditt svar"]
    assert all(m.sender_staff_name == "Sara Svensson" for m in case_messages())


def test_an_invitation_is_one_event_and_its_inbox_message_follows_once(region):
    # Given invitation-only times at the health centre
    _publish(region, [("inv-1", "sjukskoterska", on_working_day(4, 13))], visibility="invited")
    # When the nurse invites Anna
    invitation_id = booking_staff.invite(ports(), NURSE, VC, {
        "visit_type": "sjukskoterska", "personnummer": region.people["anna"].personnummer,
        "slot_ids": [f"{VC}/inv-1"], "valid_days": "7"}, clock.utc_now())  # fmt: skip
    # Then the change is the invitation and its one event; nothing is in the inbox until it is followed up
    (record,) = EventRecord.query(f"invitation#{invitation_id}")
    assert record.kind == "invitation.sent"
    invited = [m for m in ports().inbox.inbox_of(_citizen_id(region, "anna")) if m.subject.startswith("Välkommen")]
    assert invited == []
    # And the follow-up, delivered twice (at least once), writes one message signed by the nurse
    from chalicelib.adapters.events import from_image
    from chalicelib.services import follow_ups

    sent = from_image({**record.attribute_values, "data": record.data.as_dict()})
    follow_ups.handle(ports(), sent)
    follow_ups.handle(ports(), sent)
    (message,) = [m for m in ports().inbox.inbox_of(_citizen_id(region, "anna")) if m.subject.startswith("Välkommen")]
    assert message.subject == "Välkommen att boka tid: Besök hos sjuksköterska" and message.sender_staff_name == "Kim Kardio"
    assert [a.label for a in message.actions] == ["Boka tid"]


def test_each_step_of_a_kit_order_writes_one_event(region):
    from tests.integration.test_self_tests import _order, _orders, _result

    karin = region.browser()
    karin.login("karin")
    assert _order(karin)[0].status_code == 303
    (order,) = _orders(region, "karin")
    region.integration("POST", f"/integration/v1/kit-orders/{order.order_id}/sent", {"kit_number": "k-spine-1"})
    karin.post_form(f"/self-tests/orders/{order.order_id}/sample", {"csrf_token": karin.csrf_token()})
    region.integration("POST", f"/integration/v1/kit-orders/{order.order_id}/received", None)
    region.integration("POST", f"/integration/v1/kit-orders/{order.order_id}/received", None)  # the lab retried
    assert _result(region, order.order_id, "lab-spine-1").status_code == 201
    kinds = [r.kind for r in EventRecord.query(f"kit_order#{order.order_id}")]
    assert kinds == ["kit_order.ordered", "kit_order.shipped", "kit_order.sample_taken", "kit_order.received",
                     "lab_result.posted"]  # fmt: skip
