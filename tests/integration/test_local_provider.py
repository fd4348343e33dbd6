"""The local OpenID provider (local/idp: panva's oidc-provider) behaves as a Swedish e-ID broker.

A small raw relying party in this file (urllib + joserfc) drives the provider over HTTP, the way the app does.
No AWS and no app here: one provider process per module.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from joserfc import jwt
from joserfc.jwk import ECKey, KeySet, RSAKey

from local.oidc_provider import (
    COORDINATION_NUMBER,
    LOA2,
    LOA3,
    LOA4,
    LOA_VALUES,
    NATURAL_PERSON_NAME,
    NATURAL_PERSON_NUMBER,
    PERSONAL_IDENTITY_NUMBER,
    SWEDISH_SCOPES,
    ProviderNotInstalled,
    ProviderProcess,
    ProviderStartError,
    RegisteredClient,
    TestPerson,
    choose_person,
    end_session,
    provider_opener,
    running_provider,
)

APP = "http://localhost:8000"
REDIRECT_URI = f"{APP}/auth/callback"
POST_LOGOUT_REDIRECT_URI = f"{APP}/"
SECRET = "a-client-secret-long-enough-for-the-test-provider"

# Demo people, made up.
ANNA = TestPerson(
    sub="anna",
    label="Anna Andersson — vuxen",
    claims={PERSONAL_IDENTITY_NUMBER: "198112189876", "given_name": "Anna", "family_name": "Andersson",
            "name": "Anna Andersson", "birthdate": "1981-12-18"},
)  # fmt: skip
ALI = TestPerson(
    sub="ali",
    label="Ali Hassan — samordningsnummer",
    claims={COORDINATION_NUMBER: "198112789871", "given_name": "Ali", "family_name": "Hassan", "name": "Ali Hassan"},
)
MARKUP = TestPerson(sub="markup", label='<script>alert("x")</script> & Co', claims={"name": "<b>Markup</b>"})

EC_KEY = ECKey.generate_key("P-256", parameters={"kid": "rp-ec-1", "alg": "ES256", "use": "sig"}, private=True)
OTHER_EC_KEY = ECKey.generate_key("P-256", parameters={"kid": "rp-ec-1", "alg": "ES256", "use": "sig"}, private=True)
RSA_KEY = RSAKey.generate_key(2048, parameters={"kid": "rp-rsa-1", "alg": "RS256", "use": "sig"}, private=True)


def _public_jwks(key: ECKey | RSAKey) -> dict[str, Any]:
    return {"keys": [key.as_dict(private=False)]}


class _JwksHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        body = json.dumps(_public_jwks(RSA_KEY)).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def jwks_uri() -> str:
    """A relying party publishing its keys on plain http://localhost, as the local stack's app does."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _JwksHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://localhost:{server.server_port}/jwks.json"
    server.shutdown()
    server.server_close()


def _clients(jwks_uri: str) -> list[RegisteredClient]:
    common = {"redirect_uris": [REDIRECT_URI], "post_logout_redirect_uris": [POST_LOGOUT_REDIRECT_URI]}
    return [
        RegisteredClient(client_id="rp-ec", jwks=_public_jwks(EC_KEY), **common),
        RegisteredClient(client_id="rp-signed-userinfo", jwks=_public_jwks(EC_KEY),
                         userinfo_signed_response_alg="RS256", **common),  # fmt: skip
        RegisteredClient(client_id="rp-secret", token_endpoint_auth_method="client_secret_basic",
                         client_secret=SECRET, **common),  # fmt: skip
        RegisteredClient(client_id="rp-jwks-uri", jwks_uri=jwks_uri, **common),
    ]


@pytest.fixture(scope="module")
def idp(jwks_uri: str) -> ProviderProcess:
    with running_provider(port=0, clients=_clients(jwks_uri), persons=[ANNA, ALI, MARKUP],
                          scopes=SWEDISH_SCOPES) as provider:  # fmt: skip
        yield provider


@pytest.fixture(scope="module")
def idp_claims_in_id_token(jwks_uri: str) -> ProviderProcess:
    with running_provider(port=0, clients=_clients(jwks_uri), persons=[ANNA], scopes=SWEDISH_SCOPES,
                          claims_in_id_token=True) as provider:  # fmt: skip
        yield provider


# ---------------------------------------------------------------------------------------------------------------
# A raw relying party


