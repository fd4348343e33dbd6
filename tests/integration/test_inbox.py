"""The inbox: a care system delivers, the citizen (or a guardian for a child under 13) reads in
threads, the sender sees when it was first read, and deletion keeps the sender's record."""

from __future__ import annotations

import json

from chalicelib.bootstrap import ports
from chalicelib.domain.clock import utc_now
from chalicelib.services.integration import issue_key

PATH = "/integration/v1/messages"
VC = "SE2321000099-VC01"
KA = "SE2321000099-KA01"


def _message(region, sub: str, **changes):
    body = {"sender_unit_hsa_id": VC, "personnummer": region.people[sub].personnummer, "topic": "Provsvar",
            "subject": "Ditt provsvar", "body": "Hej!\n\nSvaret är klart. Läs mer på https://www.1177.se/."}  # fmt: skip
    body.update(changes)
    return body


def _send(region, sub: str, key: str, **changes):
    response = region.integration("POST", PATH, _message(region, sub, **changes), idempotency_key=key)
    assert response.status_code == 201, response.body
    return response.json_body["message_id"]


def _logged_in(region, sub: str):
    browser = region.browser()
    browser.login(sub)
    return browser


def test_a_message_from_care_arrives_unread_and_the_sender_sees_when_it_was_first_read(region):
    anna = _logged_in(region, "anna")  # her first login creates her account
    message_id = _send(region, "anna", "msg-00000001")
    # The start page counts it
    assert "1 oläst<" in anna.page("/")
    listing = anna.get("/api/v1/inbox").json_body
    assert listing["unread"] == 1 and listing["threads"][0]["sender_unit"] == "Vårdcentralen Norrby"
    status = region.integration("GET", f"{PATH}/{message_id}", None).json_body
    assert status["read_at"] is None and status["delivered_at"]
    # Opening it shows the thread and marks it read, once
    page = anna.page(f"/inbox/{message_id}")
    assert "Ditt provsvar" in page and '<a href="https://www.1177.se/"' in page
    first_read = region.integration("GET", f"{PATH}/{message_id}", None).json_body["read_at"]
    assert first_read
    anna.page(f"/inbox/{message_id}")
    assert region.integration("GET", f"{PATH}/{message_id}", None).json_body["read_at"] == first_read
    assert "0 olästa" in anna.page("/")


def test_messages_group_into_threads_by_unit_and_topic_newest_first(region):
    anna = _logged_in(region, "anna")
    first = _send(region, "anna", "msg-00000011", subject="Första")
    _send(region, "anna", "msg-00000012", subject="Andra", topic="provsvar ")  # same topic, other spelling
    _send(region, "anna", "msg-00000013", subject="Från kardiologen", sender_unit_hsa_id=KA)
    threads = anna.get("/api/v1/inbox").json_body["threads"]
    assert [t["sender_unit"] for t in threads] == ["Kardiologmottagningen, Demo sjukhus", "Vårdcentralen Norrby"]
    assert [m["subject"] for m in threads[1]["messages"]] == ["Andra", "Första"]
    opened = anna.get(f"/api/v1/inbox/messages/{first}").json_body
    assert [m["subject"] for m in opened["messages"]] == ["Andra", "Första"]
    assert anna.get("/api/v1/inbox").json_body["unread"] == 1  # only the cardiology message left


def test_the_same_idempotency_key_delivers_once(region):
    anna = _logged_in(region, "anna")
    first = region.integration("POST", PATH, _message(region, "anna"), idempotency_key="msg-repeat-01")
    second = region.integration("POST", PATH, _message(region, "anna"), idempotency_key="msg-repeat-01")
    assert first.status_code == second.status_code == 201
    assert first.json_body == second.json_body
    assert anna.get("/api/v1/inbox").json_body["unread"] == 1


def test_someone_who_never_logged_in_has_an_inbox_and_the_sender_is_told_nobody_reads_it_yet(region):
    # (tests/integration/test_persons.py: children, guardians, the unknown)
    response = region.integration("POST", PATH, _message(region, "gunnar"))  # in the register, never logged in
    assert response.status_code == 201
    assert (response.json_body["reaches_digitally"], response.json_body["digital_channel"]) == (False, None)


def test_bad_input_gets_a_code_and_stores_nothing(region):
    anna = _logged_in(region, "anna")
    other_unit_key = issue_key(ports(), system_name="Hud", allowed_units={KA}, scopes={"messages"}, now=utc_now())
    anna_pnr = region.people["anna"].personnummer
    wrong_check_digit = anna_pnr[:-1] + str((int(anna_pnr[-1]) + 1) % 10)
    cases = [
        (_message(region, "anna", sender_unit_hsa_id="SE0000000000-NONE"), None, 403, "unit_not_allowed"),
        (_message(region, "anna"), other_unit_key, 403, "unit_not_allowed"),
        (_message(region, "anna", personnummer=wrong_check_digit), None, 400, "personnummer_invalid"),
        (_message(region, "anna", subject=""), None, 400, "field_empty"),
        (_message(region, "anna", body="x" * 20_001), None, 400, "field_too_long"),
        (_message(region, "anna", diagnosis="secret"), None, 400, "unknown_field"),
    ]
    for number, (body, key, status, code) in enumerate(cases):
        response = region.integration("POST", PATH, body, key=key, idempotency_key=f"msg-bad-{number:04d}")
        assert (response.status_code, response.json_body["code"]) == (status, code), body
    assert anna.get("/api/v1/inbox").json_body["threads"] == []


