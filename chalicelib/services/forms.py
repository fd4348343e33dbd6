"""Forms (formulär): the region's forms, the units that use them, forms sent to people, filled in
and followed up.

The region's admin publishes forms (FHIR Questionnaires, domain/questionnaire.py); a unit subscribes
to the ones it uses (the dispatch module); its staff, a care system or a package schedule send a form
to one person or many; the person (or a guardian for a child under 13) fills it in page by page,
saves a draft, sends it; the unit follows up what was sent, answered and overdue, opens an answer
(access-logged) and exports it. Each change writes its event; the inbox message, the reminder and
what follows an answer run from the events (services/follow_ups.py).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from chalicelib.adapters.events import ConditionLost
from chalicelib.adapters.tables import (
    FormDefinitionRecord,
    FormPackageRecord,
    PackagePartMap,
    FormRequestRecord,
    FormValidityRecord,
    UnitFormRecord,
    UnitRecord,
)
from chalicelib.catalogs import translate
from chalicelib.domain import forms as rules
from chalicelib.domain import questionnaire as q
from chalicelib.domain.clock import STOCKHOLM, stockholm_date
from chalicelib.domain.error_text import N_, ErrorText
from chalicelib.domain.events import DomainEvent, Kind, event
from chalicelib.domain.forms import FormStatus, RequestStatus
from chalicelib.domain.inbox import Action, InboxMessage
from chalicelib.domain.localized import Localized
from chalicelib.domain.patient import PatientHeader
from chalicelib.domain.personnummer import Personnummer
from chalicelib.domain.roles import StaffRole
from chalicelib.errors import BadInput, Conflict, Forbidden, NotFound
from chalicelib.observability import logger, record_metric
from chalicelib.services import inbox, paging, patients, persons
from chalicelib.services.input import personnummer
from chalicelib.services.integration import run_idempotent
from chalicelib.services.ports import Ports
from chalicelib.services.principals import CitizenPrincipal, IntegrationPrincipal, StaffPrincipal

SENDERS = (StaffRole.CASE_RECEIVER, StaffRole.CASE_HANDLER)  # send forms from the unit
FOLLOWERS = (StaffRole.CASE_RECEIVER, StaffRole.CASE_HANDLER, StaffRole.REVIEWER)  # follow up answers
SUBSCRIBERS = (StaffRole.LOCAL_ADMIN,)  # choose the unit's forms (the dispatch module)
PAGE = 25
OPEN_SHOWN = 3  # forms to fill on the start page
DAILY_PAGE = 100
CATCH_UP_DAYS = 7  # the daily job also looks this many days back, for a run that failed


# -- the region's forms ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Definition:
    """A version of a form: its record and the form it describes."""

    record: FormDefinitionRecord
    form: q.Form

    @property
    def form_id(self) -> str:
        return self.record.form_id

    @property
    def version(self) -> int:
        return int(self.record.version)

    @property
    def resource(self) -> dict[str, Any]:
        return json.loads(self.record.questionnaire)

    @property
    def canonical(self) -> str:
        """How a QuestionnaireResponse names the version it answers."""
        return f"{self.form.url or 'Questionnaire/' + self.form_id}|{self.version}"


def definition_of(record: FormDefinitionRecord) -> Definition:
    return Definition(record, q.parse(json.loads(record.questionnaire)))


class QuestionnaireRefused(BadInput):
    """What is wrong with a Questionnaire, every problem (the editor lists them all)."""

    def __init__(self, problems: list[ErrorText]) -> None:
        super().__init__("questionnaire_invalid", problems[0], field="questionnaire")
        self.problems = problems


def read_questionnaire(text: str) -> tuple[dict[str, Any], q.Form]:
    """A Questionnaire as an admin pastes or uploads it: JSON, FHIR R4, a form this platform can show."""
    try:
        resource = json.loads(text)
    except (ValueError, TypeError):
        raise BadInput("questionnaire_invalid", "Formuläret är inte giltig JSON.", field="questionnaire") from None
    if not isinstance(resource, dict):
        raise BadInput("questionnaire_invalid", "Formuläret ska vara en FHIR Questionnaire (ett JSON-objekt).",
                       field="questionnaire")  # fmt: skip
    try:
        q.check_structure(resource)
        return resource, q.parse(resource)
    except q.InvalidQuestionnaire as error:
        raise QuestionnaireRefused(error.problems) from None


def publish(ports: Ports, resource: dict[str, Any], form: q.Form, by: str, now: datetime,
            form_id: str | None = None, *, new_id: str | None = None) -> Definition:  # fmt: skip
    """A new form (under `new_id` if given), or a new version of one (`form_id`): current from now;
    what was sent keeps its version."""
    previous = ports.form_definitions.current(form_id) if form_id else None
    if form_id and previous is None:
        raise NotFound("form_not_found", "Formuläret finns inte.")
    form_id = form_id or new_id or str(uuid.uuid4())
    version = int(previous.version) + 1 if previous else 1
    stored = {**resource, "id": form_id, "version": str(version), "status": "active"}
    record = FormDefinitionRecord(
        form_id, version, questionnaire=json.dumps(stored, ensure_ascii=False), title=form.title.sv,
        title_en=form.title.en, kind=form.kind.value, status=FormStatus.ACTIVE.value, created_at=now, created_by=by)  # fmt: skip
    try:
        ports.form_definitions.publish(record, previous, event(Kind.FORM_PUBLISHED, f"form#{form_id}", now,
                                                               form_id=form_id, version=str(version), by=by))  # fmt: skip
    except ConditionLost:
        raise Conflict("form_changed", "Någon annan sparade en ny version av formuläret samtidigt. Öppna det igen.") \
            from None  # fmt: skip
    return Definition(record, q.parse(stored))


def current(ports: Ports, form_id: str) -> Definition:
    record = ports.form_definitions.current(form_id)
    if record is None:
        raise NotFound("form_not_found", "Formuläret finns inte.")
    return definition_of(record)


def version_of(ports: Ports, form_id: str, version: int) -> Definition:
    record = ports.form_definitions.get(form_id, version)
    if record is None:
        raise NotFound("form_not_found", "Formuläret finns inte.")
    return definition_of(record)


# -- a unit's forms (the dispatch module) -------------------------------------------------------------


@dataclass(frozen=True)
class UnitForm:
    subscription: UnitFormRecord
    definition: FormDefinitionRecord  # the current version

    @property
    def title(self) -> Localized:
        return Localized(self.definition.title, self.definition.title_en)

    @property
    def active(self) -> bool:
        return self.definition.status == FormStatus.ACTIVE.value


def _require(principal: StaffPrincipal, unit_hsa_id: str, roles: tuple[StaffRole, ...]) -> None:
    if not principal.has_role(unit_hsa_id, *roles):
        raise Forbidden("unit_not_allowed", "Du har ingen behörighet till den enhetens formulär.")


def _unit(ports: Ports, unit_hsa_id: str) -> UnitRecord:
    unit = ports.units.get(unit_hsa_id)
    if unit is None:
        raise NotFound("unit_not_found", "Enheten finns inte.")
    return unit


def unit_forms(ports: Ports, principal: StaffPrincipal, unit_hsa_id: str) -> list[UnitForm]:
    """The unit's forms with their figures (sent, answered, overdue — kept on write): one Query, and
    one BatchGetItem… of the current versions' heads."""
    _require(principal, unit_hsa_id, (*FOLLOWERS, *SUBSCRIBERS))
    return _unit_forms(ports, unit_hsa_id)


