"""Pure rules behind the staff tool's content and roles: who may grant what, the menu by role, key
rotation overlaps and last-use writes, the question editor, and where a complaint goes."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from chalicelib.domain import integration_keys as keys
from chalicelib.domain.cases import CaseType, Question, QuestionKind, QuestionRow, questions_from_rows
from chalicelib.domain.complaints import addressed_to_patient_board
from chalicelib.domain.roles import RoleAtUnit, StaffRole, may_grant, menu

NOW = datetime(2025, 3, 30, 1, 30, tzinfo=timezone.utc)  # the night summer time starts in Stockholm


@pytest.mark.parametrize(("held", "regional", "role", "allowed"), [
    ([StaffRole.PERMISSION_ADMIN], False, StaffRole.CASE_HANDLER, True),
    ([StaffRole.PERMISSION_ADMIN], False, StaffRole.REVIEWER, True),
    ([StaffRole.PERMISSION_ADMIN], False, StaffRole.LOCAL_ADMIN, False),
    ([StaffRole.PERMISSION_ADMIN], False, StaffRole.PERMISSION_ADMIN, False),
    ([StaffRole.LOCAL_ADMIN], False, StaffRole.CASE_HANDLER, False),
    ([], True, StaffRole.PERMISSION_ADMIN, True),
    ([], True, StaffRole.LOCAL_ADMIN, True),
    ([], True, StaffRole.REGIONAL_ADMIN, False),
    ([StaffRole.PERMISSION_ADMIN], True, StaffRole.REGION_AUDITOR, False),
])  # fmt: skip
def test_who_may_grant_which_role_at_a_unit(held, regional, role, allowed):
    assert may_grant(held, regional, role) is allowed


def test_the_menu_follows_the_roles():
    nurse = [path for path, _ in menu([RoleAtUnit("U", StaffRole.CASE_RECEIVER)])]
    assert "/staff/cases" in nurse and "/staff/permissions" not in nurse and "/staff/integration-keys" not in nurse
    regional = [path for path, _ in menu([RoleAtUnit("R", StaffRole.REGIONAL_ADMIN)])]
    assert {"/staff/integration-keys", "/staff/case-types", "/staff/permissions"} <= set(regional)
    assert "/staff/cases" not in regional and "/staff/audit" not in regional
    auditor = [path for path, _ in menu([RoleAtUnit("R", StaffRole.REGION_AUDITOR)])]
    assert auditor == ["/staff", "/staff/audit", "/staff/settings"]


@pytest.mark.parametrize(("text", "hours"), [("", 24), ("0", 0), ("48", 48), ("336", 336), ("337", None),
                                             ("-1", None), ("1.5", None), ("２", None), ("x", None)])  # fmt: skip
def test_the_overlap_is_whole_hours_up_to_two_weeks(text, hours):
    assert keys.overlap_hours(text) == hours


def test_the_previous_secret_works_until_the_overlap_ends_and_not_a_moment_after():
    until = NOW + timedelta(hours=2)
    assert keys.previous_secret_valid(until, NOW + timedelta(hours=1, minutes=59, seconds=59))
    assert not keys.previous_secret_valid(until, until)
    assert not keys.previous_secret_valid(None, NOW)


def test_last_use_is_noted_at_most_every_five_minutes():
    assert keys.should_note_use(None, NOW)
    assert not keys.should_note_use(NOW, NOW + timedelta(minutes=4, seconds=59))
    assert keys.should_note_use(NOW, NOW + timedelta(minutes=5))


def _row(label: str, order: str = "", kind: str = "text", question_id: str = "", **more: object) -> QuestionRow:
    values = {"required": True, "options": "", "help_text": "", **more}
    return QuestionRow(question_id, label, kind, values["required"], values["options"], values["help_text"], order)


def test_the_question_editor_orders_keeps_ids_and_drops_emptied_rows():
    ids = iter(("q-new1", "q-new2"))
    questions, errors = questions_from_rows([
        _row("Andra", "20", question_id="b"), _row("", "5", question_id="gone"),
        _row("Första", "10", help_text="  Hjälp  "), _row("Tredje", "", "choice", options="ja, nej, kanske",
                                                          required=False),
    ], lambda: next(ids))  # fmt: skip
    assert errors == {}
    # A row without a number sorts by its row (4th here), before the numbered 10 and 20
    assert [(q.question_id, q.label.sv) for q in questions] == [("q-new2", "Tredje"), ("q-new1", "Första"), ("b", "Andra")]
    first = next(q for q in questions if q.label.sv == "Första")
    assert first.help_text.sv == "Hjälp" and first.required
    third = next(q for q in questions if q.label.sv == "Tredje")
    assert third.values == ("ja", "nej", "kanske") and not third.required


def test_rows_without_an_order_number_keep_their_place():
    questions, _ = questions_from_rows([_row("A"), _row("B"), _row("C", "1")], lambda: "x")
    assert [q.label.sv for q in questions] == ["A", "C", "B"]


def test_the_question_editor_says_what_is_wrong_beside_each_field():
    _, errors = questions_from_rows([_row("Välj", "x", "choice", options="bara ett"), _row("Q", kind="färg")],
                                    lambda: "x")  # fmt: skip
    assert set(errors) == {"q1-order", "q1-options", "q2-kind"}
    _, none = questions_from_rows([_row(""), _row("  ")], lambda: "x")
    assert none == {"q1-label": "Skriv minst en fråga."}
    _, bad_id = questions_from_rows([_row("A", question_id="<script>")], lambda: "safe")
    assert bad_id == {}


def _complaints(choice_options: tuple[str, ...] = ("mottagningen", "patientnämnden")) -> CaseType:
    return CaseType("synpunkter", "Synpunkter", "", "", (
        Question("till", "Till vem?", QuestionKind.CHOICE, True, choice_options),
        Question("synpunkt", "Dina synpunkter", QuestionKind.TEXT)))  # fmt: skip


def test_a_complaint_goes_to_the_patient_board_only_when_chosen_so():
    assert addressed_to_patient_board(_complaints(), {"till": "patientnämnden", "synpunkt": "x"})
    assert not addressed_to_patient_board(_complaints(), {"till": "mottagningen", "synpunkt": "patientnämnden"})
    other = CaseType("skicka-meddelande", "Skicka meddelande", "", "", _complaints().questions)
    assert not addressed_to_patient_board(other, {"till": "patientnämnden"})

