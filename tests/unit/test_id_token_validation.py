"""ID-token validation and the relying party's requests, per the Swedish OIDC profile: only a
token signed by the provider's published key, for us, fresh, with our nonce and an accepted level
of assurance, is accepted; the client authenticates with private_key_jwt; identity claims may come
from userinfo, signed or not."""

import json
import time
import urllib.parse

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

from chalicelib.adapters.client_key import ClientKey
from chalicelib.adapters.oidc import HttpResponse, OidcClient, OidcError, pkce_challenge
from chalicelib.settings import LOA3, OidcProvider

ISSUER = "https://eid.example.se"
CLIENT_ID = "eservices-citizen"
NONCE = "n-0S6_WzA2Mj"
LOA2 = "http://id.elegnamnden.se/loa/1.0/loa2"
PNR_SCOPE = "https://id.oidc.se/scope/naturalPersonNumber"


def _json(body, status=200):
    return HttpResponse(status, "application/json", json.dumps(body).encode())


class FakeProvider:
    """Serves discovery, JWKS and userinfo from memory (the HTTP fetch is the only thing replaced)."""

    def __init__(self, issuer: str = ISSUER) -> None:
        self.issuer = issuer
        self.key = RSAKey.generate_key(2048, parameters={"kid": "k1"}, private=True)
        self.published = [self.key]
        self.jwks_fetches = 0
        self.userinfo = None  # an HttpResponse to answer with
        self.requests = []

    def fetch(self, request):
        self.requests.append(request)
        url = request.full_url
        base = self.issuer.rstrip("/")
        if url == f"{base}/.well-known/openid-configuration":
            return _json({
                "issuer": self.issuer,
                "authorization_endpoint": f"{base}/authorize",
                "token_endpoint": f"{base}/token",
                "userinfo_endpoint": f"{base}/userinfo",
                "jwks_uri": f"{base}/jwks",
                "end_session_endpoint": f"{base}/logout",
            })  # fmt: skip
        if url.endswith("/jwks"):
            self.jwks_fetches += 1
            return _json(KeySet(self.published).as_dict(private=False))
        if url.endswith("/userinfo") and self.userinfo is not None:
            return self.userinfo
        raise AssertionError(url)

    def token(self, key=None, alg="RS256", **overrides):
        now = int(time.time())
        claims = {"iss": self.issuer, "aud": CLIENT_ID, "sub": "abc", "iat": now, "exp": now + 300, "nonce": NONCE,
                  "acr": LOA3, "auth_time": now}  # fmt: skip
        claims.update(overrides)
        claims = {k: v for k, v in claims.items() if v is not None}
        signing_key = key or self.key
        return jwt.encode({"alg": alg, "kid": signing_key.kid}, claims, signing_key)


@pytest.fixture
def provider():
    return FakeProvider()


def _settings(issuer=ISSUER, **overrides):
    values = {"client_auth": "client_secret_basic", "scopes": ("openid", PNR_SCOPE), "acr_values": (LOA3,)}
    values.update(overrides)
    return OidcProvider(issuer, CLIENT_ID, "s3cret", **values)


@pytest.fixture
def client(provider):
    return OidcClient(_settings(), fetch=provider.fetch)


def test_a_correct_token_is_accepted(provider, client):
    claims = client.validate_id_token(provider.token(), nonce=NONCE)
    assert claims["sub"] == "abc"


def test_a_token_signed_by_another_key_is_refused(provider, client):
    stranger = RSAKey.generate_key(2048, parameters={"kid": "k1"}, private=True)  # same kid, other key
    with pytest.raises(OidcError) as error:
        client.validate_id_token(provider.token(key=stranger), nonce=NONCE)
    assert error.value.reason == "id_token_signature"


def test_a_tampered_payload_is_refused(provider, client):
    header, payload, signature = provider.token().split(".")
    import base64

    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["sub"] = "someone-else"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    with pytest.raises(OidcError):
        client.validate_id_token(f"{header}.{forged}.{signature}", nonce=NONCE)


def test_an_unsigned_token_is_refused(provider, client):
    unsigned = provider.token().rsplit(".", 1)[0] + "."
    with pytest.raises(OidcError):
        client.validate_id_token(unsigned, nonce=NONCE)


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"aud": "someone-elses-client"}, "id_token_aud"),
        ({"iss": "https://evil.example"}, "id_token_iss"),
        ({"nonce": "another-nonce"}, "id_token_nonce"),
        ({"nonce": None}, "id_token_nonce"),
        ({"exp": int(time.time()) - 120}, "id_token_exp"),
        ({"sub": None}, "id_token_sub"),
    ],
)
def test_wrong_claims_are_refused(provider, client, overrides, reason):
    with pytest.raises(OidcError) as error:
        client.validate_id_token(provider.token(**overrides), nonce=NONCE)
    assert error.value.reason == reason


