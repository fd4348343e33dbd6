"""Reading a caller's input into checked values: one clear error per field, in one place.

Every JSON body and form passes `checked_json` / `checked_text` on its way in (api/http.py): at most
32 levels deep, no lone surrogates, no control characters but tab and line breaks (CRLF becomes LF).
Ids and cursors are checked here before any DynamoDB call sees them.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from datetime import date, datetime, timezone
from typing import Any

from chalicelib.domain.personnummer import InvalidPersonnummer, Personnummer, parse
from chalicelib.errors import BadInput

MAX_JSON_DEPTH = 32
# C0 controls but tab and LF, DEL, C1 controls, and UTF-16 surrogates (a lone "\ud800" decodes to one).
_NOT_TEXT = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
_NOT_KEY = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
# An id as this platform makes them (UUIDs, HSA-ids, kit numbers, slot ids "<unit>/<slot>").
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/\-]{0,199}$")
_CURSOR_MAX = 2000


def checked_text(value: str, *, key: bool = False) -> str:
    """A text from a caller: CRLF and CR become LF; any other control character or a lone
    surrogate is refused (a field name may hold no control character at all)."""
    if key:
        if _NOT_KEY.search(value):
            raise BadInput("control_character", "Ett fältnamn innehåller otillåtna tecken.")
        return value
    text = value.replace("\r\n", "\n").replace("\r", "\n") if "\r" in value else value
    if (found := _NOT_TEXT.search(text)) is not None:
        if 0xD800 <= ord(found.group()) <= 0xDFFF:
            raise BadInput("invalid_unicode", "Texten innehåller ogiltiga tecken (ensamt surrogattecken).")
        raise BadInput("control_character", "Texten innehåller otillåtna styrtecken; bara radbrytning och tabb går bra.")
    return text


def checked_json(value: Any, depth: int = 1) -> Any:
    """Parsed JSON with every text checked (checked_text), at most MAX_JSON_DEPTH levels deep."""
    if isinstance(value, str):
        return checked_text(value)
    if not isinstance(value, (dict, list)):
        return value
    if depth > MAX_JSON_DEPTH:
        raise BadInput("json_too_deep", "Innehållet får vara nästlat i högst {limit} nivåer.",
                       values={"limit": MAX_JSON_DEPTH})
    if isinstance(value, list):
        return [checked_json(item, depth + 1) for item in value]
    return {checked_text(k, key=True): checked_json(v, depth + 1) for k, v in value.items()}


def identifier(value: Any, field: str, *, required: bool = True) -> str | None:
    """An id a caller names (a slot, an order, an invitation): text with an id's shape, else a clear
    400 before any look-up. Not required and empty or absent: None."""
    if value is None or value == "":
        if required:
            raise BadInput("field_required", "Fältet {field} krävs.", field=field, values={"field": field})
        return None
    if not isinstance(value, str) or not _ID.match(value):
        raise BadInput("id_invalid", "Fältet {field} är inget giltigt id.", field=field, values={"field": field})
    return value


def _cursor_mac(key: bytes, scope: str, payload: bytes) -> str:
    return hmac.new(key, scope.encode() + b"\x00" + payload, hashlib.sha256).hexdigest()[:32]


def encode_cursor(key: bytes, scope: str, position: dict[str, str]) -> str:
    """An opaque cursor for the next page: the position, signed for this query (`scope`), so a
    forged or borrowed cursor is refused before DynamoDB sees it."""
    payload = json.dumps(position, sort_keys=True, separators=(",", ":")).encode()
    token = base64.urlsafe_b64encode(payload).decode().rstrip("=")
    return f"{token}.{_cursor_mac(key, scope, payload)}"


def decode_cursor(key: bytes, scope: str, cursor: Any, field: str = "cursor") -> dict[str, str] | None:
    """The position a cursor from encode_cursor holds (None for no cursor); anything else is a 400."""
    if cursor is None or cursor == "":
        return None
    refused = BadInput("cursor_invalid", "Okänd cursor; börja om från första sidan.", field=field)
    if not isinstance(cursor, str) or len(cursor) > _CURSOR_MAX or cursor.count(".") != 1:
        raise refused
    token, mac = cursor.split(".")
    try:
        payload = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except ValueError:
        raise refused from None
    # As bytes: compare_digest refuses a str with non-ASCII characters (a TypeError, not a 400)
    if not hmac.compare_digest(mac.encode(), _cursor_mac(key, scope, payload).encode()):
        raise refused
    position = json.loads(payload)
    if not isinstance(position, dict) or not all(isinstance(v, str) for v in position.values()):
        raise refused
    return position


def json_object(body: Any, allowed_fields: set[str]) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise BadInput("body_not_object", "Anropet ska vara ett JSON-objekt.")
    if unknown := sorted(set(body) - allowed_fields):
        raise BadInput("unknown_field", "Okänt fält: {field}.", field=unknown[0], values={"field": unknown[0]})
    return body


def required_text(body: dict[str, Any], field: str, max_length: int) -> str:
    value = body.get(field)
    if not isinstance(value, str) or not value.strip():
        raise BadInput("field_required", "Fältet {field} krävs.", field=field, values={"field": field})
    if len(value) > max_length:
        raise BadInput("field_too_long", "Fältet {field} får vara högst {limit} tecken.", field=field,
                       values={"field": field, "limit": max_length})
    return value.strip()


def optional_text(body: dict[str, Any], field: str, max_length: int) -> str:
    value = body.get(field) or ""
    if not isinstance(value, str) or len(value) > max_length:
        raise BadInput("field_too_long", "Fältet {field} ska vara text, högst {limit} tecken.", field=field,
                       values={"field": field, "limit": max_length})
    return value.strip()


def aware_moment(value: Any, field: str) -> datetime:
    """An ISO 8601 time with its time zone, as UTC; a time without a zone is refused, not guessed."""
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        moment = None
    if moment is None or moment.tzinfo is None:
        raise BadInput("time_invalid", "Fältet {field} ska vara en tid med tidszon (ISO 8601).", field=field,
                       values={"field": field})
    return moment.astimezone(timezone.utc)


def personnummer(value: Any, field: str, today: date) -> Personnummer:
    """A personnummer or samordningsnummer; the error never repeats the number."""
    if not isinstance(value, str):
        raise BadInput("personnummer_invalid", "Personnumret måste vara text.", field=field)
    try:
        return parse(value, today)
    except InvalidPersonnummer as error:
        raise BadInput("personnummer_invalid", str(error), field=field) from None
