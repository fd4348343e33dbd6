"""Mina intyg's pure rules: what a certificate is (and so what the journal's notes leave out), how
one is read, and who may read them."""

from __future__ import annotations

import base64
from datetime import date

from chalicelib.domain import certificates as rules

CATEGORY = [{"coding": [{"system": rules.CATEGORY_SYSTEM, "code": "certificate"}]}]


def _certificate(**extra):
    text = base64.b64encode("Arbetsförmåga: nedsatt helt.\nI 14 dagar.".encode()).decode()
    return {"resourceType": "DocumentReference", "id": "c-1", "status": "current", "category": CATEGORY,
            "date": "2026-11-10T14:20:00+01:00", "description": "Läkarintyg för sjukpenning",
            "author": [{"type": "Practitioner", "display": "Omar Lund"}],
            "custodian": {"type": "Organization", "identifier": {"system": "urn:oid:1.2.752.29.4.19",
                                                                  "value": "SE2321000099-VC01"},
                          "display": "Vårdcentralen Norrby"},
            "content": [{"attachment": {"contentType": "text/plain; charset=utf-8", "data": text}}], **extra}


def test_a_document_reference_with_the_certificate_category_is_a_certificate_and_a_note_is_not():
    assert rules.is_certificate(_certificate())
    assert not rules.is_certificate(_certificate(category=[]))
    assert not rules.is_certificate({**_certificate(), "resourceType": "Observation"})
    other = [{"coding": [{"system": "http://loinc.org", "code": "certificate"}]}]
    assert not rules.is_certificate(_certificate(category=other))


def test_a_certificate_is_read_with_its_title_date_unit_author_and_text():
    c = rules.certificate_of("cosmic", _certificate())
    assert (c.key, c.title, c.unit_hsa_id, c.unit_name, c.author) == (
        "cosmic/c-1", "Läkarintyg för sjukpenning", "SE2321000099-VC01", "Vårdcentralen Norrby", "Omar Lund")
    assert c.lines == ("Arbetsförmåga: nedsatt helt.", "I 14 dagar.") and c.issued.tzinfo is not None


def test_hidden_from_the_patient_entered_in_error_or_without_a_date_is_not_shown():
    hidden = {"security": [{"system": "https://e-tjanster.github.io/fhir/CodeSystem/patient-access", "code": "hidden"}]}
    assert rules.certificate_of("cosmic", _certificate(meta=hidden)) is None
    assert rules.certificate_of("cosmic", _certificate(status="entered-in-error")) is None
    assert rules.certificate_of("cosmic", {**_certificate(), "date": None}) is None
    assert rules.certificate_of("cosmic", _certificate(id="../x")) is None


def test_16_for_oneself_and_a_guardian_for_a_child_under_13():
    from chalicelib.domain.people import Person
    from chalicelib.domain.personnummer import parse, with_check_digit

    today = date(2026, 11, 24)

    def person(born: date, protected: bool = False) -> Person:
        return Person(citizen_id="p", personnummer=parse(with_check_digit(born, "323"), today), given_name="A",
                      family_name="B", protected_identity=protected, address=None)

    assert rules.may_read(person(date(2010, 11, 24)), False, today)
    assert not rules.may_read(person(date(2010, 11, 25)), False, today)
    assert rules.may_read(person(date(2017, 1, 1)), True, today)
    assert not rules.may_read(person(date(2013, 11, 24)), True, today)  # 13 today
    assert not rules.may_read(person(date(2017, 1, 1), protected=True), True, today)
