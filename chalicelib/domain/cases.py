"""Case requests (ärenden): case types with their questions, the answers a citizen gives, the way
a case moves between new, in progress, waiting for the citizen and closed, and when it waits for the
citizen in their eyes (care asked, or wrote something they have not read)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum

from chalicelib.domain.error_text import ErrorText, N_
from chalicelib.domain.localized import NONE, Localized, localized

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
    """A question of a case type, in Swedish and optionally English (a plain str given is Swedish only).
    A choice's options are stored and answered by their Swedish text, whichever language the citizen
    read them in, so answers, staff views and rules on answers (a complaint to the patient board) stay
    the same; only the label shown changes."""

    question_id: str
    label: Localized
    kind: QuestionKind
    required: bool = True
    options: tuple[Localized, ...] = ()  # for CHOICE
    help_text: Localized = NONE  # hjälptext under the question

    def __post_init__(self) -> None:
        object.__setattr__(self, "label", localized(self.label))
        object.__setattr__(self, "options", tuple(localized(o) for o in self.options))
        object.__setattr__(self, "help_text", localized(self.help_text))

    @property
    def values(self) -> tuple[str, ...]:
        """The options as answers are stored: their Swedish."""
        return tuple(o.sv for o in self.options)

    def choices(self, lang: str | None) -> tuple[tuple[str, str], ...]:
        """(value, label) of each option: the value stored, the label in `lang`."""
        return tuple((o.sv, o.in_(lang)) for o in self.options)

    def answer_in(self, answer: str | None, lang: str | None) -> str | None:
        """A stored answer as a reader in `lang` reads it: a choice's option in that language."""
        option = next((o for o in self.options if o.sv == answer), None)
        return option.in_(lang) if option is not None else answer


class CaseTypeStatus(str, Enum):
    ACTIVE = "active"
    PAUSED = "paused"  # a local type the unit has paused: hidden from citizens, can be resumed
    RETIRED = "retired"  # no longer offered or edited; open cases keep their version


@dataclass(frozen=True, slots=True)
class CaseType:
    """Name, description and terms in Swedish and optionally English (a plain str is Swedish only)."""

    case_type_id: str
    name: Localized
    description: Localized
    terms: Localized  # villkorstext the citizen accepts
    questions: tuple[Question, ...]
    scope: str = "central"  # "central" (the region's) or "local" (one unit's)
    version: int = 1  # every edit makes a new version; a case keeps the one it was sent with
    status: CaseTypeStatus = CaseTypeStatus.ACTIVE

    def __post_init__(self) -> None:
        for name in ("name", "description", "terms"):
            object.__setattr__(self, name, localized(getattr(self, name)))


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


class CitizenWaits(str, Enum):
    """Why a case waits for the citizen (väntar på dig), as the start page lists it."""

    ANSWER = "answer"  # care asked (a counter-question, an invånarärende's questions): only a reply ends it
    READ = "read"  # care wrote (an answer, a partial answer, a reminder, closing words): reading it ends it


def unread_by_citizen(care_wrote_at: datetime | None, citizen_read_at: datetime | None) -> bool:
    """Care has written in the case since the citizen (or a guardian acting for a child) last opened it."""
    return care_wrote_at is not None and (citizen_read_at is None or citizen_read_at < care_wrote_at)


def citizen_waits(status: Status, care_wrote_at: datetime | None, citizen_read_at: datetime | None) -> CitizenWaits | None:
    """Whether the case waits for the citizen, and why: care asked and they have not answered, or care
    wrote and they have not read it. A case the citizen sent and care has not yet answered waits for
    care, not for them."""
    if status is Status.WAITING_FOR_CITIZEN:
        return CitizenWaits.ANSWER
    if unread_by_citizen(care_wrote_at, citizen_read_at):
        return CitizenWaits.READ
    return None


