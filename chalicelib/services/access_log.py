"""The citizen's view of the access log: which staff, at which unit, opened what, and when."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from chalicelib.adapters.access_log import AccessEntry
from chalicelib.services.ports import Ports
from chalicelib.services.principals import CitizenPrincipal, StaffPrincipal

SHOWN = 200


def entries(ports: Ports, principal: CitizenPrincipal) -> list[AccessEntry]:
    """Newest first; a guardian acting for a child under 13 sees the child's."""
    return ports.access_log.of_citizen(principal.subject_id, limit=SHOWN)


def record_export(ports: Ports, principal: StaffPrincipal, unit_hsa_id: str, what: str,
                  items: Iterable[tuple[str, str]], now: datetime) -> int:  # fmt: skip
    """A staff export or download (a print batch, a list as a file): one access-log entry per person
    and item in it, (citizen_id, item_id), so each person sees who took their data out, and when."""
    unit = ports.units.get(unit_hsa_id)
    entries = [(citizen_id, AccessEntry(
        staff_hsa_id=principal.hsa_id, staff_name=principal.display_name, unit_hsa_id=unit_hsa_id,
        unit_name=unit.name if unit else unit_hsa_id, what=what, item_id=item_id, read_at=now))
        for citizen_id, item_id in sorted(set(items))]  # fmt: skip
    ports.access_log.record_many(entries)
    return len(entries)
