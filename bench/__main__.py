"""`make bench`: figures, not timed tests.

1. The cold start on the built asset (`make asset`: out/asset, as Lambda unpacks it): `import app`
   beside `import boto3` from the runtime's SDK, and each scheduled or stream function's own
   handler, in fresh interpreters with only the asset and the SDK on sys.path; the asset's size.
   `python -m bench cold-start` prints only these.
2. DynamoDB calls made by one citizen login, one staff login, and the start pages after them;
   by delivering a message (to an adult, to a child under 13, with S3 calls for one attachment), listing the inbox and opening a thread;
   by publishing slots, listing free times, booking, rebooking and cancelling; by ordering a self-test
   kit, shipping it and posting a negative and a positive result; by a unit's case queue, opening a
   case and answering it; the staff tool's queue with 200 open cases, per view and paged (bench/staff_queue.py);
   the Tidbok's day grid with 40 times and 20 bookings, its week, the move page (bench/staff_tidbok.py).
3. Every list page with 10 items of history beside the same page with 400 (1,000 slots for free times):
   requests and items read (bench/page_costs.py); and the botocore sessions and clients 2 and 3 made.
4. The evening release of 30,000 summonses against moto in server mode, through the SQS fan-out, with the
   print batch and the notification dispatch after it (bench/summons_release.py); one form sent to 1,000
   people (bench/form_dispatch.py); the journal's pages against the demo care systems (bench/journal_page.py);
   a simulated month of earlier-time offers at one unit: offers, accepts, days gained, requests per offer
   (bench/earlier_times.py).
5. The usage statistics: DynamoDB requests per 1,000 counted events (and per 1,000 redelivered), and per
   statistics page and CSV (bench/usage_counts.py).
"""

from __future__ import annotations

import collections
import os
import statistics
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUNS = 7
ASSET = ROOT / "out" / "asset"  # make asset (infra/asset.py)
RUNTIME_SDK = ROOT / "out" / "runtime-sdk"  # stands in for the Lambda runtime's boto3 and botocore
COLD_START_GOAL = 1.3  # import app at most 1.3 x import boto3


def _cold_import(statement: str, paths: list[Path]) -> tuple[float, float]:
    """CPU and wall seconds of `statement` (imports) in a fresh interpreter that sees only `paths` and the
    standard library (-S: no site-packages), writing no bytecode (-B), as Lambda's /var/task is read-only."""
    code = (f"import sys, time; sys.path[:0] = {[str(p) for p in paths]!r}; "
            f"c, w = time.process_time(), time.perf_counter(); {statement}; "
            "print(time.process_time() - c, time.perf_counter() - w)")  # fmt: skip
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")} | {"PYTHONDONTWRITEBYTECODE": "1"}
    out = subprocess.run([sys.executable, "-S", "-s", "-B", "-c", code], cwd=paths[0], env=env,
                         capture_output=True, text=True, check=True).stdout.split()  # fmt: skip
    return float(out[-2]), float(out[-1])


def cold_start(asset: Path = ASSET, runs: int = RUNS) -> dict[str, tuple[float, float]]:
    """Median CPU and wall seconds per case, the cases interleaved so that a busy machine slows all alike:
    the baseline, `import app`, each scheduled, stream or queue function's handler, and `import app` with
    each route area's module (what the API function imports before its first request in that area)."""
    from chalicelib.api.areas import AREAS
    from chalicelib.functions import HANDLERS

    sdk, both = [RUNTIME_SDK], [asset, RUNTIME_SDK]
    cases = {"boto3": ("import boto3", sdk), "app": ("import app", both)}
    for handler in sorted(HANDLERS.values()):
        module = handler.rsplit(".", 1)[0]
        cases[module] = (f"import {module}", both)
    for module, _ in AREAS:
        cases[f"app + {module}"] = (f"import app, {module}", both)
    samples: dict[str, list[tuple[float, float]]] = {label: [] for label in cases}
    for statement, paths in cases.values():
        _cold_import(statement, paths)  # the file system's cache, as a warm Lambda host has it
    for _ in range(runs):
        for label, (statement, paths) in cases.items():
            samples[label].append(_cold_import(statement, paths))
    return {m: (statistics.median(c for c, _ in s), statistics.median(w for _, w in s)) for m, s in samples.items()}


