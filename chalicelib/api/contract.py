"""One contract for the JSON API: every JSON request and response body is a declared model (a
msgspec Struct), every operation is declared with its route, and the OpenAPI document is generated
from the two (chalicelib/api/openapi.py, built on the first request for it).

msgspec rather than pydantic, by measurement (issue 17): after `import app`, importing msgspec costs
~5 ms CPU and 60 Structs ~5 ms more; pydantic costs ~26 ms and 60 models ~110 ms more. msgspec's
validation errors are one sentence of a small, stable set of forms ("Object missing required field
`x` - at `$.a[0]`"), which `_translate` below turns into {code, message, field} in the request's
language.

Routes declare themselves with `operation(blueprint, path, method, ...)` instead of
`blueprint.route(...)`: that registers the route with Chalice and records the operation (its body and
response models, query parameters, security, statuses and error codes) in OPERATIONS. Nothing here
builds a schema: that happens only when the document is asked for.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated, Any

import msgspec
from msgspec import Meta, Struct

from chalicelib.errors import BadInput

# -- field types shared by the models -------------------------------------------------------------
# Patterns are what the server checks (services/input.py, domain/personnummer.py), so that the
# document and the server agree; msgspec, like JSON Schema, searches a pattern (anchors say whole).
PERSONNUMMER_PATTERN = r"^([0-9]{8}|[0-9]{6})[-+]?[0-9]{4}$"
HSA_ID_PATTERN = r"^SE[0-9]{10}-[A-Za-z0-9]{1,31}$"
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:/\-]{0,199}$"
NOT_BLANK = r"\S"

Personnummer = Annotated[str, Meta(pattern=PERSONNUMMER_PATTERN, description="12 digits, or 10 with - or +",
                                   examples=["199001012384"])]  # fmt: skip
HsaId = Annotated[str, Meta(pattern=HSA_ID_PATTERN, description="HSA-id", examples=["SE2321000099-VC01"])]
Id = Annotated[str, Meta(pattern=ID_PATTERN, max_length=200)]
DateTime = Annotated[str, Meta(extra_json_schema={"format": "date-time"}, description="ISO 8601 with a time zone")]
Day = Annotated[str, Meta(pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$", extra_json_schema={"format": "date"})]


def text(max_length: int, description: str | None = None) -> Any:
    """Text that must hold something besides white space (the server strips and refuses blanks)."""
    if description:
        return Annotated[str, Meta(min_length=1, max_length=max_length, pattern=NOT_BLANK, description=description)]
    return Annotated[str, Meta(min_length=1, max_length=max_length, pattern=NOT_BLANK)]


def optional_text(max_length: int) -> Any:
    return Annotated[str, Meta(max_length=max_length)]


class Model(Struct, forbid_unknown_fields=True, omit_defaults=False):
    """A request body: unknown fields are refused, as the services' json_object does."""


class Out(Struct):
    """A response body."""


# -- the error shape -------------------------------------------------------------------------------
class FieldError(Struct, omit_defaults=True):
    code: str
    message: str
    field: str | None = None


class Error(Struct, omit_defaults=True):
    """Every error, everywhere: a stable code, a message in the request's language, the field it is
    about (when it is about one), and for a form with several wrong fields, each of them."""

    code: str
    message: str
    field: str | None = None
    errors: list[FieldError] | None = None


class Invalid(BadInput):
    """A body that does not match its model: the message is made in the request's language when the
    response is (api/http.py), from a catalogue key and its values."""

    def __init__(self, code: str, field: str | None, key: str, **values: Any) -> None:
        from chalicelib.catalogs import translate

        self.key = key
        self._expected = values.get("expected", "")
        self.values = {"field": field or "", **values}
        if "expected" in self.values:
            self.values["expected"] = translate("sv", f"api.type.{self.values['expected']}")
        super().__init__(code, translate("sv", key, **self.values), field=field)

    def message_in(self, lang: str) -> str:
        from chalicelib.catalogs import translate

        values = dict(self.values)
        if "expected" in values:
            values["expected"] = translate(lang, f"api.type.{self._expected}")
        return translate(lang, self.key, **values)


_AT = re.compile(r" - at `\$(?P<path>[^`]*)`$")
_TYPES = {"str": "string", "int": "integer", "float": "number", "bool": "boolean", "array": "array",
          "object": "object", "null": "null"}  # fmt: skip
# msgspec names a pattern by its repr
_PATTERN_CODES = {repr(p)[1:-1]: code for p, code in ((PERSONNUMMER_PATTERN, "personnummer_invalid"),
                  (HSA_ID_PATTERN, "hsa_id_invalid"), (ID_PATTERN, "id_invalid"), (NOT_BLANK, "field_empty"))}


