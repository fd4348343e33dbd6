"""The staff tool's case queue with 200 open cases: DynamoDB requests per page, per view, and while
paging through all 200 (`python -m bench.staff_queue`, also run by `make bench`). A page should cost
the session (GetItem), the staff member's roles (Query) and the view's one Query — nothing per case."""

from __future__ import annotations

from datetime import timedelta

OPEN_CASES = 200


def seed_open_cases(ports, now, count: int = OPEN_CASES) -> None:  # noqa: ANN001
    """`count` open cases at the health centre, from Anna, new and unassigned, due over the next days."""
    from chalicelib.adapters.tables import CaseRecord
    from chalicelib.domain.events import Door, Kind
    from chalicelib.domain.personnummer import parse
    from chalicelib.services import cases
    from demo import region_demo

    anna = next(c for c in region_demo.citizens(now.date()) if c.sub == "anna")
    citizen_id = ports.identities.find(parse(anna.personnummer, now.date()))
    for n in range(count):
        arrived = now - timedelta(minutes=n)
        due = now + timedelta(hours=n % 17)
        case_id = f"bench-{n:05d}"
        ports.cases.create(CaseRecord(
            case_id, unit_hsa_id="SE2321000099-VC01", citizen_id=citizen_id, sent_by_id=citizen_id,
            case_type_id="skicka-meddelande", case_type_name="Skicka meddelande", answers=[], status="new",
            created_at=arrived, created_key=f"{arrived.isoformat()}#{case_id}", due_at=due,
            due_key=f"{due.isoformat()}#{case_id}", open_unit="SE2321000099-VC01", patient_name="Anna Andersson",
            patient_protected=False, patient_born="1985-04-12"),
            cases.case_event(Kind.CASE_SENT, case_id, arrived, Door.CITIZEN))  # fmt: skip


def queue_calls(client) -> None:  # noqa: ANN001
    """Prints DynamoDB requests per queue page (Region Demo loaded, `client` a chalice.test.Client)."""
    import re

    from bench.__main__ import _describe, counting_dynamodb_calls
    from chalicelib.bootstrap import ports
    from chalicelib.domain.clock import utc_now
    from tests.integration.harness import Browser

    from chalicelib.services import case_work

    case_work._unit_names.clear()  # as in a fresh container
    seed_open_cases(ports(), utc_now())
    staff = Browser(client)
    staff.login("eva", "staff")
    unit = "SE2321000099-VC01"
    print(f"Case queue, {OPEN_CASES} open cases at one unit (DynamoDB requests per page):")
    with counting_dynamodb_calls() as calls:
        staff.page(f"/staff/cases?unit={unit}")
    print(f"  {'first page in a fresh container':<34} {_describe(calls)}  (unit names, kept 5 minutes)")
    for view in ("new", "unassigned", "mine", "waiting", "replied", "closed"):
        with counting_dynamodb_calls() as calls:
            staff.page(f"/staff/cases?unit={unit}&view={view}")
        print(f"  {'queue page, view ' + view:<34} {_describe(calls)}")
    pages, shown, cursor, most = 0, 0, None, 0
    while True:
        path = f"/staff/cases?unit={unit}&view=new" + (f"&cursor={cursor}" if cursor else "")
        with counting_dynamodb_calls() as calls:
            page = staff.page(path)
        pages += 1
        most = max(most, sum(calls.values()))
        shown += page.count('href="/staff/cases/bench-')
        found = re.search(r'cursor=([^"&]+)" rel="next"', page)
        if not found:
            break
        cursor = found[1]
    print(f"  {'paging Nya to the end':<34} {pages} pages, {shown} cases, at most {most} requests a page")
    with counting_dynamodb_calls() as calls:
        staff.get(f"/api/v1/staff/queue?unit={unit}&view=new")
    print(f"  {'API GET /api/v1/staff/queue':<34} {_describe(calls)}")


def main() -> None:
    from bench.region import demo_region

    with demo_region() as (client, key):
        queue_calls(client)


if __name__ == "__main__":
    main()
