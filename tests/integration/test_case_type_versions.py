"""Case types as content: the regional admin edits central ones (each edit a new version, open cases
keep theirs), assigns them to units and retires them; a local admin edits, pauses and retires the
unit's own case types and standard replies; questions carry help text, order and a required flag, and
the preview shows the form as the citizen sees it."""

from __future__ import annotations

import re
import urllib.parse

from chalicelib.bootstrap import ports

VC, KA = "SE2321000099-VC01", "SE2321000099-KA01"
RENEWAL = {"q-lakemedel": "Levaxin", "q-styrka": "50 mikrogram", "q-form": "tablett", "accept_terms": "yes"}


def _login(region, sub: str, audience: str = "citizen"):
    browser = region.browser()
    browser.login(sub, audience)
    return browser


def _send(browser, answers: dict[str, str], unit: str = VC, case_type: str = "fornya-recept") -> str:
    page = browser.page(f"/contact/{unit}/{case_type}")
    fields = {n: re.search(rf'name="{n}" value="([^"]+)"', page).group(1) for n in ("csrf_token", "submission_id")}
    response = browser.post_form(f"/contact/{unit}/{case_type}", {**fields, **answers})
    assert response.status_code == 303, response.body[:600]
    return response.headers["Location"].split("?")[0].rsplit("/", 1)[1]


def _rows(*questions: dict[str, str]) -> dict[str, str]:
    fields = {"rows": str(len(questions) + 1)}
    for n, q in enumerate(questions, start=1):
        fields.update({f"q{n}-{k}": v for k, v in q.items()})
    return fields


def _post(browser, path: str, fields: dict) -> object:
    body = urllib.parse.urlencode(fields, doseq=True).encode()
    return browser.request("POST", path, headers={"Content-Type": "application/x-www-form-urlencoded"}, body=body)


RENEWAL_V2 = _rows(
    {"id": "styrka", "label": "Styrka, till exempel 50 mg", "kind": "text", "required": "yes", "order": "20"},
    {"id": "lakemedel", "label": "Vilket läkemedel gäller det?", "kind": "text", "required": "yes", "order": "10",
     "help": "Står på förpackningen eller i e-receptet."},
    {"id": "form", "label": "Form", "kind": "choice", "required": "yes", "options": "tablett, kapsel", "order": "30"},
)  # "Något mer mottagningen behöver veta?" left out: removed in version 2


def test_an_edit_makes_a_new_version_and_an_open_case_keeps_the_one_it_was_sent_with(region):
    # Given a renewal sent with version 1 of the central case type
    anna = _login(region, "anna")
    case_id = _send(anna, {**RENEWAL, "q-ovrigt": "Tack"})
    assert ports().cases.get(case_id).case_type_version == 1
    # When the regional admin edits the case type: a new wording, help text, a new order, one question fewer
    rut = _login(region, "rut", "staff")
    assert "Läkemedlets namn" in rut.page("/staff/case-types/edit?owner=central&id=fornya-recept")
    fields = {"csrf_token": rut.csrf_token("/api/v1/staff/me"), "owner": "central", "case_type_id": "fornya-recept",
              "version": "1", "name": "Förnya recept", "terms": "Villkor.", **RENEWAL_V2}  # fmt: skip
    saved = _post(rut, "/staff/case-types", fields)
    # Then the case type is at version 2, with the questions in the order asked for
    assert saved.status_code == 303 and "done=saved" in saved.headers["Location"]
    current = ports().case_types.get("central", "fornya-recept")
    assert current.version == 2 and [q.question_id for q in current.questions] == ["lakemedel", "styrka", "form"]
    assert current.questions[0].help_text.sv == "Står på förpackningen eller i e-receptet."
    # And the open case is still on version 1: its page shows version 1's questions, to staff and citizen
    assert ports().cases.get(case_id).case_type_version == 1
    for page in (anna.page(f"/cases/{case_id}"),
                 _login(region, "eva", "staff").page(f"/staff/cases/{case_id}")):  # fmt: skip
        assert "version 1" in page and "Läkemedlets namn" in page and "Något mer mottagningen behöver veta?" in page
        assert "Vilket läkemedel gäller det?" not in page and "Tack" in page
    # And the citizen's form now shows version 2, help text included, and a new case is sent with it
    form = anna.page(f"/contact/{VC}/fornya-recept")
    assert "Vilket läkemedel gäller det?" in form and "Står på förpackningen" in form and "kräm" not in form
    assert form.index("Vilket läkemedel") < form.index("Styrka")
    second = _send(anna, RENEWAL)
    assert ports().cases.get(second).case_type_version == 2
    assert "Vilket läkemedel gäller det?" in anna.page(f"/cases/{second}")
    # And an edit made from the page of version 1 (someone else saved meanwhile) is refused, nothing lost
    stale = _post(rut, "/staff/case-types", {**fields, "name": "Gammalt namn"})
    assert stale.status_code == 409 and ports().case_types.get("central", "fornya-recept").version == 2


