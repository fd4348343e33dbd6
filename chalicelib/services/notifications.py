"""Telling citizens that something new waits in the inbox, through the outbox.

A new item asks for a notification on each verified channel (coalesced: one per 15 minutes,
SMS held to 08:00–21:00 Stockholm). The dispatcher, run every minute by the schedule in
schedules/, sends what is due; a failure is retried with backoff, and after the last try the
operators see it (an error log line and the NotificationGaveUp metric). The message stays in
the inbox whatever happens here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from chalicelib.adapters.tables import Account
from chalicelib.domain.notifications import Channel, earliest_send_time, email_text, sms_text
from chalicelib.observability import logger, record_metric
from chalicelib.services.ports import Ports

MAX_ATTEMPTS = 5


def _verified_addresses(account: Account) -> tuple[dict[Channel, str | None], str]:
    """Only the citizen's own verified addresses: never anything derived from the register."""
    return {Channel.EMAIL: account.email, Channel.SMS: account.sms}, account.language or "sv"


def notify_new_item(ports: Ports, account: Account, now: datetime) -> None:
    """A new item in the inbox of the account's holder (the account as just read)."""
    citizen_id = account.citizen_id
    addresses, _ = _verified_addresses(account)
    for channel, address in addresses.items():
        if address and ports.outbox.request(citizen_id, channel, earliest_send_time(channel, now), now):
            logger.info("notification queued", extra={"citizen_id": citizen_id, "channel": channel.value})


@dataclass
class DispatchResult:
    sent: int = 0
    retried: int = 0
    gave_up: int = 0
    skipped: int = 0


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, 8 minutes between tries."""
    return timedelta(minutes=2**attempts)


def dispatch_due(ports: Ports, now: datetime) -> DispatchResult:
    result = DispatchResult()
    login_url = f"{ports.settings.public_base_url}/"
    region = ports.settings.region_name
    for item in ports.outbox.due(now):
        if not ports.outbox.claim(item, now):
            result.skipped += 1  # another run has it
            continue
        addresses, lang = _verified_addresses(ports.accounts.get(item.citizen_id))
        address = addresses[item.channel]
        if address is None:
            ports.outbox.discard(item)
            continue
        window = earliest_send_time(item.channel, now)
        if window > now:  # a retry that fell outside the SMS hours waits for the morning
            ports.outbox.retry_at(item, window, failed=False)
            continue
        try:
            if item.channel is Channel.EMAIL:
                ports.messenger.send_email(address, *email_text(region, login_url, lang))
            else:
                ports.messenger.send_sms(address, sms_text(region, login_url, lang))
        except Exception as error:  # SES/SNS refused or timed out: the outbox keeps it
            if item.attempts + 1 >= MAX_ATTEMPTS:
                ports.outbox.give_up(item, now)
                logger.error("notification gave up", extra={"citizen_id": item.citizen_id,
                             "channel": item.channel.value, "error": type(error).__name__})  # fmt: skip
                record_metric("NotificationGaveUp")
                result.gave_up += 1
            else:
                ports.outbox.retry_at(item, now + backoff(item.attempts), failed=True)
                logger.warning("notification failed, will retry", extra={"citizen_id": item.citizen_id,
                               "channel": item.channel.value, "error": type(error).__name__})  # fmt: skip
                result.retried += 1
            continue
        ports.outbox.sent(item, now)
        record_metric("NotificationSent")
        result.sent += 1
    return result
