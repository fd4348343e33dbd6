"""1177 Journalen's rules (seed 002): who reads whose journal at which age, and what of it shows.

Ages are Stockholm dates: a person born 2010-05-10 turns 16 at 00:00 Stockholm on 2026-05-10, which
is 22:00 UTC on the 9th (summer time)."""

from __future__ import annotations

import base64
from datetime import date, datetime, timedelta, timezone

import pytest

from chalicelib.domain import journal as j
from chalicelib.domain.clock import STOCKHOLM
from chalicelib.domain.people import Person
from chalicelib.domain.personnummer import parse, with_check_digit
from chalicelib.domain.restrictions import Restriction, RestrictionKind, Restrictions

RULES = j.JournalRules(date(2015, 4, 1), frozenset({"SE-MV01"}), coordination_numbers=False)
GUARDIAN = "guardian-1"
OTHER_GUARDIAN = "guardian-2"


def person(born: date, *, citizen_id: str = "child", protected: bool = False, coordination: bool = False,
           guardians: tuple[str, ...] = (GUARDIAN, OTHER_GUARDIAN)) -> Person:  # fmt: skip
    pnr = parse(with_check_digit(born, "250", coordination=coordination), date(2026, 11, 24))
    return Person(citizen_id, pnr, "Elsa", "Lind", protected, None, frozenset(guardians))


def stockholm_midnight(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), STOCKHOLM).astimezone(timezone.utc)


def restriction(kind: RestrictionKind, *, unit: str | None = None, guardian: str | None = None,
                until: datetime | None = None) -> Restriction:  # fmt: skip
    return Restriction("child", kind, unit, guardian, "på begäran", "SE-P002", "Johan", "SE-VC01",
                       datetime(2026, 1, 1, tzinfo=timezone.utc), until)  # fmt: skip


NONE = Restrictions()
BORN = date(2010, 5, 10)  # 16 on 2026-05-10, 13 on 2023-05-10


@pytest.mark.parametrize(("moment", "allowed"), [
    (stockholm_midnight(date(2026, 5, 10)) - timedelta(seconds=1), False),  # 23:59:59 the evening before
    (stockholm_midnight(date(2026, 5, 10)), True),  # the 16th birthday, from midnight Stockholm
])  # fmt: skip
def test_a_person_reads_their_own_journal_from_the_16th_birthday_stockholm_time(moment: datetime, allowed: bool) -> None:
    granted = j.access("child", person(BORN), NONE, RULES, moment)
    assert granted.allowed is allowed
    assert granted.denied in (None, j.Denied.TOO_YOUNG)


@pytest.mark.parametrize(("moment", "allowed"), [
    (stockholm_midnight(date(2023, 5, 10)) - timedelta(seconds=1), True),  # the last moment aged 12
    (stockholm_midnight(date(2023, 5, 10)), False),  # the 13th birthday
])  # fmt: skip
def test_a_guardian_reads_a_childs_journal_until_the_13th_birthday(moment: datetime, allowed: bool) -> None:
    granted = j.access(GUARDIAN, person(BORN), NONE, RULES, moment)
    assert granted.allowed is allowed
    if not allowed:
        assert granted.denied == j.Denied.CHILD_TOO_OLD


def test_nobody_reads_the_journal_of_a_child_aged_13_to_15_by_default() -> None:
    at_14 = stockholm_midnight(date(2024, 11, 24))
    assert j.access("child", person(BORN), NONE, RULES, at_14).denied == j.Denied.TOO_YOUNG
    assert j.access(GUARDIAN, person(BORN), NONE, RULES, at_14).denied == j.Denied.CHILD_TOO_OLD


