"""Errors a person or a calling system can act on, each with a stable code.

They map to HTTP status in one place (chalicelib/api/http.py). Subclassing Chalice's
ChaliceUnhandledError lets them pass through Chalice to that middleware.

The message is Swedish, written as a literal the errors catalogue has (tests/unit/test_catalogs.py
checks): a message with values is its template and the values,
`BadInput("field_too_long", "Fältet {field} får vara högst {limit} tecken.", field=name,
values={"field": name, "limit": 200})`. `message` reads as the Swedish text; the pages and the JSON
API say it in the request's language (domain/error_text.py).
"""

from __future__ import annotations

from collections.abc import Mapping

from chalice import ChaliceUnhandledError

from chalicelib.domain.error_text import ErrorText


class AppError(ChaliceUnhandledError):
    status = 400

    def __init__(self, code: str, message: str, *, field: str | None = None,
                 values: Mapping[str, object] | None = None) -> None:  # fmt: skip
        text = ErrorText(message, values)
        super().__init__(text)
        self.code = code
        self.message = text
        self.field = field


class BadInput(AppError):
    status = 400


class NotAuthenticated(AppError):
    status = 401


class Forbidden(AppError):
    status = 403


class NotFound(AppError):
    status = 404


class Conflict(AppError):
    status = 409


class LoginFailed(AppError):
    """The login could not be completed; `code` says why (for logs and tests), the page stays general."""

    status = 400


class LoginRefused(AppError):
    """The person proved who they are but may not use this entry (login removed, no staff role)."""

    status = 403


class Unprocessable(AppError):
    """Well-formed, but the platform cannot do it for this person (e.g. no account: send paper)."""

    status = 422


class TooManyRequests(AppError):
    """A rate limit is reached; `retry_after` (seconds) says when it opens again (Retry-After)."""

    status = 429

    def __init__(self, code: str, message: str, *, retry_after: int | None = None, field: str | None = None,
                 values: Mapping[str, object] | None = None) -> None:  # fmt: skip
        super().__init__(code, message, field=field, values=values)
        self.retry_after = retry_after


class Unavailable(AppError):
    """A service we depend on failed and nothing was done (e.g. the SMS provider refused): try again
    in a while. Never for bad input."""

    status = 503
    retry_after = 60
