"""A real OpenID provider for the local stack and the tests: panva's oidc-provider (Node.js, OpenID-certified),
configured as a Swedish e-ID broker under the Swedish OpenID Connect profile 1.0 (local/idp/server.mjs).

    with running_provider(port=0, clients=[...], persons=[...], scopes=SWEDISH_SCOPES) as idp:
        idp.issuer  # http://localhost:<port>

What it does, as a conformant broker would: authorization code flow only; PKCE with S256 required of every
client; `private_key_jwt` (RS256, PS256, ES256) or `client_secret_basic` at the token endpoint; claims released
by scope (`scopes` maps scope -> claims) or the `claims` parameter, from the userinfo endpoint (signed when the
client registered `userinfo_signed_response_alg`) and, with `claims_in_id_token=True`, in the ID token too; `acr`
and `auth_time` in every ID token; an existing provider session logs in silently unless `prompt=login` or
`max_age=0`; RP-initiated logout with `id_token_hint` and a registered `post_logout_redirect_uri`.

The login page (GET /interaction/<uid>) lists the test persons; its forms POST to /interaction/<uid>/login with
the fields `sub` (a person's sub) and `loa` (the chosen acr). The `loa` select offers the requested `acr_values`
the provider supports (all supported levels when none was requested), preselecting the strongest, else
`default_acr`. `choose_person` and `end_session` drive those pages the way a browser would, for tests.

The Node.js side is installed by `make install` (npm ci in local/idp). Personal data here is demo data only.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import urllib.parse
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any

IDP_DIR = Path(__file__).resolve().parent / "idp"
SERVER_SCRIPT = IDP_DIR / "server.mjs"
_INSTALLED_PACKAGE = IDP_DIR / "node_modules" / "oidc-provider" / "package.json"

START_TIMEOUT_SECONDS = 30.0
STOP_TIMEOUT_SECONDS = 5.0

# Levels of assurance (tillitsnivåer) of the Swedish eID framework, weakest first.
LOA2 = "http://id.elegnamnden.se/loa/1.0/loa2"
LOA3 = "http://id.elegnamnden.se/loa/1.0/loa3"
LOA4 = "http://id.elegnamnden.se/loa/1.0/loa4"
LOA_VALUES: tuple[str, ...] = (LOA2, LOA3, LOA4)

PERSONAL_IDENTITY_NUMBER = "https://id.oidc.se/claim/personalIdentityNumber"  # personnummer
COORDINATION_NUMBER = "https://id.oidc.se/claim/coordinationNumber"  # samordningsnummer
NATURAL_PERSON_NAME = "https://id.oidc.se/scope/naturalPersonName"
NATURAL_PERSON_NUMBER = "https://id.oidc.se/scope/naturalPersonNumber"

# The profile's mandatory identity scopes, as the Attribute Specification for the Swedish OpenID Connect Profile 1.0
# defines them: naturalPersonNumber extends naturalPersonName with the personnummer or samordningsnummer (one of
# them, never both) and an optional birthdate.
SWEDISH_SCOPES: dict[str, list[str]] = {
    NATURAL_PERSON_NAME: ["family_name", "given_name", "name"],
    NATURAL_PERSON_NUMBER: [
        PERSONAL_IDENTITY_NUMBER,
        COORDINATION_NUMBER,
        "family_name",
        "given_name",
        "name",
        "birthdate",
    ],
}


@dataclass(frozen=True)
class TestPerson:
    """A made-up person on the provider's login page; `claims` are all the claims the person has."""

    __test__ = False  # not a pytest test class

    sub: str
    label: str
    claims: dict[str, Any]


@dataclass(frozen=True)
class RegisteredClient:
    """A relying party registered at the provider (static client metadata)."""

    client_id: str
    redirect_uris: list[str]
    post_logout_redirect_uris: list[str]
    token_endpoint_auth_method: str = "private_key_jwt"  # or "client_secret_basic"
    jwks: dict | None = None  # inline public keys for private_key_jwt
    jwks_uri: str | None = None  # or where to fetch them (plain http on localhost is fine)
    client_secret: str | None = None  # for client_secret_basic
    userinfo_signed_response_alg: str | None = None  # e.g. "RS256": userinfo as a signed JWT

    def metadata(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "client_id": self.client_id,
            "redirect_uris": list(self.redirect_uris),
            "post_logout_redirect_uris": list(self.post_logout_redirect_uris),
            "token_endpoint_auth_method": self.token_endpoint_auth_method,
        }
        for key in ("jwks", "jwks_uri", "client_secret", "userinfo_signed_response_alg"):
            value = getattr(self, key)
            if value is not None:
                data[key] = value
        return data


