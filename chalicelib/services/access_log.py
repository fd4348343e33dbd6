"""The citizen's view of the access log: which staff, at which unit, opened what, and when."""

from __future__ import annotations

from chalicelib.adapters.access_log import AccessEntry
from chalicelib.services.ports import Ports
from chalicelib.services.principals import CitizenPrincipal

SHOWN = 200


def entries(ports: Ports, principal: CitizenPrincipal) -> list[AccessEntry]:
    """Newest first; a guardian acting for a child under 13 sees the child's."""
    return ports.access_log.of_citizen(principal.subject_id, limit=SHOWN)
