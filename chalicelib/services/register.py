"""Keeping the population register current: a care system (or the region's register feed)
sends what it knows of one person; guardianship links follow."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from chalicelib.domain.clock import stockholm_date
from chalicelib.domain.people import Address, PersonUpdate
from chalicelib.domain.personnummer import InvalidPersonnummer, Personnummer, parse
from chalicelib.errors import BadInput
from chalicelib.observability import logger, record_metric
from chalicelib.services.integration import run_idempotent
from chalicelib.services.ports import Ports
from chalicelib.services.principals import IntegrationPrincipal

REGISTER_SCOPE = "population-register"
_NAME_MAX = 100


def _text(body: dict[str, Any], field: str, *, max_length: int = _NAME_MAX) -> str:
    value = body.get(field)
    if not isinstance(value, str) or not value.strip():
        raise BadInput("field_required", f"Fältet {field} krävs.", field=field)
    if len(value) > max_length:
        raise BadInput("field_too_long", f"Fältet {field} får vara högst {max_length} tecken.", field=field)
    return value.strip()


def _pnr(value: Any, field: str, today: date) -> Personnummer:
    if not isinstance(value, str):
        raise BadInput("personnummer_invalid", "Personnumret måste vara text.", field=field)
    try:
        return parse(value, today)
    except InvalidPersonnummer as error:
        raise BadInput("personnummer_invalid", str(error), field=field) from None


def parse_person_update(body: Any, today: date) -> PersonUpdate:
    if not isinstance(body, dict):
        raise BadInput("body_not_object", "Anropet ska vara ett JSON-objekt.")
    known = {"personnummer", "given_name", "family_name", "protected_identity", "address", "guardians"}
    if unknown := sorted(set(body) - known):
        raise BadInput("unknown_field", f"Okänt fält: {unknown[0]}.", field=unknown[0])
    protected = body.get("protected_identity", False)
    if not isinstance(protected, bool):
        raise BadInput("field_invalid", "protected_identity ska vara true eller false.", field="protected_identity")
    address = None
    if body.get("address") is not None:
        raw = body["address"]
        if not isinstance(raw, dict):
            raise BadInput("field_invalid", "address ska vara ett objekt.", field="address")
        address = Address(
            street=_text(raw, "street"), postal_code=_text(raw, "postal_code", max_length=10), city=_text(raw, "city")
        )
    guardians_raw = body.get("guardians", [])
    if not isinstance(guardians_raw, list) or len(guardians_raw) > 2:
        raise BadInput("field_invalid", "guardians ska vara en lista med högst två personnummer.", field="guardians")
    return PersonUpdate(
        personnummer=_pnr(body.get("personnummer"), "personnummer", today),
        given_name=_text(body, "given_name"),
        family_name=_text(body, "family_name"),
        protected_identity=protected,
        address=address,
        guardians=tuple(_pnr(g, "guardians", today) for g in guardians_raw),
    )


def update_person(
    ports: Ports,
    principal: IntegrationPrincipal,
    body: Any,
    idempotency_key: str | None,
    now: datetime,
    lambda_context: Any = None,
) -> dict[str, Any]:
    principal.require_scope(REGISTER_SCOPE)
    update = parse_person_update(body, stockholm_date(now))

    def store() -> dict[str, Any]:
        person = ports.register.upsert(update)
        logger.info("register person updated", extra={"citizen_id": person.citizen_id, "client": principal.key_id})
        record_metric("RegisterPersonUpdated")
        return {"status": "stored", "guardians": len(person.guardian_ids)}

    return run_idempotent(
        operation="register.update_person",
        principal=principal,
        idempotency_key=idempotency_key,
        payload=body,
        command=store,
        lambda_context=lambda_context,
    )