def _get_json(url: str, headers: dict[str, str] | None = None) -> Any:
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=10) as response:
        return json.load(response)


@dataclass
class HttpResult:
    status: int
    content_type: str
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def _call(request: urllib.request.Request) -> HttpResult:
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return HttpResult(response.status, response.headers.get_content_type(), response.read())
    except urllib.error.HTTPError as error:
        return HttpResult(error.code, error.headers.get_content_type(), error.read())


@dataclass
class Login:
    url: str
    state: str
    nonce: str
    verifier: str


class RelyingParty:
    def __init__(self, idp: ProviderProcess, client_id: str, *, key: ECKey | RSAKey | None = None,
                 secret: str | None = None) -> None:  # fmt: skip
        self.idp = idp
        self.client_id = client_id
        self.key = key
        self.secret = secret
        self.metadata = _get_json(idp.discovery_url)
        self.provider_keys = KeySet.import_key_set(_get_json(self.metadata["jwks_uri"]))

    def login_request(self, scope: str, *, pkce: bool = True, **extra: str) -> Login:
        state, nonce, verifier = secrets.token_urlsafe(16), secrets.token_urlsafe(16), secrets.token_urlsafe(48)
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        params = {"client_id": self.client_id, "response_type": "code", "scope": scope, "redirect_uri": REDIRECT_URI,
                  "state": state, "nonce": nonce}  # fmt: skip
        if pkce:
            params |= {"code_challenge": challenge, "code_challenge_method": "S256"}
        params |= extra
        url = f"{self.metadata['authorization_endpoint']}?{urllib.parse.urlencode(params)}"
        return Login(url=url, state=state, nonce=nonce, verifier=verifier)

    def client_assertion(self, key: ECKey | RSAKey | None = None, audience: str | None = None) -> str:
        key = key or self.key
        now = int(time.time())
        claims = {"iss": self.client_id, "sub": self.client_id, "aud": audience or self.metadata["token_endpoint"],
                  "jti": secrets.token_urlsafe(16), "iat": now, "exp": now + 60}  # fmt: skip
        return jwt.encode({"alg": key.alg, "kid": key.kid}, claims, key)

    def token(self, callback: str, login: Login, *, assertion_key: ECKey | RSAKey | None = None,
              secret: str | None = None, audience: str | None = None) -> HttpResult:  # fmt: skip
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(callback).query))
        assert callback.startswith(REDIRECT_URI + "?"), callback
        assert query.get("state") == login.state, query
        assert query.get("iss") == self.idp.issuer  # RFC 9207
        form = {"grant_type": "authorization_code", "code": query["code"], "redirect_uri": REDIRECT_URI,
                "code_verifier": login.verifier}  # fmt: skip
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}
        if self.secret is not None or secret is not None:
            pair = f"{urllib.parse.quote(self.client_id)}:{urllib.parse.quote(secret or self.secret)}"
            headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode()
        else:
            form |= {"client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                     "client_assertion": self.client_assertion(assertion_key, audience)}  # fmt: skip
        request = urllib.request.Request(self.metadata["token_endpoint"], data=urllib.parse.urlencode(form).encode(),
                                         headers=headers)  # fmt: skip
        return _call(request)

    def verify(self, token: str, *, nonce: str | None = None) -> dict[str, Any]:
        decoded = jwt.decode(token, self.provider_keys, algorithms=["RS256", "PS256", "ES256"])
        claims = decoded.claims
        registry = jwt.JWTClaimsRegistry(
            iss={"essential": True, "value": self.idp.issuer},
            aud={"essential": True, "value": self.client_id},
            sub={"essential": True},
            exp={"essential": True},
            **({"nonce": {"essential": True, "value": nonce}} if nonce else {}),
        )
        registry.validate(claims)
        return claims

    def userinfo(self, access_token: str) -> HttpResult:
        request = urllib.request.Request(self.metadata["userinfo_endpoint"],
                                         headers={"Authorization": f"Bearer {access_token}"})  # fmt: skip
        return _call(request)

    def log_in(self, opener: Any, sub: str, scope: str, *, loa: str | None = None, **extra: str) -> dict[str, Any]:
        login = self.login_request(scope, **extra)
        callback = choose_person(opener, login.url, sub, loa)
        result = self.token(callback, login)
        assert result.status == 200, result.body
        tokens = result.json()
        tokens["id_claims"] = self.verify(tokens["id_token"], nonce=login.nonce)
        return tokens


def _first_stop(opener: Any, url: str) -> str:
    """Follow the provider's redirects: 'login page', or the URL it sends the browser back to."""
    step = urllib.request.build_opener(
        *[h for h in opener.handlers if isinstance(h, urllib.request.HTTPCookieProcessor)], _Stay
    )
    origin = urllib.parse.urlsplit(url)[:2]
    for _ in range(10):
        try:
            with step.open(url, timeout=10) as response:
                body = response.read().decode()
                return "login page" if "/login" in body and 'name="sub"' in body else f"page: {body[:300]}"
        except urllib.error.HTTPError as redirect:
            if redirect.code not in (302, 303):
                raise
            url = urllib.parse.urljoin(url, redirect.headers["Location"])
            if urllib.parse.urlsplit(url)[:2] != origin:
                return url
    raise AssertionError("too many redirects")


class _Stay(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def _query(url: str) -> dict[str, str]:
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))


