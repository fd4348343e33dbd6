"""The notification outbox in DynamoDB (access patterns in tables.py)."""

from __future__ import annotations

from collections.abc import Sequence
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
    ]


def _may_request(now: datetime) -> Any:
    return NotificationRecord.waiting.does_not_exist() & (
        NotificationRecord.last_sent_at.does_not_exist() | (NotificationRecord.last_sent_at <= now - COALESCING_WINDOW)
    )


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
