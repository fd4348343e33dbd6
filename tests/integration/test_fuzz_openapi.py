"""Schemathesis against the OpenAPI document (/api/v1/openapi.json): cases generated from the
document, valid and invalid, sent in process through chalice.test.Client with a citizen's session
(and its CSRF token), a staff session and a care system's key — and now and then with none, or the
wrong kind. No response may be 500 or above.

`make test` sends FUZZ_CALLS=2000 (the default); `make fuzz` sends 10,000. On a 5xx the test prints
each failing request (as curl) and fails.
"""

from __future__ import annotations

import json
import os
import re
import time
import urllib.parse
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.generation import GenerationMode

FUZZ_CALLS = int(os.environ.get("FUZZ_CALLS", "2000"))
BASE = "http://localhost:8000"


def _credentials(region) -> dict[str, dict[str, str]]:
    """A citizen (Anna), a staff member (Johan, local admin at the health centre) and the demo key."""
    citizen = region.browser()
    citizen.login("anna")
    staff = region.browser()
    staff.login("johan", "staff")
    return {
        "citizenSession": {"cookie": f"sid={citizen.cookies['sid']}", "csrf": citizen.csrf_token()},
        "staffSession": {"cookie": f"staff_sid={staff.cookies['staff_sid']}"},
        "integrationKey": {"authorization": f"Bearer {region.integration_key}"},
    }


def _request_of(case: Any, creds: dict[str, dict[str, str]], turn: int) -> tuple[str, str, dict[str, str], bytes]:
    kwargs = case.as_transport_kwargs(base_url=BASE)
    path = kwargs["url"][len(BASE):] or "/"
    if kwargs.get("params"):
        path += "?" + urllib.parse.urlencode(kwargs["params"], doseq=True)
    headers = {str(k): str(v) for k, v in (kwargs.get("headers") or {}).items()}
    cookies = dict(kwargs.get("cookies") or {})
    schemes = [name for requirement in (case.operation.definition.raw.get("security") or []) for name in requirement]
    # Most calls carry the right credentials (so the generated input reaches the use case); every
    # tenth carries the generated ones only, and every tenth the other kinds' credentials.
    if turn % 10 == 3:
        schemes = [s for s in creds if s not in schemes]
    if turn % 10 != 7:
        for scheme in schemes:
            given_creds = creds[scheme]
            if "cookie" in given_creds:
                name, _, value = given_creds["cookie"].partition("=")
                cookies = {name: value}
            if "csrf" in given_creds:
                headers["X-CSRF-Token"] = given_creds["csrf"]
            if "authorization" in given_creds:
                headers["Authorization"] = given_creds["authorization"]
    if cookies:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    if "json" in kwargs:
        body = json.dumps(kwargs["json"]).encode()
        headers.setdefault("Content-Type", "application/json")
    else:
        data = kwargs.get("data") or b""
        body = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else bytes(data)
    return kwargs["method"], path, headers, body


HOSTILE_TEXTS = ("", "\ud800", "a\u0000b", "../../x", "{}", "%00", "1" * 5000, "199001012384")
HOSTILE_PATH_VALUES = ("%7B%7D", "%ED%A0%80", "%00", "..%2F..%2Fx", "x" * 2000, "%22%22")


