"""Pages cost O(page), not O(history): DynamoDB requests and items read by every list page with a
small history (10 messages, bookings, cases, orders, follow-ups and log rows; 10 slots) beside the
same page once the history has grown (400 of each; 1,000 slots over the 42 days ahead).
`python -m bench.page_costs`, also run by `make bench`; tests/integration/test_page_costs.py asserts
that the requests are the same and the items read stay within a page.

The history is written straight into the tables (what the app would have written, with the unread
count and the unit's figure counters as their follow-ups keep them), so the figures measure reading.
Each page is fetched once before it is counted, then counted twice and the cheaper kept: a session
touched once a minute (not counted at all), a five-minute cache of unit names or a thread marked read
on its first opening is a cost of the clock or of the first visit, not of the history.
"""

from __future__ import annotations

import collections
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any

VC, HS = "SE2321000099-VC01", "SE2321000099-HS01"
SMALL, LARGE = 10, 400
SLOTS_SMALL, SLOTS_LARGE = 10, 1000
SLOT_DAYS = 42


@dataclass
class Cost:
    calls: collections.Counter = field(default_factory=collections.Counter)
    items: int = 0  # items DynamoDB read for the answers (a Query's ScannedCount, a GetItem's one, …)

    @property
    def requests(self) -> int:
        return sum(self.calls.values())

    def __str__(self) -> str:
        return f"{self.requests:2d} req {self.items:4d} items ({', '.join(f'{k} {v}' for k, v in sorted(self.calls.items()))})"


def _items_read(operation: str, answer: dict[str, Any]) -> int:
    if operation in ("Query", "Scan"):
        return int(answer.get("ScannedCount", 0))
    if operation == "GetItem":
        return 1 if answer.get("Item") else 0
    if operation == "BatchGetItem":
        return sum(len(found) for found in answer.get("Responses", {}).values())
    return 0


@contextmanager
def counting():
    """DynamoDB requests (by operation) and items read while the block runs."""
    import botocore.client

    cost = Cost()
    original = botocore.client.BaseClient._make_api_call

    def counted(self, operation_name, api_params):  # noqa: ANN001, ANN202
        answer = original(self, operation_name, api_params)
        # A session is touched once a minute, whenever that minute ends (on a slow machine, between a
        # page's first fetch and its counted one): not a cost of the page or of the history.
        touch = operation_name == "UpdateItem" and str(api_params.get("TableName", "")).endswith("sessions")
        if self.meta.service_model.service_name == "dynamodb" and not touch:
            cost.calls[operation_name] += 1
            cost.items += _items_read(operation_name, answer)
        return answer

    botocore.client.BaseClient._make_api_call = counted
    try:
        yield cost
    finally:
        botocore.client.BaseClient._make_api_call = original


# -- the history ---------------------------------------------------------------------------------------


def _citizen_id(ports, sub: str, today) -> str:  # noqa: ANN001
    from chalicelib.domain.personnummer import parse
    from demo import region_demo

    person = next(c for c in region_demo.citizens(today) if c.sub == sub)
    return ports.identities.find_or_create(parse(person.personnummer, today))


