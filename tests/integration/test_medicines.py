"""Medicines (issue 21): Förnya recept from a list and Mina läkemedel, read from the region's care
systems (the demo's FHIR R4 sources, real HTTP servers) at each view; a renewal is a case in the
prescribing unit's queue, sent through the case machinery, once per submission id."""

from __future__ import annotations

import dataclasses
import json
import re
from datetime import datetime, time, timedelta

import pytest

from chalicelib.bootstrap import ports
from chalicelib.domain import clock
from chalicelib.domain.personnummer import parse
from chalicelib.errors import Forbidden
from chalicelib.services import cases, medicines
from chalicelib.services.principals import CitizenPrincipal
from chalicelib.settings import JournalSource
from local.care_system_fhir import HSA_ID_SYSTEM, CareSystemFhir
from tests.integration.harness import add_to_register, clock_at

KA, VC, PV = "SE2321000099-KA01", "SE2321000099-VC01", "SE2321000099-PV01"
BISOPROLOL, APIXABAN = "cosmic/MedicationRequest/med-anna-1", "cosmic/MedicationRequest/med-anna-2"


def _logged_in(region, sub: str):
    browser = region.browser()
    browser.login(sub)
    return browser


def _form_of(page: str, unit: str) -> dict[str, str]:
    """The hidden fields of the unit's renewal form on the page."""
    form = re.search(rf'<form method="post" action="/medicines/renew".*?name="unit" value="{unit}".*?</form>', page, re.S)
    assert form, unit
    return {n: re.search(rf'name="{n}" value="([^"]+)"', form.group(0)).group(1) for n in ("csrf_token", "submission_id")}


def _renew(browser, unit: str, medicines_chosen: list[str], **fields: str):
    page = browser.page("/medicines")
    body = [*_form_of(page, unit).items(), ("unit", unit), *(("medicine", m) for m in medicines_chosen),
            *fields.items()]  # fmt: skip
    return _post(browser, body)


def _post(browser, body: list[tuple[str, str]]):
    import urllib.parse

    return browser.request("POST", "/medicines/renew", headers={"Content-Type": "application/x-www-form-urlencoded"},
                           body=urllib.parse.urlencode(body).encode())  # fmt: skip


def _case_id(response) -> str:
    assert response.status_code == 303, response.body[:800]
    return response.headers["Location"].split("?")[0].rsplit("/", 1)[1]


def _citizen_id(region, pnr: str) -> str:
    return ports().identities.find(parse(pnr, region.today))


def _prescription(name: str, unit: str = VC, days_ago: int = 30) -> dict:
    authored = datetime.combine(clock.stockholm_date(clock.utc_now()) - timedelta(days=days_ago), time(10), clock.STOCKHOLM).isoformat()
    return {
        "resourceType": "MedicationRequest", "status": "active", "intent": "order",
        "medicationCodeableConcept": {"text": name}, "authoredOn": authored,
        "requester": {"type": "Organization", "identifier": {"system": HSA_ID_SYSTEM, "value": unit},
                      "display": "Vårdcentralen Norrby"},
        "dosageInstruction": [{"text": "1 tablett dagligen."}],
    }  # fmt: skip


def test_the_list_is_read_from_the_care_system_by_prescribing_unit(region):
    # Given Anna, 41, with prescriptions at the cardiology clinic, the health centre and a private clinic
    anna = _logged_in(region, "anna")
    # When she opens Läkemedel
    page = anna.page("/medicines")
    # Then what may be renewed is listed by the unit that prescribed it, structured
    assert "Bisoprolol 2,5 mg tablett" in page and "Apixaban 5 mg tablett" in page
    assert "Cetirizin 10 mg tablett" in page  # a MedicationStatement the health centre recorded
    assert "Warfarin" not in page  # stopped (utsatt): not shown
    assert "Simvastatin" not in page  # more than five years ago
    assert page.index("Kardiologmottagningen") < page.index("Privatläkarna Demo") < page.index("Vårdcentralen Norrby")
    assert "Privatläkarna Demo tar inte emot förnyelser av recept via e-tjänsterna" in page
    assert f'name="unit" value="{PV}"' not in page  # no form for a unit not on the platform
    # And Mina läkemedel shows what is prescribed now, its validity and what was dispensed
    assert "Mina läkemedel" in page and "Uttag kvar" in page and "100 tabletter" in page
    api = anna.get("/api/v1/medicines").json_body
    assert api["may_renew"] and api["may_list"] and api["failed_sources"] == []
    current = {c["prescription"]["name"]: c for c in api["current"]}
    assert set(current) == {"Bisoprolol", "Apixaban", "Omeprazol"}  # paracetamol is completed
    bisoprolol = current["Bisoprolol"]
    assert bisoprolol["prescription"]["strength"] == "2,5 mg" and bisoprolol["prescription"]["form"] == "tablett"
    assert bisoprolol["prescription"]["unit_hsa_id"] == KA and bisoprolol["prescription"]["valid_until"]
    assert len(bisoprolol["dispenses"]) == 2 and bisoprolol["withdrawals_left"] == 2  # the first and 3 more, 2 made
    assert current["Apixaban"]["withdrawals_left"] == 3
    units = {u["hsa_id"]: u for u in api["renewal_units"]}
    assert units[PV]["takes_renewals"] is False and units[KA]["takes_renewals"] is True


