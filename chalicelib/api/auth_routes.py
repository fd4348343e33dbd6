"""Login, callback and logout for both entries: citizens at /, staff at /staff."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from chalice import Blueprint, Response

from chalicelib.api.http import (
    CITIZEN_SESSION_COOKIE,
    CONTENT_SECURITY_POLICY,
    STAFF_SESSION_COOKIE,
    clear_cookie,
    client_address,
    cookies,
    error_page,
    form,
    json_response,
    language,
    redirect,
    render_page,
    require_csrf,
    set_cookie,
)
from chalicelib.bootstrap import ports
from chalicelib.domain import clock
from chalicelib.errors import LoginFailed, LoginRefused
from chalicelib.services import auth, limits
from chalicelib.services.auth import Audience, NewSession
from chalicelib.web.render import logout_script

auth_routes = Blueprint(__name__)
FORM = ["application/x-www-form-urlencoded"]
LOGIN_ATTEMPT_COOKIE_SECONDS = 600
# After a logout the next login in this browser asks the person again (prompt=login), even if the
# provider's own session survived (its end_session was not reached, or the provider has none).
LOGIN_AGAIN_COOKIE_SECONDS = 30 * 24 * 3600


@dataclass(frozen=True)
class Entry:
    audience: Audience
    home: str
    session_cookie: str
    binding_cookie: str  # a prefix: each login attempt has its own cookie, so two tabs do not collide
    login_again_cookie: str
    complete: Callable[..., NewSession]
    refused_keys: tuple[str, str]


CITIZEN = Entry(
    "citizen", "/", CITIZEN_SESSION_COOKIE, "login_binding", "login_again", auth.complete_citizen_login,
    ("error.refused.heading", "error.refused.body"),
)  # fmt: skip
STAFF = Entry(
    "staff", "/staff", STAFF_SESSION_COOKIE, "staff_login_binding", "staff_login_again", auth.complete_staff_login,
    ("error.no_role.heading", "error.no_role.body"),
)  # fmt: skip


def _login_path(entry: Entry) -> str:
    return "/login" if entry is CITIZEN else "/staff/login"


def _binding_cookie(entry: Entry, tag: str) -> str:
    return f"{entry.binding_cookie}_{tag}"


def _start(entry: Entry) -> Response:
    request = auth_routes.current_request
    # Per client: a 429 page with Retry-After (through the error middleware) before anything is stored.
    limits.login_started(ports(), entry.audience, client_address(request), clock.utc_now())
    force_login = cookies(request).get(entry.login_again_cookie) == "1"
    try:
        start = auth.begin_login(ports(), entry.audience, clock.utc_now(), force_login=force_login)
    except LoginFailed:  # the provider cannot be reached
        return error_page(request, status=503, heading_key="error.login_failed.heading",
                          body_key="error.login_failed.body", retry_path=_login_path(entry))  # fmt: skip
    binding = set_cookie(
        _binding_cookie(entry, start.attempt_tag), start.browser_binding, max_age=LOGIN_ATTEMPT_COOKIE_SECONDS
    )
    return redirect(start.authorization_url, set_cookies=[binding], status=302)


def _callback(entry: Entry) -> Response:
    request = auth_routes.current_request
    params = request.query_params or {}
    jar = cookies(request)
    state = params.get("state")
    binding_name = _binding_cookie(entry, auth.attempt_tag(state)) if state else entry.binding_cookie
    clear_binding = clear_cookie(binding_name)
    try:
        callback = auth.Callback(
            state=state,
            code=params.get("code"),
            browser_binding=jar.get(binding_name),
            provider_error=params.get("error"),
        )
        session = entry.complete(ports(), callback, clock.utc_now())
    except LoginFailed:
        page = error_page(
            request, status=400, heading_key="error.login_failed.heading", body_key="error.login_failed.body",
            retry_path=_login_path(entry),
        )  # fmt: skip
        page.headers["Set-Cookie"] = [clear_binding]
        return page
    except LoginRefused as refusal:
        keys = ("error.loa.heading", "error.loa.body") if refusal.code == "acr_not_accepted" else entry.refused_keys
        page = error_page(request, status=403, heading_key=keys[0], body_key=keys[1])
        page.headers["Set-Cookie"] = [clear_binding]
        return page
    if old := jar.get(entry.session_cookie):
        auth.logout(ports(), old)  # a new login replaces any earlier session in this browser
    session_cookie = set_cookie(entry.session_cookie, session.token)
    return redirect(
        entry.home, set_cookies=[session_cookie, clear_binding, clear_cookie(entry.login_again_cookie)]
    )


def _logout(entry: Entry) -> Response:
    request = auth_routes.current_request
    token = cookies(request).get(entry.session_cookie)
    record = ports().sessions.get(token) if token else None
    end_session = None
    if record is not None:
        require_csrf(record.csrf_token, form(request).get("csrf_token"))
        end_session = auth.end_session(ports(), record, entry.audience)
    farewell = [
        clear_cookie(entry.session_cookie),
        set_cookie(entry.login_again_cookie, "1", max_age=LOGIN_AGAIN_COOKIE_SECONDS),
    ]
    if end_session is None:
        return redirect(f"{entry.home}?logged_out=1", set_cookies=farewell)
    # On to the provider, so its session ends too; it sends the browser back to /logged-out. The
    # page's policy allows our own script file (/static/logout.js) and a form to exactly that origin.
    page = render_page(
        "logout.html", language(request), staff=entry is STAFF, set_cookies=farewell,
        endpoint=end_session.endpoint, fields=end_session.fields,
    )  # fmt: skip
    provider = urlsplit(end_session.endpoint)
    page.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY.replace(
        "form-action 'self'", f"form-action 'self' {provider.scheme}://{provider.netloc}")
    return page


@auth_routes.route("/static/logout.js", methods=["GET"])
def logout_js() -> Response:
    """The logout page's script (it sends the form on to the provider); the page works without it."""
    return Response(body=logout_script(), headers={"Content-Type": "text/javascript; charset=utf-8",
                                                   "Cache-Control": "public, max-age=3600"})  # fmt: skip


@auth_routes.route("/.well-known/jwks.json", methods=["GET"])
def client_jwks() -> Response:
    """Our public keys, where the providers verify our private_key_jwt client assertions."""
    key = ports().client_key
    body = key.public_jwks() if key else {"keys": []}
    return json_response(body, headers={"Cache-Control": "public, max-age=300"})


@auth_routes.route("/logged-out", methods=["GET"])
def citizen_logged_out() -> Response:
    return redirect("/?logged_out=1")


@auth_routes.route("/staff/logged-out", methods=["GET"])
def staff_logged_out() -> Response:
    return redirect("/staff?logged_out=1")


@auth_routes.route("/login", methods=["GET"])
def citizen_login() -> Response:
    return _start(CITIZEN)


@auth_routes.route("/auth/callback", methods=["GET"])
def citizen_callback() -> Response:
    return _callback(CITIZEN)


@auth_routes.route("/logout", methods=["POST"], content_types=FORM)
def citizen_logout() -> Response:
    return _logout(CITIZEN)


@auth_routes.route("/staff/login", methods=["GET"])
def staff_login() -> Response:
    return _start(STAFF)


@auth_routes.route("/staff/auth/callback", methods=["GET"])
def staff_callback() -> Response:
    return _callback(STAFF)


@auth_routes.route("/staff/logout", methods=["POST"], content_types=FORM)
def staff_logout() -> Response:
    return _logout(STAFF)
