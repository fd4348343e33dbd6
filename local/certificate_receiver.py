"""A demo receiving system for certificates (Försäkringskassan-like), for Mina intyg in the local
stack and the tests: a real HTTP server (the standard library's ThreadingHTTPServer) that takes
`POST {base}/certificates` with FHIR R4 JSON (a DocumentReference whose subject is the patient's
identifier) and `Authorization: Bearer <token>`, and records each once by its `Idempotency-Key`
(a repeat answers 200 and records nothing new). `fail_with(status)` makes it a receiver that is down.

`received` lists what it took (the documents, oldest first); `requests` counts every POST seen.
`receiver_environment(receiver)` is the platform's settings for it (CERTIFICATE_RECEIVERS and the
receiver's secret).
"""

from __future__ import annotations

import json
import secrets
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

RECEIVER_ID = "fk"
RECEIVER_NAME = "Försäkringskassan"


class CertificateReceiver:
    def __init__(self, name: str = RECEIVER_NAME, token: str | None = None) -> None:
        self.name = name
        self.token = token or secrets.token_urlsafe(32)
        self._lock = threading.Lock()
        self._received: dict[str, dict[str, Any]] = {}  # Idempotency-Key -> document
        self._requests = 0
        self._fail_status: int | None = None
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.base_url: str | None = None

    @property
    def url(self) -> str:
        if self.base_url is None:
            raise RuntimeError("not started")
        return f"{self.base_url}/certificates"

    def fail_with(self, status: int | None) -> None:
        """Answer every POST with this status (None: take them again)."""
        self._fail_status = status

    @property
    def received(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._received.values())

    @property
    def requests(self) -> int:
        with self._lock:
            return self._requests

    def clear(self) -> None:
        with self._lock:
            self._received.clear()
            self._requests = 0

    def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        if self._server is not None:
            raise RuntimeError("already started")
        self._server = ThreadingHTTPServer((host, port), _handler_for(self))
        self._server.daemon_threads = True
        self.base_url = f"http://{host}:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.1},
                                        name="certificate-receiver", daemon=True)  # fmt: skip
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

    def __enter__(self) -> CertificateReceiver:
        if self._server is None:
            self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()

    def _take(self, authorization: str | None, key: str | None, body: bytes) -> tuple[int, dict[str, Any]]:
        with self._lock:
            self._requests += 1
        if self._fail_status is not None:
            return self._fail_status, _outcome("transient", "the receiver is down (simulated)")
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not secrets.compare_digest(token.strip().encode(), self.token.encode()):
            return 401, _outcome("login", "a valid Bearer token is required")
        if not key:
            return 400, _outcome("required", "Idempotency-Key is required")
        try:
            document = json.loads(body)
        except ValueError:
            return 400, _outcome("structure", "not JSON")
        if not isinstance(document, dict) or document.get("resourceType") != "DocumentReference" \
                or not isinstance((document.get("subject") or {}).get("identifier"), dict):  # fmt: skip
            return 422, _outcome("invalid", "a DocumentReference with the patient's identifier as subject")
        with self._lock:
            self._received.setdefault(key, document)
        return 200, _outcome("informational", "received", severity="information")


def _outcome(code: str, diagnostics: str, severity: str = "error") -> dict[str, Any]:
    return {"resourceType": "OperationOutcome", "issue": [{"severity": severity, "code": code,
                                                           "diagnostics": diagnostics}]}  # fmt: skip


def _handler_for(receiver: CertificateReceiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True
        server_version = "DemoCertificateReceiver/1.0"
        sys_version = ""

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            """Silent: what it receives is personal data."""

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length > 0 else b""
            if self.path.rstrip("/") != "/certificates":
                status, payload = 404, _outcome("not-found", "POST /certificates")
            else:
                status, payload = receiver._take(self.headers.get("Authorization"), self.headers.get("Idempotency-Key"),
                                                 body)  # fmt: skip
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/fhir+json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


def receiver_environment(receiver: CertificateReceiver, receiver_id: str = RECEIVER_ID) -> dict[str, str]:
    """The platform's settings for this started receiver."""
    listed = [{"id": receiver_id, "name": receiver.name, "url": receiver.url, "auth": "bearer",
               "timeout_seconds": 2}]  # fmt: skip
    return {"CERTIFICATE_RECEIVERS": json.dumps(listed, ensure_ascii=False),
            f"CERTIFICATE_RECEIVER_{receiver_id.upper()}_SECRET": receiver.token}  # fmt: skip