def test_a_unit_the_key_may_use_but_the_region_does_not_have_is_unknown(region):
    key = issue_key(ports(), system_name="X", allowed_units={"SE0000000000-GONE"}, scopes={"messages"}, now=utc_now())
    _logged_in(region, "anna")
    response = region.integration("POST", PATH, _message(region, "anna", sender_unit_hsa_id="SE0000000000-GONE"),
                                  key=key)  # fmt: skip
    assert response.status_code == 400 and response.json_body["code"] == "unknown_unit"


def test_only_the_sending_system_sees_a_message_status(region):
    _logged_in(region, "anna")
    message_id = _send(region, "anna", "msg-00000021")
    other = issue_key(ports(), system_name="Other", allowed_units={VC}, scopes={"messages"}, now=utc_now())
    assert region.integration("GET", f"{PATH}/{message_id}", None, key=other).status_code == 404


def test_a_citizen_cannot_open_someone_elses_message(region):
    _logged_in(region, "anna")
    message_id = _send(region, "anna", "msg-00000031")
    maja = _logged_in(region, "maja")
    assert maja.get(f"/api/v1/inbox/messages/{message_id}").status_code == 404
    assert maja.get(f"/inbox/{message_id}").status_code == 404


def test_deleting_hides_the_message_but_the_sender_keeps_its_record(region):
    anna = _logged_in(region, "anna")
    message_id = _send(region, "anna", "msg-00000041")
    csrf = anna.csrf_token()
    assert anna.post_form(f"/inbox/{message_id}/delete", {}).status_code == 403  # no CSRF token
    response = anna.post_form(f"/inbox/{message_id}/delete", {"csrf_token": csrf})
    assert response.status_code == 303
    assert "Du har inga meddelanden." in anna.page("/inbox")
    status = region.integration("GET", f"{PATH}/{message_id}", None).json_body
    assert status["deleted_by_citizen_at"] and status["delivered_at"]
    assert anna.get(f"/api/v1/inbox/messages/{message_id}").status_code == 404


def test_a_guardian_acting_for_a_child_sees_the_childs_inbox_not_her_own(region):
    karin = _logged_in(region, "karin")
    _send(region, "karin", "msg-00000051", subject="Till Karin")
    # Elsa has never logged in: her inbox is hers all the same
    _send(region, "elsa", "msg-00000052", subject="Till Elsa", topic="Vaccination")
    elsa_id = next(c["child_id"] for c in karin.get("/api/v1/me").json_body["can_act_for"])
    karin.post_form("/act-for", {"person": elsa_id, "csrf_token": karin.csrf_token()})
    page = karin.page("/inbox")
    assert "Inkorg för Elsa" in page and "Du företräder Elsa" in page
    assert "Till Elsa" in page and "Till Karin" not in page
    assert karin.get("/api/v1/inbox").json_body["owner"] == "child"


def test_a_guardian_cannot_read_a_14_year_olds_inbox(region):
    _logged_in(region, "olle")
    message_id = _send(region, "olle", "msg-00000061", subject="Till Olle")
    karin = _logged_in(region, "karin")
    assert karin.get(f"/api/v1/inbox/messages/{message_id}").status_code == 404
    assert "Till Olle" not in json.dumps(karin.get("/api/v1/inbox").json_body)


def test_the_body_is_escaped_and_only_https_links_become_links(region):
    anna = _logged_in(region, "anna")
    message_id = _send(region, "anna", "msg-00000071",
                       body='<script>alert(1)</script>\n\nSe http://example.org och https://1177.se/a?b=1.')  # fmt: skip
    page = anna.page(f"/inbox/{message_id}")
    assert "<script>alert" not in page and "&lt;script&gt;" in page
    assert '<a href="https://1177.se/a?b=1"' in page
    assert 'href="http://example.org' not in page


def test_a_thread_is_marked_read_at_once_and_a_read_meanwhile_is_not_overwritten(region):
    from chalicelib.domain.clock import utc_now as now

    anna = _logged_in(region, "anna")
    ids = [_send(region, "anna", f"msg-thread-{n:03d}", subject=f"Del {n}") for n in range(4)]
    citizen_id = ports().inbox.find(ids[0])[0].citizen_id
    unread = ports().inbox.inbox_of(citizen_id)[:3]
    # Another device read one of them after this one listed the thread: the transaction is
    # refused as a whole, and one by one marks the others without touching that first reading.
    assert ports().inbox.mark_read([unread[1]], now()) == [unread[1]]
    first_reading = region.integration("GET", f"{PATH}/{unread[1].message_id}", None).json_body["read_at"]
    assert ports().inbox.mark_read(unread, now()) == [unread[0], unread[2]]
    assert region.integration("GET", f"{PATH}/{unread[1].message_id}", None).json_body["read_at"] == first_reading
    anna.page(f"/inbox/{ids[0]}")
    assert anna.get("/api/v1/inbox").json_body["unread"] == 0
