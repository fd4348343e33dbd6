"""Make Chalice's local gateway answer an unknown route as the deployed API does.

API Gateway answers a path with no route with 403 "Missing Authentication Token"; the
deployed stack maps that gateway response to 404 with our JSON error shape, and this does the
same for `chalice local`, the local stack and chalice.test.Client.
"""

from __future__ import annotations

import json

from chalice.local import ForbiddenError, LocalGateway, LocalGatewayException

NOT_FOUND_BODY = json.dumps({"code": "not_found", "message": "Adressen finns inte. / No such address."}).encode()


class RouteNotFound(LocalGatewayException):
    CODE = 404


def install() -> None:
    if getattr(LocalGateway.handle_request, "_answers_not_found", False):
        return
    original = LocalGateway.handle_request

    def handle_request(self, method, path, headers, body):  # type: ignore[no-untyped-def]
        try:
            return original(self, method, path, headers, body)
        except ForbiddenError as error:
            if b"Missing Authentication Token" not in (error.body or b""):
                raise
            raise RouteNotFound({"Content-Type": "application/json"}, NOT_FOUND_BODY) from None

    handle_request._answers_not_found = True  # type: ignore[attr-defined]
    LocalGateway.handle_request = handle_request  # type: ignore[method-assign]
