"""Care books visits for citizens and they are summoned in the evening release at 18:00
Stockholm time: in the inbox, on paper, or both (domain/summons.py decides which).

The appointment is a booking like any other (on a hidden slot of its own), so the citizen sees it
among booked times and may rebook or cancel it under the unit's rules, unless care forbade it.
The release claims each waiting summons version with a conditional write, writes the inbox
message under an id fixed by that version, adds the paper letter under a key fixed by it, then
marks it released: a repeated, overlapping or interrupted run sends nothing twice and the next
run finishes what an interrupted one left.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from chalicelib.adapters.booking import Lost, visit_types_of
from chalicelib.adapters.inbox import InboxStore
from chalicelib.adapters.summons import Delivery, PrintFile, Waiting
from chalicelib.adapters.tables import (
    AttachmentMap,
    LinkMap,
    PrintLetterRecord,
    SummonsRecord,
    SummonsTemplateMap,
    UnitRecord,
)
from chalicelib.domain import summons as rules
from chalicelib.domain.attachments import Attachment
from chalicelib.domain.booking import Booking, BookingStatus, Slot, Visibility
from chalicelib.domain.clock import STOCKHOLM, stockholm_date
from chalicelib.domain.error_text import N_
from chalicelib.domain.events import Door, DomainEvent, Kind, event
from chalicelib.domain.inbox import Action
from chalicelib.domain.summons import Link, Template
from chalicelib.errors import BadInput, Conflict, Forbidden, NotFound, Unprocessable
from chalicelib.observability import logger, record_metric
from chalicelib.services import access_log, attachments, booking, forms, inbox, persons
from chalicelib.services.input import aware_moment, json_object, optional_text, personnummer, required_text
from chalicelib.domain.roles import StaffRole
from chalicelib.services.booking_staff import BOOKERS, VIEWERS
from chalicelib.services.cases import opening_hours
from chalicelib.services.integration import run_idempotent
from chalicelib.services.ports import Ports
from chalicelib.services.principals import IntegrationPrincipal, StaffPrincipal
from chalicelib.catalogs import translate

Caller = IntegrationPrincipal | StaffPrincipal

APPOINTMENTS_SCOPE = "appointments"
PRINT_SCOPE = "print"
_NAMESPACE = uuid.UUID("5b0e1d1c-6f1e-4a53-9a64-3f7d0c2a9e11")
# Care says a time is meant to be unusual: outside the unit's opening hours, or more than two years ahead.
_INTENDED = {rules.OUTSIDE_OPENING_HOURS: "outside_opening_hours_intended", rules.TOO_FAR_AHEAD: "far_ahead_intended"}
_FIELDS = {"unit_hsa_id", "personnummer", "visit_type_id", "start", "end", "place", "preparation", "links", "forms",
           "attachments", "may_rebook", "may_cancel", *_INTENDED.values()}  # fmt: skip
_CHANGEABLE = {"start", "end", "place", "preparation", "links", "may_rebook", "may_cancel", *_INTENDED.values()}


def _times(start: datetime, end: datetime, now: datetime) -> None:
    if start <= now:
        raise BadInput("start_in_past", "Besöket kan inte börja i det förflutna.", field="start")
    if end <= start:
        raise BadInput("end_before_start", "Besöket ska sluta efter att det börjar.", field="end")


def _links(value: Any) -> tuple[Link, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or len(value) > rules.MAX_LINKS:
        raise BadInput("links_invalid", "Fältet links ska vara en lista med högst {limit} länkar.", field="links",
                       values={"limit": rules.MAX_LINKS})  # fmt: skip
    links = []
    for item in value:
        if not isinstance(item, dict) or not isinstance(item.get("url"), str) or not item["url"].startswith("https://"):
            raise BadInput("links_invalid", "Varje länk ska ha label och en https-adress (url).", field="links")
        links.append(Link(str(item.get("label") or item["url"])[:100], item["url"][:500]))
    return tuple(links)


def _flag(body: dict[str, Any], name: str, default: bool = True) -> bool:
    value = body.get(name, default)
    if not isinstance(value, bool):
        raise BadInput("field_invalid", "Fältet {field} ska vara true eller false.", field=name, values={"field": name})
    return value


def _intended(body: dict[str, Any], *, form: bool = False) -> set[str]:
    """The unusual times care marked as intended (JSON true; a ticked box, "yes", on the staff form)."""
    if form:
        return {flag for flag in _INTENDED.values() if body.get(flag) == "yes"}
    return {flag for flag in _INTENDED.values() if _flag(body, flag, default=False)}


def _check_timing(unit: UnitRecord, start: datetime, end: datetime, now: datetime, intended: set[str], *,
                  form: bool = False) -> None:  # fmt: skip
    """A time outside the unit's opening hours, or more than two years ahead, only when care says it is meant."""
    for refusal in rules.timing_refusals(start, end, opening_hours(unit), now):
        flag = _INTENDED[refusal]
        if flag in intended:
            continue
        # the staff form has a box to tick; a care system sends the flag
        if refusal == rules.OUTSIDE_OPENING_HOURS:
            message = (N_("Tiden ligger utanför {unit}s öppettider ({hours}, inte helgdagar). Välj en annan tid, "
                          "eller kryssa i att tiden är avsiktlig om besöket ska vara då.") if form else
                       N_("Tiden ligger utanför {unit}s öppettider ({hours}, inte helgdagar). Välj en annan tid, "
                          "eller skicka {flag}: true om besöket ska vara då."))  # fmt: skip
        else:
            message = (N_("Tiden ligger mer än {years} år fram. Kontrollera året, eller kryssa i att tiden är "
                          "avsiktlig om besöket ska vara då.") if form else
                       N_("Tiden ligger mer än {years} år fram. Kontrollera året, eller skicka {flag}: true om "
                          "besöket ska vara då."))  # fmt: skip
        raise Unprocessable(refusal, message, field="start", values={
            "unit": unit.name, "hours": rules.describe_hours(opening_hours(unit)), "flag": flag,
            "years": rules.BOOK_AHEAD_YEARS})


