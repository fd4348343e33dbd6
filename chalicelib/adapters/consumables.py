"""Consumable orders and listing requests in DynamoDB (access patterns in tables.py). One open
order per item and one open listing request per person are lock items written in the same
transaction as the order or request; what an item's orders took in a period is a counter beside
them, raised in the order's transaction only while it stays within what is prescribed."""

from __future__ import annotations

from typing import Any

from pynamodb.exceptions import DoesNotExist, TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib.adapters import events
from chalicelib.adapters.paging import Position, exclusive_start, one_page
from chalicelib.adapters.tables import ConsumableOrderRecord, ListingRequestRecord
from chalicelib.domain.consumables import Status
from chalicelib.domain.events import DomainEvent

REGION = "region"
PICKUP_POINTS = "pickup-points"


class Taken(Exception):
    """A condition failed: an open order or request exists, too much ordered, or the state changed first."""


def _run(write: Any, event: DomainEvent) -> None:
    try:
        with events.transaction() as tx:
            write(tx)
            events.add_event(tx, event)
    except TransactWriteError as error:
        if error.cause_response_code == "TransactionCanceledException":
            raise Taken() from None
        raise


def _taken_key(item_key: str, period_start: str) -> str:
    return f"taken#{item_key}#{period_start}"


class ConsumableOrders:
    def pickup_points(self) -> list[str]:
        try:
            return list(ConsumableOrderRecord.get(REGION, PICKUP_POINTS).pickup_points or [])
        except DoesNotExist:
            return []

    def set_pickup_points(self, points: list[str]) -> None:
        ConsumableOrderRecord(REGION, PICKUP_POINTS, pickup_points=points).save()

    def open_items(self, citizen_id: str) -> frozenset[str]:
        """One Query of the open-order locks (one an item)."""
        return frozenset(r.order_key.removeprefix("open#") for r in
                         ConsumableOrderRecord.query(citizen_id, ConsumableOrderRecord.order_key.startswith("open#")))

    def taken(self, citizen_id: str, periods: list[tuple[str, str]]) -> dict[tuple[str, str], int]:
        """What the orders took of each (item key, period start): one BatchGetItem."""
        if not periods:
            return {}
        keys = [(citizen_id, _taken_key(item, start)) for item, start in periods]
        found = {r.order_key: int(r.quantity or 0) for r in ConsumableOrderRecord.batch_get(keys)}
        return {(item, start): found.get(_taken_key(item, start), 0) for item, start in periods}

    def page(self, citizen_id: str, limit: int, start: Position | None
             ) -> tuple[list[ConsumableOrderRecord], Position | None]:  # fmt: skip
        results = ConsumableOrderRecord.query(citizen_id, ConsumableOrderRecord.order_key.startswith("order#"),
                                              scan_index_forward=False, page_size=limit + 1,
                                              last_evaluated_key=exclusive_start(start))  # fmt: skip
        return one_page(ConsumableOrderRecord, results, limit)

    def by_order(self, order_id: str) -> ConsumableOrderRecord | None:
        return next((r for r in ConsumableOrderRecord.by_order.query(order_id, limit=2)
                     if r.order_key.startswith("order#")), None)

    def place(self, order: ConsumableOrderRecord, per_period: int, placed: DomainEvent) -> None:
        """The order, its item's open lock, the period's counter (only within what is prescribed) and
        its event together. Taken: an open order of the item, or more than is left."""
        quantity = int(order.quantity)
        counter = ConsumableOrderRecord(order.owner, _taken_key(order.item_key, order.period_start))

        def write(tx: TransactWrite) -> None:
            tx.save(order, condition=ConsumableOrderRecord.order_key.does_not_exist())
            # The lock carries no order_id: the by-order index holds orders only.
            tx.save(ConsumableOrderRecord(order.owner, f"open#{order.item_key}"),
                    condition=ConsumableOrderRecord.order_key.does_not_exist())  # fmt: skip
            tx.update(counter, actions=[ConsumableOrderRecord.quantity.add(quantity)],
                      condition=ConsumableOrderRecord.quantity.does_not_exist()
                      | (ConsumableOrderRecord.quantity <= per_period - quantity))  # fmt: skip

        _run(write, placed)

    def advance(self, record: ConsumableOrderRecord, to: Status, actions: list[Any], event: DomainEvent) -> bool:
        """The supplier's step (from the status before it), with its event; False when the order is
        not in that status. A delivered order closes: its item may be ordered again."""
        before = {Status.SHIPPED: Status.PLACED, Status.DELIVERED: Status.SHIPPED}[to]

        def write(tx: TransactWrite) -> None:
            tx.update(ConsumableOrderRecord(record.owner, record.order_key),
                      actions=[ConsumableOrderRecord.status.set(to.value), *actions],
                      condition=ConsumableOrderRecord.status == before.value)  # fmt: skip
            if to is Status.DELIVERED:
                tx.delete(ConsumableOrderRecord(record.owner, f"open#{record.item_key}"))

        try:
            _run(write, event)
        except Taken:
            return False
        return True

    def cancel(self, record: ConsumableOrderRecord, actions: list[Any], event: DomainEvent) -> bool:
        """Withdrawn before it is sent: the lock goes and the quantity returns to the period."""

        def write(tx: TransactWrite) -> None:
            tx.update(ConsumableOrderRecord(record.owner, record.order_key),
                      actions=[ConsumableOrderRecord.status.set(Status.CANCELLED.value), *actions],
                      condition=ConsumableOrderRecord.status == Status.PLACED.value)  # fmt: skip
            tx.delete(ConsumableOrderRecord(record.owner, f"open#{record.item_key}"))
            tx.update(ConsumableOrderRecord(record.owner, _taken_key(record.item_key, record.period_start)),
                      actions=[ConsumableOrderRecord.quantity.add(-int(record.quantity))])

        try:
            _run(write, event)
        except Taken:
            return False
        return True

    def in_status(self, status: Status, limit: int, start: dict[str, str] | None,
                  units: frozenset[str] | None) -> tuple[list[ConsumableOrderRecord], dict[str, str] | None]:  # fmt: skip
        """A page of orders in a status, oldest first; `units` (None: all) a filter on the index."""
        exclusive = {name: {"S": value} for name, value in start.items()} if start else None
        condition = ConsumableOrderRecord.unit_hsa_id.is_in(*sorted(units)) if units is not None else None
        query = ConsumableOrderRecord.by_status.query(status.value, filter_condition=condition, limit=limit,
                                                      last_evaluated_key=exclusive)  # fmt: skip
        page = list(query)
        last = query.last_evaluated_key
        return page, {name: value["S"] for name, value in last.items()} if last else None


