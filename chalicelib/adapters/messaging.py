"""E-mail through SES and SMS through SNS (botocore clients, created on first use)."""

from __future__ import annotations

from functools import cached_property
from typing import Any

import botocore.session


class Messenger:
    def __init__(self, email_sender: str, sms_sender_id: str) -> None:
        self._email_sender = email_sender
        self._sms_sender_id = sms_sender_id

    @cached_property
    def _ses(self) -> Any:
        return botocore.session.get_session().create_client("sesv2")

    @cached_property
    def _sns(self) -> Any:
        return botocore.session.get_session().create_client("sns")

    def send_email(self, to: str, subject: str, body: str) -> None:
        self._ses.send_email(
            FromEmailAddress=self._email_sender,
            Destination={"ToAddresses": [to]},
            Content={"Simple": {"Subject": {"Data": subject, "Charset": "UTF-8"},
                                "Body": {"Text": {"Data": body, "Charset": "UTF-8"}}}},
        )  # fmt: skip

    def send_sms(self, phone: str, text: str) -> None:
        self._sns.publish(
            PhoneNumber=phone,
            Message=text,
            MessageAttributes={
                "AWS.SNS.SMS.SenderID": {"DataType": "String", "StringValue": self._sms_sender_id},
                "AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"},
            },
        )