def test_extended_access_opens_only_its_unit_and_ends_when_its_year_does() -> None:
    at_14 = stockholm_midnight(date(2024, 11, 24))
    until = stockholm_midnight(date(2025, 6, 1))
    extended = Restrictions((restriction(RestrictionKind.EXTEND_GUARDIAN, unit="SE-VC01", until=until),
                             restriction(RestrictionKind.EXTEND_CHILD, unit="SE-HS01", until=until)))  # fmt: skip
    assert j.access(GUARDIAN, person(BORN), extended, RULES, at_14).only_units == {"SE-VC01"}
    assert j.access("child", person(BORN), extended, RULES, at_14).only_units == {"SE-HS01"}
    assert not j.access(GUARDIAN, person(BORN), extended, RULES, until).allowed  # the year is over
    # From 16 the child reads every unit, whatever was extended.
    assert j.access("child", person(BORN), extended, RULES, stockholm_midnight(date(2026, 5, 10))).only_units is None


def test_no_guardian_reads_a_protected_childs_journal() -> None:
    at_6 = stockholm_midnight(date(2016, 6, 1))
    assert j.access(GUARDIAN, person(BORN, protected=True), NONE, RULES, at_6).denied == j.Denied.PROTECTED_CHILD


def test_a_blocked_guardian_reads_nothing_while_the_other_guardian_still_does() -> None:
    at_6 = stockholm_midnight(date(2016, 6, 1))
    blocked = Restrictions((restriction(RestrictionKind.BLOCK_GUARDIAN, guardian=GUARDIAN),))
    assert j.access(GUARDIAN, person(BORN), blocked, RULES, at_6).denied == j.Denied.NOT_GUARDIAN
    assert j.access(OTHER_GUARDIAN, person(BORN), blocked, RULES, at_6).allowed


def test_someone_who_is_not_a_guardian_reads_nothing() -> None:
    at_6 = stockholm_midnight(date(2016, 6, 1))
    assert j.access("stranger", person(BORN), NONE, RULES, at_6).denied == j.Denied.NOT_GUARDIAN


def test_a_sealed_journal_shows_nothing_to_the_person_or_a_guardian() -> None:
    sealed = Restrictions((restriction(RestrictionKind.SEAL),))
    assert j.access("child", person(BORN), sealed, RULES, stockholm_midnight(date(2026, 11, 24))).denied == j.Denied.SEALED
    assert j.access(GUARDIAN, person(BORN), sealed, RULES, stockholm_midnight(date(2016, 6, 1))).denied == j.Denied.SEALED


def test_a_coordination_number_reads_the_journal_only_where_the_region_allows_it() -> None:
    adult = person(date(1990, 2, 14), citizen_id="ali", coordination=True, guardians=())
    now = stockholm_midnight(date(2026, 11, 24))
    assert j.access("ali", adult, NONE, RULES, now).denied == j.Denied.COORDINATION_NUMBER
    allowing = j.JournalRules(RULES.start_date, RULES.excluded_units, coordination_numbers=True)
    assert j.access("ali", adult, NONE, allowing, now).allowed


def test_someone_who_turns_100_this_year_reads_their_journal() -> None:
    gunnar = person(date(1926, 11, 24), citizen_id="gunnar", guardians=())
    assert j.access("gunnar", gunnar, NONE, RULES, stockholm_midnight(date(2026, 11, 24))).allowed


# -- what shows --

def note(*, when: str = "2024-03-01T09:30:00+01:00", unit: str = "SE-VC01", hidden: bool = False,
         rid: str = "n1") -> dict:  # fmt: skip
    resource = {
        "resourceType": "DocumentReference", "id": rid, "status": "current", "date": when,
        "description": "Besöksanteckning",
        "custodian": {"identifier": {"system": j.HSA_ID_SYSTEM, "value": unit}, "display": "Vårdcentralen Norrby"},
        "content": [{"attachment": {"contentType": "text/plain; charset=utf-8",
                                    "data": base64.b64encode("Rad ett\nRad två".encode()).decode()}}],
    }  # fmt: skip
    if hidden:
        resource["meta"] = {"security": [{"system": j.PATIENT_ACCESS_SYSTEM, "code": "hidden"}]}
    return resource