def _check_may_rebook(visit_type: Any, may_rebook: bool) -> None:
    if not rules.may_rebook_allowed(visit_type.web_booking, may_rebook):
        raise Unprocessable("may_rebook_not_web_bookable", "{visit_type} kan inte bokas på webben, så invånaren kan "
                            "inte boka om den här. Skicka may_rebook: false; kallelsen säger då att ringa "
                            "mottagningen.", field="may_rebook", values={"visit_type": visit_type.name})  # fmt: skip


def _unit_and_type(ports: Ports, principal: Caller, unit_hsa_id: str, visit_type_id: str):  # noqa: ANN202
    if isinstance(principal, IntegrationPrincipal):
        principal.require_unit(unit_hsa_id)
    elif not principal.has_role(unit_hsa_id, *BOOKERS):
        raise Forbidden("unit_not_allowed", "Du har ingen behörighet till den enhetens tidbok.", field="unit")
    unit = ports.units.get(unit_hsa_id)
    if unit is None:
        raise BadInput("unknown_unit", "Enheten finns inte i regionen.", field="unit_hsa_id")
    visit_type = next((v for v in visit_types_of(unit) if v.visit_type_id == visit_type_id), None)
    if visit_type is None:
        raise BadInput("unknown_visit_type", "Enheten har inte den besökstypen.", field="visit_type_id")
    return unit, visit_type


# -- care books, changes and cancels -----------------------------------------------------------------


def book_from_care_system(ports: Ports, principal: IntegrationPrincipal, body: Any, idempotency_key: str | None,
                          now: datetime, lambda_context: Any = None) -> dict[str, Any]:  # fmt: skip
    """POST /integration/v1/appointments: validate everything, then book and queue the summons once."""
    principal.require_scope(APPOINTMENTS_SCOPE)
    body = json_object(body, _FIELDS)
    unit, visit_type = _unit_and_type(ports, principal, required_text(body, "unit_hsa_id", 64),
                                      required_text(body, "visit_type_id", 80))  # fmt: skip
    pnr = personnummer(body.get("personnummer"), "personnummer", stockholm_date(now))
    start, end = aware_moment(body.get("start"), "start"), aware_moment(body.get("end"), "end")
    _times(start, end, now)
    _check_timing(unit, start, end, now, _intended(body))
    place = optional_text(body, "place", 200) or visit_type.place.sv
    preparation = optional_text(body, "preparation", rules.PREPARATION_MAX)
    links = _links(body.get("links"))
    # Rebooking online only for a web-bookable visit type; for the others the default is no.
    allow_rebook = _flag(body, "may_rebook", default=visit_type.web_booking)
    _check_may_rebook(visit_type, allow_rebook)
    allow_cancel = _flag(body, "may_cancel")
    attachment_ids = attachments.check_ids(body.get("attachments"))
    form_ids = forms.riding_forms(ports, unit.hsa_id, body.get("forms"))

    def book_once() -> dict[str, Any]:
        return _book(ports, principal.key_id, unit, visit_type, pnr, start, end, place, preparation, links,
                     allow_rebook, allow_cancel, now, lambda appointment_id: _take_files(
                         ports, principal, unit.hsa_id, attachment_ids, appointment_id), form_ids=form_ids)  # fmt: skip

    return run_idempotent(operation="summons.book", caller=principal.key_id, idempotency_key=idempotency_key,
                          payload=body, command=book_once, lambda_context=lambda_context)  # fmt: skip


def book_by_staff(ports: Ports, principal: StaffPrincipal, fields: dict[str, str], now: datetime,
                  lambda_context: Any = None) -> str:  # fmt: skip
    """The staff tool's form: a day, a time and a visit type; one appointment per form, however
    often it is sent."""
    unit, visit_type = _unit_and_type(ports, principal, fields.get("unit", ""), fields.get("visit_type", ""))
    pnr = personnummer((fields.get("personnummer") or "").strip(), "personnummer", stockholm_date(now))
    start = _local_moment(fields.get("day"), fields.get("time"))
    end = start + timedelta(minutes=visit_type.duration_minutes)
    _times(start, end, now)
    _check_timing(unit, start, end, now, _intended(fields, form=True), form=True)
    place = optional_text(fields, "place", 200) or visit_type.place.sv
    preparation = optional_text(fields, "preparation", rules.PREPARATION_MAX)
    # The form's box applies to web-bookable visit types; for the others the summons says to call.
    allow_rebook = fields.get("may_rebook") == "yes" and visit_type.web_booking
    allow_cancel = fields.get("may_cancel") == "yes"
    form_ids = forms.riding_forms(ports, unit.hsa_id, [fields["form"]] if fields.get("form") else None)

    def book_once() -> dict[str, Any]:
        return _book(ports, principal.hsa_id, unit, visit_type, pnr, start, end, place, preparation, (),
                     allow_rebook, allow_cancel, now, lambda _appointment_id: (), caller_is_system=False,
                     form_ids=form_ids)  # fmt: skip

    payload = {k: fields.get(k) for k in ("unit", "visit_type", "day", "time", "place", "preparation", "form")}
    return str(run_idempotent(operation="summons.staff_book", caller=principal.hsa_id,
                              idempotency_key=fields.get("submission_id"), payload=payload, command=book_once,
                              lambda_context=lambda_context)["appointment_id"])  # fmt: skip


