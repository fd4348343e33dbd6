"""The logs of whole logins, a register update and failures never contain a personnummer."""

from __future__ import annotations

import io
import json
import re

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
