"""Faults at SES and SNS (issue 16): a failure is retried and the message stays in the inbox; a
timeout after SES or SNS accepted the message (the outcome is unknown) is not retried blindly, so
nobody is told twice. Faults are injected in the botocore clients, as AWS would raise them."""

from __future__ import annotations

import logging
import re
from datetime import datetime, timedelta

import pytest
from botocore.exceptions import ClientError, ConnectionClosedError, EndpointConnectionError, ReadTimeoutError
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends
from moto.sns.models import sns_backends

from chalicelib.adapters.tables import NotificationRecord
from chalicelib.bootstrap import ports
from chalicelib.domain import clock
from chalicelib.domain.personnummer import parse
from chalicelib.observability import SERVICE
from chalicelib.services import notifications

CHANNELS = {"email": ("_ses", "send_email", "anna@example.se"), "sms": ("_sns", "publish", "0701234567")}


def _told(channel: str) -> list:
    if channel == "email":
        return [m for m in ses_backends[DEFAULT_ACCOUNT_ID]["eu-north-1"].sent_messages if "inkorg" in m.subject]
    return [m for m in sns_backends[DEFAULT_ACCOUNT_ID]["eu-north-1"].sms_messages.values() if "inkorg" in m[1]]


def _anna_with_verified(region, channel: str) -> str:
    browser = region.browser()
    browser.login("anna")
    headers = {"Content-Type": "application/json", "X-CSRF-Token": browser.csrf_token()}
    address = CHANNELS[channel][2]
    browser.request("POST", "/api/v1/settings/contact", headers=headers,
                    body=f'{{"channel": "{channel}", "address": "{address}"}}'.encode())  # fmt: skip
    if channel == "email":
        text = ses_backends[DEFAULT_ACCOUNT_ID]["eu-north-1"].sent_messages[-1].body
    else:
        text = list(sns_backends[DEFAULT_ACCOUNT_ID]["eu-north-1"].sms_messages.values())[-1][1]
    code = re.search(r"\b(\d{6})\b", text)[1]
    verified = browser.request("POST", "/api/v1/settings/contact/verify", headers=headers,
                               body=f'{{"channel": "{channel}", "code": "{code}"}}'.encode())  # fmt: skip
    assert verified.status_code == 200, verified.body
    return ports().identities.find(parse(region.people["anna"].personnummer, region.today))


def _deliver(region, key: str) -> str:
    body = {"sender_unit_hsa_id": "SE2321000099-VC01", "personnummer": region.people["anna"].personnummer,
            "topic": "Provsvar", "subject": "Ditt provsvar", "body": "Provet är normalt."}  # fmt: skip
    response = region.integration("POST", "/integration/v1/messages", body, idempotency_key=key)
    assert response.status_code == 201, response.body
    return response.json_body["message_id"]


def _inject(monkeypatch, channel: str, fault, *, after_sending: bool, times: int = 1) -> list:
    """The next `times` sends on the channel's botocore client raise `fault`: before the request goes
    out, or (after_sending) once SES/SNS has taken it."""
    client_name, method, _ = CHANNELS[channel]
    client = getattr(ports().messenger, client_name)
    real = getattr(client, method)
    calls = []

    def faulty(**kwargs):
        calls.append(kwargs)
        if len(calls) > times:
            return real(**kwargs)
        if after_sending:
            real(**kwargs)
        raise fault

    monkeypatch.setattr(client, method, faulty)
    return calls


def _ten_in_the_morning(monkeypatch) -> datetime:
    moment = datetime(2026, 11, 23, 10, 0, tzinfo=clock.STOCKHOLM).astimezone(clock.timezone.utc)
    monkeypatch.setattr(clock, "utc_now", lambda: moment)
    return moment