def import_times() -> None:
    if not (ASSET / "app.py").is_file() or not RUNTIME_SDK.is_dir():
        print("Cold start: no built asset in out/asset; run `make asset` (make bench does).")
        return
    from infra.asset import MAX_UNZIPPED_BYTES, report

    figures = report(ASSET.parent / "asset.zip")
    mb = 1_000_000
    print(f"Asset (out/asset.zip): {figures['unzipped_bytes'] / mb:.1f} MB unzipped (limit "
          f"{MAX_UNZIPPED_BYTES / mb:.0f} MB), {figures['zipped_bytes'] / mb:.1f} MB zipped, "
          f"{figures['pyc_files']} compiled modules for {figures['py_files']} sources")  # fmt: skip
    times = cold_start()
    print(f"Cold start on the built asset, median of {RUNS} fresh interpreters (only the asset and the runtime's SDK "
          "on sys.path, no bytecode written), CPU / wall:")  # fmt: skip
    (sdk_cpu, sdk_wall) = times["boto3"]
    for module, (cpu, wall) in times.items():
        label = f"import {module}" + ("  (the runtime's SDK)" if module == "boto3" else "")
        print(f"  {label:<62} {cpu * 1000:7.1f} ms / {wall * 1000:7.1f} ms  {cpu / sdk_cpu:4.2f}x")
    app_cpu, app_wall = times["app"]
    print(f"  cold-start ratio, import app / import boto3: {app_cpu / sdk_cpu:.2f}x CPU, "
          f"{app_wall / sdk_wall:.2f}x wall  (goal at most {COLD_START_GOAL}x)")  # fmt: skip
    first = {label: figures for label, figures in times.items() if label.startswith("app + ")}
    heaviest = max(first, key=lambda label: first[label][0])
    print(f"  before a first request (import app and its area): {min(c for c, _ in first.values()) / sdk_cpu:.2f}x "
          f"to {first[heaviest][0] / sdk_cpu:.2f}x CPU ({heaviest.removeprefix('app + ')})")  # fmt: skip
    code = (f"import sys; sys.path[:0] = {[str(ASSET), str(RUNTIME_SDK)]!r}; import app; "
            "print(*(m in sys.modules for m in ('boto3', 'botocore', 'jinja2', 'fpdf')))")  # fmt: skip
    loaded = subprocess.run([sys.executable, "-S", "-B", "-c", code], cwd=ASSET, capture_output=True, text=True,
                            check=True).stdout.split()  # fmt: skip
    print(f"  importing app loads boto3: {loaded[0]}, botocore: {loaded[1]}, jinja2: {loaded[2]}, fpdf2: {loaded[3]}")
    parts = [_import_parts() for _ in range(RUNS)]
    botocore_ms, classes_ms, classes, rest_ms = (statistics.median(p[i] for p in parts) for i in range(4))
    print(f"  where the start page's first imports go (app and chalicelib.api.pages): botocore {botocore_ms:.0f} ms "
          f"(boto3 pays it too), creating {classes:.0f} "
          f"dataclasses (nearly all the app's) {classes_ms:.0f} ms, the rest {rest_ms:.0f} ms")  # fmt: skip


_PARTS = """
import sys, time
sys.path[:0] = {paths!r}
import dataclasses
spent, made = [0.0], [0]
process_class = dataclasses._process_class
def timed(*args, **kwargs):  # measuring only: the time Python spends making each dataclass
    start = time.process_time()
    try:
        return process_class(*args, **kwargs)
    finally:
        spent[0] += time.process_time() - start
        made[0] += 1
dataclasses._process_class = timed
start = time.process_time()
import botocore.session
botocore_s = time.process_time() - start
spent[0], made[0] = 0.0, 0
start = time.process_time()
import app, chalicelib.api.pages
rest = time.process_time() - start
print(botocore_s * 1000, spent[0] * 1000, made[0], (rest - spent[0]) * 1000)
"""


def _import_parts() -> list[float]:
    code = _PARTS.format(paths=[str(ASSET), str(RUNTIME_SDK)])
    out = subprocess.run([sys.executable, "-S", "-B", "-c", code], cwd=ASSET, capture_output=True, text=True,
                         check=True).stdout.split()  # fmt: skip
    return [float(x) for x in out[-4:]]


@contextmanager
def counting_dynamodb_calls(services: tuple[str, ...] = ("dynamodb",)):
    import botocore.client

    calls: collections.Counter[str] = collections.Counter()
    original = botocore.client.BaseClient._make_api_call

    def counted(self, operation_name, api_params):
        service = self.meta.service_model.service_name
        if service in services:
            calls[operation_name if service == "dynamodb" else f"{service}:{operation_name}"] += 1
        return original(self, operation_name, api_params)

    botocore.client.BaseClient._make_api_call = counted
    try:
        yield calls
    finally:
        botocore.client.BaseClient._make_api_call = original


