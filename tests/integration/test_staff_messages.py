"""Staff write to a citizen on behalf of their unit, signed, and see whether it was read; opening a
sent message is written to the citizen's access log."""

from __future__ import annotations

import re
from datetime import datetime, timezone

from chalicelib.bootstrap import ports
from chalicelib.domain import clock
from chalicelib.domain.roles import RoleAtUnit, StaffRole
from chalicelib.services import staff_messages
from chalicelib.services.principals import StaffPrincipal

VC, KA, HS = "SE2321000099-VC01", "SE2321000099-KA01", "SE2321000099-HS01"
NOBODY = "197501019876"  # a valid personnummer nobody in Region Demo has


def _logged_in(region, sub: str, audience: str = "citizen"):
    browser = region.browser()
    browser.login(sub, audience)
    return browser


def _compose(staff) -> dict[str, str]:
    page = staff.page("/staff/new-message")
    found = {name: re.search(rf'name="{name}" value="([^"]+)"', page) for name in ("csrf_token", "submission_id")}
    # Without a unit to write for there is no form: post what a forged one would.
    return {name: match.group(1) if match else staff.csrf_token("/api/v1/staff/me") for name, match in found.items()}


def _write(region, staff, sub: str, **changes):
    fields = {**_compose(staff), "unit": VC, "personnummer": region.people[sub].personnummer,
              "topic": "Din kontakt med oss", "subject": "Om ditt besök", "body": "Hej!\n\nVälkommen på tisdag."}  # fmt: skip
    fields.update(changes)
    return staff.post_form("/staff/new-message", fields), fields


def _citizen_id(region, sub: str) -> str:
    from chalicelib.domain.personnummer import parse

    return ports().identities.find(parse(region.people[sub].personnummer, region.today))


def test_a_nurse_writes_to_a_citizen_who_reads_it_and_the_nurse_sees_it_read(region):
    anna = _logged_in(region, "anna")
    eva = _logged_in(region, "eva", "staff")
    response, _ = _write(region, eva, "anna")
    assert response.status_code == 303
    message_path = response.headers["Location"].split("?")[0]
    message_id = message_path.rsplit("/", 1)[1]
    assert "Inte läst" in eva.page(f"/staff/messages?unit={VC}")

    thread = anna.page(f"/inbox/{message_id}")
    today = clock.stockholm_date(clock.utc_now()).isoformat()
    assert "Om ditt besök" in thread and "Skrivet av Eva Nilsson" in thread
    assert f"Eva Nilsson\nSjuksköterska\n{today}" in anna.get(f"/api/v1/inbox/messages/{message_id}").json_body[
        "messages"][0]["body"]  # fmt: skip
    listing = eva.page(f"/staff/messages?unit={VC}")
    assert "Läst " in listing and "Inte läst" not in listing and "Eva Nilsson" in listing


def test_a_double_click_sends_one_message(region):
    anna = _logged_in(region, "anna")
    eva = _logged_in(region, "eva", "staff")
    first, fields = _write(region, eva, "anna")
    second = eva.post_form("/staff/new-message", fields)
    assert first.headers["Location"] == second.headers["Location"]
    assert len(anna.get("/api/v1/inbox").json_body["threads"][0]["messages"]) == 1


def test_the_own_signature_replaces_the_automatic_one_and_empty_brings_it_back(region):
    anna = _logged_in(region, "anna")
    eva = _logged_in(region, "eva", "staff")
    csrf = _compose(eva)["csrf_token"]
    assert eva.post_form("/staff/settings", {"csrf_token": csrf, "signature": "Eva N\nDistriktssköterska"}).status_code == 303
    assert "Distriktssköterska" in eva.page("/staff/new-message")
    _write(region, eva, "anna")
    body = anna.get("/api/v1/inbox").json_body["threads"][0]["messages"][0]
    opened = anna.get(f"/api/v1/inbox/messages/{body['message_id']}").json_body["messages"][0]["body"]
    assert opened.endswith("Välkommen på tisdag.\n\nEva N\nDistriktssköterska")
    eva.post_form("/staff/settings", {"csrf_token": csrf, "signature": "  "})
    assert "Distriktssköterska" not in eva.page("/staff/new-message")
    too_long = eva.post_form("/staff/settings", {"csrf_token": csrf, "signature": "x" * 501})
    assert too_long.status_code == 400 and "högst 500 tecken" in too_long.body.decode()


def test_the_automatic_signature_is_dated_in_stockholm_after_midnight(region):
    _logged_in(region, "anna")
    _logged_in(region, "eva", "staff")  # her name and title from HSA
    eva = StaffPrincipal("SE2321000099-P001", "Eva Nilsson", (RoleAtUnit(VC, StaffRole.CASE_RECEIVER),), "csrf")
    fields = {"unit": VC, "personnummer": region.people["anna"].personnummer, "topic": "Nyår", "subject": "Nyår",
              "body": "Hej!", "submission_id": "midnight-0001"}  # fmt: skip
    # 23:30 UTC on New Year's Eve is 00:30 on New Year's Day in Stockholm.
    staff_messages.send(ports(), eva, fields, datetime(2026, 12, 31, 23, 30, tzinfo=timezone.utc))
    (message,) = ports().inbox.inbox_of(_citizen_id(region, "anna"))
    assert message.body == "Hej!\n\nEva Nilsson\nSjuksköterska\n2027-01-01"


