"""The logs of whole logins, a register update, failures, and a personnummer sent in every field of every
integration and API route never contain a personnummer."""

from __future__ import annotations

import io
import json
import re
import urllib.parse

from chalicelib.observability import logger

TWELVE_OR_TEN_DIGITS = re.compile(r"(?<!\d)(\d{12}|\d{6}[-+]?\d{4})(?!\d)")
# Opaque ids that may hold long digit runs by chance: HSA-ids (an organisation number inside),
# UUIDs (citizen and correlation ids) and integration key ids (16 hex digits).
OPAQUE_IDS = re.compile(r"SE\d{10}-\w+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\b[0-9a-f]{16}\b")


def _app_output(text: str) -> list[dict]:
    """Every JSON line the app wrote: log records and metrics (the test provider's own output is not ours)."""
    return [json.loads(line) for line in text.splitlines() if line.startswith("{") and '"eservices"' in line]


def test_logs_of_logins_and_register_updates_hold_no_personnummer(region, capsys):
    # Read exactly what the Lambda would write: the Powertools handler's stream, and stdout for metrics.
    log_stream = io.StringIO()
    previous_stream = logger.registered_handler.setStream(log_stream)
    logger.setLevel("DEBUG")
    try:
        for sub in ("anna", "karin", "ali", "gunnar", "per", "bad-check-digit"):
            region.browser().login(sub)
        staff = region.browser()
        staff.login("eva", audience="staff")
        body = {"personnummer": region.people["elsa"].personnummer, "given_name": "Elsa", "family_name": "Lind",
                "guardians": [region.people["karin"].personnummer]}  # fmt: skip
        region.integration("POST", "/integration/v1/population-register/persons", body)
        region.integration("POST", "/integration/v1/population-register/persons", {**body, "personnummer": "x1"},
                           idempotency_key="k-bad-0001")  # fmt: skip
    finally:
        logger.setLevel("INFO")
        logger.registered_handler.setStream(previous_stream)
    app_output = _app_output(log_stream.getvalue() + capsys.readouterr().out)
    lines = [line for line in app_output if "level" in line]
    text = "\n".join(json.dumps(line, ensure_ascii=False) for line in app_output)
    messages = {line["message"] for line in lines}
    # The logins were logged (opaque ids), including the refusal and the failure
    assert {"citizen logged in", "staff logged in", "login failed", "login refused: login removed"} <= messages
    assert "register person updated" in messages
    assert all(line.get("correlation_id") for line in lines)
    # Business events reach CloudWatch as embedded metrics
    metric_names = {m["Name"] for line in app_output if "_aws" in line
                    for d in line["_aws"]["CloudWatchMetrics"] for m in d["Metrics"]}  # fmt: skip
    assert {"CitizenLoginSucceeded", "CitizenLoginFailed", "CitizenLoginRefused", "StaffLoginSucceeded",
            "RegisterPersonUpdated"} <= metric_names  # fmt: skip
    for person in region.people.values():
        digits = person.personnummer
        for form in (digits, digits[2:], f"{digits[2:8]}-{digits[8:]}", f"{digits[2:8]}+{digits[8:]}"):
            assert form not in text
    for line in app_output:
        assert not TWELVE_OR_TEN_DIGITS.search(OPAQUE_IDS.sub("", json.dumps(line))), line


# -- a personnummer in every field of every integration and API route ------------------------------------

PNR_FORMS = ("{d}", "{d10}", "{d6}-{d4}")  # twelve digits, ten, and with the dash


def _examples(region) -> dict[tuple[str, str], dict]:
    """A valid body for each route that takes one; every leaf in it gets the personnummer in turn."""
    from datetime import timedelta

    from chalicelib.domain import clock

    day = clock.stockholm_date(clock.utc_now()) + timedelta(days=5)
    start, end = f"{day.isoformat()}T10:00:00+01:00", f"{day.isoformat()}T10:30:00+01:00"
    anna = region.people["anna"].personnummer
    return {
        ("POST", "/integration/v1/population-register/persons"): {
            "personnummer": anna, "given_name": "Anna", "family_name": "Andersson", "protected_identity": False,
            "address": {"street": "Gatan 1", "postal_code": "123 45", "city": "Demostad"}, "guardians": []},
        ("POST", "/integration/v1/attachments"): {
            "sender_unit_hsa_id": "SE2321000099-VC01", "filename": "a.pdf", "content_type": "application/pdf",
            "size_bytes": 10},
        ("POST", "/integration/v1/messages"): {
            "sender_unit_hsa_id": "SE2321000099-VC01", "personnummer": anna, "topic": "T", "subject": "S",
            "body": "B", "attachments": ["a1"]},
        ("POST", "/integration/v1/citizen-status"): {"personnummer": anna},
        ("PUT", "/integration/v1/units/{unit_hsa_id}/slots"): {
            "from": day.isoformat(), "to": day.isoformat(),
            "slots": [{"slot_id": "s1", "visit_type_id": "arskontroll", "start": start, "end": end, "place": "Rum 1",
                       "practitioner_role": "Läkare", "visibility": "public"}]},
        ("POST", "/integration/v1/appointments"): {
            "unit_hsa_id": "SE2321000099-KA01", "personnummer": anna, "visit_type_id": "arskontroll", "start": start,
            "end": end, "place": "Rum 1", "preparation": "P", "links": [{"label": "L", "url": "https://example.org"}],
            "attachments": ["a1"], "may_rebook": True, "may_cancel": True},
        ("PATCH", "/integration/v1/appointments/{appointment_id}"): {
            "start": start, "end": end, "place": "Rum 2", "preparation": "P", "links": [], "may_rebook": False},
        ("POST", "/integration/v1/lab-results"): {
            "order_id": "o1", "analyses": [{"analysis": "chlamydia", "outcome": "negative"}],
            "analysed_at": start},
        ("POST", "/integration/v1/kit-orders/{order_id}/sent"): {"kit_number": "KIT-1"},
        ("PUT", "/api/v1/acting-for"): {"child_id": "c1"},
        ("PUT", "/api/v1/settings"): {"digital_first": True, "language": "sv"},
        ("POST", "/api/v1/settings/contact"): {"channel": "sms", "address": "0701234567"},
        ("POST", "/api/v1/settings/contact/verify"): {"channel": "sms", "code": "123456"},
        ("POST", "/api/v1/bookings"): {"slot_id": "s1", "invitation_id": "i1"},
        ("POST", "/api/v1/bookings/{booking_id}/rebook"): {"slot_id": "s1"},
        ("POST", "/api/v1/bookings/{booking_id}/cancel"): {"reason": "sjuk"},
    }  # fmt: skip