def test_renewing_two_makes_one_case_in_the_prescribing_units_queue_and_staff_see_both(region):
    # Given Anna on the list
    anna = _logged_in(region, "anna")
    page = anna.page("/medicines")
    body = [*_form_of(page, KA).items(), ("unit", KA), ("medicine", BISOPROLOL), ("medicine", APIXABAN),
            ("accept_terms", "yes")]  # fmt: skip
    # When she renews both, and the form is posted twice
    first, second = _post(anna, body), _post(anna, body)
    # Then one case arrives in the cardiology clinic's queue, with both medicines structured
    case_id = _case_id(first)
    assert _case_id(second) == case_id
    principal = CitizenPrincipal(_citizen_id(region, region.people["anna"].personnummer), "Anna", None, None, "x")
    assert [r.case_id for r in cases.my_cases(ports(), principal)] == [case_id]
    record = ports().cases.get(case_id)
    assert record.unit_hsa_id == KA and record.case_type_id == "fornya-recept" and record.status == "new"
    assert [(m.name, m.strength, m.form, m.dosage) for m in record.medicines] == [
        ("Bisoprolol", "2,5 mg", "tablett", "1 tablett på morgonen."),
        ("Apixaban", "5 mg", "tablett", "1 tablett morgon och kväll."),
    ]
    # And the citizen's case page shows them
    assert "Läkemedel att förnya" in anna.page(f"/cases/{case_id}?sent=1")
    # And Eva, case handler at the clinic, sees the case in the queue and the medicines as a list
    eva = region.browser()
    eva.login("eva", "staff")
    assert "Förnya recept" in eva.page(f"/staff/cases?unit={KA}")
    staff_page = eva.page(f"/staff/cases/{case_id}")
    listed = re.search(r'<ul class="medicines">(.*?)</ul>', staff_page, re.S).group(1)
    assert listed.count("<li>") == 2 and "<strong>Apixaban</strong> 5 mg, tablett" in listed
    assert "1 tablett morgon och kväll." in listed
    staff_json = eva.get(f"/api/v1/staff/cases/{case_id}").json_body
    assert [m["name"] for m in staff_json["medicines"]] == ["Bisoprolol", "Apixaban"]


def test_a_medicine_not_in_the_list_goes_as_free_text_and_nothing_chosen_is_refused(region):
    anna = _logged_in(region, "anna")
    page = anna.page("/medicines")
    fields = _form_of(page, VC)
    # When she sends nothing chosen and no terms accepted: told beside the form, nothing written
    refused = _post(anna, [*fields.items(), ("unit", VC)])
    assert refused.status_code == 400
    assert "Välj minst ett läkemedel" in refused.body.decode() and "godkänna villkoren" in refused.body.decode()
    principal = CitizenPrincipal(_citizen_id(region, region.people["anna"].personnummer), "Anna", None, None, "x")
    assert cases.my_cases(ports(), principal) == []
    # When she writes the medicine that is not in the list
    case_id = _case_id(_post(anna, [*fields.items(), ("unit", VC), ("not_listed", "Levaxin 50 mikrogram tablett"),
                                    ("accept_terms", "yes")]))  # fmt: skip
    # Then the health centre gets it as text
    record = ports().cases.get(case_id)
    assert record.unit_hsa_id == VC and not record.medicines
    assert [(a.label, a.answer) for a in record.answers] == [("Läkemedel som inte finns i listan",
                                                             "Levaxin 50 mikrogram tablett")]  # fmt: skip


def test_a_unit_not_on_the_platform_is_named_and_nothing_is_written(region):
    anna = _logged_in(region, "anna")
    page = anna.page("/medicines")
    fields = _form_of(page, KA)  # any form's csrf and a fresh id: the private clinic has none
    response = _post(anna, [*fields.items(), ("unit", PV), ("medicine", "cosmic/MedicationRequest/med-anna-5"),
                            ("accept_terms", "yes")])  # fmt: skip
    assert response.status_code == 422
    assert "Privatläkarna Demo tar inte emot ärenden här. Kontakta mottagningen direkt." in response.body.decode()
    principal = CitizenPrincipal(_citizen_id(region, region.people["anna"].personnummer), "Anna", None, None, "x")
    assert cases.my_cases(ports(), principal) == []