def test_expiry_allows_one_minute_of_clock_skew(provider, client):
    assert client.validate_id_token(provider.token(exp=int(time.time()) - 30), nonce=NONCE)


def test_a_rotated_key_is_fetched_once_more(provider, client):
    client.validate_id_token(provider.token(), nonce=NONCE)
    new_key = RSAKey.generate_key(2048, parameters={"kid": "k2"}, private=True)
    provider.published = [new_key]
    assert client.validate_id_token(provider.token(key=new_key), nonce=NONCE)
    assert provider.jwks_fetches == 2


def test_a_symmetric_algorithm_is_refused(provider, client):
    from joserfc.jwk import OctKey

    secret = OctKey.generate_key(256, parameters={"kid": "k1"})
    with pytest.raises(OidcError):
        client.validate_id_token(provider.token(key=secret, alg="HS256"), nonce=NONCE)


def test_pkce_challenge_is_s256_of_the_verifier():
    # RFC 7636 appendix B
    assert pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk") == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


def test_the_authorization_request_asks_for_the_scopes_and_levels_with_pkce(client):
    url = client.authorization_url(redirect_uri="https://x/cb", state="s1", nonce="n1", code_verifier="v" * 43)
    assert url.startswith(f"{ISSUER}/authorize?")
    params = urllib.parse.parse_qs(urllib.parse.urlparse(url).query)
    assert params["scope"] == [f"openid {PNR_SCOPE}"]
    assert params["acr_values"] == [LOA3]
    assert params["state"] == ["s1"] and params["nonce"] == ["n1"]
    assert params["code_challenge_method"] == ["S256"] and params["response_type"] == ["code"]
    assert "prompt" not in params


def test_after_a_logout_the_request_makes_the_provider_ask_again(client):
    url = client.authorization_url(redirect_uri="https://x/cb", state="s", nonce="n", code_verifier="v" * 43,
                                   force_login=True)  # fmt: skip
    assert urllib.parse.parse_qs(urllib.parse.urlparse(url).query)["prompt"] == ["login"]


def test_discovery_for_another_issuer_is_refused():
    def fetch(request):
        return _json({"issuer": "https://other.example", "authorization_endpoint": "x", "token_endpoint": "y",
                      "jwks_uri": "z"})  # fmt: skip

    with pytest.raises(OidcError) as error:
        OidcClient(_settings(), fetch=fetch).metadata()
    assert error.value.reason == "provider_issuer_mismatch"


@pytest.mark.parametrize(("configured", "published"), [
    ("https://eid.example.se/", "https://eid.example.se/"),
    ("https://eid.example.se", "https://eid.example.se/"),
    ("https://eid.example.se/", "https://eid.example.se"),
])  # fmt: skip
def test_the_issuer_is_compared_exactly_as_the_discovery_document_states_it(configured, published):
    # Given a provider whose discovery document spells its issuer with or without the trailing "/"
    provider = FakeProvider(issuer=published)
    client = OidcClient(_settings(issuer=configured), fetch=provider.fetch)
    # Then a token carrying exactly that spelling logs in
    assert client.validate_id_token(provider.token(), nonce=NONCE)["sub"] == "abc"
    # And the other spelling does not
    other = published.rstrip("/") if published.endswith("/") else published + "/"
    with pytest.raises(OidcError) as error:
        client.validate_id_token(provider.token(iss=other), nonce=NONCE)
    assert error.value.reason == "id_token_iss"


@pytest.mark.parametrize(("acr", "accepted"), [(LOA3, True), (LOA2, False), (None, False), ("loa3", False)])
def test_only_the_regions_levels_of_assurance_are_accepted(provider, client, acr, accepted):
    token = provider.token(acr=acr)
    if accepted:
        assert client.validate_id_token(token, nonce=NONCE)["acr"] == LOA3
    else:
        with pytest.raises(OidcError) as error:
            client.validate_id_token(token, nonce=NONCE)
        assert error.value.reason == "acr_not_accepted"


def test_an_id_token_older_than_five_minutes_is_refused(provider, client):
    now = int(time.time())
    # Issued 5 minutes ago (within the minute's skew): still a fresh login
    assert client.validate_id_token(provider.token(iat=now - 300, exp=now + 3600), nonce=NONCE)
    # Issued 7 minutes ago, even if the provider let it live an hour: refused
    with pytest.raises(OidcError) as error:
        client.validate_id_token(provider.token(iat=now - 420, exp=now + 3600), nonce=NONCE)
    assert error.value.reason == "id_token_too_old"
    with pytest.raises(OidcError) as error:
        client.validate_id_token(provider.token(iat=None), nonce=NONCE)
    assert error.value.reason == "id_token_iat"


