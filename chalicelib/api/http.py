"""HTTP plumbing shared by every route: cookies, forms, JSON bodies, CSRF, and the one place
where errors become responses (JSON with a code for /api and /integration, a page elsewhere)."""

from __future__ import annotations

import hmac
import json
import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from http.cookies import CookieError, SimpleCookie
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlencode

from chalice import Response
from chalice.app import Request

from chalicelib.errors import AppError, BadInput, Forbidden, NotFound
from chalicelib.observability import flush_metrics, logger
from chalicelib.settings import get_settings
from chalicelib.services.input import checked_json, checked_text
from chalicelib.web.render import pick_language, render
from chalicelib.catalogs import error_text, known, translate, translated_error

CITIZEN_SESSION_COOKIE = "sid"
STAFF_SESSION_COOKIE = "staff_sid"
LANGUAGE_COOKIE = "lang"
_CORRELATION_ID = re.compile(r"^[A-Za-z0-9\-]{8,64}$")
_DIGIT_RUN = re.compile(r"[0-9]{6}")
_JSON_PREFIXES = ("/api/", "/integration/")
MAX_BODY_BYTES = 1_000_000

# An id in a path (a message, an order, a unit's HSA-id, a day): anything else cannot exist here.
_PATH_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:\-]{0,127}$")
# Only pages' own scripts and styles: no inline script anywhere (the logout page's is /static/logout.js).
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; "
                           "frame-ancestors 'none'; form-action 'self'")  # fmt: skip
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}
HOST_PREFIX = "__Host-"  # over https: the cookie is ours alone (Secure, Path=/, no Domain)


def _host_prefixed() -> bool:
    return get_settings().cookie_secure


def cookies(request: Request) -> dict[str, str]:
    """Our cookies by their plain names; over https only the `__Host-` ones count (a sibling
    subdomain cannot set those), so `sid` means `__Host-sid` there."""
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(request.headers.get("cookie", ""))
    except CookieError:
        return {}
    if not _host_prefixed():
        return {name: morsel.value for name, morsel in jar.items()}
    return {name[len(HOST_PREFIX):]: morsel.value for name, morsel in jar.items() if name.startswith(HOST_PREFIX)}


def set_cookie(name: str, value: str, *, max_age: int | None = None, http_only: bool = True) -> str:
    if _host_prefixed():
        name = f"{HOST_PREFIX}{name}"
    parts = [f"{name}={value}", "Path=/", "SameSite=Lax"]
    if max_age is not None:
        parts.append(f"Max-Age={max_age}")
    if http_only:
        parts.append("HttpOnly")
    if get_settings().cookie_secure:
        parts.append("Secure")
    return "; ".join(parts)


def clear_cookie(name: str) -> str:
    return set_cookie(name, "", max_age=0)


def language(request: Request) -> str:
    return pick_language(cookies(request).get(LANGUAGE_COOKIE))


def api_language(request: Request) -> str:
    """The JSON API's language: the language cookie the pages set, else the first of Swedish and
    English the caller's Accept-Language names, else Swedish."""
    chosen = cookies(request).get(LANGUAGE_COOKIE)
    if chosen:
        return pick_language(chosen)
    for part in (request.headers.get("accept-language") or "")[:200].split(","):
        tag = part.split(";", 1)[0].strip().lower()[:2]
        if tag in ("sv", "en"):
            return tag
    return pick_language(None)


def api_error(request: Request, code: str, message: str, *, field: str | None = None, key: str | None = None,
              values: dict[str, Any] | None = None, errors: list[dict[str, str]] | None = None,
              ours: bool = False) -> dict[str, Any]:  # fmt: skip
    """The one error shape (contract.Error): {code, message, field?, errors?}, in the request's
    language. A service's message (Swedish, precise) is said from the errors catalogue; for
    Chalice's own errors (`ours`), or a message that catalogue lacks, the text for the code
    (api.<code>) when there is one; else the message as it is."""
    lang = api_language(request)
    key = key or f"api.{code}"
    said = None if ours or lang == "sv" else translated_error(lang, message)
    if said is not None:
        message = said
    elif (ours or lang != "sv") and known(key):
        try:
            message = translate(lang, key, **{"field": field or "", **(values or {})})
        except (KeyError, IndexError):  # a catalogue text wanting a value this error does not carry
            pass
    body: dict[str, Any] = {"code": code, "message": str(message)}
    if field:
        body["field"] = field
    if errors:
        body["errors"] = [{**e, "message": error_text(lang, e["message"])} for e in errors]
    return body


