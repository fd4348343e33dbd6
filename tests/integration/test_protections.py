"""Protections around a person (seed 002): a journal admin (verksamhetschef eller delegerad) blocks a
guardian, removes a login, hides a unit's journal, extends a 13–15-year-old's access; a citizen seals
their own journal. Each decision writes its restriction, an audit row and its event, and bites at
once where a person would notice."""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime, timedelta

import pytest

from chalicelib.adapters.tables import (
    Account,
    AccessLogRecord,
    EventRecord,
    NotificationRecord,
    RegisterPerson,
    RestrictionAuditRecord,
    RestrictionRecord,
)
from chalicelib.bootstrap import ports
from chalicelib.domain import clock
from chalicelib.domain.clock import STOCKHOLM
from chalicelib.domain.personnummer import birthday, parse, with_check_digit
from chalicelib.domain.restrictions import RestrictionKind
from chalicelib.domain.roles import RoleAtUnit, StaffRole
from chalicelib.errors import BadInput, Conflict, Forbidden
from chalicelib.services import persons, protections
from chalicelib.services.principals import StaffPrincipal

VC, HS = "SE2321000099-VC01", "SE2321000099-HS01"
REGISTER = "/integration/v1/population-register/persons"
LARS = with_check_digit(date(1983, 1, 5), "315")
JOHAN = StaffPrincipal("SE2321000099-P002", "Johan Ström", (RoleAtUnit(VC, StaffRole.JOURNAL_ADMIN),), "x")


def _id(region, sub: str) -> str:
    return ports().identities.find(parse(region.people[sub].personnummer, region.today))


def _register(region, body: dict, key: str) -> None:
    response = region.integration("POST", REGISTER, body, idempotency_key=key)
    assert response.status_code == 200, response.body


def _elsa_with_two_guardians(region) -> tuple[str, str, str]:
    """Elsa (9) has Karin and Lars as guardians; Lars has an account with a verified e-mail address."""
    _register(region, {"personnummer": LARS, "given_name": "Lars", "family_name": "Lind",
                       "address": {"street": "Lindvägen 3", "postal_code": "123 46", "city": "Demostad"}},
              "prot-lars")  # fmt: skip
    _send_elsa_again(region, "prot-elsa-1")
    lars = ports().identities.find(parse(LARS, region.today))
    for citizen_id, address in ((lars, "lars@example.se"), (_id(region, "karin"), "karin@example.se")):
        Account(citizen_id).update(actions=[Account.first_login_at.set(clock.utc_now()), Account.email.set(address)])
    return _id(region, "elsa"), _id(region, "karin"), lars


def _send_elsa_again(region, key: str) -> None:
    elsa = region.people["elsa"]
    _register(region, {"personnummer": elsa.personnummer, "given_name": "Elsa", "family_name": "Lind",
                       "address": {"street": "Lindvägen 3", "postal_code": "123 46", "city": "Demostad"},
                       "guardians": [region.people["karin"].personnummer, LARS]}, key)  # fmt: skip


def _staff(region, sub: str = "johan"):
    browser = region.browser()
    browser.login(sub, "staff")
    return browser, browser.csrf_token("/api/v1/staff/me")


def _acting_for(browser) -> str | None:
    child = browser.get("/api/v1/me").json_body["acting_for"]
    return child and child["child_id"]


def _act_for(browser, child_id: str):
    headers = {"Content-Type": "application/json", "X-CSRF-Token": browser.csrf_token()}
    return browser.request("PUT", "/api/v1/acting-for", headers=headers,
                           body=json.dumps({"child_id": child_id}).encode())  # fmt: skip


def _events(citizen_id: str) -> list[str]:
    return [e.kind for e in EventRecord.query(f"person#{citizen_id}")]


def _audit(citizen_id: str) -> list[tuple[str, str]]:
    return [(a.action, a.restriction_key) for a in RestrictionAuditRecord.query(citizen_id)]


