"""Booking in the JSON API under /api/v1: what the booking pages do, with the same session.
State-changing calls carry the X-CSRF-Token header."""

from __future__ import annotations

from datetime import date
from typing import Any

from chalice import Blueprint, Response

from chalicelib.api import models as m
from chalicelib.api.contract import CITIZEN, CURSOR, ID_PATTERN, Param, operation, read_body, to_json
from chalicelib.api.http import api_language, json_response, require_csrf
from chalicelib.api.session import require_citizen
from chalicelib.bootstrap import ports
from chalicelib.domain import clock
from chalicelib.domain.booking import Booking, Slot, VisitType
from chalicelib.domain.localized import as_shown
from chalicelib.errors import BadInput
from chalicelib.services import booking, earlier_times
from chalicelib.services.input import identifier
from chalicelib.services.principals import CitizenPrincipal

booking_api = Blueprint(__name__)


def _lang() -> str:
    return api_language(booking_api.current_request)


def _slot(slot: Slot, visit_type: VisitType | None, lang: str) -> dict[str, Any]:
    """A free time; its place and role in `lang` where they are the visit type's own (a slot keeps
    the Swedish it was published with)."""
    return {"slot_id": slot.slot_id, "start": slot.start.isoformat(), "end": slot.end.isoformat(),
            "place": as_shown(slot.place, visit_type.place if visit_type else None, lang),
            "practitioner_role": as_shown(slot.practitioner_role, visit_type.practitioner_role if visit_type else None,
                                          lang)}  # fmt: skip


def booking_json(view: booking.BookingView, lang: str) -> dict[str, Any]:
    b: Booking = view.booking
    return {
        "booking_id": b.booking_id, "status": b.status.value, "unit_hsa_id": b.unit_hsa_id, "unit_name": b.unit_name,
        "visit_type_id": b.visit_type_id, "visit_type_name": view.what(lang), "slot_id": b.slot_id,
        "start": b.start.isoformat(), "end": b.end.isoformat(), "place": view.where(lang), "can_cancel": view.can_cancel,
        "can_rebook": view.can_rebook, "changes_close_at": view.changes_close_at.isoformat(),
        "unit_phone": view.unit_phone,
    }  # fmt: skip


def _view(principal: CitizenPrincipal, booking_id: str) -> dict[str, Any]:
    found = booking.own_booking(ports(), principal, booking_id)
    return booking_json(booking.view(found, ports().units.get(found.unit_hsa_id), clock.utc_now()), _lang())


def _command(model: type[Any], *, required: bool = True) -> tuple[CitizenPrincipal, Any]:
    request = booking_api.current_request
    principal = require_citizen(request)
    require_csrf(principal.csrf_token, request.headers.get("x-csrf-token"))
    return principal, read_body(request, model, required=required)


@operation(booking_api, "/api/v1/bookings", "GET", summary="Upcoming bookings, soonest first, a page at a time", security=CITIZEN, response=m.BookingsPage, query=(CURSOR,))
def upcoming() -> Response:
    """A page of upcoming bookings, soonest first; pass `next_cursor` back as `?cursor=` for the next."""
    request = booking_api.current_request
    principal = require_citizen(request)
    page = booking.upcoming(ports(), principal, clock.utc_now(), (request.query_params or {}).get("cursor"))
    return json_response({"bookings": [booking_json(v, _lang()) for v in page], "next_cursor": page.next_cursor})


@operation(booking_api, "/api/v1/booking-units", "GET", summary="Units with visit types bookable online", security=CITIZEN, response=m.BookingUnits)
def units() -> Response:
    require_citizen(booking_api.current_request)
    lang = _lang()
    return json_response({"units": [
        {"hsa_id": o.unit.hsa_id, "name": o.unit.name, "municipality": o.unit.municipality, "visit_types": [
            {"visit_type_id": v.visit_type_id, "name": v.name.in_(lang), "duration_minutes": v.duration_minutes,
             "place": v.place.in_(lang), "practitioner_role": v.practitioner_role.in_(lang)} for v in o.visit_types]}
        for o in booking.offers(ports())]})  # fmt: skip