def answer_errors(case_type: CaseType, raw: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """The cleaned answers and, per question id, what is wrong (Swedish, for beside the field)."""
    answers: dict[str, str] = {}
    errors: dict[str, str] = {}
    for q in case_type.questions:
        value = (raw.get(f"q-{q.question_id}") or "").strip()
        if not value:
            if q.required:
                errors[q.question_id] = N_("Svara på frågan.")
            continue
        if len(value) > TEXT_MAX:
            errors[q.question_id] = ErrorText("Högst {limit} tecken.", {"limit": TEXT_MAX})
        elif q.kind is QuestionKind.CHOICE and value not in q.values:
            errors[q.question_id] = N_("Välj ett av alternativen.")
        elif q.kind is QuestionKind.YES_NO and value not in ("ja", "nej"):
            errors[q.question_id] = N_("Välj ja eller nej.")
        elif q.kind is QuestionKind.NUMBER and not _WHOLE_NUMBER.fullmatch(value):
            errors[q.question_id] = N_("Skriv ett heltal.")
        elif q.kind is QuestionKind.DATE and not _is_date(value):
            errors[q.question_id] = N_("Skriv datumet som ÅÅÅÅ-MM-DD.")
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
    """Questions written one per line (pasted in bulk; the editor's rows are questions_from_rows):
    `Fråga | text, val, datum, tal or ja/nej | krävs or frivillig | alternativ, alternativ | hjälptext`.
    Returns the questions, or what is wrong with which line."""
    questions = []
    for number, line in enumerate((x for x in text.splitlines() if x.strip()), start=1):
        parts = [p.strip() for p in line.split("|")]
        label = parts[0] if parts else ""
        kind = QUESTION_KINDS_SV.get((parts[1] if len(parts) > 1 else "text").casefold())
        required = (parts[2] if len(parts) > 2 else "krävs").casefold()
        options = tuple(o.strip() for o in (parts[3] if len(parts) > 3 else "").split(",") if o.strip())
        help_text = parts[4] if len(parts) > 4 else ""
        if len(help_text) > HELP_MAX:
            return (), ErrorText("Rad {row}: hjälptexten får vara högst {limit} tecken.",
                                 {"row": number, "limit": HELP_MAX})
        if not label or len(label) > LABEL_MAX:
            return (), ErrorText("Rad {row}: skriv frågan först (högst {limit} tecken).",
                                 {"row": number, "limit": LABEL_MAX})
        if kind is None:
            return (), ErrorText("Rad {row}: typen är text, val, datum, tal eller ja/nej.", {"row": number})
        if required not in ("krävs", "frivillig"):
            return (), ErrorText("Rad {row}: skriv krävs eller frivillig.", {"row": number})
        if kind is QuestionKind.CHOICE and len(options) < 2:
            return (), ErrorText("Rad {row}: ett val behöver minst två alternativ.", {"row": number})
        questions.append(Question(f"q{number}", label, kind, required == "krävs", options, help_text))
    if not questions:
        return (), N_("Skriv minst en fråga.")
    return tuple(questions), None


LABEL_MAX = 200
HELP_MAX = 500
QUESTIONS_MAX = 40
_QUESTION_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")


@dataclass(frozen=True, slots=True)
class QuestionRow:
    """One row of the question editor as the form sent it."""

    question_id: str  # kept from the version edited; "" for a new question
    label: str
    kind: str  # a QuestionKind value
    required: bool
    options: str  # comma-separated, for a choice
    help_text: str
    order: str  # a number; rows are sorted by it, ties in the order shown
    label_en: str = ""  # the English beside each text, optional
    help_en: str = ""
    options_en: str = ""  # comma-separated, as many as the Swedish, in the same order


def _options(text: str) -> tuple[str, ...]:
    return tuple(o.strip() for o in text.split(",") if o.strip())


def _english_options(text: str, swedish: tuple[str, ...]) -> tuple[str, ...]:
    """The English options, one for each Swedish in its place; one left empty between commas
    ("Tablet, , Cream") has none and shows the Swedish. Nothing written: ()."""
    written = tuple(o.strip() for o in text.split(",")) if text.strip() else ()
    return written if len(written) == len(swedish) else tuple(o for o in written if o)


def questions_from_rows(rows: list[QuestionRow], new_id: Callable[[], str]) -> tuple[tuple[Question, ...], dict[str, str]]:
    """The editor's rows as questions, in the order asked for; a row with no question text is left
    out (that is how a question is removed). Errors are keyed `q<row>-<field>`, row counted from 1."""
    errors: dict[str, str] = {}
    kept: list[tuple[int, int, Question]] = []
    seen: set[str] = set()
    for number, row in enumerate(rows, start=1):
        label = row.label.strip()
        if not label:
            continue
        prefix = f"q{number}-"
        try:
            kind = QuestionKind(row.kind)
        except ValueError:
            errors[prefix + "kind"] = N_("Välj typ av svar.")
            continue
        options = _options(row.options)
        options_en = _english_options(row.options_en, options)
        help_text, label_en, help_en = row.help_text.strip(), row.label_en.strip(), row.help_en.strip()
        order = row.order.strip()
        for field, text, most in (("label", label, LABEL_MAX), ("label_en", label_en, LABEL_MAX),
                                  ("help", help_text, HELP_MAX), ("help_en", help_en, HELP_MAX)):  # fmt: skip
            if len(text) > most:
                errors[prefix + field] = ErrorText("Högst {limit} tecken.", {"limit": most})
        if help_en and not help_text:
            errors[prefix + "help_en"] = N_("Skriv hjälptexten på svenska också.")
        if kind is QuestionKind.CHOICE and len(options) < 2:
            errors[prefix + "options"] = N_("Ett val behöver minst två alternativ, åtskilda med komma.")
        elif kind is QuestionKind.CHOICE and options_en and len(options_en) != len(options):
            errors[prefix + "options_en"] = N_("Skriv lika många alternativ på engelska som på svenska, i samma ordning.")
        if order and not (order.isascii() and order.isdigit()):
            errors[prefix + "order"] = N_("Skriv ett heltal.")
        question_id = row.question_id if _QUESTION_ID.match(row.question_id or "") else new_id()
        if question_id in seen:
            question_id = new_id()
        seen.add(question_id)
        choices = tuple(Localized(sv, options_en[n] if len(options_en) == len(options) else None)
                        for n, sv in enumerate(options)) if kind is QuestionKind.CHOICE else ()  # fmt: skip
        kept.append((int(order) if order.isascii() and order.isdigit() else number, number, Question(
            question_id, Localized(label, label_en), kind, row.required, choices, Localized(help_text, help_en))))  # fmt: skip
    if not kept and not errors:
        errors["q1-label"] = N_("Skriv minst en fråga.")
    if len(kept) > QUESTIONS_MAX:
        errors["q1-label"] = ErrorText("Högst {limit} frågor.", {"limit": QUESTIONS_MAX})
    return tuple(q for _, _, q in sorted(kept, key=lambda k: (k[0], k[1]))), errors