def _local_moment(day: str | None, at: str | None) -> datetime:
    try:
        return datetime.combine(date.fromisoformat(day or ""), time.fromisoformat(at or ""),
                                tzinfo=STOCKHOLM).astimezone(timezone.utc)  # fmt: skip
    except ValueError:
        raise BadInput("time_invalid", "Skriv dag som ÅÅÅÅ-MM-DD och tid som TT:MM.", field="time") from None


def _take_files(ports: Ports, principal: IntegrationPrincipal, unit_hsa_id: str, attachment_ids: list[str],
                appointment_id: str) -> tuple[Attachment, ...]:  # fmt: skip
    files = attachments.take_for_message(ports, principal, unit_hsa_id, attachment_ids)
    if files and not ports.attachment_uploads.take([f.attachment_id for f in files], principal.key_id,
                                                   f"appointment:{appointment_id}"):  # fmt: skip
        raise Unprocessable("attachment_already_used", "En bilaga hör redan till något annat.", field="attachments")
    return files


def _book(ports: Ports, caller_id: str, unit: UnitRecord, visit_type: Any, pnr: Any, start: datetime, end: datetime,
          place: str, preparation: str, links: tuple[Link, ...], allow_rebook: bool, allow_cancel: bool,
          now: datetime, take_files: Any, caller_is_system: bool = True,
          form_ids: tuple[str, ...] = ()) -> dict[str, Any]:  # fmt: skip
    """The appointment on a hidden slot of its own, and its summons waiting for the evening."""
    person = ports.register.find_by_personnummer(pnr)
    if person is None:
        raise Unprocessable("person_unknown", "Personen finns inte i folkbokföringen.", field="personnummer")
    appointment_id = str(uuid.uuid4())
    files = take_files(appointment_id)
    slot = Slot(f"{unit.hsa_id}/appointment-{appointment_id}", unit.hsa_id, visit_type.visit_type_id, start, end,
                place, visit_type.practitioner_role.sv, Visibility.HIDDEN)  # fmt: skip
    made = Booking(
        booking_id=appointment_id, citizen_id=person.citizen_id, unit_hsa_id=unit.hsa_id, unit_name=unit.name,
        visit_type_id=visit_type.visit_type_id, visit_type_name=visit_type.name.sv, slot_id=slot.slot_id,
        start=start, end=end, place=place, status=BookingStatus.BOOKED, booked_by="care_system", created_at=now,
        allow_rebook=allow_rebook, allow_cancel=allow_cancel,
    )  # fmt: skip
    release_on = rules.release_date(now)
    summons = SummonsRecord(
        appointment_id, citizen_id=person.citizen_id, unit_hsa_id=unit.hsa_id,
        start_key=f"{start.isoformat()}#{appointment_id}", client_key_id=caller_id,
        visit_type_id=visit_type.visit_type_id, start=start, end=end, place=place, preparation=preparation,
        links=[LinkMap(label=link.label, url=link.url) for link in links],
        attachments=[AttachmentMap(attachment_id=f.attachment_id, filename=f.filename, content_type=f.content_type,
                                   size_bytes=f.size_bytes) for f in files],
        allow_rebook=allow_rebook, allow_cancel=allow_cancel, version=1, state="pending", pending="yes",
        release_on=release_on.isoformat(), created_at=now, form_ids=set(form_ids) or None,
    )  # fmt: skip
    # Its own hidden slot, the booking, the summons waiting for the evening and the event: one transaction.
    issued = event(Kind.SUMMONS_ISSUED, booking.stream_key(appointment_id), now, booking_id=appointment_id,
                   door=Door.CARE_SYSTEM if caller_is_system else Door.STAFF,
                   forms="yes" if form_ids else None)  # fmt: skip
    ports.bookings.book(made, issued, new_slot=slot, also=lambda tx: ports.summons.create_in(tx, summons))
    logger.info("appointment booked by care", extra={"appointment_id": appointment_id})
    record_metric("AppointmentBooked")
    return {"appointment_id": appointment_id, "summons_release_on": release_on.isoformat()}


def _own(ports: Ports, principal: Caller, appointment_id: str) -> tuple[SummonsRecord, Booking]:
    """The system that booked it, or staff who book at its unit."""
    if isinstance(principal, IntegrationPrincipal):
        principal.require_scope(APPOINTMENTS_SCOPE)
    record = ports.summons.get(appointment_id)
    made = ports.bookings.get(appointment_id) if record else None
    allowed = record is not None and (
        record.client_key_id == principal.key_id and principal.may_act_for(record.unit_hsa_id)
        if isinstance(principal, IntegrationPrincipal) else principal.has_role(record.unit_hsa_id, *BOOKERS))  # fmt: skip
    # Another system's (or unit's) appointment gets the same answer as one that does not exist.
    if not allowed or made is None:
        raise NotFound("appointment_not_found", "Besöket finns inte.")
    return record, made