def test_the_editor_checks_each_question_beside_its_field(region):
    rut = _login(region, "rut", "staff")
    fields = {"csrf_token": rut.csrf_token("/api/v1/staff/me"), "owner": "central", "case_type_id": "fornya-recept",
              "version": "1", "name": "", "terms": "Villkor.",
              **_rows({"label": "Välj", "kind": "choice", "options": "bara ett", "order": "x"})}  # fmt: skip
    refused = _post(rut, "/staff/case-types", fields)
    page = refused.body.decode()
    assert refused.status_code == 400
    for field in ("name", "q1-options", "q1-order"):
        assert f'id="{field}-error"' in page
    assert 'value="Välj"' in page  # what was written is kept
    assert ports().case_types.get("central", "fornya-recept").version == 1


def test_the_preview_shows_the_form_as_the_citizen_sees_it(region):
    rut = _login(region, "rut", "staff")
    page = rut.page("/staff/case-types/preview?owner=central&id=begar-intyg")
    preview = page[page.index('class="preview"'):page.index("</section>", page.index('class="preview"'))]
    assert "Vilket intyg?" in preview and "Är det en förnyelse?" in preview and "(frivilligt)" in preview
    assert 'type="radio"' in preview and "Villkor" in preview and 'type="submit"' not in preview
    eva = _login(region, "eva", "staff")
    assert eva.get("/staff/case-types/preview?owner=central&id=begar-intyg").status_code == 403


def test_the_regional_admin_assigns_and_retires_central_case_types(region):
    # Given the regional admin and a central case type the cardiology clinic does not offer
    rut = _login(region, "rut", "staff")
    csrf = rut.csrf_token("/api/v1/staff/me")
    anna = _login(region, "anna")
    assert anna.get(f"/contact/{KA}/synpunkter").status_code == 200
    # When she offers "Beställ tid" only at the health centre
    assigned = _post(rut, "/staff/case-types/units", {"csrf_token": csrf, "case_type_id": "bestall-tid", "units": [VC]})
    # Then the cardiology clinic no longer offers it and the health centre does
    assert assigned.status_code == 303
    assert "Beställ tid" not in anna.page(f"/contact/{KA}") and "Beställ tid" in anna.page(f"/contact/{VC}")
    # When she retires it
    assert _post(rut, "/staff/case-types/status", {"csrf_token": csrf, "owner": "central",
                                                    "case_type_id": "bestall-tid", "status": "retired"}).status_code == 303
    # Then no citizen is offered it and it can no longer be edited or paused centrally
    assert anna.get(f"/contact/{VC}/bestall-tid").status_code == 422
    assert "Avvecklad" in rut.page("/staff/case-types")
    again = _post(rut, "/staff/case-types", {"csrf_token": csrf, "owner": "central", "case_type_id": "bestall-tid",
                                             "version": "1", "name": "X", "terms": "V.", "questions": "Fråga"})
    assert again.status_code == 422
    # And a local admin may neither assign nor retire central case types
    johan = _login(region, "johan", "staff")
    johan_csrf = johan.csrf_token("/api/v1/staff/me")
    assert _post(johan, "/staff/case-types/units", {"csrf_token": johan_csrf, "case_type_id": "egenremiss",
                                                     "units": [VC]}).status_code == 403  # fmt: skip
    assert _post(johan, "/staff/case-types/status", {"csrf_token": johan_csrf, "owner": "central",
                                                      "case_type_id": "egenremiss", "status": "retired"}).status_code == 403


