"""Case requests: a citizen (or a guardian for a child under 13) finds a unit, picks one of its
active case types, answers its questions and sends it; the unit's staff take it (exactly one of
them), answer with a counter-question, a partial answer, an answer or a referral, and every answer
lands in the citizen's inbox. Every staff read of a case goes to the access log."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

from chalicelib.adapters.tables import AnswerMap, CaseRecord, EntryMap, MedicineMap, UnitRecord
from chalicelib.adapters.cases import FigureChanged, question_map, question_of
from chalicelib.domain import case_due, unit_figures
from chalicelib.domain.case_due import OpeningHours
from chalicelib.domain.clock import stockholm_date
from chalicelib.domain.cases import (
    AFTER,
    TEXT_MAX,
    CaseType,
    CaseTypeStatus,
    CitizenWaits,
    Question,
    QuestionKind,
    Status,
    Template,
    answer_errors,
    citizen_waits,
    unread_by_citizen,
)
from chalicelib.domain.error_text import ErrorText, N_
from chalicelib.domain.events import DomainEvent, Door, Kind, event
from chalicelib.domain.localized import Localized
from chalicelib.domain.roles import StaffRole
from chalicelib.errors import BadInput, Conflict, Forbidden, NotFound, Unprocessable
from chalicelib.observability import logger, record_metric
from chalicelib.services import complaints, inbox, paging, patients, persons
from chalicelib.services.input import personnummer
from chalicelib.services.integration import run_idempotent
from chalicelib.services.ports import Ports
from chalicelib.services.principals import CitizenPrincipal, StaffPrincipal
from chalicelib.services.staff_messages import signed
from chalicelib.catalogs import translate

WORKERS = (StaffRole.CASE_RECEIVER, StaffRole.CASE_HANDLER)
READERS = (*WORKERS, StaffRole.REVIEWER)


def case_event(kind: Kind, case_id: str, now: datetime, door: Door, **data: str | int | None) -> DomainEvent:
    """A change of a case, on the case's own stream key (its events arrive in order)."""
    return event(kind, f"case#{case_id}", now, case_id=case_id, door=door.value,
                 **{k: None if v is None else str(v) for k, v in data.items()})  # fmt: skip


def _next_entry(record: CaseRecord) -> int:
    """The index the entry being added gets (the write is conditional on the version read)."""
    return len(record.conversation or ())


def _letter(record: CaseRecord, entry: EntryMap, kind: Kind, lang: str) -> inbox.Letter:
    """What the citizen's inbox gets for a staff entry in a case, in the case's own thread: our words
    in the reader's language, the staff's as they wrote them."""
    topic, to_case = translate(lang, "case.mail.topic", case_type=record.case_type_name), f"/cases/{record.case_id}"
    reply = (inbox.Action(translate(lang, "case.mail.read_and_reply"), to_case),)
    if kind is Kind.CASE_STARTED:
        read = (inbox.Action(translate(lang, "case.mail.read"), to_case),) if entry.template == "information" else reply
        return inbox.Letter(topic, record.case_type_name, entry.text, read)
    if kind is Kind.CASE_REMINDED:
        return inbox.Letter(topic, translate(lang, "case.mail.reminder"), entry.text, reply)
    if kind is Kind.CASE_CLOSED:
        return inbox.Letter(topic, translate(lang, "case.mail.closed"), entry.text)
    template = Template(entry.template)
    return inbox.Letter(topic, translate(lang, f"case.mail.{template.value}"), entry.text,
                        reply if template is Template.COUNTER_QUESTION else ())  # fmt: skip


def tell_citizen(ports: Ports, happened: DomainEvent) -> None:
    """Follow-up of a staff entry the citizen should read (an answer, a counter-question, a reminder,
    closing words, an invånarärende): into the inbox of the person the case is about (a child under
    13's guardians are told by the inbox's own follow-up), once per event."""
    record = ports.cases.get(happened["case_id"])
    index = happened.get("entry")
    if record is None or index is None or int(index) >= len(record.conversation or ()):
        return  # closed without words to the citizen: nothing to tell
    entry = record.conversation[int(index)]
    lang = persons.reach_of(ports, record.citizen_id, stockholm_date(happened.occurred_at)).language
    inbox.deliver(ports, record.citizen_id, ports.units.get(record.unit_hsa_id), _letter(record, entry, happened.kind, lang),
                  happened.get("by") or "", happened.occurred_at, staff_name=entry.name,
                  message_id=happened.follow_up_id("inbox"), thread_id=f"case#{record.case_id}")  # fmt: skip


