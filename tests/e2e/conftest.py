"""The local stack over HTTP (moto server, OIDC test providers, the app) driven by Debian's
Chromium through Playwright. The stack runs exactly as `make run` starts it."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# Without the networking flags Chromium tries to reach the internet, which this machine refuses.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class LocalStack:
    base_url: str
    integration_key: str
    output: list[str]


@pytest.fixture(scope="session")
def stack() -> Iterator[LocalStack]:
    ports = {name: _free_port() for name in ("port", "moto-port", "citizen-idp-port", "staff-idp-port",
                                              "fhir-cosmic-port", "fhir-lab-port", "cert-receiver-port")}
    args = [sys.executable, "-m", "local.stack"] + [f"--{k}={v}" for k, v in ports.items()]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "TABLE_PREFIX"))}
    process = subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    output: list[str] = []
    deadline = time.monotonic() + 180  # a fresh clone's first start compiles bytecode, catalogues and the bold font
    assert process.stdout is not None
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line and process.poll() is not None:
            raise RuntimeError("the local stack exited:\n" + "".join(output))
        output.append(line)
        if line.strip() == "READY":
            break
    else:
        process.kill()
        raise RuntimeError("the local stack did not start in time:\n" + "".join(output))
    key = re.search(r"Demo integration key \(Authorization: Bearer …\): (\S+)", "".join(output))
    assert key, "".join(output)
    # Keep reading what the stack prints: a pipe nobody reads fills (64 KB of request and follow-up
    # logs) and the stack then blocks on its next log line, mid-request, until the tests time out.
    threading.Thread(target=lambda: output.extend(process.stdout), daemon=True).start()
    try:
        yield LocalStack(base_url=f"http://localhost:{ports['port']}", integration_key=key[1], output=output)
    finally:
        process.terminate()  # what Ctrl-C does: SIGTERM/SIGINT stop every server it started
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            raise


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="sv-SE")
    page = context.new_page()
    yield page
    context.close()


def open_from_inbox(page, base_url: str, link_name: str, timeout: float = 20) -> None:
    """A message a change causes comes from the event consumer a moment after the change (as from the
    stream's Lambda in AWS): reload the inbox, as a person would, until it is there, then open it."""
    deadline = time.monotonic() + timeout
    while True:
        page.goto(base_url + "/inbox")
        link = page.get_by_role("link", name=link_name)
        if link.count() or time.monotonic() > deadline:
            break
        time.sleep(0.3)
    link.first.click()