def seed(ports, now: datetime, first: int, count: int) -> None:  # noqa: ANN001
    """Items first..first+count-1 of Anna's inbox (from the health centre, in seven threads, unread),
    upcoming bookings (every fourth cancelled), invitations (every fourth open, the others used or
    expired), cases (open, at the health centre, counted in its figures; every third asked a
    counter-question that waits for her), kit orders, access-log rows, and of the STI clinic's
    follow-up list."""
    from chalicelib.adapters.cases import _placement, _waiting
    from chalicelib.adapters.tables import (AccessLogRecord, BookingRecord, CaseRecord, FollowUpRecord,
                                            InboxCountRecord, InboxMessageRecord, InvitationRecord, KitOrderRecord,
                                            UnitFigureRecord)
    from chalicelib.domain import unit_figures
    from chalicelib.domain.clock import stockholm_date
    from chalicelib.domain.inbox import thread_key

    anna = _citizen_id(ports, "anna", stockholm_date(now))
    numbers = range(first, first + count)
    with InboxMessageRecord.batch_write() as batch:
        for n in numbers:
            sent = now - timedelta(hours=LARGE - n)
            topic = f"Ämne {n % 7}"
            batch.save(InboxMessageRecord(
                anna, f"{sent.isoformat()}#bench-m{n:05d}", message_id=f"bench-m{n:05d}", sender_unit_hsa_id=VC,
                sender_unit_name="Vårdcentralen Norrby", sender_client_id="bench", topic=topic,
                subject=f"Meddelande {n}", body="Hej!", sent_at=sent,
                thread_owner=f"{anna}#{thread_key(VC, topic)}", unread_owner=anna))  # fmt: skip
    InboxCountRecord(anna).update(actions=[InboxCountRecord.unread.add(count)])
    with BookingRecord.batch_write() as batch:
        for n in numbers:
            start = now + timedelta(days=2, minutes=30 * n)
            booking_id = f"bench-b{n:05d}"
            cancelled = n % 4 == 3
            batch.save(BookingRecord(
                anna, booking_id, unit_hsa_id=VC, unit_name="Vårdcentralen Norrby", visit_type_id="sjukskoterska",
                visit_type_name="Besök hos sjuksköterska", slot_id=f"{VC}/bench-b{n:05d}", start=start,
                end=start + timedelta(minutes=30), place="Mottagningen",
                status="cancelled" if cancelled else "booked", booked_by="citizen", created_at=now,
                start_key=f"{start.isoformat()}#{booking_id}", upcoming_owner=None if cancelled else anna))  # fmt: skip
    with InvitationRecord.batch_write() as batch:
        for n in numbers:
            invitation_id, kind = f"bench-i{n:05d}", ("open", "used", "expired", "expired")[n % 4]
            expires = now + timedelta(days=10, minutes=n) if kind != "expired" else now - timedelta(hours=n + 1)
            batch.save(InvitationRecord(
                anna, invitation_id, unit_hsa_id=VC, visit_type_id="sjukskoterska", slot_ids={f"{VC}/bench-s0"},
                expires_at=expires, created_by="SE2321000099-P001", created_at=now - timedelta(days=20),
                booking_id=f"bench-b{n:05d}" if kind == "used" else None,
                open_owner=None if kind == "used" else anna,
                expires_key=f"{expires.isoformat()}#{invitation_id}"))  # fmt: skip
    counters: collections.Counter[str] = collections.Counter()
    due_entries: dict[str, set[str]] = {}
    with CaseRecord.batch_write() as batch:
        for n in numbers:
            arrived, due = now - timedelta(minutes=n), now + timedelta(hours=n % 17)
            case_id = f"bench-c{n:05d}"
            asked = arrived + timedelta(seconds=30) if n % 3 == 0 else None  # a counter-question, not answered
            status, handler = ("waiting_for_citizen", "SE2321000099-P001") if asked else ("new", None)
            record = CaseRecord(
                case_id, unit_hsa_id=VC, citizen_id=anna, sent_by_id=anna, case_type_id="skicka-meddelande",
                case_type_name="Skicka meddelande", answers=[], status=status, created_at=arrived,
                created_key=f"{arrived.isoformat()}#{case_id}", due_at=due, due_key=f"{due.isoformat()}#{case_id}",
                open_unit=VC, patient_name="Anna Andersson", patient_protected=False, patient_born="1985-04-12",
                citizen_unit=f"{anna}#{VC}", last_activity_at=asked or arrived, handler_hsa_id=handler,
                first_answered_at=asked, care_wrote_at=asked)  # fmt: skip
            for name, value in _placement(record, status=status, handler_hsa_id=handler, citizen_replied=False,
                                          closed_at=None).as_dict().items():  # fmt: skip
                setattr(record, name, value)
            for name, value in _waiting(record, status, asked, None).items():
                setattr(record, name, value)
            batch.save(record)
            for share in unit_figures.shares(closed=False, created_at=arrived, due_at=due, first_answered_at=asked):
                figure, entry = unit_figures.counter_of(share, case_id)
                counters[figure] += 1
                if entry:
                    due_entries.setdefault(figure, set()).add(entry)
    for figure, change in counters.items():  # as the follow-up of each case.sent counts them
        actions = [UnitFigureRecord.value.add(change)]
        if figure in due_entries:
            actions.append(UnitFigureRecord.due.add(due_entries[figure]))
        UnitFigureRecord(f"unit#{VC}", figure).update(actions=actions)
    with KitOrderRecord.batch_write() as batch:
        for n in numbers:
            ordered = now - timedelta(hours=LARGE - n)
            order_id = f"bench-k{n:05d}"
            batch.save(KitOrderRecord(
                anna, f"order#{order_id}", order_id=order_id, test_id="covid-pcr", status="ordered",
                ordered_key=f"{ordered.isoformat()}#{order_id}", delivery="pickup",
                address_lines=["Apoteket Norrby, Norrbygatan 2"], ordered_at=ordered))  # fmt: skip
    with FollowUpRecord.batch_write() as batch:
        for n in numbers:
            resulted = now - timedelta(hours=LARGE - n)
            batch.save(FollowUpRecord(HS, f"{resulted.isoformat()}#bench-k{n:05d}", citizen_id=anna,
                                      order_id=f"bench-k{n:05d}", test_name="Klamydia och gonorré",
                                      positive=["chlamydia"], resulted_at=resulted))  # fmt: skip
    with AccessLogRecord.batch_write() as batch:
        for n in numbers:
            read = now - timedelta(hours=LARGE - n)
            batch.save(AccessLogRecord(anna, f"{read.isoformat()}#bench{n:05d}", staff_hsa_id="SE2321000099-P001",
                                       staff_name="Eva Nilsson", unit_hsa_id=VC, unit_name="Vårdcentralen Norrby",
                                       what="case", item_id=f"bench-c{n:05d}", read_at=read))  # fmt: skip


