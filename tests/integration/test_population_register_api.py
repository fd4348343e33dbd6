"""The integration API keeps the population register current: per-system bearer keys,
Idempotency-Key on every POST, clear errors, and nothing written on bad input."""

from __future__ import annotations

from datetime import date

from chalicelib.adapters.tables import Identity, RegisterPerson
from chalicelib.bootstrap import ports
from chalicelib.domain.clock import utc_now
from chalicelib.domain.personnummer import parse, with_check_digit
from chalicelib.services import integration

PATH = "/integration/v1/population-register/persons"


def _new_person(region, **changes):
    body = {
        "personnummer": with_check_digit(date(2019, 3, 3), "424"),
        "given_name": "Ebba",
        "family_name": "Lind",
        "address": {"street": "Lindvägen 3", "postal_code": "123 46", "city": "Demostad"},
        "guardians": [region.people["karin"].personnummer],
    }
    body.update(changes)
    return body


def _counts():
    return Identity.count(), sum(1 for _ in RegisterPerson.scan())  # test-only counting


def test_a_care_system_adds_a_child_and_the_guardian_is_offered_them(region):
    response = region.integration("POST", PATH, _new_person(region))
    assert response.status_code == 200
    assert response.json_body == {"status": "stored", "guardians": 1}
    browser = region.browser()
    browser.login("karin")
    assert "Ebba" in [c["given_name"] for c in browser.get("/api/v1/me").json_body["can_act_for"]]


def test_the_same_idempotency_key_twice_stores_once_and_answers_the_same(region):
    first = region.integration("POST", PATH, _new_person(region), idempotency_key="register-0001")
    stored = RegisterPerson.get(ports().identities.find(parse(_new_person(region)["personnummer"], region.today)))
    second = region.integration("POST", PATH, _new_person(region), idempotency_key="register-0001")
    assert second.status_code == first.status_code == 200
    assert second.json_body == first.json_body
    again = RegisterPerson.get(stored.citizen_id)
    assert again.updated_at == stored.updated_at  # the second delivery wrote nothing


def test_the_same_idempotency_key_with_another_body_is_refused(region):
    region.integration("POST", PATH, _new_person(region), idempotency_key="register-0002")
    response = region.integration("POST", PATH, _new_person(region, given_name="Annan"), idempotency_key="register-0002")
    assert response.status_code == 409
    assert response.json_body["code"] == "idempotency_key_reused"


def test_a_post_without_idempotency_key_is_refused_and_writes_nothing(region):
    before = _counts()
    response = region.integration("POST", PATH, _new_person(region), idempotency_key=None)
    assert response.status_code == 400
    assert response.json_body["code"] == "idempotency_key_required"
    assert _counts() == before


def test_no_key_a_wrong_secret_or_a_key_without_the_scope_is_refused(region):
    body = _new_person(region)
    missing = region.integration("POST", PATH, body, key=False)
    assert missing.status_code == 401 and missing.json_body["code"] == "invalid_credentials"
    key_id = region.integration_key.split(".")[0]
    wrong = region.integration("POST", PATH, body, key=f"{key_id}.not-the-secret")
    assert wrong.status_code == 401
    lab_only = integration.issue_key(ports(), system_name="Lab", allowed_units=set(), scopes={"lab-results"},
                                     now=utc_now())  # fmt: skip
    no_scope = region.integration("POST", PATH, body, key=lab_only)
    assert no_scope.status_code == 403 and no_scope.json_body["code"] == "scope_not_allowed"


def test_an_invalid_personnummer_gets_a_clear_error_and_writes_nothing(region):
    before = _counts()
    bad = _new_person(region, personnummer="201903034241")
    response = region.integration("POST", PATH, bad)
    assert response.status_code == 400
    assert response.json_body["code"] == "personnummer_invalid"
    assert response.json_body["field"] == "personnummer"
    assert "201903034241" not in response.body.decode()
    assert _counts() == before


def test_an_unknown_guardian_is_refused_and_nothing_is_written(region):
    before = _counts()
    stranger = with_check_digit(date(1960, 1, 1), "555")
    response = region.integration("POST", PATH, _new_person(region, guardians=[stranger]))
    assert response.status_code == 400 and response.json_body["code"] == "guardian_unknown"
    assert _counts()[1] == before[1]


def test_missing_fields_unknown_fields_and_malformed_json_are_refused(region):
    cases = [
        (_new_person(region, given_name=""), "field_empty", "given_name"),
        ({k: v for k, v in _new_person(region).items() if k != "family_name"}, "field_required", "family_name"),
        (_new_person(region, shoe_size=42), "unknown_field", "shoe_size"),
        (_new_person(region, protected_identity="yes"), "field_invalid", "protected_identity"),
        (_new_person(region, guardians="karin"), "field_invalid", "guardians"),
        ([1, 2, 3], "body_not_object", None),
    ]
    before = _counts()
    for number, (body, code, field) in enumerate(cases):
        response = region.integration("POST", PATH, body, idempotency_key=f"bad-input-{number:04d}")
        assert response.status_code == 400, body
        assert response.json_body["code"] == code
        assert response.json_body.get("field") == field
    malformed = region.integration("POST", PATH, None, raw=b'{"personnummer": ')
    assert malformed.status_code == 400 and malformed.json_body["code"] == "malformed_json"
    assert _counts() == before


def test_a_protected_identity_has_no_address_stored(region):
    body = _new_person(region, protected_identity=True)
    assert region.integration("POST", PATH, body).status_code == 200
    person = ports().register.find_by_personnummer(parse(body["personnummer"], region.today))
    assert person.protected_identity and person.address is None
    assert RegisterPerson.get(person.citizen_id).address is None


def test_integration_keys_are_stored_hashed(region):
    from chalicelib.adapters.tables import IntegrationClient

    key_id, secret = region.integration_key.split(".", 1)
    stored = IntegrationClient.get(key_id)
    assert secret not in stored.secret_hash and len(stored.secret_hash) == 64