# ---------------------------------------------------------------------------------------------------------------
# Discovery and request rules


def test_discovery_says_what_the_swedish_profile_asks(idp):
    metadata = _get_json(idp.discovery_url)

    assert metadata["issuer"] == idp.issuer == f"http://localhost:{idp.port}"
    assert metadata["end_session_endpoint"].startswith(idp.issuer)
    assert metadata["code_challenge_methods_supported"] == ["S256"]
    assert metadata["acr_values_supported"] == list(LOA_VALUES)
    assert "private_key_jwt" in metadata["token_endpoint_auth_methods_supported"]
    assert "none" not in metadata["token_endpoint_auth_methods_supported"]
    assert "RS256" in metadata["token_endpoint_auth_signing_alg_values_supported"]
    assert {"openid", NATURAL_PERSON_NAME, NATURAL_PERSON_NUMBER} <= set(metadata["scopes_supported"])
    assert {PERSONAL_IDENTITY_NUMBER, "given_name", "family_name", "name"} <= set(metadata["claims_supported"])
    assert metadata["response_types_supported"] == ["code"]
    assert metadata["claims_parameter_supported"] is True
    assert metadata["request_parameter_supported"] is True
    assert "public" in metadata["subject_types_supported"]


def test_a_request_without_pkce_is_refused(idp):
    rp = RelyingParty(idp, "rp-ec", key=EC_KEY)
    opener, _ = provider_opener()

    back = _first_stop(opener, rp.login_request("openid", pkce=False).url)

    assert back.startswith(REDIRECT_URI + "?")
    assert _query(back)["error"] == "invalid_request"
    assert "PKCE" in _query(back)["error_description"]


def test_the_plain_pkce_method_is_refused(idp):
    rp = RelyingParty(idp, "rp-ec", key=EC_KEY)
    opener, _ = provider_opener()
    login = rp.login_request("openid", pkce=False, code_challenge="x" * 43, code_challenge_method="plain")

    back = _first_stop(opener, login.url)

    assert _query(back)["error"] == "invalid_request"


def test_an_unsupported_acr_is_invalid_request(idp):
    rp = RelyingParty(idp, "rp-ec", key=EC_KEY)
    opener, _ = provider_opener()

    back = _first_stop(opener, rp.login_request("openid", acr_values="urn:example:loa:unknown").url)

    assert _query(back)["error"] == "invalid_request"
    assert "acr_values" in _query(back)["error_description"]


# ---------------------------------------------------------------------------------------------------------------
# The code flow


def test_code_flow_with_private_key_jwt_gives_a_verified_id_token_without_identity_claims(idp):
    rp = RelyingParty(idp, "rp-ec", key=EC_KEY)
    opener, _ = provider_opener()
    before = int(time.time())

    tokens = rp.log_in(opener, "anna", f"openid {NATURAL_PERSON_NUMBER}", loa=LOA4, acr_values=f"{LOA3} {LOA4}")

    claims = tokens["id_claims"]
    assert claims["sub"] == "anna"
    assert claims["acr"] == LOA4
    assert before - 1 <= claims["auth_time"] <= time.time() + 1
    assert claims["exp"] - claims["iat"] <= 300  # the profile: at most five minutes
    assert PERSONAL_IDENTITY_NUMBER not in claims
    assert "given_name" not in claims
    assert tokens["token_type"] == "Bearer"
    assert "refresh_token" not in tokens