def _deliver_to_elsa(region, key: str) -> None:
    body = {"sender_unit_hsa_id": VC, "personnummer": region.people["elsa"].personnummer, "topic": "Vaccination",
            "subject": "Dags för vaccination", "body": "Välkommen."}  # fmt: skip
    assert region.integration("POST", "/integration/v1/messages", body, idempotency_key=key).status_code == 201


def _waiting(citizen_id: str) -> bool:
    try:
        return bool(NotificationRecord.get(citizen_id, "email").waiting)
    except NotificationRecord.DoesNotExist:
        return False


def test_a_blocked_guardian_loses_the_child_at_once_while_the_other_guardian_keeps_it(region):
    elsa, karin_id, lars = _elsa_with_two_guardians(region)
    # Given Karin acting for Elsa
    karin = region.browser()
    karin.login("karin")
    assert _act_for(karin, elsa).status_code == 200
    # When Johan, verksamhetschef, blocks Karin from Elsa
    johan, csrf = _staff(region)
    response = johan.post_form(f"/staff/persons/{elsa}/protections/block-guardian",
                               {"csrf_token": csrf, "unit": VC, "guardian": karin_id, "reason": "Risk för barnet"})
    assert response.status_code == 303, response.body[:500]
    # Then Karin no longer acts for her, mid-session, and cannot switch back
    assert _acting_for(karin) is None
    assert "Elsa" not in [c["given_name"] for c in karin.get("/api/v1/me").json_body["can_act_for"]]
    assert _act_for(karin, elsa).status_code == 403
    # And a message to Elsa tells Lars, not Karin
    _deliver_to_elsa(region, "prot-msg-1")
    assert _waiting(lars) and not _waiting(karin_id)
    assert [h.citizen_id for h in persons.reach_of(ports(), elsa, region.today).notify] == [lars]
    # And the page names the block, with who decided it and why
    page = johan.page(f"/staff/persons/{elsa}/protections")
    assert "Vårdnadshavare blockerad" in page and "Risk för barnet" in page and "Johan Ström" in page
    assert "Karin Lind" in page
    # The change wrote its event and its audit row
    assert _events(elsa) == ["guardian.blocked"]
    assert _audit(elsa) == [("decided", f"block_guardian#{karin_id}")]

    # When the register feed sends Elsa again, the block stays
    _send_elsa_again(region, "prot-elsa-2")
    assert RegisterPerson.get(elsa).blocked_guardian_ids == {karin_id}
    assert _act_for(karin, elsa).status_code == 403

    # When Johan lifts the block, Karin may act for Elsa again
    response = johan.post_form(f"/staff/persons/{elsa}/protections/lift",
                               {"csrf_token": csrf, "unit": VC, "key": f"block_guardian#{karin_id}"})
    assert response.status_code == 303
    assert _act_for(karin, elsa).status_code == 200
    assert _events(elsa) == ["guardian.blocked", "guardian.unblocked"]
    assert [a for a, _ in _audit(elsa)] == ["decided", "lifted"]
    assert not RegisterPerson.get(elsa).blocked_guardian_ids


def test_only_the_childs_own_guardian_can_be_blocked_and_nothing_is_written_otherwise(region):
    elsa = _id(region, "elsa")
    with pytest.raises(BadInput) as refused:
        protections.block_guardian(ports(), JOHAN, elsa, VC, _id(region, "anna"), "Skäl", clock.utc_now())
    assert refused.value.field == "guardian"
    with pytest.raises(BadInput) as no_reason:
        protections.block_guardian(ports(), JOHAN, elsa, VC, _id(region, "karin"), "  ", clock.utc_now())
    assert no_reason.value.field == "reason"
    with pytest.raises(BadInput) as too_long:
        protections.block_guardian(ports(), JOHAN, elsa, VC, _id(region, "karin"), "x" * 501, clock.utc_now())
    assert too_long.value.field == "reason"
    assert not list(RestrictionRecord.query(elsa)) and _events(elsa) == [] and _audit(elsa) == []


