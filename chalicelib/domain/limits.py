"""Rate limits (hur ofta): how often a person, an address, a client or a care system's key may do a
thing, counted in fixed windows. Pure rules; the counting is an atomic conditional update in
adapters/limits.py, so concurrent callers cannot get past a limit.

A day is a Stockholm calendar day (a limit a person reads as "per day" resets at midnight here).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from chalicelib.domain.clock import STOCKHOLM
from chalicelib.domain.error_text import N_


@dataclass(frozen=True)
class Limit:
    name: str  # part of the counter's key, and the error code's subject
    max_hits: int
    window_seconds: int | None  # None: a Stockholm calendar day
    code: str  # the 429's error code
    message: str  # the 429's Swedish message (N_: the errors catalogue has it)


DAY = None
# Verification codes (Inställningar): at most 5 codes to one address and 10 for one citizen a day,
# and at most 5 tries a day per citizen and channel, whichever code they were for (a new code
# does not give new tries).
CODES_PER_ADDRESS = Limit("code-address", 5, DAY, "too_many_codes",
                          N_("För många koder har skickats till den adressen i dag. Försök igen i morgon."))
CODES_PER_CITIZEN = Limit("code-citizen", 10, DAY, "too_many_codes",
                          N_("Du har bett om för många koder i dag. Försök igen i morgon."))
CODE_TRIES = Limit("code-tries", 5, DAY, "too_many_tries",
                   N_("Du har försökt med en kod för många gånger i dag. Försök igen i morgon."))
# Logins, per client (the caller's IP address, as a keyed hash). Staff share their workplace's
# address, so their entry allows more.
CITIZEN_LOGINS_PER_CLIENT = Limit("login-citizen", 30, 60, "too_many_logins",
                                  N_("För många inloggningar från din anslutning. Vänta en minut och försök igen."))
STAFF_LOGINS_PER_CLIENT = Limit("login-staff", 300, 60, "too_many_logins",
                                N_("För många inloggningar från din anslutning. Vänta en minut och försök igen."))
# citizen-status answers "does this person read digitally": per key and per client.
CITIZEN_STATUS_PER_KEY = Limit("status-key", 600, 60, "too_many_requests",
                               N_("För många anrop med nyckeln. Vänta en minut och försök igen."))
CITIZEN_STATUS_PER_CLIENT = Limit("status-client", 600, 60, "too_many_requests",
                                  N_("För många anrop från klienten. Vänta en minut och försök igen."))


@dataclass(frozen=True)
class Window:
    key: str  # the counter's key: limit, subject and window; no personal data (subjects are ids or hashes)
    ends_at: datetime  # UTC; when the count starts again


def window(limit: Limit, subject: str, now: datetime) -> Window:
    """The fixed window `now` falls in, for this limit and subject."""
    if limit.window_seconds is None:
        day = now.astimezone(STOCKHOLM).date()
        ends = datetime.combine(day + timedelta(days=1), time(0), tzinfo=STOCKHOLM)
        return Window(f"{limit.name}#{subject}#{day.isoformat()}", ends.astimezone(now.tzinfo))
    start = int(now.timestamp()) // limit.window_seconds * limit.window_seconds
    ends = datetime.fromtimestamp(start + limit.window_seconds, tz=now.tzinfo)
    return Window(f"{limit.name}#{subject}#{start}", ends)


def retry_after_seconds(ends_at: datetime, now: datetime) -> int:
    """Retry-After: whole seconds until the window ends (at least 1)."""
    return max(1, int((ends_at - now).total_seconds() + 0.999))
