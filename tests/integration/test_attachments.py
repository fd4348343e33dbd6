"""Attachments: a care system uploads a PDF or image (at most 10 MB) to an upload slot, names it in
a message, and only the citizen (or a guardian acting for a child under 13) can download it,
through a link that works for a minute."""

from __future__ import annotations

import urllib.parse

import requests

from chalicelib.bootstrap import ports
from chalicelib.domain.attachments import MAX_BYTES
from chalicelib.domain.clock import utc_now
from chalicelib.services.integration import issue_key

VC = "SE2321000099-VC01"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _slot(region, *, key=None, **changes):
    body = {"sender_unit_hsa_id": VC, "filename": "Remiss hud.pdf", "content_type": "application/pdf",
            "size_bytes": len(PDF)}  # fmt: skip
    body.update(changes)
    return region.integration("POST", "/integration/v1/attachments", body, key=key, idempotency_key=None)


def _upload(slot: dict, content: bytes, content_type: str = "application/pdf") -> None:
    """What the care system does with the slot: a multipart POST straight to S3."""
    upload = slot["upload"]
    response = requests.post(upload["url"], data=upload["fields"], files={"file": ("f", content, content_type)},
                             timeout=10)  # fmt: skip
    assert response.status_code in (200, 204), response.text


def _uploaded(region, content: bytes = PDF, **changes) -> str:
    response = _slot(region, **changes)
    assert response.status_code == 201, response.body
    _upload(response.json_body, content, changes.get("content_type", "application/pdf"))
    return response.json_body["attachment_id"]


def _send(region, sub: str, attachments: list[str], *, key=None, idempotency_key="att-msg-0001"):
    body = {"sender_unit_hsa_id": VC, "personnummer": region.people[sub].personnummer, "topic": "Remiss",
            "subject": "Din remiss", "body": "Remissen finns som bilaga.", "attachments": attachments}  # fmt: skip
    return region.integration("POST", "/integration/v1/messages", body, key=key, idempotency_key=idempotency_key)


def _logged_in(region, sub: str):
    browser = region.browser()
    browser.login(sub)
    return browser


def test_the_citizen_downloads_the_file_through_a_link_that_lives_a_minute(region):
    anna = _logged_in(region, "anna")
    pdf, png = _uploaded(region), _uploaded(region, PNG, filename="utslag.png", content_type="image/png",
                                            size_bytes=len(PNG))  # fmt: skip
    response = _send(region, "anna", [pdf, png])
    assert response.status_code == 201, response.body
    message_id = response.json_body["message_id"]

    page = anna.page(f"/inbox/{message_id}")
    assert "Bilagor" in page and "Remiss hud.pdf (PDF, 1 kB)" in page and "utslag.png (PNG, 1 kB)" in page
    listed = anna.get("/api/v1/inbox").json_body["threads"][0]["messages"][0]["attachments"]
    assert [(a["filename"], a["size_bytes"]) for a in listed] == [("Remiss hud.pdf", len(PDF)), ("utslag.png", len(PNG))]

    redirect = anna.get(f"/inbox/{message_id}/attachments/{pdf}")
    assert redirect.status_code == 303
    link = redirect.headers["Location"]
    query = urllib.parse.parse_qs(urllib.parse.urlparse(link).query)
    assert query["X-Amz-Expires"] == ["60"]
    download = requests.get(link, timeout=10)
    assert download.content == PDF
    assert download.headers["Content-Disposition"] == "attachment; filename*=UTF-8''Remiss%20hud.pdf"
    api_link = anna.get(f"/api/v1/inbox/messages/{message_id}/attachments/{png}").json_body
    assert api_link["expires_in_seconds"] == 60 and requests.get(api_link["url"], timeout=10).content == PNG


def test_only_the_owner_or_a_guardian_acting_for_a_child_under_13_gets_the_file(region):
    karin = _logged_in(region, "karin")
    _logged_in(region, "elsa")  # the child's account
    _logged_in(region, "olle")
    elsa_file, olle_file = _uploaded(region), _uploaded(region)
    elsa_message = _send(region, "elsa", [elsa_file], idempotency_key="att-elsa-01").json_body["message_id"]
    olle_message = _send(region, "olle", [olle_file], idempotency_key="att-olle-01").json_body["message_id"]

    anna = _logged_in(region, "anna")
    assert anna.get(f"/inbox/{elsa_message}/attachments/{elsa_file}").status_code == 404
    assert karin.get(f"/inbox/{elsa_message}/attachments/{elsa_file}").status_code == 404  # not acting for her
    elsa_id = next(c["child_id"] for c in karin.get("/api/v1/me").json_body["can_act_for"])
    karin.post_form("/act-for", {"person": elsa_id, "csrf_token": karin.csrf_token()})
    assert karin.get(f"/inbox/{elsa_message}/attachments/{elsa_file}").status_code == 303
    # Olle is 14: his files are his own
    assert karin.get(f"/api/v1/inbox/messages/{olle_message}/attachments/{olle_file}").status_code == 404
    assert anna.get("/inbox/x/attachments/y").status_code == 404