def test_bad_input_is_shown_beside_the_field_and_nothing_is_sent(region):
    anna = _logged_in(region, "anna")
    eva = _logged_in(region, "eva", "staff")
    pnr = region.people["anna"].personnummer
    cases = [
        ({"personnummer": pnr[:-1] + str((int(pnr[-1]) + 1) % 10)}, 400, "personnummer-error"),
        ({"subject": " "}, 400, "subject-error"),
        ({"body": "x" * 20_001}, 400, "body-error"),
        ({"unit": HS}, 403, "unit-error"),  # Eva has no role at the STI clinic
        ({"personnummer": NOBODY}, 422, "personnummer-error"),  # not in the register, never logged in
    ]
    for changes, status, error_id in cases:
        response, _ = _write(region, eva, "anna", **changes)
        page = response.body.decode()
        assert response.status_code == status and f'id="{error_id}"' in page, changes
        assert 'aria-invalid="true"' in page
    assert "finns inte i folkbokföringen" in _write(region, eva, "anna", personnummer=NOBODY)[0].body.decode()
    assert "Välkommen på tisdag" in _write(region, eva, "anna", subject="")[0].body.decode()  # what she wrote stays
    assert anna.get("/api/v1/inbox").json_body["threads"] == []
    assert "inte skickat några meddelanden" in eva.page(f"/staff/messages?unit={VC}")


def test_someone_who_never_logged_in_gets_the_message_and_staff_are_told_to_send_a_letter_too(region):
    # Given Gunnar is in the register but has never logged in, and Karin (Elsa's guardian) has
    _logged_in(region, "karin")
    eva = _logged_in(region, "eva", "staff")
    # When Eva writes to Gunnar
    response, _ = _write(region, eva, "gunnar")
    # Then it is sent into his inbox, and the page says nobody reads it digitally yet
    assert response.status_code == 303 and response.headers["Location"].endswith("?sent=unreached")
    page = eva.page(response.headers["Location"])
    assert "Meddelandet är skickat." in page and "skicka också brev" in page
    assert [m.subject for m in ports().inbox.inbox_of(_citizen_id(region, "gunnar"))] == ["Om ditt besök"]
    # And a message to Elsa (9), whose guardian logs in, carries no such warning
    to_elsa, _ = _write(region, eva, "elsa")
    assert to_elsa.headers["Location"].endswith("?sent=1")
    assert "skicka också brev" not in eva.page(to_elsa.headers["Location"])


def test_who_may_write_and_who_may_read_the_units_messages(region):
    _logged_in(region, "anna")
    eva = _logged_in(region, "eva", "staff")
    message_id = _write(region, eva, "anna")[0].headers["Location"].split("?")[0].rsplit("/", 1)[1]
    johan = _logged_in(region, "johan", "staff")  # local admin and permission admin at the same unit
    assert "ingen behörighet att skriva" in johan.page("/staff/new-message")
    assert _write(region, johan, "anna")[0].status_code == 403
    lisa = _logged_in(region, "lisa", "staff")  # another unit
    assert lisa.get(f"/staff/messages/{message_id}").status_code == 404
    assert lisa.get(f"/staff/messages?unit={VC}").status_code == 403
    assert region.browser().get("/staff/messages").status_code == 303  # not logged in


def test_opening_a_sent_message_is_written_to_the_citizens_access_log(region):
    anna = _logged_in(region, "anna")
    assert "Ingen i vården har öppnat" in anna.page("/access-log")
    _logged_in(region, "maja")
    eva = _logged_in(region, "eva", "staff")
    to_anna = _write(region, eva, "anna")[0].headers["Location"].split("?")[0]
    to_maja = _write(region, eva, "maja")[0].headers["Location"].split("?")[0]
    assert ports().access_log.of_citizen(_citizen_id(region, "anna")) == []  # sending is not reading
    page = eva.page(to_anna)
    assert "Anna" in page and "har loggats" in page
    entries = ports().access_log.of_citizen(_citizen_id(region, "anna"))
    assert [(e.staff_name, e.unit_hsa_id, e.what, e.item_id) for e in entries] == [
        ("Eva Nilsson", VC, "inbox_message", to_anna.rsplit("/", 1)[1])
    ]
    lisa = _logged_in(region, "lisa", "staff")
    lisa.get(to_anna)
    assert len(ports().access_log.of_citizen(_citizen_id(region, "anna"))) == 1  # a refused read is no read
    # Anna sees who opened what
    log_page = anna.page("/access-log")
    assert "Eva Nilsson" in log_page and "Vårdcentralen Norrby" in log_page and "Ett meddelande i inkorgen" in log_page
    assert [e["staff_name"] for e in anna.get("/api/v1/access-log").json_body["entries"]] == ["Eva Nilsson"]
    # Protected identity: staff see that the recipient is protected, not the name
    maja_page = eva.page(to_maja)
    assert "Skyddade personuppgifter" in maja_page and "Maja" not in maja_page
