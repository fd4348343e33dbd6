"""The integration API for care systems under /integration/v1 (bearer key per system)."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.api.http import json_body, json_response
from chalicelib.bootstrap import ports
from chalicelib.domain import clock
from chalicelib.services import integration, register

integration_v1 = Blueprint(__name__)


@integration_v1.route("/integration/v1/population-register/persons", methods=["POST"])
def update_register_person() -> Response:
    request = integration_v1.current_request
    principal = integration.authenticate(ports(), request.headers.get("authorization"))
    result = register.update_person(
        ports(),
        principal,
        json_body(request),
        request.headers.get("idempotency-key"),
        clock.utc_now(),
        lambda_context=request.lambda_context,
    )
    return json_response(result)
