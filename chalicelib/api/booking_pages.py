"""The citizen's booking pages: booked times, find and book a time, cancel and rebook.
Every step is a plain link or form, so it all works without JavaScript."""

from __future__ import annotations

from datetime import date, timedelta

from chalice import Blueprint, Response

from chalicelib.api.http import form_action, language, redirect, render_page
from chalicelib.api.session import citizen_or_landing
from chalicelib.bootstrap import ports
from chalicelib.domain import clock
from chalicelib.domain.booking import CANCEL_REASONS, change_window
from chalicelib.errors import AppError, BadInput
from chalicelib.services import booking, earlier_times
from chalicelib.services.principals import CitizenPrincipal

booking_pages = Blueprint(__name__)
FORM = ["application/x-www-form-urlencoded"]


def _citizen() -> tuple[CitizenPrincipal | None, Response | None]:
    return citizen_or_landing(booking_pages.current_request)


def _page(principal: CitizenPrincipal, template: str, *, status: int = 200, **context: object) -> Response:
    return render_page(template, language(booking_pages.current_request), staff=False,
                       csrf_token=principal.csrf_token, principal=principal, status=status, **context)  # fmt: skip


def _params() -> dict[str, str]:
    return dict(booking_pages.current_request.query_params or {})


@booking_pages.route("/bookings", methods=["GET"])
def booked_times() -> Response:
    principal, away = _citizen()
    if away:
        return away
    cursor = _params().get("cursor")
    return _page(principal, "bookings.html", views=booking.upcoming(ports(), principal, clock.utc_now(), cursor),
                 cursor=cursor)  # fmt: skip


WEEK = 7


def _chooser(principal: CitizenPrincipal, params: dict[str, str], *, rebooking: str | None = None,
             error: AppError | None = None) -> Response:  # fmt: skip
    """Unit → visit type → day → time, one step per page, each step a link. The days are offered a
    week at a time (one Query of that week); a chosen day's times read that day only."""
    now = clock.utc_now()
    today = clock.stockholm_date(now)
    unit_id, visit_type_id, invitation = params.get("unit"), params.get("visit_type"), params.get("invitation")
    context: dict[str, object] = {"params": params, "rebooking": rebooking, "error": error, "offers": None,
                                  "offer": None, "unit": None, "visit_type": None, "current": None, "days": [],
                                  "times": [], "day": None, "week": None, "earlier": None,
                                  "later": None}  # fmt: skip
    if rebooking:
        current = booking.own_booking(ports(), principal, rebooking)
        unit_id, visit_type_id = current.unit_hsa_id, current.visit_type_id
        context["current"] = current
    offers = booking.offers(ports())
    if not unit_id:
        context["offers"] = offers
        return _page(principal, "book.html", **context)
    offer = next((o for o in offers if o.unit.hsa_id == unit_id), None)
    # A unit without web booking can still be reached with an invitation to it.
    unit = offer.unit if offer else ports().units.get(unit_id)
    context["offer"] = offer
    if unit is None or (offer is None and not invitation):
        raise BadInput("unit_not_found", "Mottagningen har ingen webbtidbok.", field="unit")
    context["unit"] = unit
    if visit_type_id:
        chosen = params.get("day")
        day = date.fromisoformat(chosen) if chosen and _is_date(chosen) else None
        first = _date_param(params.get("from")) or today
        first = min(max(first, today), today + timedelta(days=booking.SEARCH_DAYS - 1))
        try:
            if day is not None:
                slots = booking.free_slots(ports(), principal, unit_id, visit_type_id, now, invitation, first=day)
            else:
                slots = booking.free_slots(ports(), principal, unit_id, visit_type_id, now, invitation, first=first,
                                           days=WEEK)  # fmt: skip
        except AppError:
            if error is None:
                raise
            slots = []  # the page already says what went wrong (a used or expired invitation)
        if day is not None:
            context["day"] = day
            context["times"] = slots
            context["week"] = day
        else:
            context["days"] = booking.days_of(slots)
            context["week"] = first
            context["earlier"] = max(first - timedelta(days=WEEK), today) if first > today else None
            last = today + timedelta(days=booking.SEARCH_DAYS - 1)
            context["later"] = first + timedelta(days=WEEK) if first + timedelta(days=WEEK) <= last else None
        context["visit_type"] = next(
            (v for v in booking.visit_types_of(unit) if v.visit_type_id == visit_type_id), None)  # fmt: skip
    return _page(principal, "book.html", status=error.status if error else 200, **context)


