"""The region's care systems, read over FHIR R4 at view time (1177 Journalen; never stored).

A page asks each source once per resource type it needs, all at once (a thread per request, up to
`PARALLEL`), so a page costs the slowest answer, not the sum. Every search is a `POST
[base]/[type]/_search` with a form body: the patient's personnummer goes in the body, never in a
URL (the source's access log, a proxy's). The patient is named by HL7 Sweden's identifier systems
through the chained parameter `patient.identifier`; the Patient resource itself by `identifier`.

A source that does not answer in its time, answers with an error, or answers something that is not
a searchset Bundle is reported by name beside the others' answers; nothing here raises for it.

Authentication per source (settings.JournalSource): none, a bearer token, or OAuth2 client
credentials (the token cached until a minute before it expires, fetched again once on a 401).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import urllib3

from chalicelib.observability import logger, record_metric
from chalicelib.settings import JournalSource

PERSONNUMMER_SYSTEM = "http://electronichealth.se/identifier/personnummer"
SAMORDNINGSNUMMER_SYSTEM = "http://electronichealth.se/identifier/samordningsnummer"
PARALLEL = 12
FHIR_JSON = "application/fhir+json"


@dataclass(frozen=True, slots=True)
class Search:
    source: JournalSource
    resource_type: str
    params: tuple[tuple[str, str], ...]  # besides the patient


@dataclass(slots=True)
class Answer:
    source: JournalSource
    resource_type: str
    resources: list[dict[str, Any]] = field(default_factory=list)
    failed: str | None = None  # "timeout", "status_503", "not_a_bundle", "auth" …

    @property
    def ok(self) -> bool:
        return self.failed is None


class SourceFailed(Exception):
    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why


class FhirSources:
    def __init__(self, secret_of: Callable[[JournalSource], str | None]) -> None:
        self._secret_of = secret_of
        self._http = urllib3.PoolManager(num_pools=8, maxsize=PARALLEL, retries=False)
        self._pool = ThreadPoolExecutor(max_workers=PARALLEL, thread_name_prefix="fhir")
        self._tokens: dict[str, tuple[str, float]] = {}  # source id -> (access token, expires at, monotonic)
        self._secrets: dict[str, str | None] = {}  # read once per warm function
        self._lock = threading.Lock()

    def _secret(self, source: JournalSource) -> str | None:
        if source.id not in self._secrets:
            self._secrets[source.id] = self._secret_of(source)
        return self._secrets[source.id]

    def search_all(self, searches: Sequence[Search], patient_system: str, patient_value: str) -> list[Answer]:
        """Each search once, in parallel; answers in the order asked."""
        futures = [self._pool.submit(self._search, s, patient_system, patient_value) for s in searches]
        return [f.result() for f in futures]

    def _search(self, search: Search, system: str, value: str) -> Answer:
        answer = Answer(search.source, search.resource_type)
        by = "identifier" if search.resource_type == "Patient" else "patient.identifier"
        body = urlencode([(by, f"{system}|{value}"), *search.params])
        try:
            bundle = self._post(search.source, f"/{search.resource_type}/_search", body)
            if bundle.get("resourceType") != "Bundle" or bundle.get("type") != "searchset":
                raise SourceFailed("not_a_bundle")
            answer.resources = [
                e["resource"] for e in bundle.get("entry") or []
                if isinstance(e, dict) and isinstance(e.get("resource"), dict)
                and e["resource"].get("resourceType") == search.resource_type
                and (e.get("search") or {}).get("mode", "match") == "match"
            ]  # fmt: skip
        except SourceFailed as failure:
            answer.failed = failure.why
            # The source and why only: the request's body (the personnummer) is never logged.
            logger.warning("journal source failed", extra={"source": search.source.id, "type": search.resource_type,
                                                           "why": failure.why})  # fmt: skip
            record_metric("JournalSourceFailed")
        return answer

    def _post(self, source: JournalSource, path: str, body: str) -> dict[str, Any]:
        for attempt in (1, 2):
            headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": FHIR_JSON}
            token = self._token(source, fresh=attempt == 2)
            if token:
                headers["Authorization"] = f"Bearer {token}"
            response = self._request(source, "POST", source.base_url + path, body, headers)
            if response.status == 401 and source.auth == "client_credentials" and attempt == 1:
                continue  # the token may have been revoked before its time: once more with a new one
            return _json_of(response)
        raise SourceFailed("auth")

    def _request(self, source: JournalSource, method: str, url: str, body: str,
                 headers: dict[str, str]) -> urllib3.BaseHTTPResponse:  # fmt: skip
        timeout = urllib3.Timeout(connect=min(2.0, source.timeout_seconds), read=source.timeout_seconds)
        try:
            return self._http.request(method, url, body=body.encode(), headers=headers, timeout=timeout,
                                      redirect=False)  # fmt: skip
        except urllib3.exceptions.TimeoutError:
            raise SourceFailed("timeout") from None
        except urllib3.exceptions.HTTPError:
            raise SourceFailed("unreachable") from None

    def _token(self, source: JournalSource, *, fresh: bool) -> str | None:
        if source.auth == "none":
            return None
        if source.auth == "bearer":
            return self._secret(source)
        with self._lock:
            cached = self._tokens.get(source.id)
            if cached and not fresh and time.monotonic() < cached[1]:
                return cached[0]
        secret = self._secret(source) or ""
        headers = urllib3.make_headers(basic_auth=f"{source.client_id}:{secret}")
        headers.update({"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"})
        response = self._request(source, "POST", source.token_url or "", "grant_type=client_credentials", headers)
        if response.status != 200:
            raise SourceFailed("auth" if response.status in (400, 401, 403) else f"token_status_{response.status}")
        granted = _json_of(response)
        token, lifetime = granted.get("access_token"), granted.get("expires_in", 300)
        if not isinstance(token, str) or not isinstance(lifetime, int | float):
            raise SourceFailed("auth")
        with self._lock:
            self._tokens[source.id] = (token, time.monotonic() + max(0.0, float(lifetime) - 60))
        return token


def _json_of(response: urllib3.BaseHTTPResponse) -> dict[str, Any]:
    if response.status != 200:
        raise SourceFailed(f"status_{response.status}")
    try:
        parsed = json.loads(response.data)
    except ValueError:
        raise SourceFailed("not_json") from None
    if not isinstance(parsed, dict):
        raise SourceFailed("not_json")
    return parsed