def test_the_login_page_preselects_the_strongest_requested_level_and_the_default_otherwise(idp):
    rp = RelyingParty(idp, "rp-ec", key=EC_KEY)

    with_request = rp.log_in(provider_opener()[0], "anna", "openid", acr_values=f"{LOA2} {LOA3}")
    without = rp.log_in(provider_opener()[0], "anna", "openid")

    assert with_request["id_claims"]["acr"] == LOA3
    assert without["id_claims"]["acr"] == LOA3  # default_acr
    assert rp.log_in(provider_opener()[0], "anna", "openid", loa=LOA2)["id_claims"]["acr"] == LOA2


def test_a_tester_can_play_a_broker_that_answers_below_the_requested_level(idp):
    # acr_values is a voluntary request (OpenID Connect Core 3.1.2.1): the relying party must check acr
    rp = RelyingParty(idp, "rp-ec", key=EC_KEY)

    answered = rp.log_in(provider_opener()[0], "anna", "openid", acr_values=LOA4, loa=LOA2)

    assert answered["id_claims"]["acr"] == LOA2


def test_an_unknown_level_cannot_be_chosen(idp):
    rp = RelyingParty(idp, "rp-ec", key=EC_KEY)
    login = rp.login_request("openid", acr_values=LOA3)

    with pytest.raises(AssertionError, match="Tillitsnivån"):
        choose_person(provider_opener()[0], login.url, "anna", "http://id.elegnamnden.se/loa/1.0/loa9")


def test_userinfo_releases_the_personnummer_only_for_the_number_scope(idp):
    rp = RelyingParty(idp, "rp-ec", key=EC_KEY)

    with_number = rp.log_in(provider_opener()[0], "anna", f"openid {NATURAL_PERSON_NUMBER}")
    names_only = rp.log_in(provider_opener()[0], "anna", f"openid {NATURAL_PERSON_NAME}")
    bare = rp.log_in(provider_opener()[0], "anna", "openid")

    info = rp.userinfo(with_number["access_token"]).json()
    assert info["sub"] == "anna"
    assert info[PERSONAL_IDENTITY_NUMBER] == "198112189876"
    assert info["given_name"] == "Anna"
    info = rp.userinfo(names_only["access_token"]).json()
    assert PERSONAL_IDENTITY_NUMBER not in info
    assert info["name"] == "Anna Andersson"
    assert rp.userinfo(bare["access_token"]).json() == {"sub": "anna"}


def test_a_coordination_number_holder_gets_the_coordination_number_claim(idp):
    rp = RelyingParty(idp, "rp-ec", key=EC_KEY)

    tokens = rp.log_in(provider_opener()[0], "ali", f"openid {NATURAL_PERSON_NUMBER}")

    info = rp.userinfo(tokens["access_token"]).json()
    assert info[COORDINATION_NUMBER] == "198112789871"
    assert PERSONAL_IDENTITY_NUMBER not in info


def test_the_claims_parameter_asks_for_single_claims(idp):
    rp = RelyingParty(idp, "rp-ec", key=EC_KEY)
    claims = json.dumps({"id_token": {PERSONAL_IDENTITY_NUMBER: {"essential": True}}})

    tokens = rp.log_in(provider_opener()[0], "anna", "openid", claims=claims)

    assert tokens["id_claims"][PERSONAL_IDENTITY_NUMBER] == "198112189876"
    assert "given_name" not in tokens["id_claims"]


def test_signed_userinfo_when_the_client_registered_it(idp):
    rp = RelyingParty(idp, "rp-signed-userinfo", key=EC_KEY)

    tokens = rp.log_in(provider_opener()[0], "anna", f"openid {NATURAL_PERSON_NUMBER}")
    result = rp.userinfo(tokens["access_token"])

    assert result.status == 200
    assert result.content_type == "application/jwt"
    signed = rp.verify(result.body.decode())
    assert signed["sub"] == "anna"
    assert signed[PERSONAL_IDENTITY_NUMBER] == "198112189876"


def test_a_client_assertion_signed_with_another_key_is_refused(idp):
    rp = RelyingParty(idp, "rp-ec", key=EC_KEY)
    login = rp.login_request("openid")
    callback = choose_person(provider_opener()[0], login.url, "anna")

    result = rp.token(callback, login, assertion_key=OTHER_EC_KEY)

    assert result.status == 401
    assert result.json()["error"] == "invalid_client"


