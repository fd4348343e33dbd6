"""The events table's stream, read as Lambda's event source mapping reads it, for the local stack
and the tests: moto keeps the stream but invokes no function, so this polls it and hands each batch
to the same handler AWS invokes (app.follow_ups). As in AWS: a batch's reported failures are retried
from the first of them on; a handler that crashes gets the whole batch again; the position moves
on only past what succeeded."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import boto3
from botocore.config import Config

Handler = Callable[[dict[str, Any], Any], Any]


class FollowUpFailing(RuntimeError):
    pass


def app_handler() -> Handler:
    import app

    return app.follow_ups


@dataclass
class EventConsumer:
    handler: Handler
    table_name: str
    batch_size: int = 50
    _after: dict[str, str] = field(default_factory=dict)  # shard id -> last sequence number done
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @cached_property
    def _streams(self) -> Any:
        # Made once per consumer (a client costs more than the poll itself; the tests poll around every
        # request). moto answers the regional endpoint, not the account-based one botocore picks for an ARN.
        return boto3.client("dynamodbstreams", config=Config(account_id_endpoint_mode="disabled"))

    @cached_property
    def _stream_arn(self) -> str:
        return boto3.client("dynamodb").describe_table(TableName=self.table_name)["Table"]["LatestStreamArn"]

    def _shards(self) -> tuple[Any, str, list[tuple[str, str]]]:
        """The stream, and each shard's iterator just past what this consumer has done."""
        streams = self._streams
        arn = self._stream_arn
        iterators = []
        for shard in streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
            after = self._after.get(shard["ShardId"])
            position = ({"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": after} if after
                        else {"ShardIteratorType": "TRIM_HORIZON"})  # fmt: skip
            iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard["ShardId"], **position)["ShardIterator"]
            iterators.append((shard["ShardId"], iterator))
        return streams, arn, iterators

    def poll_once(self) -> int:
        """One batch per shard, at most; the number of records handed over successfully."""
        with self._lock:
            done = 0
            streams, arn, iterators = self._shards()
            for shard_id, iterator in iterators:
                records = streams.get_records(ShardIterator=iterator, Limit=self.batch_size)["Records"]
                if records:
                    done += self._hand_over(arn, shard_id, records)
            return done

    def _hand_over(self, arn: str, shard_id: str, records: list[dict[str, Any]]) -> int:
        batch = {"Records": [{**r, "eventSourceARN": arn} for r in records]}
        for record in batch["Records"]:
            created = record["dynamodb"].get("ApproximateCreationDateTime")
            if hasattr(created, "timestamp"):  # Lambda's events carry it as epoch seconds
                record["dynamodb"]["ApproximateCreationDateTime"] = created.timestamp()
        response = self.handler(batch, None) or {}
        failed = {f["itemIdentifier"] for f in response.get("batchItemFailures", ())}
        succeeded = 0
        for record in records:
            if record["dynamodb"]["SequenceNumber"] in failed:
                break  # the stream retries from here, as Lambda's does
            self._after[shard_id] = record["dynamodb"]["SequenceNumber"]
            succeeded += 1
        return succeeded

    def drain(self, rounds: int = 50) -> int:
        """Until the stream has nothing new (follow-ups write events of their own: a delivered
        message's notification comes a round later). For tests and scripts: a record that keeps
        failing raises, so the failure is seen rather than waited for."""
        total = 0
        for _ in range(rounds):
            done = self.poll_once()
            total += done
            if done == 0:
                if self._has_more():
                    raise FollowUpFailing("a follow-up keeps failing; its error is in the log")
                return total
        raise FollowUpFailing("the stream did not run dry")

    def _has_more(self) -> bool:
        streams, _, iterators = self._shards()
        return any(streams.get_records(ShardIterator=iterator, Limit=1)["Records"] for _, iterator in iterators)

    def run(self, stop: threading.Event, interval: float = 0.2, on_error: Callable[[Exception], None] | None = None
            ) -> None:  # fmt: skip
        """The local stack's consumer thread: poll until stopped."""
        while not stop.is_set():
            try:
                if self.poll_once():
                    continue
            except Exception as error:  # the handler failed the whole batch: it comes again next poll
                if on_error:
                    on_error(error)
            stop.wait(interval)
