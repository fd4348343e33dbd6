"""Numbers, mobile numbers and HSA-ids take the ASCII digits 0-9 only: Python's \\d and
str.isdigit() also take other scripts' digits ("٣", "３", "²"), which no person here means."""

from __future__ import annotations

import pytest


def test_digits_of_other_scripts_are_no_number_mobile_or_hsa_id():
    from chalicelib.domain import cases, contact
    from chalicelib.domain.notifications import Channel
    from chalicelib.services import permissions

    question = cases.Question("antal", "Antal", cases.QuestionKind.NUMBER, True, ())
    case_type = cases.CaseType("t", "T", "", "", (question,))
    for number in ("٣", "３", "²", "१२", "1 2"):
        answers, errors = cases.answer_errors(case_type, {"q-antal": number})
        assert "antal" in errors and not answers, number
    assert cases.answer_errors(case_type, {"q-antal": "12"})[0] == {"antal": "12"}
    for mobile in ("٠٧٠١٢٣٤٥٦٧", "０７０１２３４５６７", "070١٢٣٤٥٦٧"):
        with pytest.raises(contact.InvalidContact):
            contact.normalise(Channel.SMS, mobile)
    assert contact.normalise(Channel.SMS, "070-123 45 67") == "+46701234567"
    assert permissions._HSA_ID.fullmatch("SE2321000099-P001")
    assert not permissions._HSA_ID.fullmatch("SE２３２１００００９９-P001")
    assert not permissions._HSA_ID.fullmatch("SE2321000099-P001\n")
