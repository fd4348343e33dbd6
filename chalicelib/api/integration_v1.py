"""The integration API for care systems under /integration/v1 (bearer key per system).

Every route authenticates the key first and reads the body only after that: a bad key with a bad
body is a 401, never a 400."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chalice import Blueprint, Response

from chalicelib.api import models as m
from chalicelib.api.contract import CURSOR, KEY, Param, checked_body, operation
from chalicelib.api.http import client_address, json_response
from chalicelib.bootstrap import ports
from chalicelib.domain import clock
from chalicelib.services import (attachments, booking_staff, consumables, forms, inbox, integration, limits, listing,
                                 register, self_tests,
                                 summons)

integration_v1 = Blueprint(__name__)


def _command(use_case: Callable[..., dict[str, Any]], status: int, model: type[Any]) -> Response:
    """An idempotent command: the key's system, the JSON body (once it matches its model) and the
    Idempotency-Key go to one use case."""
    request = integration_v1.current_request
    principal = integration.authenticate(ports(), request.headers.get("authorization"))
    result = use_case(
        ports(),
        principal,
        checked_body(request, model),
        request.headers.get("idempotency-key"),
        clock.utc_now(),
        lambda_context=request.lambda_context,
    )
    return json_response(result, status=status)


class Body:
    """In _call's arguments: the JSON body as `model` checked it, read once the key is known."""

    def __init__(self, model: type[Any]) -> None:
        self.model = model


def _call(use_case: Callable[..., dict[str, Any]], *args: Any, status: int = 200) -> Response:
    """A call that is not an idempotent command: the key's system and the arguments to one use case."""
    request = integration_v1.current_request
    principal = integration.authenticate(ports(), request.headers.get("authorization"))
    args = tuple(checked_body(request, arg.model) if isinstance(arg, Body) else arg for arg in args)
    return json_response(use_case(ports(), principal, *args), status=status)


@operation(integration_v1, "/integration/v1/population-register/persons", "POST", summary="Create or update one person in the population register (the region's register feed: a region-wide key with the population-register scope)", security=KEY, body=m.PersonUpdate, response=m.RegisterStored, idempotency=True)
def update_register_person() -> Response:
    return _command(register.update_person, 200, m.PersonUpdate)


@operation(integration_v1, "/integration/v1/attachments", "POST", summary="An upload slot for one attachment (PDF, PNG or JPEG, at most 10 MB)", description="Upload the file with a multipart POST to upload.url with upload.fields and the file last (field name 'file') within 15 minutes, then name attachment_id in POST /integration/v1/messages within a day. No Idempotency-Key: asking twice gives two slots and the unused one expires.", security=KEY, body=m.UploadRequest, response=m.UploadSlot, status=201)
def request_attachment_upload() -> Response:
    """An upload slot; no Idempotency-Key: asking twice gives two slots, and the unused one expires."""
    return _call(attachments.request_upload, Body(m.UploadRequest), clock.utc_now(), status=201)


@operation(integration_v1, "/integration/v1/messages", "POST", summary="Deliver a message to a person's inbox", description="Always kept for a person the register knows (or who has logged in); when reaches_digitally is false, send paper too.", security=KEY, body=m.NewMessage, response=m.Delivered, status=201, idempotency=True)
def send_message() -> Response:
    return _command(inbox.send_from_care_system, 201, m.NewMessage)


@operation(integration_v1, "/integration/v1/messages/{message_id}", "GET", summary="Delivered, first read, deleted: to the system that sent it only", security=KEY, response=m.MessageStatus)
def message_status(message_id: str) -> Response:
    return _call(inbox.status_for_sender, message_id)


@operation(integration_v1, "/integration/v1/citizen-status", "POST", summary="Whether a message reaches the person digitally, and how (a read: the personnummer in the body, never in a URL)", security=KEY, body=m.CitizenStatusQuery, response=m.CitizenStatus, errors={429: ("too_many_requests",)})
def citizen_status() -> Response:
    """A read: the personnummer travels in the body, never in a URL; no Idempotency-Key needed.
    Limited per key and per client (429 with Retry-After), counted before the body is read."""
    request = integration_v1.current_request
    principal = integration.authenticate(ports(), request.headers.get("authorization"))
    now = clock.utc_now()
    limits.citizen_status_asked(ports(), principal.key_id, client_address(request), now)
    return json_response(inbox.citizen_status(ports(), principal, checked_body(request, m.CitizenStatusQuery), now))


