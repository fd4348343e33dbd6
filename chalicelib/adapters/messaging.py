"""E-mail through SES and SMS through SNS (botocore clients, created on first use).

A send either fails for sure (SES or SNS answered with an error, or was never reached: the caller
may retry) or its outcome is unknown (the connection broke or timed out after the request went out:
SES or SNS may have taken it). The second raises DeliveryUncertain, so the caller does not send the
same thing twice blindly. botocore's own retries are off for the same reason: a retried timeout
could be a second e-mail or SMS; the outbox retries the failures that are certain, with backoff.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from botocore.config import Config
from botocore.exceptions import ConnectionClosedError, ReadTimeoutError

from chalicelib.adapters import aws

_CLIENT_CONFIG = Config(retries={"mode": "standard", "total_max_attempts": 1}, connect_timeout=5, read_timeout=15)
_AFTER_SENDING = (ReadTimeoutError, ConnectionClosedError)  # the request went out; the answer did not come


class DeliveryUncertain(Exception):
    """SES or SNS may or may not have accepted the message."""


class Messenger:
    def __init__(self, email_sender: str, sms_sender_id: str) -> None:
        self._email_sender = email_sender
        self._sms_sender_id = sms_sender_id

    @cached_property
    def _ses(self) -> Any:
        return aws.client("sesv2", config=_CLIENT_CONFIG)

    @cached_property
    def _sns(self) -> Any:
        return aws.client("sns", config=_CLIENT_CONFIG)

    def send_email(self, to: str, subject: str, body: str) -> None:
        try:
            self._send_email(to, subject, body)
        except _AFTER_SENDING as error:
            raise DeliveryUncertain(type(error).__name__) from error

    def send_sms(self, phone: str, text: str) -> None:
        try:
            self._send_sms(phone, text)
        except _AFTER_SENDING as error:
            raise DeliveryUncertain(type(error).__name__) from error

    def _send_email(self, to: str, subject: str, body: str) -> None:
        self._ses.send_email(
            FromEmailAddress=self._email_sender,
            Destination={"ToAddresses": [to]},
            Content={"Simple": {"Subject": {"Data": subject, "Charset": "UTF-8"},
                                "Body": {"Text": {"Data": body, "Charset": "UTF-8"}}}},
        )  # fmt: skip

    def _send_sms(self, phone: str, text: str) -> None:
        self._sns.publish(
            PhoneNumber=phone,
            Message=text,
            MessageAttributes={
                "AWS.SNS.SMS.SenderID": {"DataType": "String", "StringValue": self._sms_sender_id},
                "AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"},
            },
        )
