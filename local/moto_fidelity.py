"""Make moto's DynamoDB as atomic as DynamoDB under concurrent requests.

DynamoDB checks a condition and writes in one step, and a transaction is all or nothing
whatever else is running. moto (in process or as a threaded server) checks and writes in
separate Python steps and rolls a failed transaction back by restoring a copy of the tables,
so two threads can both pass the same condition or undo each other's writes. The races the
app must win (50 people on one slot) are only meaningful against a store that keeps DynamoDB's
promise, so each write operation here runs under one lock. This changes moto, not the app.
"""

from __future__ import annotations

import functools
import threading

_LOCK = threading.RLock()
_WRITES = ("put_item", "update_item", "delete_item", "transact_write_items")


def make_dynamodb_writes_atomic() -> None:
    from moto.dynamodb.models import DynamoDBBackend

    for name in _WRITES:
        original = getattr(DynamoDBBackend, name)
        if getattr(original, "_atomic", False):
            continue

        @functools.wraps(original)
        def atomic(self, *args, __original=original, **kwargs):  # noqa: ANN001, ANN202
            with _LOCK:
                return __original(self, *args, **kwargs)

        atomic._atomic = True  # type: ignore[attr-defined]
        setattr(DynamoDBBackend, name, atomic)