def test_a_client_assertion_may_name_the_issuer_as_audience(idp):
    rp = RelyingParty(idp, "rp-ec", key=EC_KEY)
    login = rp.login_request("openid")
    callback = choose_person(provider_opener()[0], login.url, "anna")

    result = rp.token(callback, login, audience=idp.issuer)

    assert result.status == 200, result.body


def test_a_signed_request_object_carries_the_request(idp):
    rp = RelyingParty(idp, "rp-ec", key=EC_KEY)
    login = rp.login_request(f"openid {NATURAL_PERSON_NUMBER}", acr_values=LOA4)
    inner = _query(login.url) | {"iss": "rp-ec", "aud": idp.issuer}
    request = jwt.encode({"alg": "ES256", "kid": EC_KEY.kid}, inner, EC_KEY)
    url = f"{rp.metadata['authorization_endpoint']}?" + urllib.parse.urlencode(
        {"client_id": "rp-ec", "response_type": "code", "scope": "openid", "request": request}
    )

    callback = choose_person(provider_opener()[0], url, "anna")
    tokens = rp.token(callback, login).json()

    assert rp.verify(tokens["id_token"], nonce=login.nonce)["acr"] == LOA4
    assert PERSONAL_IDENTITY_NUMBER in rp.userinfo(tokens["access_token"]).json()


def test_client_secret_basic_when_configured(idp):
    rp = RelyingParty(idp, "rp-secret", secret=SECRET)

    tokens = rp.log_in(provider_opener()[0], "anna", "openid")
    assert tokens["id_claims"]["sub"] == "anna"

    login = rp.login_request("openid")
    callback = choose_person(provider_opener()[0], login.url, "anna")
    wrong = rp.token(callback, login, secret="not-the-secret")
    assert wrong.status == 401
    assert wrong.json()["error"] == "invalid_client"


def test_private_key_jwt_with_keys_from_a_jwks_uri_on_plain_http_localhost(idp):
    rp = RelyingParty(idp, "rp-jwks-uri", key=RSA_KEY)

    tokens = rp.log_in(provider_opener()[0], "anna", "openid")

    assert tokens["id_claims"]["sub"] == "anna"


def test_identity_claims_in_the_id_token_when_configured(idp_claims_in_id_token):
    rp = RelyingParty(idp_claims_in_id_token, "rp-ec", key=EC_KEY)

    with_number = rp.log_in(provider_opener()[0], "anna", f"openid {NATURAL_PERSON_NUMBER}", loa=LOA2)
    bare = rp.log_in(provider_opener()[0], "anna", "openid")

    assert with_number["id_claims"][PERSONAL_IDENTITY_NUMBER] == "198112189876"
    assert with_number["id_claims"]["family_name"] == "Andersson"
    assert with_number["id_claims"]["acr"] == LOA2
    assert PERSONAL_IDENTITY_NUMBER not in bare["id_claims"]
    assert {"acr", "auth_time", "sub"} <= set(bare["id_claims"])


# ---------------------------------------------------------------------------------------------------------------
# The login page and the provider session


def _login_page(rp: RelyingParty) -> tuple[Any, str, Any]:
    """A fresh browser's way to the provider's login page: (its opener, the page's URL, the request)."""
    opener, _ = provider_opener()
    login = rp.login_request("openid")
    with opener.open(login.url) as redirect:
        return opener, urllib.parse.urljoin(login.url, redirect.headers["Location"]), login


def test_the_login_page_lists_the_persons_with_every_value_escaped(idp):
    rp = RelyingParty(idp, "rp-ec", key=EC_KEY)
    opener, page_url, login = _login_page(rp)
    with opener.open(page_url) as response:
        page = response.read().decode()

    assert 'name="sub" value="anna"' in page
    assert "Anna Andersson — vuxen" in page
    assert "<script>" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co" in page
    assert 'name="loa"' in page
    assert response.headers["Content-Security-Policy"].startswith("default-src 'none'")


def test_an_unknown_sub_shows_the_page_again_with_an_error(idp):
    rp = RelyingParty(idp, "rp-ec", key=EC_KEY)

    with pytest.raises(AssertionError, match="Okänd testperson"):
        choose_person(provider_opener()[0], rp.login_request("openid").url, "nobody")


