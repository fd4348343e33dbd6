"""A demo care system that answers FHIR R4 (a subset of the REST API) for the journal, 1177 Journalen.

The platform reads the journal from the region's care systems at view time and never stores it. In
the local stack and the tests those care systems are instances of `CareSystemFhir`: a real HTTP
server (the standard library's ThreadingHTTPServer) holding FHIR R4 resources in memory.

What it answers, under `{base}` = `http://HOST:PORT/fhir`:

- `POST {base}/token`: OAuth 2.0 client credentials (HTTP Basic client_id:client_secret) → a Bearer
  token for `expires_in` seconds. Every other call but `metadata` needs `Authorization: Bearer <it>`
  (401 and an OperationOutcome otherwise).
- `GET {base}/metadata`: the CapabilityStatement (FHIR 4.0.1). Public, as SMART servers keep it.
- Search, `GET {base}/{Type}?…` or `POST {base}/{Type}/_search` with a form body (the platform's way:
  the personnummer stays out of every URL), on DocumentReference, Condition, Observation,
  Immunization, MedicationRequest, MedicationStatement, MedicationDispense, AuditEvent, DeviceRequest
  and Patient (by `identifier`; a Patient may carry `generalPractitioner`, the vårdcentral the
  person is listed at, given as a `{"resourceType": "Patient", ...}` template to `add`).
  Parameters: `patient.identifier=system|value`
  (HL7 Sweden's personnummer and samordningsnummer systems), `_id`, `_count` (default 20, at most
  100), `_sort` (`-date`, newest first, is the default), the type's date parameter with the prefixes
  `lt`, `le`, `gt`, `ge` (see DATE_PARAMS), `category` on Observation. An unknown parameter is a 400
  (FHIR's strict handling; `Prefer: handling=lenient` ignores it instead), an unknown type a 404.
- `GET {base}/{Type}/{id}`: read one resource.

`fail_with(status)` and `delay(seconds)` make it an unreachable or slow source; `requests` lists
(method, path, resource type) of every request seen, never a query string.

The demo sources: `demo_sources(today)` loads `demo/journal/<source>.json` (templates per demo
person, keyed by the login `sub` of demo/region_demo.py) for the people of `region_demo.citizens`;
`journal_environment(sources)` is the platform's settings for them (JOURNAL_SOURCES and friends).
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import copy
import json
import re
import secrets
import threading
import time
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit
from zoneinfo import ZoneInfo

FHIR_JSON = "application/fhir+json"
FHIR_VERSION = "4.0.1"
PERSONNUMMER_SYSTEM = "http://electronichealth.se/identifier/personnummer"
SAMORDNINGSNUMMER_SYSTEM = "http://electronichealth.se/identifier/samordningsnummer"
HSA_ID_SYSTEM = "urn:oid:1.2.752.29.4.19"
CARE_UNIT_EXTENSION = "https://e-tjanster.github.io/fhir/StructureDefinition/care-unit"
PATIENT_ACCESS_SYSTEM = "https://e-tjanster.github.io/fhir/CodeSystem/patient-access"
STOCKHOLM = ZoneInfo("Europe/Stockholm")

# Each searchable type's date search parameter and the element it reads (FHIR R4's own definitions).
DATE_PARAMS: dict[str, tuple[str, tuple[str, ...]]] = {
    "DocumentReference": ("date", ("date",)),
    "Condition": ("recorded-date", ("recordedDate",)),
    "Observation": ("date", ("effectiveDateTime", "effectiveInstant", "effectivePeriod.start")),
    "Immunization": ("date", ("occurrenceDateTime",)),
    "MedicationRequest": ("authoredon", ("authoredOn",)),
    "MedicationStatement": ("effective", ("effectiveDateTime", "effectivePeriod.start")),
    "MedicationDispense": ("whenhandedover", ("whenHandedOver",)),
    "AuditEvent": ("date", ("recorded",)),
    "DeviceRequest": ("authored-on", ("authoredOn",)),  # förbrukningsartiklar (consumables)
}
CLINICAL_TYPES = tuple(DATE_PARAMS)
# Where each type points at its patient (AuditEvent: the entity the event is about).
PATIENT_ELEMENT = {"Immunization": "patient", "AuditEvent": "entity"}
DEFAULT_COUNT, MAX_COUNT = 20, 100
DEFAULT_TOKEN_LIFETIME = 300
_IGNORED_PARAMS = {"_format", "_pretty"}  # general parameters every FHIR server accepts
_PREFIXES = ("lt", "le", "gt", "ge")
_PARAM_NAME = re.compile(r"[A-Za-z0-9_.:-]{1,64}")
_TWELVE_DIGITS = re.compile(r"[0-9]{12}")


class _Problem(Exception):
    """An error answer: HTTP status, OperationOutcome issue code and a message without personal data."""

    def __init__(self, status: int, code: str, diagnostics: str, headers: Mapping[str, str] | None = None):
        super().__init__(diagnostics)
        self.status, self.code, self.diagnostics, self.headers = status, code, diagnostics, dict(headers or {})


def operation_outcome(code: str, diagnostics: str, severity: str = "error") -> dict[str, Any]:
    return {"resourceType": "OperationOutcome",
            "issue": [{"severity": severity, "code": code, "diagnostics": diagnostics}]}  # fmt: skip


def is_coordination_number(number: str) -> bool:
    """A samordningsnummer has 60 added to the day of birth (digits 7 and 8 of the twelve)."""
    return int(number[6:8]) > 60


def parse_instant(value: str) -> datetime:
    """A FHIR date, dateTime or instant as an aware datetime (its start; Stockholm when it has no zone)."""
    value = value.strip()
    if re.fullmatch(r"[0-9]{4}", value):
        return datetime(int(value), 1, 1, tzinfo=STOCKHOLM)
    if re.fullmatch(r"[0-9]{4}-[0-9]{2}", value):
        return datetime(int(value[:4]), int(value[5:7]), 1, tzinfo=STOCKHOLM)
    if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        return datetime.combine(date.fromisoformat(value), datetime.min.time(), tzinfo=STOCKHOLM)
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?(Z|[+-][0-9]{2}:[0-9]{2})?",
                        value):  # fmt: skip
        raise ValueError("not a FHIR date or dateTime")
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=STOCKHOLM)


def _element(resource: Mapping[str, Any], path: str) -> Any:
    value: Any = resource
    for part in path.split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    return value


def resource_instant(resource: Mapping[str, Any]) -> datetime | None:
    """The instant a resource's date search parameter reads, or None when it has none."""
    for path in DATE_PARAMS.get(resource.get("resourceType", ""), ("", ()))[1]:
        value = _element(resource, path)
        if isinstance(value, str):
            try:
                return parse_instant(value)
            except ValueError:
                return None
    return None


