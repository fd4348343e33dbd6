"""Over real HTTP against the local stack: a care system uploads a PDF to S3 (moto) and sends it;
the citizen downloads it in the browser. A nurse writes to a citizen in the staff tool and sees
it read. axe-core checks the staff pages."""

from __future__ import annotations

import urllib.request
import uuid
from pathlib import Path

import requests
from playwright.sync_api import expect

from tests.e2e.test_inbox_in_a_browser import _integration
from tests.e2e.test_login_in_a_browser import assert_accessible, login_at_provider

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _person(sub: str):
    from chalicelib.domain.clock import stockholm_date, utc_now
    from demo import region_demo

    return next(c for c in region_demo.citizens(stockholm_date(utc_now())) if c.sub == sub)


def _post_without_idempotency(stack, path: str, body: dict) -> dict:
    import json

    request = urllib.request.Request(stack.base_url + path, method="POST", data=json.dumps(body).encode(),
                                     headers={"Authorization": f"Bearer {stack.integration_key}",
                                              "Content-Type": "application/json"})  # fmt: skip
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def test_a_care_system_sends_a_pdf_and_the_citizen_downloads_it(stack, page, tmp_path: Path):
    gunnar = _person("gunnar")
    login_at_provider(page, stack.base_url, "/", "gunnar")
    slot = _post_without_idempotency(stack, "/integration/v1/attachments", {
        "sender_unit_hsa_id": "SE2321000099-KA01", "filename": "Kallelse EKG.pdf", "content_type": "application/pdf",
        "size_bytes": len(PDF)})  # fmt: skip
    upload = slot["upload"]
    assert requests.post(upload["url"], data=upload["fields"], files={"file": ("f.pdf", PDF, "application/pdf")},
                         timeout=10).status_code in (200, 204)  # fmt: skip
    _integration(stack, "POST", "/integration/v1/messages", {
        "sender_unit_hsa_id": "SE2321000099-KA01", "personnummer": gunnar.personnummer, "topic": "EKG",
        "subject": "Inför din undersökning", "body": "Läs bilagan före besöket.", "attachments": [slot["attachment_id"]],
    }, key=f"e2e-att-{uuid.uuid4()}")  # fmt: skip
    page.goto(stack.base_url + "/inbox")
    page.get_by_role("link", name="Inför din undersökning").click()
    link = page.get_by_role("link", name="Kallelse EKG.pdf (PDF, 1 kB)")
    expect(link).to_be_visible()
    assert_accessible(page)
    with page.expect_download() as download:
        link.click()
    saved = tmp_path / "saved.pdf"
    download.value.save_as(saved)
    assert download.value.suggested_filename == "Kallelse EKG.pdf"
    assert saved.read_bytes() == PDF


def test_a_nurse_writes_to_a_citizen_and_sees_it_read(stack, browser):
    anna = _person("anna")
    citizen = browser.new_context(locale="sv-SE").new_page()
    login_at_provider(citizen, stack.base_url, "/", "anna")
    nurse = browser.new_context(locale="sv-SE").new_page()
    login_at_provider(nurse, stack.base_url, "/staff", "eva")
    nurse.get_by_role("link", name="Meddelanden till invånare").click()
    assert_accessible(nurse)
    nurse.get_by_role("link", name="Skriv nytt meddelande").click()
    expect(nurse.get_by_text("Sjuksköterska")).to_be_visible()  # the automatic signature
    nurse.get_by_label("Enhet").select_option(label="Vårdcentralen Norrby")
    nurse.get_by_label("Invånarens personnummer").fill("1234")
    nurse.get_by_role("button", name="Skicka").click()
    expect(nurse.get_by_label("Invånarens personnummer")).to_have_attribute("aria-invalid", "true")
    assert_accessible(nurse)
    nurse.get_by_label("Invånarens personnummer").fill(anna.personnummer)
    nurse.get_by_label("Ämne", exact=False).fill("Din hälsokontroll")
    nurse.get_by_label("Rubrik").fill("Provsvar från hälsokontrollen")
    nurse.get_by_label("Meddelande", exact=True).fill("Hej Anna!\n\nDina prover såg bra ut.")
    nurse.get_by_role("button", name="Skicka").click()
    expect(nurse.get_by_text("Meddelandet är skickat.")).to_be_visible()
    expect(nurse.get_by_text("Inte läst")).to_be_visible()
    assert_accessible(nurse)

    citizen.goto(stack.base_url + "/inbox")
    citizen.get_by_role("link", name="Provsvar från hälsokontrollen").click()
    expect(citizen.get_by_text("Skrivet av Eva Nilsson")).to_be_visible()
    expect(citizen.get_by_text("Dina prover såg bra ut.")).to_be_visible()

    nurse.reload()
    expect(nurse.get_by_text("Läst ", exact=False)).to_be_visible()
    nurse.get_by_role("link", name="Mina inställningar").click()
    assert_accessible(nurse)

    # Opening the sent message in the staff tool is in Anna's access log
    citizen.goto(stack.base_url + "/settings")
    citizen.get_by_role("link", name="Se vem i vården som har öppnat dina uppgifter").click()
    expect(citizen.get_by_role("cell", name="Eva Nilsson").first).to_be_visible()
    assert_accessible(citizen)
