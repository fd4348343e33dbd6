"""The OpenAPI document for /api/v1 and /integration/v1. A test checks that every route under
those prefixes is described here, so the document cannot drift from the app."""

from __future__ import annotations

from typing import Any

from chalicelib.api.openapi_staff import staff_work_paths, staff_work_schemas

_ERROR = {"$ref": "#/components/schemas/Error"}


def _errors(*statuses: int) -> dict[str, Any]:
    text = {400: "Bad input", 401: "Not logged in / bad key", 403: "Not allowed", 404: "Not found",
            409: "Conflict", 422: "Cannot be done for this person",
            429: "Too many: a rate limit is reached; Retry-After says in how many seconds to try again"}  # fmt: skip
    responses: dict[str, Any] = {
        str(s): {"description": text[s], "content": {"application/json": {"schema": _ERROR}}} for s in statuses
    }
    if 429 in statuses:
        responses["429"]["headers"] = {"Retry-After": {"schema": {"type": "integer"}}}
    return responses


def _json(schema: dict[str, Any], description: str = "OK") -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


_CSRF = {"name": "X-CSRF-Token", "in": "header", "required": True, "schema": {"type": "string"},
         "description": "The csrf_token from GET /api/v1/me"}  # fmt: skip
_IDEMPOTENCY = {"name": "Idempotency-Key", "in": "header", "required": True,
                "schema": {"type": "string", "pattern": "^[A-Za-z0-9._:\\-]{8,128}$"},
                "description": "The same key again returns the first answer and changes nothing."}  # fmt: skip


_CURSOR = {"name": "cursor", "in": "query", "required": False, "schema": {"type": "string", "maxLength": 2000},
           "description": "Opaque: the next_cursor of the page before (400 cursor_invalid for any other)"}
_NEXT = {"next_cursor": {"type": "string", "nullable": True, "description": "The next page's cursor; null: the last"}}

_APPOINTMENT_ID = {"name": "appointment_id", "in": "path", "required": True, "schema": {"type": "string"}}
_BOOKING_ID = {"name": "booking_id", "in": "path", "required": True, "schema": {"type": "string"}}
_MESSAGE_ID = {"name": "message_id", "in": "path", "required": True, "schema": {"type": "string"}}


