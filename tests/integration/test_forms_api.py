"""Forms (formulär) in the citizen's JSON API (/api/v1/forms): the same forms, the same rules as the
pages (services/forms.py), so a phone app can list them, render the Questionnaire a page at a time,
keep a draft, send once, and a guardian acts for a child under 13 and for no one else."""

from __future__ import annotations

import json

from chalicelib.api.openapi import openapi_document
from chalicelib.bootstrap import ports
from tests.integration.test_forms import TWO_PAGES, _publish, _request_of, _send
from tests.integration.test_openapi_contract import _validator
from tests.integration.test_summons import _citizen_id, _logged_in


def _json_headers(browser, lang: str = "sv") -> dict[str, str]:
    return {"Content-Type": "application/json", "X-CSRF-Token": browser.csrf_token(), "Accept-Language": lang}


def _post(browser, request_id: str, page: int, step: str, lang: str = "sv", **answers):
    body = {"page": page, "step": step, "answers": {k: v if isinstance(v, list) else [v] for k, v in answers.items()}}
    return browser.request("POST", f"/api/v1/forms/{request_id}/answers", headers=_json_headers(browser, lang),
                           body=json.dumps(body).encode())  # fmt: skip


def _matches(response, method: str, path: str) -> None:
    _validator(openapi_document(), method, path, str(response.status_code)).validate(response.json_body)


def test_a_form_is_listed_read_filled_page_by_page_and_sent_once_through_the_api(region):
    # Given a form of two pages sent to Anna
    _publish(TWO_PAGES, "infor-besoket")
    _send(region, "infor-besoket", "anna")
    request_id = _request_of(region, "anna")
    anna = _logged_in(region, "anna")

    # When she lists her forms (in English) - Then it is there, to fill in, titled in her language
    listed = anna.request("GET", "/api/v1/forms", headers={"Accept-Language": "en"})
    assert listed.status_code == 200
    _matches(listed, "get", "/api/v1/forms")
    (row,) = listed.json_body["forms"]
    assert row["request_id"] == request_id and row["title"] == "Before your visit"
    assert (row["status"], row["overdue"], row["answered_at"]) == ("sent", False, None)
    assert row["unit_name"] == "Vårdcentralen Norrby" and listed.json_body["next_cursor"] is None

    # The form: the Questionnaire as stored, its pages, what is asked now, no draft yet
    form = anna.get(f"/api/v1/forms/{request_id}")
    assert form.status_code == 200
    _matches(form, "get", "/api/v1/forms/{request_id}")
    body = form.json_body
    assert body["questionnaire"]["resourceType"] == "Questionnaire" and body["questionnaire"]["version"] == "1"
    assert body["pages"] == [["roker", "cigaretter"], ["mar", "ovrigt"]]
    assert body["enabled"] == ["roker", "mar", "ovrigt"]  # the number of cigarettes only for a smoker
    assert (body["response"], body["may_answer"], body["title"]) == (None, True, "Inför besöket")

    # She smokes: saved as a draft, the page stays, and the number is asked now
    saved = _post(anna, request_id, 1, "save", roker="true")
    assert saved.status_code == 200 and saved.json_body == {"page": 1, "sent": False, "more_asked": False}
    _matches(saved, "post", "/api/v1/forms/{request_id}/answers")
    body = anna.get(f"/api/v1/forms/{request_id}").json_body
    assert "cigaretter" in body["enabled"]
    assert body["response"]["resourceType"] == "QuestionnaireResponse" and body["response"]["status"] == "in-progress"

    # A number that is not a whole number: 400 in the one error shape, the field named, in her language
    wrong = _post(anna, request_id, 1, "next", roker="true", cigaretter="3,5")
    assert wrong.status_code == 400
    _matches(wrong, "post", "/api/v1/forms/{request_id}/answers")
    assert (wrong.json_body["code"], wrong.json_body["field"]) == ("form_invalid", "cigaretter")
    assert [(e["field"], "heltal" in e["message"]) for e in wrong.json_body["errors"]] == [("cigaretter", True)]
    english = _post(anna, request_id, 1, "next", "en", roker="true", cigaretter="3,5")
    assert english.status_code == 400 and "heltal" not in english.json_body["errors"][0]["message"]

    # A page the form does not have, a step it does not know
    assert _post(anna, request_id, 3, "save").json_body["code"] == "page_invalid"
    assert _post(anna, request_id, 1, "jump").json_body["code"] == "value_not_allowed"

    # On to page 2; sending with a required answer missing names it
    assert _post(anna, request_id, 1, "next", roker="true", cigaretter="10").json_body["page"] == 2
    missing = _post(anna, request_id, 2, "send", ovrigt="Inget")
    assert missing.status_code == 400 and missing.json_body["field"] == "mar"
    assert ports().form_requests.get(request_id).status == "sent"

    # Sent
    sent = _post(anna, request_id, 2, "send", mar="bra", ovrigt="Inget")
    assert sent.status_code == 200 and sent.json_body["sent"] is True
    body = anna.get(f"/api/v1/forms/{request_id}").json_body
    assert (body["status"], body["may_answer"], body["response"]["status"]) == ("answered", False, "completed")
    answers = {i["linkId"]: i["answer"] for group in body["response"]["item"] for i in group["item"]}
    assert answers["cigaretter"] == [{"valueInteger": 10}]
    assert anna.get("/api/v1/forms").json_body["forms"][0]["status"] == "answered"

    # Sending again changes nothing
    again = _post(anna, request_id, 2, "send", mar="daligt")
    assert again.status_code == 409 and again.json_body["code"] == "form_already_sent"
    assert json.loads(ports().form_requests.get(request_id).response)["item"][1]["item"][0]["answer"][0][
        "valueCoding"]["code"] == "bra"  # fmt: skip

    # A write without the CSRF header is refused
    bare = anna.request("POST", f"/api/v1/forms/{request_id}/answers", headers={"Content-Type": "application/json"},
                        body=b'{"page": 1, "step": "save"}')  # fmt: skip
    assert bare.status_code == 403 and bare.json_body["code"] == "csrf_failed"