class InvalidForm(BadInput):
    """Several fields wrong at once: each message (Swedish, domain/error_text.py) goes beside its field."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("form_invalid", "Rätta de markerade fälten.")
        self.errors = {field: ErrorText(message) for field, message in errors.items()}


# -- the citizen -------------------------------------------------------------------------------


def find_units(ports: Ports, query: str | None) -> list[UnitRecord]:
    """Units whose name or municipality contains the words searched for (the directory is one Query)."""
    words = (query or "").casefold().split()
    return [u for u in ports.units.all() if all(w in f"{u.name} {u.municipality} {u.city}".casefold() for w in words)]


def case_types_at(ports: Ports, unit: UnitRecord) -> list[CaseType]:
    """The unit's active case types: central ones assigned to it and not paused, and its own that are
    neither paused nor retired."""
    active = set(unit.active_case_types or ()) - set(unit.paused_case_types or ())
    offered = [t for t in ports.case_types.central() if t.case_type_id in active] + ports.case_types.local(unit.hsa_id)
    return [t for t in offered if t.status is CaseTypeStatus.ACTIVE]


def _unit(ports: Ports, unit_hsa_id: str) -> UnitRecord:
    unit = ports.units.get(unit_hsa_id)
    if unit is None:
        raise NotFound("unit_not_found", "Mottagningen finns inte.")
    return unit


def form_for(ports: Ports, unit_hsa_id: str, case_type_id: str) -> tuple[UnitRecord, CaseType]:
    unit = _unit(ports, unit_hsa_id)
    case_type = next((t for t in case_types_at(ports, unit) if t.case_type_id == case_type_id), None)
    if case_type is None:
        raise Unprocessable("case_type_not_active", "Mottagningen tar inte emot det ärendet här.")
    return unit, case_type


def opening_hours(unit: UnitRecord) -> OpeningHours:
    days = {h.weekday: (time.fromisoformat(h.opens), time.fromisoformat(h.closes)) for h in unit.opening_hours or ()}
    return OpeningHours(days) if days else OpeningHours.default()


def submit(ports: Ports, principal: CitizenPrincipal, unit_hsa_id: str, case_type_id: str, fields: dict[str, str],
           now: datetime, lambda_context: Any = None) -> str:  # fmt: skip
    """Validate every answer and the terms, then send once per form."""
    unit, case_type = form_for(ports, unit_hsa_id, case_type_id)
    answers, errors = answer_errors(case_type, fields)
    # A complaint addressed to the patient board goes to the board's queue, not the clinic's.
    queue_unit, about_unit = complaints.route(ports, unit, case_type, answers)
    if fields.get("accept_terms") != "yes":
        errors["terms"] = N_("Du behöver godkänna villkoren för att skicka ärendet.")
    if errors:
        raise InvalidForm(errors)

    payload = {"unit": unit_hsa_id, "type": case_type_id, "subject": principal.subject_id, "answers": answers}
    return send(ports, principal, queue_unit, case_type, now,
                answers=[AnswerMap(label=q.label.sv, answer=answers[q.question_id])  # staff read the Swedish
                         for q in case_type.questions if q.question_id in answers],
                about_unit=about_unit, operation="cases.submit", idempotency_key=fields.get("submission_id"),
                payload=payload, lambda_context=lambda_context)  # fmt: skip


def send(ports: Ports, principal: CitizenPrincipal, queue_unit: UnitRecord, case_type: CaseType, now: datetime, *,
         answers: list[AnswerMap], operation: str, idempotency_key: str | None, payload: dict[str, Any],
         about_unit: UnitRecord | None = None, medicines: list[MedicineMap] | None = None,
         lambda_context: Any = None) -> str:  # fmt: skip
    """Send a checked case into `queue_unit`'s queue, once per (operation, sender, submission id): the
    case and its case.sent event in one write; the follow-ups run from the event. The case form sends
    the answers to the case type's questions (with the version they were asked in); Förnya recept from
    the list (services/medicines.py) sends the medicines chosen, structured, and its own free text."""

    def send_once() -> dict[str, Any]:
        case_id = str(uuid.uuid4())
        due = case_due.due_at(now, opening_hours(queue_unit))
        patient = patients.snapshot(ports.register.get(principal.subject_id))  # for the staff tool's queue
        sent = case_event(Kind.CASE_SENT, case_id, now, Door.CITIZEN, unit_hsa_id=queue_unit.hsa_id,
                          case_type_id=case_type.case_type_id)  # fmt: skip
        ports.cases.create(CaseRecord(
            case_id, **patient, unit_hsa_id=queue_unit.hsa_id, citizen_id=principal.subject_id,
            sent_by_id=principal.citizen_id,
            case_type_id=case_type.case_type_id, case_type_name=case_type.name.sv,
            case_type_name_en=case_type.name.en,
            # Sent with the list, not the version's questions: the answers are shown as stored.
            case_type_version=None if medicines else case_type.version,
            about_unit_hsa_id=about_unit.hsa_id if about_unit else None,
            about_unit_name=about_unit.name if about_unit else None,
            answers=answers, medicines=medicines or None,
            status=Status.NEW.value, created_at=now, created_key=f"{now.isoformat()}#{case_id}", due_at=due,
            due_key=f"{due.isoformat()}#{case_id}", open_unit=queue_unit.hsa_id,
        ), sent)  # fmt: skip
        logger.info("case sent", extra={"case_id": case_id, "unit_hsa_id": queue_unit.hsa_id})
        record_metric("CaseSent")
        return {"case_id": case_id}

    return str(run_idempotent(operation=operation, caller=principal.citizen_id, idempotency_key=idempotency_key,
                              payload=payload, command=send_once, lambda_context=lambda_context)["case_id"])  # fmt: skip


CASES_PAGE = 20


def my_cases(ports: Ports, principal: CitizenPrincipal, cursor: str | None = None) -> paging.Page[CaseRecord]:
    """A page of the subject's cases, newest first: one Query."""
    scope = f"cases:{principal.subject_id}"
    found, following = ports.cases.citizen_page(principal.subject_id, CASES_PAGE, paging.start(ports, scope, cursor))
    return paging.Page(found, paging.following(ports, scope, following))