def test_a_removed_login_ends_the_live_session_and_refuses_the_next_login_until_restored(region):
    anna_id = _id(region, "anna")
    anna = region.browser()
    anna.login("anna")
    assert anna.get("/api/v1/me").status_code == 200
    # When Johan removes Anna's login
    johan, csrf = _staff(region)
    response = johan.post_form(f"/staff/persons/{anna_id}/protections/remove-login",
                               {"csrf_token": csrf, "unit": VC, "reason": "Kontrollerande närstående"})
    assert response.status_code == 303
    # Then her live session has ended, and a new login gets the neutral refusal
    assert anna.get("/api/v1/me").status_code == 401
    again = region.browser()
    refused = again.login("anna")
    assert refused.status_code == 403
    assert "Du kan inte logga in" in refused.body.decode() and "borttagen" not in refused.body.decode()
    assert _events(anna_id) == ["login.removed"]
    # When Johan restores it, she logs in
    johan.post_form(f"/staff/persons/{anna_id}/protections/lift",
                    {"csrf_token": csrf, "unit": VC, "key": "login_removed"})
    welcome = region.browser()
    welcome.login("anna")
    assert welcome.get("/api/v1/me").status_code == 200
    assert _events(anna_id) == ["login.removed", "login.restored"]
    assert [a for a, _ in _audit(anna_id)] == ["decided", "lifted"]


def test_a_removed_login_ends_every_live_session_once_and_a_redelivered_event_changes_nothing(region):
    from chalicelib.domain.events import Kind, event

    anna_id = _id(region, "anna")
    phone, laptop = region.browser(), region.browser()
    phone.login("anna")
    laptop.login("anna")
    protections.remove_login(ports(), JOHAN, anna_id, VC, "Skäl", clock.utc_now())
    region.follow_up()
    assert phone.get("/api/v1/me").status_code == laptop.get("/api/v1/me").status_code == 401
    # The stream delivers the event again: nothing left to end, nothing fails
    again = event(Kind.LOGIN_REMOVED, f"person#{anna_id}", clock.utc_now(), citizen_id=anna_id)
    protections.end_sessions(ports(), again)
    assert ports().sessions.end_all_of(anna_id) == 0


def test_staff_without_the_role_are_refused_and_nothing_is_written(region):
    anna_id = _id(region, "anna")
    for sub in ("eva", "lisa", "rut"):
        browser, csrf = _staff(region, sub)
        assert browser.get(f"/staff/persons/{anna_id}/protections").status_code == 403
        assert browser.get("/staff/protections").status_code == 403
        for action, fields in (("seal", {"reason": "x"}), ("remove-login", {"reason": "x"}), ("hide-unit", {})):
            response = browser.post_form(f"/staff/persons/{anna_id}/protections/{action}",
                                         {"csrf_token": csrf, "unit": VC, **fields})  # fmt: skip
            assert response.status_code == 403, (sub, action)
    # Johan holds the role at Vårdcentralen Norrby, not at the Hud- och STI-mottagningen
    johan, csrf = _staff(region)
    assert johan.post_form(f"/staff/persons/{anna_id}/protections/hide-unit",
                           {"csrf_token": csrf, "unit": HS}).status_code == 403
    # and without the CSRF token nothing is done
    assert johan.post_form(f"/staff/persons/{anna_id}/protections/seal",
                           {"unit": VC, "reason": "x"}).status_code == 403
    assert not list(RestrictionRecord.query(anna_id)) and _events(anna_id) == []


def test_a_bad_decision_is_shown_beside_its_field_and_writes_nothing(region):
    elsa = _id(region, "elsa")
    johan, csrf = _staff(region)
    response = johan.post_form(f"/staff/persons/{elsa}/protections/seal", {"csrf_token": csrf, "unit": VC})
    assert response.status_code == 400
    page = response.body.decode()
    assert 'id="sealed-reason-error"' in page and "Ange skälet till beslutet." in page
    assert not list(RestrictionRecord.query(elsa))


