"""1177 Journalen's pages: requests to the care systems and to DynamoDB per page, and what a slow
source costs. The goal (issue 20): one request per resource type to a source per page, in parallel.

`python -m bench.journal_page`, also run by `make bench`. Region Demo in process (moto) with its two
demo care systems (real HTTP servers, local/care_system_fhir.py); then four sources that each hold
every type and answer after 200 ms, to show that a page costs the slowest source, not the sum.
"""

from __future__ import annotations

import os
import secrets
import statistics
import time
from datetime import date
from typing import Any

SLOW = 0.2  # seconds each source waits before it answers, in the second part
RUNS = 5


def _anna(ports: Any, today: date) -> Any:
    from chalicelib.domain.personnummer import parse
    from chalicelib.services.principals import CitizenPrincipal
    from demo.region_demo import citizens

    anna = next(c for c in citizens(today) if c.sub == "anna")
    return CitizenPrincipal(ports.identities.find(parse(anna.personnummer, today)), "Anna", None, None, "x")


def _pages(ports: Any, principal: Any, sources: dict[str, Any]) -> list[tuple[str, int, int, Any, float]]:
    """Per page: (name, requests to the sources, their resource types, DynamoDB cost, wall seconds)."""
    from bench.page_costs import counting
    from chalicelib.domain import clock
    from chalicelib.domain.journal import Category
    from chalicelib.services import journal

    rows = []
    pages = [(c.value, lambda c=c: journal.page(ports, principal, c, clock.utc_now())) for c in Category]
    pages.append(("care log", lambda: journal.care_log(ports, principal, clock.utc_now())))
    for name, show in pages:
        show()  # tokens fetched, connections open: a warm function
        walls = []
        for _ in range(RUNS):
            for source in sources.values():
                source.clear_requests()
            with counting() as dynamodb:
                started = time.perf_counter()
                show()
                walls.append(time.perf_counter() - started)
        asked = [r for s in sources.values() for r in s.requests if r[2] not in (None, "CapabilityStatement")]
        rows.append((name, len(asked), len({(r[1], r[2]) for r in asked}), dynamodb, statistics.median(walls)))
    return rows


def journal_page() -> None:
    from bench.region import demo_region
    from chalicelib.bootstrap import ports
    from chalicelib.domain.clock import stockholm_date, utc_now
    from local.care_system_fhir import CareSystemFhir, journal_environment, load_templates, running_demo_sources

    today = stockholm_date(utc_now())
    with running_demo_sources(today) as sources:
        os.environ.update(journal_environment(sources))
        with demo_region():
            principal = _anna(ports(), today)
            print("1177 Journalen, Anna's pages (Region Demo's two care systems, moto in process):")
            for name, asked, distinct, dynamodb, wall in _pages(ports(), principal, sources):
                print(f"  {name:<14} {asked} request(s) to the sources ({distinct} source×type), "
                      f"DynamoDB {dynamodb}, {wall * 1000:.0f} ms")  # fmt: skip

    # Four sources with every type, each answering after SLOW seconds: the page waits for the slowest.
    from demo.region_demo import citizens

    anna = next(c for c in citizens(today) if c.sub == "anna")
    hers = [r for source_id in ("cosmic", "lab") for r in load_templates(source_id, today)["anna"]]
    slow = {}
    for i in range(4):
        source = CareSystemFhir(f"Källa {i + 1}", {}, client_id="eservices-journal", client_secret=secrets.token_urlsafe(16))
        source.add(anna.personnummer, hers)
        slow[f"k{i + 1}"] = source
    _slow_sources(slow, today)


def _slow_sources(slow: dict[str, Any], today: date) -> None:
    import contextlib

    from bench.region import demo_region
    from chalicelib.bootstrap import ports
    from local.care_system_fhir import journal_environment

    with contextlib.ExitStack() as stack:
        for source in slow.values():
            source.start()
            stack.callback(source.stop)
        os.environ.update(journal_environment(slow))
        with demo_region():
            principal = _anna(ports(), today)
            for source in slow.values():
                source.delay(SLOW)
            rows = _pages(ports(), principal, slow)
    name, asked, _, _, wall = rows[0]
    print(f"Four sources holding every type, each answering after {SLOW * 1000:.0f} ms:")
    print(f"  the {name} page: {asked} requests, {wall * 1000:.0f} ms (one after another: "
          f"{asked * SLOW * 1000:.0f} ms)")  # fmt: skip


if __name__ == "__main__":
    journal_page()
