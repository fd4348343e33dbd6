"""Listning (issue 21): the vårdcentral a person is listed at is read from the region's care system
(the demo's FHIR R4 Patient.generalPractitioner) at each view; a request to be listed at another
reaches the region's listing system through the integration API, and its decision the person's inbox."""

from __future__ import annotations

import re

from chalicelib.adapters.tables import ListingRequestRecord
from chalicelib.bootstrap import ports
from chalicelib.domain import clock
from chalicelib.domain.personnummer import parse
from chalicelib.services import integration

VC, VC2 = "SE2321000099-VC01", "SE2321000099-VC02"


def _logged_in(region, sub: str):
    browser = region.browser()
    browser.login(sub)
    return browser


def _ask(browser, unit: str):
    page = browser.page("/listing")
    fields = {n: re.search(rf'name="{n}" value="([^"]+)"', page).group(1) for n in ("csrf_token", "submission_id")}
    return browser.post_form("/listing", {**fields, "unit": unit})


def _requests_of(region, sub: str) -> list[ListingRequestRecord]:
    citizen_id = ports().identities.find(parse(region.people[sub].personnummer, region.today))
    return list(ListingRequestRecord.query(citizen_id, ListingRequestRecord.request_key.startswith("request#")))


def _notes(browser) -> list[str]:
    return [m["subject"] for t in browser.get("/api/v1/inbox").json_body["threads"] for m in t["messages"]]


def test_the_current_vardcentral_is_read_from_the_care_system(region):
    # Given Anna, listed at Vårdcentralen Norrby in the demo's Cosmic
    anna = _logged_in(region, "anna")
    # When she opens Välj vårdcentral
    page = anna.page("/listing")
    # Then her vårdcentral is named, and the region's other vårdcentral is offered, not her own
    assert "Du är listad på Vårdcentralen Norrby." in page
    assert f'value="{VC2}"' in page and f'value="{VC}"' not in page
    api = anna.get("/api/v1/listing").json_body
    assert api["listed_hsa_id"] == VC and [u["hsa_id"] for u in api["units"]] == [VC2] and api["requests"] == []


def test_a_request_reaches_the_listing_system_and_its_decision_the_inbox(region):
    # Given Anna asking to be listed at Vårdcentralen Älvby
    anna = _logged_in(region, "anna")
    response = _ask(anna, VC2)
    assert response.status_code == 303 and response.headers["Location"] == "/listing?sent=1"
    page = anna.page("/listing?sent=1")
    assert "Din begäran är skickad." in page and "Du har bett att bli listad på Vårdcentralen Älvby." in page
    # When the region's listing system (its region-wide key) asks for open requests
    listed = region.integration("GET", "/integration/v1/listing-requests?status=open", {}, idempotency_key=None)
    # Then it gets hers, with her personnummer in the body, where she is listed and where she wants to be
    assert listed.status_code == 200, listed.body
    (request,) = listed.json_body["requests"]
    assert request["personnummer"] == region.people["anna"].personnummer
    assert (request["unit_hsa_id"], request["current_unit_hsa_id"], request["status"]) == (VC2, VC, "open")
    # But a unit's key with the listing scope is refused: listing is the region's
    unit_key = integration.issue_key(ports(), system_name="Norrbys journalsystem", allowed_units={VC},
                                     scopes={"listing"}, now=clock.utc_now())  # fmt: skip
    refused = region.integration("GET", "/integration/v1/listing-requests?status=open", {}, key=unit_key,
                                 idempotency_key=None)  # fmt: skip
    assert refused.status_code == 403 and refused.json_body["code"] == "region_wide_key_required"
    # When the listing system accepts it, and the call is repeated with the same Idempotency-Key
    before = _notes(anna)
    path = f"/integration/v1/listing-requests/{request['request_id']}/decision"
    body = {"decision": "accepted", "message": "Välkommen till oss från den 1:a nästa månad."}
    first = region.integration("POST", path, body, idempotency_key="listing-decision-1")
    again = region.integration("POST", path, body, idempotency_key="listing-decision-1")
    # Then one answer reaches her inbox from Vårdcentralen Älvby, with the message
    assert first.status_code == again.status_code == 200 and first.json_body == again.json_body
    notes = _notes(anna)
    assert len(notes) == len(before) + 1 and "Du är listad på Vårdcentralen Älvby" in notes
    inbox = anna.get("/api/v1/inbox").json_body["threads"]
    assert any(t["sender_unit"] == "Vårdcentralen Älvby" for t in inbox)
    # And her page shows the request as accepted, with no open request left
    page = anna.page("/listing")
    assert "Godkänd" in page and "Välkommen till oss från den 1:a nästa månad." in page
    assert [r.status for r in _requests_of(region, "anna")] == ["accepted"]
    # And a second decision of another kind is a conflict
    refused_after = region.integration("POST", path, {"decision": "refused"}, idempotency_key="listing-decision-2")
    assert refused_after.status_code == 409 and refused_after.json_body["code"] == "request_decided"


def test_one_open_request_per_person(region):
    # Given Anna's open request
    anna = _logged_in(region, "anna")
    page = anna.page("/listing")
    fields = {n: re.search(rf'name="{n}" value="([^"]+)"', page).group(1) for n in ("csrf_token", "submission_id")}
    assert anna.post_form("/listing", {**fields, "unit": VC2}).status_code == 303
    # When the same form is sent again (a double click), the same request
    assert anna.post_form("/listing", {**fields, "unit": VC2}).status_code == 303
    assert len(_requests_of(region, "anna")) == 1
    # When she asks again while it is open (the JSON API, a new submission)
    second = anna.request("POST", "/api/v1/listing/requests", headers={
        "Content-Type": "application/json", "X-CSRF-Token": anna.csrf_token()},
        body=b'{"submission_id": "listing-second-01", "unit_hsa_id": "%s"}' % VC2.encode())  # fmt: skip
    # Then she is told clearly, and nothing is written
    assert second.status_code == 409 and second.json_body["code"] == "request_open"
    assert len(_requests_of(region, "anna")) == 1
    # And the page offers no second form while it waits
    page = anna.page("/listing")
    assert 'action="/listing"' not in page and "Väntar på svar" in page


def test_a_listing_key_the_regional_admin_issues_is_the_regions(region):
    # Given the regional admin issuing a key for the listing system with the listing scope
    rut = _logged_in_staff(region, "rut")
    fields = {"csrf_token": rut.csrf_token("/api/v1/staff/me"), "system_name": "Listningssystemet",
              "scopes": ["listing"], "units": [VC], "submission_id": "listing-key-0001"}  # fmt: skip
    import urllib.parse

    issued = rut.request("POST", "/staff/integration-keys", headers={"Content-Type": "application/x-www-form-urlencoded"},
                         body=urllib.parse.urlencode(fields, doseq=True).encode())  # fmt: skip
    assert issued.status_code == 200, issued.body[:600]
    key = re.search(r'<textarea id="the-key"[^>]*>([^<]+)</textarea>', issued.body.decode()).group(1)
    # When the listing system asks for open requests with it
    listed = region.integration("GET", "/integration/v1/listing-requests?status=open", {}, key=key, idempotency_key=None)
    # Then it is let through: listing is region-wide by nature, whatever unit was ticked
    assert listed.status_code == 200, listed.body


def _logged_in_staff(region, sub: str):
    browser = region.browser()
    browser.login(sub, "staff")
    return browser
