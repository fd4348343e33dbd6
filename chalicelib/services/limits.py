"""Rate limits at the doors that can be abused: verification codes (SMS and e-mail to any address,
and guessing a code), logins per client, and citizen-status per key and per client.

Subjects in the counters' keys are opaque ids or keyed hashes (HMAC with the region's secret): an
address, a phone number or an IP address never appears in a key. The rules are in domain/limits.py."""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime

from chalicelib.adapters.limits import Counter
from chalicelib.domain import limits
from chalicelib.domain.limits import Limit
from chalicelib.errors import TooManyRequests
from chalicelib.observability import logger, record_metric
from chalicelib.services.ports import Ports


def _hashed(ports: Ports, kind: str, value: str) -> str:
    return hmac.new(ports.settings.pnr_hmac_key, f"limit|{kind}|{value}".encode(), hashlib.sha256).hexdigest()[:32]


def take(ports: Ports, now: datetime, *limited: tuple[Limit, str], field: str | None = None) -> None:
    """Count one hit against each (limit, subject), all or none; TooManyRequests when one is full."""
    windows = [(limit, limits.window(limit, subject, now)) for limit, subject in limited]
    refused = ports.limits.take([Counter(w.key, limit.max_hits, w.ends_at) for limit, w in windows])
    if refused is None:
        return
    limit, full = windows[refused]
    logger.info("rate limited", extra={"limit": limit.name})
    record_metric("RateLimited")
    raise TooManyRequests(limit.code, limit.message, retry_after=limits.retry_after_seconds(full.ends_at, now),
                          field=field)  # fmt: skip


def verification_code_sent(ports: Ports, citizen_id: str, channel: str, address: str, now: datetime) -> None:
    take(ports, now, (limits.CODES_PER_CITIZEN, citizen_id),
         (limits.CODES_PER_ADDRESS, _hashed(ports, channel, address.casefold())), field="address")  # fmt: skip


def verification_code_tried(ports: Ports, citizen_id: str, channel: str, now: datetime) -> None:
    take(ports, now, (limits.CODE_TRIES, f"{citizen_id}#{channel}"), field="code")


def login_started(ports: Ports, audience: str, client: str | None, now: datetime) -> None:
    limit = limits.CITIZEN_LOGINS_PER_CLIENT if audience == "citizen" else limits.STAFF_LOGINS_PER_CLIENT
    take(ports, now, (limit, _hashed(ports, "client", client or "unknown")))


def citizen_status_asked(ports: Ports, key_id: str, client: str | None, now: datetime) -> None:
    take(ports, now, (limits.CITIZEN_STATUS_PER_KEY, key_id),
         (limits.CITIZEN_STATUS_PER_CLIENT, _hashed(ports, "client", client or "unknown")))  # fmt: skip