def _translate(message: str) -> Invalid:
    """msgspec's one sentence as a code, a field and a catalogue key (with its values)."""
    at = _AT.search(message)
    path = at.group("path").lstrip(".") if at else ""
    head = message[: at.start()] if at else message

    def join(name: str) -> str:
        return f"{path}.{name}" if path else name

    if m := re.fullmatch(r"Object missing required field `(.+)`", head):
        return Invalid("field_required", join(m.group(1)), "api.field_required")
    if m := re.fullmatch(r"Object contains unknown field `(.+)`", head):
        return Invalid("unknown_field", join(m.group(1)), "api.unknown_field")
    if not path and re.fullmatch(r"Expected `object`, got `\w+`", head):
        return Invalid("body_not_object", None, "api.body_not_object")
    if m := re.fullmatch(r"Expected `(\w+)[^`]*`, got `\w+`", head):  # a union names its first type
        return Invalid("field_invalid", path, "api.field_invalid", expected=_TYPES.get(m.group(1), "object"))
    if m := re.fullmatch(r"Expected `str` of length >= (\d+)", head):
        if m.group(1) == "1":
            return Invalid("field_empty", path, "api.field_empty")
        return Invalid("field_too_short", path, "api.field_too_short", limit=m.group(1))
    if m := re.fullmatch(r"Expected `str` of length <= (\d+)", head):
        return Invalid("field_too_long", path, "api.field_too_long", limit=m.group(1))
    if m := re.fullmatch(r"Expected `(?:array|object)` of length <= (\d+)", head):
        return Invalid("too_many_items", path, "api.too_many_items", limit=m.group(1))
    if m := re.fullmatch(r"Expected `(?:array|object)` of length >= (\d+)", head):
        return Invalid("too_few_items", path, "api.too_few_items", limit=m.group(1))
    if m := re.fullmatch(r"Expected `str` matching regex '(.*)'", head, re.S):
        code = _PATTERN_CODES.get(m.group(1), "field_invalid")
        return Invalid(code, path, "api.pattern_mismatch" if code == "field_invalid" else f"api.{code}")
    if head.startswith("Invalid enum value"):
        return Invalid("value_not_allowed", path, "api.value_not_allowed")
    if m := re.fullmatch(r"Expected `(?:int|float)` ([<>]=? ?-?[0-9.e+]+)", head):
        return Invalid("value_out_of_range", path, "api.value_out_of_range", limit=m.group(1))
    return Invalid("field_invalid", path or None, "api.pattern_mismatch")


def convert(value: Any, model: type[Any]) -> Any:
    """A parsed, checked JSON value (api/http.py json_body) as `model`, or a 400 Invalid."""
    try:
        return msgspec.convert(value, model)
    except msgspec.ValidationError as error:
        raise _translate(str(error)) from None


def to_json(value: Any) -> Any:
    """A response model (or a plain value holding some) as JSON-ready builtins."""
    return msgspec.to_builtins(value)


# -- the operations --------------------------------------------------------------------------------
CITIZEN, STAFF, KEY = "citizenSession", "staffSession", "integrationKey"


class Param(Struct, frozen=True):
    name: str
    description: str = ""
    required: bool = False
    schema: dict[str, Any] | None = None  # JSON Schema; a string when None


CURSOR = Param("cursor", "Opaque: the next_cursor of the page before (400 cursor_invalid for any other)",
               schema={"type": "string", "maxLength": 2000})  # fmt: skip


class Operation(Struct, frozen=True):
    method: str
    path: str
    summary: str
    security: str | None
    response: Any = None  # a Struct type (or list/… of one); None: no JSON body
    status: int = 200
    body: Any = None  # a Struct type; None: no body
    body_required: bool = True
    query: tuple[Param, ...] = ()
    errors: dict[int, tuple[str, ...]] = {}
    csrf: bool = False
    idempotency: bool = False
    description: str = ""
    content_type: str = "application/json"
    handler: str = ""  # module:function, for the error codes it can give (api/error_codes.py)


OPERATIONS: dict[tuple[str, str], Operation] = {}


def operation(blueprint: Any, path: str, method: str, *, summary: str, security: str | None, response: Any = None,
              status: int = 200, body: Any = None, body_required: bool = True, query: tuple[Param, ...] = (),
              errors: dict[int, tuple[str, ...]] | None = None, csrf: bool | None = None, idempotency: bool = False,
              description: str = "", content_type: str = "application/json") -> Callable[[Any], Any]:  # fmt: skip
    """Declare a JSON operation and register its route (in place of `blueprint.route`)."""
    if csrf is None:
        csrf = security in (CITIZEN, STAFF) and method != "GET"

    def register(handler: Callable[..., Any]) -> Callable[..., Any]:
        OPERATIONS[(method, path)] = Operation(
            method, path, summary, security, response, status, body, body_required, query, errors or {}, csrf,
            idempotency, description, content_type, f"{handler.__module__}:{handler.__name__}")  # fmt: skip
        return blueprint.route(path, methods=[method])(handler)

    return register


def read_body(request: Any, model: type[Any], *, required: bool = True) -> Any:
    """The request's body as `model` (call it after authenticating): a 400 with the field when it does
    not match. An optional body that is absent is the model's defaults."""
    return convert(checked_body(request, model, required=required), model)


def checked_body(request: Any, model: type[Any], *, required: bool = True) -> Any:
    """The request's JSON body as parsed, once it is known to match `model` (for a service that reads
    the plain body itself); an absent optional body is {}."""
    from chalicelib.api.http import json_body

    if not required and not (request.raw_body or b"").strip():
        return {}
    body = json_body(request)
    convert(body, model)
    return body
