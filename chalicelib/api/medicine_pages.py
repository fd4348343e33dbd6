"""Medicines for the citizen: Förnya recept from a list (checkboxes per prescribing unit, and a
medicine written in when it is not in the list) and Mina läkemedel (what is prescribed now and what
was dispensed), read from the care systems at each view; the page and the JSON API (/api/v1/medicines).
Without JavaScript: each prescribing unit's renewal is a plain form."""

from __future__ import annotations

import uuid
from typing import Any

from chalice import Blueprint, Response

from chalicelib.api import models as m
from chalicelib.api.contract import CITIZEN, operation, read_body, to_json
from chalicelib.api.http import api_language, form_action, form_lists, json_response, language, render_page, require_csrf
from chalicelib.api.session import citizen_or_landing, require_citizen
from chalicelib.bootstrap import ports
from chalicelib.domain import clock
from chalicelib.errors import AppError
from chalicelib.services import medicines
from chalicelib.services.principals import CitizenPrincipal

medicine_pages = Blueprint(__name__)
FORM = ["application/x-www-form-urlencoded"]


def _page(principal: CitizenPrincipal, *, status: int = 200, posted: dict[str, Any] | None = None) -> Response:
    found = medicines.overview(ports(), principal, clock.utc_now())
    return render_page("medicines.html", language(medicine_pages.current_request), staff=False,
                       csrf_token=principal.csrf_token, principal=principal, status=status, medicines=found,
                       posted=posted or {}, new_submission_id=lambda: str(uuid.uuid4()))  # fmt: skip


@medicine_pages.route("/medicines", methods=["GET"])
def medicines_page() -> Response:
    principal, away = citizen_or_landing(medicine_pages.current_request)
    return away or _page(principal)


@medicine_pages.route("/medicines/renew", methods=["POST"], content_types=FORM)
def renew() -> Response:
    principal, away = citizen_or_landing(medicine_pages.current_request)
    if away:
        return away
    request = medicine_pages.current_request
    chosen = form_lists(request).get("medicine", [])

    def run(fields: dict[str, str]) -> str:
        renewal = medicines.renew(ports(), principal, fields.get("unit", ""), chosen, fields, clock.utc_now(),
                                  request.lambda_context)  # fmt: skip
        return f"/cases/{renewal.case_id}?sent=1"

    def again(fields: dict[str, str], error: AppError) -> Response:
        errors = getattr(error, "errors", None) or {error.field or "_form": error.message}
        return _page(principal, status=error.status,
                     posted={"unit": fields.get("unit"), "fields": fields, "chosen": chosen, "errors": errors})  # fmt: skip

    return form_action(request, principal.csrf_token, run, again, recoverable=(400, 403, 409, 422, 503))


# -- the JSON API ----------------------------------------------------------------------------------------
def _prescription(p: Any) -> m.PrescriptionOut:
    return m.PrescriptionOut(p.key, p.resource_type, p.medication.name, p.medication.strength, p.medication.form,
                             p.dosage, p.unit_hsa_id, p.unit_name, p.authored.isoformat(), p.status,
                             p.valid_until.isoformat() if p.valid_until else None)  # fmt: skip


@operation(medicine_pages, "/api/v1/medicines", "GET", security=CITIZEN, response=m.MedicinesOut,
           summary="The person's medicines (the child's when acting for one), read from the region's care systems "
                   "now: what may be renewed, by prescribing unit (16 or older; a guardian for a child under 13), "
                   "and what is prescribed now with what was dispensed (18 or older; the guardian)")  # fmt: skip
def medicines_json() -> Response:
    principal = require_citizen(medicine_pages.current_request)
    lang = api_language(medicine_pages.current_request)
    found = medicines.overview(ports(), principal, clock.utc_now())
    return json_response(to_json(m.MedicinesOut(
        may_renew=found.may_renew, may_list=found.may_list, in_register=found.subject is not None,
        failed_sources=found.failed_sources,
        renewal_units=[m.RenewalUnitOut(u.hsa_id, u.name, u.takes_renewals,
                                        u.case_type.terms.in_(lang) if u.case_type else None,
                                        u.unit.phone if u.unit and u.unit.phone else None,
                                        [_prescription(p) for p in u.prescriptions])
                       for u in found.renewal_units],
        current=[m.CurrentOut(_prescription(c.prescription), c.withdrawals_left,
                              [m.DispenseOut(d.when.isoformat(), d.date_only, d.quantity) for d in c.dispenses])
                 for c in found.current],
    )))  # fmt: skip


@operation(medicine_pages, "/api/v1/medicines/renewals", "POST", security=CITIZEN, body=m.RenewalIn,
           response=m.CaseSent, status=201,
           summary="Förnya recept: ask the prescribing unit to renew medicines from its part of the list (their "
                   "keys) and/or one written in; a case in that unit's queue, once per submission_id. A unit not "
                   "on the platform is 422 unit_not_on_platform and nothing is sent")  # fmt: skip
def renew_json() -> Response:
    request = medicine_pages.current_request
    principal = require_citizen(request)
    require_csrf(principal.csrf_token, request.headers.get("x-csrf-token"))
    body = read_body(request, m.RenewalIn)
    fields = {"submission_id": body.submission_id, "accept_terms": "yes" if body.accept_terms else "",
              "not_listed": body.not_listed or "", "other": body.other or ""}  # fmt: skip
    renewal = medicines.renew(ports(), principal, body.unit_hsa_id, list(body.medicines), fields, clock.utc_now(),
                              request.lambda_context)  # fmt: skip
    return json_response(to_json(m.CaseSent(renewal.case_id)), status=201)
