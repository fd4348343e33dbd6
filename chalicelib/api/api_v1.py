"""The JSON API under /api/v1: what the pages do, with the same session cookie.

State-changing calls carry the session's CSRF token in the X-CSRF-Token header
(GET /api/v1/me returns it).
"""

from __future__ import annotations

from typing import Any

from chalice import Blueprint, Response

from chalicelib.adapters.attachments import DOWNLOAD_SECONDS
from chalicelib.api.http import json_body, json_response, require_csrf
from chalicelib.api.openapi import openapi_document
from chalicelib.api.session import citizen_token, require_citizen, require_staff
from chalicelib.bootstrap import ports
from chalicelib.domain import clock
from chalicelib.errors import BadInput
from chalicelib.services import access_log, acting, citizen_settings, inbox, start_pages
from chalicelib.domain.inbox import Thread
from chalicelib.services.principals import CitizenPrincipal

api_v1 = Blueprint(__name__)


def _citizen_me(principal: CitizenPrincipal) -> dict[str, Any]:
    view = start_pages.citizen_start(ports(), principal, clock.utc_now())
    return {
        "kind": "citizen",
        "name": principal.display_name,
        "acting_for": (
            {"child_id": principal.acting_for_id, "given_name": principal.acting_for_name}
            if principal.acting_for_id
            else None
        ),
        "can_act_for": [
            {"child_id": c.citizen_id, "given_name": c.given_name, "birth_date": c.birth_date.isoformat()}
            for c in view.children
        ],
        "csrf_token": principal.csrf_token,
    }


@api_v1.route("/api/v1/me", methods=["GET"])
def me() -> Response:
    return json_response(_citizen_me(require_citizen(api_v1.current_request)))


@api_v1.route("/api/v1/acting-for", methods=["PUT"])
def act_for_child() -> Response:
    request = api_v1.current_request
    principal = require_citizen(request)
    require_csrf(principal.csrf_token, request.headers.get("x-csrf-token"))
    body = json_body(request)
    child_id = body.get("child_id") if isinstance(body, dict) else None
    if not isinstance(child_id, str) or not child_id:
        raise BadInput("field_required", "Fältet child_id krävs.", field="child_id")
    acting.act_for_child(ports(), principal, citizen_token(request) or "", child_id, clock.utc_now())
    return json_response(_citizen_me(require_citizen(request)))


@api_v1.route("/api/v1/acting-for", methods=["DELETE"])
def act_for_self() -> Response:
    request = api_v1.current_request
    principal = require_citizen(request)
    require_csrf(principal.csrf_token, request.headers.get("x-csrf-token"))
    acting.act_for_self(ports(), citizen_token(request) or "")
    return json_response(_citizen_me(require_citizen(request)))


@api_v1.route("/api/v1/staff/me", methods=["GET"])
def staff_me() -> Response:
    principal = require_staff(api_v1.current_request)
    units = start_pages.staff_units(ports(), principal, ports().settings.region_name)
    return json_response(
        {
            "kind": "staff",
            "name": principal.display_name,
            "hsa_id": principal.hsa_id,
            "units": [{"hsa_id": u.hsa_id, "name": u.name, "roles": u.roles} for u in units],
            "csrf_token": principal.csrf_token,
        }
    )


def _thread_json(thread: Thread, *, with_bodies: bool) -> dict[str, Any]:
    return {
        "topic": thread.topic,
        "sender_unit": thread.sender_unit_name,
        "unread": thread.unread_count,
        "messages": [
            {
                "message_id": m.message_id,
                "subject": m.subject,
                "sent_at": m.sent_at.isoformat(),
                "unread": m.unread,
                "attachments": [
                    {"attachment_id": a.attachment_id, "filename": a.filename, "content_type": a.content_type,
                     "size_bytes": a.size_bytes}
                    for a in m.attachments
                ],  # fmt: skip
                "actions": [{"label": a.label, "path": a.path} for a in m.actions],
                **({"body": m.body} if with_bodies else {}),
            }
            for m in thread.messages
        ],
    }


@api_v1.route("/api/v1/inbox", methods=["GET"])
def inbox_list() -> Response:
    """A page of the inbox in threads; `unread` counts the whole inbox. Pass `next_cursor` back as
    `?cursor=` for the next page."""
    request = api_v1.current_request
    principal = require_citizen(request)
    page = inbox.inbox_page(ports(), principal, (request.query_params or {}).get("cursor"))
    return json_response(
        {
            "owner": "child" if principal.acting_for_id else "self",
            "unread": page.unread,
            "threads": [_thread_json(t, with_bodies=False) for t in page.threads],
            "next_cursor": page.next_cursor,
        }
    )