def _unit_forms(ports: Ports, unit_hsa_id: str) -> list[UnitForm]:
    subscriptions = ports.unit_forms.of_unit(unit_hsa_id)
    out = []
    for subscription in subscriptions:
        head = ports.form_definitions.current(subscription.form_id)
        if head is not None:
            out.append(UnitForm(subscription, head))
    return sorted(out, key=lambda f: f.definition.title.casefold())


def sendable(ports: Ports, unit_hsa_id: str) -> list[UnitForm]:
    """The forms the unit may send now: in use there and not retired (a visit's forms, say)."""
    return [f for f in _unit_forms(ports, unit_hsa_id) if f.active and f.subscription.stopped_at is None]


def subscribe(ports: Ports, principal: StaffPrincipal, unit_hsa_id: str, form_id: str, now: datetime) -> None:
    """The unit uses this form from now (its local admin decides)."""
    _require(principal, unit_hsa_id, SUBSCRIBERS)
    _unit(ports, unit_hsa_id)
    definition = current(ports, form_id)
    if definition.record.status != FormStatus.ACTIVE.value:
        raise Conflict("form_retired", "Formuläret är inte längre i bruk.")
    if ports.unit_forms.get(unit_hsa_id, form_id) is not None:
        return
    record = UnitFormRecord(unit_hsa_id, form_id, subscribed_at=now, subscribed_by=principal.hsa_id,
                            offered=False, retention_days=rules.DEFAULT_RETENTION_DAYS)  # fmt: skip
    try:
        ports.unit_forms.subscribe(record, event(Kind.FORM_SUBSCRIBED, f"unit_form#{unit_hsa_id}#{form_id}", now,
                                                 unit_hsa_id=unit_hsa_id, form_id=form_id))  # fmt: skip
    except ConditionLost:
        return  # subscribed meanwhile, from another tab


def _subscription(ports: Ports, unit_hsa_id: str, form_id: str, *, stopped_too: bool = False) -> UnitFormRecord:
    """The unit's subscription to the form; one the unit stopped using only for what was sent (`stopped_too`)."""
    subscription = ports.unit_forms.get(unit_hsa_id, form_id)
    if subscription is None or (subscription.stopped_at is not None and not stopped_too):
        raise NotFound("form_not_subscribed", "Enheten använder inte det formuläret.")
    return subscription


# -- sending -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Dispatch:
    """What a dispatch did: sent now, already sent by this same dispatch (a retry), or not sent because
    the person's health declaration is still valid."""

    sent: int
    already_sent: int
    still_valid: int
    request_ids: tuple[str, ...]
    by_citizen: dict[str, str]  # citizen_id → request id, for those sent (now or before)


def request_id_for(dispatch_id: str, citizen_id: str) -> str:
    """Fixed by the dispatch and the person: a retried dispatch writes nothing new."""
    return str(uuid.uuid5(uuid.UUID(dispatch_id), citizen_id))


def read_recipients(text: str, today: date) -> list[Personnummer]:
    """The personnummer staff paste, one a line (or separated by commas); a wrong one is named by its line."""
    numbers: list[Personnummer] = []
    lines = [line.strip() for line in (text or "").replace(",", "\n").splitlines()]
    for number, line in enumerate(lines, start=1):
        if not line:
            continue
        try:
            numbers.append(personnummer(line, "personnummer", today))
        except BadInput:
            raise BadInput("personnummer_invalid", "Rad {line} är inte ett giltigt personnummer.",
                           field="personnummer", values={"line": number}) from None
    if not numbers:
        raise BadInput("recipients_missing", "Ange minst ett personnummer.", field="personnummer")
    if len(numbers) > rules.MAX_RECIPIENTS:
        raise BadInput("recipients_too_many", "Högst {limit} personnummer i ett utskick.", field="personnummer",
                       values={"limit": rules.MAX_RECIPIENTS})
    return list({p.digits: p for p in numbers}.values())


def recipients(ports: Ports, text: str, today: date) -> list[str]:
    """The people a list of personnummer names, in its order: all in the register (identities read in
    batches), or none is sent to and the count of those unknown is said beside the field."""
    numbers = read_recipients(text, today)
    known = ports.identities.find_many(numbers)
    unknown = sum(1 for n in numbers if n.digits not in known)
    if unknown:
        raise BadInput("person_unknown", "{count} av personnumren finns inte i folkbokföringen. Inget formulär "
                       "skickades.", field="personnummer", values={"count": unknown})
    return [known[n.digits] for n in numbers]


def _due(today: date, fields: dict[str, Any]) -> tuple[date, date | None]:
    try:
        due = rules.due_date(today, fields.get("due_on"))
    except ValueError as error:
        raise BadInput("due_on_invalid", error.args[0], field="due_on") from None
    remind_text = str(fields.get("remind_days_before") or "").strip()
    days = None
    if remind_text:
        if not remind_text.isdigit() or not 1 <= int(remind_text) <= 60:
            raise BadInput("remind_invalid", "Påminnelse kan skickas 1–60 dagar före sista svarsdag.",
                           field="remind_days_before")  # fmt: skip
        days = int(remind_text)
    return due, rules.reminder_date(today, due, days)


def send(ports: Ports, principal: StaffPrincipal, unit_hsa_id: str, fields: dict[str, Any], now: datetime) -> Dispatch:
    """Staff send a form from their unit to one person or to a list of personnummer, with a last day to
    answer and an optional reminder. `dispatch_id` (the page's submission id) makes a double post harmless."""
    _require(principal, unit_hsa_id, SENDERS)
    today = stockholm_date(now)
    form_id = str(fields.get("form_id") or "")
    _subscription(ports, unit_hsa_id, form_id)
    definition = current(ports, form_id)
    people = recipients(ports, str(fields.get("personnummer") or ""), today)
    due, remind = _due(today, fields)
    dispatch_id = _dispatch_id(fields.get("dispatch_id"))
    return dispatch(ports, _unit(ports, unit_hsa_id), definition, people, due, remind,
                    sent_by=principal.hsa_id, sent_by_name=principal.display_name, dispatch_id=dispatch_id, now=now)


