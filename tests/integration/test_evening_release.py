"""Issue 15: the evening release, the notification dispatch and the print batch at region scale,
through the work queues as in AWS — the scheduled planners send chunks to SQS, and the local queue
workers (local/queue_workers.py) hand them to app.py's workers, as Lambda's event source mappings
do. Summonses, people and letters are put straight into the tables, as the bench does: booking 250
visits through the API would test the booking, not the release."""

from __future__ import annotations

import dataclasses
import io
import urllib.parse
from datetime import date, datetime, time, timedelta, timezone

import pypdf
import pytest
import requests

from chalicelib.adapters.tables import (
    Account,
    EventRecord,
    InboxMessageRecord,
    NotificationRecord,
    PostalAddress,
    PrintLetterRecord,
    RegisterPerson,
    SummonsRecord,
)
from chalicelib.bootstrap import ports
from chalicelib.domain import clock
from chalicelib.domain.clock import STOCKHOLM
from chalicelib.domain.notifications import Channel
from chalicelib.domain.personnummer import with_check_digit
from chalicelib.services import notifications
from chalicelib.services.integration import issue_key
from local.queue_workers import WorkerFailing

KA, VC = "SE2321000099-KA01", "SE2321000099-VC01"


def _evening() -> datetime:
    """18:00 Stockholm tomorrow: the release's own moment, whatever the time the tests run."""
    day = clock.stockholm_date(clock.utc_now()) + timedelta(days=1)
    return datetime.combine(day, time(18, 0), tzinfo=STOCKHOLM).astimezone(timezone.utc)


def _at(monkeypatch, moment: datetime) -> datetime:
    monkeypatch.setattr(clock, "utc_now", lambda: moment)
    return moment


def _seed(count: int, evening: datetime) -> dict[str, str]:
    """`count` people, each with a summons waiting for `evening`: a third chose digital first (inbox
    only), a third have an account without it (inbox and paper), a third none (paper). Returns each
    appointment's channels: "inbox", "both" or "paper"."""
    start = evening + timedelta(days=7)
    channels = {}
    with RegisterPerson.batch_write() as people, Account.batch_write() as accounts, \
            SummonsRecord.batch_write() as waiting:  # fmt: skip
        for n in range(count):
            citizen_id, born = f"evening-{n:04d}", date(1950, 1, 1) + timedelta(days=n)
            people.save(RegisterPerson(citizen_id, personnummer=with_check_digit(born, "123"), given_name="Test",
                                       family_name=f"Person {n}", birth_date=born.isoformat(), updated_at=evening,
                                       address=PostalAddress(street=f"Gatan {n}", postal_code="123 45",
                                                             city="Demostad")))  # fmt: skip
            if n % 3 != 2:
                accounts.save(Account(citizen_id, first_login_at=evening - timedelta(days=30), digital_first=n % 3 == 0,
                                      email=f"person{n}@example.se" if n % 2 == 0 else None))  # fmt: skip
            begins = start + timedelta(minutes=15 * (n % 40))
            appointment_id = f"evening-appointment-{n:04d}"
            waiting.save(SummonsRecord(
                appointment_id, citizen_id=citizen_id, unit_hsa_id=KA, start_key=f"{begins.isoformat()}#{n}",
                client_key_id="test", visit_type_id="arskontroll", start=begins, end=begins + timedelta(minutes=30),
                place="Hjärtmottagningen", preparation="Ta med dina mediciner.", version=1, state="pending",
                pending="yes", release_on=clock.stockholm_date(evening).isoformat(),
                created_at=evening - timedelta(days=1)))  # fmt: skip
            channels[appointment_id] = ("inbox", "both", "paper")[n % 3]
    return channels


def _release_by_schedule(region) -> dict:
    """The 18:00 (or a catch-up) run as EventBridge Scheduler invokes it."""
    return region.client.lambda_.invoke("release_summons", {}).payload


def _assert_each_sent_once(channels: dict[str, str], evening: datetime) -> None:
    batch = clock.stockholm_date(evening).isoformat()
    letters = {x.letter_key.split("#")[1]: x for x in PrintLetterRecord.query(batch)}
    for appointment_id, where in channels.items():
        record = SummonsRecord.get(appointment_id)
        assert record.state == "released" and int(record.released_version) == 1, appointment_id
        released = [e for e in EventRecord.query(f"booking#{appointment_id}") if e.kind == "summons.released"]
        assert len(released) == 1, appointment_id  # one event per change, however often a chunk came
        inbox = [m for m in InboxMessageRecord.query(record.citizen_id) if m.thread_id == f"booking#{appointment_id}"]
        assert len(inbox) == (0 if where == "paper" else 1), appointment_id
        # the start page's unread count, kept in the same transaction: one new message, counted once
        assert ports().inbox.unread_count(record.citizen_id) == len(inbox), appointment_id
        assert (appointment_id in letters) == (where != "inbox"), appointment_id
        assert bool(record.paper) == (where != "inbox") and bool(record.inbox_message_ids) == (where != "paper")
    assert len(letters) == sum(1 for where in channels.values() if where != "inbox")


