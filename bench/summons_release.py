"""The evening release of 30,000 summonses against moto in server mode (over HTTP, as a Lambda
would talk to DynamoDB), through the SQS fan-out as in AWS: the 18:00 planner sends chunks to the
release queue, release workers (threads here, as many as the queue's maximum concurrency) take them,
and the follow-ups run from the events stream. It prints DynamoDB requests per released summons by
stage and a model line — those requests at 10 ms each, shared by each stage's configured
concurrency — since the wall time here is moto's (one Python process), not DynamoDB's. Then the
print batch (PDF files of at most 500 letters in S3) and the notification dispatch at the
configured send rate, and the local stack's follow-up latency.

A third of the citizens chose digital first (inbox only), a third have an account without it
(inbox and paper), a third have none (paper); half of those with an account have a verified
e-mail address, so the notification dispatch after the release sends e-mail too.

Run as `python -m bench.summons_release [count]` (make bench runs 30,000); it starts its own moto.
"""

from __future__ import annotations

import collections
import os
import secrets
import socket
import sys
import tempfile
import threading
import time
from datetime import date, datetime, timedelta, timezone


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main(count: int = 10_000) -> None:
    port = _free_port()
    os.environ.update({
        "TABLE_PREFIX": "bench", "AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_DEFAULT_REGION": "eu-north-1", "AWS_REGION": "eu-north-1", "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}",
        "DEPLOYMENT": "local", "REGION_NAME": "Region Demo", "REGION_HSA_ID": "SE2321000099-R000",
        "PUBLIC_BASE_URL": "http://localhost:8000", "CITIZEN_OIDC_ISSUER": "http://localhost:1",
        "CITIZEN_OIDC_CLIENT_ID": "c", "STAFF_OIDC_ISSUER": "http://localhost:2", "STAFF_OIDC_CLIENT_ID": "s",
        "PNR_HMAC_KEY": secrets.token_urlsafe(32), "OIDC_CLIENT_KEY": secrets.token_urlsafe(32),
        "POWERTOOLS_LOG_LEVEL": "WARNING",
        "POWERTOOLS_METRICS_DISABLED": "true", "SES_SENDER": "no-reply@e-tjanster.regiondemo.example",
        # A region whose SES quota was raised to 100 e-mails a second, shared by two notification workers.
        "EMAIL_SENDS_PER_SECOND": os.environ.get("EMAIL_SENDS_PER_SECOND", "100"), "NOTIFICATION_WORKERS": "2",
    })  # fmt: skip
    # moto answers one write at a time (moto_fidelity's lock): with ten release workers each sending
    # 100-item transactions, an answer can take longer than PynamoDB's 30 seconds on a busy machine.
    settings = os.path.join(tempfile.mkdtemp(), "pynamodb_settings.py")
    with open(settings, "w") as f:
        f.write("read_timeout_seconds = 600\nmax_pool_connections = 20\n")
    os.environ["PYNAMODB_CONFIG"] = settings
    # moto in a process of its own, as DynamoDB is: sharing this one's interpreter would make the
    # release's threads and the server's take turns. Its writes are made atomic as DynamoDB's are.
    import subprocess

    launcher = ("import logging; logging.getLogger('werkzeug').setLevel(logging.ERROR); "
                "from local import moto_fidelity; moto_fidelity.make_dynamodb_writes_atomic(); "
                f"from moto.server import main; main(['-H', '127.0.0.1', '-p', '{port}'])")  # fmt: skip
    server = subprocess.Popen([sys.executable, "-c", launcher], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for(port)
        _run(count)
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _wait_for(port: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise RuntimeError("moto did not start")


def _seed(count: int, now: datetime) -> None:
    from chalicelib.adapters.tables import Account, PostalAddress, RegisterPerson, SummonsRecord
    from chalicelib.domain.clock import stockholm_date
    from chalicelib.domain.personnummer import with_check_digit

    start = now + timedelta(days=7)
    release_on = stockholm_date(now).isoformat()
    with RegisterPerson.batch_write() as people, Account.batch_write() as accounts, \
            SummonsRecord.batch_write() as waiting:  # fmt: skip
        for n in range(count):
            citizen_id = f"bench-{n:05d}"
            # Adults only, born 1940–2005, so that the channels follow the thirds below: counting days from
            # 1950 put everyone past the 23,339th under 13 (their summons then also goes on paper).
            born = date(1940, 1, 1) + timedelta(days=n % 24000)
            people.save(RegisterPerson(citizen_id, personnummer=with_check_digit(born, f"{123 + n // 24000:03d}"),
                                       given_name="Test", family_name=f"Person {n}", birth_date=born.isoformat(),
                                       updated_at=now,
                                       address=PostalAddress(street=f"Gatan {n}", postal_code="123 45",
                                                             city="Demostad")))  # fmt: skip
            if n % 3 != 2:  # two thirds have an account; every third of all chose digital first
                accounts.save(Account(citizen_id, first_login_at=now, digital_first=n % 3 == 0,
                                      email=f"person{n}@example.se" if n % 2 == 0 else None))  # fmt: skip
            begins = start + timedelta(minutes=15 * (n % 40))
            waiting.save(SummonsRecord(
                f"appointment-{n:05d}", citizen_id=citizen_id, unit_hsa_id="SE2321000099-KA01",
                start_key=f"{begins.isoformat()}#{n}", client_key_id="bench", visit_type_id="arskontroll",
                start=begins, end=begins + timedelta(minutes=30), place="Hjärtmottagningen",
                preparation="Ta med dina mediciner.", version=1, state="pending", pending="yes",
                release_on=release_on, created_at=now))  # fmt: skip


def _items_of(operation: str, params: dict) -> int:
    """How many items a call writes or reads by key (a transaction's, a batch's); 1 for the others."""
    if operation == "TransactWriteItems":
        return len(params["TransactItems"])
    if operation == "BatchGetItem":
        return sum(len(table["Keys"]) for table in params["RequestItems"].values())
    if operation == "BatchWriteItem":
        return sum(len(requests) for requests in params["RequestItems"].values())
    return 1


class _Counter:
    """AWS calls by service and operation, from every thread."""

    def __init__(self) -> None:
        self.calls: collections.Counter[str] = collections.Counter()
        self.items: collections.Counter[str] = collections.Counter()  # items each call carried
        self._lock = threading.Lock()

    def __enter__(self) -> _Counter:
        import botocore.client

        self._original = original = botocore.client.BaseClient._make_api_call
        counter = self

        def counted(client, operation_name, api_params):  # noqa: ANN001, ANN202
            key = f"{client.meta.service_model.service_name}:{operation_name}"
            with counter._lock:
                counter.calls[key] += 1
                counter.items[key] += _items_of(operation_name, api_params)
            return original(client, operation_name, api_params)

        botocore.client.BaseClient._make_api_call = counted
        return self

    def __exit__(self, *exc: object) -> None:
        import botocore.client

        botocore.client.BaseClient._make_api_call = self._original

    def per(self, n: int, service: str) -> str:
        ops = {k.split(":", 1)[1]: v for k, v in self.calls.items() if k.startswith(f"{service}:")}
        total = sum(ops.values())
        detail = ", ".join(f"{op} {v / n:.2f}" for op, v in sorted(ops.items()))
        return f"{total / n:5.2f}" + (f"  ({detail})" if detail else "")


# The model: DynamoDB at 10 ms a request, each stage's requests shared by its concurrency in AWS.
MS_PER_REQUEST = 10
FOLLOW_UPS_CONCURRENCY = 4  # the events stream's ParallelizationFactor (infra/stack.py), on one shard at least


def _concurrency(name: str) -> int:
    """A queue worker's maximum concurrency as app.py declares it (infra/ sets the same)."""
    import app

    return next(s.maximum_concurrency for s in app.app.event_sources if s.name == name)


class _Stages:
    """DynamoDB requests by stage of the evening (the counter is global; stages run one after the other)."""

    def __init__(self, counter: _Counter) -> None:
        self.counter = counter
        self.before: collections.Counter[str] = collections.Counter()
        self.rows: list[tuple[str, collections.Counter[str], int, float]] = []
        self.items_before: collections.Counter[str] = collections.Counter()
        self.item_rows: list[tuple[int, int]] = []  # items carried by each stage, its concurrency

    def items(self) -> collections.Counter[str]:
        return collections.Counter({k: v for k, v in self.counter.items.items()
                                    if k.startswith("dynamodb:") and k != "dynamodb:DescribeTable"})  # fmt: skip

    def now(self, calls: collections.Counter[str] | None = None) -> collections.Counter[str]:
        """The app's DynamoDB requests so far. DescribeTable is left out: the local stream poller asks
        it for the stream's ARN each poll, and PynamoDB once per table and process (once per
        container in Lambda) — neither is per summons."""
        return collections.Counter({k: v for k, v in (calls or self.counter.calls).items()
                                    if k.startswith("dynamodb:") and k != "dynamodb:DescribeTable"})  # fmt: skip

    def mark(self, stage: str, concurrency: int, seconds: float) -> None:
        now = self.now()
        self.rows.append((stage, now - self.before, concurrency, seconds))
        self.before = now
        items = self.items()
        self.item_rows.append((sum((items - self.items_before).values()), concurrency))
        self.items_before = items


def _drain_threads(workers, threads: int) -> int:
    """The queue's messages taken by `threads` workers at once, as Lambda's mapping runs them; a chunk
    that fails comes again (after five receives moto moves it to the dead-letter queue). Returns how
    many times a chunk failed (the worker logs why)."""
    failures = collections.Counter()

    def work() -> None:
        idle = 0
        while idle < 3:  # a few empty polls in a row: the queue is dry
            done, failed = workers.poll_once()
            failures["failed"] += failed
            idle = 0 if done or failed else idle + 1
            if not done:
                time.sleep(0.1)

    pool = [threading.Thread(target=work) for _ in range(threads)]
    [t.start() for t in pool]
    [t.join() for t in pool]
    if failures["failed"]:
        print(f"  ({failures['failed']} chunk tries failed and came again; see the log above)")
    return failures["failed"]


def _run(count: int) -> None:
    from chalicelib import observability
    from chalicelib.adapters.tables import EventRecord, InboxMessageRecord, NotificationRecord, PrintLetterRecord
    from chalicelib.adapters.tables import SummonsRecord, create_all_tables
    from chalicelib.bootstrap import ports
    from chalicelib.domain.clock import STOCKHOLM
    from chalicelib.services import summons
    from chalicelib.settings import WORK_QUEUES
    from demo import region_demo
    from local.event_consumer import EventConsumer
    from local.queue_workers import QueueWorkers

    import app

    observability.metrics.add_metric = lambda **_: None  # figures only: no metric lines on stdout
    now = datetime.now(timezone.utc)
    create_all_tables()
    region_demo.verify_sender(ports().settings.ses_sender)
    region_demo.seed(ports(), now, now.date())
    ports().attachment_files.create_bucket()
    ports().work_queues.create_local(visibility_seconds=600)
    queues = QueueWorkers.of_app(app, {kind: ports().work_queues.url(kind) for kind in WORK_QUEUES})
    began = time.perf_counter()
    _seed(count, now)
    print(f"Summons release against moto in server mode ({count} summonses, seeded in "
          f"{time.perf_counter() - began:.0f} s), through the SQS fan-out:")  # fmt: skip
    evening = max(now, datetime.combine(now.astimezone(STOCKHOLM).date(), datetime.min.time().replace(hour=18),
                                        tzinfo=STOCKHOLM).astimezone(timezone.utc))  # fmt: skip
    release_workers = _concurrency("release_worker")
    consumer = EventConsumer(app.follow_ups, EventRecord.Meta.table_name, batch_size=100)
    delivered_started: list[collections.Counter[str]] = []

    with _Counter() as counter:
        stages = _Stages(counter)
        started = began = time.perf_counter()
        plan = summons.plan_release(ports(), evening, lambda chunks: ports().work_queues.send("release", chunks))
        stages.mark("planner (18:00 schedule)", 1, time.perf_counter() - began)
        print(f"  planned {plan.planned} summonses in {plan.chunks} queue messages (ids and versions only) "
              f"in {time.perf_counter() - began:.1f} s")  # fmt: skip
        began = time.perf_counter()
        _drain_threads(QueueWorkers({"release": queues.workers["release"]}), release_workers)
        stages.mark("release workers", release_workers, time.perf_counter() - began)
        print(f"  released by {release_workers} worker threads in {time.perf_counter() - began:.1f} s")

        def follow_ups(batch, context):  # noqa: ANN001, ANN202
            kinds = {r["dynamodb"]["NewImage"]["kind"]["S"] for r in batch["Records"]}
            if "message.delivered" in kinds and not delivered_started:
                delivered_started.append(collections.Counter(counter.calls))
            return app.follow_ups(batch, context)

        consumer.handler = follow_ups
        began = time.perf_counter()
        followed = consumer.drain(rounds=100_000)
        seconds = time.perf_counter() - began
        # Split the follow-ups at the first batch of message.delivered (they come after the releases' on the stream).
        sent_rows = stages.now(delivered_started[0] if delivered_started else None) - stages.before
        stages.rows.append(("follow-ups: inbox messages, letters", sent_rows, FOLLOW_UPS_CONCURRENCY, seconds))
        stages.before += sent_rows
        stages.mark("follow-ups: who is told (outbox)", FOLLOW_UPS_CONCURRENCY, 0.0)
        total_seconds = time.perf_counter() - started
    print(f"  then the follow-ups from the events stream: {followed} events in {seconds:.1f} s")
    waiting = sum(1 for _ in SummonsRecord.to_release.query("yes"))
    # The bench's own check, one paged Scan: a Query per person is quadratic in moto's server (each
    # Query walks the table), which at 30,000 took longer than the release itself.
    messages = sum(1 for _ in InboxMessageRecord.scan(InboxMessageRecord.citizen_id.startswith("bench-")))
    letters = sum(1 for _ in PrintLetterRecord.query(_batch_of(evening)))
    queued = sum(1 for _ in NotificationRecord.due.query("yes"))
    print(f"  inbox messages {messages}, letters {letters}, notifications queued {queued} "
          f"(expected {count - count // 3}, {count - (count + 2) // 3}, {_emails_expected(count)})")  # fmt: skip
    again = summons.plan_release(ports(), evening + timedelta(minutes=10), lambda chunks: len(chunks))
    print(f"  left waiting {waiting}; a second run ten minutes later plans {again.planned}")
    print(f"  the release, 18:00 to follow-ups done, took {total_seconds:.0f} s against moto (moto's time, one process)")
    _report(stages, count)

    _print_batch(count, evening, queues)
    _dispatch(count, queues)
    _follow_up_latency()


def _batch_of(evening: datetime) -> str:
    from chalicelib.domain.clock import stockholm_date

    return stockholm_date(evening).isoformat()


def _emails_expected(count: int) -> int:
    return sum(1 for n in range(count) if n % 3 != 2 and n % 2 == 0)


def _report(stages: _Stages, count: int) -> None:
    total = sum(sum(calls.values()) for _, calls, _, _ in stages.rows)
    print(f"  DynamoDB requests per released summons: {total / count:.3f} (goal: at most 0.2), by stage:")
    model = 0.0
    for stage, calls, concurrency, _ in stages.rows:
        n = sum(calls.values())
        detail = ", ".join(f"{op.split(':', 1)[1]} {v / count:.3f}" for op, v in sorted(calls.items()))
        wall = n * MS_PER_REQUEST / 1000 / concurrency
        model += wall
        print(f"    {stage:<36} {n / count:.3f}  ({detail}); x{concurrency}: {wall:.1f} s")
    print(f"  model: {total} requests x {MS_PER_REQUEST} ms with the configured concurrency = {model:.0f} s of "
          f"DynamoDB time from 18:00 (goal: in inboxes within 15 minutes = 900 s; the stages run one after another "
          f"here, overlapped in AWS)")  # fmt: skip
    # A pessimistic reading: as if every item a transaction or batch carries cost a request's 10 ms.
    items = sum(stages.items().values())
    pessimistic = sum(n * MS_PER_REQUEST / 1000 / concurrency for n, concurrency in stages.item_rows)
    print(f"  pessimistic: {items} items ({items / count:.1f} a summons) x {MS_PER_REQUEST} ms, each stage's shared by "
          f"its concurrency = {pessimistic:.0f} s")  # fmt: skip


def _print_batch(count: int, evening: datetime, queues) -> None:  # noqa: ANN001
    """The 18:30 job: the batch closed, cut into files of at most 500 letters, rendered into S3."""
    import app
    from chalicelib.bootstrap import ports
    from chalicelib.services import summons

    workers = _concurrency("print_worker")
    with _Counter() as counter:
        began = time.perf_counter()
        plan = summons.plan_print_batch(ports(), evening + timedelta(minutes=30),
                                        lambda files: ports().work_queues.send("print", files))  # fmt: skip
        planned = time.perf_counter() - began
        began = time.perf_counter()
        _drain_threads(type(queues)({"print": queues.workers["print"]}), workers)
        seconds = time.perf_counter() - began
    view = summons._view(ports(), datetime.fromisoformat(plan.batch_date).date(), lambda unit: True)
    largest = max((f.letters for f in view.files), default=0)
    dynamodb = sum(_Stages(counter).now().values())
    print(f"Print batch: {plan.letters} letters in {plan.files} PDF files in S3 (largest {largest} letters), planned "
          f"in {planned:.1f} s, rendered by {workers} worker threads in {seconds:.0f} s (one process: fpdf2 holds the "
          f"GIL; in AWS {workers} Lambdas at once: about {seconds / workers:.0f} s); DynamoDB {dynamodb} requests, "
          f"S3 {counter.calls['s3:PutObject']} PutObject; no response carries a PDF")  # fmt: skip
    del app


def _dispatch(count: int, queues) -> None:  # noqa: ANN001
    """The minute's planner, then the notification workers at the region's configured rate."""
    from chalicelib.bootstrap import ports
    from chalicelib.services import notifications

    settings = ports().settings
    workers = settings.notification_workers
    with _Counter() as counter:
        began = time.perf_counter()
        queued = notifications.plan_dispatch(ports(), datetime.now(timezone.utc) + timedelta(hours=16),
                                             lambda chunks: ports().work_queues.send("notifications", chunks))
        planned = time.perf_counter() - began
        began = time.perf_counter()
        _drain_threads(type(queues)({"notifications": queues.workers["notifications"]}), workers)
        seconds = time.perf_counter() - began
    sent = counter.calls["sesv2:SendEmail"] + counter.calls["sns:Publish"]
    dynamodb = sum(_Stages(counter).now().values())
    print(f"Notification dispatch at the configured rate (EMAIL_SENDS_PER_SECOND={settings.email_per_second:g}, "
          f"{workers} workers): {queued} queued in one run in {planned:.1f} s (no cap a minute), {sent} sent in "
          f"{seconds:.1f} s = {sent / seconds:.1f} a second (at most {settings.email_per_second:g}); "
          f"DynamoDB {dynamodb / max(sent, 1):.3f} requests per notification")  # fmt: skip


def _follow_up_latency(changes: int = 100) -> None:
    """The local stack's consumer (app.follow_ups on the events stream, polled every 0.2 s as `make run`
    starts it) while a care system sends a message every 50 ms: from each change's commit to its
    follow-ups done, and how many events each change wrote."""
    import app
    from chalicelib.adapters.tables import EventRecord
    from chalicelib.bootstrap import ports
    from chalicelib.services import inbox
    from local.event_consumer import EventConsumer

    finished: dict[str, list[float]] = collections.defaultdict(list)  # message id -> when each event was done

    def timed(batch, context):  # noqa: ANN001, ANN202
        result = app.follow_ups(batch, context) or {}
        failed = {f["itemIdentifier"] for f in result.get("batchItemFailures", ())}
        now = time.time()
        for record in batch["Records"]:
            image = record["dynamodb"]["NewImage"]
            if record["dynamodb"]["SequenceNumber"] not in failed and image["kind"]["S"] == "message.delivered":
                finished[image["data"]["M"]["message_id"]["S"]].append(now)
        return result

    consumer = EventConsumer(timed, EventRecord.Meta.table_name)
    consumer.drain(rounds=100_000)  # up to date: only what follows is measured
    finished.clear()
    stop = threading.Event()
    thread = threading.Thread(target=consumer.run, args=(stop, 0.2), daemon=True)
    thread.start()
    unit = ports().units.get("SE2321000099-KA01")
    made: dict[str, float] = {}
    for n in range(changes):
        at = datetime.now(timezone.utc)
        letter = inbox.Letter("Provsvar", "Ditt provsvar", "Ditt prov är analyserat.")
        made[inbox.deliver(ports(), f"bench-{n:05d}", unit, letter, "bench", at).message_id] = at.timestamp()
        time.sleep(0.05)
    deadline = time.monotonic() + 60
    while len(finished) < changes and time.monotonic() < deadline:
        time.sleep(0.1)
    stop.set()
    thread.join(timeout=5)
    latencies = sorted(finished[m][0] - made[m] for m in made if finished.get(m))
    print(f"Follow-up latency in the local stack ({changes} messages, one every 50 ms, consumer polling every "
          f"0.2 s): median {latencies[len(latencies) // 2] * 1000:.0f} ms, 95th percentile "
          f"{latencies[int(len(latencies) * 0.95) - 1] * 1000:.0f} ms, max {latencies[-1] * 1000:.0f} ms; "
          f"{len(latencies)} of {changes} followed up; events per change {_events_of(made, changes):.2f}")


def _events_of(message_ids: dict[str, float], changes: int) -> float:
    """Events written per delivered message (one Query per inbox: its stream key)."""
    from chalicelib.adapters.tables import EventRecord

    written = sum(1 for n in range(changes) for r in EventRecord.query(f"inbox#bench-{n:05d}")
                  if (r.data.as_dict() if r.data else {}).get("message_id") in message_ids)  # fmt: skip
    return written / changes


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 30_000)
