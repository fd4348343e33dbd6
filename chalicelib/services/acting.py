"""Acting for a child (ombud): which children a guardian may act for, and switching."""

from __future__ import annotations

from datetime import datetime

from chalicelib.adapters.stores import sha256_hex
from chalicelib.adapters.tables import SessionRecord
from chalicelib.domain.clock import stockholm_date
from chalicelib.domain.guardianship import Child, children_guardian_may_act_for
from chalicelib.errors import Forbidden
from chalicelib.observability import logger
from chalicelib.services.ports import Ports
from chalicelib.services.principals import CitizenPrincipal


def children_to_act_for(ports: Ports, principal: CitizenPrincipal, now: datetime) -> list[Child]:
    guardian = ports.register.get(principal.citizen_id)
    if guardian is None or not guardian.child_ids:
        return []
    children = [
        p.as_child()
        for p in ports.register.get_many(sorted(guardian.child_ids))
        if principal.citizen_id in p.guardian_ids  # both sides of the register must agree
    ]
    return children_guardian_may_act_for(children, principal.citizen_id, stockholm_date(now))


def act_for_child(ports: Ports, principal: CitizenPrincipal, session_token: str, child_id: str, now: datetime) -> Child:
    allowed = {c.citizen_id: c for c in children_to_act_for(ports, principal, now)}
    child = allowed.get(child_id)
    if child is None:
        # The same answer whether the child does not exist, is 13 or has protected identity.
        raise Forbidden("cannot_act_for", "Du kan inte företräda den personen.")
    ports.sessions.set_acting_for(SessionRecord(sha256_hex(session_token)), child.citizen_id)
    logger.info("acting for child", extra={"citizen_id": principal.citizen_id, "child_id": child.citizen_id})
    return child


def act_for_self(ports: Ports, session_token: str) -> None:
    ports.sessions.set_acting_for(SessionRecord(sha256_hex(session_token)), None)