def test_250_summonses_go_through_the_release_queue_each_once_on_its_channels(region, monkeypatch):
    # Given 250 summonses waiting for this evening
    evening = _evening()
    channels = _seed(250, evening)
    # When the 18:00 run plans the release and the release workers take its chunks
    _at(monkeypatch, evening)
    assert _release_by_schedule(region) == {"planned": 250, "chunks": 3}  # 100 summonses a chunk, ids only
    region.follow_up()
    # Then each went once, on its channels, with one event each
    _assert_each_sent_once(channels, evening)
    # And those with an e-mail address are told (queued in the outbox, batched like the rest)
    told = [n for n in range(250) if n % 3 != 2 and n % 2 == 0]
    waiting = [r for r in NotificationRecord.due.query("yes") if r.citizen_id.startswith("evening-")]
    assert sorted(r.citizen_id for r in waiting) == [f"evening-{n:04d}" for n in told]
    # And the catch-up runs until midnight find nothing left
    _at(monkeypatch, evening + timedelta(minutes=10))
    assert _release_by_schedule(region) == {"planned": 0, "chunks": 0}


def test_a_worker_that_dies_mid_chunk_and_a_planner_that_dies_mid_run_send_nothing_twice(region, monkeypatch):
    evening = _evening()
    channels = _seed(150, evening)
    _at(monkeypatch, evening)
    # Given a release worker that dies after its chunk's first transaction (fifty summonses released)
    real_release, deaths = ports().summons.release_many, []

    def dies_once(waiting, now, released, on_commit=lambda: None):
        def commit_then_die():
            if not deaths:
                deaths.append(len(waiting))
                raise RuntimeError("the worker's Lambda was killed")

        return real_release(waiting, now, released, on_commit=commit_then_die)

    monkeypatch.setattr(ports().summons, "release_many", dies_once)
    # And a planner that dies after sending its first chunk
    real_send = ports().work_queues.send

    def send_then_die(kind, chunks):
        real_send(kind, list(chunks)[:1])
        raise ConnectionError("the planner lost SQS")

    monkeypatch.setattr(ports().work_queues, "send", send_then_die)
    with pytest.raises(ConnectionError):
        _release_by_schedule(region)
    monkeypatch.setattr(ports().work_queues, "send", real_send)
    # When the worker takes the chunk (and dies), SQS gives it again, and it goes through
    with pytest.raises(WorkerFailing):
        region.follow_up()
    assert deaths == [100]
    region.follow_up()
    # And the next run, ten minutes later, plans what is still waiting: everything but that chunk
    _at(monkeypatch, evening + timedelta(minutes=10))
    assert _release_by_schedule(region) == {"planned": 50, "chunks": 1}
    region.follow_up()
    # Then every summons went once
    _assert_each_sent_once(channels, evening)
    assert _release_by_schedule(region)["planned"] == 0


def _outbox_rows(count: int, now: datetime) -> list[str]:
    """`count` account holders with a verified e-mail address, each with a notification due."""
    ids = [f"rate-{n:04d}" for n in range(count)]
    with Account.batch_write() as accounts:
        for citizen_id in ids:
            accounts.save(Account(citizen_id, first_login_at=now - timedelta(days=1), email=f"{citizen_id}@example.se"))
    for citizen_id in ids:
        assert ports().outbox.request(citizen_id, Channel.EMAIL, now, now)
    return ids


def _rates(monkeypatch, email_per_second: float, workers: int) -> None:
    monkeypatch.setattr(ports(), "settings", dataclasses.replace(
        ports().settings, email_per_second=email_per_second, notification_workers=workers))  # fmt: skip