def my_case(ports: Ports, principal: CitizenPrincipal, case_id: str) -> CaseRecord:
    record = ports.cases.get(case_id)
    if record is None or record.citizen_id != principal.subject_id:
        raise NotFound("case_not_found", "Ärendet finns inte.")
    return record


def read_case(ports: Ports, principal: CitizenPrincipal, case_id: str, now: datetime) -> CaseRecord:
    """The subject's case as they open it (the page, the JSON API): what care wrote since they last
    looked is read now, so the case no longer waits for them to read it (domain/cases.py), and its
    unread letters in the inbox are read with it. Writes only when care has written something new."""
    record = my_case(ports, principal, case_id)
    if unread_by_citizen(record.care_wrote_at, record.citizen_read_at) and ports.cases.seen_by_citizen(record, now):
        inbox.read_letters_of(ports, record.citizen_id, f"case#{record.case_id}", now)
    return record


def seen_in_inbox(ports: Ports, citizen_id: str, case_id: str, newest_read: datetime, now: datetime) -> None:
    """The citizen read the case's letters in the inbox: when the newest of them is care's last word
    in the case, the case is read too (a letter still on its way leaves it unread)."""
    record = ports.cases.get(case_id)
    if record is None or record.citizen_id != citizen_id or record.care_wrote_at is None:
        return
    if unread_by_citizen(record.care_wrote_at, record.citizen_read_at) and newest_read >= record.care_wrote_at:
        ports.cases.seen_by_citizen(record, now)


WAITING_SHOWN = 3


@dataclass(frozen=True)
class WaitingCase:
    """A case that waits for the citizen, as the start page lists it."""

    case_id: str
    case_type_name: str
    unit_hsa_id: str
    why: CitizenWaits
    since: datetime  # when care last wrote (asked or answered)
    unit_name: str = ""  # filled in by the page that shows it (one read of the units it names)


def waiting_for_me(ports: Ports, principal: CitizenPrincipal, lang: str | None = None,
                   limit: int = WAITING_SHOWN) -> list[WaitingCase]:  # fmt: skip
    """The subject's cases that wait for them, care's newest word first, named in `lang` where the
    case type had it: one Query of a few items."""
    found = []
    for record in ports.cases.waiting_for_citizen(principal.subject_id, limit):
        why = citizen_waits(Status(record.status), record.care_wrote_at, record.citizen_read_at)
        if why is not None:  # the index is kept in the same write as the case; this only double-checks
            found.append(WaitingCase(record.case_id, case_type_name(record, lang), record.unit_hsa_id, why,
                                     record.care_wrote_at or record.created_at))  # fmt: skip
    return found


