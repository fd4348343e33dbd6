"""Case requests: sending with validation beside each field, the unit's queue, the take race, the
template types, replies, and authorisation per role and per unit."""

from __future__ import annotations

import re
import threading

from chalicelib.bootstrap import ports
from chalicelib.domain import clock
from chalicelib.domain.personnummer import parse
from chalicelib.domain.roles import RoleAtUnit, StaffRole
from chalicelib.errors import AppError
from chalicelib.services import cases
from chalicelib.services.principals import StaffPrincipal

VC, HS = "SE2321000099-VC01", "SE2321000099-HS01"
RENEWAL = {"q-lakemedel": "Levaxin", "q-styrka": "50 mikrogram", "q-form": "tablett", "accept_terms": "yes"}


def _logged_in(region, sub: str, audience: str = "citizen"):
    browser = region.browser()
    browser.login(sub, audience)
    return browser


def _form(browser, unit: str = VC, case_type: str = "fornya-recept") -> dict[str, str]:
    page = browser.page(f"/contact/{unit}/{case_type}")
    return {n: re.search(rf'name="{n}" value="([^"]+)"', page).group(1) for n in ("csrf_token", "submission_id")}


def _send(browser, answers: dict[str, str] = RENEWAL, unit: str = VC, case_type: str = "fornya-recept"):
    return browser.post_form(f"/contact/{unit}/{case_type}", {**_form(browser, unit, case_type), **answers})


def _case_id(response) -> str:
    assert response.status_code == 303, response.body[:600]
    return response.headers["Location"].split("?")[0].rsplit("/", 1)[1]


def _citizen_id(region, sub: str) -> str:
    return ports().identities.find(parse(region.people[sub].personnummer, region.today))


def test_a_citizen_finds_the_unit_and_sends_a_renewal_with_every_answer_checked(region):
    anna = _logged_in(region, "anna")
    assert "Vårdcentralen Norrby" in anna.page("/contact?q=norrby")
    assert "Vårdcentralen Norrby" not in anna.page("/contact?q=älvby")
    card = anna.page(f"/contact/{VC}")
    assert "Förnya recept" in card and "Lämna synpunkter och klagomål" in card
    missing = _send(anna, {"q-form": "pulver"})
    page = missing.body.decode()
    assert missing.status_code == 400
    for question, message in (("lakemedel", "Svara på frågan."), ("form", "Välj ett av alternativen."),
                              ("terms", "godkänna villkoren")):  # fmt: skip
        assert f'id="{question}-error"' in page and message in page
    assert cases.my_cases(ports(), _principal(region, "anna")) == []
    case_id = _case_id(_send(anna))
    page = anna.page(f"/cases/{case_id}?sent=1")
    assert "Ärendet är skickat" in page and "Levaxin" in page and "Skickat, inte påbörjat" in page
    record = ports().cases.get(case_id)
    assert record.due_at > record.created_at and record.status == "new"
    # The STI clinic has not switched the case type on
    assert anna.get(f"/contact/{HS}/fornya-recept").status_code == 422


def _principal(region, sub: str):
    from chalicelib.services.principals import CitizenPrincipal

    return CitizenPrincipal(_citizen_id(region, sub), sub, None, None, "x")


def test_exactly_one_of_two_staff_takes_a_case(region):
    anna = _logged_in(region, "anna")
    case_id = _case_id(_send(anna))
    workers = [StaffPrincipal(f"SE2321000099-X{n}", f"Worker {n}", (RoleAtUnit(VC, StaffRole.CASE_HANDLER),), "x")
               for n in range(2)]  # fmt: skip
    barrier, outcomes = threading.Barrier(2), []

    def take(principal: StaffPrincipal) -> None:
        barrier.wait()
        try:
            cases.take(ports(), principal, case_id)
            outcomes.append("took")
        except AppError as error:
            outcomes.append(error.code)

    threads = [threading.Thread(target=take, args=(w,)) for w in workers]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert sorted(outcomes) == ["case_taken", "took"]
    assert ports().cases.get(case_id).handler_hsa_id in {w.hsa_id for w in workers}