@dataclass
class ProviderProcess:
    """A running provider: `issuer` is what clients discover (`issuer + /.well-known/openid-configuration`)."""

    issuer: str
    port: int
    process: subprocess.Popen = field(repr=False)

    @property
    def discovery_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"


class ProviderNotInstalled(RuntimeError):
    pass


class ProviderStartError(RuntimeError):
    pass


def ensure_installed() -> None:
    """Fail with a clear message when Node.js or the provider's npm packages are missing."""
    if shutil.which("node") is None:
        raise ProviderNotInstalled("Node.js (`node`) is not on PATH; the local OpenID provider needs it.")
    if not _INSTALLED_PACKAGE.is_file():
        raise ProviderNotInstalled(
            f"The local OpenID provider is not installed ({IDP_DIR / 'node_modules'} is missing): run `make install`."
        )


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def running_provider(
    *,
    port: int,
    clients: list[RegisteredClient],
    persons: list[TestPerson],
    scopes: dict[str, list[str]],
    acr_values: Sequence[str] = LOA_VALUES,
    default_acr: str = LOA3,
    claims_in_id_token: bool = False,
    issuer: str | None = None,
) -> Iterator[ProviderProcess]:
    """Start the provider on `port` (0: a free one), yield it once it listens, stop it on exit.

    `acr_values` are the supported levels, weakest first. `claims_in_id_token=False` releases identity claims from
    the userinfo endpoint only (OpenID Connect Core's rule for scope-requested claims); True puts them in the ID
    token too (what the Swedish profile 1.0, section 4.4, asks of a broker).
    """
    ensure_installed()
    if default_acr not in acr_values:
        raise ValueError(f"default_acr {default_acr!r} is not among acr_values")
    port = port or free_port()
    issuer = issuer or f"http://localhost:{port}"
    config = {
        "issuer": issuer,
        "port": port,
        "clients": [client.metadata() for client in clients],
        "scopes": {scope: list(claims) for scope, claims in scopes.items()},
        "acr_values": list(acr_values),
        "default_acr": default_acr,
        "claims_in_id_token": claims_in_id_token,
        "persons": [{"sub": p.sub, "label": p.label, "claims": dict(p.claims)} for p in persons],
    }
    descriptor, config_path = tempfile.mkstemp(prefix="oidc-provider-", suffix=".json")  # mode 0600
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as config_file:
            json.dump(config, config_file)
        process = subprocess.Popen(
            ["node", str(SERVER_SCRIPT), config_path],
            cwd=IDP_DIR,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            errors="replace",
        )
        try:
            _wait_until_ready(process, port)
            yield ProviderProcess(issuer=issuer, port=port, process=process)
        finally:
            _stop(process)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(config_path)


def _wait_until_ready(process: subprocess.Popen, port: int) -> None:
    """Read stdout until READY; stderr is echoed to ours (prefixed) and kept for the error if the process dies."""
    stderr_lines: list[str] = []

    def pump_stderr() -> None:
        for line in process.stderr:
            stderr_lines.append(line)
            sys.stderr.write(f"[oidc-provider :{port}] {line}")

    seen_ready = threading.Event()
    settled = threading.Event()  # READY seen, or stdout closed (the process ended)

    def pump_stdout() -> None:
        for line in process.stdout:
            if line.strip() == "READY":
                seen_ready.set()
                settled.set()
        settled.set()

    stderr_reader = threading.Thread(target=pump_stderr, name=f"oidc-provider-{port}-stderr", daemon=True)
    stderr_reader.start()
    threading.Thread(target=pump_stdout, name=f"oidc-provider-{port}-stdout", daemon=True).start()
    settled.wait(START_TIMEOUT_SECONDS)
    if seen_ready.is_set() and process.poll() is None:
        return
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(2)  # let it finish dying, and stderr be read
    reason = (
        f"exited with status {process.returncode}"
        if process.returncode is not None
        else f"did not print READY within {START_TIMEOUT_SECONDS:.0f} s"
    )
    _stop(process)
    stderr_reader.join(2)
    raise ProviderStartError(f"The local OpenID provider on port {port} {reason}. Its stderr:\n{''.join(stderr_lines)}")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(STOP_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


# ---------------------------------------------------------------------------------------------------------------
# Driving the provider's pages like a browser, for tests and the harness.


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """Hand 3xx responses back to the caller instead of following them."""

    def http_error_302(self, req, fp, code, msg, headers):  # noqa: ANN001 - urllib's signature
        return fp

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302


class _PassErrors(urllib.request.HTTPErrorProcessor):
    """Return 4xx/5xx responses instead of raising, so a page with an error can be read."""

    def http_response(self, request, response):  # noqa: ANN001
        if 300 <= response.status < 400:
            return super().http_response(request, response)
        return response

    https_response = http_response


def provider_opener() -> tuple[urllib.request.OpenerDirector, CookieJar]:
    """An opener that keeps the provider's cookies in the returned jar (like a browser) and follows no redirects."""
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirects, _PassErrors)
    return opener, jar


