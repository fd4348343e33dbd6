"""Förbrukningsartiklar (issue 21): what is prescribed is read from the region's care systems (the
demo's FHIR R4 DeviceRequest, real HTTP servers) at each view, ordered here for delivery, and the
supplier reports each order shipped and delivered through the integration API."""

from __future__ import annotations

import re
import urllib.parse
from datetime import date, timedelta

import pytest

from chalicelib.adapters.tables import ConsumableOrderRecord
from chalicelib.bootstrap import ports
from chalicelib.domain import clock
from chalicelib.domain.personnummer import birthday, parse, with_check_digit
from chalicelib.errors import Forbidden
from chalicelib.services import consumables, integration
from chalicelib.services.principals import CitizenPrincipal
from local.care_system_fhir import HSA_ID_SYSTEM

VC, HS = "SE2321000099-VC01", "SE2321000099-HS01"
STRIPS = "cosmic/DeviceRequest/dev-anna-2"  # Blodsockerteststickor, 100 st a month
PADS = "cosmic/DeviceRequest/dev-anna-1"  # Inkontinensskydd, 120 st per three months
PHARMACY = "Apoteket Norrby, Norrbygatan 2, 123 45 Demostad"
SUPPLY = "https://e-tjanster.github.io/fhir/CodeSystem/consumable-supply"


def _logged_in(region, sub: str):
    browser = region.browser()
    browser.login(sub)
    return browser


def _form_of(page: str, item: str) -> dict[str, str]:
    form = re.search(rf'<form method="post" action="/consumables/order".*?name="item" value="{re.escape(item)}".*?</form>',
                     page, re.S)  # fmt: skip
    assert form, f"no order form for {item}"
    return {n: re.search(rf'name="{n}" value="([^"]+)"', form.group(0)).group(1) for n in ("csrf_token", "submission_id")}


def _post(browser, fields: dict[str, str]):
    return browser.request("POST", "/consumables/order", headers={"Content-Type": "application/x-www-form-urlencoded"},
                           body=urllib.parse.urlencode(fields).encode())  # fmt: skip


def _order(browser, item: str, **fields: str):
    page = browser.page("/consumables")
    return _post(browser, {**_form_of(page, item), "item": item, **fields})


def _orders_of(citizen_id: str) -> list[ConsumableOrderRecord]:
    return list(ConsumableOrderRecord.query(citizen_id, ConsumableOrderRecord.order_key.startswith("order#")))


def _citizen_id(region, pnr: str) -> str:
    return ports().identities.find(parse(pnr, region.today))


def _add_person(region, given: str, born: date, serial: str, *, protected: bool = False) -> str:
    pnr = with_check_digit(born, serial)
    body = {"personnummer": pnr, "given_name": given, "family_name": "Test", "protected_identity": protected,
            "guardians": []}  # fmt: skip
    response = region.integration("POST", "/integration/v1/population-register/persons", body,
                                  idempotency_key=f"consumables-person-{serial}-{born.isoformat()}")  # fmt: skip
    assert response.status_code == 200, response.body
    return pnr


def _prescribed(name: str, per_period: int = 30) -> dict:
    start = (clock.stockholm_date(clock.utc_now()) - timedelta(days=10)).isoformat()
    return {
        "resourceType": "DeviceRequest", "status": "active", "intent": "order", "codeCodeableConcept": {"text": name},
        "parameter": [{"code": {"coding": [{"system": SUPPLY, "code": "quantity-per-period"}]},
                       "valueQuantity": {"value": per_period, "unit": "st"}}],
        "authoredOn": start, "occurrencePeriod": {"start": start},
        "requester": {"type": "Organization", "identifier": {"system": HSA_ID_SYSTEM, "value": VC},
                      "display": "Vårdcentralen Norrby"},
    }  # fmt: skip


