"""A guardian may act for a child until the day before the 13th birthday (Stockholm date)."""

from datetime import date, datetime, timezone

from chalicelib.domain.clock import stockholm_date
from chalicelib.domain.guardianship import Child, children_guardian_may_act_for, guardian_may_act_for


def child(born: date, protected: bool = False, name: str = "Elsa", blocked: frozenset[str] = frozenset()) -> Child:
    return Child(citizen_id=name, given_name=name, birth_date=born, protected_identity=protected,
                 blocked_guardian_ids=blocked)


def test_the_day_before_the_13th_birthday_the_guardian_may_still_act():
    assert guardian_may_act_for(child(date(2013, 11, 23)), "karin", date(2026, 11, 22))


def test_on_the_13th_birthday_the_choice_disappears():
    assert not guardian_may_act_for(child(date(2013, 11, 22)), "karin", date(2026, 11, 22))


def test_a_14_year_old_is_never_offered():
    assert not guardian_may_act_for(child(date(2012, 6, 1)), "karin", date(2026, 11, 22))


def test_a_leap_day_child_turns_13_on_1_march_in_a_common_year():
    leap_child = child(date(2012, 2, 29))
    assert guardian_may_act_for(leap_child, "karin", date(2025, 2, 28))
    assert not guardian_may_act_for(leap_child, "karin", date(2025, 3, 1))


def test_a_leap_day_child_turns_13_on_29_february_in_a_leap_year():
    leap_child = child(date(2011, 2, 28))
    assert guardian_may_act_for(leap_child, "karin", date(2024, 2, 27))
    assert not guardian_may_act_for(leap_child, "karin", date(2024, 2, 28))
    born_on_leap_day = child(date(2008, 2, 29))
    assert guardian_may_act_for(born_on_leap_day, "karin", date(2021, 2, 28))
    assert not guardian_may_act_for(born_on_leap_day, "karin", date(2021, 3, 1))


def test_a_child_with_protected_identity_is_never_offered():
    assert not guardian_may_act_for(child(date(2020, 1, 1), protected=True), "karin", date(2026, 11, 22))


def test_the_birthday_is_a_stockholm_date_not_a_utc_date():
    # 23:30 UTC on 21 November is already 22 November in Stockholm (UTC+1 in winter).
    late_evening_utc = datetime(2026, 11, 21, 23, 30, tzinfo=timezone.utc)
    today = stockholm_date(late_evening_utc)
    assert today == date(2026, 11, 22)
    assert not guardian_may_act_for(child(date(2013, 11, 22)), "karin", today)
    # In summer (UTC+2) the date turns at 22:00 UTC.
    assert stockholm_date(datetime(2026, 6, 30, 22, 0, tzinfo=timezone.utc)) == date(2026, 7, 1)
    assert stockholm_date(datetime(2026, 6, 30, 21, 59, tzinfo=timezone.utc)) == date(2026, 6, 30)


def test_children_are_listed_youngest_last_and_only_those_allowed():
    today = date(2026, 11, 22)
    listed = children_guardian_may_act_for(
        [child(date(2012, 1, 1), name="Olle"), child(date(2017, 10, 13), name="Elsa"),
         child(date(2020, 8, 1), protected=True, name="Sigge"), child(date(2015, 5, 5), name="Ebba")],
        "karin", today,
    )  # fmt: skip
    assert [c.given_name for c in listed] == ["Ebba", "Elsa"]


def test_a_guardian_care_blocked_may_not_act_for_the_child_while_the_other_guardian_may():
    elsa = child(date(2017, 10, 13), blocked=frozenset({"lars"}))
    assert not guardian_may_act_for(elsa, "lars", date(2026, 11, 22))
    assert guardian_may_act_for(elsa, "karin", date(2026, 11, 22))


def test_a_blocked_guardian_is_not_offered_the_child_in_the_list():
    today = date(2026, 11, 22)
    children = [child(date(2017, 10, 13), name="Elsa", blocked=frozenset({"lars"})), child(date(2015, 5, 5), name="Ebba")]
    assert [c.given_name for c in children_guardian_may_act_for(children, "lars", today)] == ["Ebba"]
    assert [c.given_name for c in children_guardian_may_act_for(children, "karin", today)] == ["Ebba", "Elsa"]


def test_no_guardian_acts_for_a_child_whose_login_care_removed():
    elsa = Child(citizen_id="elsa", given_name="Elsa", birth_date=date(2017, 10, 13), protected_identity=False,
                 login_removed=True)
    assert not guardian_may_act_for(elsa, "karin", date(2026, 11, 22))