def _token_endpoint(provider, sent, answer=None):
    def fetch(request):
        if request.full_url.endswith("/token"):
            sent.append(request)
            return answer or _json({"id_token": "x", "access_token": "at", "token_type": "Bearer"})
        return provider.fetch(request)

    return fetch


def test_client_secret_basic_proves_the_pkce_verifier_and_the_secret(provider):
    import base64

    sent = []
    client = OidcClient(_settings(), fetch=_token_endpoint(provider, sent))
    tokens = client.exchange_code(code="c1", redirect_uri="https://x/cb", code_verifier="v" * 43)
    assert (tokens.id_token, tokens.access_token) == ("x", "at")
    form = urllib.parse.parse_qs(sent[0].data.decode())
    assert form["code_verifier"] == ["v" * 43] and form["code"] == ["c1"]
    assert form["grant_type"] == ["authorization_code"] and form["redirect_uri"] == ["https://x/cb"]
    basic = base64.b64decode(sent[0].headers["Authorization"].split()[1]).decode()
    assert basic == f"{CLIENT_ID}:s3cret"


def test_private_key_jwt_sends_a_fresh_signed_assertion_per_call(provider):
    sent = []
    key = ClientKey("k" * 43)
    client = OidcClient(_settings(client_auth="private_key_jwt"), key, fetch=_token_endpoint(provider, sent))
    for code in ("c1", "c2"):
        client.exchange_code(code=code, redirect_uri="https://x/cb", code_verifier="v" * 43)
    assertions = []
    for request in sent:
        form = urllib.parse.parse_qs(request.data.decode())
        assert "Authorization" not in request.headers  # no secret travels
        assert form["client_assertion_type"] == ["urn:ietf:params:oauth:client-assertion-type:jwt-bearer"]
        # The provider verifies it with the public key we publish
        token = jwt.decode(form["client_assertion"][0], KeySet.import_key_set(key.public_jwks()))
        assert token.header["alg"] == "ES256"
        claims = token.claims
        assert claims["iss"] == claims["sub"] == CLIENT_ID and claims["aud"] == ISSUER
        assert 0 < claims["exp"] - claims["iat"] <= 60
        assertions.append(claims["jti"])
    assert len(set(assertions)) == 2


def test_a_refused_token_request_is_code_rejected(provider):
    sent = []
    client = OidcClient(_settings(), fetch=_token_endpoint(provider, sent, _json({"error": "invalid_grant"}, 400)))
    with pytest.raises(OidcError) as error:
        client.exchange_code(code="used", redirect_uri="https://x/cb", code_verifier="v" * 43)
    assert error.value.reason == "code_rejected"


PNR_CLAIM = "https://id.oidc.se/claim/personalIdentityNumber"


def test_userinfo_as_json_gives_the_subjects_claims(provider, client):
    provider.userinfo = _json({"sub": "abc", PNR_CLAIM: "198112189876"})
    assert client.userinfo("at", subject="abc")[PNR_CLAIM] == "198112189876"
    assert provider.requests[-1].headers["Authorization"] == "Bearer at"


def test_signed_userinfo_is_verified_like_an_id_token(provider, client):
    claims = {"sub": "abc", "iss": ISSUER, "aud": CLIENT_ID, PNR_CLAIM: "198112189876"}
    signed = jwt.encode({"alg": "RS256", "kid": "k1"}, claims, provider.key)
    provider.userinfo = HttpResponse(200, "application/jwt", signed.encode())
    assert client.userinfo("at", subject="abc")[PNR_CLAIM] == "198112189876"
    # Signed by a stranger: refused
    stranger = RSAKey.generate_key(2048, parameters={"kid": "k1"}, private=True)
    provider.userinfo = HttpResponse(200, "application/jwt", jwt.encode({"alg": "RS256", "kid": "k1"}, claims, stranger).encode())
    with pytest.raises(OidcError):
        client.userinfo("at", subject="abc")
    # For another client: refused
    other = jwt.encode({"alg": "RS256", "kid": "k1"}, {**claims, "aud": "someone-else"}, provider.key)
    provider.userinfo = HttpResponse(200, "application/jwt", other.encode())
    with pytest.raises(OidcError) as error:
        client.userinfo("at", subject="abc")
    assert error.value.reason == "userinfo_claims"


def test_userinfo_about_another_subject_is_refused(provider, client):
    provider.userinfo = _json({"sub": "someone-else", PNR_CLAIM: "198112189876"})
    with pytest.raises(OidcError) as error:
        client.userinfo("at", subject="abc")
    assert error.value.reason == "userinfo_subject_mismatch"


def test_the_end_session_endpoint_comes_from_discovery(client):
    assert client.end_session_endpoint() == f"{ISSUER}/logout"