@operation(integration_v1, "/integration/v1/units/{unit_hsa_id}/slots", "PUT", summary="Publish this system's slots at the unit for a day or a range", description="Afterwards its slots from `from` to `to` (Stockholm days, inclusive) are exactly these. Slots the unit published in the staff tool, another system's and appointments' own are never touched. Sending the same body again changes nothing. A booked slot cannot be removed or moved here (409 slot_booked), nor one held for an earlier-time offer until the offer is answered or expires (409 slot_held); an id another source uses is 409 slot_id_taken; ids beginning staff- or appointment- are the platform's (400 slot_id_reserved). `resource` names the practitioner or room.", security=KEY, body=m.SlotsPublish, response=m.Published)
def publish_slots(unit_hsa_id: str) -> Response:
    """The unit's slots for a day or a range become exactly these: a PUT, idempotent by nature."""
    return _call(booking_staff.publish_slots, unit_hsa_id, Body(m.SlotsPublish), clock.utc_now())


@operation(integration_v1, "/integration/v1/appointments", "POST", summary="Book a visit for a citizen; the summons goes in the 18:00 Stockholm release (that evening if booked before 18:00, else the next)", security=KEY, body=m.NewAppointment, response=m.Booked, status=201, idempotency=True)
def book_appointment() -> Response:
    return _command(summons.book_from_care_system, 201, m.NewAppointment)


@operation(integration_v1, "/integration/v1/appointments/{appointment_id}", "GET", summary="The booking and its summons: state, version, channels, first read", security=KEY, response=m.AppointmentStatus)
def appointment(appointment_id: str) -> Response:
    return _call(summons.status, appointment_id)


@operation(integration_v1, "/integration/v1/appointments/{appointment_id}", "PATCH", summary="Change start, end, place, preparation, links, may_rebook, may_cancel: a new summons version for the next release", security=KEY, body=m.AppointmentChange, response=m.AppointmentStatus)
def change_appointment(appointment_id: str) -> Response:
    return _call(summons.change_appointment, appointment_id, Body(m.AppointmentChange), clock.utc_now())


@operation(integration_v1, "/integration/v1/appointments/{appointment_id}", "DELETE", summary="Cancel: before the release no summons goes; after it the citizen is told", security=KEY, response=m.AppointmentStatus)
def cancel_appointment(appointment_id: str) -> Response:
    return _call(summons.cancel_appointment, appointment_id, clock.utc_now())


@operation(integration_v1, "/integration/v1/print-batches/{day}", "GET", summary="The evening's print batch for the key's units (scope print): PDF files of at most 500 letters, each with a link that lives expires_in seconds", security=KEY, response=m.PrintBatch)
def print_batch(day: str) -> Response:
    """The evening's print files for the key's units (PDFs of at most 500 letters, one letter a page),
    each with a link to S3 that lives five minutes: the files themselves never pass through here."""
    return _call(summons.print_batch_for_vendor, day)


@operation(integration_v1, "/integration/v1/lab-results", "POST", summary="A self-test's result: to the citizen's inbox, once per Idempotency-Key", description="Name the order by order_id, or the kit by kit_number with the sampled person's personnummer.", security=KEY, body=m.LabResult, response=m.LabResultStored, status=201, idempotency=True)
def lab_result() -> Response:
    return _command(self_tests.post_result, 201, m.LabResult)


@operation(integration_v1, "/integration/v1/kit-orders", "GET", summary="Kit orders to ship, a page at a time", security=KEY, response=m.KitOrdersPage, query=(Param("status", "Only orders in this state", schema={"type": "string", "enum": ["ordered", "sent", "received"]}), CURSOR))
def kit_orders() -> Response:
    """Orders to ship, a page at a time: ?status=ordered&cursor=<next_cursor>."""
    params = integration_v1.current_request.query_params or {}
    return _call(self_tests.waiting_orders, params.get("status"), params.get("cursor"))


@operation(integration_v1, "/integration/v1/kit-orders/{order_id}/sent", "POST", summary="The kit is sent (its number)", security=KEY, body=m.KitSent, response=m.KitOrderState)
def kit_sent(order_id: str) -> Response:
    return _call(self_tests.mark_sent, order_id, Body(m.KitSent), clock.utc_now())


@operation(integration_v1, "/integration/v1/kit-orders/{order_id}/received", "POST", summary="The lab received the kit", security=KEY, response=m.KitOrderState)
def kit_received(order_id: str) -> Response:
    return _call(self_tests.mark_received, order_id, clock.utc_now())


