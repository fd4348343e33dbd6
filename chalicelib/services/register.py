"""Keeping the population register current: a care system (or the region's register feed)
sends what it knows of one person; guardianship links follow."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from chalicelib.adapters.register import ChangedBy
from chalicelib.domain.clock import stockholm_date
from chalicelib.domain.integration_keys import REGISTER_SCOPE
from chalicelib.domain.people import Address, PersonUpdate
from chalicelib.errors import BadInput
from chalicelib.observability import logger, record_metric
from chalicelib.services.input import json_object, personnummer, required_text
from chalicelib.services.integration import run_idempotent
from chalicelib.services.ports import Ports
from chalicelib.services.principals import IntegrationPrincipal

_NAME_MAX = 100


def parse_person_update(body: Any, today: date) -> PersonUpdate:
    body = json_object(body, {"personnummer", "given_name", "family_name", "protected_identity", "address", "guardians"})
    protected = body.get("protected_identity", False)
    if not isinstance(protected, bool):
        raise BadInput("field_invalid", "protected_identity ska vara true eller false.", field="protected_identity")
    address = None
    if body.get("address") is not None:
        raw = body["address"]
        if not isinstance(raw, dict):
            raise BadInput("field_invalid", "address ska vara ett objekt.", field="address")
        address = Address(
            street=required_text(raw, "street", _NAME_MAX),
            postal_code=required_text(raw, "postal_code", 10),
            city=required_text(raw, "city", _NAME_MAX),
        )
    guardians_raw = body.get("guardians", [])
    if not isinstance(guardians_raw, list) or len(guardians_raw) > 2:
        raise BadInput("field_invalid", "guardians ska vara en lista med högst två personnummer.", field="guardians")
    return PersonUpdate(
        personnummer=personnummer(body.get("personnummer"), "personnummer", today),
        given_name=required_text(body, "given_name", _NAME_MAX),
        family_name=required_text(body, "family_name", _NAME_MAX),
        protected_identity=protected,
        address=address,
        guardians=tuple(personnummer(g, "guardians", today) for g in guardians_raw),
    )


def update_person(
    ports: Ports,
    principal: IntegrationPrincipal,
    body: Any,
    idempotency_key: str | None,
    now: datetime,
    lambda_context: Any = None,
) -> dict[str, Any]:
    # The region's register feed only: a unit's key never changes who may act for whom, or protection.
    principal.require_region_wide(REGISTER_SCOPE)
    update = parse_person_update(body, stockholm_date(now))

    def store() -> dict[str, Any]:
        person = ports.register.upsert(update, ChangedBy(principal.key_id, principal.system_name))
        logger.info("register person updated", extra={"citizen_id": person.citizen_id, "client": principal.key_id})
        record_metric("RegisterPersonUpdated")
        return {"status": "stored", "guardians": len(person.guardian_ids)}

    return run_idempotent(
        operation="register.update_person",
        caller=principal.key_id,
        idempotency_key=idempotency_key,
        payload=body,
        command=store,
        lambda_context=lambda_context,
    )
