"""Förbrukningsartiklar (consumables, issue 21): the citizen orders prescribed items for delivery.

What is prescribed is read from the region's care systems when the page opens (FHIR R4
DeviceRequest, domain/consumables.py; never stored), by POST with the personnummer in the body. The
order is ours (adapters/consumables.py): one open order per item and never more than is left of the
period, both conditions of the order's own transaction with its `consumable_order.placed` event; a
second send of the same form (its submission id) is the same order. The supplier reaches the orders
through the integration API (scope `consumables`, for the key's units or region-wide) and reports them
shipped and delivered; each step's note to the person's inbox follows from its event
(services/follow_ups.py). Home delivery goes to the register address, never offered for and refused
to a protected identity.

Access patterns: the register (GetItem), the open-order locks (Query), the period counters
(BatchGetItem), the orders (Query, newest first), the pickup points (GetItem); no Scan.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from chalicelib.adapters.consumables import Taken
from chalicelib.adapters.fhir_sources import PERSONNUMMER_SYSTEM, SAMORDNINGSNUMMER_SYSTEM, Search
from chalicelib.adapters.tables import ConsumableOrderRecord, UnitRecord
from chalicelib.catalogs import translate
from chalicelib.domain import consumables as rules
from chalicelib.domain.clock import stockholm_date
from chalicelib.domain.consumables import Delivery, Item, Status
from chalicelib.domain.error_text import N_
from chalicelib.domain.events import DomainEvent, Kind, event
from chalicelib.domain.inbox import Action
from chalicelib.domain.people import Person
from chalicelib.errors import BadInput, Conflict, Forbidden, NotFound, Unavailable
from chalicelib.observability import logger, record_metric
from chalicelib.services import inbox, paging, persons
from chalicelib.services.input import decode_cursor, encode_cursor, identifier, json_object, optional_text
from chalicelib.services.integration import run_idempotent
from chalicelib.services.ports import Ports
from chalicelib.services.principals import CitizenPrincipal, IntegrationPrincipal

SCOPE = "consumables"
COUNT = 100  # a person's prescribed items per source: far more than anyone has
ORDERS_PAGE = 20
PAGE_MAX = 100


@dataclass(frozen=True)
class ItemView:
    item: Item
    period_start: date
    period_end: date
    left: int
    open_order: bool


@dataclass
class Consumables:
    subject: Person | None
    acting_for_child: bool
    may_order: bool
    failed_sources: list[str] = field(default_factory=list)
    items: list[ItemView] = field(default_factory=list)
    home_address: list[str] | None = None  # None: no home delivery (protected identity, or no address)
    pickup_points: list[str] = field(default_factory=list)


def _home(person: Person | None) -> list[str] | None:
    if person is None or person.protected_identity or person.address is None:
        return None  # a protected address is never offered, nor printed on a parcel
    return rules.Address(person.address.street, person.address.postal_code, person.address.city).lines(person.full_name)


def _items(ports: Ports, person: Person) -> tuple[list[Item], list[str]]:
    searches = [Search(source, rules.RESOURCE_TYPE, (("_count", str(COUNT)),))
                for source in ports.settings.journal_sources if rules.RESOURCE_TYPE in source.types]  # fmt: skip
    if not searches:
        return [], []
    pnr = person.personnummer
    system = SAMORDNINGSNUMMER_SYSTEM if pnr.is_coordination_number else PERSONNUMMER_SYSTEM
    answers = ports.journal_sources.search_all(searches, system, pnr.digits)
    failed = list(dict.fromkeys(a.source.name for a in answers if not a.ok))
    if failed:
        record_metric("ConsumablesSourceFailed")
    return [i for a in answers for r in a.resources if (i := rules.item_of(a.source.id, r))], failed


def overview(ports: Ports, principal: CitizenPrincipal, now: datetime) -> Consumables:
    """The page: each item prescribed now with what is left of its period and whether an order of it
    is open; the delivery choices."""
    today = stockholm_date(now)
    subject = ports.register.get(principal.subject_id)
    acting = principal.acting_for_id is not None
    if subject is None:
        return Consumables(None, acting, False)
    found = Consumables(subject, acting, rules.may_order(subject, acting, today))
    if not found.may_order:
        return found
    items, found.failed_sources = _items(ports, subject)
    items = rules.current(items, today)
    periods = [(i.key, rules.period_start(i, today).isoformat()) for i in items]
    taken = ports.consumable_orders.taken(subject.citizen_id, periods)
    open_items = ports.consumable_orders.open_items(subject.citizen_id)
    found.items = [ItemView(i, rules.period_start(i, today), rules.period_end(i, today),
                            rules.left(i, taken[(i.key, rules.period_start(i, today).isoformat())]), i.key in open_items)
                   for i in items]  # fmt: skip
    found.home_address = _home(subject)
    found.pickup_points = ports.consumable_orders.pickup_points()
    return found


def my_orders(ports: Ports, principal: CitizenPrincipal, cursor: str | None = None) -> paging.Page[ConsumableOrderRecord]:
    """A page of the subject's orders, newest first: one Query."""
    scope = f"consumable-orders:{principal.subject_id}"
    orders, following = ports.consumable_orders.page(principal.subject_id, ORDERS_PAGE,
                                                     paging.start(ports, scope, cursor))  # fmt: skip
    return paging.Page(orders, paging.following(ports, scope, following))


