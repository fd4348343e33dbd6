"""Mina intyg (issue 21, seed 002 "1177 Intygstjänst"): the person's medical certificates, read from
the region's care systems when the page opens and never stored; read one, download it as a PDF,
hide it from one's own list (and show it again), and send it on to a receiving system the region
configured (Försäkringskassan-like).

Who: domain/certificates.may_read (16 or older for oneself; a guardian acting for a child under 13).
The session rechecks acting-for on every request (services/auth.py).

A certificate is asked of every source that holds DocumentReference, as a DocumentReference search
with the certificate category (POST, the personnummer in the body). One is read again by `_id` with
the patient, so an id from another person's record answers "not found".

Sending is one change with its event (`certificate.sent`, once per send id); the follow-up `deliver`
reads the certificate from its source again and POSTs it to the receiver (the DocumentReference
with the patient named by HL7 Sweden's identifier system), keyed by the send id: a second delivery
of the event finds the send delivered and sends nothing. A receiver that fails leaves the send
pending ("skickas") and the follow-up fails, so the event consumer retries it.

Access patterns: the register (GetItem), the person's certificate records (one Query; adapters/
certificates.py), a send (GetItem). No Scan.
"""

from __future__ import annotations

import copy
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from chalicelib.adapters.certificates import Send
from chalicelib.adapters.fhir_sources import PERSONNUMMER_SYSTEM, SAMORDNINGSNUMMER_SYSTEM, Answer, Search
from chalicelib.domain import certificates as rules
from chalicelib.domain.certificates import Certificate
from chalicelib.domain.clock import stockholm_date
from chalicelib.domain.events import DomainEvent, Kind, event
from chalicelib.domain.people import Person
from chalicelib.errors import BadInput, Forbidden, NotFound, Unavailable
from chalicelib.observability import logger, record_metric
from chalicelib.services.ports import Ports
from chalicelib.services.principals import CitizenPrincipal

KIND = "DocumentReference"
COUNT = 100  # per source: a person's certificates (the source's own ceiling)


@dataclass(frozen=True)
class Listed:
    certificate: Certificate
    hidden: bool
    sends: tuple[Send, ...]


@dataclass
class Certificates:
    subject: Person | None
    acting_for_child: bool
    allowed: bool
    show_hidden: bool = False
    failed_sources: list[str] = field(default_factory=list)
    listed: list[Listed] = field(default_factory=list)
    hidden_count: int = 0


@dataclass
class OneCertificate:
    subject: Person
    certificate: Certificate
    resource: dict[str, Any]
    hidden: bool
    sends: list[Send]
    source_name: str


def _on(ports: Ports) -> None:
    if not ports.settings.eservice_on("certificates"):
        raise NotFound("service_off", "Tjänsten finns inte i din region.")


def _patient(person: Person) -> tuple[str, str]:
    pnr = person.personnummer
    return (SAMORDNINGSNUMMER_SYSTEM if pnr.is_coordination_number else PERSONNUMMER_SYSTEM), pnr.digits


def _sources(ports: Ports) -> list[Any]:
    return [s for s in ports.settings.journal_sources if KIND in s.types]


def _ask(ports: Ports, person: Person, sources: list[Any], extra: tuple[tuple[str, str], ...] = ()) -> list[Answer]:
    params = (("category", rules.CATEGORY_TOKEN), ("_count", str(COUNT)), ("_sort", "-date"), *extra)
    searches = [Search(source, KIND, params) for source in sources]
    return ports.journal_sources.search_all(searches, *_patient(person)) if searches else []


def _subject(ports: Ports, principal: CitizenPrincipal, now: datetime) -> tuple[Person | None, bool, bool]:
    subject = ports.register.get(principal.subject_id)
    acting = principal.acting_for_id is not None
    allowed = subject is not None and rules.may_read(subject, acting, stockholm_date(now))
    return subject, acting, allowed


