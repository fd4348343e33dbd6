"""Usage statistics' counters (domain/usage.py) in the usage-counts table.

Access patterns:
  count_many   TransactWriteItems of up to 100 items: each event's marker `event#<id>`/`counted`, put
               on condition that it does not exist, and one ADD per counter item with the sum the
               transaction's events give it (DynamoDB allows one action per item in a transaction).
               A marker that exists (a redelivered event) cancels the transaction: that event is
               dropped and the rest written again, so an event is counted once however often it
               comes. A stream batch of a thousand `summons.released` costs about ten to twenty calls.
  figures      one Query of `unit#<hsa_id>` (or `region`) between "<first month>" and "<last month>~".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from chalicelib.adapters.batch_writes import Failed, Part, Unmendable, commit_many
from chalicelib.adapters.tables import UsageCountRecord
from chalicelib.domain import usage

COUNTED = "counted"
MARKER_KEPT = timedelta(days=7)  # the stream gives up on a record after a day; a week is ample


@dataclass(frozen=True)
class Counted:
    """One event's counts, with its marker."""

    event_id: str
    occurred_at: datetime
    counts: tuple[usage.Count, ...]


class UsageCounts:
    def count_many(self, counted: Sequence[Counted]) -> int:
        """Add each event's counts once; returns how many events were newly counted."""
        unique = list({c.event_id: c for c in counted if c.counts}.values())

        def parts(c: Counted) -> list[Part]:
            marker = UsageCountRecord(f"event#{c.event_id}", COUNTED, value=1,
                                      expires_at=c.occurred_at + MARKER_KEPT)  # fmt: skip
            return [("marker", lambda tx: tx.save(marker, condition=UsageCountRecord.owner.does_not_exist()))]

        def shared(batch: list[Counted]) -> list[Part]:
            return [(f"counter:{owner}:{key}", lambda tx, owner=owner, key=key, n=n: tx.update(
                        UsageCountRecord(owner, key), actions=[UsageCountRecord.value.add(n)]))
                    for (owner, key), n in sorted(usage.added(x for c in batch for x in c.counts).items())]  # fmt: skip

        def mend(batch: list[Counted], failed: list[Failed]) -> list[Counted]:
            if any(c is None for c, _ in failed):
                raise Unmendable("a counter's update failed")
            already = {id(c) for c, _ in failed}
            return [c for c in batch if id(c) not in already]  # counted by an earlier delivery

        return len(commit_many(unique, parts, mend=mend, shared_of=shared))

    def figures(self, owner: str, first_month: str, last_month: str) -> dict[str, int]:
        """Every counter of the owner in these months: "<yyyy-mm>#<counter>" -> value."""
        return {r.counter: int(r.value or 0) for r in UsageCountRecord.query(
            owner, UsageCountRecord.counter.between(f"{first_month}#", f"{last_month}#~"))}  # fmt: skip