def _hostile_requests(operation: Any, creds: dict[str, dict[str, str]]) -> list[tuple[str, str, dict[str, str], bytes]]:
    """Inputs the generator rarely makes and that once gave 500s (issue 16): JSON 100,000 deep, a lone
    surrogate or a NUL in each text field, ids of "" or {} or an encoded surrogate, forged cursors."""
    definition = operation.definition.raw
    schemes = [name for requirement in (definition.get("security") or []) for name in requirement]
    headers = {"Content-Type": "application/json", "Idempotency-Key": "fuzz-hostile-0001"}
    for scheme in schemes:
        c = creds[scheme]
        if "cookie" in c:
            headers["Cookie"] = c["cookie"]
        if "csrf" in c:
            headers["X-CSRF-Token"] = c["csrf"]
        if "authorization" in c:
            headers["Authorization"] = c["authorization"]
    method = operation.method.upper()
    template = operation.path
    names = re.findall(r"\{([^}]+)\}", template)
    plain = re.sub(r"\{[^}]+\}", "x1", template)
    requests = []
    for value in HOSTILE_PATH_VALUES:
        for name in names:
            requests.append((method, re.sub(r"\{[^}]+\}", "x1", template.replace("{" + name + "}", value)), headers, b"{}"))
    for cursor in ("forged", "%ED%A0%80", "eyJ4Ijp7fX0", "%7B%7D"):
        requests.append((method, f"{plain}?cursor={cursor}&status={cursor}&lang={cursor}&next={cursor}", headers, b""))
    if "requestBody" in definition:
        requests.append((method, plain, headers, b"[" * 100_000 + b"]" * 100_000))
        requests.append((method, plain, headers, b'{"a":' * 50_000 + b"1" + b"}" * 50_000))
        requests.append((method, plain, headers, b"\xff\xfe"))
        schema = (definition["requestBody"].get("content", {}).get("application/json", {}).get("schema") or {})
        if "$ref" in schema:
            schema = operation.schema.raw_schema["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
        for field in schema.get("properties", {}) or {"x": {}}:
            for text in HOSTILE_TEXTS:
                requests.append((method, plain, headers, json.dumps({field: text}).encode()))
            for value in ({}, [], None, 10**30, -1, 1.5, True):
                requests.append((method, plain, headers, json.dumps({field: value}).encode()))
    return requests


def run_fuzz(region, target: int) -> dict[str, Any]:
    from chalicelib.api.openapi import openapi_document

    schema = schemathesis.openapi.from_dict(openapi_document())
    operations = [result.ok() for result in schema.get_all_operations()]
    creds = _credentials(region)
    calls, failures, statuses, sending = 0, [], {}, 0.0
    per_round = max(4, target // (len(operations) * 2 * 3))
    started = time.monotonic()
    for operation in operations:
        for method, path, headers, body in _hostile_requests(operation, creds):
            before = time.monotonic()
            response = region.client.http.request(method, path, headers=headers, body=body)
            sending += time.monotonic() - before
            calls += 1
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
            if response.status_code >= 500:
                failures.append((method, path, body[:120], response.status_code))
    hostile = calls
    for round_number in range(100):
        if calls - hostile >= target:
            break
        for operation in operations:
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                if calls - hostile >= target:
                    break

                @seed(round_number * 1000 + operations.index(operation) * 2 + (mode is GenerationMode.NEGATIVE))
                @settings(max_examples=per_round, phases=[Phase.generate], database=None, deadline=None,
                          suppress_health_check=list(HealthCheck), derandomize=False)  # fmt: skip
                @given(case=operation.as_strategy(generation_mode=mode))
                def send(case: Any) -> None:
                    nonlocal calls
                    if calls - hostile >= target:
                        return
                    nonlocal sending
                    method, path, headers, body = _request_of(case, creds, calls)
                    before = time.monotonic()
                    response = region.client.http.request(method, path, headers=headers, body=body)
                    calls += 1
                    sending += time.monotonic() - before
                    statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
                    if response.status_code >= 500:
                        failures.append((method, path, headers.get("Content-Type"), body[:300], response.status_code))

                try:
                    send()
                except Unsatisfiable:  # nothing of this mode to generate (say, no invalid form of a bare GET)
                    pass
    return {"calls": calls, "hostile": hostile, "failures": failures, "statuses": dict(sorted(statuses.items())),
            "seconds": round(time.monotonic() - started, 1), "sending": round(sending, 1), "operations": len(operations)}  # fmt: skip


def test_no_generated_request_gets_a_5xx(region, capsys):
    result = run_fuzz(region, FUZZ_CALLS)
    with capsys.disabled():
        print(f"\nschemathesis: {result['calls'] - result['hostile']} generated calls and {result['hostile']} "
              f"hand-made hostile ones over {result['operations']} operations in "
              f"{result['seconds']} s ({result['sending']} s in the app); statuses {result['statuses']}; 5xx: {len(result['failures'])}")  # fmt: skip
    assert result["calls"] - result["hostile"] >= FUZZ_CALLS
    assert not result["failures"], "\n".join(map(repr, result["failures"][:30]))