def _step_opener(opener: urllib.request.OpenerDirector) -> urllib.request.OpenerDirector:
    """An opener sharing `opener`'s cookie jar that follows no redirects, whatever `opener` itself does."""
    for handler in opener.handlers:
        if isinstance(handler, urllib.request.HTTPCookieProcessor):
            return urllib.request.build_opener(
                urllib.request.HTTPCookieProcessor(handler.cookiejar), _NoRedirects, _PassErrors
            )
    raise TypeError("the opener needs an HTTPCookieProcessor with a CookieJar (see provider_opener())")


@dataclass
class _Response:
    url: str
    status: int
    location: str | None
    body: str


def _request(opener: urllib.request.OpenerDirector, url: str, form: dict[str, str] | None = None) -> _Response:
    data = urllib.parse.urlencode(form).encode() if form is not None else None
    request = urllib.request.Request(url, data=data, headers={"Accept": "text/html"})
    with opener.open(request, timeout=30) as response:
        body = response.read().decode("utf-8", "replace")
        location = response.headers.get("Location")
        return _Response(
            url=url,
            status=response.status,
            location=urllib.parse.urljoin(url, location) if location else None,
            body=body,
        )


def _origin(url: str) -> tuple[str, str]:
    parts = urllib.parse.urlsplit(url)
    return parts.scheme, parts.netloc


@dataclass
class _Form:
    action: str
    method: str
    element_id: str | None
    fields: list[tuple[str, str]] = field(default_factory=list)  # hidden and text inputs, selected options
    buttons: list[tuple[str, str]] = field(default_factory=list)  # named submit buttons


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[_Form] = []
        self.errors: list[str] = []
        self._form: _Form | None = None
        self._select: str | None = None
        self._select_first: str | None = None
        self._select_chosen: str | None = None
        self._in_error = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v or "") for k, v in attrs}
        if self._in_error:
            self._in_error += 1
        if "error" in a.get("class", "").split():
            self._in_error = 1
        if tag == "form":
            self._form = _Form(action=a.get("action", ""), method=a.get("method", "get").lower(), element_id=a.get("id"))
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input" and a.get("name"):
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "image"):
                if kind == "submit":
                    self._form.buttons.append((a["name"], a.get("value", "")))
            elif kind not in ("checkbox", "radio") or "checked" in a:
                self._form.fields.append((a["name"], a.get("value", "")))
        elif tag == "button" and a.get("name") and a.get("type", "submit").lower() == "submit":
            self._form.buttons.append((a["name"], a.get("value", "")))
        elif tag == "select" and a.get("name"):
            self._select, self._select_first, self._select_chosen = a["name"], None, None
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            if self._select_first is None:
                self._select_first = value
            if "selected" in a:
                self._select_chosen = value

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if self._in_error:
            self._in_error -= 1

    def handle_endtag(self, tag: str) -> None:
        if self._in_error:
            self._in_error -= 1
        if tag == "select" and self._select is not None and self._form is not None:
            chosen = self._select_chosen if self._select_chosen is not None else self._select_first
            if chosen is not None:
                self._form.fields.append((self._select, chosen))
            self._select = None
        elif tag == "form":
            self._form = None

    def handle_data(self, data: str) -> None:
        if self._in_error and data.strip():
            self.errors.append(data.strip())


def _parse(body: str) -> _FormParser:
    parser = _FormParser()
    parser.feed(body)
    parser.close()
    return parser


def _describe(response: _Response) -> str:
    text = " ".join(_parse_text(response.body).split())
    return f"{response.status} from {response.url}: {text[:500]}"