def test_a_local_admin_edits_pauses_and_retires_the_units_own_case_type(region):
    # Given a local case type at the health centre
    johan = _login(region, "johan", "staff")
    csrf = johan.csrf_token("/api/v1/staff/me")
    created = _post(johan, "/staff/case-types", {"csrf_token": csrf, "owner": VC, "name": "Intyg för skolan",
                                                 "terms": "Villkor.", **_rows({"label": "Vilket intyg?",
                                                                               "kind": "text", "required": "yes"})})
    assert created.status_code == 303
    local = ports().case_types.local(VC)[0]
    anna = _login(region, "anna")
    assert "Intyg för skolan" in anna.page(f"/contact/{VC}")
    status = {"csrf_token": csrf, "owner": VC, "case_type_id": local.case_type_id}
    # When he pauses it, then resumes it
    assert _post(johan, "/staff/case-types/status", {**status, "status": "paused"}).status_code == 303
    assert "Intyg för skolan" not in anna.page(f"/contact/{VC}")
    assert _post(johan, "/staff/case-types/status", {**status, "status": "active"}).status_code == 303
    assert "Intyg för skolan" in anna.page(f"/contact/{VC}")
    # When he edits it: a question becomes optional
    edit = {"csrf_token": csrf, "owner": VC, "case_type_id": local.case_type_id, "version": "1",
            "name": "Intyg för skolan", "terms": "Villkor.",
            **_rows({"id": local.questions[0].question_id, "label": "Vilket intyg?", "kind": "text"})}  # fmt: skip
    assert _post(johan, "/staff/case-types", edit).status_code == 303
    assert ports().case_types.get(VC, local.case_type_id).questions[0].required is False
    # When he retires it
    assert _post(johan, "/staff/case-types/status", {**status, "status": "retired"}).status_code == 303
    # Then it is gone for citizens and stays retired
    assert "Intyg för skolan" not in anna.page(f"/contact/{VC}")
    assert _post(johan, "/staff/case-types/status", {**status, "status": "active"}).status_code == 422
    # And another unit's local admin (none) or a nurse cannot touch it
    eva = _login(region, "eva", "staff")
    assert _post(eva, "/staff/case-types/status", {**status, "csrf_token": eva.csrf_token("/api/v1/staff/me"),
                                                   "status": "paused"}).status_code == 403  # fmt: skip


def test_a_local_admin_edits_pauses_and_retires_standard_replies(region):
    # Given a standard reply at the health centre
    johan = _login(region, "johan", "staff")
    csrf = johan.csrf_token("/api/v1/staff/me")
    base = {"csrf_token": csrf, "unit": VC}
    assert johan.post_form("/staff/case-settings/replies", {**base, "title": "Recept klart",
                                                            "text": "Ditt recept är förnyat."}).status_code == 303
    reply_id = ports().standard_replies.of_unit(VC)[0].reply_id
    # When he edits it
    assert johan.post_form("/staff/case-settings/replies", {**base, "reply_id": reply_id, "title": "Receptet är klart",
                                                            "text": "Receptet finns på apoteket."}).status_code == 303
    # Then the nurses are offered the new wording
    assert [(r.title, r.text) for r in ports().standard_replies.of_unit(VC)] == [
        ("Receptet är klart", "Receptet finns på apoteket.")]
    # When he pauses it, it is not offered, but still his to resume; retired, it is gone
    status = {**base, "reply_id": reply_id}
    assert johan.post_form("/staff/case-settings/replies/status", {**status, "status": "paused"}).status_code == 303
    assert ports().standard_replies.of_unit(VC) == []
    assert "Receptet är klart" in johan.page(f"/staff/case-settings?unit={VC}")
    assert johan.post_form("/staff/case-settings/replies/status", {**status, "status": "active"}).status_code == 303
    assert len(ports().standard_replies.of_unit(VC)) == 1
    assert johan.post_form("/staff/case-settings/replies/status", {**status, "status": "retired"}).status_code == 303
    assert ports().standard_replies.of_unit(VC) == [] and "Receptet är klart" not in johan.page(f"/staff/case-settings?unit={VC}")
    assert johan.post_form("/staff/case-settings/replies", {**status, "title": "x", "text": "y"}).status_code == 404
