"""The notification outbox in DynamoDB (access patterns in tables.py).

A row waits in the sparse `due` index until its notification has gone (or given up). The planner
marks the rows it puts in the work queue (`queued_until`), so the next minute's planner does not
queue them again; a worker claims its chunk's rows (`claimed_until`) before it sends, so exactly
one worker sends each however often SQS delivers the chunk; what became of each is written after.
Many rows at once go as transactions of up to a hundred updates (adapters/batch_writes.py).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from pynamodb.exceptions import UpdateError

from chalicelib.adapters.batch_writes import Failed, Part, commit_many
from chalicelib.adapters.tables import NotificationRecord, condition_failed
from chalicelib.domain.notifications import COALESCING_WINDOW, Channel

CLAIM_FOR = timedelta(minutes=2)


def _utc_iso(moment: datetime) -> str:
    """Due times are compared as strings in the index, so they are always written in UTC."""
    return moment.astimezone(timezone.utc).isoformat()


def _stop_waiting() -> list:
    """Leave the sparse 'due' index and release any claim."""
    return [
        NotificationRecord.waiting.remove(),
        NotificationRecord.due_at.remove(),
        NotificationRecord.claimed_until.remove(),
        NotificationRecord.queued_until.remove(),
    ]


def _may_request(now: datetime) -> Any:
    return NotificationRecord.waiting.does_not_exist() & (
        NotificationRecord.last_sent_at.does_not_exist() | (NotificationRecord.last_sent_at <= now - COALESCING_WINDOW)
    )


def _still_due(item: DueNotification) -> Any:
    return (NotificationRecord.waiting == "yes") & (NotificationRecord.due_at == _utc_iso(item.due_at))


def _unclaimed(now: datetime) -> Any:
    return NotificationRecord.claimed_until.does_not_exist() | (NotificationRecord.claimed_until < now)


def _drop_lost(batch: list, failed: list[Failed]) -> list:
    """A row whose condition failed is someone else's now (or not waiting any more): leave it."""
    lost = {id(item) for item, _ in failed}
    return [item for item in batch if id(item) not in lost]


@dataclass(frozen=True)
class Requested:
    citizen_id: str
    channel: Channel
    due_at: datetime
    now: datetime


@dataclass(frozen=True)
class Outcome:
    """What became of one notification a worker had: "sent", "uncertain", "retry" (at `due_at`, a
    failure or not), "gave_up", "discarded", or "unclaimed" (not tried: queue it again)."""

    item: DueNotification
    what: str
    now: datetime
    due_at: datetime | None = None
    failed: bool = False


@dataclass(frozen=True)
class DueNotification:
    citizen_id: str
    channel: Channel
    due_at: datetime
    attempts: int


