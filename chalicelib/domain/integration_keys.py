"""Care systems' keys for /integration/v1 (vårdsystemens nycklar): which scopes a key may carry,
how long the previous secret keeps working after a rotation (the overlap), and how often its last use
is written down."""

from __future__ import annotations

from datetime import datetime, timedelta

# What a key may be used for; each scope is checked by the use cases that need it.
SCOPES = ("population-register", "messages", "appointments", "lab-results", "print", "forms", "consumables",
          "listing")
REGISTER_SCOPE = "population-register"  # changes region-wide data: a key with it is region-wide
LISTING_SCOPE = "listing"  # the region's listing system: every vårdcentral's requests, so region-wide too
REGION_WIDE_SCOPES = frozenset({REGISTER_SCOPE, LISTING_SCOPE})

OVERLAP_DEFAULT_HOURS = 24
OVERLAP_MAX_HOURS = 14 * 24  # two weeks is long enough to deploy a new secret in any care system
LAST_USE_INTERVAL = timedelta(minutes=5)  # one write per key per five minutes, however busy the key
SYSTEM_NAME_MAX = 100


def overlap_hours(value: str | None) -> int | None:
    """The overlap a regional admin asks for, in whole hours (0: the old secret stops at once);
    None when it is not a whole number in 0..OVERLAP_MAX_HOURS."""
    text = (value or "").strip()
    if not text:
        return OVERLAP_DEFAULT_HOURS
    if not text.isascii() or not text.isdigit():
        return None
    hours = int(text)
    return hours if hours <= OVERLAP_MAX_HOURS else None


def previous_secret_valid(valid_until: datetime | None, now: datetime) -> bool:
    """The previous secret works while the overlap lasts, and not a moment after."""
    return valid_until is not None and now < valid_until


def should_note_use(last_used_at: datetime | None, now: datetime) -> bool:
    return last_used_at is None or now - last_used_at >= LAST_USE_INTERVAL