def _by_moto() -> bool:
    frame = sys._getframe(2)
    while frame is not None:
        if "/moto/" in frame.f_code.co_filename:
            return True
        frame = frame.f_back
    return False


def _counting_botocore_sessions_and_clients() -> collections.Counter[str]:
    """From now on in this process, count the botocore sessions and clients made (moto's own aside)."""
    import botocore.session

    made: collections.Counter[str] = collections.Counter()
    init, create_client = botocore.session.Session.__init__, botocore.session.Session.create_client

    def counted_init(self, *args, **kwargs):
        made["sessions"] += not _by_moto()
        init(self, *args, **kwargs)

    def counted_create_client(self, *args, **kwargs):
        made["clients"] += not _by_moto()
        return create_client(self, *args, **kwargs)

    botocore.session.Session.__init__ = counted_init
    botocore.session.Session.create_client = counted_create_client
    return made


def _describe(calls: collections.Counter[str]) -> str:
    return f"{sum(calls.values()):2d}  ({', '.join(f'{k} {v}' for k, v in sorted(calls.items()))})"


def login_calls() -> None:
    from bench.region import demo_region
    from chalicelib.domain.clock import stockholm_date, utc_now
    from demo import region_demo
    from tests.integration.harness import Browser, choose_at_provider, path_of

    made = _counting_botocore_sessions_and_clients()
    with demo_region() as (client, key):
        today = stockholm_date(utc_now())
        print("DynamoDB calls (moto in process, Region Demo):")
        for label, sub, audience, start in (
            ("citizen login (guardian)", "karin", "citizen", "/"),
            ("staff login", "eva", "staff", "/staff"),
        ):
            browser = Browser(client)
            with counting_dynamodb_calls() as calls:
                begin = browser.start_login(audience)
            print(f"  {label:<28} /login        {_describe(calls)}")
            callback = choose_at_provider(begin, sub, opener=browser.provider)
            with counting_dynamodb_calls() as calls:
                assert browser.get(path_of(callback)).status_code == 303
            print(f"  {label:<28} callback      {_describe(calls)}")
            with counting_dynamodb_calls() as calls:
                browser.page(start)
            print(f"  {label:<28} start page    {_describe(calls)}")
        _inbox_calls(client, key, region_demo.citizens(today))
        _booking_calls(client, key, today)
        _self_test_calls(client, key)
        _case_calls(client)
        from bench.page_costs import page_costs
        from bench.staff_queue import queue_calls
        from bench.staff_tidbok import tidbok_calls

        queue_calls(client)
        tidbok_calls(client)
        page_costs(client, key)
    print(f"botocore sessions / clients the app made for all of the above: {made['sessions']} / {made['clients']}"
          " (one session for the container; one DynamoDB client for every table, one per other service)")  # fmt: skip