def _date_param(value: str | None) -> date | None:
    return date.fromisoformat(value) if value and _is_date(value) else None


def _is_date(value: str) -> bool:
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


@booking_pages.route("/book", methods=["GET"])
def choose() -> Response:
    principal, away = _citizen()
    return away or _chooser(principal, _params())


@booking_pages.route("/book/confirm", methods=["GET"])
def confirm() -> Response:
    principal, away = _citizen()
    if away:
        return away
    params = _params()
    slot, unit, visit_type = booking.slot_for_booking(ports(), params.get("slot", ""))
    # The rule as it will apply to this time if booked now (a time inside the cutoff has none).
    window = change_window(visit_type.rules, slot.start, clock.utc_now())
    return _page(principal, "book_confirm.html", slot=slot, unit=unit, visit_type=visit_type, params=params,
                 window=window)  # fmt: skip


@booking_pages.route("/book", methods=["POST"], content_types=FORM)
def book() -> Response:
    principal, away = _citizen()
    if away:
        return away

    def run(fields: dict[str, str]) -> str:
        made = booking.book(ports(), principal, fields.get("slot", ""), clock.utc_now(), fields.get("invitation") or None)
        return f"/bookings/{made.booking_id}?done=booked"

    def back_to_the_times(fields: dict[str, str], error: AppError) -> Response:
        # Someone else was quicker, or the rules say no: the times again, with the reason.
        slot = ports().slots.get(fields.get("slot", ""))
        params = {"unit": slot.unit_hsa_id, "visit_type": slot.visit_type_id} if slot else {}
        if fields.get("invitation"):
            params["invitation"] = fields["invitation"]
        return _chooser(principal, params, error=error)

    return form_action(booking_pages.current_request, principal.csrf_token, run, back_to_the_times, (409, 422))


def _booking(principal: CitizenPrincipal, booking_id: str, *, done: str | None = None,
             error: AppError | None = None) -> Response:  # fmt: skip
    found = booking.own_booking(ports(), principal, booking_id)
    unit = ports().units.get(found.unit_hsa_id)
    view = booking.view(found, unit, clock.utc_now())
    return _page(principal, "booking.html", status=error.status if error else 200, error=error,
                 view=view, reasons=CANCEL_REASONS, may_wait=earlier_times.may_wait(view),
                 waiting_since=earlier_times.waiting_since(ports(), principal, booking_id),
                 done=done if done in ("booked", "rebooked", "cancelled", "waiting", "not_waiting") else None)
    # fmt: skip


@booking_pages.route("/bookings/{booking_id}", methods=["GET"])
def booking_page(booking_id: str) -> Response:
    principal, away = _citizen()
    return away or _booking(principal, booking_id, done=_params().get("done"))


@booking_pages.route("/bookings/{booking_id}/cancel", methods=["GET"])
def cancel_question(booking_id: str) -> Response:
    """Asks first (a page of its own, no JavaScript): the form on it cancels. A booking that can no
    longer be cancelled here goes back to its page, which says what to do instead."""
    principal, away = _citizen()
    if away:
        return away
    found = booking.own_booking(ports(), principal, booking_id)
    view = booking.view(found, ports().units.get(found.unit_hsa_id), clock.utc_now())
    if not view.can_cancel:
        return redirect(f"/bookings/{booking_id}")
    return _page(principal, "booking_cancel.html", view=view, reasons=CANCEL_REASONS, error=None)