def _notes(browser) -> list[str]:
    """The subjects of every message in the inbox."""
    return [m["subject"] for t in browser.get("/api/v1/inbox").json_body["threads"] for m in t["messages"]]


def _supplier(region, method: str, path: str, idempotency_key: str, body=None, **kwargs):
    return region.integration(method, path, body or {}, idempotency_key=idempotency_key, **kwargs)


# -- the citizen ---------------------------------------------------------------------------------------


def test_the_list_is_read_from_the_care_system_with_what_is_left_of_each_period(region):
    # Given Anna, with three items prescribed at her health centre in the demo's Cosmic
    anna = _logged_in(region, "anna")
    # When she opens Förbrukningsartiklar
    page = anna.page("/consumables")
    # Then each item shows with what is prescribed, what is left of the period and the prescriber's note
    assert "Blodsockerteststickor, FreeStyle Precision" in page and "Näringsdryck, Nutridrink Compact 125 ml" in page
    assert "Inkontinensskydd, TENA Lady Maxi" in page and "Byts vid behov, cirka fyra om dagen." in page
    assert "Kvar att beställa: 100 st" in page and "Kvar att beställa: 56 flaskor" in page
    # And the region's pickup points and her home address are offered
    assert f"Hämta på {PHARMACY}" in page and "Hem till Storgatan 12, 123 45 Demostad" in page
    # And the JSON API says the same
    api = anna.get("/api/v1/consumables").json_body
    assert api["may_order"] and api["failed_sources"] == [] and api["home_delivery"]
    items = {i["key"]: i for i in api["items"]}
    assert set(items) == {PADS, STRIPS, "cosmic/DeviceRequest/dev-anna-3"}
    assert items[STRIPS]["left"] == 100 and items[PADS]["period_months"] == 3 and not items[STRIPS]["open_order"]


def test_an_order_to_a_pickup_point_is_placed_and_the_rest_of_the_period_is_left(region):
    # Given Anna on the page
    anna = _logged_in(region, "anna")
    # When she orders 40 of her 100 test strips to the pharmacy
    response = _order(anna, STRIPS, quantity="40", delivery_choice=f"pickup:{PHARMACY}")
    # Then she is told it is placed, and the order is in her list
    assert response.status_code == 303 and response.headers["Location"] == "/consumables?placed=1"
    page = anna.page("/consumables?placed=1")
    assert "Din beställning är skickad till leverantören." in page
    assert "Du har en pågående beställning av artikeln." in page and "Beställd" in page
    (order,) = _orders_of(_citizen_id(region, region.people["anna"].personnummer))
    assert (order.item_name, int(order.quantity), order.delivery, order.address_lines) == (
        "Blodsockerteststickor, FreeStyle Precision", 40, "pickup", [PHARMACY])
    assert order.unit_hsa_id == VC and order.status == "placed"
    # And 60 are left of the period
    items = {i["key"]: i for i in anna.get("/api/v1/consumables").json_body["items"]}
    assert items[STRIPS]["left"] == 60 and items[STRIPS]["open_order"]


def test_one_open_order_per_item_and_the_same_form_twice_is_the_same_order(region):
    # Given Anna's order form for test strips
    anna = _logged_in(region, "anna")
    page = anna.page("/consumables")
    fields = {**_form_of(page, STRIPS), "item": STRIPS, "quantity": "20", "delivery_choice": f"pickup:{PHARMACY}"}
    # When the form is sent twice (a double click)
    first, again = _post(anna, fields), _post(anna, fields)
    # Then both answers are the placed order, and there is one order
    assert first.status_code == again.status_code == 303
    citizen_id = _citizen_id(region, region.people["anna"].personnummer)
    assert len(_orders_of(citizen_id)) == 1
    # When she orders the same item again while the first is open (a new form, from another tab)
    second = _post(anna, {**fields, "submission_id": "another-tab-0001"})
    # Then she is told clearly, and nothing is written
    assert second.status_code == 409
    assert "Du har redan en pågående beställning av artikeln." in second.body.decode()
    assert len(_orders_of(citizen_id)) == 1
    # And through the JSON API the same: 409 order_open
    json_second = anna.request("POST", "/api/v1/consumables/orders", headers={
        "Content-Type": "application/json", "X-CSRF-Token": anna.csrf_token()},
        body=b'{"submission_id": "json-second-01", "item": "%s", "quantity": 1, "delivery": "pickup", '
             b'"pickup_point": "%s"}' % (STRIPS.encode(), PHARMACY.encode()))  # fmt: skip
    assert json_second.status_code == 409 and json_second.json_body["code"] == "order_open"
    assert len(_orders_of(citizen_id)) == 1