def _inbox_calls(client, key: str, citizens) -> None:
    """A citizen with ten messages in three threads lists the inbox and opens one."""
    import json

    from tests.integration.harness import Browser

    import requests

    anna = next(c for c in citizens if c.sub == "anna")
    browser = Browser(client)
    browser.login("anna")

    def post(path: str, body: dict, idempotency_key: str | None) -> dict:
        headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        response = client.http.post(path, headers=headers, body=json.dumps(body).encode())
        assert response.status_code == 201, response.body
        return response.json_body

    ids = []
    for n in range(10):
        body = {"sender_unit_hsa_id": "SE2321000099-VC01", "personnummer": anna.personnummer,
                "topic": f"Ämne {n % 3}", "subject": f"Meddelande {n}", "body": "Hej!"}  # fmt: skip
        with counting_dynamodb_calls(("dynamodb", "s3")) as calls:
            ids.append(post("/integration/v1/messages", body, f"bench-{n:04d}")["message_id"])
        if n == 0:
            print(f"  {'deliver a message':<28} POST          {_describe(calls)}")
    # A child under 13: the register read names the guardians, whose accounts come with the child's in
    # one BatchGetItem (Karin, logged in above, reads Elsa's inbox and is told).
    elsa = next(c for c in citizens if c.sub == "elsa")
    body = {"sender_unit_hsa_id": "SE2321000099-VC01", "personnummer": elsa.personnummer, "topic": "Vaccination",
            "subject": "Till Elsa", "body": "Hej!"}  # fmt: skip
    with counting_dynamodb_calls(("dynamodb", "s3")) as calls:
        post("/integration/v1/messages", body, "bench-child")
    print(f"  {'deliver to a child (9)':<28} POST          {_describe(calls)}")
    pdf = b"%PDF-1.4\n" + b"0" * 200_000
    with counting_dynamodb_calls(("dynamodb", "s3")) as calls:
        slot = post("/integration/v1/attachments", {"sender_unit_hsa_id": "SE2321000099-VC01", "filename": "a.pdf",
                                                    "content_type": "application/pdf", "size_bytes": len(pdf)}, None)
    print(f"  {'attachment upload slot':<28} POST          {_describe(calls)}")
    requests.post(slot["upload"]["url"], data=slot["upload"]["fields"], files={"file": ("a.pdf", pdf)}, timeout=10)
    body = {"sender_unit_hsa_id": "SE2321000099-VC01", "personnummer": anna.personnummer, "topic": "Bilaga",
            "subject": "Med bilaga", "body": "Hej!", "attachments": [slot["attachment_id"]]}  # fmt: skip
    with counting_dynamodb_calls(("dynamodb", "s3")) as calls:
        post("/integration/v1/messages", body, "bench-attachment")
    print(f"  {'deliver with 1 attachment':<28} POST          {_describe(calls)}")
    with counting_dynamodb_calls() as calls:
        browser.page("/inbox")
    print(f"  {'inbox, 10 messages':<28} list          {_describe(calls)}")
    with counting_dynamodb_calls() as calls:
        browser.get("/api/v1/inbox")
    print(f"  {'inbox, 10 messages':<28} API list      {_describe(calls)}")
    with counting_dynamodb_calls() as calls:
        browser.page(f"/inbox/{ids[-1]}")
    print(f"  {'inbox, thread of 4 unread':<28} open          {_describe(calls)}")


def _booking_calls(client, key: str, today) -> None:
    """A citizen lists free times, books, rebooks and cancels (DynamoDB, Scheduler and S3 calls)."""
    import json
    from datetime import datetime, time, timedelta

    from chalicelib.domain.clock import STOCKHOLM
    from tests.integration.harness import Browser

    day = today + timedelta(days=3)
    starts = [datetime.combine(day, time(9, 0), tzinfo=STOCKHOLM) + timedelta(minutes=30 * n) for n in range(16)]
    slots = [{"slot_id": f"b{n}", "visit_type_id": "sjukskoterska", "start": start.isoformat(),
              "end": (start + timedelta(minutes=30)).isoformat()} for n, start in enumerate(starts)]  # fmt: skip
    with counting_dynamodb_calls() as calls:
        client.http.put("/integration/v1/units/SE2321000099-VC01/slots",
                        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
                        body=json.dumps({"from": day.isoformat(), "to": day.isoformat(), "slots": slots}).encode())
    print(f"  {'publish 16 slots (PUT)':<28} first         {_describe(calls)}")
    browser = Browser(client)
    browser.login("anna")
    services = ("dynamodb", "scheduler", "s3")
    with counting_dynamodb_calls() as calls:
        browser.page(f"/book?unit=SE2321000099-VC01&visit_type=sjukskoterska&day={day.isoformat()}")
    print(f"  {'free times, one day':<28} page          {_describe(calls)}")
    csrf = browser.csrf_token()
    with counting_dynamodb_calls(services) as calls:
        response = browser.post_form("/book", {"csrf_token": csrf, "slot": "SE2321000099-VC01/b0"})
    booking_id = response.headers["Location"].split("?")[0].rsplit("/", 1)[1]
    print(f"  {'book':<28} POST          {_describe(calls)}")
    with counting_dynamodb_calls(services) as calls:
        browser.post_form(f"/bookings/{booking_id}/rebook", {"csrf_token": csrf, "slot": "SE2321000099-VC01/b5"})
    print(f"  {'rebook':<28} POST          {_describe(calls)}")
    with counting_dynamodb_calls(services) as calls:
        browser.post_form(f"/bookings/{booking_id}/cancel", {"csrf_token": csrf})
    print(f"  {'cancel':<28} POST          {_describe(calls)}")


