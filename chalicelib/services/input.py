"""Reading a caller's JSON into checked values: one clear error per field, in one place."""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

from chalicelib.domain.personnummer import InvalidPersonnummer, Personnummer, parse
from chalicelib.errors import BadInput


def json_object(body: Any, allowed_fields: set[str]) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise BadInput("body_not_object", "Anropet ska vara ett JSON-objekt.")
    if unknown := sorted(set(body) - allowed_fields):
        raise BadInput("unknown_field", f"Okänt fält: {unknown[0]}.", field=unknown[0])
    return body


def required_text(body: dict[str, Any], field: str, max_length: int) -> str:
    value = body.get(field)
    if not isinstance(value, str) or not value.strip():
        raise BadInput("field_required", f"Fältet {field} krävs.", field=field)
    if len(value) > max_length:
        raise BadInput("field_too_long", f"Fältet {field} får vara högst {max_length} tecken.", field=field)
    return value.strip()


def optional_text(body: dict[str, Any], field: str, max_length: int) -> str:
    value = body.get(field) or ""
    if not isinstance(value, str) or len(value) > max_length:
        raise BadInput("field_too_long", f"Fältet {field} ska vara text, högst {max_length} tecken.", field=field)
    return value.strip()


def aware_moment(value: Any, field: str) -> datetime:
    """An ISO 8601 time with its time zone, as UTC; a time without a zone is refused, not guessed."""
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        moment = None
    if moment is None or moment.tzinfo is None:
        raise BadInput("time_invalid", f"Fältet {field} ska vara en tid med tidszon (ISO 8601).", field=field)
    return moment.astimezone(timezone.utc)


def personnummer(value: Any, field: str, today: date) -> Personnummer:
    """A personnummer or samordningsnummer; the error never repeats the number."""
    if not isinstance(value, str):
        raise BadInput("personnummer_invalid", "Personnumret måste vara text.", field=field)
    try:
        return parse(value, today)
    except InvalidPersonnummer as error:
        raise BadInput("personnummer_invalid", str(error), field=field) from None
