"""The staff tool's pages for messages to citizens and the staff member's own settings."""

from __future__ import annotations

import uuid

from chalice import Blueprint, Response

from chalicelib.api.http import form_action, language, render_page
from chalicelib.api.session import staff_or_landing
from chalicelib.bootstrap import ports
from chalicelib.domain import clock
from chalicelib.domain.clock import stockholm_date
from chalicelib.errors import AppError
from chalicelib.services import self_tests, staff_messages
from chalicelib.services.principals import StaffPrincipal

staff_pages = Blueprint(__name__)
FORM = ["application/x-www-form-urlencoded"]
_COMPOSE_FIELDS = ("unit", "personnummer", "topic", "subject", "body")


def _staff() -> tuple[StaffPrincipal | None, Response | None]:
    return staff_or_landing(staff_pages.current_request)


def _page(principal: StaffPrincipal, template: str, *, status: int = 200, **context: object) -> Response:
    return render_page(template, language(staff_pages.current_request), staff=True, csrf_token=principal.csrf_token,
                       principal=principal, status=status, **context)  # fmt: skip


@staff_pages.route("/staff/messages", methods=["GET"])
def sent_messages() -> Response:
    principal, away = _staff()
    if away:
        return away
    units = staff_messages.readable_units(ports(), principal)
    params = staff_pages.current_request.query_params or {}
    chosen = params.get("unit") or (units[0].hsa_id if units else None)
    cursor = params.get("cursor")
    messages = staff_messages.sent_by_unit(ports(), principal, chosen, cursor) if chosen else []
    can_write = bool(staff_messages.writable_units(ports(), principal))
    return _page(principal, "staff_messages.html", units=units, chosen=chosen, messages=messages, can_write=can_write,
                 cursor=cursor, next_cursor=getattr(messages, "next_cursor", None))  # fmt: skip


def _compose(principal: StaffPrincipal, *, values: dict[str, str] | None = None,
             errors: dict[str, str] | None = None, status: int = 200) -> Response:  # fmt: skip
    today = stockholm_date(clock.utc_now())
    return _page(
        principal,
        "staff_compose.html",
        status=status,
        units=staff_messages.writable_units(ports(), principal),
        signature=staff_messages.profile(ports(), principal).signature(today),
        values=values or {},
        errors=errors or {},
        # A new id per form shown: the same form sent twice (a double click) sends one message.
        submission_id=(values or {}).get("submission_id") or str(uuid.uuid4()),
    )


@staff_pages.route("/staff/new-message", methods=["GET"])
def compose() -> Response:
    principal, away = _staff()
    return away or _compose(principal)


@staff_pages.route("/staff/new-message", methods=["POST"], content_types=FORM)
def send() -> Response:
    principal, away = _staff()
    if away:
        return away
    request = staff_pages.current_request

    def run(fields: dict[str, str]) -> str:
        message_id, reached = staff_messages.send(ports(), principal, fields, clock.utc_now(), request.lambda_context)
        return f"/staff/messages/{message_id}?sent={'1' if reached else 'unreached'}"

    def beside_the_field(fields: dict[str, str], error: AppError) -> Response:
        if error.field not in _COMPOSE_FIELDS:
            raise error
        # Beside the field, with what they wrote kept; nothing was stored or sent.
        return _compose(principal, values=fields, errors={error.field: error.message}, status=error.status)

    return form_action(request, principal.csrf_token, run, beside_the_field)


@staff_pages.route("/staff/messages/{message_id}", methods=["GET"])
def sent_message(message_id: str) -> Response:
    principal, away = _staff()
    if away:
        return away
    sent = staff_messages.open_sent(ports(), principal, message_id, clock.utc_now())
    just_sent = (staff_pages.current_request.query_params or {}).get("sent")
    return _page(principal, "staff_message.html", sent=sent, just_sent=bool(just_sent),
                 unreached=just_sent == "unreached")  # fmt: skip


@staff_pages.route("/staff/settings", methods=["GET"])
def staff_settings() -> Response:
    principal, away = _staff()
    if away:
        return away
    return _settings(principal, saved=bool((staff_pages.current_request.query_params or {}).get("saved")))


def _settings(principal: StaffPrincipal, *, saved: bool = False, errors: dict[str, str] | None = None,
              status: int = 200) -> Response:  # fmt: skip
    profile = staff_messages.profile(ports(), principal)
    today = stockholm_date(clock.utc_now())
    return _page(principal, "staff_settings.html", status=status, profile=profile,
                 automatic=profile.automatic_signature(today), saved=saved, errors=errors or {})  # fmt: skip


@staff_pages.route("/staff/settings", methods=["POST"], content_types=FORM)
def save_staff_settings() -> Response:
    principal, away = _staff()
    if away:
        return away
    def run(fields: dict[str, str]) -> str:
        staff_messages.save_signature(ports(), principal, fields.get("signature"), clock.utc_now())
        return "/staff/settings?saved=1"

    return form_action(staff_pages.current_request, principal.csrf_token, run,
                       lambda _fields, error: _settings(principal, errors={"signature": error.message},
                                                        status=error.status))  # fmt: skip


@staff_pages.route("/staff/follow-up", methods=["GET"])
def follow_up() -> Response:
    """The clinic's positive self-test results to follow up (each shown is written to the access log)."""
    principal, away = _staff()
    if away:
        return away
    units = ports().units.get_many([u for u in principal.units() if principal.has_role(u, *self_tests.FOLLOW_UP_ROLES)])
    params = staff_pages.current_request.query_params or {}
    chosen = params.get("unit") or (units[0].hsa_id if units else None)
    cursor = params.get("cursor")
    entries = self_tests.follow_up_list(ports(), principal, chosen, clock.utc_now(), cursor) if chosen else []
    return _page(principal, "staff_follow_up.html", units=units, chosen=chosen, entries=entries, cursor=cursor,
                 next_cursor=getattr(entries, "next_cursor", None))  # fmt: skip