def test_counter_question_reply_partial_answer_and_close(region):
    anna = _logged_in(region, "anna")
    case_id = _case_id(_send(anna))
    eva = _logged_in(region, "eva", "staff")  # case receiver at the health centre
    queue = eva.page(f"/staff/cases?unit={VC}")
    assert "Förnya recept" in queue and "<td>Ny</td>" in queue  # staff wording on staff pages
    csrf = eva.csrf_token("/api/v1/staff/me")
    early = eva.post_form(f"/staff/cases/{case_id}/answer", {"csrf_token": csrf, "template": "answer", "text": "x"})
    assert early.status_code == 409  # take it first
    assert eva.post_form(f"/staff/cases/{case_id}/take", {"csrf_token": csrf}).status_code == 303
    asked = eva.post_form(f"/staff/cases/{case_id}/answer", {"csrf_token": csrf, "template": "counter_question",
                                                             "text": "Hur många tabletter har du kvar?"})
    assert asked.status_code == 303 and ports().cases.get(case_id).status == "waiting_for_citizen"
    letter = anna.get("/api/v1/inbox").json_body["threads"][0]["messages"][0]
    assert letter["subject"] == "Fråga från mottagningen" and letter["actions"][0]["path"] == f"/cases/{case_id}"
    # The citizen replies; the case is back with its handler
    empty = anna.post_form(f"/cases/{case_id}/reply", {"csrf_token": anna.csrf_token(), "reply": " "})
    assert empty.status_code == 400 and 'id="reply-error"' in empty.body.decode()
    assert anna.post_form(f"/cases/{case_id}/reply", {"csrf_token": anna.csrf_token(),
                                                      "reply": "Tio stycken."}).status_code == 303  # fmt: skip
    assert ports().cases.get(case_id).status == "in_progress"
    eva.post_form(f"/staff/cases/{case_id}/answer", {"csrf_token": csrf, "template": "partial",
                                                     "text": "Läkaren tittar på det i morgon."})  # fmt: skip
    assert ports().cases.get(case_id).status == "in_progress"
    eva.post_form(f"/staff/cases/{case_id}/answer", {"csrf_token": csrf, "template": "answer",
                                                     "text": "Receptet är förnyat."})  # fmt: skip
    record = ports().cases.get(case_id)
    assert record.status == "closed" and record.open_unit is None
    assert [e.template or e.author for e in record.conversation] == ["counter_question", "citizen", "partial", "answer"]
    assert record.conversation[-1].text.endswith("Eva Nilsson\nSjuksköterska\n" + clock.stockholm_date(
        clock.utc_now()).isoformat())  # fmt: skip
    assert "Förnya recept" not in eva.page(f"/staff/cases?unit={VC}")  # closed cases leave the queue
    assert "Förnya recept" in eva.page(f"/staff/cases?unit={VC}&show=closed")
    late = anna.post_form(f"/cases/{case_id}/reply", {"csrf_token": anna.csrf_token(), "reply": "En sak till"})
    assert late.status_code == 422
    again = eva.post_form(f"/staff/cases/{case_id}/answer", {"csrf_token": csrf, "template": "answer", "text": "x"})
    assert again.status_code == 422 and len(ports().cases.get(case_id).conversation) == 4


def test_authorisation_per_role_and_per_unit_and_every_read_is_logged(region):
    anna = _logged_in(region, "anna")
    case_id = _case_id(_send(anna))
    lisa = _logged_in(region, "lisa", "staff")  # handler at the STI clinic
    assert lisa.get(f"/staff/cases/{case_id}").status_code == 404
    assert lisa.get(f"/staff/cases?unit={VC}").status_code == 403
    reviewer = StaffPrincipal("SE2321000099-R9", "Granskare", (RoleAtUnit(VC, StaffRole.REVIEWER),), "x")
    assert cases.open_case(ports(), reviewer, case_id, clock.utc_now()).case_id == case_id  # may read
    for act in (lambda: cases.take(ports(), reviewer, case_id),
                lambda: cases.answer(ports(), reviewer, case_id, "answer", "x", clock.utc_now())):
        try:
            act()
        except AppError as error:
            assert error.code == "role_required"
        else:
            raise AssertionError("a reviewer changed a case")
    eva = _logged_in(region, "eva", "staff")
    eva.page(f"/staff/cases/{case_id}")
    log = ports().access_log.of_citizen(_citizen_id(region, "anna"))
    assert [(e.staff_name, e.what) for e in log] == [("Eva Nilsson", "case"), ("Granskare", "case")]


