"""Listning (issue 21): the citizen sees the vårdcentral they are listed at and asks to be listed at
another primary-care unit of the region.

Where the person is listed is read from the care systems at view time: the FHIR R4 Patient (searched
by `identifier`, the personnummer in the POST body) of each source that serves Patient, its
`generalPractitioner` Organization with an HSA-id. The request is ours (adapters/consumables.py
ListingRequests): one open request per person, a lock item in the request's transaction with its
`listing.requested` event. The region's listing system fetches open requests through the integration
API (scope `listing`, a region-wide key) and posts its decision; the answer reaches the person's inbox
from the `listing.decided` event (services/follow_ups.py).

Who: oneself from the 18th birthday, or a guardian acting for a child under 13 (as for consumables).
Access patterns: the register (GetItem), the unit directory (Query), the person's requests (Query,
newest first, a few), one request by id (Query on an index); no Scan.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from chalicelib.adapters.consumables import Taken
from chalicelib.adapters.fhir_sources import PERSONNUMMER_SYSTEM, SAMORDNINGSNUMMER_SYSTEM, Search
from chalicelib.adapters.tables import ListingRequestRecord, UnitRecord
from chalicelib.catalogs import translate
from chalicelib.domain import consumables as age_rules
from chalicelib.domain.clock import stockholm_date
from chalicelib.domain.events import DomainEvent, Kind, event
from chalicelib.domain.inbox import Action
from chalicelib.domain.journal import _unit
from chalicelib.domain.people import Person
from chalicelib.errors import BadInput, Conflict, Forbidden, NotFound
from chalicelib.observability import logger, record_metric
from chalicelib.services import inbox, persons
from chalicelib.services.input import decode_cursor, encode_cursor, identifier, json_object, optional_text
from chalicelib.services.integration import run_idempotent
from chalicelib.services.ports import Ports
from chalicelib.services.principals import CitizenPrincipal, IntegrationPrincipal

SCOPE = "listing"
PRIMARY_CARE = "primary_care"
OPEN, ACCEPTED, REFUSED = "open", "accepted", "refused"
PAGE_MAX = 100


@dataclass
class Listing:
    subject: Person | None
    may_request: bool
    listed_hsa_id: str | None = None
    listed_name: str | None = None
    failed_sources: list[str] = field(default_factory=list)
    units: list[UnitRecord] = field(default_factory=list)  # the region's vårdcentraler one may ask for
    requests: list[ListingRequestRecord] = field(default_factory=list)  # newest first

    @property
    def open_request(self) -> ListingRequestRecord | None:
        return next((r for r in self.requests if r.status == OPEN), None)


def _listed_at(ports: Ports, person: Person) -> tuple[str | None, str | None, list[str]]:
    searches = [Search(source, "Patient", ()) for source in ports.settings.journal_sources if "Patient" in source.types]
    if not searches:
        return None, None, []
    pnr = person.personnummer
    system = SAMORDNINGSNUMMER_SYSTEM if pnr.is_coordination_number else PERSONNUMMER_SYSTEM
    answers = ports.journal_sources.search_all(searches, system, pnr.digits)
    failed = list(dict.fromkeys(a.source.name for a in answers if not a.ok))
    for answer in answers:
        for patient in answer.resources:
            for practitioner in patient.get("generalPractitioner") or []:
                if isinstance(practitioner, dict) and practitioner.get("type", "Organization") == "Organization":
                    hsa, name = _unit(practitioner)
                    if hsa:
                        return hsa, name, failed
    return None, None, failed


def primary_care_units(ports: Ports) -> list[UnitRecord]:
    return [u for u in ports.units.all() if u.kind == PRIMARY_CARE]


def overview(ports: Ports, principal: CitizenPrincipal, now: datetime) -> Listing:
    subject = ports.register.get(principal.subject_id)
    if subject is None:
        return Listing(None, False)
    found = Listing(subject, age_rules.may_order(subject, principal.acting_for_id is not None, stockholm_date(now)))
    if not found.may_request:
        return found
    found.listed_hsa_id, found.listed_name, found.failed_sources = _listed_at(ports, subject)
    if found.listed_hsa_id and (unit := ports.units.get(found.listed_hsa_id)) is not None:
        found.listed_name = unit.name
    found.units = [u for u in primary_care_units(ports) if u.hsa_id != found.listed_hsa_id]
    found.requests = ports.listing_requests.latest(subject.citizen_id)
    return found


def request(ports: Ports, principal: CitizenPrincipal, unit_hsa_id: str, fields: dict[str, str], now: datetime,
            lambda_context: Any = None) -> str:  # fmt: skip
    """Ask to be listed at another vårdcentral: one open request per person (409 request_open)."""
    found = overview(ports, principal, now)
    if found.subject is None or not found.may_request:
        raise Forbidden("listing_not_allowed", "Du kan välja vårdcentral här från den dag du fyller 18 år.")
    unit = next((u for u in found.units if u.hsa_id == unit_hsa_id), None)
    if unit is None:
        raise BadInput("unit_invalid", "Välj en vårdcentral i regionen.", field="unit")
    subject = found.subject

    def request_once() -> dict[str, Any]:
        if found.open_request is not None:
            raise Conflict("request_open", "Du har redan en begäran om listning som inte är besvarad.")
        request_id = str(uuid.uuid4())
        key = f"{now.isoformat()}#{request_id}"
        record = ListingRequestRecord(
            subject.citizen_id, f"request#{key}", request_id=request_id, status=OPEN, requested_key=key,
            unit_hsa_id=unit.hsa_id, unit_name=unit.name, current_unit_hsa_id=found.listed_hsa_id,
            requested_by=principal.citizen_id, requested_at=now,
        )  # fmt: skip
        try:
            ports.listing_requests.create(record, event(Kind.LISTING_REQUESTED, _stream_key(request_id), now,
                                                        request_id=request_id))  # fmt: skip
        except Taken:
            raise Conflict("request_open", "Du har redan en begäran om listning som inte är besvarad.") from None
        logger.info("listing requested", extra={"request_id": request_id})
        record_metric("ListingRequested")
        return {"request_id": request_id}

    payload = {"unit": unit_hsa_id, "subject": principal.subject_id}
    return str(run_idempotent(operation="listing.request", caller=principal.citizen_id,
                              idempotency_key=fields.get("submission_id"), payload=payload, command=request_once,
                              lambda_context=lambda_context)["request_id"])  # fmt: skip


# -- the region's listing system ---------------------------------------------------------------------


def _cursor_key(ports: Ports) -> bytes:
    return hashlib.sha256(b"cursor:" + ports.settings.pnr_hmac_key).digest()


def requests_for_listing_system(ports: Ports, principal: IntegrationPrincipal, status: str | None,
                                cursor: str | None) -> dict[str, Any]:  # fmt: skip
    """GET /integration/v1/listing-requests?status=open: a page, oldest first, with each person's
    personnummer (the listing system keys on it; it travels in the body, never a URL)."""
    principal.require_region_wide(SCOPE)
    if status not in (OPEN, ACCEPTED, REFUSED):
        raise BadInput("status_invalid", "status är open, accepted eller refused.", field="status")
    scope = f"listing-requests:{principal.key_id}:{status}"
    start = decode_cursor(_cursor_key(ports), scope, cursor)
    page, following = ports.listing_requests.in_status(status, PAGE_MAX, start)
    people = {p.citizen_id: p for p in ports.register.get_many(sorted({r.citizen_id for r in page}))} if page else {}
    return {
        "requests": [{"request_id": r.request_id, "status": r.status, "unit_hsa_id": r.unit_hsa_id,
                      "current_unit_hsa_id": r.current_unit_hsa_id, "requested_at": r.requested_at.isoformat(),
                      "personnummer": people[r.citizen_id].personnummer.digits if r.citizen_id in people else None}
                     for r in page],
        "next_cursor": encode_cursor(_cursor_key(ports), scope, following) if following else None,
    }  # fmt: skip


def decide(ports: Ports, principal: IntegrationPrincipal, request_id: str, body: Any, idempotency_key: str | None,
           now: datetime, lambda_context: Any = None) -> dict[str, Any]:  # fmt: skip
    """POST /integration/v1/listing-requests/{id}/decision: accepted or refused, with a message to the person."""
    principal.require_region_wide(SCOPE)
    body = json_object(body, {"decision", "message"})
    decision = body.get("decision")
    if decision not in (ACCEPTED, REFUSED):
        raise BadInput("decision_invalid", "decision är accepted eller refused.", field="decision")
    message = optional_text(body, "message", 2000)

    def decide_once() -> dict[str, Any]:
        record = ports.listing_requests.by_request(identifier(request_id, "request_id") or "")
        if record is None:
            raise NotFound("request_not_found", "Begäran finns inte.")
        if record.status == decision:
            return {"request_id": record.request_id, "status": record.status}
        decided = event(Kind.LISTING_DECIDED, _stream_key(record.request_id), now, request_id=record.request_id)
        actions = [ListingRequestRecord.status.set(decision), ListingRequestRecord.decided_at.set(now)]
        if message:
            actions.append(ListingRequestRecord.message.set(message))
        if not ports.listing_requests.decide(record, actions, decided):
            raise Conflict("request_decided", "Begäran är redan besvarad.")
        record_metric("ListingDecided")
        return {"request_id": record.request_id, "status": decision}

    return run_idempotent(operation="listing.decide", caller=principal.key_id, idempotency_key=idempotency_key,
                          payload={"request_id": request_id, **body}, command=decide_once,
                          lambda_context=lambda_context)  # fmt: skip


def _stream_key(request_id: str) -> str:
    return f"listing_request#{request_id}"


# -- follow-ups (listed in services/follow_ups.py) ------------------------------------------------------


def tell_decision(ports: Ports, decided: DomainEvent) -> None:
    """The listing system's answer in the person's inbox, from the unit asked for; once per event."""
    record = ports.listing_requests.by_request(decided["request_id"])
    if record is None or record.status == OPEN:
        return
    now = decided.occurred_at
    lang = persons.reach_of(ports, record.citizen_id, stockholm_date(now)).language
    unit = ports.units.get(record.unit_hsa_id) or UnitRecord(record.unit_hsa_id, name=record.unit_name or "")
    accepted = record.status == ACCEPTED
    if accepted:
        text = translate(lang, "listing.mail.accepted", unit=unit.name)
        subject = translate(lang, "listing.mail.accepted_subject", unit=unit.name)
    else:
        text = translate(lang, "listing.mail.refused", unit=unit.name)
        subject = translate(lang, "listing.mail.refused_subject", unit=unit.name)
    if record.message:
        text += "\n\n" + record.message
    letter = inbox.Letter(topic=translate(lang, "listing.mail.topic"), subject=subject, body=text,
                          actions=(Action(translate(lang, "listing.mail.see"), "/listing"),))
    inbox.deliver(ports, record.citizen_id, unit, letter, "listing", now, message_id=decided.follow_up_id("answer"))