def _quantity(text: str | None, left: int) -> int:
    try:
        wanted = int((text or "").strip())
    except ValueError:
        raise BadInput("quantity_invalid", "Ange hur många du vill beställa.", field="quantity") from None
    if wanted < 1 or wanted > left:
        raise BadInput("quantity_invalid", "Du kan beställa högst {left} under perioden.", field="quantity",
                       values={"left": left})  # fmt: skip
    return wanted


def _address(found: Consumables, fields: dict[str, str]) -> tuple[Delivery, list[str]]:
    try:
        delivery = Delivery(fields.get("delivery", ""))
    except ValueError:
        raise BadInput("delivery_invalid", "Välj hur du vill få varorna.", field="delivery") from None
    if delivery is Delivery.HOME:
        if found.home_address is None:  # a protected identity: refused here too, not only left off the page
            raise BadInput("home_delivery_unavailable", "Vi kan inte skicka till din folkbokföringsadress. Välj ett "
                                                        "utlämningsställe eller en annan adress.", field="delivery")  # fmt: skip
        return delivery, found.home_address
    if delivery is Delivery.PICKUP:
        point = fields.get("pickup_point", "")
        if point not in found.pickup_points:
            raise BadInput("pickup_point_invalid", "Välj ett utlämningsställe.", field="pickup_point")
        return delivery, [point]
    street, postal_code, city = (fields.get(n, "") or "" for n in ("street", "postal_code", "city"))
    problems = rules.address_problems(street, postal_code, city)
    if problems:
        name, message = next(iter(problems.items()))
        raise BadInput("address_invalid", message, field=name)
    assert found.subject is not None
    name = "" if found.subject.protected_identity else found.subject.full_name
    lines = rules.Address(street.strip(), rules.normal_postal_code(postal_code), city.strip()).lines(name)
    return delivery, [line for line in lines if line]


