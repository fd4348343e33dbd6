"""Many changes in few TransactWriteItems calls (the evening's release, its inbox messages and letters).

Each change is a few items that must be written together (a summons' new state and its event; an
inbox message and its `message.delivered` event): they always go in the same transaction, up to
DynamoDB's 100 items a call, so one request carries up to fifty changes with their events. A
transaction is all or nothing: when DynamoDB cancels it, it names the items whose condition failed,
and the caller's `mend` says what becomes of those changes (dropped: another run made them already;
changed: a letter for a print batch that has closed goes in the next one). The rest is tried again
at once. A transaction that collided with another one in flight is tried again after a short pause.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib.adapters.tables import EventRecord

T = TypeVar("T")
MAX_ITEMS = 100  # DynamoDB's limit per TransactWriteItems
CONFLICT_TRIES = 6
MEND_ROUNDS = 10

Adder = Callable[[TransactWrite], None]
Part = tuple[str, Adder]  # what the item is ("summons", "event", "letter", …) and how it joins the transaction
Failed = tuple[T | None, str]  # the change whose item failed its condition (None: a shared item), and which item


class Unmendable(RuntimeError):
    """A condition kept failing where the caller expected none to."""


class Batch(Generic[T]):
    """The changes of one transaction, with the parts each adds and the parts they share."""

    def __init__(self, changes: list[T], parts_of: Callable[[T], list[Part]],
                 shared_of: Callable[[list[T]], list[Part]]) -> None:  # fmt: skip
        self.changes = changes
        self.items: list[tuple[T | None, str, Adder]] = [(c, what, add) for c in changes for what, add in parts_of(c)]
        self.items += [(None, what, add) for what, add in shared_of(changes)]


def commit_many(changes: Sequence[T], parts_of: Callable[[T], list[Part]], *,
                mend: Callable[[list[T], list[Failed]], list[T]],
                shared_of: Callable[[list[T]], list[Part]] = lambda _: [],
                on_commit: Callable[[], None] = lambda: None) -> list[T]:  # fmt: skip
    """Write every change, as few transactions as fit; returns the changes written (as mended).
    `shared_of`: items a transaction needs once whatever its changes (a check that a print batch is
    still open). `on_commit` runs after each transaction that went through (tests crash there)."""
    written: list[T] = []
    pending = list(changes)
    while pending:
        batch = _fill(pending, parts_of, shared_of)
        rest = pending[len(batch.changes):]
        for _ in range(MEND_ROUNDS):
            failed = _commit(batch)
            if failed is None:
                written += batch.changes
                on_commit()
                break
            mended = mend(batch.changes, failed)
            if not mended:
                break
            batch = Batch(mended, parts_of, shared_of)
        else:
            raise Unmendable("a transaction's conditions kept failing")
        pending = rest
    return written


def _fill(pending: list[T], parts_of: Callable[[T], list[Part]],
          shared_of: Callable[[list[T]], list[Part]]) -> Batch[T]:  # fmt: skip
    changes: list[T] = []
    size = 0
    for change in pending:
        size += len(parts_of(change))
        if changes and size + len(shared_of([*changes, change])) > MAX_ITEMS:
            break
        changes.append(change)
    return Batch(changes, parts_of, shared_of)


class _Ordered(TransactWrite):
    """A TransactWrite that remembers which kind of operation each added item was. PynamoDB sends
    condition checks first, then deletes, puts and updates (connection.transact_write_items), and
    DynamoDB's cancellation reasons follow the order sent: this maps them back to the items."""

    _SENT_ORDER = ("check", "delete", "put", "update")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.kinds: list[str] = []

    def condition_check(self, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        self.kinds.append("check")
        super().condition_check(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        self.kinds.append("delete")
        super().delete(*args, **kwargs)

    def save(self, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        self.kinds.append("put")
        super().save(*args, **kwargs)

    def update(self, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        self.kinds.append("update")
        super().update(*args, **kwargs)

    def sent_order(self) -> list[int]:
        """For each position in the request, the index of the item as added."""
        return sorted(range(len(self.kinds)), key=lambda n: (self._SENT_ORDER.index(self.kinds[n]), n))


def _commit(batch: Batch[T]) -> list[Failed] | None:
    """None when written; else the items whose condition failed. Conflicts are tried again."""
    for attempt in range(CONFLICT_TRIES):
        tx = _Ordered(connection=EventRecord._get_connection().connection)  # the app's one DynamoDB client
        try:
            with tx:
                for _, _, add in batch.items:
                    add(tx)
            return None
        except TransactWriteError as error:
            if error.cause_response_code != "TransactionCanceledException":
                raise
            reasons = error.cancellation_reasons or []
            codes = [getattr(r, "code", None) for r in reasons]
            order = tx.sent_order()
            failed = [(batch.items[order[n]][0], batch.items[order[n]][1]) for n, code in enumerate(codes)
                      if code == "ConditionalCheckFailed"]  # fmt: skip
            if failed:
                return failed
            if not any(code == "TransactionConflict" for code in codes) or attempt == CONFLICT_TRIES - 1:
                raise
            time.sleep(0.05 * 2**attempt)  # another transaction has one of these items in flight
    raise AssertionError("unreachable")
