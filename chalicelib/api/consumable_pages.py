"""Förbrukningsartiklar (/consumables) and listning (/listing): pages (plain forms, no JavaScript)
and the JSON API (/api/v1/consumables, /api/v1/listing)."""

from __future__ import annotations

import uuid
from typing import Any

from chalice import Blueprint, Response

from chalicelib.api import models as m
from chalicelib.api.contract import CITIZEN, operation, read_body, to_json
from chalicelib.api.http import form, form_action, json_response, language, redirect, render_page, require_csrf
from chalicelib.api.session import citizen_or_landing, require_citizen
from chalicelib.bootstrap import ports
from chalicelib.domain import clock
from chalicelib.errors import AppError
from chalicelib.services import consumables, listing
from chalicelib.services.principals import CitizenPrincipal

consumable_pages = Blueprint(__name__)
FORM = ["application/x-www-form-urlencoded"]


def _page(principal: CitizenPrincipal, *, status: int = 200, posted: dict[str, Any] | None = None) -> Response:
    request = consumable_pages.current_request
    now = clock.utc_now()
    cursor = (request.query_params or {}).get("cursor")
    return render_page("consumables.html", language(request), staff=False, csrf_token=principal.csrf_token,
                       principal=principal, status=status, found=consumables.overview(ports(), principal, now),
                       orders=consumables.my_orders(ports(), principal, cursor), posted=posted or {},
                       placed=(request.query_params or {}).get("placed"),
                       new_submission_id=lambda: str(uuid.uuid4()))  # fmt: skip


@consumable_pages.route("/consumables", methods=["GET"])
def consumables_page() -> Response:
    principal, away = citizen_or_landing(consumable_pages.current_request)
    return away or _page(principal)


@consumable_pages.route("/consumables/order", methods=["POST"], content_types=FORM)
def order() -> Response:
    principal, away = citizen_or_landing(consumable_pages.current_request)
    if away:
        return away
    request = consumable_pages.current_request

    def run(fields: dict[str, str]) -> str:
        choice = fields.get("delivery_choice", "")  # one radio group: "pickup:<point>", "home" or "other"
        fields["delivery"], _, point = choice.partition(":")
        if point:
            fields["pickup_point"] = point
        consumables.order(ports(), principal, fields.get("item", ""), fields, clock.utc_now(), request.lambda_context)
        return "/consumables?placed=1"

    def again(fields: dict[str, str], error: AppError) -> Response:
        return _page(principal, status=error.status, posted={"item": fields.get("item"), "fields": fields,
                                                              "errors": {error.field or "_form": error.message}})  # fmt: skip

    return form_action(request, principal.csrf_token, run, again, recoverable=(400, 403, 409, 422, 503))


@consumable_pages.route("/consumables/orders/{order_id}/cancel", methods=["POST"], content_types=FORM)
def cancel(order_id: str) -> Response:
    principal, away = citizen_or_landing(consumable_pages.current_request)
    if away:
        return away
    require_csrf(principal.csrf_token, form(consumable_pages.current_request).get("csrf_token"))
    consumables.cancel(ports(), principal, order_id, clock.utc_now())
    return redirect("/consumables")


def _listing_page(principal: CitizenPrincipal, *, status: int = 200, posted: dict[str, Any] | None = None) -> Response:
    request = consumable_pages.current_request
    return render_page("listing.html", language(request), staff=False, csrf_token=principal.csrf_token,
                       principal=principal, status=status, found=listing.overview(ports(), principal, clock.utc_now()),
                       posted=posted or {}, sent=(request.query_params or {}).get("sent"),
                       new_submission_id=lambda: str(uuid.uuid4()))  # fmt: skip


@consumable_pages.route("/listing", methods=["GET"])
def listing_page() -> Response:
    principal, away = citizen_or_landing(consumable_pages.current_request)
    return away or _listing_page(principal)


@consumable_pages.route("/listing", methods=["POST"], content_types=FORM)
def listing_request() -> Response:
    principal, away = citizen_or_landing(consumable_pages.current_request)
    if away:
        return away
    request = consumable_pages.current_request

    def run(fields: dict[str, str]) -> str:
        listing.request(ports(), principal, fields.get("unit", ""), fields, clock.utc_now(), request.lambda_context)
        return "/listing?sent=1"

    def again(fields: dict[str, str], error: AppError) -> Response:
        return _listing_page(principal, status=error.status,
                             posted={"fields": fields, "errors": {error.field or "_form": error.message}})  # fmt: skip

    return form_action(request, principal.csrf_token, run, again)