def questions_of(record: CaseRecord) -> tuple[Question, ...]:
    """An invånarärende's questions for the citizen, as staff sent them (with their English, if any)."""
    return tuple(question_of(q) for q in record.questions or ())


def case_type_name(record: CaseRecord, lang: str | None) -> str:
    """The case's name as the case type was called when the case was sent, in `lang` where it had
    one; staff read the Swedish (record.case_type_name)."""
    return Localized(record.case_type_name, record.case_type_name_en).in_(lang)


@dataclass(frozen=True)
class ShownAnswer:
    label: str
    answer: str | None  # None: not answered
    yes_no: bool = False  # "ja"/"nej": the page says it in its own words


def shown_answers(record: CaseRecord, version: CaseType | None, lang: str | None) -> list[ShownAnswer]:
    """The answers sent, in `lang`: every question of the version the case was sent with (answered or
    not), else the answers as stored. Answers are stored by the Swedish question and option, so
    staff ("sv") read them as written; a citizen reading in English sees the English question and
    option beside each where the version has one."""
    given = {a.label: a.answer for a in record.answers or ()}
    if version is not None:
        return [ShownAnswer(q.label.in_(lang), q.answer_in(given.get(q.label.sv), lang), q.kind is QuestionKind.YES_NO)
                for q in version.questions]  # fmt: skip
    asked = {q.label.sv: q for q in questions_of(record)}
    return [ShownAnswer(q.label.in_(lang), q.answer_in(a.answer, lang), q.kind is QuestionKind.YES_NO)
            if (q := asked.get(a.label)) else ShownAnswer(a.label, a.answer)
            for a in record.answers or ()]  # fmt: skip


def reply(ports: Ports, principal: CitizenPrincipal, case_id: str, text: str | None, now: datetime,
          fields: dict[str, str] | None = None) -> None:  # fmt: skip
    """The citizen answers a counter-question (or an invånarärende's questions); the case goes back
    to its handler's queue as "Invånaren har svarat"."""
    record = my_case(ports, principal, case_id)
    if record.status != Status.WAITING_FOR_CITIZEN.value:
        raise Unprocessable("case_not_waiting", "Ärendet väntar inte på svar från dig.")
    answers = None
    if record.questions:
        asked = CaseType(record.case_type_id, record.case_type_name, "", "", questions_of(record))
        given, errors = answer_errors(asked, fields or {})
        if errors:
            raise InvalidForm(errors)
        answers = [AnswerMap(label=q.label.sv, answer=given[q.question_id]) for q in asked.questions
                   if q.question_id in given]  # fmt: skip
        extra = (text or "").strip()
        body = "\n".join([*(f"{a.label}: {a.answer}" for a in answers), *([extra] if extra else [])]) or "–"
        if len(body) > TEXT_MAX * 2:
            raise BadInput("field_too_long", "Högst {limit} tecken.", field="reply", values={"limit": TEXT_MAX})
    else:
        body = _text(text, "reply")
    entry = EntryMap(author="citizen", name=principal.display_name, text=body, template=None, at=now)
    replied = case_event(Kind.CASE_REPLIED, case_id, now, Door.CITIZEN, entry=_next_entry(record))
    if not ports.cases.add_entry(record, entry, Status.IN_PROGRESS, now, replied, (Status.WAITING_FOR_CITIZEN,),
                                 answers=answers):  # fmt: skip
        raise Conflict("case_changed", "Ärendet har ändrats. Ladda om sidan.")


def _text(value: str | None, field: str) -> str:
    text = (value or "").strip()
    if not text:
        raise BadInput("field_required", "Skriv ett svar.", field=field)
    if len(text) > TEXT_MAX:
        raise BadInput("field_too_long", "Högst {limit} tecken.", field=field, values={"limit": TEXT_MAX})
    return text


# -- the staff tool -----------------------------------------------------------------------------------


def open_case(ports: Ports, principal: StaffPrincipal, case_id: str, now: datetime) -> CaseRecord:
    """One case, for staff at its unit; the read is written to the citizen's access log first
    (services/case_work.py open_for_staff, which also builds the patient header)."""
    from chalicelib.services import case_work

    return case_work.open_for_staff(ports, principal, case_id, now).record


