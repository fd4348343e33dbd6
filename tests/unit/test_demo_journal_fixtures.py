"""Region Demo's journal fixtures (demo/journal/*.json, loaded by local/care_system_fhir.py): valid
FHIR R4 as fhirclient parses it strictly, each resource with its care unit where the platform reads
it, the demo people's content the journal's rules need, and no personnummer in any fixture."""

from __future__ import annotations

import base64
import importlib
import re
from datetime import date, datetime, timedelta, timezone

import pytest

from chalicelib.domain.clock import stockholm_date, utc_now
from demo import region_demo
from local.care_system_fhir import (
    CARE_UNIT_EXTENSION,
    DEMO_SOURCES,
    HSA_ID_SYSTEM,
    JOURNAL_DIR,
    PATIENT_ACCESS_SYSTEM,
    PERSONNUMMER_SYSTEM,
    SAMORDNINGSNUMMER_SYSTEM,
    demo_sources,
    load_templates,
    parse_instant,
    resource_instant,
)

UNITS = {
    "SE2321000099-VC01": "Vårdcentralen Norrby",
    "SE2321000099-KA01": "Kardiologmottagningen, Demo sjukhus",
    "SE2321000099-HS01": "Hud- och STI-mottagningen",
    "SE2321000099-MV01": "Mödravården Demostad",
    "SE2321000099-PV01": "Privatläkarna Demo",  # a private clinic not on the platform (Förnya recept names it)
}
MODULES = {
    "Patient": "patient", "DocumentReference": "documentreference", "Condition": "condition",
    "Observation": "observation", "Immunization": "immunization", "MedicationRequest": "medicationrequest",
    "AuditEvent": "auditevent", "CapabilityStatement": "capabilitystatement", "Bundle": "bundle",
    "MedicationStatement": "medicationstatement", "MedicationDispense": "medicationdispense",
    "DeviceRequest": "devicerequest",
}  # fmt: skip
REGION_START = datetime(2015, 4, 1, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def today() -> date:
    return stockholm_date(utc_now())


@pytest.fixture(scope="module")
def sources(today):
    return demo_sources(today)


def fhir_parse(resource: dict):
    """fhirclient's R4 model for the resource, strict: unknown elements, wrong types and missing
    required elements raise."""
    module = importlib.import_module(f"fhirclient.models.{MODULES[resource['resourceType']]}")
    return getattr(module, resource["resourceType"])(resource, strict=True)


def units_of(resource: dict) -> list[dict]:
    """The care unit references where the platform reads them, by type."""
    kind = resource["resourceType"]
    if kind == "DocumentReference":
        return [resource.get("custodian")]
    if kind == "Observation":
        return [(resource.get("performer") or [None])[0]]
    if kind == "Immunization":
        return [(resource.get("performer") or [{}])[0].get("actor")]
    if kind in ("MedicationRequest", "DeviceRequest"):
        return [resource.get("requester")]
    if kind == "AuditEvent":
        return [a["who"] for a in resource["agent"] if a.get("who", {}).get("identifier", {}).get("system") == HSA_ID_SYSTEM]
    if kind in ("Condition", "MedicationStatement"):
        return [e.get("valueReference") for e in resource.get("extension", []) if e["url"] == CARE_UNIT_EXTENSION]
    return []


def by_person(sources, today) -> dict[str, list[dict]]:
    """Each demo person's resources across the sources, by login sub."""
    people = {c.sub: c for c in region_demo.citizens(today)}
    patients = {}
    for source in sources.values():
        for resource in source.all_resources():
            if resource["resourceType"] == "Patient":
                patients[resource["id"]] = resource["identifier"][0]["value"]
    sub_of = {c.personnummer: sub for sub, c in people.items()}
    found: dict[str, list[dict]] = {}
    for source in sources.values():
        for resource in source.all_resources():
            if resource["resourceType"] != "Patient":
                found.setdefault(sub_of[patients[_patient_id(resource)]], []).append(resource)
    return found


def _patient_id(resource: dict) -> str:
    kind = resource["resourceType"]
    if kind == "AuditEvent":
        reference = resource["entity"][0]["what"]["reference"]
    else:
        reference = resource["patient" if kind == "Immunization" else "subject"]["reference"]
    assert reference.startswith("Patient/")
    return reference.removeprefix("Patient/")


def test_every_resource_is_strictly_valid_r4(sources):
    count = 0
    for source in sources.values():
        for resource in source.all_resources():
            fhir_parse(resource)
            count += 1
        fhir_parse(source.capability_statement())
    assert count > 50


def test_search_bundles_are_valid_r4(sources, today):
    anna = next(c for c in region_demo.citizens(today) if c.sub == "anna")
    for source in sources.values():
        for kind in source.types:
            by = "identifier" if kind == "Patient" else "patient.identifier"
            bundle = source.search(kind, [(by, f"{PERSONNUMMER_SYSTEM}|{anna.personnummer}")])
            fhir_parse(bundle)
            assert bundle["total"] > 0, kind


def test_every_resource_names_its_care_unit(sources):
    for source in sources.values():
        for resource in source.all_resources():
            if resource["resourceType"] in ("Patient", "MedicationDispense"):  # a pharmacy hands it over
                continue
            units = units_of(resource)
            assert units and all(units), resource["id"]
            for unit in units:
                assert unit["identifier"]["system"] == HSA_ID_SYSTEM, resource["id"]
                assert UNITS[unit["identifier"]["value"]] == unit["display"], resource["id"]
                assert unit.get("type", "Organization") == "Organization"


def test_each_resource_points_at_its_persons_patient_with_the_right_identifier(sources, today):
    people = {c.personnummer: c for c in region_demo.citizens(today)}
    for source in sources.values():
        patients = {r["id"]: r for r in source.all_resources() if r["resourceType"] == "Patient"}
        for patient in patients.values():
            (identifier,) = patient["identifier"]
            person = people[identifier["value"]]
            expected = SAMORDNINGSNUMMER_SYSTEM if person.coordination else PERSONNUMMER_SYSTEM
            assert identifier["system"] == expected
            assert patient["birthDate"] == person.birth_date.isoformat()
        for resource in source.all_resources():
            if resource["resourceType"] != "Patient":
                assert _patient_id(resource) in patients


def test_notes_are_swedish_plain_text_and_diagnoses_icd_10_se(sources):
    for resource in sources["cosmic"].all_resources():
        if resource["resourceType"] == "DocumentReference":
            attachment = resource["content"][0]["attachment"]
            assert attachment["contentType"].startswith("text/plain") and attachment["language"] == "sv"
            assert base64.b64decode(attachment["data"], validate=True).decode("utf-8").strip()
        if resource["resourceType"] == "Condition":
            (coding,) = resource["code"]["coding"]
            assert coding["system"] == "http://hl7.org/fhir/sid/icd-10-se" and resource["code"]["text"]


def test_anna_has_what_the_journal_needs(sources, today):
    anna = by_person(sources, today)["anna"]
    of = lambda kind: [r for r in anna if r["resourceType"] == kind]  # noqa: E731
    notes = of("DocumentReference")
    assert len(notes) >= 6
    hidden = [n for n in notes if any(s.get("system") == PATIENT_ACCESS_SYSTEM and s["code"] == "hidden"
                                      for s in n.get("meta", {}).get("security", []))]  # fmt: skip
    assert len(hidden) == 1
    assert [n for n in notes if resource_instant(n) < REGION_START]
    assert {n["custodian"]["identifier"]["value"] for n in notes} == {
        "SE2321000099-VC01", "SE2321000099-KA01", "SE2321000099-MV01"}  # fmt: skip
    assert len(of("Condition")) == 3 and len(of("Immunization")) == 2 and len(of("MedicationRequest")) == 6
    labs = of("Observation")
    assert len(labs) == 6
    for observation in labs:
        assert observation["category"][0]["coding"][0]["code"] == "laboratory"
        assert observation["valueQuantity"]["value"] is not None
        assert observation["referenceRange"] and observation["interpretation"]
    year_ago = datetime.combine(today - timedelta(days=365), datetime.min.time(), tzinfo=timezone.utc)
    audits = of("AuditEvent")
    assert len([a for a in audits if resource_instant(a) >= year_ago]) == 4
    assert len([a for a in audits if resource_instant(a) < year_ago]) == 1
    for event in audits:
        practitioners = [a for a in event["agent"] if a["who"].get("type") == "Practitioner"]
        assert practitioners and practitioners[0]["who"]["display"] and practitioners[0]["requestor"] is True


def test_everyone_has_notes_and_the_children_a_vaccination_after_birth(sources, today):
    people = {c.sub: c for c in region_demo.citizens(today)}
    found = by_person(sources, today)
    assert set(found) == set(people)
    now = datetime.combine(today + timedelta(days=1), datetime.min.time(), tzinfo=timezone.utc)
    for sub, resources in found.items():
        assert [r for r in resources if r["resourceType"] == "DocumentReference"], sub
        for resource in resources:
            assert resource_instant(resource) < now, resource["id"]
        if people[sub].guardian_subs:  # a child: within the last five years, after birth, vaccinated
            born = parse_instant(people[sub].birth_date.isoformat())
            five_years = parse_instant((today - timedelta(days=5 * 365)).isoformat())
            assert all(resource_instant(r) > max(born, five_years) for r in resources), sub
            assert [r for r in resources if r["resourceType"] == "Immunization"], sub
    olle_units = {r["custodian"]["identifier"]["value"] for r in found["olle"] if r["resourceType"] == "DocumentReference"}
    assert olle_units == {"SE2321000099-VC01", "SE2321000099-HS01"}


def test_no_fixture_holds_a_personnummer(today):
    texts = {path.name: path.read_text(encoding="utf-8") for path in JOURNAL_DIR.glob("*.json")}
    assert set(texts) == {f"{source_id}.json" for source_id in DEMO_SOURCES}
    numbers = [c.personnummer for c in region_demo.citizens(today)]
    for name, text in texts.items():
        for number in numbers:
            assert number not in text and f"{number[2:8]}-{number[8:]}" not in text, name
            assert f"{number[2:8]}+{number[8:]}" not in text, name
        # Nothing shaped like one either (twelve digits, or six, a sign and four).
        assert not re.search(r"(?<![0-9])(?:[0-9]{12}|[0-9]{6}[-+][0-9]{4}|[0-9]{8}-[0-9]{4})(?![0-9])", text), name


def test_templates_date_relative_to_today():
    templates = load_templates("cosmic", date(2026, 11, 24))
    dates = [r["date"] for r in templates["anna"] if r["resourceType"] == "DocumentReference"]
    assert "2014-06-01T10:15:00+02:00" in dates
    assert "2026-10-25T08:45:00+01:00" in dates  # "{today-30d 08:45}": winter time in Stockholm
    assert all(not d.startswith("{") for d in dates)


def test_anna_and_elsa_have_what_the_medicines_need(sources, today):
    found = by_person(sources, today)
    anna = found["anna"]
    requests = {r["id"]: r for r in anna if r["resourceType"] == "MedicationRequest"}
    assert {r["status"] for r in requests.values()} == {"active", "completed", "stopped"}
    assert [r for r in anna if r["resourceType"] == "MedicationStatement"]
    for request in requests.values():  # a contained Medication with its form and strength
        (medication,) = request["contained"]
        assert request["medicationReference"]["reference"] == "#" + medication["id"]
        assert medication["form"]["text"] and medication["ingredient"][0]["strength"]["numerator"]["value"]
    for sub in ("anna", "elsa"):
        dispenses = [r for r in found[sub] if r["resourceType"] == "MedicationDispense"]
        assert dispenses, sub
        prescribed = {r["id"] for r in found[sub] if r["resourceType"] == "MedicationRequest"}
        for dispense in dispenses:
            assert dispense["authorizingPrescription"][0]["reference"].removeprefix("MedicationRequest/") in prescribed
            assert dispense["status"] == "completed" and dispense["quantity"]["value"] > 0
    active = [r for r in requests.values() if r["status"] == "active"]
    assert all(date.fromisoformat(r["dispenseRequest"]["validityPeriod"]["end"]) > today for r in active)


def test_anna_has_certificates_found_by_category_and_elsa_one(sources, today):
    from chalicelib.domain.certificates import CATEGORY_TOKEN, certificate_of, is_certificate

    people = {c.sub: c for c in region_demo.citizens(today)}
    found = {}
    for sub in ("anna", "elsa"):
        bundle = sources["cosmic"].search("DocumentReference", [
            ("patient.identifier", f"{PERSONNUMMER_SYSTEM}|{people[sub].personnummer}"), ("category", CATEGORY_TOKEN)])
        fhir_parse(bundle)
        found[sub] = [e["resource"] for e in bundle["entry"]]
    assert 2 <= len(found["anna"]) <= 3 and len(found["elsa"]) == 1
    for resource in found["anna"] + found["elsa"]:
        assert is_certificate(resource)
        certificate = certificate_of("cosmic", resource)
        assert certificate and certificate.lines and certificate.unit_hsa_id in UNITS
    # The other notes are not certificates
    notes = [r for r in by_person(sources, today)["anna"] if r["resourceType"] == "DocumentReference"]
    assert len([n for n in notes if not is_certificate(n)]) >= 6


def test_anna_and_elsa_have_consumables_and_anna_a_vardcentral(sources, today):
    """Förbrukningsartiklar (DeviceRequest with the quantity per period in `parameter`) for Anna and
    Elsa, and Anna's Patient naming the vårdcentral she is listed at (generalPractitioner)."""
    people = by_person(sources, today)
    for sub in ("anna", "elsa"):
        devices = [r for r in people[sub] if r["resourceType"] == "DeviceRequest"]
        assert devices and all(r["status"] == "active" and len(r["parameter"]) == 2 for r in devices), sub
    anna = next(c for c in region_demo.citizens(today) if c.sub == "anna")
    bundle = sources["cosmic"].search("Patient", [("identifier", f"{PERSONNUMMER_SYSTEM}|{anna.personnummer}")])
    (entry,) = bundle["entry"]
    (listed,) = entry["resource"]["generalPractitioner"]
    assert listed["identifier"] == {"system": HSA_ID_SYSTEM, "value": "SE2321000099-VC01"}
