"""Booking in the JSON API under /api/v1: what the booking pages do, with the same session.
State-changing calls carry the X-CSRF-Token header."""

from __future__ import annotations

from datetime import date
from typing import Any

from chalice import Blueprint, Response

from chalicelib.api.http import json_body, json_response, require_csrf
from chalicelib.api.session import require_citizen
from chalicelib.bootstrap import ports
from chalicelib.domain import clock
from chalicelib.domain.booking import Booking, Slot
from chalicelib.errors import BadInput
from chalicelib.services import booking
from chalicelib.services.input import identifier
from chalicelib.services.principals import CitizenPrincipal

booking_api = Blueprint(__name__)


def _slot(slot: Slot) -> dict[str, Any]:
    return {"slot_id": slot.slot_id, "start": slot.start.isoformat(), "end": slot.end.isoformat(),
            "place": slot.place, "practitioner_role": slot.practitioner_role}  # fmt: skip


def _booking(view: booking.BookingView) -> dict[str, Any]:
    b: Booking = view.booking
    return {
        "booking_id": b.booking_id, "status": b.status.value, "unit_hsa_id": b.unit_hsa_id, "unit_name": b.unit_name,
        "visit_type_id": b.visit_type_id, "visit_type_name": b.visit_type_name, "slot_id": b.slot_id,
        "start": b.start.isoformat(), "end": b.end.isoformat(), "place": b.place, "can_cancel": view.can_cancel,
        "can_rebook": view.can_rebook, "changes_close_at": view.changes_close_at.isoformat(),
        "unit_phone": view.unit_phone,
    }  # fmt: skip


def _view(principal: CitizenPrincipal, booking_id: str) -> dict[str, Any]:
    found = booking.own_booking(ports(), principal, booking_id)
    return _booking(booking.view(found, ports().units.get(found.unit_hsa_id), clock.utc_now()))


def _command() -> tuple[CitizenPrincipal, dict[str, Any]]:
    request = booking_api.current_request
    principal = require_citizen(request)
    require_csrf(principal.csrf_token, request.headers.get("x-csrf-token"))
    body = json_body(request) or {}
    if not isinstance(body, dict):
        raise BadInput("body_not_object", "Anropet ska vara ett JSON-objekt.")
    return principal, body


@booking_api.route("/api/v1/bookings", methods=["GET"])
def upcoming() -> Response:
    """A page of upcoming bookings, soonest first; pass `next_cursor` back as `?cursor=` for the next."""
    request = booking_api.current_request
    principal = require_citizen(request)
    page = booking.upcoming(ports(), principal, clock.utc_now(), (request.query_params or {}).get("cursor"))
    return json_response({"bookings": [_booking(v) for v in page], "next_cursor": page.next_cursor})


@booking_api.route("/api/v1/booking-units", methods=["GET"])
def units() -> Response:
    require_citizen(booking_api.current_request)
    return json_response({"units": [
        {"hsa_id": o.unit.hsa_id, "name": o.unit.name, "municipality": o.unit.municipality, "visit_types": [
            {"visit_type_id": v.visit_type_id, "name": v.name, "duration_minutes": v.duration_minutes,
             "place": v.place, "practitioner_role": v.practitioner_role} for v in o.visit_types]}
        for o in booking.offers(ports())]})  # fmt: skip


@booking_api.route("/api/v1/booking-units/{unit_hsa_id}/visit-types/{visit_type_id}/slots", methods=["GET"])
def free_slots(unit_hsa_id: str, visit_type_id: str) -> Response:
    """`?day=YYYY-MM-DD`: that Stockholm day's free times (one Query of that day). Without a day: the
    free times from now on, a page at a time (`next_cursor`, passed back as `?cursor=`)."""
    request = booking_api.current_request
    principal = require_citizen(request)
    params = request.query_params or {}
    invitation = identifier(params.get("invitation"), "invitation", required=False)
    now = clock.utc_now()
    if params.get("day"):
        try:
            day = date.fromisoformat(params["day"])
        except ValueError:
            raise BadInput("date_invalid", "Fältet day ska vara ett datum (ÅÅÅÅ-MM-DD).", field="day") from None
        slots = booking.free_slots(ports(), principal, unit_hsa_id, visit_type_id, now, invitation, first=day)
        return json_response({"slots": [_slot(s) for s in slots], "next_cursor": None})
    slots, next_cursor = booking.free_slots_page(ports(), principal, unit_hsa_id, visit_type_id, now, invitation,
                                                 params.get("cursor"))  # fmt: skip
    return json_response({"slots": [_slot(s) for s in slots], "next_cursor": next_cursor})


@booking_api.route("/api/v1/bookings", methods=["POST"])
def book() -> Response:
    principal, body = _command()
    made = booking.book(ports(), principal, identifier(body.get("slot_id"), "slot_id"), clock.utc_now(),
                        identifier(body.get("invitation_id"), "invitation_id", required=False))  # fmt: skip
    return json_response(_view(principal, made.booking_id), status=201)


@booking_api.route("/api/v1/bookings/{booking_id}", methods=["GET"])
def one(booking_id: str) -> Response:
    return json_response(_view(require_citizen(booking_api.current_request), booking_id))


@booking_api.route("/api/v1/bookings/{booking_id}/rebook", methods=["POST"])
def rebook(booking_id: str) -> Response:
    principal, body = _command()
    booking.rebook(ports(), principal, booking_id, identifier(body.get("slot_id"), "slot_id"), clock.utc_now())
    return json_response(_view(principal, booking_id))


@booking_api.route("/api/v1/bookings/{booking_id}/cancel", methods=["POST"])
def cancel(booking_id: str) -> Response:
    principal, body = _command()
    reason = body.get("reason") or None
    if reason is not None and not isinstance(reason, str):
        raise BadInput("field_invalid", "Fältet reason ska vara text.", field="reason")
    booking.cancel(ports(), principal, booking_id, reason, clock.utc_now())
    return json_response(_view(principal, booking_id))
