"""Make Chalice's local gateway answer an unknown route with 404.

API Gateway answers a path with no route with 403 "Missing Authentication Token"; the
deployed stack maps that gateway response to 404 with our JSON error shape. Locally (`chalice
local`, the local stack and chalice.test.Client) the app's own answer is given
(chalicelib/api/http.py `unknown_route`): a 404 page in the site's frame for a browser, the JSON
error for /api/ and /integration/.
"""

from __future__ import annotations

import json

from chalice.local import ForbiddenError, LocalGateway, LocalGatewayException



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
            from chalicelib.api.http import unknown_route

            answer = unknown_route(path.split("?", 1)[0], dict(headers or {}))
            body = answer.body if isinstance(answer.body, str) else json.dumps(answer.body)
            raise RouteNotFound(dict(answer.headers), body.encode()) from None

    handle_request._answers_not_found = True  # type: ignore[attr-defined]
    LocalGateway.handle_request = handle_request  # type: ignore[method-assign]
