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


def email_text(region_name: str, login_url: str, lang: str = "sv") -> tuple[str, str]:
    """(subject, body) of the notification e-mail."""
    if lang == "en":
        return (
            f"New in your inbox – {region_name} e-services",
            f"You have something new in your inbox in the e-services of {region_name}.\n\n"
            f"Log in to read it: {login_url}\n",
        )
    return (
        f"Nytt i din inkorg – e-tjänsterna i {region_name}",
        f"Du har fått något nytt i din inkorg i e-tjänsterna i {region_name}.\n\n"
        f"Logga in för att läsa: {login_url}\n",
    )


def sms_text(region_name: str, login_url: str, lang: str = "sv") -> str:
    if lang == "en":
        return f"You have something new in your inbox in the e-services of {region_name}. Log in: {login_url}"
    return f"Du har något nytt i din inkorg i e-tjänsterna i {region_name}. Logga in: {login_url}"
