"""The citizen's JSON API beside the pages (issue 17): a phone app sees and may do what the pages show,
under the same rules — the start overview, cases, self-tests — with bad input refused before anything
is written and another person's data answered as not found."""

from __future__ import annotations

import json

from chalicelib.bootstrap import ports
from chalicelib.domain.personnummer import parse

VC = "SE2321000099-VC01"


def _app(region, sub: str):
    browser = region.browser()
    browser.login(sub)
    return browser, {"Content-Type": "application/json", "X-CSRF-Token": browser.csrf_token()}


def _send(browser, headers, body, path=f"/api/v1/case-units/{VC}/case-types/skicka-meddelande/cases"):
    return browser.request("POST", path, headers=headers, body=json.dumps(body).encode())


def _act_for(browser, headers, region, child: str):
    child_id = ports().identities.find(parse(region.people[child].personnummer, region.today))
    return browser.request("PUT", "/api/v1/acting-for", headers=headers,
                           body=json.dumps({"child_id": child_id}).encode()), child_id  # fmt: skip


def test_a_citizen_finds_a_unit_sees_its_case_types_sends_a_case_and_reads_it(region):
    anna, headers = _app(region, "anna")
    units = anna.get("/api/v1/case-units?q=norrby").json_body["units"]
    assert [u["hsa_id"] for u in units] == [VC]
    offered = anna.get(f"/api/v1/case-units/{VC}/case-types").json_body
    renewal = next(t for t in offered["case_types"] if t["case_type_id"] == "fornya-recept")
    assert {q["question_id"]: q["kind"] for q in renewal["questions"]}["form"] == "choice"
    sent = _send(anna, headers, {"submission_id": "app-case-0001", "accept_terms": True,
                                 "answers": {"fraga": "Hur länge ska jag ta medicinen?"}})  # fmt: skip
    assert sent.status_code == 201, sent.body[:400]
    case_id = sent.json_body["case_id"]
    again = _send(anna, headers, {"submission_id": "app-case-0001", "accept_terms": True,
                                  "answers": {"fraga": "Hur länge ska jag ta medicinen?"}})  # fmt: skip
    assert again.json_body["case_id"] == case_id  # the same submission sends once
    listed = anna.get("/api/v1/cases").json_body
    assert [c["case_id"] for c in listed["cases"]] == [case_id] and listed["next_cursor"] is None
    shown = anna.get(f"/api/v1/cases/{case_id}").json_body
    assert shown["status"] == "new" and shown["answers"][0]["answer"] == "Hur länge ska jag ta medicinen?"
    assert shown["may_reply"] is False
    refused = anna.request("POST", f"/api/v1/cases/{case_id}/reply", headers=headers, body=b'{"text": "Hallo?"}')
    assert refused.status_code == 422 and refused.json_body["code"] == "case_not_waiting"


def test_each_wrong_answer_is_named_and_nothing_is_sent(region):
    anna, headers = _app(region, "anna")
    path = f"/api/v1/case-units/{VC}/case-types/fornya-recept/cases"
    wrong = _send(anna, headers, {"submission_id": "app-case-0002", "accept_terms": False,
                                  "answers": {"form": "pulver"}}, path)  # fmt: skip
    assert wrong.status_code == 400 and wrong.json_body["code"] == "form_invalid"
    assert {e["field"] for e in wrong.json_body["errors"]} >= {"lakemedel", "form", "terms"}
    for body, field in (({"accept_terms": True}, "submission_id"),
                        ({"submission_id": "app-case-0003", "accept_terms": "yes"}, "accept_terms"),
                        ({"submission_id": "app-case-0003", "accept_terms": True, "answers": {"form": ["a"]}},
                         "answers[...]"),  # msgspec names a map's value, not its key
                        ({"submission_id": "app-case-0003", "accept_terms": True, "extra": 1}, "extra")):  # fmt: skip
        response = _send(anna, headers, body, path)
        assert response.status_code == 400 and response.json_body["field"] == field, response.json_body
    english = anna.request("POST", path, headers={**headers, "Accept-Language": "en"}, body=b'{"accept_terms": true}')
    assert english.json_body["message"] == "The field submission_id is required."
    assert anna.get("/api/v1/cases").json_body["cases"] == []


