"""The JSON API under /api/v1: what the pages do, with the same session cookie.

State-changing calls carry the session's CSRF token in the X-CSRF-Token header
(GET /api/v1/me returns it).
"""

from __future__ import annotations

from typing import Any

from chalice import Blueprint, Response

from chalicelib.adapters.attachments import DOWNLOAD_SECONDS
from chalicelib.api import models as m
from chalicelib.api.contract import CITIZEN, CURSOR, STAFF, operation, read_body
from chalicelib.api.http import json_response, require_csrf
from chalicelib.api.session import citizen_token, require_citizen, require_staff
from chalicelib.bootstrap import ports
from chalicelib.domain import clock
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


@operation(api_v1, "/api/v1/me", "GET", summary="Who is logged in, who they act for, and whom they may act for", security=CITIZEN, response=m.CitizenMe)
def me() -> Response:
    return json_response(_citizen_me(require_citizen(api_v1.current_request)))


@operation(api_v1, "/api/v1/acting-for", "PUT", summary="Act for a child under 13 (ombud)", security=CITIZEN, body=m.ActFor, response=m.CitizenMe)
def act_for_child() -> Response:
    request = api_v1.current_request
    principal = require_citizen(request)
    require_csrf(principal.csrf_token, request.headers.get("x-csrf-token"))
    child_id = read_body(request, m.ActFor).child_id
    acting.act_for_child(ports(), principal, citizen_token(request) or "", child_id, clock.utc_now())
    return json_response(_citizen_me(require_citizen(request)))


@operation(api_v1, "/api/v1/acting-for", "DELETE", summary="Act for oneself again", security=CITIZEN, response=m.CitizenMe)
def act_for_self() -> Response:
    request = api_v1.current_request
    principal = require_citizen(request)
    require_csrf(principal.csrf_token, request.headers.get("x-csrf-token"))
    acting.act_for_self(ports(), citizen_token(request) or "")
    return json_response(_citizen_me(require_citizen(request)))


@operation(api_v1, "/api/v1/staff/me", "GET", summary="The logged-in staff member's units and roles", security=STAFF, response=m.StaffMe)
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
                "state_note": m.state_note,
                **({"body": m.body} if with_bodies else {}),
            }
            for m in thread.messages
        ],
    }


@operation(api_v1, "/api/v1/inbox", "GET", summary="The inbox (of the child when acting for one), a page at a time: the page's messages in threads, newest first, and `unread` for the whole inbox", security=CITIZEN, response=m.InboxPage, query=(CURSOR,))
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


@operation(api_v1, "/api/v1/inbox/messages/{message_id}", "GET", summary="Open a message: its thread, newest first a page at a time, marking the unread messages shown read", security=CITIZEN, response=m.ThreadPage, query=(CURSOR,))
def inbox_open(message_id: str) -> Response:
    """The message's thread, newest first, a page at a time (`?cursor=` from `next_cursor`)."""
    request = api_v1.current_request
    principal = require_citizen(request)
    shown = inbox.open_thread_page(ports(), principal, message_id, clock.utc_now(),
                                   (request.query_params or {}).get("cursor"))  # fmt: skip
    return json_response({**_thread_json(shown.thread, with_bodies=True), "next_cursor": shown.next_cursor})


@operation(api_v1, "/api/v1/inbox/messages/{message_id}/attachments/{attachment_id}", "GET", summary="A download link for an attachment, valid for 60 seconds", security=CITIZEN, response=m.DownloadLink)
def inbox_attachment(message_id: str, attachment_id: str) -> Response:
    """A download link that works for a minute; ask again for a new one."""
    principal = require_citizen(api_v1.current_request)
    url = inbox.download_link(ports(), principal, message_id, attachment_id)
    return json_response({"url": url, "expires_in_seconds": DOWNLOAD_SECONDS})


@operation(api_v1, "/api/v1/inbox/messages/{message_id}", "DELETE", summary="Delete a message from the inbox (the sender's record remains)", security=CITIZEN, response=m.Deleted)
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


def _citizen_with_csrf(model: type[Any]) -> tuple[CitizenPrincipal, Any]:
    request = api_v1.current_request
    principal = require_citizen(request)
    require_csrf(principal.csrf_token, request.headers.get("x-csrf-token"))
    return principal, read_body(request, model)


@operation(api_v1, "/api/v1/settings", "GET", summary="Digital first, language and the notification addresses", security=CITIZEN, response=m.Settings)
def settings_get() -> Response:
    return json_response(_settings_json(require_citizen(api_v1.current_request)))


@operation(api_v1, "/api/v1/settings", "PUT", summary="Change digital first and the language", security=CITIZEN, body=m.SettingsUpdate, response=m.Settings)
def settings_put() -> Response:
    principal, body = _citizen_with_csrf(m.SettingsUpdate)
    citizen_settings.update_preferences(ports(), principal, digital_first=body.digital_first, language=body.language)
    return json_response(_settings_json(principal))


@operation(api_v1, "/api/v1/settings/contact", "POST", summary="Start verifying a notification address: a code goes to it", security=CITIZEN, body=m.ContactStart, response=m.Settings, status=202, errors={429: ("too_many_codes",)})
def settings_contact_start() -> Response:
    principal, body = _citizen_with_csrf(m.ContactStart)
    citizen_settings.start_verification(ports(), principal, body.channel, body.address, clock.utc_now())
    return json_response(_settings_json(principal), status=202)


@operation(api_v1, "/api/v1/settings/contact/verify", "POST", summary="Confirm a notification address with its code", security=CITIZEN, body=m.ContactVerify, response=m.Settings, errors={429: ("too_many_tries",)})
def settings_contact_verify() -> Response:
    principal, body = _citizen_with_csrf(m.ContactVerify)
    citizen_settings.confirm(ports(), principal, body.channel, body.code, clock.utc_now())
    return json_response(_settings_json(principal))


@operation(api_v1, "/api/v1/settings/contact/{channel}", "DELETE", summary="Stop notifications to a channel (email or sms)", security=CITIZEN, response=m.Settings)
def settings_contact_withdraw(channel: str) -> Response:
    request = api_v1.current_request
    principal = require_citizen(request)
    require_csrf(principal.csrf_token, request.headers.get("x-csrf-token"))
    citizen_settings.withdraw(ports(), principal, channel)
    return json_response(_settings_json(principal))


@operation(api_v1, "/api/v1/access-log", "GET", summary="Staff reads of the citizen's data (of the child when acting for one), newest first, a page at a time", security=CITIZEN, response=m.AccessLogPage, query=(CURSOR,))
def access_log_list() -> Response:
    request = api_v1.current_request
    principal = require_citizen(request)
    page = access_log.entries(ports(), principal, (request.query_params or {}).get("cursor"))
    return json_response({"entries": [
        {"read_at": e.read_at.isoformat(), "staff_name": e.staff_name, "unit_name": e.unit_name, "what": e.what}
        for e in page
    ], "next_cursor": page.next_cursor})  # fmt: skip


@operation(api_v1, "/api/v1/openapi.json", "GET", summary="This document", security=None)
def openapi() -> Response:
    """Made from the declared operations and models on the first request, kept after (api/openapi.py)."""
    from chalicelib.api.openapi import openapi_document

    return json_response(openapi_document())
