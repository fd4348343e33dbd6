"""When a citizen is told that something new is waiting, and what the text may say.

- SMS go out only between 08:00 and 21:00 Stockholm time; outside that window they wait
  until 08:00. E-mail goes at once.
- Several new items within 15 minutes give one notification, not several.
- The text says only that something new is waiting in the inbox, with a link to log in:
  no clinic, no subject, no health information, no name.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from enum import Enum

from chalicelib.domain.clock import STOCKHOLM

SMS_WINDOW_OPENS = time(8, 0)
SMS_WINDOW_CLOSES = time(21, 0)
COALESCING_WINDOW = timedelta(minutes=15)


class Channel(str, Enum):
    EMAIL = "email"
    SMS = "sms"


def earliest_send_time(channel: Channel, now: datetime) -> datetime:
    """The first moment at or after `now` when this channel may be used (UTC)."""
    if channel is Channel.EMAIL:
        return now
    local = now.astimezone(STOCKHOLM)
    if SMS_WINDOW_OPENS <= local.time() < SMS_WINDOW_CLOSES:
        return now
    day = local.date() if local.time() < SMS_WINDOW_OPENS else local.date() + timedelta(days=1)
    # Built from the wall clock, so 08:00 stays 08:00 on the mornings after a DST change.
    return datetime.combine(day, SMS_WINDOW_OPENS, tzinfo=STOCKHOLM).astimezone(now.tzinfo)


def needs_new_notification(last_notified_at: datetime | None, pending: bool, now: datetime) -> bool:
    """A new item needs its own notification unless one is already waiting to go out, or one went
    out within the last 15 minutes (that one already says that something new is waiting)."""
    if pending:
        return False
    return last_notified_at is None or now - last_notified_at >= COALESCING_WINDOW


# -- the send rate ---------------------------------------------------------------------------------
# The region's SES and SNS quotas say how many e-mails and SMS a second it may send. The dispatch
# fans out over a queue to at most `workers` workers at a time, each pacing itself to its share of
# the rate, so together they send at the rate and never above it, whatever the backlog.

CHUNK_SECONDS = 20  # a worker's chunk takes about this long at its share of the rate
MAX_CHUNK = 50


def per_worker_rate(region_per_second: float, workers: int) -> float:
    return region_per_second / workers


def chunk_size(per_worker_per_second: float) -> int:
    """How many notifications one queue message carries: about CHUNK_SECONDS of one worker's sending,
    at least one, at most MAX_CHUNK."""
    return max(1, min(MAX_CHUNK, int(per_worker_per_second * CHUNK_SECONDS)))


class Pacer:
    """Spaces a worker's sends `1 / per_second` apart (the first goes at once)."""

    def __init__(self, per_second: float, clock, sleep) -> None:  # noqa: ANN001 (time.monotonic, time.sleep)
        self._interval = 1.0 / per_second
        self._clock = clock
        self._sleep = sleep
        self._next: float | None = None

    def wait(self) -> None:
        now = self._clock()
        if self._next is not None and now < self._next:
            self._sleep(self._next - now)
            now = self._next
        self._next = now + self._interval
