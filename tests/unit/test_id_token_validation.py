"""ID-token validation: only a token signed by the provider's published key, for us, unexpired,
with our nonce, is accepted."""

import json
import time

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

from chalicelib.adapters.oidc import OidcClient, OidcError, pkce_challenge
from chalicelib.settings import OidcProvider

ISSUER = "https://eid.example.se"
CLIENT_ID = "eservices-citizen"
NONCE = "n-0S6_WzA2Mj"


class FakeProvider:
    """Serves discovery and JWKS from memory (the HTTP fetch is the only thing replaced)."""

    def __init__(self) -> None:
        self.key = RSAKey.generate_key(2048, parameters={"kid": "k1"}, private=True)
        self.published = [self.key]
        self.jwks_fetches = 0

    def fetch(self, request):
        url = request.full_url
        if url.endswith("/.well-known/openid-configuration"):
            return {
                "issuer": ISSUER,
                "authorization_endpoint": f"{ISSUER}/authorize",
                "token_endpoint": f"{ISSUER}/token",
                "jwks_uri": f"{ISSUER}/jwks",
            }
        if url.endswith("/jwks"):
            self.jwks_fetches += 1
            return KeySet(self.published).as_dict(private=False)
        raise AssertionError(url)

    def token(self, key=None, alg="RS256", **overrides):
        now = int(time.time())
        claims = {"iss": ISSUER, "aud": CLIENT_ID, "sub": "abc", "iat": now, "exp": now + 300, "nonce": NONCE}
        claims.update(overrides)
        claims = {k: v for k, v in claims.items() if v is not None}
        signing_key = key or self.key
        return jwt.encode({"alg": alg, "kid": signing_key.kid}, claims, signing_key)


@pytest.fixture
def provider():
    return FakeProvider()


@pytest.fixture
def client(provider):
    return OidcClient(OidcProvider(ISSUER, CLIENT_ID, None), fetch_json=provider.fetch)


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


def test_the_authorization_request_carries_state_nonce_and_pkce(client):
    url = client.authorization_url(redirect_uri="https://x/cb", state="s1", nonce="n1", code_verifier="v" * 43)
    assert url.startswith(f"{ISSUER}/authorize?")
    for part in ("state=s1", "nonce=n1", "code_challenge_method=S256", "response_type=code", "scope=openid+profile"):
        assert part in url


def test_discovery_for_another_issuer_is_refused():
    def fetch(request):
        return {"issuer": "https://other.example", "authorization_endpoint": "x", "token_endpoint": "y", "jwks_uri": "z"}

    with pytest.raises(OidcError) as error:
        OidcClient(OidcProvider(ISSUER, CLIENT_ID, None), fetch_json=fetch).metadata()
    assert error.value.reason == "provider_issuer_mismatch"


def test_the_token_request_proves_the_pkce_verifier_and_authenticates_the_client(provider):
    import base64
    import urllib.parse

    sent = []

    def fetch(request):
        if request.full_url.endswith("/token"):
            sent.append(request)
            return {"id_token": "x", "token_type": "Bearer"}
        return provider.fetch(request)

    client = OidcClient(OidcProvider(ISSUER, CLIENT_ID, "s3cret"), fetch_json=fetch)
    assert client.exchange_code(code="c1", redirect_uri="https://x/cb", code_verifier="v" * 43) == "x"
    form = urllib.parse.parse_qs(sent[0].data.decode())
    assert form["code_verifier"] == ["v" * 43] and form["code"] == ["c1"]
    assert form["grant_type"] == ["authorization_code"] and form["redirect_uri"] == ["https://x/cb"]
    basic = base64.b64decode(sent[0].headers["Authorization"].split()[1]).decode()
    assert basic == f"{CLIENT_ID}:s3cret"


def test_a_refused_token_request_is_code_rejected(provider):
    def fetch(request):
        if request.full_url.endswith("/token"):
            return {"_status": 400, "error": "invalid_grant"}
        return provider.fetch(request)

    client = OidcClient(OidcProvider(ISSUER, CLIENT_ID, None), fetch_json=fetch)
    with pytest.raises(OidcError) as error:
        client.exchange_code(code="used", redirect_uri="https://x/cb", code_verifier="v" * 43)
    assert error.value.reason == "code_rejected"
