"""The staff tool's case queue (ärendelistan): its views, where a case belongs, and the opaque
cursor of a page. Pure: no I/O.

A case carries sparse attributes that put it in the views (adapters/tables.py CaseRecord, the
indexes queue-state, queue-handler and closed-recent), so each view is one Query:

| view (Swedish)            | index          | partition                     | order                 |
| ------------------------- | -------------- | ----------------------------- | --------------------- |
| Nya                       | queue-state    | "<unit>#new"                  | due, then arrival     |
| Mina                      | queue-handler  | "<unit>#<my HSA-id>"          | due, then arrival     |
| Otilldelade               | queue-handler  | "<unit>#-"                    | due, then arrival     |
| Väntar på invånaren       | queue-state    | "<unit>#waiting"              | due, then arrival     |
| Invånaren har svarat      | queue-state    | "<unit>#replied"              | due, then arrival     |
| Avslutade (30 dagar)      | closed-recent  | "<unit>"                      | closed, newest first  |

Nya are cases nobody has taken yet; Otilldelade every open case without a handler (new ones and
those a handler released). A closed case has no due time that matters any more, so the closed view
is ordered by when it was closed and bounded by the 30 days in the key condition.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from chalicelib.domain.cases import Status

NO_HANDLER = "-"
CLOSED_DAYS = 30
PAGE_SIZE = 25


class View(str, Enum):
    NEW = "new"  # Nya
    MINE = "mine"  # Mina
    UNASSIGNED = "unassigned"  # Otilldelade
    WAITING = "waiting"  # Väntar på invånaren
    REPLIED = "replied"  # Invånaren har svarat
    CLOSED = "closed"  # Avslutade (30 dagar)


class State(str, Enum):
    """Where an open case is in its conversation (one of them at a time)."""

    NEW = "new"
    WORKING = "working"  # taken or answered in part, the unit's turn
    WAITING = "waiting"  # a counter-question waits for the citizen
    REPLIED = "replied"  # the citizen answered the counter-question; staff have not answered since


def state_of(status: str, citizen_replied: bool) -> State | None:
    """None for a closed case."""
    if status == Status.CLOSED.value:
        return None
    if status == Status.NEW.value:
        return State.NEW
    if status == Status.WAITING_FOR_CITIZEN.value:
        return State.WAITING
    return State.REPLIED if citizen_replied else State.WORKING


def staff_status_key(status: str, citizen_replied: bool) -> str:
    """The text key of a case's status in staff wording (the citizen's wording is case.status.*)."""
    state = state_of(status, citizen_replied)
    return f"staff.status.{state.value if state else 'closed'}"


def queue_key(due_at: datetime, created_at: datetime, case_id: str) -> str:
    """Sorts by due time, ties by arrival (both ISO UTC of one offset, so strings sort as times)."""
    return f"{due_at.isoformat()}#{created_at.isoformat()}#{case_id}"


def closed_key(closed_at: datetime, case_id: str) -> str:
    return f"{closed_at.isoformat()}#{case_id}"


@dataclass(frozen=True, slots=True)
class Placement:
    """The sparse index attributes of one case; None means the attribute is removed."""

    state_queue: str | None
    handler_queue: str | None
    queue_key: str | None
    closed_unit: str | None
    closed_key: str | None

    def as_dict(self) -> dict[str, str | None]:
        return {"state_queue": self.state_queue, "handler_queue": self.handler_queue, "queue_key": self.queue_key,
                "closed_unit": self.closed_unit, "closed_key": self.closed_key}  # fmt: skip


def placement(*, unit_hsa_id: str, case_id: str, status: str, handler_hsa_id: str | None, citizen_replied: bool,
              due_at: datetime, created_at: datetime, closed_at: datetime | None) -> Placement:  # fmt: skip
    state = state_of(status, citizen_replied)
    if state is None:
        return Placement(None, None, None, unit_hsa_id, closed_key(closed_at or created_at, case_id))
    return Placement(
        state_queue=f"{unit_hsa_id}#{state.value}",
        handler_queue=f"{unit_hsa_id}#{handler_hsa_id or NO_HANDLER}",
        queue_key=queue_key(due_at, created_at, case_id),
        closed_unit=None,
        closed_key=None,
    )


def partition(view: View, unit_hsa_id: str, staff_hsa_id: str) -> tuple[str, str]:
    """(index attribute, partition value) that one Query reads for the view."""
    if view is View.MINE:
        return "handler_queue", f"{unit_hsa_id}#{staff_hsa_id}"
    if view is View.UNASSIGNED:
        return "handler_queue", f"{unit_hsa_id}#{NO_HANDLER}"
    if view is View.CLOSED:
        return "closed_unit", unit_hsa_id
    state = {View.NEW: State.NEW, View.WAITING: State.WAITING, View.REPLIED: State.REPLIED}[view]
    return "state_queue", f"{unit_hsa_id}#{state.value}"


class BadCursor(ValueError):
    pass


def encode_cursor(view: View, sort_key: str, case_id: str) -> str:
    """Opaque to the client: where the next page starts, within the view it came from."""
    raw = json.dumps({"v": view.value, "k": sort_key, "id": case_id}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(view: View, cursor: str) -> tuple[str, str]:
    """(sort key, case id) of the last case shown; BadCursor if it is not one of ours for this view."""
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if data["v"] != view.value or not isinstance(data["k"], str) or not isinstance(data["id"], str):
            raise BadCursor(cursor)
        return data["k"], data["id"]
    except (ValueError, KeyError, TypeError) as error:
        raise BadCursor(cursor) from error