def _dispatch_id(value: Any) -> str:
    try:
        return str(uuid.UUID(str(value)))
    except (ValueError, TypeError):
        return str(uuid.uuid4())


def dispatch(ports: Ports, unit: UnitRecord, definition: Definition, citizen_ids: Sequence[str], due: date,
             remind: date | None, *, sent_by: str, sent_by_name: str | None, dispatch_id: str, now: datetime,
             booking_id: str | None = None, summons_id: str | None = None,
             package_id: str | None = None) -> Dispatch:  # fmt: skip
    """The form in each person's inbox (from the unit, under the form's current version), written fifty
    to a transaction with their events; a health declaration still valid for a person is not asked
    again. Every door that sends a form (staff, care system, package schedule, a booking) comes here."""
    if definition.record.status != FormStatus.ACTIVE.value:
        raise Conflict("form_retired", "Formuläret är inte längre i bruk.")
    valid: dict[str, FormValidityRecord] = {}
    if definition.form.kind is q.FormKind.HEALTH_DECLARATION:
        valid = {c: v for c, v in ports.form_validity.get_many(list(citizen_ids), definition.form_id).items()
                 if rules.still_valid(date.fromisoformat(v.valid_until), due)}  # fmt: skip
    wanted = []
    for citizen_id in dict.fromkeys(citizen_ids):
        if citizen_id in valid:
            continue
        request_id = request_id_for(dispatch_id, citizen_id)
        record = FormRequestRecord(
            request_id, citizen_id=citizen_id, unit_hsa_id=unit.hsa_id, form_id=definition.form_id,
            version=definition.version, status=RequestStatus.SENT.value, sent_at=now, sent_by=sent_by,
            sent_by_name=sent_by_name, due_on=due.isoformat(), remind_on=remind.isoformat() if remind else None,
            booking_id=booking_id, summons_id=summons_id, package_id=package_id,
            sent_key=f"{now.isoformat()}#{request_id}", unit_form=f"{unit.hsa_id}#{definition.form_id}",
        )  # fmt: skip
        wanted.append((record, event(Kind.FORM_SENT, f"form_request#{request_id}", now, request_id=request_id,
                                     citizen_id=citizen_id, unit_hsa_id=unit.hsa_id, form_id=definition.form_id)))  # fmt: skip
    written = ports.form_requests.send_many(wanted) if wanted else []
    record_metric("FormSent", len(written))
    logger.info("forms sent", extra={"form_id": definition.form_id, "unit_hsa_id": unit.hsa_id,
                                     "sent": len(written), "still_valid": len(valid)})  # fmt: skip
    return Dispatch(sent=len(written), already_sent=len(wanted) - len(written), still_valid=len(valid),
                    request_ids=tuple(r.request_id for r, _ in wanted),
                    by_citizen={r.citizen_id: r.request_id for r, _ in wanted})  # fmt: skip


def tell_citizens(ports: Ports, sent: Sequence[DomainEvent]) -> None:
    """Follow-up of `form_request.sent`, for a stream batch's events at once: the form in each inbox in
    the reader's language, with the button into it; the requests, units and people read in batches,
    the messages written fifty to a transaction (a dispatch to a thousand people costs a few dozen
    requests here, not a few thousand)."""
    records = {r.request_id: r for r in ports.form_requests.get_many([e["request_id"] for e in sent])}
    units: dict[str, UnitRecord | None] = {}
    definitions: dict[tuple[str, int], Definition] = {}
    # A form the citizen started from a contact card has no letter: they are filling it in.
    wanted = [(e, records[e["request_id"]]) for e in sent if e["request_id"] in records
              and records[e["request_id"]].status == RequestStatus.SENT.value
              and not records[e["request_id"]].opens_case]  # fmt: skip
    people = {p.citizen_id: p for p in ports.register.get_many(sorted({r.citizen_id for _, r in wanted}))}
    reached = persons.reach_many(ports, [(r.citizen_id, people.get(r.citizen_id), stockholm_date(e.occurred_at))
                                         for e, r in wanted])  # fmt: skip
    deliveries: list[tuple[InboxMessage, DomainEvent]] = []
    for (happened, record), reach in zip(wanted, reached):
        if record.unit_hsa_id not in units:
            units[record.unit_hsa_id] = ports.units.get(record.unit_hsa_id)
        unit = units[record.unit_hsa_id]
        key = (record.form_id, int(record.version))
        if key not in definitions:
            definitions[key] = version_of(ports, *key)
        if unit is None:
            continue
        letter = _form_letter(definitions[key].form, unit, record, reach.language)
        deliveries.append(inbox.compose(record.citizen_id, unit, letter, happened.occurred_at,
                                        staff_name=record.sent_by_name, message_id=happened.follow_up_id("inbox"),
                                        thread_id=_thread_of(record)))  # fmt: skip
    written = ports.inbox.deliver_many(deliveries, "forms") if deliveries else []
    record_metric("InboxMessageDelivered", len(written))


def _thread_of(record: FormRequestRecord) -> str:
    """A form that rides with a visit sits in the visit's thread (its summons and confirmations)."""
    return f"booking#{record.summons_id}" if record.summons_id else f"form#{record.request_id}"


def _form_letter(form: q.Form, unit: UnitRecord, record: FormRequestRecord, lang: str) -> inbox.Letter:
    title = form.title.in_(lang)
    return inbox.Letter(
        topic=translate(lang, "forms.mail.topic", form=title),
        subject=translate(lang, "forms.mail.subject", form=title),
        body=translate(lang, "forms.mail.body", unit=unit.name, form=title, date=record.due_on),
        actions=(Action(translate(lang, "forms.mail.fill"), f"/forms/{record.request_id}"),),
    )  # fmt: skip


# -- forms that ride with a visit (a health declaration before an operation) --------------------------

RIDE_NAMESPACE = uuid.UUID("6f0e6d1c-5a4b-4d55-9d8e-2f1c0b7a9e31")  # fixes a ride's dispatch id
MAX_RIDING = 5


def riding_forms(ports: Ports, unit_hsa_id: str, value: Any) -> tuple[str, ...]:
    """The forms a booked visit sends with it: forms the unit uses and still in use (checked when the
    visit is booked, so a wrong id is a 400 and nothing is booked)."""
    if value is None:
        return ()
    if not isinstance(value, list) or len(value) > MAX_RIDING or not all(isinstance(v, str) for v in value):
        raise BadInput("forms_invalid", "Ange högst {limit} formulär som enheten använder.", field="forms",
                       values={"limit": MAX_RIDING})  # fmt: skip
    for form_id in value:
        subscription = ports.unit_forms.get(unit_hsa_id, form_id)
        head = ports.form_definitions.current(form_id) if subscription and subscription.stopped_at is None else None
        if head is None or head.status != FormStatus.ACTIVE.value:
            raise BadInput("form_not_subscribed", "Enheten använder inte det formuläret.", field="forms")
    return tuple(dict.fromkeys(value))