def overview(ports: Ports, principal: CitizenPrincipal, now: datetime, *, show_hidden: bool = False) -> Certificates:
    """The list, newest first: title, date, issuing unit; hidden ones only with `show_hidden`."""
    _on(ports)
    subject, acting, allowed = _subject(ports, principal, now)
    found = Certificates(subject, acting, allowed, show_hidden)
    if subject is None or not allowed:
        return found
    answers = _ask(ports, subject, _sources(ports))
    found.failed_sources = list(dict.fromkeys(a.source.name for a in answers if not a.ok))
    if found.failed_sources:
        record_metric("CertificatesSourceFailed")
    marks = ports.certificates.marks_of(subject.citizen_id)
    certificates = rules.newest_first([c for a in answers for r in a.resources
                                       if (c := rules.certificate_of(a.source.id, r))])  # fmt: skip
    found.hidden_count = sum(1 for c in certificates if c.key in marks.hidden)
    found.listed = [Listed(c, c.key in marks.hidden, tuple(marks.sends_of(c.key))) for c in certificates
                    if show_hidden or c.key not in marks.hidden]  # fmt: skip
    return found


def refuse_unless_allowed(subject: Person | None, allowed: bool) -> Person:
    if subject is None or not allowed:
        raise Forbidden("certificates_not_allowed", "Tjänsten visar intyg för dig som är 16 år eller äldre, "
                                                    "och för barn under 13 år som du är vårdnadshavare för.")  # fmt: skip
    return subject


def _read(ports: Ports, subject: Person, source_id: str, resource_id: str) -> tuple[Certificate, dict[str, Any], str]:
    source = next((s for s in _sources(ports) if s.id == source_id), None)
    if source is None or not rules.FHIR_ID.fullmatch(resource_id or ""):
        raise NotFound("certificate_not_found", "Intyget finns inte.")
    (answer,) = _ask(ports, subject, [source], (("_id", resource_id),))
    if not answer.ok:
        raise Unavailable("source_unavailable", "{source} svarar inte just nu. Försök igen om en stund.",
                          values={"source": source.name})  # fmt: skip
    for resource in answer.resources:
        certificate = rules.certificate_of(source.id, resource)
        if certificate is not None and certificate.resource_id == resource_id:
            return certificate, resource, source.name
    raise NotFound("certificate_not_found", "Intyget finns inte.")


def one(ports: Ports, principal: CitizenPrincipal, source_id: str, resource_id: str, now: datetime) -> OneCertificate:
    """One certificate, read from its source now, with whether it is hidden and where it was sent."""
    _on(ports)
    subject = refuse_unless_allowed(*_subject(ports, principal, now)[::2])
    certificate, resource, source_name = _read(ports, subject, source_id, resource_id)
    marks = ports.certificates.marks_of(subject.citizen_id)
    return OneCertificate(subject, certificate, resource, certificate.key in marks.hidden,
                          marks.sends_of(certificate.key), source_name)  # fmt: skip


def pdf(ports: Ports, principal: CitizenPrincipal, source_id: str, resource_id: str, now: datetime,
        lang: str) -> tuple[str, bytes]:  # fmt: skip
    """(file name, PDF): the certificate naming the person and the issuing unit."""
    from chalicelib.web.letters import certificate_pdf  # fpdf2 only when a PDF is made

    found = one(ports, principal, source_id, resource_id, now)
    c = found.certificate
    day = stockholm_date(c.issued)
    data = certificate_pdf(lang, title=c.title, person=found.subject.full_name,
                           personnummer=found.subject.personnummer.display(stockholm_date(now)),
                           unit=c.unit_name or c.unit_hsa_id or found.source_name, author=c.author, day=day,
                           lines=list(c.lines))  # fmt: skip
    record_metric("CertificatePdf")
    return f"intyg-{day.isoformat()}.pdf", data


def _stream(citizen_id: str) -> str:
    return f"certificates#{citizen_id}"


def hide(ports: Ports, principal: CitizenPrincipal, source_id: str, resource_id: str, now: datetime) -> None:
    """Hide a certificate from one's own list (it stays in the care system). Hiding it again changes nothing."""
    found = one(ports, principal, source_id, resource_id, now)
    happened = event(Kind.CERTIFICATE_HIDDEN, _stream(found.subject.citizen_id), now, certificate=found.certificate.key)
    ports.certificates.hide(found.subject.citizen_id, found.certificate.key, principal.citizen_id, happened)


