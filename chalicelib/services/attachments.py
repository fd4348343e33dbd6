"""Attachments: a care system asks for an upload slot, uploads to S3, then names the slot in a
message (services/inbox.py gives the citizen a one-minute download link)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from chalicelib.adapters.attachments import UPLOAD_SECONDS
from chalicelib.domain.attachments import (
    MAX_BYTES,
    MAX_PER_MESSAGE,
    SIGNATURES,
    Attachment,
    allowed_type,
    clean_filename,
    content_matches,
)
from chalicelib.errors import BadInput, Unprocessable
from chalicelib.services.input import json_object, required_text
from chalicelib.services.ports import Ports
from chalicelib.services.principals import IntegrationPrincipal

MESSAGES_SCOPE = "messages"
_ALLOWED = ", ".join(SIGNATURES)


def _too_large() -> Unprocessable:
    return Unprocessable("attachment_too_large", "En bilaga får vara högst {limit} MB.", field="attachments",
                         values={"limit": MAX_BYTES // (1024 * 1024)})  # fmt: skip


def request_upload(ports: Ports, principal: IntegrationPrincipal, body: Any, now: datetime) -> dict[str, Any]:
    """POST /integration/v1/attachments: an upload slot for one file, for one unit's messages."""
    principal.require_scope(MESSAGES_SCOPE)
    body = json_object(body, {"sender_unit_hsa_id", "filename", "content_type", "size_bytes"})
    unit_hsa_id = required_text(body, "sender_unit_hsa_id", 64)
    principal.require_unit(unit_hsa_id)
    if ports.units.get(unit_hsa_id) is None:
        raise BadInput("unknown_unit", "Enheten finns inte i regionen.", field="sender_unit_hsa_id")
    filename = clean_filename(required_text(body, "filename", 500))
    if filename is None:
        raise BadInput("filename_invalid", "Filnamnet är tomt eller för långt.", field="filename")
    content_type = required_text(body, "content_type", 100).lower()
    if not allowed_type(content_type):
        raise Unprocessable("attachment_type_not_allowed", "Tillåtna filtyper: {types}.", field="content_type",
                            values={"types": _ALLOWED})  # fmt: skip
    size = body.get("size_bytes")
    if not isinstance(size, int) or isinstance(size, bool) or size < 1:
        raise BadInput("field_required", "Fältet size_bytes ska vara filens storlek i byte.", field="size_bytes")
    if size > MAX_BYTES:
        raise _too_large()
    attachment_id = str(uuid.uuid4())
    ports.attachment_uploads.create(attachment_id, principal.key_id, unit_hsa_id, filename, content_type, now)
    form = ports.attachment_files.upload_form(attachment_id, content_type)
    return {
        "attachment_id": attachment_id,
        "upload": {"method": "POST", "url": form["url"], "fields": form["fields"]},
        "upload_expires_at": (now + timedelta(seconds=UPLOAD_SECONDS)).isoformat(),
        "max_bytes": MAX_BYTES,
    }


def check_ids(value: Any) -> list[str]:
    """The shape of a message's `attachments`: a list of distinct upload ids."""
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) and 0 < len(v) <= 64 for v in value):
        raise BadInput("attachments_invalid", "Fältet attachments ska vara en lista med bilage-id.", field="attachments")
    if len(value) > MAX_PER_MESSAGE:
        raise BadInput("too_many_attachments", "Högst {limit} bilagor per meddelande.", field="attachments",
                       values={"limit": MAX_PER_MESSAGE})  # fmt: skip
    if len(set(value)) != len(value):
        raise BadInput("attachments_invalid", "Samma bilaga finns två gånger.", field="attachments")
    return value


def take_for_message(
    ports: Ports, principal: IntegrationPrincipal, unit_hsa_id: str, attachment_ids: list[str]
) -> tuple[Attachment, ...]:
    """Check each uploaded file (there, at most 10 MB, really the type it claims) and keep it for
    the message. Nothing is recorded here: the message's transaction takes the upload slots."""
    slots = ports.attachment_uploads.get_many(attachment_ids)
    taken = []
    for attachment_id in attachment_ids:
        slot = slots.get(attachment_id)
        # Another system's slot gets the same answer as one that does not exist.
        if slot is None or slot.client_key_id != principal.key_id or slot.unit_hsa_id != unit_hsa_id:
            raise Unprocessable("attachment_unknown", "Bilagan {attachment} finns inte.", field="attachments",
                                values={"attachment": attachment_id})  # fmt: skip
        if slot.message_id is not None:
            raise Unprocessable("attachment_already_used", "Bilagan {attachment} hör redan till ett meddelande.",
                                field="attachments", values={"attachment": attachment_id})  # fmt: skip
        uploaded = ports.attachment_files.uploaded(attachment_id)
        if uploaded is None:
            raise Unprocessable("attachment_not_uploaded", "Bilagan {attachment} har inte laddats upp.",
                                field="attachments", values={"attachment": attachment_id})  # fmt: skip
        if uploaded.size_bytes > MAX_BYTES:
            raise _too_large()
        if not content_matches(slot.content_type, uploaded.first_bytes):
            raise Unprocessable("attachment_type_not_allowed",
                                "Bilagan {attachment} är inte en fil av typen {content_type}.", field="attachments",
                                values={"attachment": attachment_id, "content_type": slot.content_type})  # fmt: skip
        taken.append(Attachment(attachment_id, slot.filename, slot.content_type, uploaded.size_bytes))
    for attachment in taken:
        ports.attachment_files.keep(attachment.attachment_id, attachment.content_type)
    return tuple(taken)