def send_with_summons(ports: Ports, issued: DomainEvent) -> None:
    """Follow-up of `summons.issued`: each form the visit rides with goes to the person's inbox at once,
    in the summons' thread, due the day before the visit (the visit's day when that is tomorrow), with
    a reminder two days before; a dispatch id fixed by the visit and the form, so nothing goes twice."""
    if not issued.get("forms"):
        return  # most visits have none: not even a read
    record = ports.summons.get(issued["booking_id"])
    if record is None or not record.form_ids:
        return
    unit = ports.units.get(record.unit_hsa_id)
    if unit is None:
        return
    today = stockholm_date(issued.occurred_at)
    visit_day = stockholm_date(record.start)
    due = max(visit_day - timedelta(days=1), min(visit_day, today + timedelta(days=1)))
    remind = rules.reminder_date(today, due, 2)
    for form_id in sorted(record.form_ids):
        head = ports.form_definitions.current(form_id)
        if head is None or head.status != FormStatus.ACTIVE.value:
            continue  # retired since the visit was booked
        dispatch(ports, unit, definition_of(head), [record.citizen_id], due, remind, sent_by=record.client_key_id,
                 sent_by_name=None, dispatch_id=str(uuid.uuid5(RIDE_NAMESPACE, f"{record.appointment_id}:{form_id}")),
                 now=issued.occurred_at, summons_id=record.appointment_id)  # fmt: skip


# -- an offered form (erbjuden e-tjänst): the citizen starts it from the unit's contact card ------------

OFFERED_ANSWER_DAYS = 30  # a started, unsent offered form waits this long for its sender
OFFERED_SENDER = "citizen"
CASE_NAMESPACE = uuid.UUID("9a1d3c6e-7b2f-4e8a-b5c4-0d6e1f2a3b4c")


def offered_forms(ports: Ports, unit_hsa_id: str) -> list[UnitForm]:
    """The forms the unit offers on its contact card (in use and switched on by its local admin)."""
    return [f for f in _unit_forms(ports, unit_hsa_id) if f.subscription.offered and f.active]


def offered_form(ports: Ports, unit_hsa_id: str, form_id: str) -> tuple[UnitRecord, UnitForm]:
    unit = _unit(ports, unit_hsa_id)
    chosen = next((f for f in offered_forms(ports, unit_hsa_id) if f.definition.form_id == form_id), None)
    if chosen is None:
        raise NotFound("form_not_found", "Formuläret finns inte.")
    return unit, chosen


def start_offered(ports: Ports, principal: CitizenPrincipal, unit_hsa_id: str, form_id: str, fields: dict[str, Any],
                  now: datetime) -> str:  # fmt: skip
    """The citizen (or a guardian for a child) starts an offered form: it is theirs to fill in like a
    form sent to them, and once sent it arrives in the unit's queue as a case. No inbox message: they
    are filling it in now. Once per page (`submission_id`)."""
    unit, chosen = offered_form(ports, unit_hsa_id, form_id)
    today = stockholm_date(now)
    dispatch_id = _dispatch_id(fields.get("submission_id"))
    request_id = request_id_for(dispatch_id, principal.subject_id)
    if ports.form_requests.get(request_id) is not None:
        return request_id
    record = FormRequestRecord(
        request_id, citizen_id=principal.subject_id, unit_hsa_id=unit.hsa_id, form_id=form_id,
        version=int(chosen.definition.version), status=RequestStatus.SENT.value, sent_at=now, sent_by=OFFERED_SENDER,
        due_on=(today + timedelta(days=OFFERED_ANSWER_DAYS)).isoformat(), opens_case=True,
        case_id=str(uuid.uuid5(CASE_NAMESPACE, request_id)), sent_key=f"{now.isoformat()}#{request_id}",
        unit_form=f"{unit.hsa_id}#{form_id}",
    )  # fmt: skip
    ports.form_requests.send_many([(record, event(Kind.FORM_SENT, f"form_request#{request_id}", now,
                                                  request_id=request_id, citizen_id=principal.subject_id,
                                                  unit_hsa_id=unit.hsa_id, form_id=form_id))])  # fmt: skip
    return request_id


def open_case(ports: Ports, answered: DomainEvent) -> None:
    """Follow-up of `form_request.answered`: an offered form's answer arrives in the unit's queue as a
    case, its questions and answers as the case's (in Swedish, as staff read them); once, under the
    case id fixed when the form was started."""
    from chalicelib.adapters.tables import AnswerMap, CaseRecord
    from chalicelib.domain import case_due
    from chalicelib.domain.cases import Status
    from chalicelib.domain.events import Door
    from chalicelib.services import cases

    record = ports.form_requests.get(answered["request_id"])
    if record is None or not record.opens_case or not record.case_id or not record.response:
        return
    if ports.cases.get(record.case_id) is not None:
        return
    unit = ports.units.get(record.unit_hsa_id)
    if unit is None:
        return
    definition = version_of(ports, record.form_id, int(record.version))
    answers = q.answers_from(json.loads(record.response), definition.form)
    now = answered.occurred_at
    due = case_due.due_at(now, cases.opening_hours(unit))
    patient = patients.snapshot(ports.register.get(record.citizen_id))
    try:
        ports.cases.create(CaseRecord(
            record.case_id, **patient, unit_hsa_id=unit.hsa_id, citizen_id=record.citizen_id,
            sent_by_id=record.answered_by or record.citizen_id, case_type_id=f"form:{record.form_id}",
            case_type_name=definition.form.title.sv, case_type_name_en=definition.form.title.en,
            case_type_version=int(record.version),
            answers=[AnswerMap(label=line.question, answer=line.answer)
                     for line in q.lines(definition.form, answers, "sv") if not line.heading],
            status=Status.NEW.value, created_at=now, created_key=f"{now.isoformat()}#{record.case_id}", due_at=due,
            due_key=f"{due.isoformat()}#{record.case_id}", open_unit=unit.hsa_id,
        ), cases.case_event(Kind.CASE_SENT, record.case_id, now, Door.CITIZEN, unit_hsa_id=unit.hsa_id,
                            case_type_id=f"form:{record.form_id}"))  # fmt: skip
    except ConditionLost:
        return  # made by an earlier delivery of the event
    logger.info("offered form arrived as a case", extra={"case_id": record.case_id, "unit_hsa_id": unit.hsa_id})


# -- the citizen fills it in -------------------------------------------------------------------------


@dataclass(frozen=True)
class Filling:
    """A form as the person sees it: what was sent, the form's version, the answers so far."""

    record: FormRequestRecord
    definition: Definition
    answers: q.Answers
    unit_name: str

    @property
    def form(self) -> q.Form:
        return self.definition.form

    @property
    def answered(self) -> bool:
        return self.record.status == RequestStatus.ANSWERED.value

    @property
    def open(self) -> bool:
        return self.record.status == RequestStatus.SENT.value