def change_appointment(ports: Ports, principal: Caller, appointment_id: str, body: Any,
                       now: datetime) -> dict[str, Any]:  # fmt: skip
    """PATCH: a new version of the summons for the next evening; the same change again changes nothing."""
    record, made = _own(ports, principal, appointment_id)
    body = json_object(body, _CHANGEABLE)
    if record.state == "cancelled" or made.status is not BookingStatus.BOOKED:
        raise Unprocessable("appointment_cancelled", "Besöket är avbokat.")
    start = aware_moment(body["start"], "start") if "start" in body else made.start
    end = aware_moment(body["end"], "end") if "end" in body else made.end
    if (start, end) != (made.start, made.end):
        _times(start, end, now)
    if (start, end) != (made.start, made.end) or body.get("may_rebook") is True:
        unit = ports.units.get(made.unit_hsa_id)
        visit_type = next(v for v in visit_types_of(unit) if v.visit_type_id == made.visit_type_id)
        if (start, end) != (made.start, made.end):
            # Staff move a visit with the form (its box is already read into the body as true).
            _check_timing(unit, start, end, now, _intended(body), form=isinstance(principal, StaffPrincipal))
        if "may_rebook" in body:
            _check_may_rebook(visit_type, _flag(body, "may_rebook"))
    changed = {
        "place": optional_text(body, "place", 200) or made.place if "place" in body else made.place,
        "preparation": optional_text(body, "preparation", rules.PREPARATION_MAX) if "preparation" in body
        else record.preparation,
        "links": _links(body.get("links")) if "links" in body else tuple(Link(x.label, x.url) for x in record.links),
        "allow_rebook": _flag(body, "may_rebook") if "may_rebook" in body else made.allow_rebook,
        "allow_cancel": _flag(body, "may_cancel") if "may_cancel" in body else made.allow_cancel,
    }  # fmt: skip
    new = Booking(**{**{n: getattr(made, n) for n in Booking.__slots__}, "start": start, "end": end,
                     "place": changed["place"], "allow_rebook": changed["allow_rebook"],
                     "allow_cancel": changed["allow_cancel"]})  # fmt: skip
    same = (new == made and changed["preparation"] == record.preparation
            and changed["links"] == tuple(Link(x.label, x.url) for x in record.links))  # fmt: skip
    if not same:
        door = Door.CARE_SYSTEM if isinstance(principal, IntegrationPrincipal) else Door.STAFF
        changed_event = event(Kind.SUMMONS_CHANGED, booking.stream_key(appointment_id), now,
                              booking_id=appointment_id, door=door)  # fmt: skip
        changes = [
            SummonsRecord.start.set(start), SummonsRecord.end.set(end), SummonsRecord.place.set(changed["place"]),
            SummonsRecord.start_key.set(f"{start.isoformat()}#{appointment_id}"),
            SummonsRecord.preparation.set(changed["preparation"]),
            SummonsRecord.links.set([LinkMap(label=x.label, url=x.url) for x in changed["links"]]),
            SummonsRecord.allow_rebook.set(changed["allow_rebook"]),
            SummonsRecord.allow_cancel.set(changed["allow_cancel"]),
        ]  # fmt: skip
        try:
            # The booking, its slot and the summons' new version (for the next evening) together.
            ports.bookings.retime(made, new, changed_event, also=lambda tx: ports.summons.change_in(
                tx, appointment_id, changes, rules.release_date(now)))  # fmt: skip
        except Lost:
            raise Unprocessable("appointment_changed", "Besöket har ändrats av invånaren; hämta det igen.") from None
        logger.info("appointment changed by care", extra={"appointment_id": appointment_id})
    return status(ports, principal, appointment_id)


def change_by_staff(ports: Ports, principal: StaffPrincipal, appointment_id: str, fields: dict[str, str],
                    now: datetime) -> dict[str, Any]:  # fmt: skip
    """The staff tool moves a visit to another day and time, keeping its length."""
    _, made = _own(ports, principal, appointment_id)
    start = _local_moment(fields.get("day"), fields.get("time"))
    return change_appointment(ports, principal, appointment_id,
                              {"start": start.isoformat(), "end": (start + (made.end - made.start)).isoformat(),
                               **{flag: True for flag in _intended(fields, form=True)}}, now)  # fmt: skip


def cancel_appointment(ports: Ports, principal: Caller, appointment_id: str, now: datetime) -> dict[str, Any]:
    """DELETE: before the release no summons goes at all; after it, the follow-ups tell the citizen."""
    _, made = _own(ports, principal, appointment_id)
    if made.status is BookingStatus.BOOKED:
        door = Door.CARE_SYSTEM if isinstance(principal, IntegrationPrincipal) else Door.STAFF
        try:
            booking.cancel_booking(ports, made, "care_system", now, door)
        except Conflict:
            pass  # the citizen cancelled at the same moment
        ports.slots.withdraw(made.slot_id)
    return status(ports, principal, appointment_id)


def status(ports: Ports, principal: Caller, appointment_id: str) -> dict[str, Any]:
    """GET /integration/v1/appointments/{id}: the booking as it stands and how far its summons came."""
    record, made = _own(ports, principal, appointment_id)
    read = [m[0].read_at for m in (ports.inbox.find(i) for i in sorted(record.inbox_message_ids or ())) if m]
    read_at = [r for r in read if r]
    return {
        "appointment_id": appointment_id, "status": made.status.value, "start": made.start.isoformat(),
        "end": made.end.isoformat(), "place": made.place,
        "summons": {"state": record.state, "version": int(record.version), "release_on": record.release_on,
                    "released_at": record.released_at.isoformat() if record.released_at else None,
                    "released_version": int(record.released_version) if record.released_version else None,
                    "inbox": bool(record.inbox_message_ids), "paper": bool(record.paper),
                    "read_at": min(read_at).isoformat() if read_at else None},
    }  # fmt: skip


# -- the evening release -----------------------------------------------------------------------
# At 18:00 (schedules/) a planner pages through the waiting summonses (ids and versions only) and
# sends them in chunks of RELEASE_CHUNK to the release queue; workers (a bounded number at once,
# infra/) release each chunk in two transactions, every summons with its `summons.released` event.
# What each sends (inbox message, letter) follows from those events (services/follow_ups.py), for a
# stream batch's hundred at once. Runs every ten minutes until 23:50 plan what is still waiting: a
# crashed run is caught up by the next, and a chunk released twice writes nothing twice.

