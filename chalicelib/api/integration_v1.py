"""The integration API for care systems under /integration/v1 (bearer key per system).

Every route authenticates the key first and reads the body only after that: a bad key with a bad
body is a 401, never a 400."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chalice import Blueprint, Response

from chalicelib.api.http import client_address, json_body, json_response
from chalicelib.bootstrap import ports
from chalicelib.domain import clock
from chalicelib.services import attachments, booking_staff, inbox, integration, limits, register, self_tests, summons

integration_v1 = Blueprint(__name__)


def _command(use_case: Callable[..., dict[str, Any]], status: int) -> Response:
    """An idempotent command: the key's system, the JSON body and the Idempotency-Key go to one use case."""
    request = integration_v1.current_request
    principal = integration.authenticate(ports(), request.headers.get("authorization"))
    result = use_case(
        ports(),
        principal,
        json_body(request),
        request.headers.get("idempotency-key"),
        clock.utc_now(),
        lambda_context=request.lambda_context,
    )
    return json_response(result, status=status)


BODY = object()  # in _call's arguments: the JSON body, read once the key is known


def _call(use_case: Callable[..., dict[str, Any]], *args: Any, status: int = 200) -> Response:
    """A call that is not an idempotent command: the key's system and the arguments to one use case."""
    request = integration_v1.current_request
    principal = integration.authenticate(ports(), request.headers.get("authorization"))
    args = tuple(json_body(request) if arg is BODY else arg for arg in args)
    return json_response(use_case(ports(), principal, *args), status=status)


@integration_v1.route("/integration/v1/population-register/persons", methods=["POST"])
def update_register_person() -> Response:
    return _command(register.update_person, 200)


@integration_v1.route("/integration/v1/attachments", methods=["POST"])
def request_attachment_upload() -> Response:
    """An upload slot; no Idempotency-Key: asking twice gives two slots, and the unused one expires."""
    return _call(attachments.request_upload, BODY, clock.utc_now(), status=201)


@integration_v1.route("/integration/v1/messages", methods=["POST"])
def send_message() -> Response:
    return _command(inbox.send_from_care_system, 201)


@integration_v1.route("/integration/v1/messages/{message_id}", methods=["GET"])
def message_status(message_id: str) -> Response:
    return _call(inbox.status_for_sender, message_id)


@integration_v1.route("/integration/v1/citizen-status", methods=["POST"])
def citizen_status() -> Response:
    """A read: the personnummer travels in the body, never in a URL; no Idempotency-Key needed.
    Limited per key and per client (429 with Retry-After), counted before the body is read."""
    request = integration_v1.current_request
    principal = integration.authenticate(ports(), request.headers.get("authorization"))
    now = clock.utc_now()
    limits.citizen_status_asked(ports(), principal.key_id, client_address(request), now)
    return json_response(inbox.citizen_status(ports(), principal, json_body(request), now))


@integration_v1.route("/integration/v1/units/{unit_hsa_id}/slots", methods=["PUT"])
def publish_slots(unit_hsa_id: str) -> Response:
    """The unit's slots for a day or a range become exactly these: a PUT, idempotent by nature."""
    return _call(booking_staff.publish_slots, unit_hsa_id, BODY, clock.utc_now())


@integration_v1.route("/integration/v1/appointments", methods=["POST"])
def book_appointment() -> Response:
    return _command(summons.book_from_care_system, 201)


@integration_v1.route("/integration/v1/appointments/{appointment_id}", methods=["GET"])
def appointment(appointment_id: str) -> Response:
    return _call(summons.status, appointment_id)


@integration_v1.route("/integration/v1/appointments/{appointment_id}", methods=["PATCH"])
def change_appointment(appointment_id: str) -> Response:
    return _call(summons.change_appointment, appointment_id, BODY, clock.utc_now())


@integration_v1.route("/integration/v1/appointments/{appointment_id}", methods=["DELETE"])
def cancel_appointment(appointment_id: str) -> Response:
    return _call(summons.cancel_appointment, appointment_id, clock.utc_now())


@integration_v1.route("/integration/v1/print-batches/{day}", methods=["GET"])
def print_batch(day: str) -> Response:
    """The evening's print files for the key's units (PDFs of at most 500 letters, one letter a page),
    each with a link to S3 that lives five minutes: the files themselves never pass through here."""
    return _call(summons.print_batch_for_vendor, day)


@integration_v1.route("/integration/v1/lab-results", methods=["POST"])
def lab_result() -> Response:
    return _command(self_tests.post_result, 201)


@integration_v1.route("/integration/v1/kit-orders", methods=["GET"])
def kit_orders() -> Response:
    """Orders to ship, a page at a time: ?status=ordered&cursor=<next_cursor>."""
    params = integration_v1.current_request.query_params or {}
    return _call(self_tests.waiting_orders, params.get("status"), params.get("cursor"))


@integration_v1.route("/integration/v1/kit-orders/{order_id}/sent", methods=["POST"])
def kit_sent(order_id: str) -> Response:
    return _call(self_tests.mark_sent, order_id, BODY, clock.utc_now())


@integration_v1.route("/integration/v1/kit-orders/{order_id}/received", methods=["POST"])
def kit_received(order_id: str) -> Response:
    return _call(self_tests.mark_received, order_id, clock.utc_now())