REFUSED_OR_UNREACHABLE = {
    "ses throttles": ("email", ClientError({"Error": {"Code": "TooManyRequestsException", "Message": "Rate exceeded"},
                                            "ResponseMetadata": {"HTTPStatusCode": 429}}, "SendEmail")),
    "ses internal error": ("email", ClientError({"Error": {"Code": "InternalFailure", "Message": "x"},
                                                 "ResponseMetadata": {"HTTPStatusCode": 500}}, "SendEmail")),
    "sns unreachable": ("sms", EndpointConnectionError(endpoint_url="https://sns.eu-north-1.amazonaws.com/")),
    "sns throttles": ("sms", ClientError({"Error": {"Code": "Throttling", "Message": "Rate exceeded"},
                                          "ResponseMetadata": {"HTTPStatusCode": 400}}, "Publish")),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(REFUSED_OR_UNREACHABLE))
def test_a_refused_or_unreached_send_is_retried_and_nothing_is_lost(region, monkeypatch, case):
    channel, fault = REFUSED_OR_UNREACHABLE[case]
    anna = _anna_with_verified(region, channel)
    now = _ten_in_the_morning(monkeypatch)
    message_id = _deliver(region, f"fault-{channel}-0001")
    calls = _inject(monkeypatch, channel, fault, after_sending=False, times=2)

    assert notifications.dispatch_due(ports(), now).retried == 1
    assert _told(channel) == [] and ports().inbox.unread_count(anna) == 1  # in the inbox regardless
    assert notifications.dispatch_due(ports(), now + timedelta(minutes=1)).retried == 1  # fails again
    assert notifications.dispatch_due(ports(), now + timedelta(minutes=2)).sent == 0  # backoff: not yet
    assert notifications.dispatch_due(ports(), now + timedelta(minutes=3)).sent == 1
    assert len(_told(channel)) == 1 and len(calls) == 3
    # Nothing further goes out, however often the dispatcher runs.
    for minute in range(4, 30):
        assert notifications.dispatch_due(ports(), now + timedelta(minutes=minute)).sent == 0
    assert len(_told(channel)) == 1
    assert [m.message_id for m in ports().inbox.inbox_of(anna)] == [message_id]


def _service_log(monkeypatch) -> list[logging.LogRecord]:
    """What the app's own logger says during the test, read from that logger itself rather than
    through pytest's caplog (propagation to the root logger)."""
    records: list[logging.LogRecord] = []
    handler = logging.Handler(logging.DEBUG)
    handler.emit = records.append  # type: ignore[method-assign]
    service = logging.getLogger(SERVICE)
    # In the whole run the service's logger has been found silent by then (disabled, as a logging
    # configuration loaded by another library does to loggers that exist): on for this test.
    monkeypatch.setattr(service, "disabled", False)
    monkeypatch.setattr(service, "level", logging.INFO)
    monkeypatch.setattr(service, "_cache", {})
    monkeypatch.setattr(logging.root.manager, "disable", logging.NOTSET)
    monkeypatch.setattr(service, "handlers", [*service.handlers, handler])  # the logger's own again after the test
    return records


AFTER_ACCEPTING = {
    "ses read timeout": ("email", ReadTimeoutError(endpoint_url="https://email.eu-north-1.amazonaws.com/")),
    "sns connection closed": ("sms", ConnectionClosedError(endpoint_url="https://sns.eu-north-1.amazonaws.com/")),
    "sns read timeout": ("sms", ReadTimeoutError(endpoint_url="https://sns.eu-north-1.amazonaws.com/")),
}