RELEASE_CHUNK = 100  # summonses per queue message: two transactions of fifty, with their events


@dataclass
class ReleaseResult:
    released: int = 0
    skipped: int = 0  # another run has it, or it changed meanwhile
    failed: int = 0
    errors: list[str] = field(default_factory=list)


@dataclass
class ReleasePlan:
    planned: int = 0  # summonses found waiting
    chunks: int = 0  # queue messages sent


def plan_release(ports: Ports, now: datetime, send: Callable[[list[dict[str, Any]]], int]) -> ReleasePlan:
    """Every summons due by this evening, a page at a time, in chunks for the release workers: ids and
    versions only (no personal data in a message), never the whole evening in memory."""
    plan = ReleasePlan()
    for page in ports.summons.due_pages(rules.latest_due_date(now)):
        chunks = [{"release": [[w.appointment_id, w.version] for w in page[n:n + RELEASE_CHUNK]]}
                  for n in range(0, len(page), RELEASE_CHUNK)]  # fmt: skip
        plan.chunks += send(chunks)
        plan.planned += len(page)
    logger.info("summons release planned", extra={"planned": plan.planned, "chunks": plan.chunks})
    return plan


def release_chunk(ports: Ports, chunk: dict[str, Any], now: datetime,
                  on_commit: Callable[[], None] = lambda: None) -> ReleaseResult:  # fmt: skip
    """A worker's chunk: release each summons at the version the planner saw, each with its event,
    fifty to a transaction. One released by another run, or changed or cancelled since, is skipped
    (a change goes in its own evening), so a chunk delivered twice releases nothing twice."""
    waiting = [Waiting(str(appointment_id), int(version)) for appointment_id, version in chunk["release"]]
    released = {w.appointment_id: event(Kind.SUMMONS_RELEASED, booking.stream_key(w.appointment_id), now,
                                        booking_id=w.appointment_id, version=str(w.version)) for w in waiting}  # fmt: skip
    done = ports.summons.release_many(waiting, now, released, on_commit=on_commit)
    record_metric("SummonsReleased", len(done))
    logger.info("summonses released", extra={"released": len(done), "skipped": len(waiting) - len(done)})
    return ReleaseResult(released=len(done), skipped=len(waiting) - len(done))


def release_due(ports: Ports, now: datetime) -> ReleaseResult:
    """The whole release in this process, each chunk released as soon as it is planned (tests, and an
    operator's run by hand); in AWS the planner sends the chunks to the queue instead. A chunk that
    fails is counted and left waiting for the next run."""
    result = ReleaseResult()

    def work(chunks: list[dict[str, Any]]) -> int:
        for chunk in chunks:
            try:
                done = release_chunk(ports, chunk, now)
            except Exception:  # one chunk failing must not stop the others; the next run retries it
                logger.exception("summons release failed", extra={"summonses": len(chunk["release"])})
                result.failed += len(chunk["release"])
                continue
            result.released += done.released
            result.skipped += done.skipped
        return len(chunks)

    plan_release(ports, now, work)
    logger.info("summons release", extra={"released": result.released, "skipped": result.skipped,
                                          "failed": result.failed})  # fmt: skip
    if result.failed:
        record_metric("SummonsReleaseFailed")
    return result


# -- follow-ups of a summons' events (listed in services/follow_ups.py) --------------------------------


def message_id_of(appointment_id: str, version: int) -> str:
    return str(uuid.uuid5(_NAMESPACE, f"{appointment_id}:{version}"))


def _visit_type_of(unit: UnitRecord, record: SummonsRecord) -> Any:
    return next(v for v in visit_types_of(unit) if v.visit_type_id == record.visit_type_id)


def send_released(ports: Ports, released: Sequence[DomainEvent]) -> None:
    """The released versions on each person's channels: the inbox (the guardians read a child's)
    and/or a letter in that evening's print batch — for all of a stream batch's `summons.released`
    at once: the summonses, units, register and accounts read a hundred a call, and the messages
    (each with its event), letters and where each went written as transactions of up to a hundred
    items. Ids fixed by the version: a redelivery sends nothing twice."""
    records = ports.summons.get_many([e["booking_id"] for e in released])
    current = [(e, r) for e in released if (r := records.get(e["booking_id"])) is not None
               and r.state != "cancelled" and int(r.version) == int(e["version"])]  # fmt: skip
    # changed or cancelled since: the newer version (or the cancellation) goes instead
    if not current:
        return
    units = {u.hsa_id: u for u in ports.units.get_many(sorted({r.unit_hsa_id for _, r in current}))}
    # The register once: who reads the inbox (a child under 13's guardians) and, for paper, the address.
    people = {p.citizen_id: p for p in ports.register.get_many(sorted({r.citizen_id for _, r in current}))}
    days = [stockholm_date(e.occurred_at) for e, _ in current]
    reached = persons.reach_many(ports, [(r.citizen_id, people.get(r.citizen_id), day)
                                         for (_, r), day in zip(current, days)])  # fmt: skip
    where = [rules.channels(x.reaches_digitally, x.digital_first) for x in reached]
    on_paper = [(people.get(r.citizen_id), day) for (_, r), day, w in zip(current, days, where) if w.paper]
    addresses = iter(persons.letter_addresses(ports, on_paper))
    deliveries = []
    for (released_event, record), day, channels, reach in zip(current, days, where, reached):
        unit = units[record.unit_hsa_id]
        deliveries.append(_delivery(unit, record, released_event, channels, next(addresses) if channels.paper else None,
                                    day, reach.language))  # fmt: skip
    written = ports.summons.deliver_many(deliveries)
    inboxed = sum(1 for d in written if d.message is not None)
    record_metric("InboxMessageDelivered", inboxed)
    # The channel each went by, as the usage statistics count it: paper if a letter went, else digital.
    record_metric("SummonsSentPaper", sum(1 for d in written if d.paper))
    record_metric("SummonsSentDigital", sum(1 for d in written if not d.paper and d.message_id))
    logger.info("released summonses sent", extra={"summonses": len(written), "inbox": inboxed,
                                                  "paper": sum(1 for d in written if d.letter is not None)})  # fmt: skip