def take(ports: Ports, principal: StaffPrincipal, case_id: str, now: datetime | None = None) -> None:
    """Exactly one of several staff taking the same unhandled case gets it."""
    from chalicelib.domain.clock import utc_now

    record = ports.cases.get(case_id)
    if record is None or not principal.has_role(record.unit_hsa_id, *READERS):
        raise NotFound("case_not_found", "Ärendet finns inte.")
    if not principal.has_role(record.unit_hsa_id, *WORKERS):
        raise Forbidden("role_required", "Du behöver vara ärendemottagare eller handläggare på enheten.")
    if record.status == Status.CLOSED.value:
        raise Unprocessable("case_closed", "Ärendet är avslutat.")
    if record.handler_hsa_id:
        raise Conflict("case_taken", "Någon annan har redan tagit ärendet.")
    now = now or utc_now()
    taken = case_event(Kind.CASE_TAKEN, case_id, now, Door.STAFF, by=principal.hsa_id)
    if not ports.cases.take(record, principal.hsa_id, principal.display_name, now, taken):
        now_record = ports.cases.get(case_id)
        if now_record is not None and now_record.handler_hsa_id and now_record.handler_hsa_id != principal.hsa_id:
            raise Conflict("case_taken", "Någon annan har redan tagit ärendet.")
        raise Conflict("case_changed", "Ärendet har ändrats sedan du öppnade det. Ladda om sidan.")


def answer(ports: Ports, principal: StaffPrincipal, case_id: str, template: str | None, text: str | None,
           now: datetime) -> None:  # fmt: skip
    """Answer a case one has taken; the answer, signed, goes to the citizen's inbox."""
    record = ports.cases.get(case_id)
    if record is None or not principal.has_role(record.unit_hsa_id, *READERS):
        raise NotFound("case_not_found", "Ärendet finns inte.")
    if not principal.has_role(record.unit_hsa_id, *WORKERS):
        raise Forbidden("role_required", "Du behöver vara ärendemottagare eller handläggare på enheten.")
    try:
        kind = Template(template or "")
    except ValueError:
        raise BadInput("template_invalid", "Välj typ av svar.", field="template") from None
    if record.status == Status.CLOSED.value:
        raise Unprocessable("case_closed", "Ärendet är avslutat.")
    if record.handler_hsa_id != principal.hsa_id:
        raise Conflict("case_not_yours", "Ta ärendet innan du svarar.")
    body = signed(ports, principal, _text(text, "text"), now)
    entry = EntryMap(author="staff", name=principal.display_name, text=body, template=kind.value, at=now)
    answered = case_event(Kind.CASE_ANSWERED, case_id, now, Door.STAFF, by=principal.hsa_id, entry=_next_entry(record))
    if not ports.cases.add_entry(record, entry, AFTER[kind], now, answered, (Status.IN_PROGRESS,), principal.hsa_id):
        raise Conflict("case_changed", "Ärendet har ändrats sedan du öppnade det. Ladda om sidan.")
    logger.info("case answered", extra={"case_id": case_id, "template": kind.value})


# -- the unit's figures, standard replies, case types and roles (local and permission admins) ---------

STATS_DAYS = unit_figures.STATS_DAYS
UnitFigures = unit_figures.UnitFigures


def figures(ports: Ports, unit_hsa_id: str, now: datetime) -> UnitFigures:
    """Open and overdue now, and the share answered in time, from the unit's counters: one Query of
    a few dozen small items, however many cases the unit has had (domain/unit_figures.py)."""
    return unit_figures.figures(ports.cases.figures.counts(unit_hsa_id, now), now)


def keep_unit_figures(ports: Ports, happened: DomainEvent) -> None:
    """Follow-up of every case.* event: the unit's figures count the case as it stands now (read by
    id), once per version of the case, so a repeated or late event changes nothing."""
    for _ in range(5):
        record = ports.cases.get(happened["case_id"])
        if record is None:
            return
        counted = unit_figures.shares(closed=record.status == Status.CLOSED.value, created_at=record.created_at,
                                      due_at=record.due_at, first_answered_at=record.first_answered_at)  # fmt: skip
        try:
            ports.cases.figures.count_case(record.case_id, record.unit_hsa_id, int(record.version or 1), counted)
            return
        except FigureChanged:
            continue  # another event of the case was counted meanwhile: read again
    raise FigureChanged()  # the stream delivers the event again


