"""The demo care system's FHIR R4 endpoint (local/care_system_fhir.py) over real HTTP: tokens, search
by POST and GET, paging by count and date, the errors, and the faults a test can switch on."""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.parse
import urllib.request

import pytest

from local.care_system_fhir import PERSONNUMMER_SYSTEM, SAMORDNINGSNUMMER_SYSTEM, CareSystemFhir

PNR = "194512309876"  # made up for this test; not one of Region Demo's people
OTHER = "196001012468"
COORDINATION = "198811672345"
UNIT = {"type": "Organization", "identifier": {"system": "urn:oid:1.2.752.29.4.19", "value": "SE2321000099-VC01"},
        "display": "Vårdcentralen Norrby"}  # fmt: skip


def note(day: str, text: str = "Anteckning") -> dict:
    return {
        "resourceType": "DocumentReference",
        "status": "current",
        "date": f"2024-05-{day}T10:00:00+02:00",
        "custodian": UNIT,
        "content": [{"attachment": {"contentType": "text/plain; charset=utf-8",
                                    "data": base64.b64encode(text.encode()).decode()}}],
    }  # fmt: skip


def lab(day: str, category: str = "laboratory") -> dict:
    return {
        "resourceType": "Observation",
        "status": "final",
        "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category",
                                  "code": category}]}],
        "code": {"text": "P-Kalium"},
        "effectiveDateTime": f"2024-05-{day}T08:00:00Z",
        "performer": [UNIT],
    }  # fmt: skip


@pytest.fixture
def source():
    care_system = CareSystemFhir(
        "Testkällan",
        {PNR: [note(f"{d:02d}", f"Anteckning {d}") for d in range(1, 6)] + [lab("02"), lab("03", "vital-signs")]},
        client_id="eservices-journal",
        client_secret="s3cret",
    )
    care_system.add(OTHER, [note("04", "Någon annans")])
    care_system.start()
    yield care_system
    care_system.stop()


def call(method: str, url: str, *, token: str | None = None, form: dict | None = None,
         headers: dict | None = None) -> tuple[int, dict, dict]:  # fmt: skip
    sent = dict(headers or {})
    if token:
        sent["Authorization"] = f"Bearer {token}"
    data = None
    if form is not None:
        data = urllib.parse.urlencode(form).encode()
        sent.setdefault("Content-Type", "application/x-www-form-urlencoded")
    request = urllib.request.Request(url, data=data, method=method, headers=sent)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), json.loads(error.read())


def token_for(source: CareSystemFhir, client_id: str = "eservices-journal", secret: str = "s3cret") -> tuple[int, dict]:
    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    status, _, body = call("POST", source.token_url, form={"grant_type": "client_credentials"},
                           headers={"Authorization": f"Basic {basic}"})  # fmt: skip
    return status, body


@pytest.fixture
def token(source):
    status, body = token_for(source)
    assert status == 200
    return body["access_token"]


def notes_text(bundle: dict) -> list[str]:
    return [base64.b64decode(e["resource"]["content"][0]["attachment"]["data"]).decode() for e in bundle["entry"]]


def test_client_credentials_give_a_bearer_token(source):
    status, body = token_for(source)
    assert status == 200
    assert body["token_type"] == "Bearer" and body["expires_in"] == 300 and len(body["access_token"]) >= 32
    assert token_for(source, secret="wrong")[0] == 401
    assert token_for(source, client_id="someone-else")[0] == 401


def test_post_search_by_personnummer_answers_a_searchset_newest_first(source, token):
    status, headers, bundle = call("POST", f"{source.base_url}/DocumentReference/_search", token=token,
                                   form={"patient.identifier": f"{PERSONNUMMER_SYSTEM}|{PNR}"})  # fmt: skip
    assert status == 200
    assert headers["Content-Type"].startswith("application/fhir+json")
    assert bundle["resourceType"] == "Bundle" and bundle["type"] == "searchset" and bundle["total"] == 5
    assert notes_text(bundle) == [f"Anteckning {d}" for d in (5, 4, 3, 2, 1)]
    assert all(e["search"] == {"mode": "match"} for e in bundle["entry"])
    assert all(e["fullUrl"] == f"{source.base_url}/DocumentReference/{e['resource']['id']}" for e in bundle["entry"])
    assert bundle["link"] == [{"relation": "self", "url": f"{source.base_url}/DocumentReference"}]
    assert PNR not in json.dumps(bundle["link"])
    # The subject is the person's Patient, which carries the identifier.
    patient_ref = bundle["entry"][0]["resource"]["subject"]["reference"]
    status, _, patient = call("GET", f"{source.base_url}/{patient_ref}", token=token)
    assert status == 200
    assert patient["identifier"] == [{"system": PERSONNUMMER_SYSTEM, "value": PNR}]