def show(ports: Ports, principal: CitizenPrincipal, source_id: str, resource_id: str, now: datetime) -> None:
    """Show a hidden certificate in the list again. Showing one not hidden changes nothing."""
    _on(ports)
    subject = refuse_unless_allowed(*_subject(ports, principal, now)[::2])
    if not rules.FHIR_ID.fullmatch(resource_id or "") or source_id not in {s.id for s in _sources(ports)}:
        raise NotFound("certificate_not_found", "Intyget finns inte.")
    key = rules.key_of(source_id, resource_id)
    happened = event(Kind.CERTIFICATE_SHOWN, _stream(subject.citizen_id), now, certificate=key)
    ports.certificates.show(subject.citizen_id, key, happened)


def new_send_id() -> str:
    return str(uuid.uuid4())


def send(ports: Ports, principal: CitizenPrincipal, source_id: str, resource_id: str, receiver_id: str,
         send_id: str, now: datetime) -> Send:  # fmt: skip
    """Send the certificate on to the receiver: one change with its event, once per `send_id` (the
    form's): the follow-up delivers it. The same send id again returns the first send."""
    found = one(ports, principal, source_id, resource_id, now)  # whose, and may they: before anything else
    receiver = ports.settings.receiver(receiver_id or "")
    if receiver is None:
        raise BadInput("receiver_unknown", "Välj vart intyget ska skickas.", field="receiver")
    try:
        send_id = str(uuid.UUID(send_id or ""))
    except ValueError:
        raise BadInput("send_id_invalid", "Ladda om sidan och försök igen.", field="send_id") from None
    citizen_id = found.subject.citizen_id
    done = ports.certificates.get_send(citizen_id, send_id)
    if done is not None:
        return done
    sent = Send(send_id, citizen_id, found.certificate.key, receiver.id, receiver.name, found.certificate.title, now,
                principal.citizen_id, None)  # fmt: skip
    happened = event(Kind.CERTIFICATE_SENT, _stream(citizen_id), now, send_id=send_id, subject=citizen_id,
                     certificate=found.certificate.key, receiver=receiver.id)  # fmt: skip
    if not ports.certificates.send(sent, happened):
        return ports.certificates.get_send(citizen_id, send_id) or sent
    # The audit in the access log's manner: who (ids), what, where, when; never the person's number.
    logger.info("certificate sent", extra={"send_id": send_id, "receiver": receiver.id})
    record_metric("CertificateSent")
    return sent


def document_for_receiver(resource: dict[str, Any], person: Person) -> dict[str, Any]:
    """The DocumentReference as the source gave it, its subject the patient's identifier (HL7 Sweden)."""
    system, value = _patient(person)
    document = copy.deepcopy(resource)
    document["subject"] = {"type": "Patient", "identifier": {"system": system, "value": value}}
    return document


def deliver(ports: Ports, happened: DomainEvent) -> None:
    """Follow-up of certificate.sent: POST it to the receiver once per send id (keyed by it), then
    note it delivered. A receiver or source that fails raises: the event is delivered again."""
    from chalicelib.adapters.certificate_receivers import DeliveryFailed

    citizen_id, send_id = happened["subject"], happened["send_id"]
    sent = ports.certificates.get_send(citizen_id, send_id)
    if sent is None or not sent.pending:
        return  # delivered before: a second delivery of the event sends nothing
    receiver = ports.settings.receiver(sent.receiver_id)
    person = ports.register.get(citizen_id)
    if receiver is None or person is None:
        logger.warning("certificate send cannot be delivered", extra={"send_id": send_id, "receiver": sent.receiver_id})
        return  # the receiver left the region's settings, or the person the register: nothing to send to or by
    source_id, _, resource_id = sent.certificate_key.partition("/")
    try:
        _, resource, _ = _read(ports, person, source_id, resource_id)
    except NotFound:
        logger.warning("certificate no longer at its source", extra={"send_id": send_id})
        return
    except Unavailable as failure:
        raise DeliveryFailed("source") from failure
    ports.certificate_receivers.deliver(receiver, document_for_receiver(resource, person), send_id)
    ports.certificates.delivered(citizen_id, send_id, event(Kind.CERTIFICATE_DELIVERED, _stream(citizen_id),
                                                              _now(), send_id=send_id, receiver=receiver.id))  # fmt: skip


def _now() -> datetime:
    from chalicelib.domain import clock

    return clock.utc_now()