def test_hiding_a_unit_lasts_two_months_to_the_minute_across_daylight_saving_and_renews(region):
    anna_id = _id(region, "anna")
    # Decided on Saturday 28 March 2026 at 20:30 (CET); summer time begins that night
    decided = datetime(2026, 3, 28, 20, 30, tzinfo=STOCKHOLM).astimezone(clock.timezone.utc)
    hidden = protections.hide_unit(ports(), JOHAN, anna_id, VC, None, decided)
    assert hidden.until.astimezone(STOCKHOLM).replace(tzinfo=None) == datetime(2026, 5, 28, 20, 30)
    assert ports().restrictions.of(anna_id).hidden_units(decided + timedelta(days=60)) == {VC}
    assert not ports().restrictions.of(anna_id).hidden_units(hidden.until)
    # Deciding again renews it, from the new decision
    later = decided + timedelta(days=30)
    renewed = protections.hide_unit(ports(), JOHAN, anna_id, VC, "Förnyat", later)
    assert renewed.until > hidden.until
    assert len(list(RestrictionRecord.query(anna_id))) == 1
    assert [a for a, _ in _audit(anna_id)] == ["decided", "renewed"]
    assert _events(anna_id) == ["journal.unit_hidden", "journal.unit_hidden"]


def _child(region, born: date, serial: str, key: str) -> str:
    pnr = with_check_digit(born, serial)
    _register(region, {"personnummer": pnr, "given_name": "Barn", "family_name": "Lind",
                       "guardians": [region.people["karin"].personnummer]}, key)  # fmt: skip
    return ports().identities.find(parse(pnr, region.today))


def _years_before(day: date, years: int) -> date:
    if (day.month, day.day) == (2, 29):
        pytest.skip("a birthday on 29 February: the leap-day rule is unit-tested")
    return day.replace(year=day.year - years)


def test_extended_access_is_for_13_to_15_year_olds_and_ends_at_the_16th_birthday(region):
    now = clock.utc_now()
    today = clock.stockholm_date(now)
    twelve = _child(region, _years_before(today, 13) + timedelta(days=1), "421", "prot-c12")
    sixteen = _child(region, _years_before(today, 16), "433", "prot-c16")
    thirteen_today = _child(region, _years_before(today, 13), "445", "prot-c13")
    almost_sixteen = _child(region, _years_before(today, 16) + timedelta(days=100), "457", "prot-c15")
    for refused in (twelve, sixteen):
        with pytest.raises(BadInput) as error:
            protections.extend(ports(), JOHAN, refused, VC, "guardian", None, now)
        assert error.value.code == "extension_age"
        assert not list(RestrictionRecord.query(refused))
    # Accepted the day the child turns 13: a year on
    granted = protections.extend(ports(), JOHAN, thirteen_today, VC, "guardian", None, now)
    assert granted.until.astimezone(STOCKHOLM).date() == today.replace(year=today.year + 1)
    assert ports().restrictions.of(thirteen_today).guardian_extended_units(now) == {VC}
    # A child 100 days from 16: it ends at the 16th birthday, at Stockholm midnight
    early = protections.extend(ports(), JOHAN, almost_sixteen, VC, "child", None, now)
    born = _years_before(today, 16) + timedelta(days=100)
    assert early.until == datetime.combine(birthday(born, 16), datetime.min.time(), STOCKHOLM)
    assert ports().restrictions.of(almost_sixteen).child_early_units(now) == {VC}
    assert _events(almost_sixteen) == ["journal.access_extended"]
    with pytest.raises(BadInput):
        protections.extend(ports(), JOHAN, thirteen_today, VC, "neighbour", None, now)