def seed_slots(ports, today, first: int, count: int) -> None:  # noqa: ANN001
    """Free web slots for a nurse's visit at the health centre, spread over the 42 days ahead."""
    from chalicelib.adapters.booking import _slot_record
    from chalicelib.adapters.tables import SlotRecord
    from chalicelib.domain.booking import Slot, Visibility
    from chalicelib.domain.clock import STOCKHOLM

    with SlotRecord.batch_write() as batch:
        for n in range(first, first + count):
            day = today + timedelta(days=2 + n % (SLOT_DAYS - 2))
            start = datetime.combine(day, time(7, 0), tzinfo=STOCKHOLM) + timedelta(minutes=15 * (n // SLOT_DAYS))
            batch.save(_slot_record(Slot(f"{VC}/bench-s{n:05d}", VC, "sjukskoterska", start,
                                         start + timedelta(minutes=15), "Mottagningen", "Sjuksköterska",
                                         Visibility.WEB, None, "bench")))  # fmt: skip


# -- the pages -----------------------------------------------------------------------------------------


def pages(today) -> list[tuple[str, str, str]]:  # noqa: ANN001
    """(what, who, path): every list page, and a day's free times."""
    day = (today + timedelta(days=4)).isoformat()
    slots = f"/api/v1/booking-units/{VC}/visit-types/sjukskoterska/slots"
    return [
        ("start page (the overview)", "anna", "/"),
        ("start page, JSON API", "anna", "/api/v1/start"),
        ("inbox", "anna", "/inbox"),
        ("inbox, JSON API", "anna", "/api/v1/inbox"),
        ("a thread", "anna", "/inbox/{newest}"),
        ("booked times", "anna", "/bookings"),
        ("booked times, JSON API", "anna", "/api/v1/bookings"),
        ("one booking", "anna", "/bookings/bench-b00000"),
        ("cases", "anna", "/cases"),
        ("self-tests and kit orders", "anna", "/self-tests"),
        ("access log", "anna", "/access-log"),
        ("access log, JSON API", "anna", "/api/v1/access-log"),
        ("free times, the week's days", "anna", f"/book?unit={VC}&visit_type=sjukskoterska"),
        ("free times, one day", "anna", f"/book?unit={VC}&visit_type=sjukskoterska&day={day}"),
        ("free times, one day, JSON API", "anna", f"{slots}?day={day}"),
        ("free times, JSON API pages", "anna", slots),
        ("staff start page (unit figures)", "eva", "/staff"),
        ("staff: sent messages", "eva", f"/staff/messages?unit={VC}"),
        ("staff: case queue", "eva", f"/staff/cases?unit={VC}"),
        ("staff: follow-up list", "lisa", f"/staff/follow-up?unit={HS}"),
        ("lab: kit orders to ship", "key", "/integration/v1/kit-orders?status=ordered"),
    ]


class Visitors:
    """Anna, Eva, Lisa logged in, and the demo integration key: GET a page as one of them, uncounted
    follow-ups aside (the request itself, as the app's Lambda gets it)."""

    def __init__(self, client, key: str) -> None:  # noqa: ANN001
        from tests.integration.harness import Browser

        self.client, self.key, self.browsers = client, key, {}
        for sub, audience in (("anna", "citizen"), ("eva", "staff"), ("lisa", "staff")):
            browser = Browser(client)
            browser.login(sub, audience)
            self.browsers[sub] = browser

    def get(self, who: str, path: str) -> Any:
        if who == "key":
            headers = {"Authorization": f"Bearer {self.key}"}
        else:
            headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.browsers[who].cookies.items())}
        # The client's own request, not the tests' wrapper that runs the follow-ups around it.
        return type(self.client.http).request(self.client.http, "GET", path, headers=headers, body=b"")