def _delivery(unit: UnitRecord, record: SummonsRecord, released: DomainEvent, where: rules.Channels,
              address_lines: list[str] | None, today: date, lang: str) -> Delivery:  # fmt: skip
    """What one released version writes, in the language its readers chose: its text in the inbox
    (with the buttons into the booking flow) under an id fixed by the version, and/or the letter
    under a key fixed by it."""
    version = int(released["version"])
    sent_at = released.occurred_at
    visit_type = _visit_type_of(unit, record)
    text = rules.summons_text(
        partial(translate, lang), template_of(unit, lang), unit_name=unit.name, visit_type=visit_type.name.in_(lang), start=record.start, end=record.end,
        place=record.place, preparation=record.preparation,
        links=tuple(Link(x.label, x.url) for x in record.links),
        updated=record.first_released_at is not None and record.first_released_at < sent_at,
        may_rebook=bool(record.allow_rebook), unit_phone=unit.phone,
    )  # fmt: skip
    message_id = message_id_of(record.appointment_id, version)
    message = message_event = None
    if where.inbox:
        actions = []
        if record.allow_rebook:
            actions.append(Action(translate(lang, "summons.action.rebook"), f"/bookings/{record.appointment_id}/rebook"))
        if record.allow_cancel and visit_type.rules.cancel_online:
            actions.append(Action(translate(lang, "summons.action.cancel"), f"/bookings/{record.appointment_id}"))
        files = tuple(Attachment(a.attachment_id, a.filename, a.content_type, int(a.size_bytes))
                      for a in record.attachments)  # fmt: skip
        composed, message_event = inbox.compose(
            record.citizen_id, unit, inbox.Letter(booking.visit_topic("summons", visit_type.name.in_(lang), record.start, lang),
                                                  text.subject, text.body, tuple(actions)),
            sent_at, files=files, message_id=message_id, thread_id=booking.stream_key(record.appointment_id))  # fmt: skip
        message = InboxStore.record_of(composed, "summons")
    letter = None
    if where.paper:
        letter = _letter_record(unit, record, address_lines or [], today, f"{version}", text, sent_at, lang)
    return Delivery(record.appointment_id, message, message_event, message_id if where.inbox else None, letter,
                    where.paper)  # fmt: skip


def _letter_record(unit: UnitRecord, record: SummonsRecord, address_lines: list[str], batch: date,
                   version_key: str, text: rules.SummonsText, created_at: datetime,
                   lang: str) -> PrintLetterRecord:  # fmt: skip
    # A child under 13's letter goes to "Till vårdnadshavare för …"; protected identity through the Tax Agency.
    return PrintLetterRecord(
        batch.isoformat(), f"{unit.hsa_id}#{record.appointment_id}#{version_key}", citizen_id=record.citizen_id,
        unit_hsa_id=unit.hsa_id, unit_name=unit.name, unit_phone=unit.phone or None, address_lines=address_lines,
        subject=text.subject, body=text.body, created_at=created_at, language=lang,
    )  # fmt: skip


def _letter(ports: Ports, unit: UnitRecord, record: SummonsRecord, person: Any, batch: date, version_key: str,
            text: rules.SummonsText, created_at: datetime, lang: str) -> None:  # fmt: skip
    """One letter (a cancellation) in `batch`'s print batch, or the next evening's if that one closed."""
    ports.print_letters.put(_letter_record(unit, record, persons.letter_address(ports, person, batch), batch,
                                           version_key, text, created_at, lang))  # fmt: skip


def mark_sent_versions(ports: Ports, change: DomainEvent) -> None:
    """Follow-up of a change or cancellation: the summons messages already in the inbox say what
    became of them, and their buttons go (a newer version or the cancellation notice follows)."""
    record = ports.summons.get(change["booking_id"])
    if record is None or not record.inbox_message_ids:
        return
    lang = persons.reach_of(ports, record.citizen_id, stockholm_date(change.occurred_at)).language
    what = "cancelled" if change.kind is Kind.SUMMONS_CANCELLED else "changed"
    note = translate(lang, f"summons.note.{what}")
    ports.inbox.set_state_note(sorted(record.inbox_message_ids), note)