def test_a_citizen_seals_their_own_journal_and_care_lifts_it(region):
    anna_id = _id(region, "anna")
    anna = region.browser()
    anna.login("anna")
    page = anna.page("/journal/seal")
    assert "Försegla din journal" in page and "De andra e-tjänsterna finns kvar" in page
    # When she seals it
    response = anna.post_form("/journal/seal", {"csrf_token": anna.csrf_token()})
    assert response.status_code == 303 and response.headers["Location"].endswith("/journal")
    assert ports().restrictions.of(anna_id).sealed(clock.utc_now())
    assert "Din journal är förseglad" in anna.page("/journal/seal")
    # A second seal changes nothing
    anna.post_form("/journal/seal", {"csrf_token": anna.csrf_token()})
    assert _events(anna_id) == ["journal.sealed"]
    # Care sees it was the person herself, and lifts it at her request
    johan, csrf = _staff(region)
    assert "Personen själv" in johan.page(f"/staff/persons/{anna_id}/protections")
    johan.post_form(f"/staff/persons/{anna_id}/protections/lift", {"csrf_token": csrf, "unit": VC, "key": "seal"})
    assert not ports().restrictions.of(anna_id).sealed(clock.utc_now())
    assert _events(anna_id) == ["journal.sealed", "journal.unsealed"]
    assert [(a.action, a.by) for a in RestrictionAuditRecord.query(anna_id)] == [
        ("decided", "citizen"), ("lifted", "SE2321000099-P002")]


def test_lifting_what_is_not_in_force_is_a_conflict_and_writes_nothing(region):
    anna_id = _id(region, "anna")
    with pytest.raises(Conflict):
        protections.lift(ports(), JOHAN, anna_id, "seal", VC, clock.utc_now())
    with pytest.raises(Forbidden):
        protections.lift(ports(), JOHAN, anna_id, "seal", HS, clock.utc_now())
    assert _events(anna_id) == [] and _audit(anna_id) == []


def test_the_protections_page_is_in_the_persons_access_log(region):
    anna_id = _id(region, "anna")
    johan, _ = _staff(region)
    assert johan.get(f"/staff/persons/{anna_id}/protections").status_code == 200
    logged = [r for r in AccessLogRecord.query(anna_id)]
    assert [r.what for r in logged] == ["protections"]


def test_the_list_shows_the_units_decisions_newest_first_a_page_at_a_time(region):
    now = clock.utc_now()
    for n in range(24):
        protections.remove_login(ports(), JOHAN, str(uuid.uuid4()), VC, f"Skäl {n}", now + timedelta(seconds=n))
    johan, _ = _staff(region)
    first = johan.page("/staff/protections")
    assert first.count("Inloggning borttagen") == 20  # the demo's Per, and 24 more: 25 in all
    assert 'rel="next"' in first
    cursor = first.split('cursor=')[1].split('"')[0]
    second = johan.page(f"/staff/protections?cursor={cursor}")
    assert second.count("Inloggning borttagen") == 5 and 'rel="next"' not in second
    assert "Per Holm" in second  # the oldest last
    assert johan.get("/staff/protections?cursor=forged.x").status_code == 400


def test_a_list_over_several_units_merges_them_newest_first(region):
    store = ports().restrictions
    now = clock.utc_now()
    both = StaffPrincipal("SE2321000099-P002", "Johan Ström", (RoleAtUnit(VC, StaffRole.JOURNAL_ADMIN),
                                                                RoleAtUnit(HS, StaffRole.JOURNAL_ADMIN)), "x")
    for n in range(7):
        protections.remove_login(ports(), both, str(uuid.uuid4()), (VC, HS)[n % 2], "Skäl", now + timedelta(minutes=n))
    seen, position = [], None
    while True:
        found, position = store.decided_at_units([VC, HS], position, 3)
        seen += found
        if position is None:
            break
    times = [r.decided_at for r in seen]
    assert len(seen) == 8 and times == sorted(times, reverse=True)  # the demo's Per too
    assert len({(r.citizen_id, r.key) for r in seen}) == 8


def test_a_child_whose_login_care_removed_has_no_guardian_acting_for_them(region):
    elsa = _id(region, "elsa")
    karin = region.browser()
    karin.login("karin")
    assert _act_for(karin, elsa).status_code == 200
    # When care removes Elsa's login (a child placed where her guardians must not see her bookings)
    protections.remove_login(ports(), JOHAN, elsa, VC, "LVU, hemlig ort", clock.utc_now())
    # Then Karin no longer acts for her, at once, nor is she offered
    assert _acting_for(karin) is None
    assert _act_for(karin, elsa).status_code == 403
    assert persons.reach_of(ports(), elsa, region.today).notify == ()
