"""Förbrukningsartiklar (consumables): prescribed items such as incontinence products, nutritional
drinks and diabetes test strips, read from the region's care systems at view time as FHIR R4
`DeviceRequest`, and ordered here for delivery. Pure rules; the prescription is never stored, the
order is ours (adapters/consumables.py).

How a DeviceRequest reads (demo/journal/README.md):
- the item: `codeCodeableConcept` (its text, or the first coding's display);
- the quantity prescribed per period: `parameter` with code `quantity-per-period` of the code system
  CONSUMABLE_SUPPLY (valueQuantity: value and unit, "120 st"), and `period` (valueQuantity in UCUM
  months, `mo`; one month when absent);
- the periods run from `occurrencePeriod.start` (else `authoredOn`), each `period` months long
  (Stockholm dates); the prescription ends with `occurrencePeriod.end`;
- the prescribing unit: `requester`, an Organization with its HSA-id (as domain/journal.unit_of reads it);
- `status` active only; `note` texts are shown as the prescriber's note.

The quantity left in the current period is what is prescribed per period less what our orders of the
item took in that period (a cancelled order gives its quantity back).

Who: oneself from the 18th birthday, or a guardian acting for a child under 13 (not a protected one).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from chalicelib.domain.clock import add_months, stockholm_date
from chalicelib.domain.error_text import N_
from chalicelib.domain.guardianship import under_guardian_age
from chalicelib.domain.journal import _text, _unit, parse_instant
from chalicelib.domain.people import Person
from chalicelib.domain.personnummer import birthday

RESOURCE_TYPE = "DeviceRequest"
DATE_PARAM = "authored-on"
CONSUMABLE_SUPPLY = "https://e-tjanster.github.io/fhir/CodeSystem/consumable-supply"
OWN_AGE = 18
POSTAL_CODE = re.compile(r"^[0-9]{3} ?[0-9]{2}$")


class Delivery(StrEnum):
    PICKUP = "pickup"  # ett utlämningsställe
    HOME = "home"  # the register address (never for a protected identity)
    OTHER = "other"  # another address


class Status(StrEnum):
    PLACED = "placed"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"


OPEN = frozenset({Status.PLACED, Status.SHIPPED})
# The supplier's steps: each from the one before; the same step again is the same answer.
NEXT_OF = {Status.SHIPPED: Status.PLACED, Status.DELIVERED: Status.SHIPPED}


def may_order(subject: Person, acting_for_child: bool, today: date) -> bool:
    if acting_for_child:
        return under_guardian_age(subject.birth_date, today) and not subject.protected_identity
    return today >= birthday(subject.birth_date, OWN_AGE)


@dataclass(frozen=True, slots=True)
class Item:
    """A prescribed consumable (förskrivning av förbrukningsartikel)."""

    source_id: str
    resource_id: str
    name: str
    per_period: int
    unit: str  # "st", "flaskor"
    period_months: int
    starts: date
    ends: date | None
    unit_hsa_id: str | None
    unit_name: str | None
    note: str | None

    @property
    def key(self) -> str:
        return f"{self.source_id}/{RESOURCE_TYPE}/{self.resource_id}"


def _parameter(resource: dict[str, Any], code: str) -> dict[str, Any] | None:
    for p in resource.get("parameter") or []:
        codings = (p.get("code") or {}).get("coding") or [] if isinstance(p, dict) else []
        if any(c.get("system") == CONSUMABLE_SUPPLY and c.get("code") == code for c in codings if isinstance(c, dict)):
            value = p.get("valueQuantity")
            return value if isinstance(value, dict) else None
    return None


def _whole(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0 or int(value) != value:
        return None
    return int(value)


def item_of(source_id: str, resource: dict[str, Any]) -> Item | None:
    """The reading of an active DeviceRequest with a quantity per period; None otherwise."""
    if resource.get("resourceType") != RESOURCE_TYPE or resource.get("status") != "active":
        return None
    name = _text(resource.get("codeCodeableConcept"))
    quantity = _parameter(resource, "quantity-per-period") or {}
    per_period = _whole(quantity.get("value"))
    period = _parameter(resource, "period") or {}
    months = _whole(period.get("value")) if period.get("code", "mo") == "mo" else None
    occurrence = resource.get("occurrencePeriod") if isinstance(resource.get("occurrencePeriod"), dict) else {}
    start = parse_instant(occurrence.get("start") or resource.get("authoredOn"))
    end = parse_instant(occurrence.get("end"))
    if not name or not per_period or start is None or (period and not months):
        return None
    hsa, unit_name = _unit(resource.get("requester"))
    notes = [n["text"] for n in resource.get("note") or [] if isinstance(n, dict) and isinstance(n.get("text"), str)]
    return Item(source_id, str(resource.get("id") or ""), name, per_period, str(quantity.get("unit") or ""),
                months or 1, stockholm_date(start[0]), stockholm_date(end[0]) if end else None, hsa, unit_name,
                " ".join(notes) or None)  # fmt: skip


def current(items: list[Item], today: date) -> list[Item]:
    """The items one may order today: begun, not ended; by name."""
    return sorted((i for i in items if i.starts <= today and (i.ends is None or i.ends >= today)),
                  key=lambda i: (i.name.casefold(), i.key))  # fmt: skip


def period_start(item: Item, today: date) -> date:
    """The first day of the period `today` is in (periods of `period_months` from the item's start)."""
    months = (today.year - item.starts.year) * 12 + today.month - item.starts.month
    n = max(0, months // item.period_months)
    start = add_months(item.starts, n * item.period_months)
    if start > today:  # the day of the month is not reached yet
        start = add_months(item.starts, (n - 1) * item.period_months) if n else item.starts
    return start


def period_end(item: Item, today: date) -> date:
    """The last day of the current period (the next one starts the day after)."""
    from datetime import timedelta

    return add_months(period_start(item, today), item.period_months) - timedelta(days=1)


def left(item: Item, taken: int) -> int:
    return max(0, item.per_period - taken)


@dataclass(frozen=True, slots=True)
class Address:
    street: str
    postal_code: str  # "123 45"
    city: str

    def lines(self, name: str) -> list[str]:
        return [name, self.street, f"{self.postal_code} {self.city}"]


def address_problems(street: str, postal_code: str, city: str) -> dict[str, str]:
    """What is wrong with another address, by field (the message ids are in the error catalogue)."""
    problems = {}
    if not street.strip() or len(street) > 100:
        problems["street"] = N_("Skriv gatuadressen.")
    if not POSTAL_CODE.fullmatch(postal_code.strip()):
        problems["postal_code"] = N_("Postnumret är fem siffror.")
    if not city.strip() or len(city) > 60:
        problems["city"] = N_("Skriv orten.")
    return problems


def normal_postal_code(postal_code: str) -> str:
    digits = postal_code.replace(" ", "").strip()
    return f"{digits[:3]} {digits[3:]}"


def placed_key(placed_at: datetime, order_id: str) -> str:
    return f"{placed_at.isoformat()}#{order_id}"