def _self_test_calls(client, key: str) -> None:
    """A citizen orders a kit; the lab ships it and posts a negative and a positive result."""
    import json
    import re

    from tests.integration.harness import Browser

    def lab(method: str, path: str, body: dict | None, idempotency_key: str | None = None):
        headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        return client.http.request(method, path, headers=headers, body=json.dumps(body).encode() if body else b"")

    services = ("dynamodb", "s3")
    for sub, outcome in (("karin", "negative"), ("maja", "positive")):
        browser = Browser(client)
        browser.login(sub)
        page = browser.page("/self-tests/klamydia-gonorre")
        form = {n: re.search(rf'name="{n}" value="([^"]+)"', page).group(1) for n in ("csrf_token", "submission_id")}
        with counting_dynamodb_calls(services) as calls:
            browser.post_form("/self-tests/klamydia-gonorre", {**form, "delivery": "pickup",
                                                                "pickup_point": "Apoteket Norrby, Norrbygatan 2"})
        print(f"  {'order a kit':<28} POST          {_describe(calls)}")
        order_id = lab("GET", "/integration/v1/kit-orders?status=ordered", None).json_body["orders"][-1]["order_id"]
        with counting_dynamodb_calls(services) as calls:
            lab("POST", f"/integration/v1/kit-orders/{order_id}/sent", {"kit_number": f"B-{sub}"})
        print(f"  {'mark a kit sent':<28} POST          {_describe(calls)}")
        body = {"order_id": order_id, "analyses": [{"analysis": "chlamydia", "outcome": outcome},
                                                   {"analysis": "gonorrhoea", "outcome": "negative"}]}  # fmt: skip
        with counting_dynamodb_calls(services) as calls:
            assert lab("POST", "/integration/v1/lab-results", body, f"bench-lab-{sub}").status_code == 201
        print(f"  {outcome + ' result':<28} POST          {_describe(calls)}")


def _case_calls(client) -> None:
    """Ten cases in a unit's queue; staff list the queue, open, take and answer one."""
    import re
    import urllib.parse

    from tests.integration.harness import Browser

    citizen = Browser(client)
    citizen.login("anna")
    for n in range(10):
        page = citizen.page("/contact/SE2321000099-VC01/skicka-meddelande")
        form = {k: re.search(rf'name="{k}" value="([^"]+)"', page).group(1) for k in ("csrf_token", "submission_id")}
        citizen.post_form("/contact/SE2321000099-VC01/skicka-meddelande",
                          {**form, "q-fraga": f"Fråga {n}", "accept_terms": "yes"})  # fmt: skip
    staff = Browser(client)
    staff.login("eva", "staff")
    with counting_dynamodb_calls() as calls:
        page = staff.page("/staff/cases?unit=SE2321000099-VC01")
    print(f"  {'case queue, 10 open':<28} page          {_describe(calls)}")
    case_id = re.search(r'href="/staff/cases/([0-9a-f-]{36})"', page).group(1)
    csrf = staff.csrf_token("/api/v1/staff/me")
    with counting_dynamodb_calls() as calls:
        staff.page(f"/staff/cases/{case_id}")
    print(f"  {'open a case':<28} page          {_describe(calls)}")
    staff.post_form(f"/staff/cases/{case_id}/take", {"csrf_token": csrf})
    with counting_dynamodb_calls() as calls:
        staff.post_form(f"/staff/cases/{case_id}/answer", {"csrf_token": csrf, "template": "answer",
                                                           "text": urllib.parse.quote("Svar")})  # fmt: skip
    print(f"  {'answer a case':<28} POST          {_describe(calls)}")


def main() -> None:
    import_times()
    if sys.argv[1:] == ["cold-start"]:  # python -m bench cold-start: only the figures above
        return
    login_calls()
    # One form to 1,000 people: requests per recipient, the follow-ups included (issue 19).
    subprocess.run([sys.executable, "-m", "bench.form_dispatch", "1000"], cwd=ROOT, check=True)
    # The journal's pages: requests to the care systems per page, and four slow sources at once (issue 20).
    subprocess.run([sys.executable, "-m", "bench.journal_page"], cwd=ROOT, check=True)
    # The usage statistics: requests per 1,000 counted events and per statistics page (issue 22).
    subprocess.run([sys.executable, "-m", "bench.usage_counts"], cwd=ROOT, check=True)
    # Earlier times: a simulated month at one unit, offers sent, accepted, days gained (issue 22).
    subprocess.run([sys.executable, "-m", "bench.earlier_times", "400"], cwd=ROOT, check=True)
    # The 30,000-summons release (Region Stockholm's heavy day) runs in a fresh interpreter with its own moto server.
    subprocess.run([sys.executable, "-m", "bench.summons_release", "30000"], cwd=ROOT, check=True)


if __name__ == "__main__":
    main()
