"""Batch work fanned out over SQS to Lambda workers (AWS's own queue and scaling, no queue of ours).

A scheduled planner pages through what is due and sends work chunks here; the queue's event
source mapping hands them to a worker function with a bounded concurrency (infra/). A chunk names
things by id only (appointment ids and versions, opaque citizen ids, letter keys): no personal
data travels in a message. Delivery is at least once, so every worker is idempotent (conditional
writes); a chunk that keeps failing goes to the queue's dead-letter queue and raises an alarm.
Locally, local/queue_workers.py polls moto's queues and calls the same worker functions.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import cached_property
from typing import Any

from chalicelib.adapters import aws

BATCH = 10  # SendMessageBatch takes ten messages a call
MAX_RECEIVES = 5  # then the dead-letter queue (infra/ sets the same redrive policy)


class WorkQueues:
    def __init__(self, queues: dict[str, str]) -> None:
        self._queues = queues  # kind -> URL (AWS) or name (local stack, tests)
        self._urls: dict[str, str] = {}

    @cached_property
    def _sqs(self) -> Any:
        return aws.client("sqs")

    def url(self, kind: str) -> str:
        if kind not in self._urls:
            where = self._queues[kind]
            self._urls[kind] = where if "://" in where else self._sqs.get_queue_url(QueueName=where)["QueueUrl"]
        return self._urls[kind]

    def send(self, kind: str, chunks: Iterable[dict[str, Any]]) -> int:
        """Each chunk as one message, ten to a call; the number sent. A message SQS refused is sent
        once more, then the planner fails (its next run plans what is still due)."""
        sent = 0
        batch: list[dict[str, Any]] = []
        for chunk in chunks:
            batch.append(chunk)
            if len(batch) == BATCH:
                sent += self._send_batch(kind, batch)
                batch = []
        if batch:
            sent += self._send_batch(kind, batch)
        return sent

    def _send_batch(self, kind: str, chunks: list[dict[str, Any]]) -> int:
        entries = [{"Id": str(n), "MessageBody": json.dumps(c, separators=(",", ":"))} for n, c in enumerate(chunks)]
        for _ in range(2):
            failed = self._sqs.send_message_batch(QueueUrl=self.url(kind), Entries=entries).get("Failed") or []
            if not failed:
                return len(chunks)
            retry = {f["Id"] for f in failed}
            entries = [e for e in entries if e["Id"] in retry]
        raise RuntimeError(f"SQS refused {len(entries)} messages for the {kind} queue")

    def backlog(self, kind: str) -> int:
        """Messages waiting or being worked on (approximate, as SQS counts them)."""
        attributes = self._sqs.get_queue_attributes(QueueUrl=self.url(kind), AttributeNames=[
            "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])["Attributes"]  # fmt: skip
        return sum(int(v) for v in attributes.values())

    def create_local(self, visibility_seconds: int = 60) -> None:
        """Local stack and tests only (infra/ makes the queues in AWS): each queue with a dead-letter
        queue after MAX_RECEIVES receives, as in AWS."""
        for kind, name in self._queues.items():
            if "://" in name:
                continue
            dead = self._sqs.create_queue(QueueName=f"{name}-dead-letters")["QueueUrl"]
            dead_arn = self._sqs.get_queue_attributes(QueueUrl=dead, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
            self._urls[kind] = self._sqs.create_queue(QueueName=name, Attributes={
                "VisibilityTimeout": str(visibility_seconds),
                "RedrivePolicy": json.dumps({"deadLetterTargetArn": dead_arn, "maxReceiveCount": str(MAX_RECEIVES)}),
            })["QueueUrl"]  # fmt: skip
