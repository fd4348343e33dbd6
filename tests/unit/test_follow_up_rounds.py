"""The events stream's batches are followed up in rounds: a TAKE_MANY follow-up gets all of a round's
events of its kind at once, one thing's events stay in order, and a failed event holds back that
thing's later events (and only those) until the stream retries it."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from pynamodb.attributes import UTCDateTimeAttribute

from chalicelib.domain.events import Kind
from chalicelib.services import follow_ups


def _record(sequence: int, kind: Kind, stream_key: str) -> dict:
    return {"eventName": "INSERT", "dynamodb": {"SequenceNumber": str(sequence), "NewImage": {
        "stream_key": {"S": stream_key}, "event_id": {"S": f"event-{sequence}"}, "kind": {"S": kind.value},
        "occurred_at": {"S": UTCDateTimeAttribute().serialize(datetime(2026, 11, 23, 17, tzinfo=timezone.utc))},
        "data": {"M": {"booking_id": {"S": stream_key.split("#")[1]}}}}}}  # fmt: skip


@pytest.fixture
def calls(monkeypatch):
    seen: list[tuple[str, list[str]]] = []

    def many(ports, events):  # noqa: ANN001, ANN202
        seen.append(("many", [e.event_id for e in events]))
        if any(e.event_id == "event-4" for e in events):
            raise ConnectionError("one bad event")

    def one(ports, event):  # noqa: ANN001, ANN202
        seen.append(("one", [event.event_id]))

    monkeypatch.setattr(follow_ups, "FOLLOW_UPS", {Kind.SUMMONS_RELEASED: (many,), Kind.SUMMONS_CHANGED: (one,)})
    monkeypatch.setattr(follow_ups, "TAKE_MANY", frozenset({many}))
    return seen


def test_a_round_holds_each_things_next_event_and_takes_many_at_once(calls):
    batch = {"Records": [
        _record(1, Kind.SUMMONS_RELEASED, "booking#a"), _record(2, Kind.SUMMONS_RELEASED, "booking#b"),
        _record(3, Kind.SUMMONS_CHANGED, "booking#a"), _record(5, Kind.SUMMONS_RELEASED, "booking#a"),
        _record(6, Kind.SUMMONS_RELEASED, "booking#c")]}  # fmt: skip
    assert follow_ups.consume(None, batch) == {"batchItemFailures": []}
    assert calls == [("many", ["event-1", "event-2", "event-6"]), ("one", ["event-3"]), ("many", ["event-5"])]


def test_a_failed_event_holds_back_its_things_later_events_and_only_those(calls):
    batch = {"Records": [
        _record(1, Kind.SUMMONS_RELEASED, "booking#a"), _record(4, Kind.SUMMONS_RELEASED, "booking#b"),
        _record(5, Kind.SUMMONS_CHANGED, "booking#b"), _record(6, Kind.SUMMONS_CHANGED, "booking#a")]}  # fmt: skip
    result = follow_ups.consume(None, batch)
    # All of the round at once failed, so one at a time: event 1 went, event 4 failed; event 5 (b's next)
    # waits for the stream's retry, event 6 (a's next) went.
    assert calls == [("many", ["event-1", "event-4"]), ("many", ["event-1"]), ("many", ["event-4"]),
                     ("one", ["event-6"])]  # fmt: skip
    assert result == {"batchItemFailures": [{"itemIdentifier": "4"}, {"itemIdentifier": "5"}]}
