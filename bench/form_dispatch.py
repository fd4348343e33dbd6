"""Sending one form to many: DynamoDB requests for the dispatch itself (staff paste N personnummer)
and for its follow-ups (each person's inbox letter, the notifications queued from those letters),
per recipient. The goal (issue 19): at most one request per recipient in all.

`python -m bench.form_dispatch [N]` (default 1,000), also run by `make bench`; moto in process. The
people are written straight into the register first (not counted); the stream's follow-ups run in
batches of a hundred, as the follow-ups function's event source mapping gives them in AWS.
"""

from __future__ import annotations

import sys
import uuid
from datetime import date, timedelta
from typing import Any

from bench.page_costs import counting

FORM = {
    "resourceType": "Questionnaire", "status": "active", "title": "Hälsosamtal",
    "item": [{"linkId": "mar", "type": "choice", "text": "Hur mår du?", "required": True,
              "answerOption": [{"valueCoding": {"code": "bra", "display": "Bra"}},
                               {"valueCoding": {"code": "daligt", "display": "Dåligt"}}]}],
}  # fmt: skip
VC = "SE2321000099-VC01"


def _people(ports: Any, n: int, today: date) -> list[str]:
    """n adults in the register (born one a day from 1950), their personnummer."""
    from chalicelib.domain.people import Address, PersonUpdate
    from chalicelib.domain.personnummer import parse, with_check_digit

    numbers = []
    for i in range(n):
        born = date(1950, 1, 1) + timedelta(days=i % 18000)
        pnr = with_check_digit(born, f"{(i // 18000) * 100 + 2:02d}{i % 10}"[-3:])
        numbers.append(pnr)
        ports.register.upsert(PersonUpdate(
            personnummer=parse(pnr, today), given_name=f"Person{i}", family_name="Bench", protected_identity=False,
            address=Address("Bänkgatan 1", "123 45", "Norrby"), guardians=()))  # fmt: skip
    return numbers


def measure(ports: Any, consumer: Any, n: int, now: Any) -> tuple[Any, Any, int]:
    """(the dispatch's cost, its follow-ups' cost, how many were sent) for one form to n new people."""
    import json

    from chalicelib.domain import clock
    from chalicelib.domain.roles import RoleAtUnit, StaffRole
    from chalicelib.services import forms
    from chalicelib.services.principals import StaffPrincipal

    today = clock.stockholm_date(now)
    numbers = _people(ports, n, today)
    resource, form = forms.read_questionnaire(json.dumps(FORM))
    forms.publish(ports, resource, form, "bench", now, new_id="bench-form")
    nurse = StaffPrincipal("SE2321000099-P001", "Eva Nilsson", (RoleAtUnit(VC, StaffRole.CASE_HANDLER),
                                                                RoleAtUnit(VC, StaffRole.LOCAL_ADMIN)), "x")
    forms.subscribe(ports, nurse, VC, "bench-form", now)
    consumer.drain()
    fields = {"form_id": "bench-form", "personnummer": "\n".join(numbers), "dispatch_id": str(uuid.uuid4()),
              "due_on": (today + timedelta(days=14)).isoformat()}  # fmt: skip
    with counting() as send:
        done = forms.send(ports, nurse, VC, fields, now)
    with counting() as follow:
        consumer.drain()
    return send, follow, done.sent


def form_dispatch(n: int = 1000) -> dict[str, float]:
    from bench.region import demo_region
    from chalicelib.adapters.tables import EventRecord
    from chalicelib.bootstrap import ports
    from chalicelib.domain import clock
    from local.event_consumer import EventConsumer

    import app

    with demo_region():
        consumer = EventConsumer(app.follow_ups, EventRecord.Meta.table_name)
        send, follow, sent = measure(ports(), consumer, n, clock.utc_now())
    figures = {"recipients": n, "send": send.requests, "follow_ups": follow.requests,
               "per_recipient": (send.requests + follow.requests) / n}  # fmt: skip
    print(f"Sending one form to {n} people (moto in process):")
    print(f"  the dispatch (staff, {n} personnummer): {send}")
    print(f"  its follow-ups (inbox letters, notifications queued): {follow}")
    print(f"  {figures['per_recipient']:.3f} DynamoDB requests per recipient (goal: at most 1); {sent} sent")
    return figures


if __name__ == "__main__":
    form_dispatch(int(sys.argv[1]) if sys.argv[1:] else 1000)