def html(body: str, *, status: int = 200, set_cookies: list[str] | None = None) -> Response:
    headers: dict[str, Any] = {"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store"}
    if set_cookies:
        headers["Set-Cookie"] = set_cookies
    return Response(body=body, status_code=status, headers=headers)


# The address of the page being answered (a GET's path and query), for the language switch to come
# back to and the staff menu to mark; None for a POST (its page cannot be fetched again).
_PAGE_ADDRESS: ContextVar[str | None] = ContextVar("page_address", default=None)


def _page_address(request: Request) -> str | None:
    if request.method != "GET":
        return None
    try:  # the route's own path with its parameters (API Gateway's context path may carry a stage)
        path = request.path.format(**{k: quote(v, safe="") for k, v in (request.uri_params or {}).items()})
    except (KeyError, IndexError, ValueError):
        return None
    query = request.query_params or {}
    return path + (f"?{urlencode(query)}" if query else "")


def render_page(template: str, lang: str, *, staff: bool, csrf_token: str | None = None, status: int = 200,
                set_cookies: list[str] | None = None, **context: Any) -> Response:  # fmt: skip
    """A page in the site's frame, for the citizen or the staff entry; a logout button when logged in."""
    home = "/staff" if staff else "/"
    here = _PAGE_ADDRESS.get() or home
    body = render(
        template,
        lang,
        title_key="staff.title" if staff else "site.title",
        region_name=get_settings().region_name,
        here=here,
        here_path=here.split("?", 1)[0],
        home_path=home,
        logout_path="/staff/logout" if staff else "/logout",
        csrf_token=csrf_token,
        **context,
    )
    return html(body, status=status, set_cookies=set_cookies)


def redirect(location: str, *, set_cookies: list[str] | None = None, status: int = 303) -> Response:
    headers: dict[str, Any] = {"Location": location, "Cache-Control": "no-store"}
    if set_cookies:
        headers["Set-Cookie"] = set_cookies
    return Response(body="", status_code=status, headers=headers)


