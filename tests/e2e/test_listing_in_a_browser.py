"""Välj vårdcentral in the browser on a phone (320 px): Anna sees where she is listed (read from the demo
care system), asks to list at Vårdcentralen Älvby, the region's listing system takes the request
through the integration API and accepts it, and the answer is in her inbox. axe-core checks each page."""

from __future__ import annotations

import json
import time
import urllib.request

from playwright.sync_api import expect

from tests.e2e.test_forms_in_a_browser import PHONE, _no_sideways_scroll, _shot
from tests.e2e.test_login_in_a_browser import assert_accessible, login_at_provider


def _listing_system(stack, method: str, path: str, body: dict | None = None, key: str | None = None) -> dict:
    headers = {"Authorization": f"Bearer {stack.integration_key}", "Content-Type": "application/json"}
    if key:
        headers["Idempotency-Key"] = key
    request = urllib.request.Request(stack.base_url + path, method=method, headers=headers,
                                     data=json.dumps(body).encode() if body is not None else None)  # fmt: skip
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def test_anna_asks_to_list_at_another_vardcentral_and_reads_the_answer_in_her_inbox(stack, browser):
    from chalicelib.domain.clock import stockholm_date, utc_now
    from demo import region_demo

    anna = next(c for c in region_demo.citizens(stockholm_date(utc_now())) if c.sub == "anna")
    page = browser.new_context(locale="sv-SE", viewport=PHONE).new_page()
    login_at_provider(page, stack.base_url, "/", "anna")
    page.get_by_role("link", name="Välj vårdcentral").click()
    expect(page.get_by_text("Du är listad på Vårdcentralen Norrby.")).to_be_visible()
    assert_accessible(page)
    _no_sideways_scroll(page)
    page.get_by_label("Vårdcentralen Älvby", exact=False).check()
    page.get_by_role("button", name="Skicka begäran om listning").click()
    expect(page.get_by_text("Din begäran är skickad. Svaret kommer i din inkorg.")).to_be_visible()
    assert_accessible(page)
    _shot(page, "listing-sent")

    open_requests = _listing_system(stack, "GET", "/integration/v1/listing-requests?status=open")["requests"]
    (hers,) = [r for r in open_requests if r["personnummer"] == anna.personnummer]
    _listing_system(stack, "POST", f"/integration/v1/listing-requests/{hers['request_id']}/decision",
                    {"decision": "accepted", "message": "Välkommen till Vårdcentralen Älvby."},
                    key=f"e2e-listing-{hers['request_id']}")  # fmt: skip

    page.goto(stack.base_url + "/listing")
    expect(page.get_by_text("Välkommen till Vårdcentralen Älvby.")).to_be_visible()
    # The answer's inbox note comes from the event consumer a moment after the decision: reload until it is there
    deadline = time.monotonic() + 20
    while True:
        page.goto(stack.base_url + "/inbox")
        if page.get_by_text("Vårdcentralen Älvby").count() or time.monotonic() > deadline:
            break
        time.sleep(0.3)
    expect(page.get_by_text("Vårdcentralen Älvby").first).to_be_visible()
    assert_accessible(page)
    _no_sideways_scroll(page)