def test_a_medicine_of_another_unit_or_not_in_the_list_is_refused(region):
    anna = _logged_in(region, "anna")
    fields = _form_of(anna.page("/medicines"), VC)
    for key in (BISOPROLOL, "cosmic/MedicationRequest/med-anna-4", "cosmic/MedicationRequest/nope"):
        response = _post(anna, [*fields.items(), ("unit", VC), ("medicine", key), ("accept_terms", "yes")])
        assert response.status_code == 400 and "finns inte längre i listan" in response.body.decode(), key


def test_15_cannot_renew_from_the_list_and_from_the_16th_birthday_can(region, care_systems, monkeypatch):
    tomorrow = region.today + timedelta(days=1)
    if (tomorrow.month, tomorrow.day) == (2, 29):
        pytest.skip("a 16th birthday on 29 February is unit-tested")
    born = tomorrow.replace(year=tomorrow.year - 16)
    pnr = add_to_register(region, "Siri", born, "323")
    care_systems["cosmic"].add(pnr, [_prescription("Desogestrel 75 mikrogram tablett")])
    browser = region.browser()
    browser.login("turning-16")
    midnight = datetime.combine(tomorrow, time(0, 0), tzinfo=clock.STOCKHOLM)
    clock_at(monkeypatch, browser, midnight - timedelta(seconds=1))
    page = browser.page("/medicines")
    assert "Desogestrel" not in page and "från den dag du fyller 16 år" in page
    refused = _post(browser, [("csrf_token", browser.csrf_token()), ("unit", VC), ("submission_id", "siri-0001"),
                              ("not_listed", "Desogestrel"), ("accept_terms", "yes")])  # fmt: skip
    assert refused.status_code == 403
    clock_at(monkeypatch, browser, midnight)
    page = browser.page("/medicines")
    assert "Desogestrel 75 mikrogram tablett" in page
    assert "från den dag du fyller 18 år" in page  # but not Mina läkemedel
    _case_id(_renew(browser, VC, [f"cosmic/MedicationRequest/{_only_id(care_systems, pnr)}"], accept_terms="yes"))


def _only_id(care_systems, pnr: str) -> str:
    bundle = care_systems["cosmic"].search("MedicationRequest", [
        ("patient.identifier", f"http://electronichealth.se/identifier/personnummer|{pnr}")])  # fmt: skip
    return bundle["entry"][0]["resource"]["id"]


def test_a_17_year_old_renews_but_sees_no_mina_lakemedel(region, care_systems):
    born = region.today - timedelta(days=17 * 365 + 30)
    pnr = add_to_register(region, "Sam", born, "345")
    care_systems["cosmic"].add(pnr, [_prescription("Isotretinoin 20 mg kapsel")])
    principal = CitizenPrincipal(_citizen_id(region, pnr), "Sam Test", None, None, "x")
    now = clock.utc_now()
    found = medicines.overview(ports(), principal, now)
    assert found.may_renew and not found.may_list and found.current == []
    (unit,) = found.renewal_units
    key = unit.prescriptions[0].key
    renewal = medicines.renew(ports(), principal, VC, [key], {"submission_id": "sam-00001", "accept_terms": "yes"}, now)
    assert ports().cases.get(renewal.case_id).medicines[0].name == "Isotretinoin 20 mg kapsel"


def test_a_guardian_acting_for_her_9_year_old_renews_and_sees_her_medicines(region):
    # Given Karin acting for Elsa, 9
    karin = _logged_in(region, "karin")
    me = karin.get("/api/v1/me").json_body
    elsa_id = next(c["child_id"] for c in me["can_act_for"] if c["given_name"] == "Elsa")
    assert karin.post_form("/act-for", {"person": elsa_id, "csrf_token": karin.csrf_token()}).status_code == 303
    # When she opens Läkemedel
    page = karin.page("/medicines")
    # Then Elsa's prescription and what was dispensed on it show
    assert "Desloratadin 0,5 mg/ml oral lösning" in page and "150 ml" in page
    # And she can renew it: the case is Elsa's, sent by Karin, at the health centre
    case_id = _case_id(_renew(karin, VC, ["cosmic/MedicationRequest/med-elsa-1"], accept_terms="yes"))
    record = ports().cases.get(case_id)
    assert record.citizen_id == elsa_id and record.sent_by_id != elsa_id and record.unit_hsa_id == VC