class Outbox:
    def request(self, citizen_id: str, channel: Channel, due_at: datetime, now: datetime) -> bool:
        """Queue a notification unless one already waits or one went out within 15 minutes."""
        record = NotificationRecord(citizen_id, channel.value)
        try:
            record.update(
                actions=[
                    NotificationRecord.waiting.set("yes"),
                    NotificationRecord.due_at.set(_utc_iso(due_at)),
                    NotificationRecord.attempts.set(0),
                ],
                condition=NotificationRecord.waiting.does_not_exist()
                & (
                    NotificationRecord.last_sent_at.does_not_exist()
                    | (NotificationRecord.last_sent_at <= now - COALESCING_WINDOW)
                ),
            )
        except UpdateError as error:
            if condition_failed(error):
                return False
            raise
        return True

    def request_many(self, requests: Sequence[Requested]) -> int:
        """`request` for many rows (one per holder and channel): which may be queued now is read in a
        BatchGetItem per hundred, and those are written as transactions, each row with request's own
        condition. Returns how many were queued."""
        if not requests:
            return 0
        keys = sorted({(r.citizen_id, r.channel.value) for r in requests})
        rows = {(r.citizen_id, r.channel): r for r in NotificationRecord.batch_get(keys)}
        wanted, seen = [], set()
        for r in requests:
            if (r.citizen_id, r.channel) in seen:
                continue
            seen.add((r.citizen_id, r.channel))
            row = rows.get((r.citizen_id, r.channel.value))
            waiting = row is not None and row.waiting is not None
            recent = row is not None and row.last_sent_at is not None and row.last_sent_at > r.now - COALESCING_WINDOW
            if not waiting and not recent:
                wanted.append(r)

        def parts(r: Requested) -> list[Part]:
            return [("request", lambda tx: tx.update(NotificationRecord(r.citizen_id, r.channel.value), actions=[
                NotificationRecord.waiting.set("yes"), NotificationRecord.due_at.set(_utc_iso(r.due_at)),
                NotificationRecord.attempts.set(0)], condition=_may_request(r.now)))]  # fmt: skip

        return len(commit_many(wanted, parts, mend=_drop_lost))

    def due(self, now: datetime, limit: int = 100) -> list[DueNotification]:
        return [
            DueNotification(r.citizen_id, Channel(r.channel), datetime.fromisoformat(r.due_at), int(r.attempts or 0))
            for r in NotificationRecord.due.query("yes", NotificationRecord.due_at <= _utc_iso(now), limit=limit)
        ]

    def due_pages(self, now: datetime, page_size: int = 500) -> Iterator[list[DueNotification]]:
        """Every row due by `now` that no planner has queued (or whose time in the queue ran out), a
        page at a time: one Query a page."""
        start: dict[str, Any] | None = None
        not_queued = NotificationRecord.queued_until.does_not_exist() | (NotificationRecord.queued_until < now)
        while True:
            results = NotificationRecord.due.query("yes", NotificationRecord.due_at <= _utc_iso(now), limit=page_size,
                                                   last_evaluated_key=start, filter_condition=not_queued)  # fmt: skip
            page = [DueNotification(r.citizen_id, Channel(r.channel), datetime.fromisoformat(r.due_at),
                                    int(r.attempts or 0)) for r in results]  # fmt: skip
            if page:
                yield page
            start = results.last_evaluated_key
            if not start:
                return

    def queue_many(self, items: Sequence[DueNotification], now: datetime, until: datetime) -> list[DueNotification]:
        """Mark rows as in the work queue until `until`; returns those this planner marked (another
        planner, or a worker, may have had some)."""
        def parts(item: DueNotification) -> list[Part]:
            return [("queue", lambda tx: tx.update(NotificationRecord(item.citizen_id, item.channel.value),
                     actions=[NotificationRecord.queued_until.set(until)],
                     condition=_still_due(item) & (NotificationRecord.queued_until.does_not_exist()
                                                   | (NotificationRecord.queued_until < now)) & _unclaimed(now)))]  # fmt: skip

        return commit_many(items, parts, mend=_drop_lost)

    def claim_many(self, items: Sequence[DueNotification], now: datetime, claim_for: timedelta) -> list[DueNotification]:
        """`claim` for a worker's chunk: exactly one worker gets each row, however often the chunk
        comes. Returns the rows this worker got."""
        def parts(item: DueNotification) -> list[Part]:
            return [("claim", lambda tx: tx.update(NotificationRecord(item.citizen_id, item.channel.value),
                     actions=[NotificationRecord.claimed_until.set(now + claim_for)],
                     condition=_still_due(item) & _unclaimed(now)))]  # fmt: skip

        return commit_many(items, parts, mend=_drop_lost)

    def settle_many(self, outcomes: Sequence[Outcome]) -> None:
        """What became of each claimed row, as `sent`, `retry_at`, `give_up`, `discard` do one by one."""
        def actions(o: Outcome) -> list:
            if o.what in ("sent", "uncertain"):
                outcome = NotificationRecord.uncertain_at.set(o.now) if o.what == "uncertain" \
                    else NotificationRecord.uncertain_at.remove()  # fmt: skip
                return [*_stop_waiting(), NotificationRecord.attempts.set(0), NotificationRecord.last_sent_at.set(o.now),
                        outcome]  # fmt: skip
            if o.what == "retry":
                return [NotificationRecord.due_at.set(_utc_iso(o.due_at)), NotificationRecord.claimed_until.remove(),
                        NotificationRecord.queued_until.remove(),
                        NotificationRecord.attempts.set(o.item.attempts + (1 if o.failed else 0))]  # fmt: skip
            if o.what == "gave_up":
                return [*_stop_waiting(), NotificationRecord.attempts.set(o.item.attempts + 1),
                        NotificationRecord.failed_at.set(o.now)]  # fmt: skip
            if o.what == "discarded":
                return _stop_waiting()
            if o.what == "unclaimed":
                return [NotificationRecord.claimed_until.remove(), NotificationRecord.queued_until.remove()]
            raise ValueError(o.what)

        def parts(o: Outcome) -> list[Part]:
            return [(o.what, lambda tx: tx.update(NotificationRecord(o.item.citizen_id, o.item.channel.value),
                                                  actions=actions(o)))]  # fmt: skip

        commit_many(outcomes, parts, mend=_drop_lost)

    def claim(self, item: DueNotification, now: datetime) -> bool:
        """Exactly one dispatcher gets to send it, even when runs overlap or repeat."""
        try:
            NotificationRecord(item.citizen_id, item.channel.value).update(
                actions=[NotificationRecord.claimed_until.set(now + CLAIM_FOR)],
                condition=(NotificationRecord.waiting == "yes")
                & (NotificationRecord.due_at == _utc_iso(item.due_at))
                & (NotificationRecord.claimed_until.does_not_exist() | (NotificationRecord.claimed_until < now)),
            )
        except UpdateError as error:
            if condition_failed(error):
                return False
            raise
        return True

    def sent(self, item: DueNotification, now: datetime, *, uncertain: bool = False) -> None:
        """Sent (or, `uncertain`, maybe sent: SES or SNS may have taken it; noted for operators)."""
        outcome = NotificationRecord.uncertain_at.set(now) if uncertain else NotificationRecord.uncertain_at.remove()
        NotificationRecord(item.citizen_id, item.channel.value).update(
            actions=[*_stop_waiting(), NotificationRecord.attempts.set(0), NotificationRecord.last_sent_at.set(now),
                     outcome]
        )

    def retry_at(self, item: DueNotification, due_at: datetime, *, failed: bool) -> None:
        NotificationRecord(item.citizen_id, item.channel.value).update(
            actions=[
                NotificationRecord.due_at.set(_utc_iso(due_at)),
                NotificationRecord.claimed_until.remove(),
                NotificationRecord.queued_until.remove(),
                NotificationRecord.attempts.set(item.attempts + (1 if failed else 0)),
            ]
        )

    def discard(self, item: DueNotification) -> None:
        """Nothing to send any more (the citizen withdrew the address)."""
        NotificationRecord(item.citizen_id, item.channel.value).update(actions=_stop_waiting())

    def give_up(self, item: DueNotification, now: datetime) -> None:
        NotificationRecord(item.citizen_id, item.channel.value).update(
            actions=[
                *_stop_waiting(),
                NotificationRecord.attempts.set(item.attempts + 1),
                NotificationRecord.failed_at.set(now),
            ]
        )
