"""Usage statistics (issue 22): DynamoDB requests per 1,000 counted events, and per statistics page.
`python -m bench.usage_counts`, also run by `make bench`.

The events are handed to the counting follow-up (services/usage.count) as the stream hands them, in
batches of the event consumer's batch size, each batch's kind together (a TAKE_MANY follow-up):
  - 1,000 messages delivered across the demo region's five units (the evening's `message.delivered`);
  - 1,000 cases sent across the units and five case types (four counters an event);
  - the same 1,000 messages delivered again (a redelivered batch: every marker is there already).
A released summons costs one BatchGetItem per hundred on top (its channel and unit, read from the
summons after it was sent); not run here, where no summons was sent.
Then the statistics page, GET /staff/statistics as a unit's local admin (Johan) and as the regional
admin (Rut) for the region, over the default twelve months, and its CSV.
"""

from __future__ import annotations

import sys
from datetime import timedelta

BATCH = 100  # infra/stack.py FOLLOW_UPS_BATCH_SIZE
EVENTS = 1000


def _events(kind_name: str, count: int, now):  # noqa: ANN001, ANN202
    from chalicelib.domain.events import Kind, event
    from demo.region_demo import UNITS

    units = [u.hsa_id for u in UNITS]
    kind = Kind(kind_name)
    made = []
    for n in range(count):
        at = now - timedelta(minutes=n)
        unit = units[n % len(units)]
        if kind is Kind.CASE_SENT:
            made.append(event(kind, f"case#bench-{n}", at, case_id=f"bench-{n}", door="citizen", unit_hsa_id=unit,
                              case_type_id=f"bench-type-{n % 5}"))  # fmt: skip
        else:
            made.append(event(kind, f"inbox#bench-{n}", at, message_id=f"bench-{n}", citizen_id=f"bench-{n}",
                              unit_hsa_id=unit))  # fmt: skip
    return made


def _count(ports, batch) -> tuple[int, dict]:  # noqa: ANN001
    """Every DynamoDB request the counting makes, those DynamoDB refuses (a cancelled transaction) too."""
    import collections

    import botocore.client

    from chalicelib.services import usage

    calls: collections.Counter = collections.Counter()
    original = botocore.client.BaseClient._make_api_call

    def counted(self, operation_name, api_params):  # noqa: ANN001, ANN202
        if self.meta.service_model.service_name == "dynamodb":
            calls[operation_name] += 1
        return original(self, operation_name, api_params)

    botocore.client.BaseClient._make_api_call = counted
    try:
        for n in range(0, len(batch), BATCH):
            usage.count(ports, batch[n:n + BATCH])
    finally:
        botocore.client.BaseClient._make_api_call = original
    return sum(calls.values()), dict(calls)


def main() -> None:
    from bench.page_costs import Visitors, counting
    from bench.region import demo_region
    from chalicelib.bootstrap import ports
    from chalicelib.domain.clock import utc_now
    from tests.integration.harness import Browser

    with demo_region() as (client, key):
        now = utc_now()
        messages = _events("message.delivered", EVENTS, now)
        print(f"Usage statistics: DynamoDB requests per {EVENTS} counted events, in stream batches of {BATCH}:")
        for what, batch in (("messages delivered, 5 units", messages),
                            ("cases sent, 5 units x 5 case types", _events("case.sent", EVENTS, now)),
                            ("the same messages delivered again", messages)):  # fmt: skip
            requests, calls = _count(ports(), batch)
            print(f"  {what:<38} {requests:4d} requests  ({', '.join(f'{k} {v}' for k, v in sorted(calls.items()))})")
        visitors = Visitors(client, key)
        for sub in ("johan", "rut"):
            browser = Browser(client)
            browser.login(sub, "staff")
            visitors.browsers[sub] = browser
        print("The statistics page (default: the last twelve months), DynamoDB requests per GET:")
        for what, who, path in (("a unit's, as its local admin", "johan", "/staff/statistics?unit=SE2321000099-VC01"),
                                ("the region's, as its admin", "rut", "/staff/statistics?unit=region"),
                                ("the region's CSV", "rut", "/staff/statistics.csv?unit=region")):  # fmt: skip
            first = visitors.get(who, path)
            assert first.status_code == 200, (what, first.status_code, first.body[:300])
            with counting() as cost:
                visitors.get(who, path)
            print(f"  {what:<38} {cost}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