def order(ports: Ports, principal: CitizenPrincipal, item_key: str, fields: dict[str, str], now: datetime,
          lambda_context: Any = None) -> str:  # fmt: skip
    """Order an item for delivery: the item read again from the care system, at most what is left of
    the period, one open order per item (409 order_open, nothing written), once per submission id."""
    found = overview(ports, principal, now)
    if found.subject is None or not found.may_order:
        raise Forbidden("consumables_not_allowed", "Du kan beställa förbrukningsartiklar från den dag du fyller 18 år.")
    if found.failed_sources:
        raise Unavailable("consumables_unavailable", "Förskrivningarna kunde inte hämtas just nu. Försök igen om en stund.")
    view = next((v for v in found.items if v.item.key == item_key), None)
    if view is None:
        raise BadInput("item_not_found", "Artikeln finns inte längre bland dina förskrivningar. Ladda om sidan.",
                       field="item")  # fmt: skip
    delivery, address = _address(found, fields)
    subject = found.subject

    def place_once() -> dict[str, Any]:
        if item_key in ports.consumable_orders.open_items(subject.citizen_id):
            raise Conflict("order_open", "Du har redan en pågående beställning av artikeln.")
        if view.left < 1:
            raise Conflict("nothing_left", "Du har beställt allt som är förskrivet för perioden.")
        quantity = _quantity(fields.get("quantity") or str(view.left), view.left)
        order_id = str(uuid.uuid4())
        item = view.item
        record = ConsumableOrderRecord(
            subject.citizen_id, f"order#{rules.placed_key(now, order_id)}", order_id=order_id, item_key=item.key,
            item_name=item.name, quantity=quantity, quantity_unit=item.unit, period_start=view.period_start.isoformat(),
            unit_hsa_id=item.unit_hsa_id, unit_name=item.unit_name, status=Status.PLACED.value,
            placed_key=rules.placed_key(now, order_id), delivery=delivery.value, address_lines=address,
            ordered_by=principal.citizen_id, placed_at=now,
        )  # fmt: skip
        try:
            ports.consumable_orders.place(record, item.per_period, event(Kind.CONSUMABLE_PLACED, _stream_key(order_id),
                                                                         now, order_id=order_id))  # fmt: skip
        except Taken:
            raise Conflict("order_open", "Du har redan en pågående beställning av artikeln, eller har beställt allt som "
                                         "är förskrivet för perioden.") from None  # fmt: skip
        logger.info("consumable ordered", extra={"order_id": order_id})
        record_metric("ConsumableOrdered")
        return {"order_id": order_id}

    payload = {"item": item_key, "delivery": delivery.value, "subject": principal.subject_id,
               "quantity": fields.get("quantity") or ""}  # fmt: skip
    return str(run_idempotent(operation="consumables.order", caller=principal.citizen_id,
                              idempotency_key=fields.get("submission_id"), payload=payload, command=place_once,
                              lambda_context=lambda_context)["order_id"])  # fmt: skip


def cancel(ports: Ports, principal: CitizenPrincipal, order_id: str, now: datetime) -> None:
    """Withdraw an order the supplier has not sent yet."""
    record = ports.consumable_orders.by_order(order_id)
    if record is None or record.owner != principal.subject_id:
        raise NotFound("order_not_found", "Beställningen finns inte.")
    if record.status == Status.CANCELLED.value:
        return
    cancelled = event(Kind.CONSUMABLE_CANCELLED, _stream_key(order_id), now, order_id=order_id)
    if not ports.consumable_orders.cancel(record, [ConsumableOrderRecord.cancelled_at.set(now)], cancelled):
        raise Conflict("order_not_placed", "Beställningen är redan skickad och kan inte ångras.")


# -- the supplier ----------------------------------------------------------------------------------


def _units_of(principal: IntegrationPrincipal) -> frozenset[str] | None:
    """None: a region-wide key sees every unit's orders."""
    return None if principal.region_wide else principal.allowed_units


def _cursor_key(ports: Ports) -> bytes:
    return hashlib.sha256(b"cursor:" + ports.settings.pnr_hmac_key).digest()


def _out(r: ConsumableOrderRecord) -> dict[str, Any]:
    return {"order_id": r.order_id, "status": r.status, "item": r.item_name, "quantity": int(r.quantity or 0),
            "quantity_unit": r.quantity_unit or "", "unit_hsa_id": r.unit_hsa_id, "placed_at": r.placed_at.isoformat(),
            "delivery": r.delivery, "address_lines": list(r.address_lines or [])}  # fmt: skip


def orders_for_supplier(ports: Ports, principal: IntegrationPrincipal, status: str | None,
                        cursor: str | None) -> dict[str, Any]:  # fmt: skip
    """GET /integration/v1/consumable-orders?status=placed: a page, oldest first."""
    principal.require_scope(SCOPE)
    if status not in ("placed", "shipped"):
        raise BadInput("status_invalid", "status är placed eller shipped.", field="status")
    scope = f"consumable-orders:{principal.key_id}:{status}"
    start = decode_cursor(_cursor_key(ports), scope, cursor)
    units = _units_of(principal)
    if units is not None and not units:
        return {"orders": [], "next_cursor": None}
    page, following = ports.consumable_orders.in_status(Status(status), PAGE_MAX, start, units)
    return {"orders": [_out(r) for r in page],
            "next_cursor": encode_cursor(_cursor_key(ports), scope, following) if following else None}  # fmt: skip


def _keys_order(ports: Ports, principal: IntegrationPrincipal, order_id: str) -> ConsumableOrderRecord:
    record = ports.consumable_orders.by_order(identifier(order_id, "order_id") or "")
    units = _units_of(principal)
    if record is None or (units is not None and record.unit_hsa_id not in units):
        raise NotFound("order_not_found", "Beställningen finns inte.")  # another unit's: as if none
    return record


