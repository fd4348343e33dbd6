"""Earlier times (issue 22): a simulated month at one unit through the real services on moto.

`python -m bench.earlier_times [bookings]`, also run by `make bench`. Vårdcentralen Norrby's nurse
visits (bookable from tomorrow, changes close 24 hours before): 30 days of slots, `bookings` of them
(400) booked at the start, a share of the people (40 %) asking for an earlier time (at staggered
moments: the wait order), and some cancelling at a random moment before their cutoff (15 %). The
follow-ups run as the event stream would after each step (the in-process consumer); each person offered
a time accepts after a while with some probability (60 %) or lets it expire (the expiry schedule's
function is called at its time). Prints offers sent, accepted, declined, expired, the days gained, and
DynamoDB requests per offer made, per accept and per expiry.
"""

from __future__ import annotations

import heapq
import random
import statistics
import sys
from collections import Counter
from datetime import datetime, time, timedelta
from typing import Any

UNIT, VISIT_TYPE = "SE2321000099-VC01", "sjukskoterska"
DAYS, PER_DAY = 30, 14
OPT_IN, CANCEL, ACCEPT = 0.40, 0.15, 0.60
SEED = 22


class Requests:
    """DynamoDB requests by what the simulation was doing when they were made."""

    def __init__(self) -> None:
        self.by = Counter()
        self.doing = "other"

    def install(self) -> None:
        import botocore.client

        original = botocore.client.BaseClient._make_api_call
        counter = self

        def counted(client, operation_name, api_params):  # noqa: ANN001, ANN202
            if client.meta.service_model.service_name == "dynamodb":
                counter.by[counter.doing] += 1
            return original(client, operation_name, api_params)

        botocore.client.BaseClient._make_api_call = counted

    def around(self, what: str, function: Any) -> Any:
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            before, self.doing = self.doing, what
            try:
                return function(*args, **kwargs)
            finally:
                self.doing = before

        return wrapped