@booking_pages.route("/bookings/{booking_id}/cancel", methods=["POST"], content_types=FORM)
def cancel(booking_id: str) -> Response:
    principal, away = _citizen()
    if away:
        return away

    def run(fields: dict[str, str]) -> str:
        booking.cancel(ports(), principal, booking_id, fields.get("reason") or None, clock.utc_now())
        return f"/bookings/{booking_id}?done=cancelled"

    return form_action(booking_pages.current_request, principal.csrf_token, run,
                       lambda _fields, error: _booking(principal, booking_id, error=error), (400, 409, 422))  # fmt: skip


@booking_pages.route("/bookings/{booking_id}/rebook", methods=["GET"])
def rebook_choose(booking_id: str) -> Response:
    principal, away = _citizen()
    return away or _chooser(principal, _params(), rebooking=booking_id)


@booking_pages.route("/bookings/{booking_id}/rebook", methods=["POST"], content_types=FORM)
def rebook(booking_id: str) -> Response:
    principal, away = _citizen()
    if away:
        return away

    def run(fields: dict[str, str]) -> str:
        booking.rebook(ports(), principal, booking_id, fields.get("slot", ""), clock.utc_now())
        return f"/bookings/{booking_id}?done=rebooked"

    return form_action(booking_pages.current_request, principal.csrf_token, run,
                       lambda _fields, error: _chooser(principal, {}, rebooking=booking_id, error=error),
                       (409, 422))  # fmt: skip


@booking_pages.route("/bookings/{booking_id}/earlier", methods=["POST"], content_types=FORM)
def earlier_time_wish(booking_id: str) -> Response:
    """The booking page's choice: offer me an earlier time if one comes free (on or off)."""
    principal, away = _citizen()
    if away:
        return away

    def run(fields: dict[str, str]) -> str:
        wanted = earlier_times.set_waiting(ports(), principal, booking_id, fields.get("wanted") == "yes",
                                           clock.utc_now())  # fmt: skip
        return f"/bookings/{booking_id}?done={'waiting' if wanted else 'not_waiting'}"

    return form_action(booking_pages.current_request, principal.csrf_token, run,
                       lambda _fields, error: _booking(principal, booking_id, error=error), (409, 422))  # fmt: skip


# -- an offer of an earlier time (from the inbox message's button) ---------------------------------------


def _offer(principal: CitizenPrincipal, offer_id: str, *, error: AppError | None = None) -> Response:
    return _page(principal, "earlier_offer.html", status=error.status if error else 200, error=error,
                 offer=earlier_times.offer_view(ports(), principal, offer_id, clock.utc_now()))  # fmt: skip


@booking_pages.route("/earlier-times/{offer_id}", methods=["GET"])
def earlier_offer(offer_id: str) -> Response:
    principal, away = _citizen()
    return away or _offer(principal, offer_id)


@booking_pages.route("/earlier-times/{offer_id}/accept", methods=["POST"], content_types=FORM)
def accept_earlier(offer_id: str) -> Response:
    principal, away = _citizen()
    if away:
        return away

    def run(_fields: dict[str, str]) -> str:
        moved = earlier_times.accept(ports(), principal, offer_id, clock.utc_now())
        return f"/bookings/{moved.booking_id}?done=rebooked"

    return form_action(booking_pages.current_request, principal.csrf_token, run,
                       lambda _fields, error: _offer(principal, offer_id, error=error), (409, 422))  # fmt: skip


@booking_pages.route("/earlier-times/{offer_id}/decline", methods=["POST"], content_types=FORM)
def decline_earlier(offer_id: str) -> Response:
    principal, away = _citizen()
    if away:
        return away

    def run(_fields: dict[str, str]) -> str:
        earlier_times.decline(ports(), principal, offer_id, clock.utc_now())
        return f"/earlier-times/{offer_id}"

    return form_action(booking_pages.current_request, principal.csrf_token, run,
                       lambda _fields, error: _offer(principal, offer_id, error=error), (409, 422))  # fmt: skip
