"""Complaints (Lämna synpunkter och klagomål): the citizen chooses whether the clinic or the
region's patient board (Patientnämnden) gets them. One addressed to the patient board goes to the
board's own queue, never the clinic's."""

from __future__ import annotations

from chalicelib.domain.cases import CaseType, QuestionKind

COMPLAINT_CASE_TYPE = "synpunkter"
PATIENT_BOARD_KIND = "patient_board"  # the unit kind of the region's patient board
PATIENT_BOARD_CHOICE = "patientnämnden"


def addressed_to_patient_board(case_type: CaseType, answers: dict[str, str]) -> bool:
    """True when a complaint's "to whom" choice names the patient board (a free-text answer that
    happens to say so does not count)."""
    if case_type.case_type_id != COMPLAINT_CASE_TYPE:
        return False
    return any(
        q.kind is QuestionKind.CHOICE and answers.get(q.question_id, "").strip().casefold() == PATIENT_BOARD_CHOICE
        for q in case_type.questions
    )
