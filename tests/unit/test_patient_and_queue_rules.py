"""The patient header and the queue's placement rules (pure)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from chalicelib.domain import queue as views
from chalicelib.domain.patient import header, twelve_digit_display
from chalicelib.domain.people import Address, Person
from chalicelib.domain.personnummer import parse, with_check_digit

TODAY = date(2026, 6, 1)


def _person(born: date, *, protected: bool = False, guardians: frozenset[str] = frozenset()) -> Person:
    pnr = parse(with_check_digit(born, "238"), TODAY)
    return Person("c-1", pnr, "Anna", "Andersson", protected, None if protected else Address("Storgatan 12", "123 45",
                                                                                            "Demostad"), guardians)


def test_the_header_shows_name_twelve_digit_personnummer_age_and_address():
    shown = header("c-1", _person(date(1985, 4, 12)), TODAY)
    assert shown.name == "Anna Andersson" and shown.age == 41 and shown.personnummer.startswith("19850412-")
    assert len(shown.personnummer) == 13 and shown.address == ("Storgatan 12", "123 45 Demostad")
    assert shown.flags == ()


def test_protected_identity_hides_name_and_address_but_keeps_the_personnummer():
    shown = header("c-1", _person(date(1985, 4, 12), protected=True), TODAY)
    assert shown.name is None and shown.address == () and shown.personnummer.startswith("19850412-")
    assert shown.flags == ("patient.flag.protected",)


@pytest.mark.parametrize(("born", "child"), [(date(2013, 6, 2), True), (date(2013, 6, 1), False)])
def test_a_child_is_under_13_until_the_birthday(born, child):
    shown = header("c-1", _person(born, guardians=frozenset({"g"})), TODAY, sent_by_guardian=child)
    assert shown.child_under_13 is child
    assert ("patient.flag.child" in shown.flags) is child and ("patient.flag.guardians_acting" in shown.flags) is child


def test_a_child_whose_guardians_care_blocked_has_no_guardian_acting_flag():
    import dataclasses

    child = _person(date(2018, 1, 1), guardians=frozenset({"g1", "g2"}))
    assert "patient.flag.guardians_acting" in header("c-1", child, TODAY).flags
    one_blocked = dataclasses.replace(child, blocked_guardian_ids=frozenset({"g1"}))
    assert "patient.flag.guardians_acting" in header("c-1", one_blocked, TODAY).flags
    both_blocked = dataclasses.replace(child, blocked_guardian_ids=frozenset({"g1", "g2"}))
    assert "patient.flag.guardians_acting" not in header("c-1", both_blocked, TODAY).flags
    login_removed = dataclasses.replace(child, login_removed=True)
    assert "patient.flag.guardians_acting" not in header("c-1", login_removed, TODAY).flags


def test_a_person_not_in_the_register_has_no_name_or_personnummer():
    shown = header("c-1", None, TODAY)
    assert shown.name is None and shown.personnummer is None and shown.flags == ("patient.flag.not_in_register",)


def test_twelve_digit_display():
    digits = with_check_digit(date(1985, 4, 12), "238")
    assert twelve_digit_display(parse(digits, TODAY)) == f"19850412-{digits[8:]}"


T0 = datetime(2026, 3, 2, 8, 0, tzinfo=timezone.utc)


def _placed(status: str, handler: str | None = None, replied: bool = False) -> views.Placement:
    return views.placement(unit_hsa_id="U", case_id="c", status=status, handler_hsa_id=handler, citizen_replied=replied,
                           due_at=T0 + timedelta(hours=2), created_at=T0, closed_at=T0 + timedelta(hours=1))


def test_an_open_case_is_in_one_state_view_and_one_handler_view():
    assert (_placed("new").state_queue, _placed("new").handler_queue) == ("U#new", "U#-")
    assert (_placed("in_progress", "H").state_queue, _placed("in_progress", "H").handler_queue) == ("U#working", "U#H")
    assert _placed("waiting_for_citizen", "H").state_queue == "U#waiting"
    assert _placed("in_progress", None, replied=True).state_queue == "U#replied"
    assert _placed("new").closed_unit is None


def test_a_closed_case_leaves_the_open_views():
    closed = _placed("closed", "H")
    assert closed.state_queue is None and closed.handler_queue is None and closed.queue_key is None
    assert closed.closed_unit == "U" and closed.closed_key.startswith((T0 + timedelta(hours=1)).isoformat())


def test_the_queue_key_sorts_by_due_then_arrival():
    keys = [views.queue_key(T0 + timedelta(hours=h), T0 - timedelta(minutes=m), f"c{h}{m}") for h, m in
            [(2, 5), (1, 10), (1, 50), (2, 1)]]  # fmt: skip
    assert sorted(keys) == [keys[2], keys[1], keys[0], keys[3]]


def test_staff_wording_differs_from_the_citizens():
    assert views.staff_status_key("waiting_for_citizen", False) == "staff.status.waiting"
    assert views.staff_status_key("in_progress", True) == "staff.status.replied"
    assert views.staff_status_key("closed", False) == "staff.status.closed"


def test_a_cursor_is_opaque_and_bound_to_its_view():
    cursor = views.encode_cursor(views.View.NEW, "k#1", "c1")
    assert "k#1" not in cursor and views.decode_cursor(views.View.NEW, cursor) == ("k#1", "c1")
    for view, bad in ((views.View.MINE, cursor), (views.View.NEW, "%%%"), (views.View.NEW, "eyJ2IjoxfQ")):
        with pytest.raises(views.BadCursor):
            views.decode_cursor(view, bad)


def test_each_view_reads_one_partition():
    assert views.partition(views.View.MINE, "U", "H") == ("handler_queue", "U#H")
    assert views.partition(views.View.UNASSIGNED, "U", "H") == ("handler_queue", "U#-")
    assert views.partition(views.View.REPLIED, "U", "H") == ("state_queue", "U#replied")
    assert views.partition(views.View.CLOSED, "U", "H") == ("closed_unit", "U")


@pytest.mark.parametrize("forged", [
    "~.\x1c\u00ad\U000fbdbf",  # non-ASCII where the signature goes: refused, not a TypeError (found by the fuzz run)
    ".b\u009b\u00e5l1e\u00deR",
    "eyJhIjoiYiJ9.0000000000000000000000000000000z",
])  # fmt: skip
def test_a_forged_list_cursor_is_a_400_whatever_its_characters(forged):
    from chalicelib.errors import BadInput
    from chalicelib.services.input import decode_cursor, encode_cursor

    key = b"k" * 32
    assert decode_cursor(key, "list:a", encode_cursor(key, "list:a", {"p": "1"})) == {"p": "1"}
    with pytest.raises(BadInput):
        decode_cursor(key, "list:a", forged)
