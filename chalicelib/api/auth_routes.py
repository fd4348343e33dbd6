"""Login, callback and logout for both entries: citizens at /, staff at /staff."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from chalice import Blueprint, Response

from chalicelib.api.http import (
    CITIZEN_SESSION_COOKIE,
    STAFF_SESSION_COOKIE,
    clear_cookie,
    cookies,
    error_page,
    form,
    redirect,
    require_csrf,
    set_cookie,
)
from chalicelib.bootstrap import ports
from chalicelib.domain import clock
from chalicelib.errors import LoginFailed, LoginRefused
from chalicelib.services import auth
from chalicelib.services.auth import Audience, NewSession

auth_routes = Blueprint(__name__)
FORM = ["application/x-www-form-urlencoded"]
LOGIN_ATTEMPT_COOKIE_SECONDS = 600


@dataclass(frozen=True)
class Entry:
    audience: Audience
    home: str
    session_cookie: str
    binding_cookie: str
    complete: Callable[..., NewSession]
    refused_keys: tuple[str, str]


CITIZEN = Entry(
    "citizen", "/", CITIZEN_SESSION_COOKIE, "login_binding", auth.complete_citizen_login,
    ("error.refused.heading", "error.refused.body"),
)  # fmt: skip
STAFF = Entry(
    "staff", "/staff", STAFF_SESSION_COOKIE, "staff_login_binding", auth.complete_staff_login,
    ("error.no_role.heading", "error.no_role.body"),
)  # fmt: skip


def _login_path(entry: Entry) -> str:
    return "/login" if entry is CITIZEN else "/staff/login"


def _start(entry: Entry) -> Response:
    start = auth.begin_login(ports(), entry.audience, clock.utc_now())
    binding = set_cookie(entry.binding_cookie, start.browser_binding, max_age=LOGIN_ATTEMPT_COOKIE_SECONDS)
    return redirect(start.authorization_url, set_cookies=[binding], status=302)


def _callback(entry: Entry) -> Response:
    request = auth_routes.current_request
    params = request.query_params or {}
    jar = cookies(request)
    clear_binding = clear_cookie(entry.binding_cookie)
    try:
        callback = auth.Callback(
            state=params.get("state"),
            code=params.get("code"),
            browser_binding=jar.get(entry.binding_cookie),
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
    except LoginRefused:
        page = error_page(request, status=403, heading_key=entry.refused_keys[0], body_key=entry.refused_keys[1])
        page.headers["Set-Cookie"] = [clear_binding]
        return page
    if old := jar.get(entry.session_cookie):
        auth.logout(ports(), old)  # a new login replaces any earlier session in this browser
    session_cookie = set_cookie(entry.session_cookie, session.token)
    return redirect(entry.home, set_cookies=[session_cookie, clear_binding])


def _logout(entry: Entry) -> Response:
    request = auth_routes.current_request
    token = cookies(request).get(entry.session_cookie)
    record = ports().sessions.get(token) if token else None
    if record is not None:
        require_csrf(record.csrf_token, form(request).get("csrf_token"))
        auth.logout(ports(), token)
    return redirect(f"{entry.home}?logged_out=1", set_cookies=[clear_cookie(entry.session_cookie)])


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
