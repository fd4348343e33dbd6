"""The work queues, read as Lambda's SQS event source mappings read them, for the local stack, the
tests and the bench: moto keeps the queues but invokes no function, so this polls each queue and
hands its messages, in Lambda's event shape, to the same worker the queue invokes in AWS (app.py's
@app.on_sqs_message functions, with their batch sizes). As in AWS: a message the worker reports
back as failed (or every message of a batch whose worker crashed) comes again — here at once rather
than after the visibility timeout — and after five receives moto moves it to the dead-letter queue;
the others are deleted. `concurrency` threads per queue stand in for the mapping's maximum concurrency.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Handler = Callable[[dict[str, Any], Any], Any]


class WorkerFailing(RuntimeError):
    pass


@dataclass
class QueueWorker:
    handler: Handler
    queue_url: str
    batch_size: int = 10
    _client: Any = None

    def _sqs(self) -> Any:
        if self._client is None:
            import botocore.session

            self._client = botocore.session.get_session().create_client("sqs")
        return self._client

    def poll_once(self) -> tuple[int, int]:
        """One batch at most: (messages handed over and done, messages that failed)."""
        sqs = self._sqs()
        messages = sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=min(self.batch_size, 10),
                                       AttributeNames=["All"], WaitTimeSeconds=0).get("Messages", [])  # fmt: skip
        if not messages:
            return 0, 0
        arn = sqs.get_queue_attributes(QueueUrl=self.queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        event = {"Records": [{
            "messageId": m["MessageId"], "receiptHandle": m["ReceiptHandle"], "body": m["Body"],
            "attributes": m.get("Attributes", {}), "messageAttributes": {}, "md5OfBody": m["MD5OfBody"],
            "eventSource": "aws:sqs", "eventSourceARN": arn, "awsRegion": arn.split(":")[3]} for m in messages]}  # fmt: skip
        try:
            response = self.handler(event, None) or {}
            failed = {f["itemIdentifier"] for f in response.get("batchItemFailures", ())}
        except Exception:  # the worker crashed: the whole batch comes again
            failed = {m["MessageId"] for m in messages}
        done = [m for m in messages if m["MessageId"] not in failed]
        for m in done:
            sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=m["ReceiptHandle"])
        for m in messages:
            if m["MessageId"] in failed:  # visible again now (Lambda waits for the visibility timeout)
                sqs.change_message_visibility(QueueUrl=self.queue_url, ReceiptHandle=m["ReceiptHandle"],
                                              VisibilityTimeout=0)  # fmt: skip
        return len(done), len(failed)


@dataclass
class QueueWorkers:
    """Every work queue of the app with its worker; `drain` for tests and scripts, `run` for threads."""

    workers: dict[str, QueueWorker] = field(default_factory=dict)  # kind -> worker

    @classmethod
    def of_app(cls, app_module: Any, queue_urls: dict[str, str]) -> QueueWorkers:
        """app.py's SQS workers, each on its queue (the kind in its placeholder ARN: "...-<kind>-placeholder")."""
        workers = {}
        for source in app_module.app.event_sources:
            queue_arn = getattr(source, "queue_arn", None)
            if not queue_arn:
                continue
            kind = queue_arn.rsplit(":", 1)[1].removeprefix("eservices-").removesuffix("-placeholder")
            handler = getattr(app_module, source.handler_string.rsplit(".", 1)[1])
            workers[kind] = QueueWorker(handler, queue_urls[kind], batch_size=source.batch_size)
        return cls(workers)

    def concurrency_of(self, app_module: Any, kind: str) -> int:
        source = next(s for s in app_module.app.event_sources if getattr(s, "queue_arn", "").endswith(f"-{kind}-placeholder"))
        return source.maximum_concurrency or 1

    def poll_once(self) -> tuple[int, int]:
        done = failed = 0
        for worker in self.workers.values():
            d, f = worker.poll_once()
            done, failed = done + d, failed + f
        return done, failed

    def drain(self, rounds: int = 10_000) -> int:
        """Until every queue is empty. A message that keeps failing raises (after moto has moved it to
        the dead-letter queue), so the failure is seen rather than waited for."""
        total = 0
        for _ in range(rounds):
            done, failed = self.poll_once()
            total += done
            if failed:
                raise WorkerFailing(f"{failed} work chunk(s) failed; the error is in the log")
            if done == 0:
                return total
        raise WorkerFailing("the queues did not run dry")

    def run(self, stop: threading.Event, interval: float = 0.5,
            on_error: Callable[[Exception], None] | None = None) -> None:  # fmt: skip
        """The local stack's poller thread: poll every queue until stopped."""
        while not stop.is_set():
            try:
                done, failed = self.poll_once()
                if failed and on_error:
                    on_error(WorkerFailing(f"{failed} work chunk(s) failed and will be retried"))
                if done:
                    continue
            except Exception as error:  # moto not answering: try again
                if on_error:
                    on_error(error)
            stop.wait(interval)
