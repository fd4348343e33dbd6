"""The evening release of 10,000 summonses against moto in server mode (over HTTP, as a Lambda
would talk to DynamoDB): calls per summons by service, and the wall time.

A third of the citizens chose digital first (inbox only), a third have an account without it
(inbox and paper), a third have none (paper); half of those with an account have a verified
e-mail address, so the notification dispatch after the release sends e-mail too.

Run as `python -m bench.summons_release [count]` (make bench runs it); it starts its own moto.
"""

from __future__ import annotations

import collections
import os
import secrets
import socket
import sys
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
    })  # fmt: skip
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
            people.save(RegisterPerson(citizen_id, personnummer=with_check_digit(date(1950, 1, 1) + timedelta(days=n), "123"), given_name="Test",
                                       family_name=f"Person {n}", birth_date=(date(1950, 1, 1) + timedelta(days=n)).isoformat(), updated_at=now,
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


class _Counter:
    """AWS calls by service and operation, from every thread."""

    def __init__(self) -> None:
        self.calls: collections.Counter[str] = collections.Counter()
        self._lock = threading.Lock()

    def __enter__(self) -> _Counter:
        import botocore.client

        self._original = original = botocore.client.BaseClient._make_api_call
        counter = self

        def counted(client, operation_name, api_params):  # noqa: ANN001, ANN202
            with counter._lock:
                counter.calls[f"{client.meta.service_model.service_name}:{operation_name}"] += 1
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


def _run(count: int) -> None:
    from chalicelib import observability
    from chalicelib.adapters.tables import create_all_tables
    from chalicelib.bootstrap import ports
    from chalicelib.domain.clock import STOCKHOLM
    from chalicelib.services import notifications, summons
    from demo import region_demo

    observability.metrics.add_metric = lambda **_: None  # figures only: no metric lines on stdout
    now = datetime.now(timezone.utc)
    create_all_tables()
    region_demo.verify_sender(ports().settings.ses_sender)
    region_demo.seed(ports(), now, now.date())
    began = time.perf_counter()
    _seed(count, now)
    print(f"Summons release against moto in server mode ({count} summonses, seeded in "
          f"{time.perf_counter() - began:.0f} s):")  # fmt: skip
    evening = datetime.combine(now.astimezone(STOCKHOLM).date(), datetime.min.time().replace(hour=18),
                               tzinfo=STOCKHOLM).astimezone(timezone.utc)  # fmt: skip
    with _Counter() as counter:
        began = time.perf_counter()
        result = summons.release_due(ports(), max(evening, now))
        seconds = time.perf_counter() - began
    print(f"  released {result.released}, failed {result.failed}, in {seconds:.1f} s "
          f"({result.released / seconds:.0f} summonses/s, one thread)")  # fmt: skip
    for service in ("dynamodb",):
        print(f"  {service:<9} calls per summons {counter.per(count, service)}")
    again = summons.release_due(ports(), max(evening, now) + timedelta(minutes=10))
    print(f"  a second run releases {again.released}")
    import app
    from chalicelib.adapters.tables import EventRecord
    from local.event_consumer import EventConsumer

    consumer = EventConsumer(app.follow_ups, EventRecord.Meta.table_name, batch_size=100)
    with _Counter() as counter:
        began = time.perf_counter()
        followed = consumer.drain(rounds=100_000)
        seconds = time.perf_counter() - began
    print(f"  then the follow-ups from the events stream: {followed} events in {seconds:.1f} s; per summons:")
    for service in ("dynamodb", "dynamodbstreams", "s3"):
        print(f"  {service:<15} calls per summons {counter.per(count, service)}")
    with _Counter() as counter:
        began = time.perf_counter()
        sent = 0
        while True:  # the notification dispatch after the release (every minute in AWS)
            result = notifications.dispatch_due(ports(), datetime.now(timezone.utc) + timedelta(hours=16))
            sent += result.sent
            if result.sent == 0:
                break
        seconds = time.perf_counter() - began
    print(f"  then the notification dispatch: {sent} e-mail/SMS in {seconds:.1f} s; per summons: "
          f"dynamodb {counter.per(count, 'dynamodb')}, sesv2 {counter.per(count, 'sesv2')}, "
          f"sns {counter.per(count, 'sns')}")  # fmt: skip

    _follow_up_latency()


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
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