class ListingRequests:
    def latest(self, citizen_id: str, limit: int = 5) -> list[ListingRequestRecord]:
        """The person's newest requests: one Query."""
        return list(ListingRequestRecord.query(citizen_id, ListingRequestRecord.request_key.startswith("request#"),
                                               scan_index_forward=False, limit=limit))  # fmt: skip

    def by_request(self, request_id: str) -> ListingRequestRecord | None:
        return next((r for r in ListingRequestRecord.by_request.query(request_id, limit=2)
                     if r.request_key.startswith("request#")), None)

    def create(self, record: ListingRequestRecord, requested: DomainEvent) -> None:
        def write(tx: TransactWrite) -> None:
            tx.save(record, condition=ListingRequestRecord.request_key.does_not_exist())
            # The lock carries no request_id: the by-request index holds requests only.
            tx.save(ListingRequestRecord(record.citizen_id, "open"),
                    condition=ListingRequestRecord.request_key.does_not_exist())  # fmt: skip

        _run(write, requested)

    def decide(self, record: ListingRequestRecord, actions: list[Any], decided: DomainEvent) -> bool:
        def write(tx: TransactWrite) -> None:
            tx.update(ListingRequestRecord(record.citizen_id, record.request_key), actions=actions,
                      condition=ListingRequestRecord.status == "open")  # fmt: skip
            tx.delete(ListingRequestRecord(record.citizen_id, "open"))

        try:
            _run(write, decided)
        except Taken:
            return False
        return True

    def in_status(self, status: str, limit: int, start: dict[str, str] | None
                  ) -> tuple[list[ListingRequestRecord], dict[str, str] | None]:  # fmt: skip
        exclusive = {name: {"S": value} for name, value in start.items()} if start else None
        query = ListingRequestRecord.by_status.query(status, limit=limit, last_evaluated_key=exclusive)
        page = list(query)
        last = query.last_evaluated_key
        return page, {name: value["S"] for name, value in last.items()} if last else None