def standard_replies(ports: Ports, principal: StaffPrincipal, unit_hsa_id: str) -> list[Any]:
    if not principal.has_role(unit_hsa_id, *READERS, StaffRole.LOCAL_ADMIN):
        raise Forbidden("unit_not_allowed", "Du har ingen behörighet till enhetens standardsvar.")
    return ports.standard_replies.of_unit(unit_hsa_id)


def save_standard_reply(ports: Ports, principal: StaffPrincipal, unit_hsa_id: str, fields: dict[str, str]) -> None:
    if not principal.has_role(unit_hsa_id, StaffRole.LOCAL_ADMIN):
        raise Forbidden("role_required", "Bara enhetens lokala administratör kan ändra standardsvaren.")
    title = (fields.get("title") or "").strip()
    if not title or len(title) > 100:
        raise BadInput("field_required", "Ge standardsvaret en rubrik (högst 100 tecken).", field="title")
    ports.standard_replies.save(unit_hsa_id, fields.get("reply_id") or str(uuid.uuid4()), title,
                                _text(fields.get("text"), "text"))  # fmt: skip


def set_case_types(ports: Ports, principal: StaffPrincipal, unit_hsa_id: str, active: list[str],
                   paused: list[str]) -> None:  # fmt: skip
    """The unit's local admin pauses central case types the regional admin has assigned to the unit
    (assigning is the regional admin's: services/case_admin.py; `active` is no longer the unit's to set)."""
    if not principal.has_role(unit_hsa_id, StaffRole.LOCAL_ADMIN):
        raise Forbidden("role_required", "Bara enhetens lokala administratör kan ändra ärendetyperna.")
    unit = _unit(ports, unit_hsa_id)
    if not set(paused) <= set(unit.active_case_types or ()):
        raise BadInput("case_types_invalid", "Bara ärendetyper som regionen har delat ut till enheten kan pausas.")
    ports.units.set_paused_case_types(unit_hsa_id, set(paused))


# -- invånarärende: staff start a case to a citizen -----------------------------------------------------

CITIZEN_CASE_TYPE = "invanararende"
INFORMATION, FREE_QUESTION, TYPE_PREFIX = "information", "question", "type:"


@dataclass(frozen=True)
class CitizenCaseDraft:
    """An invånarärende as it will be sent, with its recipient (the patient header) and who reads it."""

    unit: UnitRecord
    header: Any  # PatientHeader
    reached: Any  # domain.reach.Reach
    template: str  # INFORMATION, FREE_QUESTION or TYPE_PREFIX + a case type id
    subject: str
    body: str  # signed, as the citizen will read it
    questions: tuple[Question, ...]

    @property
    def information_only(self) -> bool:
        return self.template == INFORMATION


def citizen_case_templates(ports: Ports, unit: UnitRecord) -> list[tuple[str, str]]:
    """(value, label) of the templates an invånarärende starts from: information only, a free-text
    question, or the questions (of the five kinds) of one of the unit's case types."""
    return [(INFORMATION, "Endast information (invånaren svarar inte)"), (FREE_QUESTION, "Fråga med fritextsvar"),
            *((f"{TYPE_PREFIX}{t.case_type_id}", f"Frågor: {t.name}") for t in case_types_at(ports, unit))]  # fmt: skip


def draft_for_citizen(ports: Ports, principal: StaffPrincipal, unit_hsa_id: str, fields: dict[str, str],
                      now: datetime, *, log_view: bool = True) -> CitizenCaseDraft:  # fmt: skip
    """Check the form and find the recipient; the preview shows them (one access-log row)."""
    if not principal.has_role(unit_hsa_id, *WORKERS):
        raise Forbidden("role_required", "Du behöver vara ärendemottagare eller handläggare på enheten.", field="unit")
    unit = _unit(ports, unit_hsa_id)
    pnr = personnummer((fields.get("personnummer") or "").strip(), "personnummer", stockholm_date(now))
    subject = (fields.get("subject") or "").strip()
    if not subject or len(subject) > 200:
        raise BadInput("field_required", "Skriv en rubrik (högst 200 tecken).", field="subject")
    template = fields.get("template") or FREE_QUESTION
    questions: tuple[Question, ...] = ()
    if template.startswith(TYPE_PREFIX):
        case_type = next((t for t in case_types_at(ports, unit) if f"{TYPE_PREFIX}{t.case_type_id}" == template), None)
        if case_type is None:
            raise BadInput("template_invalid", "Välj en mall.", field="template")
        questions = case_type.questions
    elif template not in (INFORMATION, FREE_QUESTION):
        raise BadInput("template_invalid", "Välj en mall.", field="template")
    body = signed(ports, principal, _text(fields.get("text"), "text"), now)
    reached = persons.recipient(ports, pnr, stockholm_date(now))
    if log_view:
        shown = patients.view(ports, principal, reached.citizen_id, unit=unit, unit_hsa_id=unit.hsa_id,
                              what="citizen_case_recipient", item_id=unit.hsa_id, now=now)  # fmt: skip
    else:
        shown = patients.header_of(reached.citizen_id, ports.register.get(reached.citizen_id), stockholm_date(now))
    return CitizenCaseDraft(unit, shown, reached, template, subject, body, questions)