@api_v1.route("/api/v1/inbox/messages/{message_id}", methods=["GET"])
def inbox_open(message_id: str) -> Response:
    """The message's thread, newest first, a page at a time (`?cursor=` from `next_cursor`)."""
    request = api_v1.current_request
    principal = require_citizen(request)
    shown = inbox.open_thread_page(ports(), principal, message_id, clock.utc_now(),
                                   (request.query_params or {}).get("cursor"))  # fmt: skip
    return json_response({**_thread_json(shown.thread, with_bodies=True), "next_cursor": shown.next_cursor})


@api_v1.route("/api/v1/inbox/messages/{message_id}/attachments/{attachment_id}", methods=["GET"])
def inbox_attachment(message_id: str, attachment_id: str) -> Response:
    """A download link that works for a minute; ask again for a new one."""
    principal = require_citizen(api_v1.current_request)
    url = inbox.download_link(ports(), principal, message_id, attachment_id)
    return json_response({"url": url, "expires_in_seconds": DOWNLOAD_SECONDS})


@api_v1.route("/api/v1/inbox/messages/{message_id}", methods=["DELETE"])
def inbox_delete(message_id: str) -> Response:
    request = api_v1.current_request
    principal = require_citizen(request)
    require_csrf(principal.csrf_token, request.headers.get("x-csrf-token"))
    inbox.delete_message(ports(), principal, message_id, clock.utc_now())
    return json_response({"deleted": message_id})


def _settings_json(principal: CitizenPrincipal) -> dict[str, Any]:
    current = citizen_settings.current(ports(), principal)
    return {
        "digital_first": current.digital_first,
        "language": current.language,
        "notify": {
            "email": {"address": current.email, "pending": current.pending_email},
            "sms": {"address": current.sms, "pending": current.pending_sms},
        },
    }


def _citizen_with_csrf() -> tuple[CitizenPrincipal, dict[str, Any]]:
    request = api_v1.current_request
    principal = require_citizen(request)
    require_csrf(principal.csrf_token, request.headers.get("x-csrf-token"))
    body = json_body(request)
    if not isinstance(body, dict):
        raise BadInput("body_not_object", "Anropet ska vara ett JSON-objekt.")
    return principal, body


@api_v1.route("/api/v1/settings", methods=["GET"])
def settings_get() -> Response:
    return json_response(_settings_json(require_citizen(api_v1.current_request)))


@api_v1.route("/api/v1/settings", methods=["PUT"])
def settings_put() -> Response:
    principal, body = _citizen_with_csrf()
    citizen_settings.update_preferences(
        ports(), principal, digital_first=body.get("digital_first"), language=body.get("language")
    )
    return json_response(_settings_json(principal))


@api_v1.route("/api/v1/settings/contact", methods=["POST"])
def settings_contact_start() -> Response:
    principal, body = _citizen_with_csrf()
    citizen_settings.start_verification(ports(), principal, body.get("channel"), body.get("address"), clock.utc_now())
    return json_response(_settings_json(principal), status=202)


@api_v1.route("/api/v1/settings/contact/verify", methods=["POST"])
def settings_contact_verify() -> Response:
    principal, body = _citizen_with_csrf()
    citizen_settings.confirm(ports(), principal, body.get("channel"), body.get("code"), clock.utc_now())
    return json_response(_settings_json(principal))


@api_v1.route("/api/v1/settings/contact/{channel}", methods=["DELETE"])
def settings_contact_withdraw(channel: str) -> Response:
    request = api_v1.current_request
    principal = require_citizen(request)
    require_csrf(principal.csrf_token, request.headers.get("x-csrf-token"))
    citizen_settings.withdraw(ports(), principal, channel)
    return json_response(_settings_json(principal))


@api_v1.route("/api/v1/access-log", methods=["GET"])
def access_log_list() -> Response:
    request = api_v1.current_request
    principal = require_citizen(request)
    page = access_log.entries(ports(), principal, (request.query_params or {}).get("cursor"))
    return json_response({"entries": [
        {"read_at": e.read_at.isoformat(), "staff_name": e.staff_name, "unit_name": e.unit_name, "what": e.what}
        for e in page
    ], "next_cursor": page.next_cursor})  # fmt: skip


@api_v1.route("/api/v1/openapi.json", methods=["GET"])
def openapi() -> Response:
    return json_response(openapi_document())