class CareSystemFhir:
    """One care system's FHIR R4 endpoint, in memory, on a thread.

    `resources` maps each patient's twelve-digit number to that patient's resources (a number whose
    day is over 60 is a samordningsnummer); `add` adds more at runtime. `types` are the resource
    types it serves (default all clinical types; `audit=False` drops AuditEvent); Patient is always
    served. Resources without an id get one, and their subject (Immunization: patient; AuditEvent: an
    entity) is set to the patient's Patient resource, which carries the identifier.
    """

    def __init__(
        self,
        name: str,
        resources: Mapping[str, Sequence[Mapping[str, Any]]] | None = None,
        *,
        client_id: str,
        client_secret: str,
        audit: bool = True,
        types: Iterable[str] | None = None,
        token_lifetime: float = DEFAULT_TOKEN_LIFETIME,
    ) -> None:
        self.name = name
        self.client_id = client_id
        self.client_secret = client_secret
        wanted = tuple(types) if types is not None else CLINICAL_TYPES
        unknown = set(wanted) - set(CLINICAL_TYPES) - {"Patient"}
        if unknown:
            raise ValueError(f"types not served: {sorted(unknown)}")
        # "Patient" among them: the platform asks this source for the Patient (always served anyway).
        self.types = tuple(t for t in wanted if audit or t != "AuditEvent")
        self.token_lifetime = token_lifetime
        self._lock = threading.Lock()
        self._patients: dict[str, dict[str, Any]] = {}  # Patient id -> Patient
        self._by_type: dict[str, dict[str, dict[str, Any]]] = {t: {} for t in ("Patient", *self.types)}
        self._patient_of: dict[tuple[str, str], str] = {}  # (type, id) -> Patient id
        self._tokens: dict[str, float] = {}  # token -> expiry (time.monotonic())
        self._requests: list[tuple[str, str, str | None]] = []
        self._fail_status: int | None = None
        self._delay = 0.0
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.base_url: str | None = None
        for number, person_resources in (resources or {}).items():
            self.add(number, person_resources, coordination=is_coordination_number(number))

    # -- data --------------------------------------------------------------------------------------

    def add(
        self,
        personnummer: str,
        resources: Sequence[Mapping[str, Any]],
        coordination: bool = False,
        *,
        name: tuple[str, str] | None = None,
        birth_date: str | None = None,
    ) -> str:
        """Adds resources for the person with this twelve-digit number (a samordningsnummer when
        `coordination`), creating their Patient resource on first use. A template of resourceType
        Patient adds its elements (not id or identifier) to that Patient: `generalPractitioner`, the
        unit the person is listed at. Returns the Patient id."""
        if not _TWELVE_DIGITS.fullmatch(personnummer):
            raise ValueError("the number must be twelve ASCII digits")
        system = SAMORDNINGSNUMMER_SYSTEM if coordination else PERSONNUMMER_SYSTEM
        with self._lock:
            patient_id = self._find_patient(system, personnummer)
            if patient_id is None:
                patient_id = str(uuid.uuid4())
                patient: dict[str, Any] = {"resourceType": "Patient", "id": patient_id, "active": True,
                                           "identifier": [{"system": system, "value": personnummer}]}  # fmt: skip
                if name:
                    patient["name"] = [{"use": "official", "family": name[1], "given": [name[0]],
                                        "text": f"{name[0]} {name[1]}"}]  # fmt: skip
                if birth_date:
                    patient["birthDate"] = birth_date
                self._patients[patient_id] = patient
                self._by_type["Patient"][patient_id] = patient
            reference = {"reference": f"Patient/{patient_id}", "type": "Patient"}
            for template in resources:
                resource = copy.deepcopy(dict(template))
                kind = resource.get("resourceType")
                if kind == "Patient":
                    self._patients[patient_id].update({k: v for k, v in resource.items()
                                                       if k not in ("id", "identifier", "resourceType")})
                    continue
                if kind not in self.types:
                    raise ValueError(f"{self.name} does not serve {kind}")
                resource.setdefault("id", str(uuid.uuid4()))
                if kind == "AuditEvent":
                    resource.setdefault("entity", [{"what": reference}])
                else:
                    resource.setdefault(PATIENT_ELEMENT.get(kind, "subject"), reference)
                if resource["id"] in self._by_type[kind]:
                    raise ValueError(f"{kind}/{resource['id']} is already there")
                self._by_type[kind][resource["id"]] = resource
                self._patient_of[(kind, resource["id"])] = patient_id
        return patient_id

    def _find_patient(self, system: str | None, value: str) -> str | None:
        for patient_id, patient in self._patients.items():
            for identifier in patient["identifier"]:
                if identifier["value"] == value and (system is None or identifier.get("system", "") == system):
                    return patient_id
        return None

    def all_resources(self) -> list[dict[str, Any]]:
        """Every resource held (Patients first), as copies."""
        with self._lock:
            return [copy.deepcopy(r) for kind in self._by_type.values() for r in kind.values()]

    # -- faults and observation --------------------------------------------------------------------

    def fail_with(self, status: int | None) -> None:
        """Answer every request with this HTTP status (None: answer normally again)."""
        self._fail_status = status

    def delay(self, seconds: float) -> None:
        """Wait this long before answering each request (0: no wait)."""
        self._delay = max(0.0, float(seconds))

    def expire_tokens(self) -> None:
        """Every token issued so far is expired from now on."""
        with self._lock:
            self._tokens = {token: 0.0 for token in self._tokens}

    @property
    def requests(self) -> list[tuple[str, str, str | None]]:
        """(method, path, resource type) of each request seen, oldest first: a copy. The path never
        has the query."""
        with self._lock:
            return list(self._requests)

    def clear_requests(self) -> None:
        with self._lock:
            self._requests.clear()

    # -- lifecycle -------------------------------------------------------------------------------

    def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Serves on a daemon thread; returns the base URL, e.g. http://127.0.0.1:PORT/fhir."""
        if self._server is not None:
            raise RuntimeError("already started")
        self._server = ThreadingHTTPServer((host, port), _handler_for(self))
        self._server.daemon_threads = True
        self.base_url = f"http://{host}:{self._server.server_address[1]}/fhir"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.1},
                                        name=f"fhir-{self.name}", daemon=True)  # fmt: skip
        self._thread.start()
        return self.base_url

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> CareSystemFhir:
        if self._server is None:
            self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()

    @property
    def token_url(self) -> str:
        if self.base_url is None:
            raise RuntimeError("not started")
        return f"{self.base_url}/token"

    # -- request handling (called from the handler's threads) -------------------------------------

    def _record(self, method: str, path: str, resource_type: str | None) -> None:
        with self._lock:
            self._requests.append((method, path, resource_type))

    def _issue_token(self, authorization: str | None, form: Mapping[str, list[str]]) -> dict[str, Any]:
        client = _basic_credentials(authorization)
        if client is None or not (
            secrets.compare_digest(client[0].encode(), self.client_id.encode())
            and secrets.compare_digest(client[1].encode(), self.client_secret.encode())
        ):
            raise _Problem(401, "invalid_client", "client authentication failed",
                           {"WWW-Authenticate": 'Basic realm="token"'})  # fmt: skip
        if form.get("grant_type") != ["client_credentials"]:
            raise _Problem(400, "unsupported_grant_type", "grant_type must be client_credentials")
        token = secrets.token_urlsafe(32)
        with self._lock:
            now = time.monotonic()
            self._tokens = {t: e for t, e in self._tokens.items() if e > now}
            self._tokens[token] = now + self.token_lifetime
        return {"access_token": token, "token_type": "Bearer", "expires_in": int(self.token_lifetime)}

    def _check_token(self, authorization: str | None) -> None:
        scheme, _, token = (authorization or "").partition(" ")
        with self._lock:
            expiry = self._tokens.get(token.strip()) if scheme.lower() == "bearer" else None
        if expiry is None or expiry <= time.monotonic():
            raise _Problem(401, "login", "a valid Bearer token from this server's token endpoint is required",
                           {"WWW-Authenticate": 'Bearer error="invalid_token"'})  # fmt: skip

    def capability_statement(self) -> dict[str, Any]:
        base = self.base_url or "http://127.0.0.1/fhir"
        resources = []
        for kind in dict.fromkeys(("Patient", *self.types)):
            params = [{"name": "_id", "type": "token"}]
            if kind == "Patient":
                params.append({"name": "identifier", "type": "token",
                               "documentation": "system|value: personnummer or samordningsnummer (HL7 Sweden)"})  # fmt: skip
            else:
                params += [
                    {"name": "patient", "type": "reference",
                     "documentation": "Only chained as patient.identifier=system|value (HL7 Sweden's "
                                      "personnummer or samordningsnummer system)."},
                    {"name": DATE_PARAMS[kind][0], "type": "date",
                     "documentation": "Prefixes lt, le, gt, ge; compared as instants."},
                    {"name": "_count", "type": "number",
                     "documentation": f"Default {DEFAULT_COUNT}, at most {MAX_COUNT}."},
                    {"name": "_sort", "type": "string", "documentation": "-date (newest first, the default) or date."},
                ]  # fmt: skip
                if kind in ("Observation", "DocumentReference"):
                    params.append({"name": "category", "type": "token"})
            resources.append({
                "type": kind,
                "interaction": [{"code": "read"}, {"code": "search-type"}],
                "searchParam": params,
            })  # fmt: skip
        return {
            "resourceType": "CapabilityStatement",
            "status": "active",
            "date": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "publisher": "Region Demo",
            "kind": "instance",
            "software": {"name": f"Demo care system FHIR endpoint ({self.name})"},
            "implementation": {"description": self.name, "url": base},
            "fhirVersion": FHIR_VERSION,
            "format": [FHIR_JSON, "json"],
            "rest": [{
                "mode": "server",
                "security": {
                    "extension": [{
                        "url": "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris",
                        "extension": [{"url": "token", "valueUri": f"{base}/token"}],
                    }],
                    "service": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/restful-security-service",
                                             "code": "OAuth"}]}],
                    "description": "OAuth 2.0 client credentials (HTTP Basic) at the token URL; Bearer tokens.",
                },
                "resource": resources,
            }],
        }  # fmt: skip

    def read(self, kind: str, resource_id: str) -> dict[str, Any]:
        with self._lock:
            resource = self._by_type[kind].get(resource_id)
            if resource is None:
                raise _Problem(404, "not-found", f"{kind}/{resource_id[:64]} is not known")
            return copy.deepcopy(resource)

    def search(self, kind: str, params: Sequence[tuple[str, str]], *, lenient: bool = False) -> dict[str, Any]:
        """A searchset Bundle for these parameters (name, value pairs, names may repeat)."""
        date_param = DATE_PARAMS.get(kind, (None,))[0]
        allowed = {"_id", "_count", "_sort"} | _IGNORED_PARAMS
        allowed |= {"identifier"} if kind == "Patient" else {"patient.identifier", date_param}
        if kind in ("Observation", "DocumentReference"):
            allowed.add("category")
        given: dict[str, list[str]] = {}
        for name, value in params:
            if name not in allowed:
                if lenient:
                    continue
                shown = name if _PARAM_NAME.fullmatch(name) else "(a parameter)"
                raise _Problem(400, "not-supported", f"unknown or unsupported search parameter for {kind}: {shown}")
            given.setdefault(name, []).append(value)

        count = DEFAULT_COUNT
        if "_count" in given:
            try:
                count = int(given["_count"][-1])
            except ValueError:
                raise _Problem(400, "invalid", "_count must be a whole number") from None
            if count < 0:
                raise _Problem(400, "invalid", "_count must not be negative")
            count = min(count, MAX_COUNT)
        newest_first = True
        if "_sort" in given:
            sort = given["_sort"][-1]
            if sort.lstrip("-") not in {"date", date_param}:
                raise _Problem(400, "not-supported", "_sort supports -date and date only")
            newest_first = sort.startswith("-")
        if kind != "Patient" and not ({"patient.identifier", "_id"} & given.keys()):
            raise _Problem(400, "invalid", "search by patient.identifier (or _id)")

        filters = []
        for value in given.get("patient.identifier", []) + given.get("identifier", []):
            filters.append(self._patient_filter(value))
        for value in given.get("_id", []):
            ids = set(value.split(","))
            filters.append(lambda r, ids=ids: r["id"] in ids)
        for value in given.get(date_param, []) if date_param else []:
            filters.append(_date_filter(date_param, value))
        for value in given.get("category", []):
            filters.append(_token_filter(value, "category"))

        with self._lock:
            found = [r for r in self._by_type[kind].values() if all(f(r) for f in filters)]
            found = [copy.deepcopy(r) for r in found]
        if kind != "Patient":
            oldest = datetime.min.replace(tzinfo=timezone.utc)
            found.sort(key=lambda r: (resource_instant(r) or oldest, r["id"]), reverse=newest_first)
            if newest_first:  # without a date: last either way
                found.sort(key=lambda r: resource_instant(r) is None)
        base = self.base_url or ""
        return {
            "resourceType": "Bundle",
            "id": str(uuid.uuid4()),
            "meta": {"lastUpdated": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")},
            "type": "searchset",
            "total": len(found),
            "link": [{"relation": "self", "url": f"{base}/{kind}"}],
            "entry": [{"fullUrl": f"{base}/{kind}/{r['id']}", "resource": r, "search": {"mode": "match"}}
                      for r in found[:count]],
        }  # fmt: skip

    def _patient_filter(self, value: str):
        patient_ids = set()
        for one in value.split(","):
            system, bar, number = one.rpartition("|")
            if not bar:
                system = None
            with self._lock:
                found = self._find_patient(system, number)
            if found:
                patient_ids.add(found)

        def matches(resource: Mapping[str, Any]) -> bool:
            if resource["resourceType"] == "Patient":
                return resource["id"] in patient_ids
            return self._patient_of.get((resource["resourceType"], resource["id"])) in patient_ids

        return matches


def _date_filter(param: str, value: str):
    value = value.replace(" ", "+")  # a '+' of a zone offset, decoded from a form or query as a space
    prefix, rest = value[:2], value[2:]
    if prefix not in _PREFIXES:
        raise _Problem(400, "not-supported", f"{param}: give a prefix lt, le, gt or ge")
    try:
        bound = parse_instant(rest)
    except ValueError:
        raise _Problem(400, "invalid", f"{param}: not a FHIR date or dateTime") from None
    compare = {"lt": lambda t: t < bound, "le": lambda t: t <= bound,
               "gt": lambda t: t > bound, "ge": lambda t: t >= bound}[prefix]  # fmt: skip

    def matches(resource: Mapping[str, Any]) -> bool:
        instant = resource_instant(resource)
        return instant is not None and compare(instant)

    return matches


def _token_filter(value: str, element: str):
    wanted = []
    for one in value.split(","):
        system, bar, code = one.rpartition("|")
        wanted.append((system if bar else None, code))

    def matches(resource: Mapping[str, Any]) -> bool:
        concepts = resource.get(element) or []
        codings = [c for concept in concepts for c in concept.get("coding", [])]
        return any(c.get("code") == code and (system is None or c.get("system", "") == system)
                   for system, code in wanted for c in codings)  # fmt: skip

    return matches


def _basic_credentials(authorization: str | None) -> tuple[str, str] | None:
    scheme, _, encoded = (authorization or "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    client_id, colon, client_secret = decoded.partition(":")
    # RFC 6749, 2.3.1: both are form-urlencoded before they are joined.
    return (unquote(client_id.replace("+", " ")), unquote(client_secret.replace("+", " "))) if colon else None


def _handler_for(source: CareSystemFhir) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body leave at once: no 40 ms delayed-ACK wait per answer
        server_version = "DemoCareSystemFHIR/1.0"
        sys_version = ""

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            """Silent: a request line can hold a personnummer (GET searches)."""

        def do_GET(self) -> None:
            self._answer("GET")

        def do_POST(self) -> None:
            self._answer("POST")

        def do_PUT(self) -> None:
            self._answer("PUT")

        def do_DELETE(self) -> None:
            self._answer("DELETE")

        def _answer(self, method: str) -> None:
            url = urlsplit(self.path)
            path = url.path.rstrip("/") or "/"
            parts = path.split("/")[1:]
            body = self._body()
            kind = _resource_type_of(parts)
            source._record(method, path, kind)
            if source._delay:
                time.sleep(source._delay)
            try:
                if source._fail_status is not None:
                    status = source._fail_status
                    raise _Problem(status, "transient", f"{source.name} answers {status} (simulated)")
                if not parts or parts[0] != "fhir":
                    raise _Problem(404, "not-found", "not a FHIR endpoint: the base is /fhir")
                rest = parts[1:]
                if rest == ["token"]:
                    if method != "POST":
                        raise _Problem(405, "not-supported", "POST the token request", {"Allow": "POST"})
                    form = self._form(body)
                    self._send(200, source._issue_token(self.headers.get("Authorization"), form),
                               "application/json", {"Cache-Control": "no-store", "Pragma": "no-cache"})  # fmt: skip
                    return
                if rest == ["metadata"]:
                    if method != "GET":
                        raise _Problem(405, "not-supported", "GET the metadata", {"Allow": "GET"})
                    self._send(200, source.capability_statement())
                    return
                source._check_token(self.headers.get("Authorization"))
                if not rest or rest[0] not in source._by_type:
                    raise _Problem(404, "not-supported", "this server does not serve that resource type")
                kind = rest[0]
                lenient = "handling=lenient" in (self.headers.get("Prefer") or "").replace(" ", "")
                if len(rest) == 1 and method == "GET":
                    self._send(200, source.search(kind, parse_qsl(url.query, keep_blank_values=True), lenient=lenient))
                elif rest[1:] == ["_search"] and method == "POST":
                    content_type = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
                    if body and content_type != "application/x-www-form-urlencoded":
                        raise _Problem(415, "not-supported", "POST _search takes application/x-www-form-urlencoded")
                    params = parse_qsl(url.query, keep_blank_values=True)
                    params += parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
                    self._send(200, source.search(kind, params, lenient=lenient))
                elif len(rest) == 2 and method == "GET" and not rest[1].startswith("_"):
                    self._send(200, source.read(kind, rest[1]))
                else:
                    raise _Problem(405, "not-supported", "only search and read are supported")
            except _Problem as problem:
                if problem.code in {"invalid_client", "unsupported_grant_type"}:
                    self._send(problem.status, {"error": problem.code, "error_description": problem.diagnostics},
                               "application/json", problem.headers)  # fmt: skip
                else:
                    self._send(problem.status, operation_outcome(problem.code, problem.diagnostics),
                               headers=problem.headers)  # fmt: skip
            except Exception:  # noqa: BLE001 - an answer, never a stack trace with personal data
                self._send(500, operation_outcome("exception", "internal error"))

        def _body(self) -> bytes:
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(length) if length > 0 else b""

        @staticmethod
        def _form(body: bytes) -> dict[str, list[str]]:
            form: dict[str, list[str]] = {}
            for name, value in parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True):
                form.setdefault(name, []).append(value)
            return form

        def _send(self, status: int, payload: Mapping[str, Any], content_type: str = FHIR_JSON,
                  headers: Mapping[str, str] | None = None) -> None:  # fmt: skip
            data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", f"{content_type}; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

    return Handler


def _resource_type_of(parts: list[str]) -> str | None:
    """The resource type a request is about, for `requests` (None: the token endpoint or no type)."""
    if len(parts) >= 2 and parts[0] == "fhir":
        if parts[1] == "metadata":
            return "CapabilityStatement"
        if parts[1] != "token" and _PARAM_NAME.fullmatch(parts[1]):
            return parts[1]
    return None


# -- Region Demo's two sources ---------------------------------------------------------------------

JOURNAL_DIR = Path(__file__).resolve().parents[1] / "demo" / "journal"
DEMO_CLIENT_ID = "eservices-journal"
DEMO_SOURCES: dict[str, tuple[str, tuple[str, ...]]] = {
    # id: (name, the types it serves)
    "cosmic": ("Cosmic, Region Demo", ("DocumentReference", "Condition", "Immunization", "MedicationRequest",
                                       "MedicationStatement", "MedicationDispense", "AuditEvent", "DeviceRequest",
                                       "Patient")),
    "lab": ("Labbsystemet, Region Demo", ("Observation",)),
}  # fmt: skip
DEMO_PORTS = {"cosmic": 9410, "lab": 9411}
DEMO_JOURNAL_RULES = {"start_date": "2015-04-01", "excluded_units": ["SE2321000099-MV01"], "coordination_numbers": True}
# A date relative to today in a fixture: "{today}", "{today-45d}" (a date), "{today+330d}" (ahead: a
# prescription's validity) or "{today-45d 09:30}" (that time in Stockholm, with its offset). Anything
# else is taken as written.
_RELATIVE = re.compile(r"\{today(?:([-+])([0-9]+)d)?(?: ([0-9]{2}):([0-9]{2}))?\}")


def resolve_dates(value: Any, today: date) -> Any:
    """A fixture template with its relative dates ("{today-45d 09:30}") made absolute."""
    if isinstance(value, dict):
        return {k: resolve_dates(v, today) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve_dates(v, today) for v in value]
    if isinstance(value, str):
        match = _RELATIVE.fullmatch(value)
        if match:
            days = int(match.group(2) or 0)
            day = today + timedelta(days=days if match.group(1) == "+" else -days)
            if match.group(3) is None:
                return day.isoformat()
            moment = datetime(day.year, day.month, day.day, int(match.group(3)), int(match.group(4)), tzinfo=STOCKHOLM)
            return moment.isoformat(timespec="seconds")
    return value


def load_templates(source_id: str, today: date) -> dict[str, list[dict[str, Any]]]:
    """demo/journal/<source_id>.json: each demo person's resources (keyed by their login sub), dated."""
    with open(JOURNAL_DIR / f"{source_id}.json", encoding="utf-8") as file:
        return resolve_dates(json.load(file), today)


def demo_sources(today: date, *, client_secrets: Mapping[str, str] | None = None) -> dict[str, CareSystemFhir]:
    """Region Demo's care systems, keyed by source id (not started), with the demo people of
    `demo.region_demo.citizens(today)` and their resources from demo/journal/. A fresh random client
    secret each unless `client_secrets` gives one."""
    from demo import region_demo

    people = {c.sub: c for c in region_demo.citizens(today)}
    sources = {}
    for source_id, (name, types) in DEMO_SOURCES.items():
        secret = (client_secrets or {}).get(source_id) or secrets.token_urlsafe(32)
        source = CareSystemFhir(name, {}, client_id=DEMO_CLIENT_ID, client_secret=secret, types=types)
        for sub, resources in load_templates(source_id, today).items():
            person = people[sub]  # a KeyError here is a fixture keyed by a sub Region Demo does not have
            source.add(person.personnummer, resources, coordination=person.coordination,
                       name=(person.given_name, person.family_name), birth_date=person.birth_date.isoformat())  # fmt: skip
        sources[source_id] = source
    return sources


@contextlib.contextmanager
def running_demo_sources(
    today: date, *, host: str = "127.0.0.1", ports: Mapping[str, int] | None = None
) -> Iterator[dict[str, CareSystemFhir]]:
    """Region Demo's care systems, started (on `ports` by source id; 0 or absent: any free port)
    and stopped again on leaving."""
    sources = demo_sources(today)
    with contextlib.ExitStack() as stack:
        for source_id, source in sources.items():
            source.start(host, (ports or {}).get(source_id, 0))
            stack.callback(source.stop)
        yield sources


def journal_environment(
    sources: Mapping[str, CareSystemFhir], rules: Mapping[str, Any] = DEMO_JOURNAL_RULES
) -> dict[str, str]:
    """The platform's settings for these started sources (keyed by source id): JOURNAL_SOURCES,
    JOURNAL_SOURCE_<ID>_SECRET for each (settings.JournalSource.secret_name), and JOURNAL_RULES."""
    listed, environment = [], {}
    for source_id, source in sources.items():
        if source.base_url is None:
            raise RuntimeError(f"source {source_id} is not started")
        listed.append({
            "id": source_id,
            "name": source.name,
            "base_url": source.base_url,
            "auth": "client_credentials",
            "token_url": source.token_url,
            "client_id": source.client_id,
            "types": list(source.types),
        })  # fmt: skip
        environment[f"JOURNAL_SOURCE_{source_id.upper()}_SECRET"] = source.client_secret
    environment["JOURNAL_SOURCES"] = json.dumps(listed, ensure_ascii=False)
    environment["JOURNAL_RULES"] = json.dumps(dict(rules))
    return environment