def openapi_document() -> dict[str, Any]:
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "E-tjänster / E-services",
            "version": "1",
            "description": "Citizen and staff JSON API (session cookie) and the integration API for care systems "
            "(bearer key). Errors are JSON: {code, message, field?}.",
        },
        "paths": {
            "/api/v1/me": {
                "get": {
                    "summary": "Who is logged in, who they act for, and whom they may act for",
                    "security": [{"citizenSession": []}],
                    "responses": {"200": _json({"$ref": "#/components/schemas/CitizenMe"}), **_errors(401)},
                }
            },
            "/api/v1/acting-for": {
                "put": {
                    "summary": "Act for a child under 13 (ombud)",
                    "security": [{"citizenSession": []}],
                    "parameters": [_CSRF],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["child_id"],
                                    "properties": {"child_id": {"type": "string"}},
                                }
                            }
                        },
                    },
                    "responses": {"200": _json({"$ref": "#/components/schemas/CitizenMe"}), **_errors(400, 401, 403)},
                },
                "delete": {
                    "summary": "Act for oneself again",
                    "security": [{"citizenSession": []}],
                    "parameters": [_CSRF],
                    "responses": {"200": _json({"$ref": "#/components/schemas/CitizenMe"}), **_errors(401, 403)},
                },
            },
            "/api/v1/staff/me": {
                "get": {
                    "summary": "The logged-in staff member's units and roles",
                    "security": [{"staffSession": []}],
                    "responses": {"200": _json({"type": "object"}), **_errors(401)},
                }
            },
            "/api/v1/inbox": {
                "get": {
                    "summary": "The inbox (of the child when acting for one), a page at a time: the page's messages "
                    "in threads, newest first, and `unread` for the whole inbox",
                    "security": [{"citizenSession": []}],
                    "parameters": [_CURSOR],
                    "responses": {"200": _json({"type": "object", "properties": {
                        "owner": {"type": "string"}, "unread": {"type": "integer"},
                        "threads": {"type": "array", "items": {"type": "object"}}, **_NEXT}}),
                        **_errors(400, 401)},
                }
            },
            "/api/v1/inbox/messages/{message_id}": {
                "get": {
                    "summary": "Open a message: its thread, newest first a page at a time, marking the unread "
                    "messages shown read",
                    "security": [{"citizenSession": []}],
                    "parameters": [_MESSAGE_ID, _CURSOR],
                    "responses": {"200": _json({"type": "object"}), **_errors(400, 401, 404)},
                },
                "delete": {
                    "summary": "Delete a message from the inbox (the sender's record remains)",
                    "security": [{"citizenSession": []}],
                    "parameters": [_MESSAGE_ID, _CSRF],
                    "responses": {"200": _json({"type": "object"}), **_errors(401, 403, 404)},
                },
            },
            "/api/v1/inbox/messages/{message_id}/attachments/{attachment_id}": {
                "get": {
                    "summary": "A download link for an attachment, valid for 60 seconds",
                    "security": [{"citizenSession": []}],
                    "parameters": [_MESSAGE_ID, {"name": "attachment_id", "in": "path", "required": True,
                                                 "schema": {"type": "string"}}],
                    "responses": {"200": _json({"type": "object", "properties": {
                        "url": {"type": "string"}, "expires_in_seconds": {"type": "integer"}}}),
                        **_errors(401, 404)},
                }
            },
            "/integration/v1/attachments": {
                "post": {
                    "summary": "An upload slot for one attachment (PDF, PNG or JPEG, at most 10 MB). Upload the file "
                    "with a multipart POST to upload.url with upload.fields and the file last (field name 'file') "
                    "within 15 minutes, then name attachment_id in POST /integration/v1/messages within a day. "
                    "No Idempotency-Key: asking twice gives two slots and the unused one expires.",
                    "security": [{"integrationKey": []}],
                    "requestBody": {"required": True, "content": {"application/json": {"schema": {
                        "type": "object", "additionalProperties": False,
                        "required": ["sender_unit_hsa_id", "filename", "content_type", "size_bytes"],
                        "properties": {
                            "sender_unit_hsa_id": {"type": "string"},
                            "filename": {"type": "string", "maxLength": 120},
                            "content_type": {"type": "string", "enum": ["application/pdf", "image/png", "image/jpeg"]},
                            "size_bytes": {"type": "integer", "minimum": 1, "maximum": 10485760},
                        }}}}},
                    "responses": {"201": _json({"type": "object", "properties": {
                        "attachment_id": {"type": "string"},
                        "upload": {"type": "object", "properties": {
                            "method": {"type": "string"}, "url": {"type": "string"}, "fields": {"type": "object"}}},
                        "upload_expires_at": {"type": "string", "format": "date-time"},
                        "max_bytes": {"type": "integer"}}}, "Upload slot"),
                        **_errors(400, 401, 403, 422)},
                }
            },
            "/integration/v1/units/{unit_hsa_id}/slots": {
                "put": {
                    "summary": "Publish this system's slots at the unit for a day or a range: afterwards its slots "
                    "from `from` to `to` (Stockholm days, inclusive) are exactly these. Slots the unit published in "
                    "the staff tool, another system's and appointments' own are never touched. Sending the same body "
                    "again changes nothing. A booked slot cannot be removed or moved here (409 slot_booked, naming "
                    "your slot_id) and is otherwise left as it was booked (a new place, visibility or resource "
                    "applies to free slots only); an id another source uses is 409 slot_id_taken; ids beginning "
                    "staff- or appointment- are the platform's (400 slot_id_reserved). `resource` names the "
                    "practitioner or room the time belongs to: the staff tool's Tidbok shows a column per resource "
                    "(slots without one under \"Ej angiven\").",
                    "security": [{"integrationKey": []}],
                    "parameters": [{"name": "unit_hsa_id", "in": "path", "required": True, "schema": {"type": "string"}}],
                    "requestBody": {"required": True, "content": {"application/json": {"schema": {
                        "type": "object", "required": ["from", "to", "slots"], "additionalProperties": False,
                        "properties": {
                            "from": {"type": "string", "format": "date"}, "to": {"type": "string", "format": "date"},
                            "slots": {"type": "array", "maxItems": 500, "items": {
                                "type": "object", "required": ["slot_id", "visit_type_id", "start", "end"],
                                "properties": {
                                    "slot_id": {"type": "string", "description": "The care system's id, unique per unit"},
                                    "visit_type_id": {"type": "string"},
                                    "start": {"type": "string", "format": "date-time"},
                                    "end": {"type": "string", "format": "date-time"},
                                    "place": {"type": "string"}, "practitioner_role": {"type": "string"},
                                    "resource": {"type": "string", "maxLength": 80, "description":
                                                 "The practitioner or room (resurs), e.g. \"Eva Nilsson\" or "
                                                 "\"Provtagningsrum 2\"; optional. Spaces are collapsed; the same "
                                                 "name in other capitals is the same resource."},
                                    "visibility": {"type": "string", "enum": ["web", "invited", "hidden"],
                                                   "default": "web"}}}}}}}}},
                    "responses": {"200": _json({"type": "object", "properties": {
                        k: {"type": "integer"} for k in ("published", "withdrawn", "slots")}}),
                        **_errors(400, 401, 403, 409, 422)},
                }
            },
            "/integration/v1/appointments": {
                "post": {
                    "summary": "Book a visit for a citizen; the summons goes in the 18:00 Stockholm release (that "
                    "evening if booked before 18:00, else the next): inbox, paper or both by the citizen's account "
                    "and digital-first choice",
                    "security": [{"integrationKey": []}],
                    "parameters": [_IDEMPOTENCY],
                    "requestBody": {"required": True, "content": {"application/json": {"schema": {
                        "$ref": "#/components/schemas/NewAppointment"}}}},
                    "responses": {"201": _json({"type": "object", "properties": {
                        "appointment_id": {"type": "string"},
                        "summons_release_on": {"type": "string", "format": "date"}}}, "Booked"),
                        **_errors(400, 401, 403, 409, 422)},
                }
            },
            "/integration/v1/appointments/{appointment_id}": {
                "get": {"summary": "The booking and its summons: state, version, channels, first read",
                        "security": [{"integrationKey": []}], "parameters": [_APPOINTMENT_ID],
                        "responses": {"200": _json({"type": "object"}), **_errors(401, 403, 404)}},
                "patch": {"summary": "Change start, end, place, preparation, links, may_rebook, may_cancel: a new "
                                     "summons version for the next release (an updated summons if one went out); "
                                     "the same change again changes nothing. A new time is checked as when booking "
                                     "(outside_opening_hours_intended, far_ahead_intended)",
                          "security": [{"integrationKey": []}], "parameters": [_APPOINTMENT_ID],
                          "responses": {"200": _json({"type": "object"}), **_errors(400, 401, 403, 404, 422)}},
                "delete": {"summary": "Cancel: before the release no summons goes; after it the citizen is told",
                           "security": [{"integrationKey": []}], "parameters": [_APPOINTMENT_ID],
                           "responses": {"200": _json({"type": "object"}), **_errors(401, 403, 404)}},
            },
            "/integration/v1/print-batches/{day}": {
                "get": {"summary": "The evening's print batch for the key's units (scope print): PDF files in S3 of "
                                   "at most 500 letters each, one unit's letters per file, a letter a page, each "
                                   "with a link that lives expires_in seconds (fetch the files from there: no "
                                   "response here carries a PDF). The batch is made after the 18:00 release, at "
                                   "18:30 Stockholm time; until then closed_at is null and files empty, and "
                                   "complete turns true when every file is made. A letter written after the batch "
                                   "closed is in the next evening's batch.",
                        "security": [{"integrationKey": []}],
                        "parameters": [{"name": "day", "in": "path", "required": True,
                                        "schema": {"type": "string", "format": "date"}}],
                        "responses": {"200": _json({"$ref": "#/components/schemas/PrintBatch"}, "The batch's files"),
                                      **_errors(400, 401, 403)}},
            },
            "/integration/v1/lab-results": {
                "post": {
                    "summary": "A self-test result ({order_id | kit_number, personnummer, analyses: [{analysis, "
                               "outcome: negative|positive|technical_error}], analysed_at}): to the citizen's inbox "
                               "with the region's text; positive adds a treatment referral and the clinic's "
                               "follow-up list. 422 person_mismatch: the sample's personnummer is not the order's "
                               "person (nothing is sent)",
                    "security": [{"integrationKey": []}], "parameters": [_IDEMPOTENCY],
                    "requestBody": {"required": True, "content": {"application/json": {"schema": {
                        "$ref": "#/components/schemas/LabResult"}}}},
                    "responses": {"201": _json({"type": "object", "properties": {
                        "order_id": {"type": "string"}, "result": {"type": "string"}}}, "Delivered"),
                        **_errors(400, 401, 403, 409, 422)},
                }
            },
            "/integration/v1/kit-orders": {
                "get": {"summary": "Orders in a status (?status=ordered|sent|sample_registered), oldest first, "
                                   "100 a page; pass next_cursor as ?cursor= for the next",
                        "security": [{"integrationKey": []}],
                        "parameters": [{"name": n, "in": "query", "required": n == "status",
                                        "schema": {"type": "string"}} for n in ("status", "cursor")],
                        "responses": {"200": _json({"type": "object"}), **_errors(400, 401, 403)}},
            },
            "/integration/v1/kit-orders/{order_id}/sent": {
                "post": {"summary": "The kit is on its way ({kit_number}); the 40-day return limit starts. A "
                                    "kit number is used once in the region: 409 kit_number_in_use if another order "
                                    "or a pickup kit has it (nothing is written); the same call again is 200",
                         "security": [{"integrationKey": []}],
                         "parameters": [{"name": "order_id", "in": "path", "required": True,
                                         "schema": {"type": "string"}}],
                         "requestBody": {"required": True, "content": {"application/json": {"schema": {
                             "type": "object", "required": ["kit_number"], "additionalProperties": False,
                             "properties": {"kit_number": {"type": "string", "maxLength": 40}}}}}},
                         "responses": {"200": _json({"type": "object"}), **_errors(400, 401, 403, 404, 409)}},
            },
            "/integration/v1/kit-orders/{order_id}/received": {
                "post": {"summary": "The sample has reached the lab; the return limit no longer applies",
                         "security": [{"integrationKey": []}],
                         "parameters": [{"name": "order_id", "in": "path", "required": True,
                                         "schema": {"type": "string"}}],
                         "responses": {"200": _json({"type": "object"}), **_errors(401, 403, 404, 409)}},
            },
            "/integration/v1/messages": {
                "post": {
                    "summary": "Deliver a message to a citizen's inbox",
                    "security": [{"integrationKey": []}],
                    "parameters": [_IDEMPOTENCY],
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/NewMessage"}}},
                    },
                    "description": "Everyone in the population register has an inbox, whether or not they ever "
                    "logged in: the message is kept there (a child's in the child's own inbox) and whoever reads it is "
                    "told (the person, or for a child under 13 every guardian with an account, each by their own "
                    "settings). The answer says whether anyone reads it now; if not, send paper too. 422 "
                    "person_unknown: neither the register nor any login knows the personnummer (nothing is kept).",
                    "responses": {
                        "201": _json({"$ref": "#/components/schemas/Delivered"}, "Delivered"),
                        **_errors(400, 401, 403, 409, 422),
                    },
                }
            },
            "/integration/v1/messages/{message_id}": {
                "get": {
                    "summary": "Delivered, first read, deleted by the citizen (only to the system that sent it)",
                    "security": [{"integrationKey": []}],
                    "parameters": [_MESSAGE_ID],
                    "responses": {"200": _json({"type": "object"}), **_errors(401, 403, 404)},
                }
            },
            "/api/v1/settings": {
                "get": {"summary": "Digital first, language, notification addresses",
                        "security": [{"citizenSession": []}], "responses": {"200": _json({"type": "object"}), **_errors(401)}},
                "put": {"summary": "Set digital first and language ({digital_first: bool, language: sv|en})",
                        "security": [{"citizenSession": []}], "parameters": [_CSRF],
                        "responses": {"200": _json({"type": "object"}), **_errors(400, 401, 403)}},
            },
            "/api/v1/settings/contact": {
                "post": {"summary": "Send a one-time code to a new e-mail address or mobile number ({channel, address})",
                         "security": [{"citizenSession": []}], "parameters": [_CSRF],
                         "responses": {"202": _json({"type": "object"}, "Code sent"), **_errors(400, 401, 403, 429)}},
            },
            "/api/v1/settings/contact/verify": {
                "post": {"summary": "Confirm the address with the code ({channel, code})",
                         "security": [{"citizenSession": []}], "parameters": [_CSRF],
                         "responses": {"200": _json({"type": "object"}), **_errors(400, 401, 403, 429)}},
            },
            "/api/v1/settings/contact/{channel}": {
                "delete": {"summary": "Withdraw notification on a channel (email or sms)",
                           "security": [{"citizenSession": []}],
                           "parameters": [{"name": "channel", "in": "path", "required": True,
                                           "schema": {"type": "string", "enum": ["email", "sms"]}}, _CSRF],
                           "responses": {"200": _json({"type": "object"}), **_errors(400, 401, 403)}},
            },
            "/integration/v1/citizen-status": {
                "post": {
                    "summary": "Paper or digital? Whether anyone reads the person's inbox now, and how (facts "
                    "only, never an address). A read: no Idempotency-Key needed.",
                    "security": [{"integrationKey": []}],
                    "requestBody": {"required": True, "content": {"application/json": {"schema": {
                        "type": "object", "required": ["personnummer"],
                        "properties": {"personnummer": {"type": "string"}}}}}},
                    "responses": {"200": _json({"$ref": "#/components/schemas/CitizenStatus"}),
                                  **_errors(400, 401, 403, 429)},
                }
            },
            "/api/v1/bookings": {
                "get": {"summary": "Upcoming bookings at every unit (of the child when acting for one), soonest first, "
                                   "a page at a time",
                        "security": [{"citizenSession": []}], "parameters": [_CURSOR],
                        "responses": {"200": _json({"type": "object", "properties": {
                            "bookings": {"type": "array", "items": {"$ref": "#/components/schemas/Booking"}},
                            **_NEXT}}), **_errors(400, 401)}},
                "post": {"summary": "Book a free slot ({slot_id, invitation_id?}); one booking per slot however many "
                                   "try at once (409 slot_taken); the unit's rules apply (422 with a code)",
                         "security": [{"citizenSession": []}], "parameters": [_CSRF],
                         "responses": {"201": _json({"$ref": "#/components/schemas/Booking"}, "Booked"),
                                       **_errors(400, 401, 403, 404, 409, 422)}},
            },
            "/api/v1/booking-units": {
                "get": {"summary": "Units with online booking and the visit types citizens may book there",
                        "security": [{"citizenSession": []}],
                        "responses": {"200": _json({"type": "object"}), **_errors(401)}},
            },
            "/api/v1/booking-units/{unit_hsa_id}/visit-types/{visit_type_id}/slots": {
                "get": {"summary": "Free times the citizen may book now (with ?invitation= for invitation-only times): "
                                   "?day= one Stockholm day's; without it, from now on a page at a time (a page may "
                                   "hold fewer times than the next)",
                        "security": [{"citizenSession": []}],
                        "parameters": [{"name": n, "in": "path", "required": True, "schema": {"type": "string"}}
                                       for n in ("unit_hsa_id", "visit_type_id")]
                        + [{"name": "invitation", "in": "query", "required": False, "schema": {"type": "string"}},
                           {"name": "day", "in": "query", "required": False,
                            "schema": {"type": "string", "format": "date"}}, _CURSOR],
                        "responses": {"200": _json({"type": "object", "properties": {
                            "slots": {"type": "array", "items": {"type": "object"}}, **_NEXT}}),
                            **_errors(400, 401, 404, 422)}},
            },
            "/api/v1/bookings/{booking_id}": {
                "get": {"summary": "One booking with what may still be changed online",
                        "security": [{"citizenSession": []}], "parameters": [_BOOKING_ID],
                        "responses": {"200": _json({"$ref": "#/components/schemas/Booking"}), **_errors(401, 404)}},
            },
            "/api/v1/bookings/{booking_id}/rebook": {
                "post": {"summary": "Move to another free slot ({slot_id}): the new taken and the old freed together",
                         "security": [{"citizenSession": []}], "parameters": [_BOOKING_ID, _CSRF],
                         "responses": {"200": _json({"$ref": "#/components/schemas/Booking"}),
                                       **_errors(400, 401, 403, 404, 409, 422)}},
            },
            "/api/v1/bookings/{booking_id}/cancel": {
                "post": {"summary": "Cancel ({reason?}: feeling_better, cannot_come, booked_elsewhere, other)",
                         "security": [{"citizenSession": []}], "parameters": [_BOOKING_ID, _CSRF],
                         "responses": {"200": _json({"$ref": "#/components/schemas/Booking"}),
                                       **_errors(400, 401, 403, 404, 409, 422)}},
            },
            "/api/v1/access-log": {
                "get": {"summary": "Staff reads of the citizen's data (of the child when acting for one), newest first, "
                                   "a page at a time",
                        "security": [{"citizenSession": []}], "parameters": [_CURSOR],
                        "responses": {"200": _json({"type": "object", "properties": {"entries": {"type": "array",
                            "items": {"type": "object", "properties": {
                                k: {"type": "string"} for k in ("read_at", "staff_name", "unit_name", "what")}}},
                            **_NEXT}}), **_errors(400, 401)}},
            },
            "/api/v1/openapi.json": {
                "get": {"summary": "This document", "responses": {"200": _json({"type": "object"})}}
            },
            "/integration/v1/population-register/persons": {
                "post": {
                    "summary": "Create or update one person in the population register",
                    "security": [{"integrationKey": []}],
                    "parameters": [_IDEMPOTENCY],
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PersonUpdate"}}},
                    },
                    "responses": {
                        "200": _json({"type": "object", "properties": {"status": {"type": "string"}}}),
                        **_errors(400, 401, 403, 409),
                    },
                }
            },
            **staff_work_paths(),
        },
        "components": {
            "securitySchemes": {
                "citizenSession": {"type": "apiKey", "in": "cookie", "name": "sid"},
                "staffSession": {"type": "apiKey", "in": "cookie", "name": "staff_sid"},
                "integrationKey": {"type": "http", "scheme": "bearer", "bearerFormat": "<key_id>.<secret>"},
            },
            "schemas": {
                **staff_work_schemas(),
                "Error": {
                    "type": "object",
                    "required": ["code", "message"],
                    "properties": {
                        "code": {"type": "string"},
                        "message": {"type": "string"},
                        "field": {"type": "string"},
                    },
                },
                "CitizenMe": {
                    "type": "object",
                    "properties": {
                        "kind": {"type": "string", "enum": ["citizen"]},
                        "name": {"type": "string"},
                        "acting_for": {"type": "object", "nullable": True},
                        "can_act_for": {"type": "array", "items": {"type": "object"}},
                        "csrf_token": {"type": "string"},
                    },
                },
                "Booking": {
                    "type": "object",
                    "properties": {
                        **{k: {"type": "string"} for k in ("booking_id", "status", "unit_hsa_id", "unit_name",
                                                           "visit_type_id", "visit_type_name", "slot_id", "place",
                                                           "unit_phone")},
                        **{k: {"type": "string", "format": "date-time"} for k in ("start", "end", "changes_close_at")},
                        "can_cancel": {"type": "boolean"}, "can_rebook": {"type": "boolean"},
                    },
                },
                "NewAppointment": {
                    "type": "object",
                    "required": ["unit_hsa_id", "personnummer", "visit_type_id", "start", "end"],
                    "additionalProperties": False,
                    "properties": {
                        "unit_hsa_id": {"type": "string"}, "personnummer": {"type": "string"},
                        "visit_type_id": {"type": "string"},
                        "start": {"type": "string", "format": "date-time"},
                        "end": {"type": "string", "format": "date-time"},
                        "place": {"type": "string", "maxLength": 200},
                        "preparation": {"type": "string", "maxLength": 4000},
                        "links": {"type": "array", "maxItems": 5, "items": {"type": "object", "properties": {
                            "label": {"type": "string"}, "url": {"type": "string", "pattern": "^https://"}}}},
                        "attachments": {"type": "array", "maxItems": 10, "items": {"type": "string"}},
                        "may_rebook": {"type": "boolean", "description": "Default: whether the visit type is "
                                       "bookable on the web; true for another type is 422 may_rebook_not_web_bookable "
                                       "(the summons says to call the unit)"},
                        "may_cancel": {"type": "boolean", "default": True},
                        "outside_opening_hours_intended": {"type": "boolean", "default": False, "description":
                                                           "A time outside the unit's opening hours (Stockholm, "
                                                           "not public holidays) is 422 outside_opening_hours "
                                                           "unless this is true"},
                        "far_ahead_intended": {"type": "boolean", "default": False, "description": "A time more "
                                               "than two years ahead is 422 too_far_ahead unless this is true"},
                    },
                },
                "LabResult": {
                    "type": "object",
                    "required": ["analyses"],
                    "additionalProperties": False,
                    "properties": {
                        "order_id": {"type": "string", "description": "The order; or kit_number"},
                        "kit_number": {"type": "string", "description": "The kit; personnummer is then required"},
                        "personnummer": {"type": "string", "description": "The sampled person's, as on the sample; "
                                         "must be the order's person (422 person_mismatch)"},
                        "analyses": {"type": "array", "minItems": 1, "items": {
                            "type": "object", "required": ["analysis", "outcome"], "properties": {
                                "analysis": {"type": "string"},
                                "outcome": {"type": "string", "enum": ["negative", "positive", "technical_error"]}}}},
                        "analysed_at": {"type": "string", "format": "date-time"},
                    },
                },
                "PrintBatch": {
                    "type": "object",
                    "required": ["batch_date", "closed_at", "complete", "letters", "files"],
                    "properties": {
                        "batch_date": {"type": "string", "format": "date"},
                        "closed_at": {"type": "string", "format": "date-time", "nullable": True,
                                      "description": "When the batch closed (null: not made yet)"},
                        "complete": {"type": "boolean", "description": "Every file of the batch is made"},
                        "letters": {"type": "integer", "description": "Letters in the files listed"},
                        "files": {"type": "array", "items": {
                            "type": "object", "required": ["unit_hsa_id", "part", "letters", "url", "expires_in"],
                            "properties": {
                                "unit_hsa_id": {"type": "string"},
                                "part": {"type": "integer", "minimum": 1, "description": "The unit's file number"},
                                "letters": {"type": "integer", "minimum": 1, "maximum": 500},
                                "url": {"type": "string", "format": "uri",
                                        "description": "A presigned S3 link to the PDF (GET)"},
                                "expires_in": {"type": "integer", "description": "Seconds the link lives"}}}},
                    },
                },
                "Delivered": {
                    "type": "object",
                    "required": ["message_id", "reaches_digitally", "digital_channel"],
                    "properties": {
                        "message_id": {"type": "string"},
                        "reaches_digitally": {"type": "boolean",
                                              "description": "Someone reads the inbox now; false: send paper too"},
                        "digital_channel": {"type": "string", "nullable": True, "enum": ["own_account", "guardian", None],
                                            "description": "How: the person's own account, or (a child under 13 "
                                            "without protected identity) a guardian's"},
                    },
                },
                "CitizenStatus": {
                    "type": "object",
                    "properties": {
                        "has_inbox": {"type": "boolean", "description": "A message is accepted and kept: the "
                                      "register knows the person, or they have logged in"},
                        "reaches_digitally": {"type": "boolean", "description": "Someone reads the inbox now"},
                        "digital_channel": {"type": "string", "nullable": True, "enum": ["own_account", "guardian", None],
                                            "description": "own_account: the person logs in; guardian: a child "
                                            "under 13 (not protected identity) whose guardian logs in; null: nobody"},
                        "has_account": {"type": "boolean", "description": "The person's own account (they have "
                                        "logged in; login not removed)"},
                        "digital_first": {"type": "boolean", "description": "No paper needed: the person chose "
                                          "digital first and is reached; for a child under 13, every guardian "
                                          "is reached and chose it"},
                        "notify_email": {"type": "boolean", "description": "Someone who reads the inbox is told "
                                         "by e-mail (their own verified address)"},
                        "notify_sms": {"type": "boolean", "description": "… by SMS"},
                    },
                },
                "NewMessage": {
                    "type": "object",
                    "required": ["sender_unit_hsa_id", "personnummer", "topic", "subject", "body"],
                    "additionalProperties": False,
                    "properties": {
                        "sender_unit_hsa_id": {"type": "string"},
                        "personnummer": {"type": "string"},
                        "topic": {"type": "string", "maxLength": 100, "description": "Thread topic"},
                        "subject": {"type": "string", "maxLength": 200},
                        "body": {"type": "string", "maxLength": 20000,
                                 "description": "Plain text; blank lines separate paragraphs; https links"},
                        "attachments": {"type": "array", "maxItems": 10, "items": {"type": "string"},
                                        "description": "attachment_id of uploaded files (POST /integration/v1/attachments)"},
                    },
                },
                "PersonUpdate": {
                    "type": "object",
                    "required": ["personnummer", "given_name", "family_name"],
                    "additionalProperties": False,
                    "properties": {
                        "personnummer": {"type": "string", "description": "12 digits, or 10 with - or +"},
                        "given_name": {"type": "string", "maxLength": 100},
                        "family_name": {"type": "string", "maxLength": 100},
                        "protected_identity": {"type": "boolean", "default": False},
                        "address": {
                            "type": "object",
                            "nullable": True,
                            "properties": {
                                "street": {"type": "string"},
                                "postal_code": {"type": "string"},
                                "city": {"type": "string"},
                            },
                        },
                        "guardians": {"type": "array", "maxItems": 2, "items": {"type": "string"}},
                    },
                },
            },
        },
    }