@pytest.mark.parametrize("case", sorted(AFTER_ACCEPTING))
def test_a_timeout_after_accepting_is_not_sent_again_and_operators_see_it(region, monkeypatch, capsys, case):
    channel, fault = AFTER_ACCEPTING[case]
    service_log = _service_log(monkeypatch)
    anna = _anna_with_verified(region, channel)
    now = _ten_in_the_morning(monkeypatch)
    _deliver(region, f"fault-{channel}-0002")
    calls = _inject(monkeypatch, channel, fault, after_sending=True)

    # The scheduled function queues it; a notification worker sends it (and is told it is uncertain).
    assert region.client.lambda_.invoke("dispatch_notifications", {}).payload == {"queued": 1}
    region.follow_up()
    assert len(_told(channel)) == 1  # SES/SNS took it before the connection broke
    for minute in range(1, 30):  # not blindly again, however often the dispatcher runs
        assert notifications.dispatch_due(ports(), now + timedelta(minutes=minute)).sent == 0
    assert len(_told(channel)) == 1 and len(calls) == 1
    assert ports().inbox.unread_count(anna) == 1  # and the message is in the inbox
    record = NotificationRecord.get(anna, channel)
    assert record.uncertain_at is not None and record.waiting is None
    assert '"NotificationUncertain":[1.0]' in capsys.readouterr().out
    assert any("notification outcome unknown" in r.getMessage() for r in service_log)
    # A new item after the 15-minute window is told as usual (and clears the uncertainty).
    later = now + timedelta(minutes=31)
    monkeypatch.setattr(clock, "utc_now", lambda: later)
    _deliver(region, f"fault-{channel}-0003")
    assert notifications.dispatch_due(ports(), later).sent == 1
    assert len(_told(channel)) == 2 and NotificationRecord.get(anna, channel).uncertain_at is None


def test_botocore_does_not_retry_a_send_itself(region):
    """A retry inside botocore after a timeout would be a second e-mail or SMS that nobody decided on."""
    messenger = ports().messenger
    for client in (messenger._ses, messenger._sns):
        assert client.meta.config.retries["total_max_attempts"] == 1


@pytest.mark.parametrize("fault", sorted(REFUSED_OR_UNREACHABLE))
def test_a_verification_code_the_provider_refuses_is_said_beside_the_field_not_a_500(region, monkeypatch, fault):
    channel, error = REFUSED_OR_UNREACHABLE[fault]
    browser = region.browser()
    browser.login("anna")
    _inject(monkeypatch, channel, error, after_sending=False)
    response = browser.post_form("/settings/contact", {"csrf_token": browser.csrf_token(), "channel": channel,
                                                       "address": CHANNELS[channel][2]})  # fmt: skip
    assert response.status_code == 503 and response.headers["Retry-After"] == "60"
    assert "Vi kunde inte skicka koden just nu. Försök igen om en stund." in response.body.decode()
    headers = {"Content-Type": "application/json", "X-CSRF-Token": browser.csrf_token()}
    answer = browser.request("POST", "/api/v1/settings/contact", headers=headers,
                             body=f'{{"channel": "{channel}", "address": "{CHANNELS[channel][2]}"}}'.encode())  # fmt: skip
    assert answer.status_code == 202  # the fault was once: the next try sends the code


def test_a_verification_code_that_may_have_gone_out_stands(region, monkeypatch):
    browser = region.browser()
    browser.login("anna")
    _inject(monkeypatch, "sms", ReadTimeoutError(endpoint_url="https://sns.eu-north-1.amazonaws.com/"),
            after_sending=True)  # fmt: skip
    response = browser.post_form("/settings/contact", {"csrf_token": browser.csrf_token(), "channel": "sms",
                                                       "address": "0701234567"})  # fmt: skip
    assert response.status_code == 303 and response.headers["Location"] == "/settings?done=code_sent"
    text = list(sns_backends[DEFAULT_ACCOUNT_ID]["eu-north-1"].sms_messages.values())[-1][1]
    code = re.search(r"\b(\d{6})\b", text)[1]  # it did arrive: the code it carries works
    verified = browser.post_form("/settings/contact/verify", {"csrf_token": browser.csrf_token(), "channel": "sms",
                                                              "code": code})  # fmt: skip
    assert verified.status_code == 303 and verified.headers["Location"] == "/settings?done=verified"
