"""A region in one process for integration tests: moto in process, Region Demo's OpenID providers,
Region Demo's data, and a cookie-keeping browser over chalice.test.Client (with its own cookie jar at
the providers, as a real browser has)."""

from __future__ import annotations

import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from datetime import date, datetime
from http.cookies import SimpleCookie
from typing import Any

from chalice.test import Client

from local.oidc_provider import choose_person, provider_opener


def choose_at_provider(authorization_url: str, sub: str, *, loa: str | None = None, opener: Any = None) -> str:
    """What a person does on the provider's page: pick a test person (and a level of assurance).
    Returns the callback URL. A fresh opener is a browser with no session at the provider."""
    return choose_person(opener or provider_opener()[0], authorization_url, sub, loa)


def path_of(url: str) -> str:
    parsed = urllib.parse.urlparse(url)
    return parsed.path + (f"?{parsed.query}" if parsed.query else "")


@dataclass
class Browser:
    client: Client
    cookies: dict[str, str] = field(default_factory=dict)
    provider: Any = field(default_factory=lambda: provider_opener()[0])  # the browser's cookies at the providers

    def _remember(self, response: Any) -> None:
        headers = {k.lower(): v for k, v in response.headers.items()}
        values = headers.get("set-cookie", [])
        for value in [values] if isinstance(values, str) else values:
            jar: SimpleCookie = SimpleCookie()
            jar.load(value)
            for name, morsel in jar.items():
                if morsel["max-age"] == "0":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value

    def request(self, method: str, path: str, *, headers: dict[str, str] | None = None, body: bytes = b"") -> Any:
        all_headers = dict(headers or {})
        if self.cookies:
            all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        response = self.client.http.request(method, path, headers=all_headers, body=body)
        self._remember(response)
        return response

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.request("GET", path, **kwargs)

    def post_form(self, path: str, fields: dict[str, str]) -> Any:
        return self.request(
            "POST",
            path,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            body=urllib.parse.urlencode(fields).encode(),
        )

    def start_login(self, audience: str = "citizen") -> str:
        response = self.get("/login" if audience == "citizen" else "/staff/login")
        assert response.status_code == 302, response.body
        return response.headers["Location"]

    def login(self, sub: str, audience: str = "citizen", *, loa: str | None = None) -> Any:
        callback = choose_at_provider(self.start_login(audience), sub, loa=loa, opener=self.provider)
        return self.get(path_of(callback))

    def page(self, path: str = "/") -> str:
        response = self.get(path)
        assert response.status_code == 200, (response.status_code, response.body[:500])
        return response.body.decode()

    def csrf_token(self, api_path: str = "/api/v1/me") -> str:
        return self.get(api_path).json_body["csrf_token"]


def follow_every_request(client: Client, consumer: Any) -> None:
    """The event consumer runs before and after every request, as if the stream's Lambda were
    instantaneous: a test sees every follow-up of what it did (and of what it did outside a request)."""
    original = client.http.request

    def request(*args: Any, **kwargs: Any) -> Any:
        consumer.drain()
        response = original(*args, **kwargs)
        consumer.drain()
        return response

    client.http.request = request  # type: ignore[method-assign]


@dataclass
class Region:
    client: Client
    integration_key: str
    today: date
    people: dict[str, Any]  # demo citizens by sub
    events: Any = None  # the event consumer (local/event_consumer.py)
    queues: Any = None  # the work queues' workers (local/queue_workers.py)

    def follow_up(self) -> int:
        """Run the follow-ups of every change made so far (outside a request: a scheduled run), and
        the work queues' workers, until neither has anything left."""
        total = self.events.drain()
        while self.queues is not None and self.queues.drain():
            total += self.events.drain()
        return total

    def browser(self) -> Browser:
        return Browser(self.client)

    def integration(self, method: str, path: str, body: Any, *, key: str | None = None,
                    idempotency_key: str | None = "k-00000001", raw: bytes | None = None) -> Any:  # fmt: skip
        import json

        headers = {"Content-Type": "application/json"}
        if key is not False:
            headers["Authorization"] = f"Bearer {key or self.integration_key}"
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        payload = raw if raw is not None else json.dumps(body).encode()
        return self.client.http.request(method, path, headers=headers, body=payload)


def add_to_register(region: Region, given_name: str, born: date, serial: str, *, guardians: tuple[str, ...] = (),
                    family_name: str = "Test") -> str:  # fmt: skip
    """A person the population register feed sends (guardians by demo sub); their personnummer."""
    from chalicelib.domain.personnummer import with_check_digit

    pnr = with_check_digit(born, serial)
    body = {"personnummer": pnr, "given_name": given_name, "family_name": family_name,
            "guardians": [region.people[g].personnummer for g in guardians]}  # fmt: skip
    response = region.integration("POST", "/integration/v1/population-register/persons", body,
                                  idempotency_key=f"person-{serial}-{born.isoformat()}")  # fmt: skip
    assert response.status_code == 200, response.body
    return pnr


def clock_at(monkeypatch: Any, browser: Browser, moment: datetime) -> None:
    """Move the app's clock to `moment`, the browser's session kept alive (not idle, not expired) there."""
    from datetime import timedelta

    from chalicelib.adapters.stores import sha256_hex
    from chalicelib.adapters.tables import SessionRecord
    from chalicelib.domain import clock

    monkeypatch.setattr(clock, "utc_now", lambda: moment)
    SessionRecord.get(sha256_hex(browser.cookies["sid"])).update(actions=[
        SessionRecord.last_seen_at.set(moment - timedelta(minutes=1)),
        SessionRecord.expires_at.set(moment + timedelta(hours=1))])  # fmt: skip


def on_working_day(days_ahead: int, hour: int, minute: int = 0):
    """A Stockholm time on the `days_ahead`-th working day from today (0: today): units are open on working days."""
    from datetime import datetime, time, timedelta

    from chalicelib.domain import clock
    from chalicelib.domain.case_due import is_working_day

    day = clock.stockholm_date(clock.utc_now())
    for _ in range(days_ahead):
        day += timedelta(days=1)
        while not is_working_day(day):
            day += timedelta(days=1)
    return datetime.combine(day, time(hour, minute), tzinfo=clock.STOCKHOLM)