def test_notifications_go_at_the_regions_configured_rate_with_no_cap_a_minute(region, monkeypatch):
    # Given a region whose SES quota is 4 e-mails a second, shared by two notification workers
    _rates(monkeypatch, 4.0, 2)
    now = _at(monkeypatch, datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc))
    ids = _outbox_rows(250, now)
    # When the minute's planner runs: everything due is queued at once (the old dispatch sent 100 a minute)
    chunks: list[dict] = []
    assert notifications.plan_dispatch(ports(), now, lambda c: chunks.extend(c) or len(c)) == 250
    # in chunks of about twenty seconds of one worker's sending (2 a second: 40)
    assert [len(c["items"]) for c in chunks] == [40] * 6 + [10]
    # and nothing is queued twice by the next minute's planner
    assert notifications.plan_dispatch(ports(), now + timedelta(minutes=1), lambda c: len(c)) == 0
    # When a worker sends its chunk, on its own clock
    moments: list[float] = []
    worker_clock = [0.0]
    real_send = ports().messenger.send_email
    monkeypatch.setattr(ports().messenger, "send_email",
                        lambda *args: moments.append(worker_clock[0]) or real_send(*args))  # fmt: skip
    result = notifications.dispatch_chunk(ports(), chunks[0], now, clock=lambda: worker_clock[0],
                                          sleep=lambda s: worker_clock.__setitem__(0, worker_clock[0] + s))  # fmt: skip
    # Then it sends each half a second after the last: with the other worker, 4 a second, never above
    assert result.sent == 40
    assert [round(b - a, 6) for a, b in zip(moments, moments[1:])] == [0.5] * 39
    # And the notification workers send the other chunks through the queue (here at 1,000 a second), each once
    _rates(monkeypatch, 1000.0, 2)
    ports().work_queues.send("notifications", chunks[1:])
    region.follow_up()
    assert len(moments) == 250 and len(_emails_to("rate-")) == 250
    assert notifications.dispatch_due(ports(), now + timedelta(minutes=2)).sent == 0
    rows = NotificationRecord.batch_get([(citizen_id, "email") for citizen_id in ids])
    assert all(r.last_sent_at == now and r.waiting is None and r.queued_until is None for r in rows)


def _emails_to(prefix: str) -> list:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    return [m for m in ses_backends[DEFAULT_ACCOUNT_ID]["eu-north-1"].sent_messages
            if m.destinations["ToAddresses"][0].startswith(prefix)]  # fmt: skip


def test_the_send_rate_is_a_setting_that_must_be_positive():
    from chalicelib import settings as settings_module

    base = {"REGION_NAME": "R", "REGION_HSA_ID": "X", "PUBLIC_BASE_URL": "https://e.example",
            "CITIZEN_OIDC_ISSUER": "https://c.example", "CITIZEN_OIDC_CLIENT_ID": "c",
            "STAFF_OIDC_ISSUER": "https://s.example", "STAFF_OIDC_CLIENT_ID": "s", "PNR_HMAC_KEY": "k" * 32,
            "OIDC_CLIENT_KEY": "o" * 32}  # fmt: skip
    loaded = settings_module.load({**base, "EMAIL_SENDS_PER_SECOND": "50", "SMS_SENDS_PER_SECOND": "2.5",
                                   "NOTIFICATION_WORKERS": "5"})  # fmt: skip
    assert (loaded.email_per_second, loaded.sms_per_second, loaded.notification_workers) == (50, 2.5, 5)
    defaults = settings_module.load(base)
    assert (defaults.email_per_second, defaults.sms_per_second, defaults.notification_workers) == (14, 20, 2)
    for name, value in (("EMAIL_SENDS_PER_SECOND", "0"), ("SMS_SENDS_PER_SECOND", "fast"),
                        ("NOTIFICATION_WORKERS", "0")):  # fmt: skip
        with pytest.raises(settings_module.SettingsError, match=name):
            settings_module.load({**base, name: value})


def _letters(unit: str, unit_name: str, count: int, batch: date, now: datetime) -> None:
    with PrintLetterRecord.batch_write() as letters:
        for n in range(count):
            letters.save(PrintLetterRecord(
                batch.isoformat(), f"{unit}#print-{n:04d}#1", citizen_id=f"print-{unit}-{n:04d}", unit_hsa_id=unit,
                unit_name=unit_name, address_lines=[f"Test Person {n}", f"Gatan {n}", "123 45 Demostad"],
                subject="Kallelse: Årskontroll", body="Välkommen på besök.", created_at=now))  # fmt: skip