def test_get_search_and_paging_by_count_and_date(source, token):
    query = urllib.parse.urlencode({"patient.identifier": f"{PERSONNUMMER_SYSTEM}|{PNR}", "_count": 2,
                                    "_sort": "-date"})  # fmt: skip
    status, _, first = call("GET", f"{source.base_url}/DocumentReference?{query}", token=token)
    assert status == 200 and first["total"] == 5
    assert notes_text(first) == ["Anteckning 5", "Anteckning 4"]
    # The next page: older than the last one shown.
    boundary = first["entry"][-1]["resource"]["date"]
    status, _, second = call("POST", f"{source.base_url}/DocumentReference/_search", token=token,
                             form={"patient.identifier": f"{PERSONNUMMER_SYSTEM}|{PNR}", "_count": "2",
                                   "date": f"lt{boundary}"})  # fmt: skip
    assert status == 200 and second["total"] == 3
    assert notes_text(second) == ["Anteckning 3", "Anteckning 2"]
    # The same boundary in UTC, and the other prefixes.
    status, _, utc = call("POST", f"{source.base_url}/DocumentReference/_search", token=token,
                          form={"patient.identifier": f"{PERSONNUMMER_SYSTEM}|{PNR}", "date": "le2024-05-03T08:00:00Z"})
    assert notes_text(utc) == ["Anteckning 3", "Anteckning 2", "Anteckning 1"]
    status, _, window = call("POST", f"{source.base_url}/DocumentReference/_search", token=token,
                             form=[("patient.identifier", f"{PERSONNUMMER_SYSTEM}|{PNR}"),
                                   ("date", "gt2024-05-02T08:00:00Z"), ("date", "lt2024-05-05")])  # fmt: skip
    assert notes_text(window) == ["Anteckning 4", "Anteckning 3"]
    # _count above 100 is 100.
    status, _, many = call("POST", f"{source.base_url}/DocumentReference/_search", token=token,
                           form={"patient.identifier": f"{PERSONNUMMER_SYSTEM}|{PNR}", "_count": "1000"})
    assert status == 200 and len(many["entry"]) == 5


def test_only_the_persons_own_resources_and_observation_category(source, token):
    status, _, other = call("POST", f"{source.base_url}/DocumentReference/_search", token=token,
                            form={"patient.identifier": f"{PERSONNUMMER_SYSTEM}|{OTHER}"})
    assert notes_text(other) == ["Någon annans"]
    status, _, nobody = call("POST", f"{source.base_url}/DocumentReference/_search", token=token,
                             form={"patient.identifier": f"{PERSONNUMMER_SYSTEM}|191212121212"})
    assert status == 200 and nobody["total"] == 0 and nobody["entry"] == []
    # The right number under the wrong system is nobody.
    status, _, wrong_system = call("POST", f"{source.base_url}/DocumentReference/_search", token=token,
                                   form={"patient.identifier": f"{SAMORDNINGSNUMMER_SYSTEM}|{PNR}"})
    assert wrong_system["total"] == 0
    status, _, labs = call("POST", f"{source.base_url}/Observation/_search", token=token,
                           form={"patient.identifier": f"{PERSONNUMMER_SYSTEM}|{PNR}", "category": "laboratory"})
    assert status == 200 and labs["total"] == 1
    assert labs["entry"][0]["resource"]["effectiveDateTime"] == "2024-05-02T08:00:00Z"


