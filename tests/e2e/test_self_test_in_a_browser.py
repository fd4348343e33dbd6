"""From order to a negative result in the browser: the citizen orders a kit, the lab ships it and
posts the result over HTTP, and the result is read in the inbox. axe-core checks each page."""

from __future__ import annotations

import uuid

from playwright.sync_api import expect

from tests.e2e.conftest import open_from_inbox
from tests.e2e.test_inbox_in_a_browser import _integration
from tests.e2e.test_login_in_a_browser import assert_accessible, login_at_provider


def test_a_citizen_orders_a_kit_and_reads_a_negative_result(stack, page):
    login_at_provider(page, stack.base_url, "/", "gunnar")
    page.get_by_role("link", name="Egen provhantering").click()
    assert_accessible(page)
    page.get_by_role("link", name="Beställ test: Klamydia och gonorré").click()
    page.get_by_label("Till ett utlämningsställe").check()
    page.get_by_label("Utlämningsställe", exact=True).select_option(label="Apoteket Norrby, Norrbygatan 2")
    assert_accessible(page)
    page.get_by_role("button", name="Beställ kitet").click()
    expect(page.get_by_text("Kitet är beställt.")).to_be_visible()
    assert_accessible(page)

    waiting = _integration(stack, "GET", "/integration/v1/kit-orders?status=ordered")["orders"]
    order_id = next(o["order_id"] for o in waiting if o["address_lines"] == ["Apoteket Norrby, Norrbygatan 2"])
    _integration(stack, "POST", f"/integration/v1/kit-orders/{order_id}/sent", {"kit_number": "E2E-1"})
    page.reload()
    page.get_by_role("button", name="Jag har tagit provet").click()
    expect(page.get_by_text("Provet är registrerat.")).to_be_visible()
    _integration(stack, "POST", "/integration/v1/lab-results", {
        "order_id": order_id, "analyses": [{"analysis": "chlamydia", "outcome": "negative"},
                                           {"analysis": "gonorrhoea", "outcome": "negative"}]},
        key=f"e2e-lab-{uuid.uuid4()}")  # fmt: skip

    open_from_inbox(page, stack.base_url, "Ditt provsvar: Klamydia och gonorré")
    expect(page.get_by_text("Ditt prov visar ingen klamydia och ingen gonorré.")).to_be_visible()
    assert_accessible(page)