def _expires_in(url: str) -> tuple[int, datetime]:
    query = urllib.parse.parse_qs(urllib.parse.urlparse(url).query)
    signed = datetime.strptime(query["X-Amz-Date"][0], "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)
    return int(query["X-Amz-Expires"][0]), signed


def test_the_print_batch_is_files_of_at_most_500_letters_in_s3_listed_with_links_that_expire(region, monkeypatch):
    # Given an evening with 501 paper letters from the clinic and 2 from the health centre
    evening = _evening()
    batch = clock.stockholm_date(evening)
    _letters(KA, "Hjärtmottagningen", 501, batch, evening)
    _letters(VC, "Vårdcentralen Norrby", 2, batch, evening)
    vendor = issue_key(ports(), system_name="Tryckeri", allowed_units={KA, VC}, scopes={"print"}, now=evening)
    clinic_only = issue_key(ports(), system_name="Tryckeri KA", allowed_units={KA}, scopes={"print"}, now=evening)
    headers = {"Authorization": f"Bearer {vendor}"}
    listed = region.client.http.get(f"/integration/v1/print-batches/{batch}", headers=headers).json_body
    assert listed == {"batch_date": batch.isoformat(), "closed_at": None, "complete": False, "letters": 0, "files": []}
    # When the 18:30 job closes the batch and the print workers make its files
    _at(monkeypatch, evening + timedelta(minutes=30))
    made = region.client.lambda_.invoke("print_batch", {}).payload
    assert made == {"batch_date": batch.isoformat(), "letters": 503, "files": 3}
    region.follow_up()
    # Then the vendor lists three files, none over 500 letters, each of one unit, with five-minute links
    response = region.client.http.get(f"/integration/v1/print-batches/{batch}", headers=headers)
    assert response.status_code == 200 and response.headers["Content-Type"] == "application/json"
    assert b"%PDF" not in response.body  # no response carries a PDF
    listed = response.json_body
    assert listed["complete"] and listed["letters"] == 503
    assert [(f["unit_hsa_id"], f["part"], f["letters"]) for f in listed["files"]] == [(KA, 1, 500), (KA, 2, 1),
                                                                                      (VC, 1, 2)]  # fmt: skip
    for file in listed["files"]:
        seconds, signed = _expires_in(file["url"])
        assert seconds == file["expires_in"] == 300 and abs((signed - datetime.now(timezone.utc)).total_seconds()) < 60
        pdf = requests.get(file["url"], timeout=30)
        assert pdf.status_code == 200 and pdf.headers["Content-Type"] == "application/pdf"
        assert len(pypdf.PdfReader(io.BytesIO(pdf.content)).pages) == file["letters"]
    # And a key of one unit sees that unit's files only
    only = region.client.http.get(f"/integration/v1/print-batches/{batch}",
                                  headers={"Authorization": f"Bearer {clinic_only}"}).json_body  # fmt: skip
    assert {f["unit_hsa_id"] for f in only["files"]} == {KA} and only["letters"] == 501
    # And a letter written after the batch closed goes in the next evening's
    late = ports().print_letters.put(PrintLetterRecord(
        batch.isoformat(), f"{KA}#late-0001#1", citizen_id="late", unit_hsa_id=KA, unit_name="Hjärtmottagningen",
        address_lines=["Sen Person"], subject="Kallelse", body="Sent.", created_at=evening))  # fmt: skip
    assert late.batch_date == (batch + timedelta(days=1)).isoformat()
    assert len(list(PrintLetterRecord.query(batch.isoformat()))) == 503
    # And the job run again makes the same three files
    assert region.client.lambda_.invoke("print_batch", {"day": batch.isoformat()}).payload["files"] == 3


def test_staff_download_one_file_at_a_time_each_person_in_it_access_logged(region, monkeypatch):
    evening = _evening()
    batch = clock.stockholm_date(evening)
    _letters(KA, "Hjärtmottagningen", 3, batch, evening)
    region.client.lambda_.invoke("print_batch", {"day": batch.isoformat()})  # the evening's job, run for that day
    region.follow_up()
    eva = region.browser()
    eva.login("eva", "staff")
    page = eva.page(f"/staff/print-batch?unit={KA}&day={batch}")
    assert "Hämta fil 1 (PDF)" in page and "%PDF" not in page
    link = eva.get(f"/staff/print-batch/file?unit={KA}&day={batch}&part=1")
    assert link.status_code == 303
    seconds, _ = _expires_in(link.headers["Location"])
    assert seconds == 60
    logged = [e for n in range(3) for e in ports().access_log.of_citizen(f"print-{KA}-{n:04d}")]
    assert [(e.what, e.item_id) for e in logged] == [("print_batch", f"print-{n:04d}") for n in range(3)]
    assert eva.get(f"/staff/print-batch/file?unit={KA}&day={batch}&part=9").status_code == 404
    lisa = region.browser()
    lisa.login("lisa", "staff")  # no role at the clinic
    assert lisa.get(f"/staff/print-batch/file?unit={KA}&day={batch}&part=1").status_code == 403