def _parse_text(body: str) -> str:
    chunks: list[str] = []

    class _Text(HTMLParser):
        skip = 0

        def handle_starttag(self, tag, attrs):  # noqa: ANN001
            if tag in ("style", "script", "title"):
                self.skip += 1

        def handle_endtag(self, tag):  # noqa: ANN001
            if tag in ("style", "script", "title") and self.skip:
                self.skip -= 1

        def handle_data(self, data):  # noqa: ANN001
            if not self.skip:
                chunks.append(data)

    _Text().feed(body)
    return " ".join(chunks)


MAX_STEPS = 20


def choose_person(
    opener: urllib.request.OpenerDirector, authorization_url: str, sub: str, loa: str | None = None
) -> str:
    """Follow an authorization request through the provider as a browser would and pick the test person `sub`.

    Redirects inside the provider are followed; on the login page the person is chosen (with `loa` as the level of
    assurance, or the page's preselected one). Returns the first redirect that leaves the provider, i.e. the
    client's redirect_uri with `code` and `state` (or `error`), without requesting it. When the provider already
    has a session for these cookies it logs in silently and nothing is posted. The cookies live in the jar of
    `opener`'s HTTPCookieProcessor, so the caller keeps the provider session between calls.
    """
    step = _step_opener(opener)
    provider = _origin(authorization_url)
    response = _request(step, authorization_url)
    posted = False
    for _ in range(MAX_STEPS):
        if response.location:
            if _origin(response.location) != provider:
                return response.location
            response = _request(step, response.location)
            continue
        page = _parse(response.body)
        login = next((f for f in page.forms if f.method == "post" and f.action.endswith("/login")), None)
        if login is None and response.status == 200 and len(page.forms) == 1 and page.forms[0].method == "post":
            # oidc-provider's own self-submitting form (a browser submits it by script, or by its noscript
            # button): it ends the old session when another person logs in within an existing one.
            form = page.forms[0]
            response = _request(step, urllib.parse.urljoin(response.url, form.action), dict(form.fields))
            continue
        if login is None or response.status not in (200, 400):
            raise AssertionError(f"Unexpected page from the OpenID provider: {_describe(response)}")
        if posted:
            reason = " ".join(page.errors) or _describe(response)
            raise AssertionError(f"The OpenID provider refused to log in {sub!r}: {reason}")
        fields = dict(login.fields)
        form = {"sub": sub, "loa": loa if loa is not None else fields.get("loa", "")}
        response = _request(step, urllib.parse.urljoin(response.url, login.action), form)
        posted = True
    raise AssertionError(f"More than {MAX_STEPS} steps at the OpenID provider for {authorization_url}")


def follows_to_callback(opener: urllib.request.OpenerDirector, authorization_url: str) -> str | None:
    """The callback URL if the provider sends the browser straight back (a silent login on an existing
    session); None if it shows its login page, i.e. asks the person who they are."""
    step = _step_opener(opener)
    provider = _origin(authorization_url)
    response = _request(step, authorization_url)
    for _ in range(MAX_STEPS):
        if not response.location:
            return None
        if _origin(response.location) != provider:
            return response.location
        response = _request(step, response.location)
    raise AssertionError(f"More than {MAX_STEPS} redirects at the OpenID provider for {authorization_url}")


def end_session(opener: urllib.request.OpenerDirector, url: str, form: dict[str, str] | None = None) -> str:
    """Follow RP-initiated logout from the provider's end_session endpoint (a GET of `url`, or a POST of
    `form` to it, as the app's logout page does): confirm on its page ("Logga ut").

    Returns where the provider sends the browser afterwards (the post_logout_redirect_uri with `state`, or the
    provider's own logged-out page), without requesting it.
    """
    step = _step_opener(opener)
    response = _request(step, url, form)
    for _ in range(MAX_STEPS):
        if response.location:
            return response.location
        page = _parse(response.body)
        form = next((f for f in page.forms if f.method == "post"), None)
        if form is None or response.status != 200:
            raise AssertionError(f"Unexpected page at the OpenID provider's logout: {_describe(response)}")
        fields = dict(form.fields)
        fields.update(dict(form.buttons[:1]))  # the "Logga ut" button carries logout=yes
        response = _request(step, urllib.parse.urljoin(response.url, form.action), fields)
    raise AssertionError(f"More than {MAX_STEPS} steps at the OpenID provider's logout for {url}")