def test_a_source_that_does_not_answer_is_named_and_the_rest_shown(region, care_systems, monkeypatch):
    # Given a second care system (a private clinic's) holding one of Anna's prescriptions
    anna_pnr = region.people["anna"].personnummer
    private = CareSystemFhir("Privatvårdens system", {}, client_id="eservices-journal", client_secret="s3cret-private",
                             types=("MedicationRequest",))  # fmt: skip
    private.add(anna_pnr, [_prescription("Atorvastatin 40 mg tablett", unit=KA)])
    private.start()
    try:
        monkeypatch.setenv("JOURNAL_SOURCE_PRIVATE_SECRET", "s3cret-private")
        extra = JournalSource(id="private", name=private.name, base_url=private.base_url, types=("MedicationRequest",),
                              auth="client_credentials", token_url=private.token_url, client_id="eservices-journal")
        settings = ports().settings
        monkeypatch.setattr(ports(), "settings", dataclasses.replace(
            settings, journal_sources=(*settings.journal_sources, extra)))  # fmt: skip
        anna = _logged_in(region, "anna")
        care_systems["cosmic"].fail_with(503)
        try:
            page = anna.page("/medicines")
            api = anna.get("/api/v1/medicines").json_body
        finally:
            care_systems["cosmic"].fail_with(None)
    finally:
        private.stop()
    # Then the one down is named and the other's medicines are shown
    assert "Läkemedlen kunde inte hämtas från Cosmic, Region Demo just nu" in page
    assert "Atorvastatin 40 mg tablett" in page and "Bisoprolol" not in page
    assert api["failed_sources"] == ["Cosmic, Region Demo"]


def test_a_renewal_while_the_source_is_down_is_refused_and_nothing_written(region, care_systems):
    anna = _logged_in(region, "anna")
    fields = _form_of(anna.page("/medicines"), KA)
    care_systems["cosmic"].fail_with(503)
    try:
        response = _post(anna, [*fields.items(), ("unit", KA), ("medicine", BISOPROLOL), ("accept_terms", "yes")])
    finally:
        care_systems["cosmic"].fail_with(None)
    assert response.status_code == 503 and "kunde inte hämtas just nu" in response.body.decode()
    principal = CitizenPrincipal(_citizen_id(region, region.people["anna"].personnummer), "Anna", None, None, "x")
    assert cases.my_cases(ports(), principal) == []


def test_no_personnummer_in_a_source_url_and_each_type_asked_once(region, care_systems):
    anna = _logged_in(region, "anna")
    cosmic = care_systems["cosmic"]
    cosmic.clear_requests()
    anna.page("/medicines")
    asked = [r for r in cosmic.requests if r[2] and r[2].startswith("Medication")]
    assert sorted(r[2] for r in asked) == ["MedicationDispense", "MedicationRequest", "MedicationStatement"]
    assert all(r[0] == "POST" and r[1].endswith("/_search") for r in asked)
    digits = region.people["anna"].personnummer
    assert not [r for r in cosmic.requests if digits in r[1] or digits[2:] in r[1]]


def test_the_json_api_renews_once_per_submission_id(region):
    anna = _logged_in(region, "anna")
    csrf = anna.csrf_token()
    body = json.dumps({"submission_id": "app-renewal-0001", "unit_hsa_id": KA, "accept_terms": True,
                       "medicines": [APIXABAN]}).encode()  # fmt: skip
    headers = {"Content-Type": "application/json", "X-CSRF-Token": csrf}
    first = anna.request("POST", "/api/v1/medicines/renewals", headers=headers, body=body)
    second = anna.request("POST", "/api/v1/medicines/renewals", headers=headers, body=body)
    assert first.status_code == 201 and first.json_body == second.json_body
    case = anna.get(f"/api/v1/cases/{first.json_body['case_id']}").json_body
    assert case["medicines"] == [{"name": "Apixaban", "strength": "5 mg", "form": "tablett",
                                  "dosage": "1 tablett morgon och kväll."}]  # fmt: skip
    pv = anna.request("POST", "/api/v1/medicines/renewals", headers=headers, body=json.dumps({
        "submission_id": "app-renewal-0002", "unit_hsa_id": PV, "accept_terms": True,
        "medicines": ["cosmic/MedicationRequest/med-anna-5"]}).encode())  # fmt: skip
    assert pv.status_code == 422 and pv.json_body["code"] == "unit_not_on_platform"


def test_someone_not_in_the_register_is_told_so_and_may_not_renew(region, care_systems):
    newcomer = _logged_in(region, "newcomer")
    assert "Vi hittar inte dina uppgifter i regionens register" in newcomer.page("/medicines")
    principal = CitizenPrincipal("nobody", "Nora", None, None, "x")
    with pytest.raises(Forbidden):
        medicines.renew(ports(), principal, VC, [], {"not_listed": "x", "accept_terms": "yes",
                                                    "submission_id": "nora-0001"}, clock.utc_now())  # fmt: skip
