"""Rate-limit counters: one item per limit, subject and window in the rate-limits table, counted
with a conditional UpdateItem (ADD hits, only while below the limit), so concurrent callers cannot
get past it. Two counters taken together (a citizen's and an address's) go in one transaction:
both count, or neither."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from pynamodb.exceptions import TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from chalicelib.adapters.tables import RateCounter, condition_failed

KEEP_AFTER_WINDOW = timedelta(hours=1)  # TTL slack: DynamoDB deletes expired items lazily anyway


@dataclass(frozen=True)
class Counter:
    key: str
    max_hits: int
    ends_at: datetime


class RateLimits:
    def take(self, counters: list[Counter]) -> int | None:
        """Count one hit on every counter, all or none. None when counted; else the index of a
        counter already at its limit (nothing was counted)."""
        if len(counters) == 1:
            return self._take_one(counters[0])
        try:
            with TransactWrite(connection=RateCounter._get_connection().connection) as tx:
                for counter in counters:
                    tx.update(RateCounter(counter.key), **self._update(counter))
        except TransactWriteError as error:
            reasons = error.cancellation_reasons
            for index, reason in enumerate(reasons):
                if reason is not None and reason.code == "ConditionalCheckFailed":
                    return index
            raise
        return None

    def _take_one(self, counter: Counter) -> int | None:
        try:
            RateCounter(counter.key).update(**self._update(counter))
        except UpdateError as error:
            if condition_failed(error):
                return 0
            raise
        return None

    @staticmethod
    def _update(counter: Counter) -> dict:
        return {
            "actions": [RateCounter.hits.add(1), RateCounter.expires_at.set(counter.ends_at + KEEP_AFTER_WINDOW)],
            "condition": RateCounter.hits.does_not_exist() | (RateCounter.hits < counter.max_hits),
        }

    def hits(self, key: str) -> int:
        """The count so far (tests and operators)."""
        try:
            return int(RateCounter.get(key).hits or 0)
        except RateCounter.DoesNotExist:
            return 0