@operation(booking_api, "/api/v1/booking-units/{unit_hsa_id}/visit-types/{visit_type_id}/slots", "GET", summary="Free times: `day` gives that Stockholm day's; without it the free times from now on, a page at a time. `invitation` (an invitation id) shows the times it opens", security=CITIZEN, response=m.SlotsPage, query=(Param("invitation", "An invitation's id", schema={"type": "string", "pattern": ID_PATTERN}), Param("day", "A Stockholm day (YYYY-MM-DD)", schema={"type": "string", "format": "date"}), CURSOR))
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
        next_cursor = None
    else:
        slots, next_cursor = booking.free_slots_page(ports(), principal, unit_hsa_id, visit_type_id, now, invitation,
                                                     params.get("cursor"))  # fmt: skip
    lang = _lang()
    # In Swedish the slots say it as published; another language reads the visit type's own texts.
    visit_type = booking.offered_visit_type(ports(), unit_hsa_id, visit_type_id) if lang != "sv" and slots else None
    return json_response({"slots": [_slot(s, visit_type, lang) for s in slots], "next_cursor": next_cursor})


@operation(booking_api, "/api/v1/bookings", "POST", summary="Book a free slot (with the invitation that opens it, if any)", security=CITIZEN, body=m.Book, response=m.BookingOut, status=201)
def book() -> Response:
    principal, body = _command(m.Book)
    made = booking.book(ports(), principal, body.slot_id, clock.utc_now(), body.invitation_id)
    return json_response(_view(principal, made.booking_id), status=201)


@operation(booking_api, "/api/v1/bookings/{booking_id}", "GET", summary="One booking with what may still be changed online", security=CITIZEN, response=m.BookingOut)
def one(booking_id: str) -> Response:
    return json_response(_view(require_citizen(booking_api.current_request), booking_id))


@operation(booking_api, "/api/v1/bookings/{booking_id}/rebook", "POST", summary="Move to another free slot: the new taken and the old freed together", security=CITIZEN, body=m.Rebook, response=m.BookingOut)
def rebook(booking_id: str) -> Response:
    principal, body = _command(m.Rebook)
    booking.rebook(ports(), principal, booking_id, body.slot_id, clock.utc_now())
    return json_response(_view(principal, booking_id))


@operation(booking_api, "/api/v1/bookings/{booking_id}/cancel", "POST", summary="Cancel, with a reason or none", security=CITIZEN, body=m.Cancel, body_required=False, response=m.BookingOut)
def cancel(booking_id: str) -> Response:
    principal, body = _command(m.Cancel, required=False)
    booking.cancel(ports(), principal, booking_id, body.reason, clock.utc_now())
    return json_response(_view(principal, booking_id))


@operation(booking_api, "/api/v1/bookings/{booking_id}/earlier-time", "PUT", security=CITIZEN,
           body=m.EarlierTimeWish, response=m.EarlierTimeOut,
           summary="Wait (or stop waiting) for an earlier time of the same visit: an offer comes to the inbox")
def earlier_time(booking_id: str) -> Response:
    principal, body = _command(m.EarlierTimeWish)
    earlier_times.set_waiting(ports(), principal, booking_id, body.wanted, clock.utc_now())
    since = earlier_times.waiting_since(ports(), principal, booking_id)
    return json_response(to_json(m.EarlierTimeOut(booking_id, since is not None,
                                                  since.isoformat() if since else None)))  # fmt: skip


def invitation_out(v: booking.InvitationView, lang: str) -> m.InvitationOut:
    return m.InvitationOut(v.invitation_id, v.unit_hsa_id, v.unit_name, v.visit_type_id, v.visit_type_name.in_(lang),
                           v.expires_at.isoformat(), v.state, v.booking_id)  # fmt: skip


@operation(booking_api, "/api/v1/invitations", "GET", security=CITIZEN, response=m.InvitationsPage, query=(CURSOR,),
           summary="Invitations from care (open, used or expired), a page at a time: an open one is booked with "
                   "its times (`invitation` on free times, `invitation_id` when booking)")  # fmt: skip
def invitations() -> Response:
    request = booking_api.current_request
    page = booking.invitations(ports(), require_citizen(request), clock.utc_now(),
                               (request.query_params or {}).get("cursor"))  # fmt: skip
    return json_response(to_json(m.InvitationsPage([invitation_out(v, _lang()) for v in page], page.next_cursor)))


@operation(booking_api, "/api/v1/invitations/{invitation_id}", "GET", security=CITIZEN, response=m.InvitationOut,
           summary="One invitation: what it opens and until when")  # fmt: skip
def one_invitation(invitation_id: str) -> Response:
    principal = require_citizen(booking_api.current_request)
    found = booking.invitation(ports(), principal, invitation_id, clock.utc_now())
    return json_response(to_json(invitation_out(found, _lang())))
