"""Case requests (ärenden): case types with their questions, the answers a citizen gives, and the
way a case moves between new, in progress, waiting for the citizen and closed."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import Enum

_WHOLE_NUMBER = re.compile(r"[0-9]{1,15}")  # ASCII digits: str.isdigit() also takes "٣" and "³"

TEXT_MAX = 4000


class QuestionKind(str, Enum):
    TEXT = "text"
    CHOICE = "choice"
    DATE = "date"
    NUMBER = "number"
    YES_NO = "yes_no"


@dataclass(frozen=True, slots=True)
class Question:
    question_id: str
    label: str
    kind: QuestionKind
    required: bool = True
    options: tuple[str, ...] = ()  # for CHOICE


@dataclass(frozen=True, slots=True)
class CaseType:
    case_type_id: str
    name: str
    description: str
    terms: str  # villkorstext the citizen accepts
    questions: tuple[Question, ...]
    scope: str = "central"  # "central" (the region's) or "local" (one unit's)


class Status(str, Enum):
    NEW = "new"
    IN_PROGRESS = "in_progress"
    WAITING_FOR_CITIZEN = "waiting_for_citizen"
    CLOSED = "closed"


class Template(str, Enum):
    """How staff answer (mallyp)."""

    COUNTER_QUESTION = "counter_question"  # Motfråga: the citizen may reply, the case waits
    ANSWER = "answer"  # Besvara: answer and close
    PARTIAL = "partial"  # Delsvar: stays open
    REFERRAL = "referral"  # Hänvisa: cannot be forwarded, so closed with where to turn instead


AFTER = {
    Template.COUNTER_QUESTION: Status.WAITING_FOR_CITIZEN,
    Template.ANSWER: Status.CLOSED,
    Template.PARTIAL: Status.IN_PROGRESS,
    Template.REFERRAL: Status.CLOSED,
}


def answer_errors(case_type: CaseType, raw: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """The cleaned answers and, per question id, what is wrong (Swedish, for beside the field)."""
    answers: dict[str, str] = {}
    errors: dict[str, str] = {}
    for q in case_type.questions:
        value = (raw.get(f"q-{q.question_id}") or "").strip()
        if not value:
            if q.required:
                errors[q.question_id] = "Svara på frågan."
            continue
        if len(value) > TEXT_MAX:
            errors[q.question_id] = f"Högst {TEXT_MAX} tecken."
        elif q.kind is QuestionKind.CHOICE and value not in q.options:
            errors[q.question_id] = "Välj ett av alternativen."
        elif q.kind is QuestionKind.YES_NO and value not in ("ja", "nej"):
            errors[q.question_id] = "Välj ja eller nej."
        elif q.kind is QuestionKind.NUMBER and not _WHOLE_NUMBER.fullmatch(value):
            errors[q.question_id] = "Skriv ett heltal."
        elif q.kind is QuestionKind.DATE and not _is_date(value):
            errors[q.question_id] = "Skriv datumet som ÅÅÅÅ-MM-DD."
        else:
            answers[q.question_id] = value
    return answers, errors


def _is_date(value: str) -> bool:
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


QUESTION_KINDS_SV = {"text": QuestionKind.TEXT, "val": QuestionKind.CHOICE, "datum": QuestionKind.DATE,
                     "tal": QuestionKind.NUMBER, "ja/nej": QuestionKind.YES_NO}  # fmt: skip


def parse_questions(text: str) -> tuple[tuple[Question, ...], str | None]:
    """Questions written one per line in the staff tool (no JavaScript form builder):
    `Fråga | text, val, datum, tal or ja/nej | krävs or frivillig | alternativ, alternativ`.
    Returns the questions, or what is wrong with which line."""
    questions = []
    for number, line in enumerate((x for x in text.splitlines() if x.strip()), start=1):
        parts = [p.strip() for p in line.split("|")]
        label = parts[0] if parts else ""
        kind = QUESTION_KINDS_SV.get((parts[1] if len(parts) > 1 else "text").casefold())
        required = (parts[2] if len(parts) > 2 else "krävs").casefold()
        options = tuple(o.strip() for o in (parts[3] if len(parts) > 3 else "").split(",") if o.strip())
        if not label or len(label) > 200:
            return (), f"Rad {number}: skriv frågan först (högst 200 tecken)."
        if kind is None:
            return (), f"Rad {number}: typen är text, val, datum, tal eller ja/nej."
        if required not in ("krävs", "frivillig"):
            return (), f"Rad {number}: skriv krävs eller frivillig."
        if kind is QuestionKind.CHOICE and len(options) < 2:
            return (), f"Rad {number}: ett val behöver minst två alternativ."
        questions.append(Question(f"q{number}", label, kind, required == "krävs", options))
    if not questions:
        return (), "Skriv minst en fråga."
    return tuple(questions), None
