"""Contact details a citizen gives for notifications, and their one-time verification codes."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from chalicelib.domain.error_text import N_
from chalicelib.domain.notifications import Channel

CODE_LIFETIME = timedelta(minutes=10)
CODE_ATTEMPTS = 5
_EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9-]{1,63})+$")
# [0-9], not \d: \d also takes other scripts' digits ("٠٧٠…"), which are no phone number here.
_SWEDISH_MOBILE = re.compile(r"(?:\+46|0046|0)(7[02369][0-9]{7})")


class InvalidContact(ValueError):
    pass


def normalise(channel: Channel, address: str) -> str:
    """An e-mail address as given (trimmed, max 254), or a Swedish mobile number as +467XXXXXXXX."""
    text = address.strip()
    if channel is Channel.EMAIL:
        if len(text) > 254 or not _EMAIL.fullmatch(text):
            raise InvalidContact(N_("Skriv en giltig e-postadress, till exempel namn@exempel.se."))
        return text
    digits = re.sub(r"[\s()-]", "", text)
    match = _SWEDISH_MOBILE.fullmatch(digits)
    if not match:
        raise InvalidContact(N_("Skriv ett svenskt mobilnummer, till exempel 070-123 45 67."))
    return f"+46{match[1]}"


@dataclass(frozen=True)
class PendingVerification:
    address: str
    code_hash: str
    expires_at: datetime
    attempts: int

    def expired(self, now: datetime) -> bool:
        return now >= self.expires_at

    def exhausted(self) -> bool:
        return self.attempts >= CODE_ATTEMPTS
