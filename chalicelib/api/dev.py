"""Local stack only: the e-mail and SMS that were sent, as moto recorded them."""

from __future__ import annotations

import json
import urllib.request

from chalice import Blueprint, Response

from chalicelib.api.http import render_page
from chalicelib.errors import NotFound
from chalicelib.settings import get_settings

dev = Blueprint(__name__)


def sent_messages(endpoint: str) -> tuple[list[dict], list[dict]]:
    """(e-mails, SMS) from moto's state dump, newest first."""
    with urllib.request.urlopen(f"{endpoint}/moto-api/data.json", timeout=5) as response:  # noqa: S310 (local only)
        data = json.loads(response.read())
    emails = [
        {"to": ", ".join(m.get("destinations", {}).get("ToAddresses", [])), "subject": m.get("subject", ""),
         "body": m.get("body", "")}
        for m in _records(data.get("ses", {}).get("Message"))
    ]  # fmt: skip
    sms = [{"to": m.get("phone_number", ""), "text": m.get("message", "")} for m in _records(data.get("sns", {}).get("SMS"))]
    return list(reversed(emails)), list(reversed(sms))


def _records(value: object) -> list[dict]:
    """moto lists records per kind (older versions nested them per region)."""
    if isinstance(value, dict):
        return [r for v in value.values() for r in _records(v)]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, dict)]
    return []


@dev.route("/dev/outbox", methods=["GET"])
def outbox() -> Response:
    settings = get_settings()
    if not settings.is_local or not settings.aws_endpoint_url:
        raise NotFound("not_found", "Sidan finns inte.")
    emails, sms = sent_messages(settings.aws_endpoint_url)
    return render_page("dev_outbox.html", "sv", staff=False, emails=emails, sms=sms)
