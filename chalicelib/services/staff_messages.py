"""Staff write to a citizen's inbox on behalf of their unit, with their signature, and follow
whether it was read. Opening a sent message reads a citizen's data: it goes to the access log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chalicelib.adapters.tables import UnitRecord
from chalicelib.domain.clock import stockholm_date
from chalicelib.domain.inbox import InboxMessage
from chalicelib.domain.roles import StaffRole
from chalicelib.domain.staff import SIGNATURE_MAX, StaffProfile
from chalicelib.errors import BadInput, Forbidden, NotFound
from chalicelib.observability import logger
from chalicelib.services import inbox, paging, patients, persons
from chalicelib.services.input import personnummer
from chalicelib.services.integration import run_idempotent
from chalicelib.services.ports import Ports
from chalicelib.services.principals import StaffPrincipal

WRITERS = (StaffRole.CASE_RECEIVER, StaffRole.CASE_HANDLER)
READERS = (*WRITERS, StaffRole.REVIEWER)
SENT_LIST_LIMIT = 50


@dataclass(frozen=True)
class SentMessage:
    message: InboxMessage
    recipient_name: str | None  # None for a protected identity
    recipient_protected: bool
    header: Any = None  # domain.patient.PatientHeader: the staff screen's patient header


def profile(ports: Ports, principal: StaffPrincipal) -> StaffProfile:
    """The profile saved at login; a session older than the profile table still gets a name."""
    return ports.staff_profiles.get(principal.hsa_id) or StaffProfile(principal.hsa_id, principal.display_name, None, None)


def signed(ports: Ports, principal: StaffPrincipal, text: str, now: datetime) -> str:
    """What staff write to a citizen, with their signature last (dated in Stockholm)."""
    return f"{text}\n\n{profile(ports, principal).signature(stockholm_date(now))}"


def writable_units(ports: Ports, principal: StaffPrincipal) -> list[UnitRecord]:
    return ports.units.get_many([u for u in principal.units() if principal.has_role(u, *WRITERS)])


def readable_units(ports: Ports, principal: StaffPrincipal) -> list[UnitRecord]:
    return ports.units.get_many([u for u in principal.units() if principal.has_role(u, *READERS)])


def send(ports: Ports, principal: StaffPrincipal, fields: dict[str, str], now: datetime,
         lambda_context: Any = None) -> tuple[str, bool]:  # fmt: skip
    """Validate the form, then deliver once per submission (a double click sends one message).
    Returns the message id and whether anyone reads it now (if not, the unit sends a letter too)."""
    unit_hsa_id = fields.get("unit", "")
    if not principal.has_role(unit_hsa_id, *WRITERS):
        raise Forbidden("unit_not_allowed", "Du kan inte skriva för den enheten.", field="unit")
    unit = ports.units.get(unit_hsa_id)
    if unit is None:
        raise BadInput("unknown_unit", "Enheten finns inte i regionen.", field="unit")
    pnr = personnummer(fields.get("personnummer", "").strip(), "personnummer", stockholm_date(now))
    letter = inbox.read_letter(fields)
    submission_id = fields.get("submission_id", "")
    body = signed(ports, principal, letter.body, now)

    def send_once() -> dict[str, Any]:
        reached = persons.recipient(ports, pnr, stockholm_date(now))
        message = inbox.deliver(ports, reached.citizen_id, unit, inbox.Letter(letter.topic, letter.subject, body),
                                principal.hsa_id, now, staff_name=principal.display_name)  # fmt: skip
        logger.info("staff message sent", extra={"message_id": message.message_id, "staff_hsa_id": principal.hsa_id})
        return {"message_id": message.message_id, "reaches_digitally": reached.reaches_digitally}

    result = run_idempotent(
        operation="staff.send_message",
        caller=principal.hsa_id,
        idempotency_key=submission_id,
        payload={k: fields.get(k) for k in ("unit", "topic", "subject", "body")},
        command=send_once,
        lambda_context=lambda_context,
    )
    # A result stored before this field existed counts as reached (it was: no account, no message).
    return str(result["message_id"]), bool(result.get("reaches_digitally", True))


def sent_by_unit(ports: Ports, principal: StaffPrincipal, unit_hsa_id: str,
                 cursor: str | None = None) -> paging.Page[InboxMessage]:  # fmt: skip
    """A page of the unit's messages, newest first, with their read status: subjects and times, no
    recipient. One Query."""
    if not principal.has_role(unit_hsa_id, *READERS):
        raise Forbidden("unit_not_allowed", "Du har ingen behörighet till den enhetens meddelanden.")
    scope = f"sent:{unit_hsa_id}"
    found, following = ports.inbox.sent_by_unit(unit_hsa_id, SENT_LIST_LIMIT, paging.start(ports, scope, cursor))
    return paging.Page(found, paging.following(ports, scope, following))


def open_sent(ports: Ports, principal: StaffPrincipal, message_id: str, now: datetime) -> SentMessage:
    """One sent message with its recipient; the read goes to the citizen's access log first."""
    found = ports.inbox.find(message_id)
    # Another unit's message gets the same answer as one that does not exist.
    if found is None or not principal.has_role(found[0].sender_unit_hsa_id, *READERS):
        raise NotFound("message_not_found", "Meddelandet finns inte.")
    message = found[0]
    header = patients.view(ports, principal, message.citizen_id, unit=None, unit_name=message.sender_unit_name,
                           unit_hsa_id=message.sender_unit_hsa_id, what="inbox_message", item_id=message.message_id,
                           now=now)  # fmt: skip
    return SentMessage(message, header.name, header.protected_identity, header)


def save_signature(ports: Ports, principal: StaffPrincipal, text: str | None, now: datetime) -> None:
    """An empty text goes back to the automatic signature."""
    cleaned = "\n".join(line.rstrip() for line in (text or "").strip().splitlines())
    if len(cleaned) > SIGNATURE_MAX:
        raise BadInput("field_too_long", "Signaturen får vara högst {limit} tecken.", field="signature",
                       values={"limit": SIGNATURE_MAX})
    ports.staff_profiles.set_signature(principal.hsa_id, principal.display_name, cleaned or None, now)