def test_cancel_on_the_login_page_answers_access_denied(idp):
    rp = RelyingParty(idp, "rp-ec", key=EC_KEY)
    opener, page_url, login = _login_page(rp)

    with opener.open(urllib.request.Request(f"{page_url}/abort", data=b"")) as response:
        resume = urllib.parse.urljoin(page_url, response.headers["Location"])
    back = _first_stop(opener, resume)

    assert back.startswith(REDIRECT_URI + "?")
    assert _query(back)["error"] == "access_denied"
    assert _query(back)["state"] == login.state


def test_an_existing_session_logs_in_silently_and_prompt_login_or_max_age_0_asks_again(idp):
    rp = RelyingParty(idp, "rp-ec", key=EC_KEY)
    opener, _ = provider_opener()
    first = rp.log_in(opener, "anna", "openid", loa=LOA3)

    silent = _first_stop(opener, rp.login_request("openid").url)
    assert silent.startswith(REDIRECT_URI + "?code=")
    again = rp.log_in(opener, "anna", "openid")  # choose_person posts nothing: same login
    assert again["id_claims"]["auth_time"] == first["id_claims"]["auth_time"]
    assert again["id_claims"]["acr"] == LOA3

    assert _first_stop(opener, rp.login_request("openid", prompt="login").url) == "login page"
    assert _first_stop(opener, rp.login_request("openid", max_age="0").url) == "login page"
    # a stronger level than the session's asks again too (step-up)
    assert _first_stop(opener, rp.login_request("openid", acr_values=LOA4).url) == "login page"
    # prompt=login can log in someone else
    assert rp.log_in(opener, "ali", "openid", prompt="login")["id_claims"]["sub"] == "ali"


def test_rp_initiated_logout_redirects_back_and_ends_the_session(idp):
    rp = RelyingParty(idp, "rp-ec", key=EC_KEY)
    opener, _ = provider_opener()
    tokens = rp.log_in(opener, "anna", "openid")
    assert _first_stop(opener, rp.login_request("openid").url).startswith(REDIRECT_URI)
    logout = rp.metadata["end_session_endpoint"] + "?" + urllib.parse.urlencode(
        {"id_token_hint": tokens["id_token"], "post_logout_redirect_uri": POST_LOGOUT_REDIRECT_URI, "state": "bye"}
    )

    back = end_session(opener, logout)

    assert back == f"{POST_LOGOUT_REDIRECT_URI}?state=bye"
    assert _first_stop(opener, rp.login_request("openid").url) == "login page"


def test_logout_without_a_redirect_uri_ends_on_the_providers_own_page(idp):
    rp = RelyingParty(idp, "rp-ec", key=EC_KEY)
    opener, _ = provider_opener()
    tokens = rp.log_in(opener, "anna", "openid")
    logout = rp.metadata["end_session_endpoint"] + "?" + urllib.parse.urlencode({"id_token_hint": tokens["id_token"]})

    done = end_session(opener, logout)

    assert done.startswith(idp.issuer)
    with opener.open(done) as response:
        assert "Du är utloggad" in response.read().decode()
    assert _first_stop(opener, rp.login_request("openid").url) == "login page"


def test_logout_refuses_an_unregistered_post_logout_redirect_uri(idp):
    rp = RelyingParty(idp, "rp-ec", key=EC_KEY)
    opener, _ = provider_opener()
    tokens = rp.log_in(opener, "anna", "openid")
    logout = rp.metadata["end_session_endpoint"] + "?" + urllib.parse.urlencode(
        {"id_token_hint": tokens["id_token"], "post_logout_redirect_uri": "https://evil.example/"}
    )

    with pytest.raises(AssertionError, match="post_logout_redirect_uri not registered"):
        end_session(opener, logout)


# ---------------------------------------------------------------------------------------------------------------
# The wrapper


def test_a_provider_that_cannot_start_says_why():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(ProviderStartError, match="EADDRINUSE"):
            with running_provider(port=port, clients=[], persons=[ANNA], scopes=SWEDISH_SCOPES):
                pass


def test_a_missing_install_tells_to_run_make_install(monkeypatch, tmp_path):
    from local import oidc_provider

    monkeypatch.setattr(oidc_provider, "_INSTALLED_PACKAGE", tmp_path / "missing" / "package.json")

    with pytest.raises(ProviderNotInstalled, match="make install"):
        oidc_provider.ensure_installed()
