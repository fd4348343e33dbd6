"""The receiving systems a citizen sends a certificate on to (Försäkringskassan-like), per region
(settings.CertificateReceiver): one POST of FHIR R4 JSON with the send's id as `Idempotency-Key`,
so a receiver that got it before (a crash between its answer and our note of it) takes it once.

Nothing personal is logged: the receiver's id and the HTTP status only."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import urllib3

from chalicelib.observability import logger, record_metric
from chalicelib.settings import CertificateReceiver

FHIR_JSON = "application/fhir+json"


class DeliveryFailed(Exception):
    """The receiver did not take it (unreachable, slow, an error status): the follow-up is retried."""


class CertificateReceivers:
    def __init__(self, secret_of: Callable[[CertificateReceiver], str | None]) -> None:
        self._secret_of = secret_of
        self._http = urllib3.PoolManager(num_pools=4, retries=False)

    def deliver(self, receiver: CertificateReceiver, document: dict[str, Any], send_id: str) -> None:
        headers = {"Content-Type": FHIR_JSON, "Accept": FHIR_JSON, "Idempotency-Key": send_id}
        if receiver.auth == "bearer":
            headers["Authorization"] = f"Bearer {self._secret_of(receiver) or ''}"
        timeout = urllib3.Timeout(connect=min(2.0, receiver.timeout_seconds), read=receiver.timeout_seconds)
        try:
            response = self._http.request("POST", receiver.url, body=json.dumps(document).encode(), headers=headers,
                                          timeout=timeout, redirect=False)  # fmt: skip
        except urllib3.exceptions.HTTPError:
            why = "unreachable"
        else:
            if 200 <= response.status < 300:
                return
            why = f"status_{response.status}"
        logger.warning("certificate receiver failed", extra={"receiver": receiver.id, "why": why})
        record_metric("CertificateReceiverFailed")
        raise DeliveryFailed(why)
