"""The caller's session, resolved from the cookie for each request."""

from __future__ import annotations

from chalice import Response
from chalice.app import Request

from chalicelib.api.http import CITIZEN_SESSION_COOKIE, STAFF_SESSION_COOKIE, cookies, redirect
from chalicelib.bootstrap import ports
from chalicelib.domain import clock
from chalicelib.errors import NotAuthenticated
from chalicelib.services import auth
from chalicelib.services.principals import CitizenPrincipal, StaffPrincipal


def citizen_token(request: Request) -> str | None:
    return cookies(request).get(CITIZEN_SESSION_COOKIE)


def current_citizen(request: Request) -> CitizenPrincipal | None:
    return auth.citizen_principal(ports(), citizen_token(request), clock.utc_now())


def current_staff(request: Request) -> StaffPrincipal | None:
    return auth.staff_principal(ports(), cookies(request).get(STAFF_SESSION_COOKIE), clock.utc_now())


def citizen_or_landing(request: Request) -> tuple[CitizenPrincipal | None, Response | None]:
    """For a citizen page: the principal, or (when not logged in) the way to the landing page."""
    principal = current_citizen(request)
    return principal, (redirect("/") if principal is None else None)


def staff_or_landing(request: Request) -> tuple[StaffPrincipal | None, Response | None]:
    """For a staff page: the principal, or (when not logged in) the way to the staff landing page."""
    principal = current_staff(request)
    return principal, (redirect("/staff") if principal is None else None)


def require_citizen(request: Request) -> CitizenPrincipal:
    principal = current_citizen(request)
    if principal is None:
        raise NotAuthenticated("not_logged_in", "Du behöver logga in.")
    return principal


def require_staff(request: Request) -> StaffPrincipal:
    principal = current_staff(request)
    if principal is None:
        raise NotAuthenticated("not_logged_in", "Du behöver logga in.")
    return principal
