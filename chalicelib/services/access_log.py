"""The citizen's view of the access log: which staff, at which unit, opened what, and when."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from chalicelib.adapters.access_log import AccessEntry
from chalicelib.services import paging
from chalicelib.services.ports import Ports
from chalicelib.services.principals import CitizenPrincipal, StaffPrincipal

SHOWN = 50  # a page


def entries(ports: Ports, principal: CitizenPrincipal, cursor: str | None = None) -> paging.Page[AccessEntry]:
    """A page of the log, newest first: one Query; a guardian acting for a child under 13 sees the child's."""
    scope = f"access-log:{principal.subject_id}"
    found, following = ports.access_log.newest(principal.subject_id, SHOWN, paging.start(ports, scope, cursor))
    return paging.Page(found, paging.following(ports, scope, following))


def record_export(ports: Ports, principal: StaffPrincipal, unit_hsa_id: str, what: str,
                  items: Iterable[tuple[str, str]], now: datetime) -> int:  # fmt: skip
    """A staff export or download (a print batch, a list as a file): one access-log entry per person
    and item in it, (citizen_id, item_id), so each person sees who took their data out, and when."""
    unit = ports.units.get(unit_hsa_id)
    rows = [(citizen_id, AccessEntry(
        staff_hsa_id=principal.hsa_id, staff_name=principal.display_name, unit_hsa_id=unit_hsa_id,
        unit_name=unit.name if unit else unit_hsa_id, what=what, item_id=item_id, read_at=now))
        for citizen_id, item_id in sorted(set(items))]  # fmt: skip
    ports.access_log.record_many(rows)  # BatchWriteItem, 25 rows a request
    return len(rows)