def _own(ports: Ports, principal: CitizenPrincipal, request_id: str) -> FormRequestRecord:
    record = ports.form_requests.get(request_id)
    if record is None or record.citizen_id != principal.subject_id:
        raise NotFound("form_not_found", "Formuläret finns inte.")
    return record  # a withdrawn one too: its letter leads here, and the page says it was withdrawn


def filling(ports: Ports, principal: CitizenPrincipal, request_id: str) -> Filling:
    record = _own(ports, principal, request_id)
    definition = version_of(ports, record.form_id, int(record.version))
    saved = record.response if record.status == RequestStatus.ANSWERED.value else record.draft
    answers = q.answers_from(json.loads(saved), definition.form) if saved else {}
    unit = ports.units.get(record.unit_hsa_id)
    return Filling(record, definition, answers, unit.name if unit else record.unit_hsa_id)


@dataclass(frozen=True)
class PageResult:
    """After a page was posted: the page to show next, and errors beside the fields (then the same page)."""

    filling: Filling
    page: int
    errors: dict[str, ErrorText]
    sent: bool = False
    more_asked: bool = False  # the answers asked new questions on the same page


def post_page(ports: Ports, principal: CitizenPrincipal, request_id: str, page: int, raw: q.Raw, step: str,
              now: datetime) -> PageResult:  # fmt: skip
    """A page posted with a step: "next", "back", "save" (stay) or "send" (the last page). What was
    written on the page is kept as a draft whatever the step — going back loses nothing; an answer that
    cannot be read stays on its page with the error beside it. Going on ("next", "send") first stays on
    the page when its answers ask new questions there (without JavaScript the page could not show them
    before it was posted), then asks for the page's required answers; "send" sends when nothing
    required is missing anywhere, else shows the first page with a missing answer."""
    current_filling = filling(ports, principal, request_id)
    if not current_filling.open:
        raise Conflict("form_already_sent", "Formuläret är redan skickat.")
    form = current_filling.form
    if not 0 <= page < len(form.pages):
        raise BadInput("page_invalid", "Sidan finns inte i formuläret.")
    answers, errors = q.read_page(form, page, raw, current_filling.answers)
    if answers != current_filling.answers:
        _save_draft(ports, current_filling, answers, now)
    updated = Filling(current_filling.record, current_filling.definition, answers, current_filling.unit_name)
    if errors:
        return PageResult(updated, page, errors)
    if step == "back":
        return PageResult(updated, max(page - 1, 0), {})
    if step not in ("next", "send"):
        return PageResult(updated, page, {})
    on_page = set(q.question_ids(form, page))
    appeared = (q.enabled(form, answers) - q.enabled(form, current_filling.answers)) & on_page
    if any(not answers.get(link_id) for link_id in appeared):
        return PageResult(updated, page, {}, more_asked=True)
    missing = q.missing(form, answers)
    here = {m: ErrorText(N_("Svara på frågan.")) for m in missing if m in on_page}
    if here:
        return PageResult(updated, page, here)
    if step == "next":
        return PageResult(updated, min(page + 1, len(form.pages) - 1), {})
    if missing:
        first = q.page_of(form, missing[0])
        return PageResult(updated, first, {m: ErrorText(N_("Svara på frågan.")) for m in missing
                                           if q.page_of(form, m) == first})  # fmt: skip
    _send_answers(ports, principal, updated, now)
    return PageResult(filling(ports, principal, request_id), page, {}, sent=True)


MAX_ANSWERS_BYTES = 300_000  # a DynamoDB item holds 400 kB: the answers of any real form fit many times over


def _stored(resource: dict[str, Any]) -> str:
    text = json.dumps(resource, ensure_ascii=False)
    if len(text.encode()) > MAX_ANSWERS_BYTES:
        raise BadInput("answers_too_long", "Svaren är för långa för att sparas. Korta ner de längsta svaren.")
    return text


def _save_draft(ports: Ports, current_filling: Filling, answers: q.Answers, now: datetime) -> None:
    record = current_filling.record
    draft = q.response(current_filling.form, answers, questionnaire=current_filling.definition.canonical,
                       status="in-progress", subject=None, authored=now.isoformat())  # fmt: skip
    try:
        ports.form_requests.save_draft(record, _stored(draft), now,
                                       event(Kind.FORM_DRAFT_SAVED, f"form_request#{record.request_id}", now,
                                             request_id=record.request_id))  # fmt: skip
    except ConditionLost:
        raise Conflict("form_already_sent", "Formuläret är redan skickat.") from None


def _send_answers(ports: Ports, principal: CitizenPrincipal, answered: Filling, now: datetime) -> None:
    record, form = answered.record, answered.form
    total = q.score(form, answered.answers)
    response = q.response(
        form, answered.answers, questionnaire=answered.definition.canonical, status="completed",
        subject={"reference": f"Patient/{record.citizen_id}"}, authored=now.isoformat(), response_id=record.request_id,
        author={"reference": f"Patient/{principal.citizen_id}"} if principal.acting_for_id else None,
    )  # fmt: skip
    validity = None
    if form.kind is q.FormKind.HEALTH_DECLARATION:
        person = ports.register.get(record.citizen_id)
        if person is not None:
            until = rules.declaration_valid_until(person.birth_date, stockholm_date(now))
            validity = FormValidityRecord(record.citizen_id, record.form_id, valid_until=until.isoformat(),
                                          request_id=record.request_id)  # fmt: skip
    try:
        ports.form_requests.answer(
            record, _stored(response), now, principal.citizen_id,
            None if total is None else format(total.normalize(), "f"), q.over_threshold(form, total), validity,
            event(Kind.FORM_ANSWERED, f"form_request#{record.request_id}", now, request_id=record.request_id,
                  unit_hsa_id=record.unit_hsa_id, form_id=record.form_id))  # fmt: skip
    except ConditionLost:
        raise Conflict("form_already_sent", "Formuläret är redan skickat.") from None
    record_metric("FormAnswered")


@dataclass(frozen=True)
class FormRow:
    """A form in a person's list of forms."""

    request_id: str
    title: Localized
    unit_name: str
    status: RequestStatus
    due_on: date
    sent_at: datetime
    answered_at: datetime | None
    overdue: bool


def my_forms(ports: Ports, principal: CitizenPrincipal, cursor: str | None, now: datetime) -> paging.Page[FormRow]:
    """A page of the subject's forms, newest first: one Query, and the titles of the forms on it."""
    scope = f"forms:{principal.subject_id}"
    found, following = ports.form_requests.page_of_citizen(principal.subject_id, PAGE,
                                                           paging.start(ports, scope, cursor))  # fmt: skip
    shown = [r for r in found if r.status != RequestStatus.WITHDRAWN.value]
    return paging.Page(_rows(ports, shown, stockholm_date(now)), paging.following(ports, scope, following))


