"""Case type questions as staff write them, one per line, in the staff tool."""

from __future__ import annotations

from chalicelib.domain.cases import QuestionKind, parse_questions


def test_questions_written_one_per_line():
    questions, problem = parse_questions("Vilket läkemedel? | text | krävs\nForm | val | frivillig | tablett, kräm\n"
                                         "Sedan när? | datum")  # fmt: skip
    assert problem is None
    assert [(q.label.sv, q.kind, q.required, q.values) for q in questions] == [
        ("Vilket läkemedel?", QuestionKind.TEXT, True, ()),
        ("Form", QuestionKind.CHOICE, False, ("tablett", "kräm")),
        ("Sedan när?", QuestionKind.DATE, True, ()),
    ]
    assert parse_questions("Form | val | krävs | bara ett")[1] == "Rad 1: ett val behöver minst två alternativ."
    assert parse_questions("X | färg")[1].startswith("Rad 1: typen är")
    assert parse_questions("  \n")[1] == "Skriv minst en fråga."