def test_a_guardian_fills_a_childs_form_and_no_one_elses(region):
    # Given forms sent to Elsa (9) and Olle (14), Karin's children
    _publish(TWO_PAGES, "infor-besoket")
    _send(region, "infor-besoket", "elsa", "olle")
    elsa_request, olle_request = _request_of(region, "elsa"), _request_of(region, "olle")
    karin = _logged_in(region, "karin")

    # As herself Karin sees neither
    assert karin.get("/api/v1/forms").json_body["forms"] == []
    assert karin.get(f"/api/v1/forms/{elsa_request}").status_code == 404

    # Acting for Elsa she sees and sends Elsa's form
    acting = karin.request("PUT", "/api/v1/acting-for", headers=_json_headers(karin),
                           body=json.dumps({"child_id": _citizen_id(region, "elsa")}).encode())  # fmt: skip
    assert acting.status_code == 200
    assert [f["request_id"] for f in karin.get("/api/v1/forms").json_body["forms"]] == [elsa_request]
    assert karin.get(f"/api/v1/forms/{elsa_request}").status_code == 200
    assert _post(karin, elsa_request, 1, "next", roker="false").json_body["page"] == 2
    assert _post(karin, elsa_request, 2, "send", mar="bra").json_body["sent"] is True
    assert ports().form_requests.get(elsa_request).answered_by == _citizen_id(region, "karin")

    # Olle's is his own (he is 14): not found, and nothing is written
    assert karin.get(f"/api/v1/forms/{olle_request}").status_code == 404
    refused = _post(karin, olle_request, 1, "save", roker="true")
    assert refused.status_code == 404 and refused.json_body["code"] == "form_not_found"
    assert ports().form_requests.get(olle_request).draft is None
