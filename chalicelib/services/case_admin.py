"""Content admins' case types and standard replies. The regional admin writes, edits and retires the
central case types and assigns them to units; a unit's local admin writes, edits, pauses and retires
its own case types and standard replies. Every edit of a case type is a new version: a case keeps the
version it was sent with, and its page shows that version's questions."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import datetime

from chalicelib.adapters.tables import CaseRecord
from chalicelib.domain.cases import (
    QUESTIONS_MAX,
    TEXT_MAX,
    CaseType,
    CaseTypeStatus,
    QuestionRow,
    parse_questions,
    questions_from_rows,
)
from chalicelib.domain.error_text import ErrorText
from chalicelib.domain.localized import Localized
from chalicelib.domain.roles import StaffRole
from chalicelib.errors import BadInput, Conflict, Forbidden, NotFound, Unprocessable
from chalicelib.observability import logger
from chalicelib.services.cases import CENTRAL_OWNER, InvalidForm, _text, editable_owners
from chalicelib.services.ports import Ports
from chalicelib.services.principals import StaffPrincipal

BLANK_ROWS = 3  # empty question rows offered below the existing ones (no JavaScript to add more)
NAME_MAX = 100
DESCRIPTION_MAX = 500


def _owners(ports: Ports, principal: StaffPrincipal) -> dict[str, str]:
    return dict(editable_owners(ports, principal))


def _require_owner(ports: Ports, principal: StaffPrincipal, owner: str) -> None:
    if owner not in _owners(ports, principal):
        raise Forbidden("role_required", "Du kan inte ändra ärendetyper där.")


def _of(ports: Ports, owner: str) -> list[CaseType]:
    return ports.case_types.central() if owner == CENTRAL_OWNER else ports.case_types.local(owner)


_SWEDISH_LAST = str.maketrans({"å": "{", "ä": "|", "ö": "}"})  # å, ä, ö after z, as a Swedish reader looks


def overview(ports: Ports, principal: StaffPrincipal) -> list[tuple[str, str, list[CaseType]]]:
    """(owner, label, case types by name) for every owner the person edits for: one Query each."""
    return [(owner, label, sorted(_of(ports, owner), key=lambda c: c.name.sv.casefold().translate(_SWEDISH_LAST)))
            for owner, label in editable_owners(ports, principal)]  # fmt: skip


def case_type(ports: Ports, principal: StaffPrincipal, owner: str, case_type_id: str) -> CaseType:
    _require_owner(ports, principal, owner)
    found = ports.case_types.get(owner, case_type_id)
    if found is None:
        raise NotFound("case_type_not_found", "Ärendetypen finns inte.")
    return found


def _rows(fields: dict[str, str]) -> list[QuestionRow]:
    count = fields.get("rows", "0")
    total = min(int(count), QUESTIONS_MAX + BLANK_ROWS) if count.isascii() and count.isdigit() else 0
    return [QuestionRow(question_id=fields.get(f"q{n}-id", ""), label=fields.get(f"q{n}-label", ""),
                        kind=fields.get(f"q{n}-kind", "text"), required=fields.get(f"q{n}-required") == "yes",
                        options=fields.get(f"q{n}-options", ""), help_text=fields.get(f"q{n}-help", ""),
                        order=fields.get(f"q{n}-order", ""), label_en=fields.get(f"q{n}-label_en", ""),
                        help_en=fields.get(f"q{n}-help_en", ""), options_en=fields.get(f"q{n}-options_en", ""))
            for n in range(1, total + 1)]  # fmt: skip


def _questions(fields: dict[str, str]) -> tuple:
    if (fields.get("questions") or "").strip():  # pasted in bulk, one per line
        questions, problem = parse_questions(fields["questions"])
        if problem:
            raise BadInput("questions_invalid", problem, field="questions")
        return questions
    questions, errors = questions_from_rows(_rows(fields), lambda: f"q-{uuid.uuid4().hex[:8]}")
    if errors:
        raise InvalidForm(errors)
    return questions


def save(ports: Ports, principal: StaffPrincipal, fields: dict[str, str], now: datetime) -> CaseType:
    """A new case type (version 1), or a new version of one: the form carries the version it was
    read at, so an edit made meanwhile by someone else is not overwritten."""
    owner = fields.get("owner", "")
    _require_owner(ports, principal, owner)
    errors: dict[str, str] = {}
    name = (fields.get("name") or "").strip()
    if not name or len(name) > NAME_MAX:
        errors["name"] = ErrorText("Ge ärendetypen ett namn (högst {limit} tecken).", {"limit": NAME_MAX})
    # English beside each text, optional; the same lengths as the Swedish.
    name_en = (fields.get("name_en") or "").strip()
    if len(name_en) > NAME_MAX:
        errors["name_en"] = ErrorText("Högst {limit} tecken.", {"limit": NAME_MAX})
    try:
        terms = _text(fields.get("terms"), "terms")
    except BadInput as error:
        errors["terms"] = error.message
        terms = ""
    terms_en = (fields.get("terms_en") or "").strip()
    if len(terms_en) > TEXT_MAX:
        errors["terms_en"] = f"Högst {TEXT_MAX} tecken."
    try:
        questions = _questions(fields)
    except InvalidForm as error:
        errors.update(error.errors)
    description = (fields.get("description") or "").strip()[:DESCRIPTION_MAX]
    description_en = (fields.get("description_en") or "").strip()[:DESCRIPTION_MAX]
    if description_en and not description:
        errors["description_en"] = "Skriv beskrivningen på svenska också."
    if errors:
        raise InvalidForm(errors)
    scope = "central" if owner == CENTRAL_OWNER else "local"
    name, description, terms = Localized(name, name_en), Localized(description, description_en), Localized(terms, terms_en)
    case_type_id = fields.get("case_type_id") or ""
    if not case_type_id:
        new = CaseType(f"{'local-' if scope == 'local' else ''}{uuid.uuid4().hex[:12]}", name, description, terms,
                       questions, scope)  # fmt: skip
        if not ports.case_types.create(owner, new, now, principal.hsa_id):
            raise Conflict("case_type_exists", "Ärendetypen finns redan.")
    else:
        current = case_type(ports, principal, owner, case_type_id)
        if current.status is CaseTypeStatus.RETIRED:
            raise Unprocessable("case_type_retired", "Ärendetypen är avvecklad och kan inte ändras.")
        read = fields.get("version", "")
        if not read.isdigit() or int(read) != current.version:
            raise Conflict("case_type_changed", "Någon annan har ändrat ärendetypen. Ladda om sidan och gör om ändringen.")
        new = replace(current, name=name, description=description, terms=terms, questions=questions,
                      version=current.version + 1)  # fmt: skip
        if not ports.case_types.edit(owner, new, now, principal.hsa_id):
            raise Conflict("case_type_changed", "Någon annan har ändrat ärendetypen. Ladda om sidan och gör om ändringen.")
    logger.info("case type saved", extra={"owner": owner, "case_type_id": new.case_type_id, "version": new.version})
    return new


def set_status(ports: Ports, principal: StaffPrincipal, owner: str, case_type_id: str, status: str | None) -> None:
    """Local case types are paused, resumed or retired by their unit's local admin; a central one is
    retired by the regional admin (a unit pauses a central type under its case settings)."""
    current = case_type(ports, principal, owner, case_type_id)
    try:
        wanted = CaseTypeStatus(status or "")
    except ValueError:
        raise BadInput("status_invalid", "Välj pausa, återuppta eller avveckla.") from None
    if current.scope == "central" and wanted is not CaseTypeStatus.RETIRED:
        raise BadInput("status_invalid", "En central ärendetyp pausas per enhet under Ärendeinställningar.")
    if not ports.case_types.set_status(owner, case_type_id, wanted):
        raise Unprocessable("case_type_retired", "Ärendetypen är avvecklad.")
    logger.info("case type status", extra={"owner": owner, "case_type_id": case_type_id, "status": wanted.value})


def assignments(ports: Ports, principal: StaffPrincipal, case_type_id: str) -> list[tuple[str, str, bool]]:
    """(unit HSA-id, name, offered) for every unit: one Query of the directory."""
    _require_regional(ports, principal)
    return [(u.hsa_id, u.name, case_type_id in (u.active_case_types or ())) for u in ports.units.all()]


def _require_regional(ports: Ports, principal: StaffPrincipal) -> None:
    if not principal.has_role(ports.settings.region_hsa_id, StaffRole.REGIONAL_ADMIN):
        raise Forbidden("role_required", "Bara regionens administratör delar ut centrala ärendetyper.")


def assign(ports: Ports, principal: StaffPrincipal, case_type_id: str, units: list[str]) -> None:
    """The regional admin chooses which units offer a central case type; only the changes are written."""
    _require_regional(ports, principal)
    current = ports.case_types.get(CENTRAL_OWNER, case_type_id)
    if current is None:
        raise NotFound("case_type_not_found", "Ärendetypen finns inte.")
    if current.status is CaseTypeStatus.RETIRED:
        raise Unprocessable("case_type_retired", "Ärendetypen är avvecklad.")
    directory = ports.units.all()
    if not set(units) <= {u.hsa_id for u in directory}:
        raise BadInput("units_invalid", "Okänd enhet.", field="units")
    for unit in directory:
        offered, wanted = case_type_id in (unit.active_case_types or ()), unit.hsa_id in units
        if offered != wanted:
            ports.units.assign_case_type(unit.hsa_id, case_type_id, wanted)
    logger.info("case type assigned", extra={"case_type_id": case_type_id, "units": len(units)})


def version_of_case(ports: Ports, record: CaseRecord) -> CaseType | None:
    """The case type as it was when the case was sent (None for cases from before versions were kept)."""
    if not record.case_type_version:
        return None
    return ports.case_types.version(record.case_type_id, int(record.case_type_version))


# -- standard replies (standardsvar) ------------------------------------------------------------------


def _require_local_admin(principal: StaffPrincipal, unit_hsa_id: str) -> None:
    if not principal.has_role(unit_hsa_id, StaffRole.LOCAL_ADMIN):
        raise Forbidden("role_required", "Bara enhetens lokala administratör kan ändra standardsvaren.")


def replies(ports: Ports, principal: StaffPrincipal, unit_hsa_id: str) -> list:
    """The unit's standard replies in use or paused, for its local admin."""
    _require_local_admin(principal, unit_hsa_id)
    return ports.standard_replies.kept_by_unit(unit_hsa_id)


def edit_reply(ports: Ports, principal: StaffPrincipal, unit_hsa_id: str, fields: dict[str, str]) -> None:
    _require_local_admin(principal, unit_hsa_id)
    title = (fields.get("title") or "").strip()
    if not title or len(title) > 100:
        raise BadInput("field_required", "Ge standardsvaret en rubrik (högst 100 tecken).", field="title")
    if not ports.standard_replies.edit(unit_hsa_id, fields.get("reply_id", ""), title, _text(fields.get("text"), "text")):
        raise NotFound("reply_not_found", "Standardsvaret finns inte, eller är avvecklat.")


def set_reply_status(ports: Ports, principal: StaffPrincipal, unit_hsa_id: str, reply_id: str,
                     status: str | None) -> None:  # fmt: skip
    _require_local_admin(principal, unit_hsa_id)
    if status not in ("active", "paused", "retired"):
        raise BadInput("status_invalid", "Välj pausa, återuppta eller avveckla.")
    if not ports.standard_replies.set_status(unit_hsa_id, reply_id, status):
        raise NotFound("reply_not_found", "Standardsvaret finns inte, eller är avvecklat.")