def test_another_address_is_checked_field_by_field_and_then_used(region):
    anna = _logged_in(region, "anna")
    citizen_id = _citizen_id(region, region.people["anna"].personnummer)
    # When she sends the pads to another address with a postal code that is none
    refused = _order(anna, PADS, quantity="60", delivery_choice="other", street="Sommarvägen 4", postal_code="12",
                     city="Sjöby")  # fmt: skip
    # Then the page says what is wrong beside the field and keeps what she wrote; nothing is written
    assert refused.status_code == 400
    body = refused.body.decode()
    assert "Postnumret är fem siffror." in body and 'value="Sommarvägen 4"' in body
    assert re.search(r'name="postal_code"[^>]*aria-invalid="true"', body)
    assert _orders_of(citizen_id) == []
    # When she corrects it
    placed = _order(anna, PADS, quantity="60", delivery_choice="other", street="Sommarvägen 4", postal_code="23456",
                    city="Sjöby")  # fmt: skip
    # Then the order goes to that address, in her name
    assert placed.status_code == 303
    (order,) = _orders_of(citizen_id)
    assert order.delivery == "other" and order.address_lines == ["Anna Andersson", "Sommarvägen 4", "234 56 Sjöby"]


def test_home_delivery_is_neither_offered_to_nor_accepted_for_a_protected_identity(region, care_systems):
    # Given Mira, with a protected identity and an item prescribed
    pnr = _add_person(region, "Mira", date(1980, 3, 3), "468", protected=True)
    care_systems["cosmic"].add(pnr, [_prescribed("Stomipåsar, SenSura Mio")])
    principal = CitizenPrincipal(_citizen_id(region, pnr), "Mira Test", None, None, "x")
    now = clock.utc_now()
    # When she looks at her items
    found = consumables.overview(ports(), principal, now)
    # Then she may order, but home delivery is not offered
    assert found.may_order and found.home_address is None and [v.item.name for v in found.items] == [
        "Stomipåsar, SenSura Mio"]
    key = found.items[0].item.key
    # And an order sent home anyway is refused and writes nothing
    from chalicelib.errors import BadInput

    with pytest.raises(BadInput) as refused:
        consumables.order(ports(), principal, key, {"submission_id": "mira-00001", "delivery": "home"}, now)
    assert refused.value.code == "home_delivery_unavailable"
    assert _orders_of(principal.subject_id) == []
    # While a pickup point is fine
    consumables.order(ports(), principal, key, {"submission_id": "mira-00002", "delivery": "pickup",
                                                "pickup_point": PHARMACY, "quantity": "10"}, now)  # fmt: skip
    assert len(_orders_of(principal.subject_id)) == 1


