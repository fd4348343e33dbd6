"""The citizen's self-test pages: the tests on offer, ordering a kit, registering a picked-up kit,
and following each order to its result."""

from __future__ import annotations

import uuid

from chalice import Blueprint, Response

from chalicelib.api.http import form_action, language, render_page
from chalicelib.api.session import citizen_or_landing
from chalicelib.bootstrap import ports
from chalicelib.domain import clock
from chalicelib.errors import AppError
from chalicelib.services import self_tests
from chalicelib.services.principals import CitizenPrincipal

self_test_pages = Blueprint(__name__)
FORM = ["application/x-www-form-urlencoded"]
_DONE = ("ordered", "registered", "sample")


def _citizen() -> tuple[CitizenPrincipal | None, Response | None]:
    return citizen_or_landing(self_test_pages.current_request)


def _page(principal: CitizenPrincipal, template: str, *, status: int = 200, **context: object) -> Response:
    return render_page(template, language(self_test_pages.current_request), staff=False,
                       csrf_token=principal.csrf_token, principal=principal, status=status, **context)  # fmt: skip


def _overview(principal: CitizenPrincipal, *, error: AppError | None = None, done: str | None = None,
              cursor: str | None = None) -> Response:  # fmt: skip
    now = clock.utc_now()
    return _page(principal, "self_tests.html", status=error.status if error else 200, error=error,
                 done=done if done in _DONE else None, offers=self_tests.catalogue(ports(), principal, now),
                 orders=self_tests.my_orders(ports(), principal, cursor), cursor=cursor)  # fmt: skip


@self_test_pages.route("/self-tests", methods=["GET"])
def overview() -> Response:
    principal, away = _citizen()
    params = self_test_pages.current_request.query_params or {}
    return away or _overview(principal, done=params.get("done"), cursor=params.get("cursor"))


def _order_page(principal: CitizenPrincipal, test_id: str, *, error: AppError | None = None,
                values: dict[str, str] | None = None) -> Response:  # fmt: skip
    view = next((v for v in self_tests.catalogue(ports(), principal, clock.utc_now()) if v.offer.test_id == test_id),
                None)  # fmt: skip
    if view is None:
        return _overview(principal)
    errors = {error.field: error.message} if error and error.field else {}
    values = values or self_tests.last_delivery(ports(), principal, test_id)
    return _page(principal, "self_test_order.html", status=error.status if error else 200, view=view, error=error,
                 errors=errors, values=values,
                 submission_id=(values or {}).get("submission_id") or str(uuid.uuid4()))  # fmt: skip


@self_test_pages.route("/self-tests/{test_id}", methods=["GET"])
def order_page(test_id: str) -> Response:
    principal, away = _citizen()
    return away or _order_page(principal, test_id)


@self_test_pages.route("/self-tests/{test_id}", methods=["POST"], content_types=FORM)
def order(test_id: str) -> Response:
    principal, away = _citizen()
    if away:
        return away
    request = self_test_pages.current_request

    def run(fields: dict[str, str]) -> str:
        self_tests.order(ports(), principal, test_id, fields, clock.utc_now(), request.lambda_context)
        return "/self-tests?done=ordered"

    return form_action(request, principal.csrf_token, run,
                       lambda fields, error: _order_page(principal, test_id, error=error, values=fields))


@self_test_pages.route("/self-test-kits", methods=["POST"], content_types=FORM)
def register_kit() -> Response:
    principal, away = _citizen()
    if away:
        return away

    def run(fields: dict[str, str]) -> str:
        self_tests.register_kit(ports(), principal, fields.get("kit_number"), clock.utc_now())
        return "/self-tests?done=registered"

    return form_action(self_test_pages.current_request, principal.csrf_token, run,
                       lambda _fields, error: _overview(principal, error=error))


@self_test_pages.route("/self-tests/orders/{order_id}/sample", methods=["POST"], content_types=FORM)
def sample_taken(order_id: str) -> Response:
    principal, away = _citizen()
    if away:
        return away

    def run(_fields: dict[str, str]) -> str:
        self_tests.sample_taken(ports(), principal, order_id, clock.utc_now())
        return "/self-tests?done=sample"

    return form_action(self_test_pages.current_request, principal.csrf_token, run,
                       lambda _fields, error: _overview(principal, error=error))