def test_a_person_added_at_runtime_with_a_samordningsnummer(source, token):
    patient_id = source.add(COORDINATION, [note("20", "Ny patient")], coordination=True)
    status, _, bundle = call("POST", f"{source.base_url}/DocumentReference/_search", token=token,
                             form={"patient.identifier": f"{SAMORDNINGSNUMMER_SYSTEM}|{COORDINATION}"})
    assert notes_text(bundle) == ["Ny patient"]
    assert bundle["entry"][0]["resource"]["subject"]["reference"] == f"Patient/{patient_id}"
    status, _, patients = call("POST", f"{source.base_url}/Patient/_search", token=token,
                               form={"identifier": f"{SAMORDNINGSNUMMER_SYSTEM}|{COORDINATION}"})
    assert [e["resource"]["id"] for e in patients["entry"]] == [patient_id]


@pytest.mark.parametrize("authorization", [None, "Bearer not-a-token-it-issued", "Basic ZXNlcnZpY2VzOnMzY3JldA=="])
def test_a_missing_or_wrong_token_is_401(source, authorization):
    headers = {"Authorization": authorization} if authorization else {}
    status, response_headers, body = call("POST", f"{source.base_url}/DocumentReference/_search", headers=headers,
                                          form={"patient.identifier": f"{PERSONNUMMER_SYSTEM}|{PNR}"})
    assert status == 401
    assert body["resourceType"] == "OperationOutcome" and body["issue"][0]["severity"] == "error"
    assert response_headers["WWW-Authenticate"].startswith("Bearer")


def test_an_expired_token_is_401(source, token):
    form = {"patient.identifier": f"{PERSONNUMMER_SYSTEM}|{PNR}"}
    assert call("POST", f"{source.base_url}/DocumentReference/_search", token=token, form=form)[0] == 200
    source.expire_tokens()
    status, _, body = call("POST", f"{source.base_url}/DocumentReference/_search", token=token, form=form)
    assert status == 401 and body["resourceType"] == "OperationOutcome"


def test_a_token_lives_as_long_as_it_says():
    with CareSystemFhir("Kortlivad", {}, client_id="c", client_secret="s", token_lifetime=0) as short:
        status, body = token_for(short, "c", "s")
        assert status == 200 and body["expires_in"] == 0
        assert call("GET", f"{short.base_url}/Patient?_id=x", token=body["access_token"])[0] == 401


def test_unknown_parameter_is_400_and_unknown_type_404(source, token):
    form = {"patient.identifier": f"{PERSONNUMMER_SYSTEM}|{PNR}"}
    status, _, body = call("POST", f"{source.base_url}/DocumentReference/_search", token=token,
                           form={**form, "subject:missing": "true"})
    assert status == 400 and body["resourceType"] == "OperationOutcome"
    assert "subject:missing" in body["issue"][0]["diagnostics"]
    # Condition's date parameter is recorded-date: its `date` is unknown.
    assert call("POST", f"{source.base_url}/Condition/_search", token=token, form={**form, "date": "lt2024"})[0] == 400
    assert call("POST", f"{source.base_url}/Condition/_search", token=token,
                form={**form, "recorded-date": "lt2024"})[0] == 200  # fmt: skip
    # Without a prefix, or with one it does not know.
    assert call("POST", f"{source.base_url}/DocumentReference/_search", token=token,
                form={**form, "date": "2024-05-01"})[0] == 400  # fmt: skip
    # FHIR's lenient handling, when asked for.
    status, _, bundle = call("POST", f"{source.base_url}/DocumentReference/_search", token=token,
                             form={**form, "subject:missing": "true"}, headers={"Prefer": "handling=lenient"})
    assert status == 200 and bundle["total"] == 5
    status, _, body = call("POST", f"{source.base_url}/Encounter/_search", token=token, form=form)
    assert status == 404 and body["resourceType"] == "OperationOutcome"
    # Neither the answer nor the request log holds the personnummer.
    assert PNR not in json.dumps(body)
    assert all(PNR not in path for _, path, _ in source.requests)