def test_a_guardian_sends_a_case_for_her_child(region):
    karin = _logged_in(region, "karin")
    elsa_id = next(c["child_id"] for c in karin.get("/api/v1/me").json_body["can_act_for"])
    karin.post_form("/act-for", {"person": elsa_id, "csrf_token": karin.csrf_token()})
    case_id = _case_id(_send(karin, {"q-fraga": "Elsa har ont i örat.", "accept_terms": "yes"},
                             case_type="skicka-meddelande"))  # fmt: skip
    record = ports().cases.get(case_id)
    assert record.citizen_id == elsa_id and record.sent_by_id == _citizen_id(region, "karin")
    karin.post_form("/act-for", {"person": "self", "csrf_token": karin.csrf_token()})
    assert karin.get(f"/cases/{case_id}").status_code == 404


def test_the_staff_start_page_counts_open_overdue_and_answered_in_time(region):
    from datetime import timedelta

    anna = _logged_in(region, "anna")
    answered = _case_id(_send(anna))
    _case_id(_send(anna))  # open, not due yet
    late = cases.submit(ports(), _principal(region, "anna"), VC, "fornya-recept",
                        {**RENEWAL, "submission_id": "old-case-0001"}, clock.utc_now() - timedelta(days=3))
    eva = _logged_in(region, "eva", "staff")
    csrf = eva.csrf_token("/api/v1/staff/me")
    eva.post_form(f"/staff/cases/{answered}/take", {"csrf_token": csrf})
    eva.post_form(f"/staff/cases/{answered}/answer", {"csrf_token": csrf, "template": "answer", "text": "Klart."})
    start = eva.page("/staff")
    assert "Ärenden: 2 öppna, 1 försenade" in start and "50 % besvarade i tid" in start
    assert "Försenat" in eva.page(f"/staff/cases?unit={VC}") and late


def test_a_local_admin_pauses_a_case_type_and_writes_standard_replies(region):
    anna = _logged_in(region, "anna")
    johan = _logged_in(region, "johan", "staff")  # local admin and permission admin at the health centre
    csrf = johan.csrf_token("/api/v1/staff/me")
    every = [t.case_type_id for t in ports().case_types.central()]
    import urllib.parse

    body = urllib.parse.urlencode({"csrf_token": csrf, "unit": VC, "active": every, "paused": ["fornya-recept"]},
                                  doseq=True).encode()  # fmt: skip
    saved = johan.request("POST", "/staff/case-settings/types",
                          headers={"Content-Type": "application/x-www-form-urlencoded"}, body=body)
    assert saved.status_code == 303
    assert "Förnya recept" not in anna.page(f"/contact/{VC}")
    assert anna.get(f"/contact/{VC}/fornya-recept").status_code == 422
    assert johan.post_form("/staff/case-settings/replies", {"csrf_token": csrf, "unit": VC, "title": "Recept klart",
                           "text": "Ditt recept är förnyat och finns på apoteket."}).status_code == 303  # fmt: skip
    case_id = _case_id(_send(anna, {"q-fraga": "Fråga", "accept_terms": "yes"}, case_type="skicka-meddelande"))
    eva = _logged_in(region, "eva", "staff")
    eva.post_form(f"/staff/cases/{case_id}/take", {"csrf_token": eva.csrf_token("/api/v1/staff/me")})
    reply_id = ports().standard_replies.of_unit(VC)[0].reply_id
    inserted = eva.post_form(f"/staff/cases/{case_id}/answer", {
        "csrf_token": eva.csrf_token("/api/v1/staff/me"), "template": "answer", "text": "Hej Anna!", "reply": reply_id,
        "step": "insert"})  # fmt: skip
    assert "Hej Anna!\n\nDitt recept är förnyat och finns på apoteket.</textarea>" in inserted.body.decode()
    refused = eva.post_form("/staff/case-settings/replies", {"csrf_token": eva.csrf_token("/api/v1/staff/me"),
                                                             "unit": VC, "title": "x", "text": "y"})  # fmt: skip
    assert refused.status_code == 403