def tell_cancelled(ports: Ports, cancelled: DomainEvent) -> None:
    """A cancellation after the summons went out: "Avbokad" on the same channels a summons would
    take now, in the inbox at once and on paper in the next print batch. Before the release: nothing."""
    record = ports.summons.get(cancelled["booking_id"])
    if record is None or record.released_version is None:
        return
    unit = ports.units.get(record.unit_hsa_id)
    visit_type = _visit_type_of(unit, record)
    today = stockholm_date(cancelled.occurred_at)
    person = ports.register.get(record.citizen_id)
    reached = persons.reach_with(ports, record.citizen_id, person, today)
    where = rules.channels(reached.reaches_digitally, reached.digital_first)
    lang = reached.language
    text = rules.cancellation_text(partial(translate, lang), template_of(unit, lang), unit_name=unit.name,
                                   visit_type=visit_type.name.in_(lang),
                                   start=record.start, end=record.end, by_citizen=cancelled.get("door") == Door.CITIZEN)
    if where.inbox:
        inbox.deliver(ports, record.citizen_id, unit,
                      inbox.Letter(booking.visit_topic("cancelled", visit_type.name.in_(lang), record.start, lang), text.subject,
                                   text.body),
                      "summons", cancelled.occurred_at, message_id=cancelled.follow_up_id("cancellation"),
                      thread_id=booking.stream_key(record.appointment_id))  # fmt: skip
    if where.paper:
        _letter(ports, unit, record, person, rules.release_date(cancelled.occurred_at), "cancelled", text,
                cancelled.occurred_at, lang)


def template_of(unit: UnitRecord, lang: str = "sv") -> Template:
    """The unit's own summons texts as it wrote them; a unit that wrote none gets the catalogue's in
    `lang` (the staff tool shows and edits them in Swedish)."""
    t = unit.summons_template
    if t is None:
        return Template(heading=translate(lang, "summons.default.heading"), intro=translate(lang, "summons.default.intro"),
                        footer=translate(lang, "summons.default.footer"),
                        contact=translate(lang, "summons.default.contact", unit=unit.name, street=unit.street,
                                          postal_code=unit.postal_code, city=unit.city, phone=unit.phone))  # fmt: skip
    return Template(heading=t.heading, intro=t.intro, footer=t.footer, contact=t.contact)


# -- the print batch ---------------------------------------------------------------------------------
# At 18:30 (schedules/), after the release, a job closes the evening's batch (a letter written later
# goes in the next evening's), cuts its letters into files of at most LETTERS_PER_FILE, each of one
# unit, and sends each file's key range to the print queue; print workers render each into a PDF in
# S3. The print vendor and the unit's staff list the files with short-lived links: no response
# carries a PDF, however large the evening.

LETTERS_PER_FILE = 500
VENDOR_LINK_SECONDS = 300  # the print vendor's links (a staff download's live a minute)


@dataclass
class PrintPlan:
    batch_date: str
    letters: int = 0
    files: int = 0


def plan_print_batch(ports: Ports, now: datetime, send: Callable[[list[dict[str, Any]]], int],
                     day: date | None = None) -> PrintPlan:  # fmt: skip
    """Close the evening's batch (today's from 18:00; `day` for a run by hand) and send its files'
    key ranges to the print workers, a page of letters at a time. Again for the same evening: the
    same files (the batch is closed, so its letters no longer change)."""
    batch_date = day or rules.latest_due_date(now)
    ports.print_batches.close(batch_date, now)
    plan = PrintPlan(batch_date.isoformat())
    parts: dict[str, int] = {}
    current: dict[str, Any] | None = None
    for page in ports.print_letters.keys_pages(batch_date):
        ready = []
        for letter_key, unit_hsa_id in page:
            if current is not None and (current["unit"] != unit_hsa_id or current["letters"] == LETTERS_PER_FILE):
                ready.append(current)
                current = None
            if current is None:
                part = parts[unit_hsa_id] = parts.get(unit_hsa_id, 0) + 1
                current = {"print": plan.batch_date, "unit": unit_hsa_id, "part": part, "first": letter_key,
                           "last": letter_key, "letters": 0}  # fmt: skip
            current["last"] = letter_key
            current["letters"] += 1
            plan.letters += 1
        plan.files += send(ready) if ready else 0
    if current is not None:
        plan.files += send([current])
    ports.print_batches.planned(batch_date, plan.files)
    logger.info("print batch planned", extra={"batch_date": plan.batch_date, "letters": plan.letters,
                                              "files": plan.files})  # fmt: skip
    return plan


def make_print_file(ports: Ports, chunk: dict[str, Any], now: datetime) -> int:
    """A print worker's file: its letters (one Query on the key range) as one PDF, a letter a page, in
    S3 under a key fixed by the batch, unit and part (made again: the same file)."""
    file = PrintFile(chunk["print"], chunk["unit"], int(chunk["part"]), int(chunk["letters"]), chunk["first"],
                     chunk["last"])  # fmt: skip
    letters = ports.print_letters.of_file(file.batch_date, file.first_key, file.last_key)
    if len(letters) != file.letters:
        logger.warning("print file letters differ from the plan", extra={"planned": file.letters,
                                                                         "found": len(letters)})  # fmt: skip
    from chalicelib.web.letters import letters_pdf  # fpdf2 is imported only when a batch is made

    pdf = letters_pdf(letters, date.fromisoformat(file.batch_date))
    object_key = f"print-batches/{file.batch_date}/{file.unit_hsa_id}/{file.part:04d}.pdf"
    ports.attachment_files.put_generated(object_key, pdf, "application/pdf")
    ports.print_batches.made(replace(file, letters=len(letters)), object_key, now)
    record_metric("PrintFileMade")
    return len(letters)


def _batch_date(day: str, field_name: str) -> date:
    try:
        return date.fromisoformat(day)
    except ValueError:
        raise BadInput("date_invalid", "Datumet ska skrivas ÅÅÅÅ-MM-DD.", field=field_name) from None


def _file_name(file: PrintFile) -> str:
    return f"kallelser-{file.batch_date}-{file.unit_hsa_id}-{file.part:04d}.pdf"


