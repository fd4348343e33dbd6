"""Notifications: only to verified addresses, saying nothing but that something waits; SMS
08:00-21:00 Stockholm; one per 15 minutes; retried when SES fails; never sent twice."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends
from moto.sns.models import sns_backends

from chalicelib.adapters.tables import NotificationRecord
from chalicelib.bootstrap import ports
from chalicelib.domain import clock
from chalicelib.domain.personnummer import parse
from chalicelib.services import notifications


def _emails() -> list:
    return [m for m in ses_backends[DEFAULT_ACCOUNT_ID]["eu-north-1"].sent_messages if "inkorg" in m.subject]


def _sms() -> list:
    return [m for m in sns_backends[DEFAULT_ACCOUNT_ID]["eu-north-1"].sms_messages.values() if "inkorg" in m[1]]


def _at(monkeypatch, *local) -> datetime:
    moment = datetime(*local, tzinfo=clock.STOCKHOLM).astimezone(clock.timezone.utc)
    monkeypatch.setattr(clock, "utc_now", lambda: moment)
    return moment


def _verified_citizen(region, channel: str, address: str):
    browser = region.browser()
    browser.login("anna")
    headers = {"Content-Type": "application/json", "X-CSRF-Token": browser.csrf_token()}
    browser.request("POST", "/api/v1/settings/contact", headers=headers,
                    body=f'{{"channel": "{channel}", "address": "{address}"}}'.encode())  # fmt: skip
    if channel == "email":
        code = re.search(r"\b(\d{6})\b", ses_backends[DEFAULT_ACCOUNT_ID]["eu-north-1"].sent_messages[-1].body)[1]
    else:
        code = re.search(r"\b(\d{6})\b", list(sns_backends[DEFAULT_ACCOUNT_ID]["eu-north-1"].sms_messages.values())[-1][1])[1]
    browser.request("POST", "/api/v1/settings/contact/verify", headers=headers,
                    body=f'{{"channel": "{channel}", "code": "{code}"}}'.encode())  # fmt: skip
    return browser


def _deliver(region, key: str, subject: str = "Ditt provsvar"):
    body = {"sender_unit_hsa_id": "SE2321000099-HS01", "personnummer": region.people["anna"].personnummer,
            "topic": "Provsvar klamydia", "subject": subject, "body": "Provet visar klamydia."}  # fmt: skip
    response = region.integration("POST", "/integration/v1/messages", body, idempotency_key=key)
    assert response.status_code == 201, response.body
    return response


def test_a_new_message_gives_one_email_that_names_nothing(region, monkeypatch):
    _verified_citizen(region, "email", "anna@example.se")
    now = _at(monkeypatch, 2026, 11, 23, 10, 0)
    _deliver(region, "notify-0001")
    assert notifications.dispatch_due(ports(), now).sent == 1
    (email,) = _emails()
    assert email.destinations["ToAddresses"] == ["anna@example.se"]
    text = email.subject + email.body
    for secret in ("Hud", "STI", "klamydia", "provsvar", "Provsvar", "Anna", "Andersson"):
        assert secret not in text
    assert "http://localhost:8000/" in email.body


def test_a_repeated_delivery_and_an_overlapping_run_send_nothing_twice(region, monkeypatch):
    _verified_citizen(region, "email", "anna@example.se")
    now = _at(monkeypatch, 2026, 11, 23, 10, 0)
    _deliver(region, "notify-0002")
    _deliver(region, "notify-0002")  # the care system retried
    first = notifications.dispatch_due(ports(), now)
    second = notifications.dispatch_due(ports(), now)  # an overlapping or repeated run
    assert (first.sent, second.sent) == (1, 0)
    assert len(_emails()) == 1


def test_several_items_within_15_minutes_give_one_notification(region, monkeypatch):
    _verified_citizen(region, "email", "anna@example.se")
    start = _at(monkeypatch, 2026, 11, 23, 10, 0)
    _deliver(region, "notify-0101", "Ett")
    notifications.dispatch_due(ports(), start)
    _at(monkeypatch, 2026, 11, 23, 10, 14)
    _deliver(region, "notify-0102", "Två")
    notifications.dispatch_due(ports(), start + timedelta(minutes=14))
    assert len(_emails()) == 1
    later = _at(monkeypatch, 2026, 11, 23, 10, 15)
    _deliver(region, "notify-0103", "Tre")
    notifications.dispatch_due(ports(), later)
    assert len(_emails()) == 2


@pytest.mark.parametrize(
    ("delivered", "too_early", "on_time"),
    [
        ((2026, 11, 23, 21, 0), (2026, 11, 24, 7, 59), (2026, 11, 24, 8, 0)),
        ((2026, 11, 24, 7, 59), (2026, 11, 24, 7, 59, 59), (2026, 11, 24, 8, 0)),
        ((2026, 3, 28, 22, 30), (2026, 3, 29, 7, 59), (2026, 3, 29, 8, 0)),  # the night DST starts
        ((2026, 10, 24, 23, 0), (2026, 10, 25, 7, 59), (2026, 10, 25, 8, 0)),  # the night DST ends
    ],
)
def test_sms_outside_0800_2100_wait_for_the_morning(region, monkeypatch, delivered, too_early, on_time):
    _verified_citizen(region, "sms", "0701234567")
    _at(monkeypatch, *delivered)
    _deliver(region, "notify-sms-" + "-".join(map(str, delivered)))
    early = datetime(*too_early, tzinfo=clock.STOCKHOLM)
    assert notifications.dispatch_due(ports(), early).sent == 0
    assert notifications.dispatch_due(ports(), datetime(*on_time, tzinfo=clock.STOCKHOLM)).sent == 1
    (sms,) = _sms()
    assert sms[0] == "+46701234567" and "klamydia" not in sms[1]


def test_an_sms_at_2059_goes_at_once(region, monkeypatch):
    _verified_citizen(region, "sms", "0701234567")
    now = _at(monkeypatch, 2026, 11, 23, 20, 59)
    _deliver(region, "notify-sms-2059")
    assert notifications.dispatch_due(ports(), now).sent == 1


def test_an_ses_failure_is_retried_later_and_the_message_stays_in_the_inbox(region, monkeypatch):
    _verified_citizen(region, "email", "anna@example.se")
    now = _at(monkeypatch, 2026, 11, 23, 10, 0)
    _deliver(region, "notify-fail-1")
    messenger = ports().messenger
    real_send = messenger.send_email
    calls = []

    def failing_once(*args):
        calls.append(args)
        if len(calls) == 1:
            raise ConnectionError("SES unavailable")
        return real_send(*args)

    monkeypatch.setattr(messenger, "send_email", failing_once)
    assert notifications.dispatch_due(ports(), now).retried == 1
    assert _emails() == []
    anna_id = ports().identities.find(parse(region.people["anna"].personnummer, region.today))
    assert ports().inbox.unread_count(anna_id) == 1  # the message is in the inbox regardless
    assert notifications.dispatch_due(ports(), now + timedelta(seconds=30)).sent == 0  # backoff: not yet
    assert notifications.dispatch_due(ports(), now + timedelta(minutes=1)).sent == 1
    assert len(_emails()) == 1


def test_after_the_last_try_the_operators_see_the_failure(region, monkeypatch, capsys):
    _verified_citizen(region, "email", "anna@example.se")
    now = _at(monkeypatch, 2026, 11, 23, 10, 0)
    _deliver(region, "notify-fail-2")

    def always_failing(*args):
        raise ConnectionError("SES unavailable")

    tries = []
    monkeypatch.setattr(ports().messenger, "send_email", lambda *args: tries.append(args) or always_failing())
    queued = []
    for minute in range(0, 60):  # the scheduled function, once a minute for an hour, then the workers
        moment = now + timedelta(minutes=minute)
        monkeypatch.setattr(clock, "utc_now", lambda moment=moment: moment)
        queued.append(region.client.lambda_.invoke("dispatch_notifications", {}).payload["queued"])
        region.follow_up()
    assert len(tries) == sum(queued) == notifications.MAX_ATTEMPTS  # 1, 2, 4 and 8 minutes apart
    record = NotificationRecord.get(ports().identities.find(parse(region.people["anna"].personnummer, region.today)),
                                    "email")  # fmt: skip
    assert record.failed_at is not None and record.waiting is None
    assert '"NotificationGaveUp":[1.0]' in capsys.readouterr().out


def test_no_verified_address_no_notification(region, monkeypatch):
    browser = region.browser()
    browser.login("anna")
    now = _at(monkeypatch, 2026, 11, 23, 10, 0)
    _deliver(region, "notify-none-1")
    assert notifications.dispatch_due(ports(), now).sent == 0
    assert _emails() == [] and _sms() == []


def test_the_scheduled_function_dispatches(region, monkeypatch):
    import app

    _verified_citizen(region, "email", "anna@example.se")
    _at(monkeypatch, 2026, 11, 23, 10, 0)
    _deliver(region, "notify-lambda-1")
    assert region.client.lambda_.invoke("dispatch_notifications", {}).payload["queued"] == 1
    assert _emails() == []  # queued for the notification workers, which send it
    region.follow_up()
    assert len(_emails()) == 1
    del app


def test_due_times_compare_in_utc_whatever_zone_the_clock_reports(region, monkeypatch):
    # An e-mail due at 10:00 Stockholm (09:00 UTC) is not due at 09:30 UTC written as 10:30+01:00 minus an hour.
    from chalicelib.domain.notifications import Channel

    outbox = ports().outbox
    due = datetime(2026, 11, 23, 10, 0, tzinfo=clock.STOCKHOLM)
    assert outbox.request("someone", Channel.EMAIL, due, due)
    assert outbox.due(datetime(2026, 11, 23, 9, 59, tzinfo=clock.STOCKHOLM)) == []
    assert outbox.due(datetime(2026, 11, 23, 8, 59, tzinfo=clock.timezone.utc)) == []
    assert len(outbox.due(datetime(2026, 11, 23, 9, 0, tzinfo=clock.timezone.utc))) == 1
