"""Telling citizens that something new waits in an inbox they read (their own, or a child's they
act for), through the outbox.

A new item asks for a notification on each verified channel (coalesced: one per 15 minutes,
SMS held to 08:00–21:00 Stockholm). Every minute (schedules/) a planner queues everything due —
no cap — in chunks on the notifications queue; workers (at most NOTIFICATION_WORKERS at a time,
the queue's maximum concurrency in infra/) each send at their share of the region's configured
rate (EMAIL_SENDS_PER_SECOND, SMS_SENDS_PER_SECOND: its SES and SNS quotas), so together they
send at that rate. A failure is retried with backoff, and after the last try the operators see it
(an error log line and the NotificationGaveUp metric); a send whose outcome is unknown (SES or SNS
may have taken it) is not sent again. The message stays in the inbox whatever happens here.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from chalicelib.adapters.messaging import DeliveryUncertain
from chalicelib.adapters.outbox import DueNotification, Outcome, Requested
from chalicelib.adapters.tables import Account
from chalicelib.domain.notifications import (
    Channel,
    Pacer,
    chunk_size,
    earliest_send_time,
    per_worker_rate,
)
from chalicelib.domain.reach import AccountHolder
from chalicelib.observability import logger, record_metric
from chalicelib.services.ports import Ports
from chalicelib.catalogs import translate

MAX_ATTEMPTS = 5
QUEUE_HOLD = timedelta(minutes=10)  # beyond the time the queue ahead of it takes, before it is queued again
SETTLE_EVERY = 10  # a worker writes what became of its sends after this many (a crash repeats at most these)
TIME_TO_STOP = 5.0  # seconds: a worker this close to its Lambda timeout leaves the rest for the next run
CLAIM_FOR_AT_LEAST = timedelta(minutes=2)  # a worker's claim; longer for a chunk that takes longer


def _verified_addresses(account: Account) -> tuple[dict[Channel, str | None], str]:
    """Only the holder's own verified addresses (a guardian's for a child's inbox): never anything
    derived from the register."""
    return {Channel.EMAIL: account.email, Channel.SMS: account.sms}, account.language or "sv"


def email_text(region_name: str, login_url: str, lang: str) -> tuple[str, str]:
    """(subject, body) of the notification e-mail, in the reader's language. It names no unit,
    subject or person: the e-mail box may be read by others."""
    return (translate(lang, "notify.email.subject", region=region_name),
            translate(lang, "notify.email.body", region=region_name, url=login_url))  # fmt: skip


def sms_text(region_name: str, login_url: str, lang: str) -> str:
    return translate(lang, "notify.sms", region=region_name, url=login_url)


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
    skipped: int = 0  # another worker has it, or it is no longer due
    uncertain: int = 0  # maybe sent: not sent again
    discarded: int = 0  # no verified address any more
    unclaimed: int = 0  # left for the next run (the worker was out of time)

    def add(self, other: DispatchResult) -> None:
        for name in vars(self):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, 8 minutes between tries."""
    return timedelta(minutes=2**attempts)


def _region_rate(ports: Ports, channel: Channel) -> float:
    settings = ports.settings
    return settings.email_per_second if channel is Channel.EMAIL else settings.sms_per_second


def _rate(ports: Ports, channel: Channel) -> float:
    """One worker's share of the region's rate."""
    return per_worker_rate(_region_rate(ports, channel), ports.settings.notification_workers)


def plan_dispatch(ports: Ports, now: datetime, send: Callable[[list[dict[str, Any]]], int]) -> int:
    """Every minute: queue every notification due by `now` that is not in the queue already, a page at
    a time, in chunks of one channel sized to about CHUNK_SECONDS of a worker's sending. No cap: the
    workers' pace is the region's rate. Each row is marked queued for as long as the queue ahead of it
    takes at that rate (plus QUEUE_HOLD), so a later minute does not queue it again; a chunk that was
    lost comes back after that. Returns how many were queued."""
    ahead = {Channel.EMAIL: 0, Channel.SMS: 0}
    for page in ports.outbox.due_pages(now):
        for channel in (Channel.EMAIL, Channel.SMS):
            items = [i for i in page if i.channel is channel]
            if not items:
                continue
            until = now + QUEUE_HOLD + timedelta(seconds=(ahead[channel] + len(items)) / _region_rate(ports, channel))
            queued = ports.outbox.queue_many(items, now, until)
            size = chunk_size(_rate(ports, channel))
            send([{"notify": channel.value, "items": [[i.citizen_id, i.due_at.isoformat(), i.attempts]
                                                      for i in queued[n:n + size]]}
                  for n in range(0, len(queued), size)])  # fmt: skip
            ahead[channel] += len(queued)
    total = sum(ahead.values())
    if total:
        logger.info("notifications planned", extra={"email": ahead[Channel.EMAIL], "sms": ahead[Channel.SMS]})
    return total