# -- the JSON API ----------------------------------------------------------------------------------------
@operation(consumable_pages, "/api/v1/consumables", "GET", security=CITIZEN, response=m.ConsumablesOut,
           summary="Förbrukningsartiklar: the items prescribed now (read from the care systems now) with what is "
                   "left of each period, and a page of the orders, newest first (18 or older; a guardian for a "
                   "child under 13)")  # fmt: skip
def consumables_json() -> Response:
    request = consumable_pages.current_request
    principal = require_citizen(request)
    found = consumables.overview(ports(), principal, clock.utc_now())
    orders = consumables.my_orders(ports(), principal, (request.query_params or {}).get("cursor"))
    return json_response(to_json(m.ConsumablesOut(
        may_order=found.may_order, in_register=found.subject is not None, failed_sources=found.failed_sources,
        items=[m.ConsumableItemOut(v.item.key, v.item.name, v.item.per_period, v.item.unit, v.item.period_months,
                                   v.period_start.isoformat(), v.period_end.isoformat(), v.left, v.open_order,
                                   v.item.unit_hsa_id, v.item.unit_name, v.item.note) for v in found.items],
        home_delivery=found.home_address is not None, pickup_points=found.pickup_points,
        orders=[m.ConsumableOrderOut(o.order_id, o.item_name or "", int(o.quantity or 0), o.quantity_unit or "",
                                     o.status, o.delivery, o.placed_at.isoformat()) for o in orders],
        next_cursor=orders.next_cursor,
    )))  # fmt: skip


@operation(consumable_pages, "/api/v1/consumables/orders", "POST", security=CITIZEN, body=m.ConsumableOrderIn,
           response=m.ConsumableOrderPlaced, status=201,
           summary="Order a prescribed item for delivery (pickup point, home or another address); one open order "
                   "per item (409 order_open), at most what is left of the period; once per submission_id")  # fmt: skip
def order_json() -> Response:
    request = consumable_pages.current_request
    principal = require_citizen(request)
    require_csrf(principal.csrf_token, request.headers.get("x-csrf-token"))
    body = read_body(request, m.ConsumableOrderIn)
    fields = {"submission_id": body.submission_id, "quantity": str(body.quantity), "delivery": body.delivery,
              "pickup_point": body.pickup_point or "", "street": body.street or "",
              "postal_code": body.postal_code or "", "city": body.city or ""}  # fmt: skip
    order_id = consumables.order(ports(), principal, body.item, fields, clock.utc_now(), request.lambda_context)
    return json_response(to_json(m.ConsumableOrderPlaced(order_id)), status=201)


@operation(consumable_pages, "/api/v1/listing", "GET", security=CITIZEN, response=m.ListingOut,
           summary="Listning: the vårdcentral the person is listed at (read from the care systems now), the "
                   "region's other vårdcentraler and the person's requests, newest first")  # fmt: skip
def listing_json() -> Response:
    principal = require_citizen(consumable_pages.current_request)
    found = listing.overview(ports(), principal, clock.utc_now())
    return json_response(to_json(m.ListingOut(
        may_request=found.may_request, in_register=found.subject is not None, failed_sources=found.failed_sources,
        listed_hsa_id=found.listed_hsa_id, listed_name=found.listed_name,
        units=[m.ListingUnitOut(u.hsa_id, u.name) for u in found.units],
        requests=[m.ListingRequestOut(r.request_id, r.unit_hsa_id, r.unit_name or "", r.status,
                                      r.requested_at.isoformat(), r.message) for r in found.requests],
    )))  # fmt: skip


@operation(consumable_pages, "/api/v1/listing/requests", "POST", security=CITIZEN, body=m.ListingRequestIn,
           response=m.ListingRequested, status=201,
           summary="Ask to be listed at another vårdcentral of the region: one open request per person (409 "
                   "request_open); once per submission_id")  # fmt: skip
def listing_request_json() -> Response:
    request = consumable_pages.current_request
    principal = require_citizen(request)
    require_csrf(principal.csrf_token, request.headers.get("x-csrf-token"))
    body = read_body(request, m.ListingRequestIn)
    request_id = listing.request(ports(), principal, body.unit_hsa_id, {"submission_id": body.submission_id},
                                 clock.utc_now(), request.lambda_context)  # fmt: skip
    return json_response(to_json(m.ListingRequested(request_id)), status=201)