def test_a_permission_admin_grants_and_revokes_roles_at_the_unit(region):
    johan = _logged_in(region, "johan", "staff")
    csrf = johan.csrf_token("/api/v1/staff/me")
    bad = johan.post_form("/staff/permissions/grant", {"csrf_token": csrf, "unit": VC, "hsa_id": "nobody",
                                                       "name": "X", "role": "case_handler"})  # fmt: skip
    assert bad.status_code == 400
    regional = johan.post_form("/staff/permissions/grant", {"csrf_token": csrf, "unit": VC, "name": "X",
                               "hsa_id": "SE2321000099-P009", "role": "regional_admin"})  # fmt: skip
    assert regional.status_code == 400
    grant = {"csrf_token": csrf, "unit": VC, "hsa_id": "SE2321000099-P009", "name": "Nora Ny", "role": "case_handler"}
    assert johan.post_form("/staff/permissions/grant", grant).status_code == 303
    assert "Nora Ny" in johan.page(f"/staff/permissions?unit={VC}")
    assert ports().staff.roles_of("SE2321000099-P009") == [RoleAtUnit(VC, StaffRole.CASE_HANDLER)]
    assert johan.post_form("/staff/permissions/revoke", grant).status_code == 303
    assert ports().staff.roles_of("SE2321000099-P009") == []
    eva = _logged_in(region, "eva", "staff")
    assert eva.post_form("/staff/permissions/grant", {**grant, "csrf_token": eva.csrf_token("/api/v1/staff/me")
                                                      }).status_code == 403  # fmt: skip


def test_staff_start_a_case_to_a_citizen_and_the_reply_comes_back_into_the_queue(region):
    anna = _logged_in(region, "anna")
    eva = _logged_in(region, "eva", "staff")
    page = eva.page("/staff/citizen-case")
    fields = {"csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', page).group(1),
              "submission_id": re.search(r'name="submission_id" value="([^"]+)"', page).group(1), "unit": VC,
              "personnummer": region.people["anna"].personnummer, "subject": "Inför din operation",
              "text": "Tar du blodförtunnande läkemedel?"}  # fmt: skip
    bad = eva.post_form("/staff/citizen-case", {**fields, "subject": ""})
    assert bad.status_code == 400 and 'id="subject-error"' in bad.body.decode()
    started = eva.post_form("/staff/citizen-case", fields)
    assert started.status_code == 303
    assert eva.post_form("/staff/citizen-case", fields).headers["Location"] == started.headers["Location"]
    case_id = started.headers["Location"].split("?")[0].rsplit("/", 1)[1]
    letter = anna.get("/api/v1/inbox").json_body["threads"][0]["messages"][0]
    assert letter["subject"] == "Inför din operation" and letter["actions"][0]["path"] == f"/cases/{case_id}"
    anna.post_form(f"/cases/{case_id}/reply", {"csrf_token": anna.csrf_token(), "reply": "Nej."})
    queue = eva.page(f"/staff/cases?unit={VC}&view=replied")
    assert "Inför din operation" in queue and "<td>Invånaren har svarat</td>" in queue


def test_the_regional_admin_defines_a_central_case_type_and_a_local_admin_a_local_one(region):
    rut = _logged_in(region, "rut", "staff")  # regional admin
    csrf = rut.csrf_token("/api/v1/staff/me")
    bad = rut.post_form("/staff/case-types", {"csrf_token": csrf, "owner": "central", "name": "Vaccination",
                                              "terms": "Villkor.", "questions": "Vilken vaccination? | färg"})
    assert bad.status_code == 400 and 'id="questions-error"' in bad.body.decode()
    assert rut.post_form("/staff/case-types", {"csrf_token": csrf, "owner": "central", "name": "Vaccination",
                         "terms": "Villkor.", "questions": "Vilken vaccination? | text | krävs"}).status_code == 303
    central = next(t for t in ports().case_types.central() if t.name.sv == "Vaccination")
    local_refused = rut.post_form("/staff/case-types", {"csrf_token": csrf, "owner": VC, "name": "Lokal",
                                                        "terms": "V.", "questions": "Fråga"})  # fmt: skip
    assert local_refused.status_code == 403
    johan = _logged_in(region, "johan", "staff")  # local admin at the health centre
    assert johan.post_form("/staff/case-types", {"csrf_token": johan.csrf_token("/api/v1/staff/me"), "owner": VC,
                           "name": "Fråga om intyg för skolan", "terms": "Villkor.",
                           "questions": "Vilket intyg? | text\nTill när? | datum | frivillig"}).status_code == 303
    anna = _logged_in(region, "anna")
    card = anna.page(f"/contact/{VC}")
    assert "Fråga om intyg för skolan" in card and "Vaccination" not in card  # central: not switched on yet
    assert central.case_type_id