def test_a_17_year_old_is_refused_and_on_the_18th_birthday_may_order(region, care_systems):
    today = region.today
    if (today.month, today.day) == (2, 29):
        pytest.skip("an 18th birthday on 29 February is unit-tested")
    # Given Tove, 18 today, and Tim, 18 tomorrow, each with an item prescribed
    born_today = today.replace(year=today.year - 18)
    tomorrow = today + timedelta(days=1)
    born_tomorrow = tomorrow.replace(year=tomorrow.year - 18)
    assert birthday(born_today, 18) == today and birthday(born_tomorrow, 18) == tomorrow
    tove, tim = _add_person(region, "Tove", born_today, "482"), _add_person(region, "Tim", born_tomorrow, "491")
    for pnr in (tove, tim):
        care_systems["cosmic"].add(pnr, [_prescribed("Sondmat, Nutrison 500 ml")])
    now = clock.utc_now()
    tim_as = CitizenPrincipal(_citizen_id(region, tim), "Tim Test", None, None, "x")
    tove_as = CitizenPrincipal(_citizen_id(region, tove), "Tove Test", None, None, "x")
    # When Tim, still 17, tries
    found = consumables.overview(ports(), tim_as, now)
    # Then he is told he may from his 18th birthday, sees no items, and an order is refused
    assert not found.may_order and found.items == []
    with pytest.raises(Forbidden):
        consumables.order(ports(), tim_as, "cosmic/DeviceRequest/x", {"submission_id": "tim-000001"}, now)
    assert _orders_of(tim_as.subject_id) == []
    # When Tove, 18 today, orders
    (item,) = consumables.overview(ports(), tove_as, now).items
    consumables.order(ports(), tove_as, item.item.key, {"submission_id": "tove-00001", "delivery": "pickup",
                                                        "pickup_point": PHARMACY, "quantity": "5"}, now)  # fmt: skip
    # Then her order is placed
    assert [o.status for o in _orders_of(tove_as.subject_id)] == ["placed"]


def test_a_guardian_orders_for_her_9_year_old(region):
    # Given Karin acting for Elsa, 9
    karin = _logged_in(region, "karin")
    me = karin.get("/api/v1/me").json_body
    elsa_id = next(c["child_id"] for c in me["can_act_for"] if c["given_name"] == "Elsa")
    assert karin.post_form("/act-for", {"person": elsa_id, "csrf_token": karin.csrf_token()}).status_code == 303
    # When she opens Förbrukningsartiklar
    page = karin.page("/consumables")
    # Then Elsa's test strips show, with Elsa's home address
    assert "Blodsockerteststickor, Contour Next" in page and "Lindvägen 3" in page
    # And she orders them home: the order is Elsa's, ordered by Karin
    response = _order(karin, "cosmic/DeviceRequest/dev-elsa-1", delivery_choice="home")
    assert response.status_code == 303, response.body[:600]
    (order,) = _orders_of(elsa_id)
    assert order.ordered_by != elsa_id and order.address_lines == ["Elsa Lind", "Lindvägen 3", "123 46 Demostad"]


def test_a_source_that_does_not_answer_is_named_and_an_order_waits(region, care_systems):
    anna = _logged_in(region, "anna")
    page = anna.page("/consumables")
    fields = {**_form_of(page, STRIPS), "item": STRIPS, "delivery_choice": f"pickup:{PHARMACY}"}
    # Given the Cosmic source answering 503
    care_systems["cosmic"].fail_with(503)
    try:
        # When Anna opens the page, and sends the order
        page = anna.page("/consumables")
        refused = _post(anna, fields)
    finally:
        care_systems["cosmic"].fail_with(None)
    # Then the source is named, and the order is refused with nothing written
    assert "Cosmic, Region Demo" in page
    assert anna.get("/api/v1/consumables").status_code == 200
    assert refused.status_code == 503 and "Förskrivningarna kunde inte hämtas just nu" in refused.body.decode()
    assert _orders_of(_citizen_id(region, region.people["anna"].personnummer)) == []


# -- the supplier --------------------------------------------------------------------------------------


def _anna_orders(region, *items: str) -> list[str]:
    anna = _logged_in(region, "anna")
    for item in items:
        assert _order(anna, item, quantity="10", delivery_choice=f"pickup:{PHARMACY}").status_code == 303
    citizen_id = _citizen_id(region, region.people["anna"].personnummer)
    return [o.order_id for o in sorted(_orders_of(citizen_id), key=lambda o: o.placed_key)]