def dispatch_chunk(ports: Ports, chunk: dict[str, Any], now: datetime, *,
                   clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep,
                   time_left: Callable[[], float] = lambda: float("inf")) -> DispatchResult:  # fmt: skip
    """A worker's chunk: claim its rows (exactly one worker sends each), read the holders' accounts at
    once, send each at this worker's share of the region's rate, and write what became of them every
    SETTLE_EVERY sends. `time_left`: seconds until the Lambda's timeout; what does not fit is left
    for the next minute's planner."""
    channel = Channel(chunk["notify"])
    items = [DueNotification(citizen_id, channel, datetime.fromisoformat(due_at), int(attempts))
             for citizen_id, due_at, attempts in chunk["items"]]  # fmt: skip
    result = DispatchResult()
    claim_for = max(CLAIM_FOR_AT_LEAST, timedelta(seconds=2 * len(items) / _rate(ports, channel)))
    claimed = ports.outbox.claim_many(items, now, claim_for)
    result.skipped = len(items) - len(claimed)
    accounts = {a.citizen_id: a for a in ports.accounts.get_many([i.citizen_id for i in claimed])}
    login_url = f"{ports.settings.public_base_url}/"
    region = ports.settings.region_name
    pacer = Pacer(_rate(ports, channel), clock, sleep)
    outcomes: list[Outcome] = []
    for item in claimed:
        if time_left() < TIME_TO_STOP:
            outcomes.append(Outcome(item, "unclaimed", now))
            result.unclaimed += 1
            continue
        account = accounts.get(item.citizen_id) or Account(item.citizen_id)
        addresses, lang = _verified_addresses(account)
        address = addresses[item.channel]
        if address is None or not ports.accounts.is_active(account):
            outcomes.append(Outcome(item, "discarded", now))
            result.discarded += 1
            continue
        window = earliest_send_time(item.channel, now)
        if window > now:  # a retry that fell outside the SMS hours waits for the morning
            outcomes.append(Outcome(item, "retry", now, due_at=window))
            continue
        pacer.wait()
        outcomes.append(_send(ports, item, address, lang, region, login_url, now, result))
        if len(outcomes) >= SETTLE_EVERY:
            ports.outbox.settle_many(outcomes)
            outcomes = []
    ports.outbox.settle_many(outcomes)
    record_metric("NotificationSent", result.sent)
    return result


def _send(ports: Ports, item: DueNotification, address: str, lang: str, region: str, login_url: str,
          now: datetime, result: DispatchResult) -> Outcome:  # fmt: skip
    try:
        if item.channel is Channel.EMAIL:
            ports.messenger.send_email(address, *email_text(region, login_url, lang))
        else:
            ports.messenger.send_sms(address, sms_text(region, login_url, lang))
    except DeliveryUncertain as error:  # maybe taken: a second try could tell the person twice
        logger.warning("notification outcome unknown, not sent again", extra={"citizen_id": item.citizen_id,
                       "channel": item.channel.value, "error": str(error)})  # fmt: skip
        record_metric("NotificationUncertain")
        result.uncertain += 1
        return Outcome(item, "uncertain", now)
    except Exception as error:  # SES/SNS refused or could not be reached: the outbox keeps it
        if item.attempts + 1 >= MAX_ATTEMPTS:
            logger.error("notification gave up", extra={"citizen_id": item.citizen_id,
                         "channel": item.channel.value, "error": type(error).__name__})  # fmt: skip
            record_metric("NotificationGaveUp")
            result.gave_up += 1
            return Outcome(item, "gave_up", now)
        logger.warning("notification failed, will retry", extra={"citizen_id": item.citizen_id,
                       "channel": item.channel.value, "error": type(error).__name__})  # fmt: skip
        result.retried += 1
        return Outcome(item, "retry", now, due_at=now + backoff(item.attempts), failed=True)
    result.sent += 1
    return Outcome(item, "sent", now)


def dispatch_due(ports: Ports, now: datetime) -> DispatchResult:
    """The dispatch in this process: plan, then work each chunk at once as a worker would (tests, and
    an operator's run by hand). In AWS the planner sends the chunks to the queue instead."""
    result = DispatchResult()

    def work(chunks: list[dict[str, Any]]) -> int:
        for chunk in chunks:
            result.add(dispatch_chunk(ports, chunk, now))
        return len(chunks)

    plan_dispatch(ports, now, work)
    return result