def _with_pnr_at_each_leaf(value, pnr):
    """The example once per leaf, with the personnummer at that leaf (and once as the whole body)."""
    yield pnr
    if isinstance(value, dict):
        for key, inner in value.items():
            for changed in _with_pnr_at_each_leaf(inner, pnr):
                yield {**value, key: changed}
    elif isinstance(value, list):
        for number, inner in enumerate(value):
            for changed in _with_pnr_at_each_leaf(inner, pnr):
                yield [*value[:number], changed, *value[number + 1:]]


def test_a_personnummer_in_every_field_of_every_route_never_reaches_the_log(region, capsys):
    """Every /integration and /api route, as a key for all units, a key for one unit and a logged-in
    citizen: the personnummer in each path parameter, query parameter, body field (one at a time),
    as the whole body, and in the Idempotency-Key and X-Correlation-Id headers. No 5xx, no personnummer
    in any log line."""
    from app import app
    from chalicelib.bootstrap import ports
    from chalicelib.domain import clock
    from chalicelib.services.integration import issue_key

    unit_key = issue_key(ports(), system_name="Hud", allowed_units={"SE2321000099-HS01"},
                         scopes={"population-register", "messages", "appointments", "lab-results", "print"},
                         now=clock.utc_now())  # fmt: skip
    anna = region.browser()
    anna.login("anna")
    csrf = anna.csrf_token()
    examples = _examples(region)
    digits = region.people["karin"].personnummer
    pnrs = [f.format(d=digits, d10=digits[2:], d6=digits[2:8], d4=digits[8:]) for f in PNR_FORMS]
    log_stream = io.StringIO()
    previous_stream = logger.registered_handler.setStream(log_stream)
    logger.setLevel("DEBUG")
    calls, server_errors = 0, []
    try:
        for path, methods in sorted(app.routes.items()):
            if not path.startswith(("/integration/", "/api/")):
                continue
            for method in sorted(methods):
                example = examples.get((method, path))
                for pnr in pnrs:
                    concrete = re.sub(r"\{[^}]+\}", urllib.parse.quote(pnr), path)
                    query = "?" + urllib.parse.urlencode({n: pnr for n in ("status", "cursor", "invitation", "next")})
                    bodies = list(_with_pnr_at_each_leaf(example, pnr)) if example is not None else [{"x": pnr}]
                    for number, body in enumerate(bodies):
                        headers = {"Content-Type": "application/json", "Idempotency-Key": f"{pnr}-{number:04d}",
                                   "X-Correlation-Id": pnr.replace("-", "")}  # fmt: skip
                        payload = json.dumps(body).encode()
                        if path.startswith("/integration/"):
                            for key in (region.integration_key, unit_key):
                                response = region.client.http.request(
                                    method, concrete + query, body=payload,
                                    headers={**headers, "Authorization": f"Bearer {key}"})
                                calls += 1
                                if response.status_code >= 500:
                                    server_errors.append((method, path, body))
                        else:
                            response = anna.request(method, concrete + query, body=payload,
                                                    headers={**headers, "X-CSRF-Token": csrf})
                            calls += 1
                            if response.status_code >= 500:
                                server_errors.append((method, path, body))
    finally:
        logger.setLevel("INFO")
        logger.registered_handler.setStream(previous_stream)
    assert calls > 300 and server_errors == []
    app_output = _app_output(log_stream.getvalue() + capsys.readouterr().out)
    assert any(line.get("message") == "request refused" for line in app_output)
    text = "\n".join(json.dumps(line, ensure_ascii=False) for line in app_output)
    for person in region.people.values():
        number = person.personnummer
        for form in (number, number[2:], f"{number[2:8]}-{number[8:]}", f"{number[2:8]}+{number[8:]}"):
            assert form not in text, form
    for line in app_output:
        assert not TWELVE_OR_TEN_DIGITS.search(OPAQUE_IDS.sub("", json.dumps(line))), line
