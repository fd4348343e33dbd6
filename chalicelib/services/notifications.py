"""Telling citizens that something new waits in an inbox they read (their own, or a child's they
act for), through the outbox.

A new item asks for a notification on each verified channel (coalesced: one per 15 minutes,
SMS held to 08:00–21:00 Stockholm). The dispatcher, run every minute by the schedule in
schedules/, sends what is due; a failure is retried with backoff, and after the last try the
operators see it (an error log line and the NotificationGaveUp metric). The message stays in
the inbox whatever happens here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from chalicelib.adapters.messaging import DeliveryUncertain
from chalicelib.adapters.outbox import Requested
from chalicelib.adapters.tables import Account
from chalicelib.domain.notifications import Channel, earliest_send_time, email_text, sms_text
from chalicelib.domain.reach import AccountHolder
from chalicelib.observability import logger, record_metric
from chalicelib.services.ports import Ports

MAX_ATTEMPTS = 5


def _verified_addresses(account: Account) -> tuple[dict[Channel, str | None], str]:
    """Only the holder's own verified addresses (a guardian's for a child's inbox): never anything
    derived from the register."""
    return {Channel.EMAIL: account.email, Channel.SMS: account.sms}, account.language or "sv"


def notify_new_item(ports: Ports, holders: Iterable[AccountHolder], now: datetime) -> None:
    """A new item in an inbox these account holders read (domain/reach.py says who: the person, or a
    child's guardians), each on their own verified channels. The outbox row is the holder's, not
    the inbox owner's: a guardian told about two children and herself still gets one per 15 minutes."""
    for holder in holders:
        for channel, verified in ((Channel.EMAIL, holder.email), (Channel.SMS, holder.sms)):
            if verified and ports.outbox.request(holder.citizen_id, channel, earliest_send_time(channel, now), now):
                logger.info("notification queued", extra={"citizen_id": holder.citizen_id, "channel": channel.value})


def notify_new_items(ports: Ports, told: Sequence[tuple[AccountHolder, datetime]]) -> int:
    """notify_new_item for many (holder, when) at once — the evening's summonses: whether each may be
    told now is read a hundred at a time and the requests written as transactions of a hundred, with
    the same coalescing. A holder told twice in the batch is asked for once. Returns how many were queued."""
    requests = [Requested(holder.citizen_id, channel, earliest_send_time(channel, now), now)
                for holder, now in sorted(told, key=lambda t: t[1])
                for channel, verified in ((Channel.EMAIL, holder.email), (Channel.SMS, holder.sms)) if verified]  # fmt: skip
    queued = ports.outbox.request_many(requests)
    if queued:
        logger.info("notifications queued", extra={"count": queued})
    return queued


@dataclass
class DispatchResult:
    sent: int = 0
    retried: int = 0
    gave_up: int = 0
    skipped: int = 0
    uncertain: int = 0  # maybe sent: not sent again


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
        # The holder's account as it stands now: their addresses, their language.
        account = ports.accounts.get(item.citizen_id)
        addresses, lang = _verified_addresses(account)
        address = addresses[item.channel]
        if address is None or not ports.accounts.is_active(account):
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
        except DeliveryUncertain as error:  # maybe taken: a second try could tell the person twice
            ports.outbox.sent(item, now, uncertain=True)
            logger.warning("notification outcome unknown, not sent again", extra={"citizen_id": item.citizen_id,
                           "channel": item.channel.value, "error": str(error)})  # fmt: skip
            record_metric("NotificationUncertain")
            result.uncertain += 1
            continue
        except Exception as error:  # SES/SNS refused or could not be reached: the outbox keeps it
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