def forms_to_fill(ports: Ports, principal: CitizenPrincipal, now: datetime, limit: int = OPEN_SHOWN) -> list[FormRow]:
    """The start page's forms waiting for the subject, soonest due first: one Query of a sparse index."""
    return _rows(ports, ports.form_requests.open_of_citizen(principal.subject_id, limit), stockholm_date(now))


def is_overdue(record: FormRequestRecord, today: date) -> bool:
    return rules.overdue(RequestStatus(record.status), date.fromisoformat(record.due_on), today)


def _rows(ports: Ports, records: list[FormRequestRecord], today: date) -> list[FormRow]:
    heads = ports.form_definitions.titles({(r.form_id, int(r.version)) for r in records})
    units = {u.hsa_id: u.name for u in ports.units.get_many(sorted({r.unit_hsa_id for r in records}))} \
        if records else {}  # fmt: skip
    return [FormRow(r.request_id, heads.get((r.form_id, int(r.version)), Localized(r.form_id)),
                    units.get(r.unit_hsa_id, r.unit_hsa_id), RequestStatus(r.status), date.fromisoformat(r.due_on),
                    r.sent_at, r.answered_at,
                    is_overdue(r, today)) for r in records]  # fmt: skip


# -- follow-up (uppföljningsmodulen) ---------------------------------------------------------------------


@dataclass(frozen=True)
class SentRow:
    request_id: str
    citizen_id: str
    patient_name: str | None  # None for a protected identity
    status: RequestStatus
    due_on: date
    sent_at: datetime
    answered_at: datetime | None
    overdue: bool
    flagged: bool
    score: str | None


def dispatches(ports: Ports, principal: StaffPrincipal, unit_hsa_id: str, form_id: str, cursor: str | None,
               now: datetime) -> tuple[UnitForm, paging.Page[SentRow]]:  # fmt: skip
    """A page of what the unit sent of one form, newest first, with each person's name (the register
    read in one batch; a protected identity shows none) — a list of names, not a read of answers."""
    _require(principal, unit_hsa_id, FOLLOWERS)
    subscription = _subscription(ports, unit_hsa_id, form_id, stopped_too=True)
    head = ports.form_definitions.current(form_id)
    if head is None:
        raise NotFound("form_not_found", "Formuläret finns inte.")
    scope = f"form-dispatches:{unit_hsa_id}:{form_id}"
    found, following = ports.form_requests.page_of_unit_form(unit_hsa_id, form_id, PAGE,
                                                             paging.start(ports, scope, cursor))  # fmt: skip
    people = {p.citizen_id: p for p in ports.register.get_many(sorted({r.citizen_id for r in found}))} if found else {}
    today = stockholm_date(now)
    rows = []
    for r in found:
        person = people.get(r.citizen_id)
        name = None if person is None or person.protected_identity else person.full_name
        rows.append(SentRow(r.request_id, r.citizen_id, name, RequestStatus(r.status), date.fromisoformat(r.due_on),
                            r.sent_at, r.answered_at, is_overdue(r, today),
                            bool(r.flagged), r.score))  # fmt: skip
    return UnitForm(subscription, head), paging.Page(rows, paging.following(ports, scope, following))


@dataclass(frozen=True)
class AnswerView:
    """An answered form as staff open it: the patient header (the open is access-logged), the lines."""

    record: FormRequestRecord
    definition: Definition
    header: PatientHeader
    lines: list[q.AnswerLine]
    answers: q.Answers


def open_answer(ports: Ports, principal: StaffPrincipal, request_id: str, now: datetime) -> AnswerView:
    """One person's answer, for staff of the unit that sent it; written to the person's access log."""
    record = ports.form_requests.get(request_id)
    if record is None or not principal.has_role(record.unit_hsa_id, *FOLLOWERS):
        raise NotFound("form_not_found", "Formuläret finns inte.")
    definition = version_of(ports, record.form_id, int(record.version))
    header = patients.view(ports, principal, record.citizen_id, unit=ports.units.get(record.unit_hsa_id),
                           unit_hsa_id=record.unit_hsa_id, what="form", item_id=request_id, now=now,
                           sent_by_id=record.answered_by)  # fmt: skip
    answers = q.answers_from(json.loads(record.response), definition.form) if record.response else {}
    return AnswerView(record, definition, header, q.lines(definition.form, answers, "sv"), answers)


def export_json(ports: Ports, principal: StaffPrincipal, request_id: str, now: datetime) -> dict[str, Any]:
    """The answer as its FHIR QuestionnaireResponse; the first export starts the unit's retention."""
    view = open_answer(ports, principal, request_id, now)
    if view.record.status != RequestStatus.ANSWERED.value or not view.record.response:
        raise Conflict("form_not_answered", "Formuläret är inte besvarat.")
    mark_exported(ports, view.record, principal.hsa_id, now)
    return json.loads(view.record.response)


def mark_exported(ports: Ports, record: FormRequestRecord, by: str, now: datetime) -> None:
    if record.exported_at is not None:
        return
    subscription = ports.unit_forms.get(record.unit_hsa_id, record.form_id)
    days = int(subscription.retention_days) if subscription else rules.DEFAULT_RETENTION_DAYS
    purge = rules.purge_on(stockholm_date(now), days)
    try:
        ports.form_requests.exported(record, now, purge.isoformat(), event(
            Kind.FORM_EXPORTED, f"form_request#{record.request_id}", now, request_id=record.request_id, by=by))
    except ConditionLost:
        return  # exported meanwhile: the first export set the purge


# -- package dispatch (paketutskick): forms on one or more dates ------------------------------------------

PACKAGE_HOUR = 8  # a part goes out at 08:00 Stockholm time on its day
MAX_PARTS = 12
PACKAGE_NAMESPACE = uuid.UUID("c3f1d6a4-2b1e-4f7e-9d0c-5e8a7b6c4d21")