@operation(integration_v1, "/integration/v1/form-requests", "POST", summary="Send a form the unit uses to one or more people (scope forms), once per Idempotency-Key", description="Each person gets the form in their inbox (a guardian for a child under 13). A health declaration that still stands for a person is not asked again (still_valid).", security=KEY, body=m.FormDispatch, response=m.FormDispatched, status=201, idempotency=True)
def send_form() -> Response:
    return _command(forms.send_from_care_system, 201, m.FormDispatch)


@operation(integration_v1, "/integration/v1/form-requests/{request_id}", "GET", summary="A form sent by the key's units: where it stands and, once answered, its QuestionnaireResponse", description="The first fetch of an answer is its export: the unit's retention (90 days by default) starts, after which the answers are purged.", security=KEY, response=m.FormRequestDetail)
def form_request(request_id: str) -> Response:
    return _call(forms.request_for_care_system, request_id, clock.utc_now())


@operation(integration_v1, "/integration/v1/units/{unit_hsa_id}/forms/{form_id}/requests", "GET", summary="What the unit sent of a form, newest first, a page at a time", security=KEY, response=m.FormRequestsPage, query=(CURSOR,))
def form_requests(unit_hsa_id: str, form_id: str) -> Response:
    cursor = (integration_v1.current_request.query_params or {}).get("cursor")
    return _call(forms.requests_for_care_system, unit_hsa_id, form_id, cursor, clock.utc_now())


@operation(integration_v1, "/integration/v1/consumable-orders", "GET", summary="Förbrukningsartiklar to ship (scope consumables): a page of orders, oldest first, for the key's units (region-wide: all)", security=KEY, response=m.SupplierOrdersPage, query=(Param("status", "Only orders in this state", schema={"type": "string", "enum": ["placed", "shipped"]}), CURSOR))
def consumable_orders() -> Response:
    params = integration_v1.current_request.query_params or {}
    return _call(consumables.orders_for_supplier, params.get("status"), params.get("cursor"))


def _order_step(use_case: Callable[..., dict[str, Any]], order_id: str) -> Response:
    request = integration_v1.current_request
    principal = integration.authenticate(ports(), request.headers.get("authorization"))
    body = checked_body(request, m.SupplierStep, required=False) or {}
    return json_response(use_case(ports(), principal, order_id, body, request.headers.get("idempotency-key"),
                                  clock.utc_now(), lambda_context=request.lambda_context))  # fmt: skip


@operation(integration_v1, "/integration/v1/consumable-orders/{order_id}/shipped", "POST", summary="The supplier sent the order (from placed; 409 order_state otherwise); once per Idempotency-Key", security=KEY, body=m.SupplierStep, body_required=False, response=m.ConsumableOrderState, idempotency=True)
def consumable_shipped(order_id: str) -> Response:
    return _order_step(consumables.mark_shipped, order_id)


@operation(integration_v1, "/integration/v1/consumable-orders/{order_id}/delivered", "POST", summary="The order was delivered (from shipped; 409 order_state otherwise); once per Idempotency-Key", security=KEY, body=m.SupplierStep, body_required=False, response=m.ConsumableOrderState, idempotency=True)
def consumable_delivered(order_id: str) -> Response:
    return _order_step(consumables.mark_delivered, order_id)


@operation(integration_v1, "/integration/v1/listing-requests", "GET", summary="Requests to be listed at a vårdcentral (scope listing, a region-wide key): a page, oldest first", security=KEY, response=m.ListingRequestsPage, query=(Param("status", "Only requests in this state", schema={"type": "string", "enum": ["open", "accepted", "refused"]}), CURSOR))
def listing_requests() -> Response:
    params = integration_v1.current_request.query_params or {}
    return _call(listing.requests_for_listing_system, params.get("status"), params.get("cursor"))


@operation(integration_v1, "/integration/v1/listing-requests/{request_id}/decision", "POST", summary="The listing system's decision (accepted or refused, a message to the person): the answer reaches the inbox; once per Idempotency-Key", security=KEY, body=m.ListingDecision, response=m.ListingDecided, idempotency=True)
def listing_decision(request_id: str) -> Response:
    request = integration_v1.current_request
    principal = integration.authenticate(ports(), request.headers.get("authorization"))
    return json_response(listing.decide(ports(), principal, request_id, checked_body(request, m.ListingDecision),
                                        request.headers.get("idempotency-key"), clock.utc_now(),
                                        lambda_context=request.lambda_context))  # fmt: skip