def simulate(bookings: int = 400) -> dict[str, Any]:
    from bench.region import demo_region
    from chalicelib.adapters.tables import EarlierOfferRecord, EventRecord
    from chalicelib.bootstrap import ports
    from chalicelib.domain import clock
    from chalicelib.domain.booking import Slot, Visibility
    from chalicelib.domain.clock import STOCKHOLM
    from chalicelib.domain.earlier_times import days_gained
    from chalicelib.errors import AppError
    from chalicelib.services import booking, earlier_times
    from chalicelib.services.principals import CitizenPrincipal
    from local.event_consumer import EventConsumer

    from local import moto_fidelity

    moto_fidelity.make_dynamodb_writes_atomic()  # as the tests: a transaction keeps only its items for a rollback
    rng = random.Random(SEED)
    with demo_region():
        import app

        consumer = EventConsumer(app.follow_ups, EventRecord.Meta.table_name)
        ports().work_queues.create_local()
        consumer.drain()
        requests = Requests()
        requests.install()
        earlier_times.offer_slot = requests.around("offer", earlier_times.offer_slot)  # the follow-up's call
        accept = requests.around("accept", earlier_times.accept)
        expire = requests.around("expire", earlier_times.expire)

        start = clock.utc_now().replace(microsecond=0)
        now = start

        def at(moment: datetime) -> None:
            nonlocal now
            now = moment
            clock.utc_now = lambda: now  # the follow-ups read the clock

        # A month of nurse visits from tomorrow: PER_DAY a day from 08:00, every day (a busy unit).
        first_day = (start.astimezone(STOCKHOLM) + timedelta(days=1)).date()
        slots = [Slot(f"{UNIT}/bench-{d}-{i}", UNIT, VISIT_TYPE, begins, begins + timedelta(minutes=30),
                      "Mottagningen, plan 2", "Sjuksköterska", Visibility.WEB, source="bench")
                 for d in range(DAYS) for i in range(PER_DAY)
                 for begins in [datetime.combine(first_day + timedelta(days=d), time(8, 0), tzinfo=STOCKHOLM)
                                .astimezone(start.tzinfo) + timedelta(minutes=30 * i)]]  # fmt: skip
        ports().slots.publish_many(slots)
        chosen = rng.sample(slots, min(bookings, len(slots)))
        people: dict[str, CitizenPrincipal] = {}
        made = []
        for n, slot in enumerate(chosen):
            at(start + timedelta(seconds=n))  # booked, and asked for an earlier time, one after another
            principal = CitizenPrincipal(f"bench-person-{n}", f"Person {n}", None, None, "x")
            done = booking.book(ports(), principal, slot.slot_id, now)
            people[done.booking_id] = principal
            made.append(done)
            if rng.random() < OPT_IN and done.start - now > timedelta(hours=25):  # may still be moved online
                earlier_times.set_waiting(ports(), principal, done.booking_id, True, now)
        consumer.drain()
        waiting = sum(1 for b in made if ports().wait_list.opted_in_at(b.citizen_id, b.booking_id))

        # What happens when: cancellations at a random moment before their cutoff; offers' answers as they come.
        plan: list[tuple[datetime, int, str, str]] = []
        order = 0
        for b in made:
            if rng.random() < CANCEL:
                latest = b.start - timedelta(hours=24) - start
                if latest > timedelta(0):
                    plan.append((start + timedelta(seconds=rng.uniform(60, latest.total_seconds())), order, "cancel",
                                 b.booking_id))  # fmt: skip
                    order += 1
        heapq.heapify(plan)
        seen: set[str] = set()
        outcome = Counter()
        gained: list[int] = []

        def new_offers() -> None:
            nonlocal order
            for offer in EarlierOfferRecord.scan(EarlierOfferRecord.state == "open"):  # the bench's own view
                if offer.offer_id in seen:
                    continue
                seen.add(offer.offer_id)
                outcome["sent"] += 1
                if rng.random() < ACCEPT:
                    answer = offer.created_at + (offer.expires_at - offer.created_at) * rng.uniform(0.05, 0.9)
                    heapq.heappush(plan, (answer, order, "accept", offer.offer_id))
                else:
                    heapq.heappush(plan, (offer.expires_at, order, "expire", offer.offer_id))
                order += 1

        while plan:
            moment, _, action, key = heapq.heappop(plan)
            at(moment)
            if action == "cancel":
                try:
                    booking.cancel(ports(), people[key], key, None, now)
                except AppError:  # moved inside its cutoff by an accepted offer meanwhile
                    outcome["cancel_refused"] += 1
                    continue
                outcome["cancelled"] += 1
            elif action == "accept":
                offer = ports().earlier_offers.get(key)
                accept(ports(), people[offer.booking_id], key, now)
                outcome["accepted"] += 1
                gained.append(days_gained(offer.booking_start, offer.slot_start))
            else:
                result = expire(ports(), {"offer_id": key}, now)
                outcome[result] += 1
            previous, requests.doing = requests.doing, "follow-ups"
            consumer.drain()
            requests.doing = previous
            new_offers()
        return {"bookings": len(made), "waiting": waiting, "outcome": outcome, "gained": gained,
                "requests": requests.by}  # fmt: skip


def main() -> None:
    import os

    os.environ.update({"POWERTOOLS_LOG_LEVEL": "WARNING"})  # figures only: no log lines
    from chalicelib import observability

    observability.metrics.add_metric = lambda **_: None  # nor metric lines (EMF on stdout)
    bookings = int(sys.argv[1]) if len(sys.argv) > 1 else 400
    r = simulate(bookings)
    o, gained, req = r["outcome"], r["gained"], r["requests"]
    print(f"Earlier times, a simulated month at Vårdcentralen Norrby (moto in process, seed {SEED}):")
    print(f"  {r['bookings']} bookings over {DAYS} days, {r['waiting']} waiting for an earlier time "
          f"({OPT_IN:.0%} opt in), {o['cancelled']} cancelled ({o['cancel_refused']} too late to cancel online)")
    print(f"  offers sent {o['sent']}, accepted {o['accepted']}, expired {o['expired']} "
          f"(each offered person accepts with p={ACCEPT:.0%})")
    if gained:
        print(f"  days gained: total {sum(gained)}, median {statistics.median(gained):g}, "
              f"mean {statistics.mean(gained):.1f}, max {max(gained)}")
    sent = max(o["sent"], 1)
    print(f"  DynamoDB requests: {req['offer'] / sent:.1f} per offer made (wait list Query, checks, the "
          f"transaction), {req['accept'] / max(o['accepted'], 1):.1f} per accept, "
          f"{req['expire'] / max(o['expired'], 1):.1f} per expiry; all follow-ups "
          f"{req['follow-ups'] / sent:.1f} per offer (confirmations, inbox, schedules, notices)")


if __name__ == "__main__":
    main()