def schedule_package(ports: Ports, principal: StaffPrincipal, unit_hsa_id: str, parts: Sequence[tuple[str, str]],
                     fields: dict[str, Any], now: datetime) -> str:  # fmt: skip
    """Staff plan forms to the same people on one or more days (a form at 3, 6 and 12 months, say):
    each (form, day) a part, sent that morning by its own one-time schedule. Everything is checked now;
    the package and its event are written once (`dispatch_id`, the page's submission id)."""
    _require(principal, unit_hsa_id, SENDERS)
    _unit(ports, unit_hsa_id)
    today = stockholm_date(now)
    wanted: list[PackagePartMap] = []
    for form_id, day_text in parts:
        if not form_id and not day_text:
            continue
        _subscription(ports, unit_hsa_id, form_id)
        if current(ports, form_id).record.status != FormStatus.ACTIVE.value:
            raise Conflict("form_retired", "Formuläret är inte längre i bruk.")
        try:
            day = date.fromisoformat(day_text.strip())
        except ValueError:
            raise BadInput("send_on_invalid", "Ange dagen som ÅÅÅÅ-MM-DD.", field="parts") from None
        if not today < day <= today + timedelta(days=rules.MAX_DUE_DAYS * 2):
            raise BadInput("send_on_invalid", "Ett utskick kan planeras från i morgon och två år framåt.", field="parts")
        wanted.append(PackagePartMap(form_id=form_id, send_on=day.isoformat()))
    if not wanted:
        raise BadInput("parts_missing", "Välj minst ett formulär och en dag.", field="parts")
    if len(wanted) > MAX_PARTS:
        raise BadInput("parts_too_many", "Högst {limit} utskick i ett paket.", field="parts", values={"limit": MAX_PARTS})
    people = recipients(ports, str(fields.get("personnummer") or ""), today)
    answer_days = _answer_days(fields.get("answer_days"))
    _due(today, {"due_on": (today + timedelta(days=answer_days)).isoformat(),
                 "remind_days_before": fields.get("remind_days_before")})  # the same checks as a dispatch now
    remind = str(fields.get("remind_days_before") or "").strip()
    package_id = _dispatch_id(fields.get("dispatch_id"))
    record = FormPackageRecord(
        package_id, unit_hsa_id=unit_hsa_id, citizen_ids=people, parts=wanted,
        answer_days=answer_days, remind_days_before=int(remind) if remind else None, created_at=now,
        created_by=principal.hsa_id, created_by_name=principal.display_name)  # fmt: skip
    try:
        ports.form_packages.create(record, event(Kind.FORM_PACKAGE_SCHEDULED, f"form_package#{package_id}", now,
                                                 package_id=package_id))  # fmt: skip
    except ConditionLost:
        pass  # the same submission again: planned already
    return package_id


def _answer_days(value: Any) -> int:
    text = str(value or "14").strip()
    if not text.isdigit() or not 1 <= int(text) <= 90:
        raise BadInput("answer_days_invalid", "Svarstiden kan vara 1–90 dagar.", field="answer_days")
    return int(text)


def keep_package_schedules(ports: Ports, scheduled: DomainEvent) -> None:
    """Follow-up of `form_package.scheduled`: a one-time schedule for each part not yet sent, at 08:00
    Stockholm on its day (the same again changes nothing)."""
    record = ports.form_packages.get(scheduled["package_id"])
    if record is None:
        return
    for number, part in enumerate(record.parts):
        if str(number) in (record.sent_parts or set()):
            continue
        at = datetime.combine(date.fromisoformat(part.send_on), time(PACKAGE_HOUR), tzinfo=STOCKHOLM)
        ports.package_schedules.put_at(f"{record.package_id}-{number}", at,
                                       {"package_id": record.package_id, "part": number})  # fmt: skip


def send_package_part(ports: Ports, fired: dict[str, Any], now: datetime) -> str:
    """A part's schedule fired: its form to the package's people, once however often it fires (the part
    is marked sent, and the dispatch id is fixed by the package and the part)."""
    record = ports.form_packages.get(str(fired.get("package_id") or ""))
    number = fired.get("part")
    if record is None or not isinstance(number, int) or not 0 <= number < len(record.parts):
        return "unknown"
    if str(number) in (record.sent_parts or set()):
        return "already_sent"
    part = record.parts[number]
    unit = ports.units.get(record.unit_hsa_id)
    head = ports.form_definitions.current(part.form_id)
    subscription = ports.unit_forms.get(record.unit_hsa_id, part.form_id)
    if unit is None or head is None or head.status != FormStatus.ACTIVE.value or subscription is None \
            or subscription.stopped_at is not None:  # fmt: skip
        return "form_gone"  # retired, or the unit stopped using it: what was planned does not go
    today = stockholm_date(now)
    due = today + timedelta(days=int(record.answer_days))
    remind = rules.reminder_date(today, due, int(record.remind_days_before) if record.remind_days_before else None)
    dispatch(ports, unit, definition_of(head), list(record.citizen_ids), due, remind, sent_by=record.created_by,
             sent_by_name=record.created_by_name, package_id=record.package_id, now=now,
             dispatch_id=str(uuid.uuid5(PACKAGE_NAMESPACE, f"{record.package_id}:{number}")))  # fmt: skip
    try:
        ports.form_packages.part_sent(record, number, event(Kind.FORM_PACKAGE_PART_SENT,
                                                            f"form_package#{record.package_id}", now,
                                                            package_id=record.package_id, part=str(number)))  # fmt: skip
    except ConditionLost:
        return "already_sent"
    return "sent"


# -- the care systems' door (/integration/v1, scope "forms") --------------------------------------------

FORMS_SCOPE = "forms"
CARE_SYSTEM_NAMESPACE = uuid.UUID("0b8f8a52-58c4-4a49-8a57-1d4c2b9e6a10")


def send_from_care_system(ports: Ports, principal: IntegrationPrincipal, body: Any, idempotency_key: str | None,
                          now: datetime, lambda_context: Any = None) -> dict[str, Any]:  # fmt: skip
    """POST /integration/v1/form-requests: a form the unit uses to one or more people, once per
    Idempotency-Key (the dispatch id is fixed by the key and the system)."""
    principal.require_scope(FORMS_SCOPE)
    unit_hsa_id = str(body["unit_hsa_id"])
    principal.require_unit(unit_hsa_id)
    form_id = str(body["form_id"])
    _subscription(ports, unit_hsa_id, form_id)
    definition = current(ports, form_id)
    today = stockholm_date(now)
    people = recipients(ports, "\n".join(body["personnummer"]), today)
    due, remind = _due(today, {"due_on": body["due_on"], "remind_days_before": body.get("remind_days_before")})
    dispatch_id = str(uuid.uuid5(CARE_SYSTEM_NAMESPACE, f"{principal.key_id}:{idempotency_key}"))

    def send_once() -> dict[str, Any]:
        done = dispatch(ports, _unit(ports, unit_hsa_id), definition, people, due,
                        remind, sent_by=principal.key_id, sent_by_name=None, dispatch_id=dispatch_id, now=now)
        return {"sent": done.sent, "already_sent": done.already_sent, "still_valid": done.still_valid,
                "request_ids": [done.by_citizen.get(citizen_id) for citizen_id in people]}  # fmt: skip

    return run_idempotent(operation="forms.send", caller=principal.key_id, idempotency_key=idempotency_key,
                          payload=body, command=send_once, lambda_context=lambda_context)  # fmt: skip