@dataclass(frozen=True)
class PrintBatchView:
    batch_date: str
    closed_at: datetime | None  # None: not made yet (it is made after the evening's release)
    complete: bool  # every file of the batch is made
    files: list[PrintFile]

    @property
    def letters(self) -> int:
        return sum(f.letters for f in self.files)


def _view(ports: Ports, batch_date: date, units: Callable[[str], bool]) -> PrintBatchView:
    batch, files = ports.print_batches.of_day(batch_date)
    made = sorted((f for f in files if f.object_key and units(f.unit_hsa_id)), key=lambda f: (f.unit_hsa_id, f.part))
    closed_at = batch.closed_at if batch else None
    complete = batch is not None and batch.files is not None and len([f for f in files if f.object_key]) >= batch.files
    return PrintBatchView(batch_date.isoformat(), closed_at, complete, made)


def print_batch_for_vendor(ports: Ports, principal: IntegrationPrincipal, day: str) -> dict[str, Any]:
    """GET /integration/v1/print-batches/{day}: the evening's files of the key's units, each with a
    link that lives VENDOR_LINK_SECONDS (one Query, then a presigned URL per file)."""
    principal.require_scope(PRINT_SCOPE)
    view = _view(ports, _batch_date(day, "date"), principal.may_act_for)
    return {
        "batch_date": view.batch_date, "closed_at": view.closed_at.isoformat() if view.closed_at else None,
        "complete": view.complete, "letters": view.letters,
        "files": [{"unit_hsa_id": f.unit_hsa_id, "part": f.part, "letters": f.letters,
                   "url": ports.attachment_files.generated_url(f.object_key, _file_name(f), "application/pdf",
                                                                VENDOR_LINK_SECONDS),
                   "expires_in": VENDOR_LINK_SECONDS} for f in view.files],
    }  # fmt: skip


def print_batch_for_staff(ports: Ports, principal: StaffPrincipal, unit_hsa_id: str, day: str) -> PrintBatchView:
    """The staff tool's list of the unit's files of an evening (nothing is read from them yet)."""
    if not principal.has_role(unit_hsa_id, *VIEWERS):
        raise Forbidden("unit_not_allowed", "Du har ingen behörighet till den enhetens kallelser.")
    return _view(ports, _batch_date(day, "day"), lambda unit: unit == unit_hsa_id)


def print_file_for_staff(ports: Ports, principal: StaffPrincipal, unit_hsa_id: str, day: str, part: str,
                         now: datetime) -> str:  # fmt: skip
    """A one-minute link to one of the unit's files: an export, so each person in it gets an
    access-log entry (who downloaded their summons, and when) before the link is given."""
    if not principal.has_role(unit_hsa_id, *VIEWERS):
        raise Forbidden("unit_not_allowed", "Du har ingen behörighet till den enhetens kallelser.")
    batch_date = _batch_date(day, "day")
    try:
        number = int(part)
    except ValueError:
        raise NotFound("print_file_not_found", "Filen finns inte.") from None
    file = ports.print_batches.file(batch_date, unit_hsa_id, number) if 0 < number < 10_000 else None
    if file is None or not file.object_key:
        raise NotFound("print_file_not_found", "Filen finns inte.")
    letters = ports.print_letters.of_file(file.batch_date, file.first_key, file.last_key)
    readers = [(citizen_id, x.letter_key.split("#")[1]) for x in letters
               if (citizen_id := _letter_citizen(ports, x)) is not None]  # fmt: skip
    access_log.record_export(ports, principal, unit_hsa_id, "print_batch", readers, now)
    return ports.attachment_files.generated_url(file.object_key, _file_name(file), "application/pdf")


def _letter_citizen(ports: Ports, letter: PrintLetterRecord) -> str | None:
    """Whose letter: written on it at release; for a letter from before that, read from its summons."""
    if letter.citizen_id:
        return letter.citizen_id
    record = ports.summons.get(letter.letter_key.split("#")[1])
    return record.citizen_id if record else None


# -- the staff tool ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitSummons:
    record: SummonsRecord
    booking: Booking
    read_at: datetime | None


def of_unit(ports: Ports, principal: StaffPrincipal, unit_hsa_id: str, first: date, days: int) -> list[UnitSummons]:
    """The unit's appointments from `first` on, with how far each summons came and whether it was read."""
    if not principal.has_role(unit_hsa_id, *VIEWERS):
        raise Forbidden("unit_not_allowed", "Du har ingen behörighet till den enhetens kallelser.")
    start = datetime.combine(first, time(0), tzinfo=STOCKHOLM).astimezone(timezone.utc)
    records = ports.summons.of_unit(unit_hsa_id, start, start + timedelta(days=days))
    result = []
    for record in records:
        made = ports.bookings.get(record.appointment_id)
        if made is None:
            continue
        reads = [found[0].read_at for found in (ports.inbox.find(i) for i in sorted(record.inbox_message_ids or ()))
                 if found and found[0].read_at]  # fmt: skip
        result.append(UnitSummons(record, made, min(reads) if reads else None))
    return result


def save_template(ports: Ports, principal: StaffPrincipal, unit_hsa_id: str, fields: dict[str, str]) -> None:
    """The unit's summons template (a local admin's): heading, fixed texts, contact details."""
    if not principal.has_role(unit_hsa_id, StaffRole.LOCAL_ADMIN):
        raise Forbidden("unit_not_allowed", "Bara enhetens lokala administratör kan ändra mallen.")
    heading = required_text(fields, "heading", 100)
    template = SummonsTemplateMap(
        heading=heading, intro=optional_text(fields, "intro", 1000), footer=optional_text(fields, "footer", 1000),
        contact=optional_text(fields, "contact", 500),
    )
    ports.units.set_summons_template(unit_hsa_id, template)