def test_the_supplier_pages_through_placed_orders_oldest_first(region, monkeypatch):
    # Given two orders of Anna's
    first, second = _anna_orders(region, STRIPS, PADS)
    # When the supplier asks for placed orders a page of one at a time
    monkeypatch.setattr(consumables, "PAGE_MAX", 1)
    page = _supplier(region, "GET", "/integration/v1/consumable-orders?status=placed", "supplier-list-1")
    assert page.status_code == 200, page.body
    # Then the oldest comes first, with where to deliver it, and a cursor to the next
    (one,) = page.json_body["orders"]
    assert one["order_id"] == first and one["address_lines"] == [PHARMACY] and one["quantity"] == 10
    assert "personnummer" not in one
    cursor = page.json_body["next_cursor"]
    nxt = _supplier(region, "GET", f"/integration/v1/consumable-orders?status=placed&cursor={cursor}", "supplier-list-2")
    assert [o["order_id"] for o in nxt.json_body["orders"]] == [second]
    # And a key for another unit sees none of them
    other = integration.issue_key(ports(), system_name="Hudmottagningens leverantör", allowed_units={HS},
                                  scopes={"consumables"}, now=clock.utc_now())  # fmt: skip
    theirs = _supplier(region, "GET", "/integration/v1/consumable-orders?status=placed", "supplier-list-3", key=other)
    assert theirs.status_code == 200 and theirs.json_body["orders"] == []


def test_shipped_then_delivered_each_put_a_note_in_the_inbox_once(region):
    (order_id,) = _anna_orders(region, STRIPS)
    anna = _logged_in(region, "anna")
    before = _notes(anna)
    # When the supplier reports it delivered before it was shipped
    early = _supplier(region, "POST", f"/integration/v1/consumable-orders/{order_id}/delivered", "deliver-early-1")
    # Then that is a conflict, and nothing changes
    assert early.status_code == 409 and early.json_body["code"] == "order_state"
    # When it is shipped, and the call is repeated with the same Idempotency-Key
    shipped = _supplier(region, "POST", f"/integration/v1/consumable-orders/{order_id}/shipped", "ship-00001",
                        {"tracking": "PKG-123"})  # fmt: skip
    repeat = _supplier(region, "POST", f"/integration/v1/consumable-orders/{order_id}/shipped", "ship-00001",
                       {"tracking": "PKG-123"})  # fmt: skip
    # Then both answers are the same, and one note reaches Anna's inbox
    assert shipped.status_code == repeat.status_code == 200 and shipped.json_body == repeat.json_body
    assert shipped.json_body["status"] == "shipped"
    notes = _notes(anna)
    assert len(notes) == len(before) + 1 and "Blodsockerteststickor, FreeStyle Precision är skickad" in notes
    assert "Skickad" in anna.page("/consumables")
    # When it is delivered
    delivered = _supplier(region, "POST", f"/integration/v1/consumable-orders/{order_id}/delivered", "deliver-0001")
    again = _supplier(region, "POST", f"/integration/v1/consumable-orders/{order_id}/delivered", "deliver-0001")
    # Then a second note, once; the order is closed and the item may be ordered again
    assert delivered.status_code == again.status_code == 200 and delivered.json_body["status"] == "delivered"
    notes = _notes(anna)
    assert len(notes) == len(before) + 2 and "Blodsockerteststickor, FreeStyle Precision är levererad" in notes
    items = {i["key"]: i for i in anna.get("/api/v1/consumables").json_body["items"]}
    assert not items[STRIPS]["open_order"] and items[STRIPS]["left"] == 90
    # And the supplier's list of shipped orders no longer holds it
    listed = _supplier(region, "GET", "/integration/v1/consumable-orders?status=shipped", "supplier-list-9")
    assert order_id not in [o["order_id"] for o in listed.json_body["orders"]]