def _request_json(record: FormRequestRecord, today: date, *, with_response: bool) -> dict[str, Any]:
    status = RequestStatus(record.status)
    out: dict[str, Any] = {
        "request_id": record.request_id, "form_id": record.form_id, "version": int(record.version),
        "unit_hsa_id": record.unit_hsa_id, "status": status.value, "sent_at": record.sent_at.isoformat(),
        "due_on": record.due_on, "overdue": is_overdue(record, today),
        "answered_at": record.answered_at.isoformat() if record.answered_at else None,
        "score": record.score, "flagged": bool(record.flagged),
    }  # fmt: skip
    if with_response:
        out["response"] = json.loads(record.response) if record.response else None
    return out


def request_for_care_system(ports: Ports, principal: IntegrationPrincipal, request_id: str,
                            now: datetime) -> dict[str, Any]:  # fmt: skip
    """GET /integration/v1/form-requests/{id}: where it stands and, once answered, the
    QuestionnaireResponse; the first fetch of an answer is its export (the unit's retention starts)."""
    principal.require_scope(FORMS_SCOPE)
    record = ports.form_requests.get(request_id)
    if record is None or not principal.may_act_for(record.unit_hsa_id):
        raise NotFound("form_not_found", "Formuläret finns inte.")
    if record.status == RequestStatus.ANSWERED.value:
        mark_exported(ports, record, principal.key_id, now)
    return _request_json(record, stockholm_date(now), with_response=True)


def requests_for_care_system(ports: Ports, principal: IntegrationPrincipal, unit_hsa_id: str, form_id: str,
                             cursor: str | None, now: datetime) -> dict[str, Any]:  # fmt: skip
    """GET /integration/v1/units/{unit}/forms/{form_id}/requests: what the unit sent of a form, newest
    first, a page at a time (no answers: fetch each by id)."""
    principal.require_scope(FORMS_SCOPE)
    principal.require_unit(unit_hsa_id)
    _subscription(ports, unit_hsa_id, form_id, stopped_too=True)
    scope = f"care-form-requests:{principal.key_id}:{unit_hsa_id}:{form_id}"
    found, following = ports.form_requests.page_of_unit_form(unit_hsa_id, form_id, PAGE,
                                                             paging.start(ports, scope, cursor))  # fmt: skip
    today = stockholm_date(now)
    return {"requests": [_request_json(r, today, with_response=False) for r in found],
            "next_cursor": paging.following(ports, scope, following)}  # fmt: skip


def withdraw(ports: Ports, principal: StaffPrincipal, request_id: str, now: datetime) -> FormRequestRecord:
    """Staff of the unit that sent a form take it back before it is answered (sent by mistake, to the
    wrong person): it leaves the person's list and start page; its letter then says it was withdrawn."""
    record = ports.form_requests.get(request_id)
    if record is None or not principal.has_role(record.unit_hsa_id, *FOLLOWERS):
        raise NotFound("form_not_found", "Formuläret finns inte.")
    _require(principal, record.unit_hsa_id, SENDERS)
    if record.status != RequestStatus.SENT.value:
        raise Conflict("form_not_open", "Formuläret är redan besvarat eller återkallat.")
    try:
        ports.form_requests.withdraw(record, event(Kind.FORM_WITHDRAWN, f"form_request#{request_id}", now,
                                                   request_id=request_id, by=principal.hsa_id))  # fmt: skip
    except ConditionLost:
        raise Conflict("form_not_open", "Formuläret är redan besvarat eller återkallat.") from None
    return record


# -- the daily job: reminders, overdue, purge -------------------------------------------------------------


def daily(ports: Ports, now: datetime) -> dict[str, int]:
    """Remind those due a reminder today, mark overdue those whose last day has passed, purge the
    answers past their unit's retention; each day's work from a sparse index (never a read of every
    form), the last CATCH_UP_DAYS days too, so a failed run is caught up; each step its event."""
    today = stockholm_date(now)
    done = {"reminded": 0, "overdue": 0, "purged": 0}
    for back in range(CATCH_UP_DAYS, -1, -1):
        day = today - timedelta(days=back)
        for record in _each_on(ports, "remind", day):
            if record.status == RequestStatus.SENT.value and back <= 1:  # a reminder days late helps nobody
                _step(lambda r=record: ports.form_requests.remind(r, now, event(
                    Kind.FORM_REMINDED, f"form_request#{r.request_id}", now, request_id=r.request_id)))
                done["reminded"] += 1
        if back >= 1:  # the last day to answer has passed
            for record in _each_on(ports, "due", day):
                _step(lambda r=record: ports.form_requests.mark_overdue(r, event(
                    Kind.FORM_OVERDUE, f"form_request#{r.request_id}", now, request_id=r.request_id,
                    unit_hsa_id=r.unit_hsa_id, form_id=r.form_id)))
                done["overdue"] += 1
        for record in _each_on(ports, "purge", day):
            _step(lambda r=record: ports.form_requests.purge(r, now, event(
                Kind.FORM_PURGED, f"form_request#{r.request_id}", now, request_id=r.request_id)))
            done["purged"] += 1
    logger.info("forms daily job", extra=done)
    return done


def _each_on(ports: Ports, job: str, day: date) -> list[FormRequestRecord]:
    out: list[FormRequestRecord] = []
    start = None
    while True:
        found, start = ports.form_requests.on_day(job, day.isoformat(), DAILY_PAGE, start)
        out.extend(found)
        if start is None:
            return out


def _step(write: Any) -> None:
    try:
        write()
    except ConditionLost:
        pass  # answered, reminded or purged meanwhile: nothing to do


def tell_reminded(ports: Ports, reminded: DomainEvent) -> None:
    """Follow-up of `form_request.reminded`: a reminder in the inbox (its notification follows from it)."""
    record = ports.form_requests.get(reminded["request_id"])
    unit = ports.units.get(record.unit_hsa_id) if record else None
    if record is None or unit is None or record.status != RequestStatus.SENT.value:
        return
    definition = version_of(ports, record.form_id, int(record.version))
    lang = persons.reach_of(ports, record.citizen_id, stockholm_date(reminded.occurred_at)).language
    title = definition.form.title.in_(lang)
    letter = inbox.Letter(
        topic=translate(lang, "forms.mail.topic", form=title),
        subject=translate(lang, "forms.mail.reminder_subject", form=title),
        body=translate(lang, "forms.mail.reminder_body", unit=unit.name, form=title, date=record.due_on),
        actions=(Action(translate(lang, "forms.mail.fill"), f"/forms/{record.request_id}"),),
    )  # fmt: skip
    inbox.deliver(ports, record.citizen_id, unit, letter, "forms", reminded.occurred_at,
                  message_id=reminded.follow_up_id("inbox"), thread_id=_thread_of(record))


def score_text(value: str | None) -> str | None:
    """A stored score as staff read it (Swedish decimal comma)."""
    return None if value is None else format(Decimal(value).normalize(), "f").replace(".", ",")