def test_another_persons_case_is_not_found(region):
    anna, headers = _app(region, "anna")
    case_id = _send(anna, headers, {"submission_id": "app-case-0004", "accept_terms": True,
                                    "answers": {"fraga": "Fråga"}}).json_body["case_id"]  # fmt: skip
    ali, ali_headers = _app(region, "ali")
    assert ali.get(f"/api/v1/cases/{case_id}").status_code == 404
    reply = ali.request("POST", f"/api/v1/cases/{case_id}/reply", headers=ali_headers, body=b'{"text": "x"}')
    assert reply.status_code == 404 and reply.json_body["code"] == "case_not_found"


def test_a_guardian_acts_for_a_child_under_13_but_not_for_a_13_year_old(region):
    karin, headers = _app(region, "karin")
    start = karin.get("/api/v1/start").json_body
    assert [c["given_name"] for c in start["children"]] == ["Elsa"] and start["acting_for"] is None
    refused, _ = _act_for(karin, headers, region, "olle")
    assert refused.status_code == 403
    acting, elsa_id = _act_for(karin, headers, region, "elsa")
    assert acting.status_code == 200
    assert karin.get("/api/v1/start").json_body["acting_for"]["child_id"] == elsa_id
    sent = _send(karin, headers, {"submission_id": "app-case-0005", "accept_terms": True,
                                  "answers": {"fraga": "Elsa har ont i örat."}})  # fmt: skip
    assert sent.status_code == 201
    record = ports().cases.get(sent.json_body["case_id"])
    assert record.citizen_id == elsa_id
    karin.request("DELETE", "/api/v1/acting-for", headers=headers)
    assert karin.get(f"/api/v1/cases/{record.case_id}").status_code == 404
    assert karin.get("/api/v1/cases").json_body["cases"] == []


def test_self_tests_catalogue_order_once_and_follow_the_order(region):
    anna, headers = _app(region, "anna")
    tests = {t["test_id"]: t for t in anna.get("/api/v1/self-tests").json_body["tests"]}
    covid = tests["covid-pcr"]
    assert covid["may_order"] is True and "pickup" in covid["deliveries"]
    path = "/api/v1/self-tests/covid-pcr/orders"
    bad = anna.request("POST", path, headers=headers, body=json.dumps(
        {"submission_id": "app-order-0001", "delivery": "drone"}).encode())  # fmt: skip
    assert bad.status_code == 400 and bad.json_body["field"] == "delivery"
    assert anna.get("/api/v1/self-tests/orders").json_body["orders"] == []
    body = {"submission_id": "app-order-0002", "delivery": "pickup", "pickup_point": covid["pickup_points"][0]}
    ordered = anna.request("POST", path, headers=headers, body=json.dumps(body).encode())
    assert ordered.status_code == 201, ordered.body[:400]
    second = anna.request("POST", path, headers=headers, body=json.dumps({**body, "submission_id": "app-order-0003"}).encode())
    assert second.status_code == 409 and second.json_body["code"] == "order_open"
    orders = anna.get("/api/v1/self-tests/orders").json_body["orders"]
    assert [(o["order_id"], o["status"], o["result"]) for o in orders] == [(ordered.json_body["order_id"], "ordered", None)]
    assert anna.get("/api/v1/self-tests").json_body["tests"][0]["open_order"] in (True, False)
    order_id = ordered.json_body["order_id"]
    # The sample-taken step: not before the kit is sent; then once, and only by the one it was ordered for
    sample = f"/api/v1/self-tests/orders/{order_id}/sample"
    early = anna.request("POST", sample, headers=headers)
    assert early.status_code == 422 and early.json_body["code"] == "order_not_sent"
    assert region.integration("POST", f"/integration/v1/kit-orders/{order_id}/sent", {"kit_number": "APP-0001"}).status_code == 200
    ali, ali_headers = _app(region, "ali")
    assert ali.request("POST", sample, headers=ali_headers).status_code == 404
    taken = anna.request("POST", sample, headers=headers)
    assert taken.status_code == 200 and taken.json_body == {"order_id": order_id}
    (order,) = anna.get("/api/v1/self-tests/orders").json_body["orders"]
    assert order["status"] == "sample_registered" and order["kit_number"] == "APP-0001"
    assert anna.request("POST", sample, headers={"Content-Type": "application/json"}).status_code == 403  # no CSRF
