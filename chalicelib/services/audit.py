"""The region auditor's access-log extract (loggutdrag): who read a patient's data, at which unit,
what and when, for at least the last twelve months, as a page and as CSV. The patient is named by
personnummer in a POST body only; the extract is itself written to the patient's access log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from chalicelib.adapters.access_log import AccessEntry, BadCursor
from chalicelib.domain.clock import STOCKHOLM, stockholm_date
from chalicelib.domain.patient import twelve_digit_display
from chalicelib.domain.roles import StaffRole
from chalicelib.errors import BadInput, Forbidden
from chalicelib.observability import logger
from chalicelib.services.input import personnummer
from chalicelib.services.ports import Ports
from chalicelib.services.principals import StaffPrincipal
from chalicelib.services.spreadsheet import semicolon_csv

PERIOD = timedelta(days=366 + 31)  # at least twelve months back, with a month to spare
PAGE_SIZE = 100
CSV_MAX_ROWS = 50_000  # a year of reads of one patient is far less; a bound, not a page


@dataclass(frozen=True)
class Extract:
    personnummer: str  # as shown: ÅÅÅÅMMDD-NNNN (twelve digits, as the patient header and the form)
    name: str | None  # None when unknown, or withheld by protected identity
    protected: bool
    known: bool  # False: nobody with that number has been seen by the e-services
    since: datetime
    entries: list[AccessEntry]
    cursor: str | None  # the next page, posted back in the form


def may_audit(ports: Ports, principal: StaffPrincipal) -> bool:
    return principal.has_role(ports.settings.region_hsa_id, StaffRole.REGION_AUDITOR)


def require_auditor(ports: Ports, principal: StaffPrincipal) -> None:
    if not may_audit(ports, principal):
        raise Forbidden("role_required", "Bara regionens logggranskare kan ta ut loggutdrag.")


def extract(ports: Ports, principal: StaffPrincipal, fields: dict[str, str], now: datetime, *,
            as_csv: bool = False) -> Extract:  # fmt: skip
    """One page of the extract (or, for CSV, every row of the period). The pull is logged first."""
    require_auditor(ports, principal)
    today = stockholm_date(now)
    pnr = personnummer((fields.get("personnummer") or "").strip(), "personnummer", today)
    citizen_id = ports.identities.find(pnr)
    since = now - PERIOD
    shown = twelve_digit_display(pnr)  # as the rest of the staff tool shows it, and the form asks for it
    if citizen_id is None:
        return Extract(shown, None, False, False, since, [], None)
    person = ports.register.get(citizen_id)
    ports.access_log.record(citizen_id, AccessEntry(
        staff_hsa_id=principal.hsa_id, staff_name=principal.display_name, unit_hsa_id=ports.settings.region_hsa_id,
        unit_name=ports.settings.region_name, what="access_log_extract", item_id="csv" if as_csv else "page",
        read_at=now))  # fmt: skip
    logger.info("access log extract", extra={"citizen_id": citizen_id, "auditor": principal.hsa_id, "csv": as_csv})
    try:
        if as_csv:
            entries, cursor = _all(ports, citizen_id, since), None
        else:
            entries, cursor = ports.access_log.page(citizen_id, since, fields.get("cursor") or None, PAGE_SIZE)
    except BadCursor:
        raise BadInput("cursor_invalid", "Sidan kunde inte visas. Sök igen.") from None
    protected = bool(person and person.protected_identity)
    name = person.full_name if person and not protected else None
    return Extract(shown, name, protected, True, since, entries, cursor)


def _all(ports: Ports, citizen_id: str, since: datetime) -> list[AccessEntry]:
    rows: list[AccessEntry] = []
    cursor = None
    while len(rows) < CSV_MAX_ROWS:
        entries, cursor = ports.access_log.page(citizen_id, since, cursor, 1000)
        rows += entries
        if cursor is None:
            break
    return rows


def to_csv(extract: Extract, what_label) -> str:  # noqa: ANN001 (what_label(what) -> the reader's words)
    """Semicolon-separated with a BOM, as Swedish spreadsheets open it; times in Stockholm."""
    return semicolon_csv(["Tid", "Vem", "HSA-id", "Enhet", "Enhetens HSA-id", "Vad", "Id"],
                         ([e.read_at.astimezone(STOCKHOLM).strftime("%Y-%m-%d %H:%M:%S"), e.staff_name, e.staff_hsa_id,
                           e.unit_name, e.unit_hsa_id, what_label(e.what), e.item_id] for e in extract.entries))  # fmt: skip