def measure(visitors: Visitors, today, newest: str) -> dict[str, Cost]:  # noqa: ANN001
    costs = {}
    for what, who, path in pages(today):
        path = path.format(newest=newest)
        first = visitors.get(who, path)
        assert first.status_code == 200, (what, first.status_code, first.body[:300])
        measured = []
        for _ in range(2):  # the cheaper of two: a five-minute cache's refill (unit names) may fall
            with counting() as cost:  # between the fetch before and the one counted
                visitors.get(who, path)
            measured.append(cost)
        costs[what] = min(measured, key=lambda c: (c.requests, c.items))
    return costs


def grow_and_measure(client, key: str, ports, now: datetime) -> tuple[dict[str, Cost], dict[str, Cost]]:  # noqa: ANN001
    """The costs with the small history, then with the large one (the same people and units)."""
    from chalicelib.domain.clock import stockholm_date

    today = stockholm_date(now)
    visitors = Visitors(client, key)
    seed(ports, now, 0, SMALL)
    seed_slots(ports, today, 0, SLOTS_SMALL)
    small = measure(visitors, today, f"bench-m{SMALL - 1:05d}")
    seed(ports, now, SMALL, LARGE - SMALL)
    seed_slots(ports, today, SLOTS_SMALL, SLOTS_LARGE - SLOTS_SMALL)
    large = measure(visitors, today, f"bench-m{LARGE - 1:05d}")
    return small, large


def print_costs(small: dict[str, Cost], large: dict[str, Cost]) -> None:
    print(f"List pages with {SMALL} and {LARGE} items of history ({SLOTS_SMALL} and {SLOTS_LARGE} slots), "
          "DynamoDB requests and items read per page:")  # fmt: skip
    print(f"  {'page':<34} {'with ' + str(SMALL):<24} {'with ' + str(LARGE):<24}")
    for what in small:
        a, b = small[what], large[what]
        print(f"  {what:<34} {a.requests:2d} req {a.items:4d} items      {b.requests:2d} req {b.items:4d} items"
              f"{'' if a.requests == b.requests else '   <- more requests'}")  # fmt: skip


def page_costs(client, key: str) -> None:  # noqa: ANN001
    from chalicelib.bootstrap import ports
    from chalicelib.domain.clock import utc_now

    print_costs(*grow_and_measure(client, key, ports(), utc_now()))


def main() -> None:
    from bench.region import demo_region

    with demo_region() as (client, key):
        page_costs(client, key)


if __name__ == "__main__":
    main()
