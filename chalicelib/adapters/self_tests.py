"""The self-test catalogue, kit orders, picked-up kits and the follow-up list in DynamoDB (access
patterns in tables.py). One open order per test is a lock item written in the order's transaction;
a kit number is unique in the region through its item in the kits table, written in the same
transaction as the order that takes it (a shipped kit's or a picked-up kit's)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pynamodb.exceptions import DoesNotExist, TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib.adapters import events
from chalicelib.adapters.paging import Position, exclusive_start, one_page
from chalicelib.adapters.tables import (
    FollowUpRecord,
    KitOrderRecord,
    KitRecord,
    TestOfferRecord,
)
from chalicelib.domain.events import DomainEvent
from chalicelib.domain.localized import Localized
from chalicelib.domain.self_tests import OPEN, Delivery, Outcome, Status, TestOffer

CATALOGUE = "region"


class Taken(Exception):
    """A condition failed: an open order exists, or the order or kit changed first."""


class KitNumberInUse(Taken):
    """The kit number is already on another order (or on a kit in a pickup box)."""


def _as_dict(attribute: Any) -> dict[str, str]:
    return dict(attribute.as_dict() if hasattr(attribute, "as_dict") else attribute or {})


def _offer(r: TestOfferRecord) -> TestOffer:
    english = _as_dict(r.texts_en)
    return TestOffer(
        test_id=r.test_id, name=Localized(r.name, r.name_en), min_age=int(r.min_age) if r.min_age is not None else None,
        analyses=tuple(r.analyses), instructions=Localized(r.instructions, r.instructions_en),
        deliveries=tuple(Delivery(d) for d in r.deliveries), pickup_points=tuple(r.pickup_points or ()),
        follow_up_unit=r.follow_up_unit,
        texts={outcome: Localized(text, english.get(outcome)) for outcome, text in _as_dict(r.texts).items()},
    )  # fmt: skip


def _lock(citizen_id: str, test_id: str) -> KitOrderRecord:
    return KitOrderRecord(citizen_id, f"open#{test_id}")


def _last_choice(order: KitOrderRecord) -> KitOrderRecord:
    """How the citizen chose to get this test last time: the order form starts from it."""
    return KitOrderRecord(order.citizen_id, f"last#{order.test_id}", test_id=order.test_id, delivery=order.delivery,
                          address_lines=order.address_lines)  # fmt: skip


def _run(write: Any, event: DomainEvent | None = None) -> None:
    """One transaction (with the change's event, when it has one); Taken when a condition failed."""
    try:
        with events.transaction() as tx:
            write(tx)
            if event is not None:
                events.add_event(tx, event)
    except TransactWriteError as error:
        if error.cause_response_code == "TransactionCanceledException":
            raise Taken() from None
        raise


_IS_OPEN = KitOrderRecord.status.is_in(*(s.value for s in OPEN))


class Catalogue:
    def offers(self) -> list[TestOffer]:
        return [_offer(r) for r in TestOfferRecord.query(CATALOGUE)]

    def save(self, offer: TestOffer) -> None:
        TestOfferRecord(
            CATALOGUE, offer.test_id, name=offer.name.sv, name_en=offer.name.en, min_age=offer.min_age,
            analyses=list(offer.analyses), instructions=offer.instructions.sv, instructions_en=offer.instructions.en,
            deliveries=[d.value for d in offer.deliveries], pickup_points=list(offer.pickup_points),
            follow_up_unit=offer.follow_up_unit, texts={k: t.sv for k, t in offer.texts.items()},
            texts_en={k: t.en for k, t in offer.texts.items() if t.en} or None,
        ).save()  # fmt: skip


class KitOrders:
    def of_citizen(self, citizen_id: str) -> list[KitOrderRecord]:
        """Every order of the citizen (tests and tools; the pages read `citizen_page`)."""
        return [r for r in KitOrderRecord.query(citizen_id, KitOrderRecord.order_key.startswith("order#"))]

    def citizen_page(self, citizen_id: str, limit: int,
                     start: Position | None) -> tuple[list[KitOrderRecord], Position | None]:  # fmt: skip
        """A page of the citizen's orders, newest first: one Query on the by-citizen index."""
        results = KitOrderRecord.by_citizen.query(citizen_id, scan_index_forward=False, page_size=limit + 1,
                                                  last_evaluated_key=exclusive_start(start))  # fmt: skip
        return one_page(KitOrderRecord, results, limit)

    def open_tests(self, citizen_id: str) -> frozenset[str]:
        """The tests the citizen has an open order of: one Query of the open-order locks (one a test)."""
        return frozenset(r.order_key.removeprefix("open#")
                         for r in KitOrderRecord.query(citizen_id, KitOrderRecord.order_key.startswith("open#")))

    def last_choice(self, citizen_id: str, test_id: str) -> KitOrderRecord | None:
        """One GetItem."""
        try:
            return KitOrderRecord.get(citizen_id, f"last#{test_id}")
        except DoesNotExist:
            return None

    def by_order(self, order_id: str) -> KitOrderRecord | None:
        return next(iter(KitOrderRecord.by_order.query(order_id, limit=1)), None)

    def by_kit(self, kit_number: str) -> KitOrderRecord | None:
        return next(iter(KitOrderRecord.by_kit.query(kit_number, limit=1)), None)

    def create(self, order: KitOrderRecord, ordered: DomainEvent, kit: str | None = None) -> None:
        """The order, its test's open-order lock and its event together (and a picked-up kit's registration)."""

        def write(tx: TransactWrite) -> None:
            tx.save(order, condition=KitOrderRecord.order_key.does_not_exist())
            tx.save(_lock(order.citizen_id, order.test_id), condition=KitOrderRecord.order_key.does_not_exist())
            tx.save(_last_choice(order))
            if kit:
                tx.update(KitRecord(kit), actions=[KitRecord.registered_order_id.set(order.order_id)],
                          condition=KitRecord.kit_number.exists() & KitRecord.registered_order_id.does_not_exist())

        _run(write, ordered)

    def waiting(self, status: Status, limit: int, start: dict[str, str] | None,
                test_ids: frozenset[str]) -> tuple[list[KitOrderRecord], dict[str, str] | None]:  # fmt: skip
        """One page of orders in a status for these tests, oldest first, and where the next page starts
        (the index's key of the last order read, flat: {attribute: string}). The tests are a filter on
        the status index: a page may hold fewer than `limit` orders and still have a next one."""
        exclusive = {name: {"S": value} for name, value in start.items()} if start else None
        condition = KitOrderRecord.test_id.is_in(*sorted(test_ids))
        query = KitOrderRecord.by_status.query(status.value, filter_condition=condition, limit=limit,
                                              last_evaluated_key=exclusive)
        page = list(query)
        last = query.last_evaluated_key
        return page, {name: value["S"] for name, value in last.items()} if last else None

    def _update(self, record: KitOrderRecord, actions: list[Any], condition: Any, event: DomainEvent) -> bool:
        """The order's change and its event; False when the order is no longer in a state for it."""

        def write(tx: TransactWrite) -> None:
            tx.update(KitOrderRecord(record.citizen_id, record.order_key), actions=actions, condition=condition)

        try:
            _run(write, event)
        except Taken:
            return False
        return True

    def mark_sent(self, record: KitOrderRecord, kit_number: str, now: datetime, return_by: datetime,
                  event: DomainEvent) -> bool:  # fmt: skip
        """The order sent with its kit, the kit number taken for the region, and the event, in one transaction.
        False: the order no longer waits to be sent. KitNumberInUse: the number is taken; nothing written."""
        order_sent = KitOrderRecord.status == Status.ORDERED.value

        def write(tx: TransactWrite) -> None:
            tx.update(KitOrderRecord(record.citizen_id, record.order_key), actions=[
                KitOrderRecord.status.set(Status.SENT.value), KitOrderRecord.kit_number.set(kit_number),
                KitOrderRecord.sent_at.set(now), KitOrderRecord.awaiting_sample.set("yes"),
                KitOrderRecord.return_by.set(return_by.isoformat()),
            ], condition=order_sent)  # fmt: skip
            tx.save(KitRecord(kit_number, test_id=record.test_id, registered_order_id=record.order_id),
                    condition=KitRecord.kit_number.does_not_exist())  # fmt: skip

        try:
            with events.transaction() as tx:
                write(tx)
                events.add_event(tx, event)
        except TransactWriteError as error:
            if error.cause_response_code != "TransactionCanceledException":
                raise
            # Which condition failed: a kit number's item is never removed, so reading it settles it.
            kit = Kits().get(kit_number)
            if kit is not None and kit.registered_order_id != record.order_id:
                raise KitNumberInUse() from None
            return False
        return True

    def sample_taken(self, record: KitOrderRecord, now: datetime, event: DomainEvent) -> bool:
        return self._update(record, [KitOrderRecord.status.set(Status.SAMPLE_REGISTERED.value),
                                     KitOrderRecord.sample_registered_at.set(now)],
                            KitOrderRecord.status == Status.SENT.value, event)  # fmt: skip

    def mark_received(self, record: KitOrderRecord, now: datetime, event: DomainEvent) -> bool:
        """The sample is at the lab: the return limit no longer applies."""
        return self._update(record, [
            KitOrderRecord.status.set(Status.RECEIVED.value), KitOrderRecord.received_at.set(now),
            KitOrderRecord.awaiting_sample.remove(),
        ], KitOrderRecord.status.is_in(Status.SENT.value, Status.SAMPLE_REGISTERED.value), event)  # fmt: skip

    def remind(self, record: KitOrderRecord, now: datetime, event: DomainEvent) -> bool:
        """Once per order, with its event: a run that repeats reminds nobody twice."""

        def write(tx: TransactWrite) -> None:
            tx.update(KitOrderRecord(record.citizen_id, record.order_key), actions=[KitOrderRecord.reminded_at.set(now)],
                      condition=KitOrderRecord.reminded_at.does_not_exist() & KitOrderRecord.awaiting_sample.exists())

        try:
            _run(write, event)
        except Taken:
            return False
        return True

    def _close(self, record: KitOrderRecord, actions: list[Any], condition: Any, event: DomainEvent) -> None:
        def write(tx: TransactWrite) -> None:
            tx.update(KitOrderRecord(record.citizen_id, record.order_key), actions=actions, condition=condition)
            tx.delete(_lock(record.citizen_id, record.test_id))

        _run(write, event)

    def resulted(self, record: KitOrderRecord, outcomes: dict[str, Outcome], result: Outcome, now: datetime,
                 event: DomainEvent) -> None:  # fmt: skip
        self._close(record, [
            KitOrderRecord.status.set(Status.RESULTED.value), KitOrderRecord.resulted_at.set(now),
            KitOrderRecord.received_at.set(KitOrderRecord.received_at | now),
            KitOrderRecord.outcomes.set({k: v.value for k, v in outcomes.items()}),
            KitOrderRecord.result.set(result.value), KitOrderRecord.awaiting_sample.remove(),
        ], _IS_OPEN, event)  # fmt: skip

    def expire(self, record: KitOrderRecord, now: datetime, event: DomainEvent) -> None:
        self._close(record, [
            KitOrderRecord.status.set(Status.EXPIRED.value), KitOrderRecord.expired_at.set(now),
            KitOrderRecord.awaiting_sample.remove(),
        ], KitOrderRecord.awaiting_sample.exists() & _IS_OPEN, event)  # fmt: skip

    def near_deadline(self, until: datetime) -> list[KitOrderRecord]:
        return list(KitOrderRecord.deadline.query("yes", KitOrderRecord.return_by <= until.isoformat()))


class Kits:
    def get(self, kit_number: str) -> KitRecord | None:
        try:
            return KitRecord.get(kit_number)
        except DoesNotExist:
            return None

    def put(self, kit_number: str, test_id: str) -> None:
        KitRecord(kit_number, test_id=test_id).save()


class FollowUps:
    def add(self, record: FollowUpRecord) -> None:
        record.save()  # the same result again overwrites itself

    def of_unit(self, unit_hsa_id: str, limit: int = 100) -> list[FollowUpRecord]:
        return list(FollowUpRecord.query(unit_hsa_id, scan_index_forward=False, limit=limit))

    def page(self, unit_hsa_id: str, limit: int, start: Position | None) -> tuple[list[FollowUpRecord], Position | None]:
        """A page of the clinic's list, newest first: one Query."""
        results = FollowUpRecord.query(unit_hsa_id, scan_index_forward=False, page_size=limit + 1,
                                       last_evaluated_key=exclusive_start(start))  # fmt: skip
        return one_page(FollowUpRecord, results, limit)
