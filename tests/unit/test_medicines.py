"""Medicines' pure rules (domain/medicines.py): who sees the renewal list (16) and Mina läkemedel
(18), a guardian for a child under 13; reading a medicine and its strength; what may be renewed;
what is current and how many withdrawals are left."""

from __future__ import annotations

from datetime import date, datetime, timezone

from chalicelib.domain import medicines as m
from chalicelib.domain.people import Person
from chalicelib.domain.personnummer import parse, with_check_digit

TODAY = date(2026, 11, 24)


def person(born: date, *, protected: bool = False) -> Person:
    return Person("c1", parse(with_check_digit(born, "238"), TODAY), "Test", "Testsson", protected, None)


def test_the_list_from_the_16th_birthday_and_mina_lakemedel_from_the_18th():
    # Given people born 15, 16 (today their birthday), 17 and 18 years ago
    fifteen, sixteen = person(date(2010, 11, 25)), person(date(2010, 11, 24))
    seventeen, eighteen = person(date(2009, 6, 1)), person(date(2008, 11, 24))
    # Then
    assert not m.may_renew(fifteen, False, TODAY) and m.may_renew(sixteen, False, TODAY)
    assert m.may_renew(seventeen, False, TODAY) and not m.may_list(seventeen, False, TODAY)
    assert m.may_list(eighteen, False, TODAY)


def test_a_guardian_for_a_child_under_13_but_never_a_protected_one():
    nine, thirteen = person(date(2017, 5, 1)), person(date(2013, 11, 24))
    assert m.may_renew(nine, True, TODAY) and m.may_list(nine, True, TODAY)
    assert not m.may_renew(thirteen, True, TODAY) and not m.may_list(thirteen, True, TODAY)
    assert not m.may_renew(person(date(2017, 5, 1), protected=True), True, TODAY)


def _request(**extra) -> dict:
    return {"resourceType": "MedicationRequest", "id": "r1", "status": "active", "intent": "order",
            "authoredOn": "2026-01-10T10:00:00+01:00",
            "requester": {"identifier": {"system": "urn:oid:1.2.752.29.4.19", "value": "SE2321000099-VC01"},
                          "display": "Vårdcentralen Norrby"}, **extra}  # fmt: skip


def test_a_contained_medication_gives_name_strength_and_form():
    medication = {"resourceType": "Medication", "id": "x", "code": {"text": "Desloratadin"}, "form": {"text": "oral lösning"},
                  "ingredient": [{"strength": {"numerator": {"value": 0.5, "unit": "mg"},
                                               "denominator": {"value": 1, "unit": "ml", "system": m.UCUM,
                                                               "code": "mL"}}}]}  # fmt: skip
    read = m.medication_of(_request(contained=[medication], medicationReference={"reference": "#x"}))
    assert (read.name, read.strength, read.form) == ("Desloratadin", "0,5 mg/ml", "oral lösning")
    per_tablet = {**medication, "ingredient": [{"strength": {"numerator": {"value": 5, "unit": "mg"},
                                                             "denominator": {"value": 1, "unit": "tablett"}}}]}  # fmt: skip
    assert m.medication_of(_request(contained=[per_tablet], medicationReference={"reference": "#x"})).strength == "5 mg"
    assert m.medication_of(_request(medicationCodeableConcept={"text": "Levaxin 50 mikrogram"})).name == "Levaxin 50 mikrogram"
    assert m.medication_of(_request(medicationReference={"reference": "#missing"})) is None


def test_renewable_leaves_out_the_stopped_and_the_older_than_five_years_and_keeps_the_newest():
    def p(rid, status, when, name="A"):
        return m.prescription_of("s", _request(id=rid, status=status, authoredOn=when,
                                               medicationCodeableConcept={"text": name}))  # fmt: skip

    found = m.renewable([p("1", "active", "2026-01-01"), p("2", "completed", "2025-01-01"), p("3", "stopped", "2026-02-01", "B"),
                         p("4", "completed", "2021-11-23", "C"), p("5", "completed", "2021-11-24", "D")], TODAY)  # fmt: skip
    assert sorted(x.resource_id for x in found) == ["1", "5"]  # A once (the newest); D on the five-year day


def test_current_prescriptions_and_withdrawals_left():
    active = m.prescription_of("s", _request(medicationCodeableConcept={"text": "A"}, dispenseRequest={
        "validityPeriod": {"end": "2027-01-10"}, "numberOfRepeatsAllowed": 2}))  # fmt: skip
    ended = m.prescription_of("s", _request(id="r2", medicationCodeableConcept={"text": "B"},
                                            dispenseRequest={"validityPeriod": {"end": "2026-11-23"}}))  # fmt: skip
    dispense = m.dispense_of("s", {"resourceType": "MedicationDispense", "id": "d1", "status": "completed",
                                   "whenHandedOver": "2026-02-01T12:00:00+01:00", "quantity": {"value": 100, "unit": "st"},
                                   "authorizingPrescription": [{"reference": "MedicationRequest/r1"}]})  # fmt: skip
    (shown,) = m.current([active, ended], [dispense], TODAY)
    assert shown.prescription.resource_id == "r1" and shown.dispenses == (dispense,)
    assert shown.withdrawals_left == 2  # the first and two more, one made
    assert dispense.quantity == "100 st" and dispense.when == datetime(2026, 2, 1, 11, tzinfo=timezone.utc)
    assert m.withdrawals_left(active, 5) == 0