def start_for_citizen(ports: Ports, principal: StaffPrincipal, unit_hsa_id: str, fields: dict[str, str],
                      now: datetime, lambda_context: Any = None) -> tuple[str, bool]:  # fmt: skip
    """Staff write to a citizen as a case (invånarärende): information only (closed at once), or
    questions the citizen answers in the e-services; the answer comes back into the unit's queue with
    this staff member as handler. A child under 13 is reached through the guardians (persons.recipient).
    Returns the case id and whether anyone reads the inbox now (if not, the unit writes a letter too)."""
    if not principal.has_role(unit_hsa_id, *WORKERS):
        raise Forbidden("role_required", "Du behöver vara ärendemottagare eller handläggare på enheten.")
    draft = draft_for_citizen(ports, principal, unit_hsa_id, fields, now, log_view=False)  # bad input writes nothing

    def start_once() -> dict[str, Any]:
        unit, citizen_id = draft.unit, draft.reached.citizen_id  # a child's own, answered by a guardian under 13
        case_id = str(uuid.uuid4())
        due = case_due.due_at(now, opening_hours(unit))
        status = Status.CLOSED if draft.information_only else Status.WAITING_FOR_CITIZEN
        started = case_event(Kind.CASE_STARTED, case_id, now, Door.STAFF, by=principal.hsa_id, entry=0)
        ports.cases.create(CaseRecord(
            case_id, **patients.snapshot(ports.register.get(citizen_id)), unit_hsa_id=unit.hsa_id,
            citizen_id=citizen_id, sent_by_id=principal.hsa_id, case_type_id=CITIZEN_CASE_TYPE,
            case_type_name=draft.subject, answers=[], status=status.value, handler_hsa_id=principal.hsa_id,
            handler_name=principal.display_name, created_at=now, created_key=f"{now.isoformat()}#{case_id}",
            due_at=due, due_key=f"{due.isoformat()}#{case_id}",
            open_unit=None if draft.information_only else unit.hsa_id, first_answered_at=now, care_wrote_at=now,
            closed_at=now if draft.information_only else None,
            questions=[question_map(q) for q in draft.questions] or None,
            conversation=[EntryMap(author="staff", name=principal.display_name, text=draft.body,
                                   template="information" if draft.information_only
                                   else Template.COUNTER_QUESTION.value, at=now)],
        ), started)  # fmt: skip
        return {"case_id": case_id, "reaches_digitally": draft.reached.reaches_digitally}

    payload = {"unit": unit_hsa_id, "subject": fields.get("subject"), "text": fields.get("text"),
               "template": fields.get("template")}  # fmt: skip
    result = run_idempotent(operation="cases.start_for_citizen", caller=principal.hsa_id,
                            idempotency_key=fields.get("submission_id"), payload=payload, command=start_once,
                            lambda_context=lambda_context)  # fmt: skip
    return str(result["case_id"]), bool(result.get("reaches_digitally", True))


# -- case types: the regional admin's central ones, a local admin's local ones ----------------------------


def editable_owners(ports: Ports, principal: StaffPrincipal) -> list[tuple[str, str]]:
    """(owner, label) the staff member may define case types for: "central" for a regional admin,
    a unit's HSA-id for its local admin."""
    owners = []
    if principal.has_role(ports.settings.region_hsa_id, StaffRole.REGIONAL_ADMIN):
        owners.append((CENTRAL_OWNER, ports.settings.region_name))
    units = ports.units.get_many([u for u in principal.units() if principal.has_role(u, StaffRole.LOCAL_ADMIN)])
    return owners + [(u.hsa_id, u.name) for u in units]


CENTRAL_OWNER = "central"