def _step(ports: Ports, principal: IntegrationPrincipal, order_id: str, to: Status, body: Any,
          idempotency_key: str | None, now: datetime, lambda_context: Any) -> dict[str, Any]:  # fmt: skip
    principal.require_scope(SCOPE)
    body = json_object(body or {}, {"tracking"})
    tracking = optional_text(body, "tracking", 100)

    def step_once() -> dict[str, Any]:
        record = _keys_order(ports, principal, order_id)
        if record.status == to.value:
            return {"order_id": record.order_id, "status": record.status}  # already there: the same answer
        kind = Kind.CONSUMABLE_SHIPPED if to is Status.SHIPPED else Kind.CONSUMABLE_DELIVERED
        actions = ([ConsumableOrderRecord.shipped_at.set(now)] if to is Status.SHIPPED
                   else [ConsumableOrderRecord.delivered_at.set(now)])  # fmt: skip
        if tracking:
            actions.append(ConsumableOrderRecord.tracking.set(tracking))
        if not ports.consumable_orders.advance(record, to, actions, event(kind, _stream_key(record.order_id), now,
                                                                          order_id=record.order_id)):  # fmt: skip
            raise Conflict("order_state", "Beställningen är inte i ett läge för det steget (placed, sedan shipped, "
                                          "sedan delivered).")  # fmt: skip
        record_metric("ConsumableShipped" if to is Status.SHIPPED else "ConsumableDelivered")
        return {"order_id": record.order_id, "status": to.value}

    return run_idempotent(operation=f"consumables.{to.value}", caller=principal.key_id,
                          idempotency_key=idempotency_key, payload={"order_id": order_id, **body}, command=step_once,
                          lambda_context=lambda_context)  # fmt: skip


def mark_shipped(ports: Ports, principal: IntegrationPrincipal, order_id: str, body: Any, idempotency_key: str | None,
                 now: datetime, lambda_context: Any = None) -> dict[str, Any]:  # fmt: skip
    return _step(ports, principal, order_id, Status.SHIPPED, body, idempotency_key, now, lambda_context)


def mark_delivered(ports: Ports, principal: IntegrationPrincipal, order_id: str, body: Any, idempotency_key: str | None,
                   now: datetime, lambda_context: Any = None) -> dict[str, Any]:  # fmt: skip
    return _step(ports, principal, order_id, Status.DELIVERED, body, idempotency_key, now, lambda_context)


def _stream_key(order_id: str) -> str:
    return f"consumable_order#{order_id}"


# -- follow-ups (listed in services/follow_ups.py) -------------------------------------------------------


def tell_step(ports: Ports, happened: DomainEvent) -> None:
    """Shipped or delivered: a short note in the inbox of the person it is for (a child's reaches the
    guardians), once per event."""
    record = ports.consumable_orders.by_order(happened["order_id"])
    if record is None:
        return
    now = happened.occurred_at
    lang = persons.reach_of(ports, record.owner, stockholm_date(now)).language
    unit = (ports.units.get(record.unit_hsa_id) if record.unit_hsa_id else None) \
        or UnitRecord(record.unit_hsa_id or "region", name=record.unit_name or translate(lang, "consumables.mail.sender"))  # fmt: skip
    shipped = happened.kind is Kind.CONSUMABLE_SHIPPED
    item = record.item_name or ""
    count, unit_text = int(record.quantity or 0), record.quantity_unit or ""
    if shipped:
        subject = translate(lang, "consumables.mail.shipped_subject", item=item)
        body = translate(lang, "consumables.mail.shipped", item=item, quantity=count, unit=unit_text)
    else:
        subject = translate(lang, "consumables.mail.delivered_subject", item=item)
        body = translate(lang, "consumables.mail.delivered", item=item, quantity=count, unit=unit_text)
    letter = inbox.Letter(topic=translate(lang, "consumables.mail.topic"), subject=subject, body=body,
                          actions=(Action(translate(lang, "consumables.mail.see_orders"), "/consumables"),))
    inbox.deliver(ports, record.owner, unit, letter, "consumables", now, message_id=happened.follow_up_id("note"))