def test_a_note_reads_with_its_date_unit_and_text() -> None:
    entry = j.entry_of("cosmic", note())
    assert entry is not None
    assert entry.when == datetime(2024, 3, 1, 8, 30, tzinfo=timezone.utc)
    assert (entry.unit_hsa_id, entry.unit_name, entry.title) == ("SE-VC01", "Vårdcentralen Norrby", "Besöksanteckning")
    assert entry.lines == ("Rad ett", "Rad två")


@pytest.mark.parametrize(("resource", "shown"), [
    (note(), True),
    (note(hidden=True), False),  # the source marks it hidden from the patient
    (note(when="2015-03-31T23:30:00+02:00"), False),  # before the region's start date, Stockholm time
    (note(when="2015-04-01T00:10:00+02:00"), True),  # the start date itself
    (note(unit="SE-MV01"), False),  # a unit the region leaves out (mödravården)
    (note(unit="SE-KA01"), False),  # care has hidden this unit for two months
])  # fmt: skip
def test_what_the_journal_leaves_out(resource: dict, shown: bool) -> None:
    entry = j.entry_of("cosmic", resource)
    assert j.shown(entry, resource, j.Access(None), RULES, frozenset({"SE-KA01"})) is shown


def test_extended_access_shows_only_its_units_and_a_filter_only_the_chosen_one() -> None:
    resource = note(unit="SE-VC01")
    entry = j.entry_of("cosmic", resource)
    assert not j.shown(entry, resource, j.Access(None, frozenset({"SE-HS01"})), RULES, frozenset())
    assert j.shown(entry, resource, j.Access(None), RULES, frozenset(), unit_filter="SE-VC01")
    assert not j.shown(entry, resource, j.Access(None), RULES, frozenset(), unit_filter="SE-HS01")


def test_a_lab_value_outside_its_range_is_flagged() -> None:
    observation = {
        "resourceType": "Observation", "id": "o1", "status": "final", "effectiveDateTime": "2025-01-02T08:00:00Z",
        "code": {"text": "P-Glukos"}, "valueQuantity": {"value": 7.4, "unit": "mmol/L"},
        "referenceRange": [{"low": {"value": 4.0, "unit": "mmol/L"}, "high": {"value": 6.0, "unit": "mmol/L"}}],
        "interpretation": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation",
                                        "code": "H"}]}],
        "performer": [{"identifier": {"system": j.HSA_ID_SYSTEM, "value": "SE-VC01"}, "display": "Labb"}],
    }  # fmt: skip
    entry = j.entry_of("lab", observation)
    assert entry.lines == ("7,4 mmol/L", "(4 mmol/L–6 mmol/L)")
    assert entry.flag == "abnormal"


def test_a_date_only_value_is_that_days_stockholm_midnight() -> None:
    condition = {"resourceType": "Condition", "id": "c1", "recordedDate": "2024-07-01", "code": {"text": "Astma"},
                 "subject": {"reference": "Patient/p"}}  # fmt: skip
    entry = j.entry_of("cosmic", condition)
    assert entry.date_only and entry.when == datetime(2024, 6, 30, 22, 0, tzinfo=timezone.utc)


def _entry(key: str, when: datetime) -> j.Entry:
    return j.Entry("s", "DocumentReference", key, when, False, "SE-VC01", None, key)


def test_pages_across_sources_show_each_entry_once_even_when_several_share_a_moment() -> None:
    t = datetime(2025, 1, 1, 12, tzinfo=timezone.utc)
    entries = [_entry(f"e{i}", t - timedelta(hours=i // 3)) for i in range(8)]  # three at each moment
    shown: list[str] = []
    boundary = j.Boundary(None)
    while True:
        page, following = j.merge_page(entries, boundary, 2)
        shown += [e.resource_id for e in page]
        if following is None:
            break
        boundary = following
    assert sorted(shown) == sorted(e.resource_id for e in entries)
    assert len(shown) == len(set(shown))
