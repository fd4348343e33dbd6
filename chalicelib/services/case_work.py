"""A nurse's daily work on cases in the staff tool: the queue's views, the case with its patient
header, and taking, releasing and reassigning a case, reminding a citizen who has not answered,
closing a waiting case, inserting a standard reply and previewing an answer. Every change is one
conditional UpdateItem (adapters/cases.py): of two people changing the same case at once exactly one
wins and the other is told the case changed. Each change writes its event (case.*) with it; what
the citizen must be told goes to their inbox from that event (services/follow_ups.py)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date, datetime

from chalicelib.adapters.tables import CaseRecord, EntryMap, UnitRecord
from chalicelib.domain import queue as views
from chalicelib.domain.cases import TEXT_MAX, Status, Template
from chalicelib.domain.clock import stockholm_date
from chalicelib.domain.events import Door, Kind
from chalicelib.domain.patient import PatientHeader
from chalicelib.domain.personnummer import age_on
from chalicelib.errors import BadInput, Conflict, Forbidden, NotFound, Unprocessable
from chalicelib.observability import logger
from chalicelib.services import patients
from chalicelib.services.cases import READERS, WORKERS, case_event
from chalicelib.services.ports import Ports
from chalicelib.services.principals import StaffPrincipal
from chalicelib.services.staff_messages import signed

REMINDER_TEXT = "Mottagningen väntar på ditt svar i ärendet. Logga in på e-tjänsterna och svara där."


# -- reading --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseView:
    record: CaseRecord
    header: PatientHeader
    unit: UnitRecord | None


def _readable(ports: Ports, principal: StaffPrincipal, case_id: str) -> CaseRecord:
    record = ports.cases.get(case_id)
    # Another unit's case gets the same answer as one that does not exist.
    if record is None or not principal.has_role(record.unit_hsa_id, *READERS):
        raise NotFound("case_not_found", "Ärendet finns inte.")
    return record


def _workable(ports: Ports, principal: StaffPrincipal, case_id: str) -> CaseRecord:
    record = _readable(ports, principal, case_id)
    if not principal.has_role(record.unit_hsa_id, *WORKERS):
        raise Forbidden("role_required", "Du behöver vara ärendemottagare eller handläggare på enheten.")
    return record


def open_for_staff(ports: Ports, principal: StaffPrincipal, case_id: str, now: datetime) -> CaseView:
    """One case with its patient header; exactly one access-log row."""
    record = _readable(ports, principal, case_id)
    unit = ports.units.get(record.unit_hsa_id)
    header = patients.view(ports, principal, record.citizen_id, unit=unit, unit_hsa_id=record.unit_hsa_id,
                           what="case", item_id=case_id, now=now, sent_by_id=record.sent_by_id)  # fmt: skip
    return CaseView(record, header, unit)


@dataclass(frozen=True)
class QueueRow:
    record: CaseRecord
    patient: str | None  # None for protected identity or a person not in the register
    protected: bool
    age: int | None
    status_key: str  # staff wording

    @property
    def last_activity(self) -> datetime:
        return self.record.last_activity_at or self.record.created_at


@dataclass(frozen=True)
class QueuePage:
    view: views.View
    rows: list[QueueRow]
    next_cursor: str | None


def _view(value: str | None) -> views.View:
    try:
        return views.View(value or views.View.NEW.value)
    except ValueError:
        raise BadInput("view_invalid", "Okänd vy.", field="view") from None


def queue_page(ports: Ports, principal: StaffPrincipal, unit_hsa_id: str, view: str | None, cursor: str | None,
               now: datetime) -> QueuePage:  # fmt: skip
    """One page of one view: one Query (the patient column comes with the case, no register reads)."""
    if not principal.has_role(unit_hsa_id, *READERS):
        raise Forbidden("unit_not_allowed", "Du har ingen behörighet till enhetens ärenden.")
    chosen = _view(view)
    try:
        records, next_cursor = ports.cases.page(chosen, unit_hsa_id, principal.hsa_id, now, cursor or None,
                                                views.PAGE_SIZE)  # fmt: skip
    except views.BadCursor:
        raise BadInput("cursor_invalid", "Sidan finns inte längre. Börja om från första sidan.", field="cursor") from None
    today = stockholm_date(now)
    return QueuePage(chosen, [_row(r, today) for r in records], next_cursor)


def _row(record: CaseRecord, today: date) -> QueueRow:
    born = date.fromisoformat(record.patient_born) if record.patient_born else None
    return QueueRow(record, record.patient_name, bool(record.patient_protected), age_on(born, today) if born else None,
                    views.staff_status_key(record.status, bool(record.citizen_replied_at)))  # fmt: skip


def colleagues(ports: Ports, principal: StaffPrincipal, unit_hsa_id: str) -> list[tuple[str, str]]:
    """(HSA-id, name) of everyone who may handle cases at the unit, the caller too: one Query."""
    if not principal.has_role(unit_hsa_id, *READERS):
        raise Forbidden("unit_not_allowed", "Du har ingen behörighet till enhetens ärenden.")
    found = {a.staff_hsa_id: a.staff_name for a in ports.staff.at_unit(unit_hsa_id) if a.role in {r.value for r in WORKERS}}
    return sorted(found.items(), key=lambda item: (item[1], item[0]))


_UNIT_NAME_SECONDS = 300
_unit_names: dict[str, tuple[float, str]] = {}


def unit_choices(ports: Ports, principal: StaffPrincipal) -> list[tuple[str, str]]:
    """(HSA-id, name) of the units whose cases the staff member may read. Unit names change seldom,
    so a container keeps them five minutes: the queue page then reads only the session, the roles
    and its one Query."""
    ids = [u for u in principal.units() if principal.has_role(u, *READERS)]
    moment = time.monotonic()
    missing = [u for u in ids if u not in _unit_names or moment - _unit_names[u][0] > _UNIT_NAME_SECONDS]
    for unit in ports.units.get_many(missing) if missing else []:
        _unit_names[unit.hsa_id] = (moment, unit.name)
    return sorted(((u, _unit_names[u][1]) for u in ids if u in _unit_names), key=lambda item: item[1])


# -- changing -------------------------------------------------------------------------------------


def _lost() -> Conflict:
    return Conflict("case_changed", "Ärendet har ändrats sedan du öppnade det. Ladda om sidan.")


def release(ports: Ports, principal: StaffPrincipal, case_id: str, now: datetime) -> None:
    """The handler gives the case back to the unit: it shows under Otilldelade."""
    record = _workable(ports, principal, case_id)
    if record.status == Status.CLOSED.value:
        raise Unprocessable("case_closed", "Ärendet är avslutat.")
    if record.handler_hsa_id != principal.hsa_id:
        raise Conflict("case_not_yours", "Bara handläggaren kan lämna tillbaka ärendet.")
    released = case_event(Kind.CASE_RELEASED, case_id, now, Door.STAFF, by=principal.hsa_id)
    if not ports.cases.release(record, principal.hsa_id, now, released):
        raise _lost()
    logger.info("case released", extra={"case_id": case_id})


def reassign(ports: Ports, principal: StaffPrincipal, case_id: str, to_hsa_id: str | None, now: datetime,
             expected_version: int | None = None) -> None:  # fmt: skip
    """Make a colleague with a case role at the unit the handler. Exactly one of two racing changes wins."""
    record = _workable(ports, principal, case_id)
    if record.status == Status.CLOSED.value:
        raise Unprocessable("case_closed", "Ärendet är avslutat.")
    if expected_version is not None and record.version != expected_version:
        raise _lost()
    to_name = dict(colleagues(ports, principal, record.unit_hsa_id)).get(to_hsa_id or "")
    if to_name is None:
        raise BadInput("colleague_invalid", "Välj en kollega med behörighet att handlägga ärenden på enheten.",
                       field="to")  # fmt: skip
    if to_hsa_id == record.handler_hsa_id:
        return
    reassigned = case_event(Kind.CASE_REASSIGNED, case_id, now, Door.STAFF, by=principal.hsa_id, to=to_hsa_id)
    if not ports.cases.reassign(record, to_hsa_id, to_name, now, reassigned):
        raise _lost()
    logger.info("case reassigned", extra={"case_id": case_id})


def _optional_text(value: str | None, field: str) -> str:
    text = (value or "").strip()
    if len(text) > TEXT_MAX:
        raise BadInput("field_too_long", "Högst {limit} tecken.", field=field, values={"limit": TEXT_MAX})
    return text


def remind(ports: Ports, principal: StaffPrincipal, case_id: str, text: str | None, now: datetime) -> None:
    """Remind a citizen who has not answered a counter-question: a new message in their inbox; the
    case keeps waiting."""
    record = _workable(ports, principal, case_id)
    if record.status != Status.WAITING_FOR_CITIZEN.value:
        raise Unprocessable("case_not_waiting", "Ärendet väntar inte på invånaren.")
    body = signed(ports, principal, _optional_text(text, "text") or REMINDER_TEXT, now)
    entry = EntryMap(author="staff", name=principal.display_name, text=body, template="reminder", at=now)
    reminded = case_event(Kind.CASE_REMINDED, case_id, now, Door.STAFF, by=principal.hsa_id,
                                entry=len(record.conversation or ()))  # fmt: skip
    if not ports.cases.remind(record, entry, now, reminded):
        raise _lost()
    logger.info("case reminder sent", extra={"case_id": case_id})


def close(ports: Ports, principal: StaffPrincipal, case_id: str, text: str | None, now: datetime) -> None:
    """Close a case waiting for the citizen (they never answered). With a text, the citizen gets it."""
    record = _workable(ports, principal, case_id)
    if record.status != Status.WAITING_FOR_CITIZEN.value:
        raise Unprocessable("case_not_waiting", "Bara ett ärende som väntar på invånaren kan avslutas här.")
    said = _optional_text(text, "text")
    body = signed(ports, principal, said, now) if said else None
    entry = EntryMap(author="staff", name=principal.display_name, text=body or "–", template="closed", at=now)
    # With words to the citizen the entry is told (its index in the event); without, nothing is sent.
    closed = case_event(Kind.CASE_CLOSED, case_id, now, Door.STAFF, by=principal.hsa_id,
                              entry=len(record.conversation or ()) if body else None)  # fmt: skip
    if not ports.cases.close(record, entry, now, closed, told=body is not None):
        raise _lost()
    logger.info("case closed by staff", extra={"case_id": case_id})


# -- writing an answer ----------------------------------------------------------------------------


def with_standard_reply(ports: Ports, principal: StaffPrincipal, unit_hsa_id: str, typed: str | None,
                        reply_id: str | None) -> str:  # fmt: skip
    """The answer so far with the standard reply added after it: what was typed is never replaced."""
    if not principal.has_role(unit_hsa_id, *READERS):
        raise Forbidden("unit_not_allowed", "Du har ingen behörighet till enhetens standardsvar.")
    chosen = next((r for r in ports.standard_replies.of_unit(unit_hsa_id) if r.reply_id == reply_id), None)
    if chosen is None:
        raise BadInput("reply_invalid", "Välj ett standardsvar.", field="reply")
    return insert_text(typed or "", chosen.text)


def insert_text(typed: str, addition: str) -> str:
    """`addition` after what was typed, a blank line between (nothing typed: the addition alone)."""
    kept = typed.rstrip()
    return f"{kept}\n\n{addition}" if kept else addition


def preview_answer(ports: Ports, principal: StaffPrincipal, record: CaseRecord, template: str | None,
                   text: str | None, now: datetime) -> tuple[Template, str]:  # fmt: skip
    """The answer as the citizen will read it (signed), without sending anything."""
    try:
        kind = Template(template or "")
    except ValueError:
        raise BadInput("template_invalid", "Välj typ av svar.", field="template") from None
    typed = (text or "").strip()
    if not typed:
        raise BadInput("field_required", "Skriv ett svar.", field="text")
    if len(typed) > TEXT_MAX:
        raise BadInput("field_too_long", "Högst {limit} tecken.", field="text", values={"limit": TEXT_MAX})
    return kind, signed(ports, principal, typed, now)
