"""A body that does not match its model gets one error with a stable code, the field and a message
in the request's language (chalicelib/api/contract.py)."""

from __future__ import annotations

import pytest

from chalicelib.api.contract import HsaId, Model, Personnummer, convert, text


class Slot(Model):
    slot_id: text(5)
    personnummer: Personnummer | None = None
    unit: HsaId | None = None
    count: int = 1


class Body(Model):
    slots: list[Slot]
    flag: bool = False


@pytest.mark.parametrize(("body", "code", "field", "english"), [
    ({}, "field_required", "slots", "The field slots is required."),
    ({"slots": 3}, "field_invalid", "slots", "The field slots has the wrong type: it must be a list."),
    ({"slots": [{"slot_id": "  "}]}, "field_empty", "slots[0].slot_id", "The field slots[0].slot_id must not be empty."),
    ({"slots": [{"slot_id": "abcdefgh"}]}, "field_too_long", "slots[0].slot_id",
     "The field slots[0].slot_id may be at most 5 characters."),
    ({"slots": [{"slot_id": "a", "personnummer": "12"}]}, "personnummer_invalid", "slots[0].personnummer", None),
    ({"slots": [{"slot_id": "a", "unit": "VC01"}]}, "hsa_id_invalid", "slots[0].unit", "The field slots[0].unit is not a valid HSA id."),
    ({"slots": [{"slot_id": "a", "other": 1}]}, "unknown_field", "slots[0].other", "Unknown field: slots[0].other."),
    ({"slots": [], "flag": "yes"}, "field_invalid", "flag", "The field flag has the wrong type: it must be true or false."),
    ([], "body_not_object", None, "The request must be a JSON object."),
])  # fmt: skip
def test_a_body_that_does_not_match_gets_a_code_a_field_and_a_message_in_both_languages(body, code, field, english):
    with pytest.raises(Exception) as raised:
        convert(body, Body)
    error = raised.value
    assert (error.status, error.code, error.field) == (400, code, field)
    assert error.message and error.message_in("sv") == error.message
    if english:
        assert error.message_in("en") == english
    assert error.message_in("en") != error.message_in("sv")


def test_a_matching_body_becomes_the_model():
    body = convert({"slots": [{"slot_id": "a1", "personnummer": "199001012384", "unit": "SE2321000099-VC01"}]}, Body)
    assert body.slots[0].slot_id == "a1" and body.flag is False