def test_a_deleted_message_takes_its_download_link_with_it(region):
    anna = _logged_in(region, "anna")
    file_id = _uploaded(region)
    message_id = _send(region, "anna", [file_id]).json_body["message_id"]
    anna.post_form(f"/inbox/{message_id}/delete", {"csrf_token": anna.csrf_token()})
    assert anna.get(f"/inbox/{message_id}/attachments/{file_id}").status_code == 404


def test_a_slot_is_refused_for_a_disallowed_type_size_unit_or_name(region):
    other_unit_key = issue_key(ports(), system_name="Hud", allowed_units={"SE2321000099-HS01"}, scopes={"messages"},
                               now=utc_now())  # fmt: skip
    cases = [
        # outside the document's enum: refused by the model, naming the field (tests/.../test_openapi_contract.py)
        ({"content_type": "text/html"}, None, 400, "value_not_allowed"),
        ({"content_type": "application/x-msdownload"}, None, 400, "value_not_allowed"),
        ({"size_bytes": MAX_BYTES + 1}, None, 422, "attachment_too_large"),
        ({"size_bytes": 0}, None, 400, "field_required"),
        ({"filename": "../../"}, None, 400, "filename_invalid"),
        ({}, other_unit_key, 403, "unit_not_allowed"),
    ]
    for changes, key, status, code in cases:
        response = _slot(region, key=key, **changes)
        assert (response.status_code, response.json_body["code"]) == (status, code), changes
        if "content_type" in changes:
            assert response.json_body["field"] == "content_type"


def test_a_message_whose_file_is_missing_too_large_or_not_what_it_claims_stores_nothing(region):
    anna = _logged_in(region, "anna")
    never_uploaded = _slot(region).json_body["attachment_id"]
    too_large = _uploaded(region, b"%PDF-" + b"0" * MAX_BYTES)  # declared small, uploaded 10 MB + 5 bytes
    html_as_pdf = _uploaded(region, b"<html><script>alert(1)</script></html>")
    exe_as_png = _uploaded(region, b"MZ\x90\x00" + b"\x00" * 60, content_type="image/png", filename="a.png")
    other_key = issue_key(ports(), system_name="Annat", allowed_units={VC}, scopes={"messages"}, now=utc_now())
    cases = [
        ([never_uploaded], None, 422, "attachment_not_uploaded"),
        ([too_large], None, 422, "attachment_too_large"),
        ([html_as_pdf], None, 422, "attachment_type_not_allowed"),
        ([exe_as_png], None, 422, "attachment_type_not_allowed"),
        (["no-such-slot"], None, 422, "attachment_unknown"),
        ([_uploaded(region)], other_key, 422, "attachment_unknown"),  # another system's upload
        ([_uploaded(region)] * 2, None, 400, "attachments_invalid"),
        ([f"id-{n}" for n in range(11)], None, 400, "too_many_attachments"),
        ("not-a-list", None, 400, "field_invalid"),  # not the model's type: refused by the model
    ]
    for number, (attachments, key, status, code) in enumerate(cases):
        response = _send(region, "anna", attachments, key=key, idempotency_key=f"att-bad-{number:04d}")
        assert (response.status_code, response.json_body["code"]) == (status, code), attachments
    assert anna.get("/api/v1/inbox").json_body["threads"] == []


def test_a_file_serves_one_message_only(region):
    anna = _logged_in(region, "anna")
    file_id = _uploaded(region)
    assert _send(region, "anna", [file_id], idempotency_key="att-once-01").status_code == 201
    # The same delivery repeated is the same message; another message cannot take the file.
    assert _send(region, "anna", [file_id], idempotency_key="att-once-01").status_code == 201
    again = _send(region, "anna", [file_id], idempotency_key="att-once-02")
    assert (again.status_code, again.json_body["code"]) == (422, "attachment_already_used")
    assert len(anna.get("/api/v1/inbox").json_body["threads"][0]["messages"]) == 1
