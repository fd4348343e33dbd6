"""Make moto's DynamoDB as atomic as DynamoDB under concurrent requests, and its transactions as
cheap as DynamoDB's.

DynamoDB checks a condition and writes in one step, and a transaction is all or nothing
whatever else is running. moto (in process or as a threaded server) checks and writes in
separate Python steps and rolls a failed transaction back by restoring a copy of the tables,
so two threads can both pass the same condition or undo each other's writes. The races the
app must win (50 people on one slot) are only meaningful against a store that keeps DynamoDB's
promise, so each write operation here runs under one lock. This changes moto, not the app.

moto also copies every table a transaction touches before it starts (to restore on failure): with
the evening's tens of thousands of summonses, events and inbox messages each 100-item transaction
copied all of them, and a release of 30,000 against moto took hours for moto's sake, not the app's.
Under the lock a transaction can instead check every condition first and write only when all
hold — which is what DynamoDB promises — keeping a copy of just the items it writes, in case a
write itself fails half way. Conditions, cancellation reasons and their order are moto's own.

And moto serializes each item it answers with by walking botocore's shape of an AttributeValue,
member by member (a few milliseconds an item): a BatchGetItem of a hundred summonses, or a page of
the events stream, cost moto seconds. The item is already in DynamoDB's wire form (moto's
`to_json`), so it is passed through as it is.
"""

from __future__ import annotations

import copy
import functools
import threading
from typing import Any

_LOCK = threading.RLock()
_WRITES = ("put_item", "update_item", "delete_item", "transact_write_items")


def make_dynamodb_writes_atomic() -> None:
    from moto.core.serialize import BaseJSONSerializer
    from moto.dynamodb.models import DynamoDBBackend

    if not getattr(DynamoDBBackend.transact_write_items, "_checks_first", False):
        DynamoDBBackend.transact_write_items = _transact_write_items  # type: ignore[method-assign]
    if not getattr(BaseJSONSerializer._serialize_type_structure, "_items_as_they_are", False):
        BaseJSONSerializer._serialize_type_structure = _items_as_they_are(BaseJSONSerializer._serialize_type_structure)
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


def _transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
    """moto's transact_write_items, with every condition checked before the first write and only the
    written items kept for a rollback (moto kept a copy of every table touched)."""
    from moto.dynamodb.comparisons import get_filter_expression
    from moto.dynamodb.exceptions import (
        ConditionalCheckFailed,
        MockValidationException,
        MultipleTransactionsException,
        TooManyTransactionsException,
        TransactionCanceledException,
        TransactWriteSingleOpException,
    )

    if len(transact_items) > 100:
        raise TooManyTransactionsException()
    targets: set[tuple[str, str]] = set()
    planned: list[tuple[str, dict[str, Any], Any, dict[str, Any]]] = []  # (op type, op, table, key)
    errors: list[tuple[Any, Any, Any]] = []
    for item in transact_items:
        if len(list(item.keys())) > 1:
            raise TransactWriteSingleOpException
        op_type, op = next(iter(item.items()))
        original_item = None
        try:
            if op_type not in {"ConditionCheck", "Put", "Delete", "Update"}:
                raise ValueError("Unsupported transaction operation")
            table = self.get_table(op["TableName"])
            if op_type == "Put":
                attrs = op["Item"]
                key = {table.hash_key_attr: attrs[table.hash_key_attr]}
                if table.range_key_attr is not None:
                    key[table.range_key_attr] = attrs[table.range_key_attr]
            else:
                key = op["Key"]
            unique = (str(op["TableName"]), str(dict(sorted(key.items()))))
            if unique in targets:
                raise MultipleTransactionsException()
            targets.add(unique)
            planned.append((op_type, op, table, key))
            current = self.get_item(op["TableName"], key)
            if op.get("ConditionExpression") is not None:
                condition = get_filter_expression(op["ConditionExpression"], op.get("ExpressionAttributeNames"),
                                                  op.get("ExpressionAttributeValues"))  # fmt: skip
                if not condition.expr(current):
                    if op.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD" and current:
                        original_item = current.to_json()["Attributes"]
                    raise ConditionalCheckFailed(item=original_item)
            errors.append((None, None, None))
        except (MultipleTransactionsException, MockValidationException):
            raise
        except ConditionalCheckFailed as error:
            errors.append(("ConditionalCheckFailed", str(error.message), original_item))
        except Exception as error:  # noqa: BLE001 (moto reports these as cancellation reasons too)
            errors.append((type(error).__name__, str(error), original_item))
    if any(code is not None for code, _, _ in errors):
        raise TransactionCanceledException(errors)

    kept: list[tuple[Any, Any, Any, Any]] = []  # (table, hash, range, the item before) for a rollback
    streams = {id(t): (t, len(t.stream_shard.items)) for _, _, t, _ in planned if t.stream_shard is not None}
    try:
        for index, (op_type, op, table, key) in enumerate(planned):
            if op_type == "ConditionCheck":
                continue
            hash_key, range_key = self.get_keys_value(table, key)
            kept.append((table, hash_key, range_key, copy.deepcopy(table.get_item(hash_key, range_key))))
            names, values = op.get("ExpressionAttributeNames"), op.get("ExpressionAttributeValues")
            if op_type == "Put":
                self.put_item(op["TableName"], op["Item"], expression_attribute_names=names,
                              expression_attribute_values=values)  # fmt: skip
            elif op_type == "Delete":
                self.delete_item(op["TableName"], key, expression_attribute_names=names,
                                 expression_attribute_values=values)  # fmt: skip
            else:
                self.update_item(op["TableName"], key, update_expression=op["UpdateExpression"],
                                 expression_attribute_names=names, expression_attribute_values=values)  # fmt: skip
    except Exception as error:
        for table, hash_key, range_key, before in reversed(kept):
            if range_key is not None:
                if before is None:
                    table.items[hash_key].pop(range_key, None)
                else:
                    table.items[hash_key][range_key] = before
            elif before is None:
                table.items.pop(hash_key, None)
            else:
                table.items[hash_key] = before
        for table, length in streams.values():
            del table.stream_shard.items[length:]
        if isinstance(error, (MultipleTransactionsException, MockValidationException)):
            raise
        failed = [(None, None, None)] * len(planned)
        failed[index] = (type(error).__name__, str(error), None)
        raise TransactionCanceledException(failed) from None


_transact_write_items._checks_first = True  # type: ignore[attr-defined]


def _items_as_they_are(original: Any) -> Any:
    """An AttributeValue that moto already wrote in DynamoDB's JSON form goes out as it is."""

    @functools.wraps(original)
    def serialize(self, serialized, value, shape, key):  # noqa: ANN001, ANN202
        if shape.name == "AttributeValue" and isinstance(value, dict) and len(value) == 1:
            self._default_serialize(serialized, value, shape, key)
            return
        original(self, serialized, value, shape, key)

    serialize._items_as_they_are = True  # type: ignore[attr-defined]
    return serialize
