"""Domain events in DynamoDB: each is put in the same TransactWriteItems as the change it records
(condition: new), so a change without its event, or an event without its change, cannot exist.
The table's stream carries them to the follow-ups (services/follow_ups.py)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from pynamodb.attributes import UTCDateTimeAttribute
from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib.adapters.tables import EventRecord
from chalicelib.domain.events import DomainEvent, Kind

KEPT_FOR = timedelta(days=35)  # the stream keeps 24 hours; the items a little longer, for a replay by hand


class ConditionLost(Exception):
    """A condition in the transaction failed: someone else changed the thing first."""


def _record(event: DomainEvent) -> EventRecord:
    return EventRecord(
        event.stream_key, f"{event.occurred_at.isoformat()}#{event.event_id}", event_id=event.event_id,
        kind=event.kind.value, occurred_at=event.occurred_at, data=dict(event.data),
        expires_at=event.occurred_at + KEPT_FOR,
    )  # fmt: skip


def transaction() -> TransactWrite:
    return TransactWrite(connection=EventRecord._get_connection().connection)


def add_event(tx: TransactWrite, event: DomainEvent) -> None:
    tx.save(_record(event), condition=EventRecord.event_key.does_not_exist())


def commit(event: DomainEvent, write: Callable[[TransactWrite], None] | None = None) -> None:
    """The change (`write` adds its items to the transaction) and its event, all or nothing.
    ConditionLost when one of the change's conditions failed (then nothing was written)."""
    try:
        with transaction() as tx:
            if write is not None:
                write(tx)
            add_event(tx, event)
    except TransactWriteError as error:
        if error.cause_response_code == "TransactionCanceledException":
            raise ConditionLost() from None
        raise


def from_image(image: dict[str, Any]) -> DomainEvent:
    """The event as the stream's NEW_IMAGE carries it (already deserialised to Python values)."""
    occurred = image["occurred_at"]
    return DomainEvent(
        kind=Kind(image["kind"]), stream_key=str(image["stream_key"]),
        occurred_at=UTCDateTimeAttribute().deserialize(occurred) if isinstance(occurred, str) else occurred,
        data={str(k): str(v) for k, v in (image.get("data") or {}).items()}, event_id=str(image["event_id"]),
    )  # fmt: skip


def from_stream_record(record: dict[str, Any]) -> DomainEvent:
    """The event in a raw DynamoDB stream record (Lambda's shape, or moto's stream in the local stack)."""
    from boto3.dynamodb.types import TypeDeserializer

    deserialise = TypeDeserializer().deserialize
    return from_image({k: deserialise(v) for k, v in record["dynamodb"]["NewImage"].items()})