def json_response(body: Any, *, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(
        body=body,
        status_code=status,
        headers={"Content-Type": "application/json", "Cache-Control": "no-store", **(headers or {})},
    )


def _body_bytes(request: Request) -> bytes:
    raw = request.raw_body or b""
    if len(raw) > MAX_BODY_BYTES:
        raise BadInput("body_too_large", "Anropet är för stort.")
    return raw


def form_lists(request: Request) -> dict[str, list[str]]:
    """A urlencoded form with every value of repeated names (checkbox groups); texts checked as
    JSON's are (services/input.py): line breaks as \\n, no other control characters."""
    try:
        parsed = parse_qs(_body_bytes(request).decode("utf-8"), keep_blank_values=True, strict_parsing=False)
    except UnicodeDecodeError:
        raise BadInput("form_malformed", "Formuläret kunde inte läsas.") from None
    return {checked_text(name, key=True): [checked_text(v) for v in values] for name, values in parsed.items()}


def form(request: Request) -> dict[str, str]:
    """A urlencoded form as single values (the last one wins for repeated names)."""
    return {key: values[-1] for key, values in form_lists(request).items()}


def form_action(
    request: Request,
    csrf_token: str,
    run: Callable[[dict[str, str]], str],
    on_error: Callable[[dict[str, str], AppError], Response],
    recoverable: tuple[int, ...] = (400, 403, 409, 422),
) -> Response:
    """A page's form post: check CSRF, run the action, then go where it says (post/redirect/get),
    or show the form's page again with the error when it is one a person can act on."""
    fields = form(request)
    require_csrf(csrf_token, fields.get("csrf_token"))
    try:
        location = run(fields)
    except AppError as error:
        if error.status not in recoverable:
            raise
        return on_error(fields, error)
    return redirect(location)


def _no_constant(name: str) -> Any:
    raise ValueError(name)  # NaN and Infinity are not JSON


def json_body(request: Request) -> Any:
    """The body as checked JSON (services/input.py checked_json): call it after authenticating."""
    raw = _body_bytes(request)
    if not raw:
        raise BadInput("body_required", "Anropet saknar innehåll (JSON).")
    try:
        parsed = json.loads(raw, parse_constant=_no_constant)
    except RecursionError:
        raise BadInput("json_too_deep", "Innehållet är för djupt nästlat.") from None
    except (ValueError, UnicodeDecodeError):
        raise BadInput("malformed_json", "Innehållet är inte giltig JSON.") from None
    return checked_json(parsed)


def require_csrf(expected: str, submitted: str | None) -> None:
    # As bytes: compare_digest refuses a str with non-ASCII characters (a TypeError, not a 403)
    if not submitted or not hmac.compare_digest(expected.encode(), str(submitted).encode()):
        raise Forbidden("csrf_failed", "Formuläret kunde inte verifieras.")


_NEXT_CHARS = re.compile(r"^[!-~]+$")  # printable ASCII, no space: anything else arrives percent-encoded


def safe_next_path(value: str | None, default: str = "/") -> str:
    """Where to go back to: a path on this site, else `default`. The one rule for every `next`:
    it starts with one '/', and neither it nor its percent-decoding (however often) holds a
    second leading '/', a backslash, whitespace or a control character (browsers drop tabs and
    line breaks, so '/\\t/evil.example' would become '//evil.example'), nor a scheme."""
    if not value or len(value) > 2000 or not _NEXT_CHARS.match(value):
        return default
    decoded, seen = value, set()
    while decoded not in seen:  # '%252F' is '%2F' is '/': check every layer
        seen.add(decoded)
        if (not decoded.startswith("/") or decoded.startswith(("//", "/\\")) or "\\" in decoded
                or any(ch.isspace() or ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F for ch in decoded)):  # fmt: skip
            return default
        decoded = unquote(decoded)
    return value


def wants_page(path: str, headers: Any) -> bool:
    """A browser's request, answered with a page in the site's frame (errors too): any path not
    under /api/ or /integration/, unless the caller asks for JSON and not for HTML."""
    if path.startswith(_JSON_PREFIXES):
        return False
    accept = str(headers.get("accept") or "").lower()
    return not ("application/json" in accept and "text/html" not in accept)


def _wants_json(request: Request) -> bool:
    return not wants_page(request.path, request.headers)


class _BareRequest:
    """What error_page reads of a request, for an answer made before any route (local/gateway.py)."""

    def __init__(self, path: str, headers: dict[str, str]) -> None:
        self.path = path
        self.headers = {k.lower(): v for k, v in headers.items()}


def unknown_route(path: str, headers: dict[str, str]) -> Response:
    """The answer to an address with no route: a 404 page in the site's frame, in the language the
    visitor chose, for a browser; the JSON error shape for the APIs (as the deployed gateway's)."""
    request = _BareRequest(path, headers)
    if not wants_page(path, request.headers):
        return json_response(api_error(request, "not_found", "Adressen finns inte.", ours=True),  # type: ignore[arg-type]
                             status=404)  # fmt: skip
    response = error_page(request, status=404, body_key="error.not_found.body")  # type: ignore[arg-type]
    response.headers.update(SECURITY_HEADERS)
    return response


def error_page(request: Request, *, status: int, body_key: str, heading_key: str | None = None,
               retry_path: str | None = None, reference: str | None = None) -> Response:  # fmt: skip
    """An error in the site's frame; its heading says what happened ("Sidan finns inte" for a 404)."""
    return render_page(
        "error.html",
        language(request),
        staff=request.path.startswith("/staff"),
        status=status,
        heading_key=heading_key or ("error.not_found.heading" if status == 404 else "error.heading"),
        body_key=body_key,
        retry_path=retry_path,
        reference=reference,
    )


def _app_error_response(request: Request, error: AppError) -> Response:
    response = _app_error_body(request, error)
    retry_after = getattr(error, "retry_after", None)  # a rate limit, or a provider that failed
    if retry_after:
        response.headers["Retry-After"] = str(retry_after)
    return response


def client_address(request: Request) -> str | None:
    """The caller's IP address as API Gateway saw it (for per-client limits; never logged)."""
    return ((request.context or {}).get("identity") or {}).get("sourceIp")


def _app_error_body(request: Request, error: AppError) -> Response:
    if _wants_json(request):
        message_in = getattr(error, "message_in", None)  # a body that did not match its model (api/contract.py)
        if message_in is not None:
            body = {"code": error.code, "message": message_in(api_language(request))}
            if error.field:
                body["field"] = error.field
            return json_response(body, status=error.status)
        many = getattr(error, "errors", None)  # a form with several wrong fields (services/cases.py InvalidForm)
        listed = ([{"code": "field_invalid", "message": text, "field": name} for name, text in many.items()]
                  if isinstance(many, dict) and many else None)  # fmt: skip
        field = error.field or (listed[0]["field"] if listed else None)
        body = api_error(request, error.code, error.message, field=field, errors=listed)
        return json_response(body, status=error.status)
    body_key = {"csrf_failed": "error.csrf.body"}.get(error.code, "error.forbidden.body")
    if error.status == 429:
        body_key = "error.too_many.body"
    if error.status == 404:
        body_key = "error.not_found.body"
    return error_page(request, status=error.status, body_key=body_key)


def _normalise_chalice_error(request: Request, response: Response) -> Response:
    """Chalice's own errors ({'Code': …, 'Message': …}) in our shape; never a stack trace."""
    body = response.body
    if response.status_code < 400 or not isinstance(body, dict) or "Code" not in body:
        return response
    code = re.sub(r"(?<!^)(?=[A-Z])", "_", str(body["Code"])).lower().removesuffix("_error")
    if response.status_code >= 500:
        code, message = "internal_error", "Ett tekniskt fel uppstod."
    else:
        message = str(body.get("Message", ""))
    if _wants_json(request):
        return json_response(api_error(request, code, message, ours=True), status=response.status_code)
    body_key = "error.internal.body" if response.status_code >= 500 else "error.not_found.body"
    return error_page(request, status=response.status_code, body_key=body_key)


def route_of(request: Request) -> str:
    """The route's template ('/integration/v1/kit-orders/{order_id}/sent'): what logs name, never
    the path a caller sent (it may hold anything, a personnummer too)."""
    return str((request.context or {}).get("resourcePath") or "unknown")


def _check_path_ids(request: Request) -> None:
    """Every id in the path has an id's shape before any route (or DynamoDB) sees it."""
    for value in (request.uri_params or {}).values():
        if not isinstance(value, str) or not _PATH_ID.match(value):
            raise NotFound("not_found", "Det du söker finns inte.")


def request_middleware(request: Request, get_response: Any) -> Response:
    """Correlation id, error mapping, security headers and metrics for every request."""
    supplied = request.headers.get("x-correlation-id", "")
    # A caller's id goes into every log line: never one that could be a personnummer (six digits in a row).
    usable = _CORRELATION_ID.match(supplied) and not _DIGIT_RUN.search(supplied)
    correlation_id = supplied if usable else str(uuid.uuid4())
    logger.set_correlation_id(correlation_id)
    logger.append_keys(route=route_of(request))
    address = _PAGE_ADDRESS.set(_page_address(request))
    try:
        _check_path_ids(request)
        response = get_response(request)
    except AppError as error:
        logger.info("request refused", extra={"code": error.code, "status": error.status})
        response = _app_error_response(request, error)
    except Exception:
        logger.exception("unhandled error")  # observability.py keeps the stack, never the exception's text
        response = Response(body={"Code": "InternalServerError"}, status_code=500)
    response = _normalise_chalice_error(request, response)
    _PAGE_ADDRESS.reset(address)
    response.headers.update({k: v for k, v in SECURITY_HEADERS.items() if k not in response.headers})
    response.headers["X-Correlation-Id"] = correlation_id
    flush_metrics()
    return response