def test_metadata_is_a_capability_statement(source):
    status, _, capability = call("GET", f"{source.base_url}/metadata")
    assert status == 200
    assert capability["resourceType"] == "CapabilityStatement" and capability["fhirVersion"] == "4.0.1"
    served = {r["type"]: {p["name"] for p in r["searchParam"]} for r in capability["rest"][0]["resource"]}
    assert set(served) == {"Patient", "DocumentReference", "Condition", "Observation", "Immunization",
                           "MedicationRequest", "MedicationStatement", "MedicationDispense", "AuditEvent",
                           "DeviceRequest"}  # fmt: skip
    assert {"patient", "date", "_count", "_sort"} <= served["DocumentReference"]
    assert "recorded-date" in served["Condition"] and "authoredon" in served["MedicationRequest"]
    assert "effective" in served["MedicationStatement"] and "whenhandedover" in served["MedicationDispense"]
    assert "category" in served["Observation"]


def test_fail_with_and_requests(source, token):
    form = {"patient.identifier": f"{PERSONNUMMER_SYSTEM}|{PNR}"}
    source.clear_requests()
    source.fail_with(503)
    status, _, body = call("POST", f"{source.base_url}/DocumentReference/_search", token=token, form=form)
    assert status == 503 and body["resourceType"] == "OperationOutcome"
    source.fail_with(None)
    assert call("POST", f"{source.base_url}/Observation/_search", token=token, form=form)[0] == 200
    assert source.requests == [
        ("POST", "/fhir/DocumentReference/_search", "DocumentReference"),
        ("POST", "/fhir/Observation/_search", "Observation"),
    ]


def test_delay_makes_it_slow(source, token):
    source.delay(0.5)
    with pytest.raises((TimeoutError, urllib.error.URLError)):
        urllib.request.urlopen(urllib.request.Request(
            f"{source.base_url}/DocumentReference/_search", method="POST",
            data=urllib.parse.urlencode({"patient.identifier": f"{PERSONNUMMER_SYSTEM}|{PNR}"}).encode(),
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/x-www-form-urlencoded"},
        ), timeout=0.2)  # fmt: skip
    source.delay(0)


def test_region_demos_sources_as_the_platforms_settings_name_them():
    """What the local stack starts: both demo sources, reached with nothing but JOURNAL_SOURCES and
    the secrets the environment gives."""
    from chalicelib.domain.clock import stockholm_date, utc_now
    from demo import region_demo
    from local.care_system_fhir import journal_environment, running_demo_sources

    today = stockholm_date(utc_now())
    anna = next(c for c in region_demo.citizens(today) if c.sub == "anna")
    with running_demo_sources(today) as sources:
        environment = journal_environment(sources)
        assert json.loads(environment["JOURNAL_RULES"]) == {
            "start_date": "2015-04-01", "excluded_units": ["SE2321000099-MV01"], "coordination_numbers": True}  # fmt: skip
        listed = json.loads(environment["JOURNAL_SOURCES"])
        assert [(s["id"], s["name"], s["types"]) for s in listed] == [
            ("cosmic", "Cosmic, Region Demo",
             ["DocumentReference", "Condition", "Immunization", "MedicationRequest", "MedicationStatement",
              "MedicationDispense", "AuditEvent", "DeviceRequest", "Patient"]),
            ("lab", "Labbsystemet, Region Demo", ["Observation"]),
        ]  # fmt: skip
        for setting in listed:
            assert setting["auth"] == "client_credentials" and setting["client_id"] == "eservices-journal"
            assert setting["token_url"] == f"{setting['base_url']}/token"
            secret = environment[f"JOURNAL_SOURCE_{setting['id'].upper()}_SECRET"]
            basic = base64.b64encode(f"{setting['client_id']}:{secret}".encode()).decode()
            status, _, token = call("POST", setting["token_url"], form={"grant_type": "client_credentials"},
                                    headers={"Authorization": f"Basic {basic}"})  # fmt: skip
            assert status == 200
            for kind in setting["types"]:
                by = "identifier" if kind == "Patient" else "patient.identifier"  # the Patient itself, by its own
                status, _, bundle = call("POST", f"{setting['base_url']}/{kind}/_search", token=token["access_token"],
                                         form={by: f"{PERSONNUMMER_SYSTEM}|{anna.personnummer}"})
                assert status == 200 and bundle["total"] > 0, kind
    # Two runs, two secrets.
    with running_demo_sources(today) as again:
        assert again["cosmic"].client_secret != sources["cosmic"].client_secret
