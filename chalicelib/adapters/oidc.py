"""OpenID Connect relying party per the Swedish OIDC profile: discovery, the authorization
request, the token request, the userinfo endpoint, and ID-token validation.

Authorization code flow with PKCE (S256), the region's scopes (the personnummer is released by
scope) and `acr_values` (the levels of assurance we accept). The client authenticates with
`private_key_jwt` (a fresh assertion per call) or `client_secret_basic`. The ID token is
accepted only when its signature verifies against the provider's published keys (JWKS), its
`iss` is exactly the discovery document's issuer, and aud, exp, iat (at most five minutes old),
nonce and acr are right. Identity claims the ID token lacks are read from the userinfo
endpoint, plain JSON or a signed JWT as the provider answers. Discovery and keys are cached per
warm Lambda; an unknown `kid` refreshes the keys once (the provider may have rotated them).
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from chalicelib.settings import OidcProvider

if TYPE_CHECKING:
    from joserfc.jwk import KeySet
    from joserfc.jwt import Token

    from chalicelib.adapters.client_key import ClientKey

# joserfc (and the cryptography it loads) is imported on first use: ~65 ms that a cold start
# serving anything but a login callback need not pay.

# Asymmetric algorithms only: "none" and HS* (keyed with the client secret) are refused.
ALLOWED_ALGORITHMS = ["RS256", "PS256", "ES256"]
CLOCK_SKEW_SECONDS = 60
ID_TOKEN_MAX_AGE_SECONDS = 300  # an ID token issued longer ago than this is not a fresh login
HTTP_TIMEOUT_SECONDS = 10
METADATA_TTL_SECONDS = 3600


@dataclass(frozen=True)
class HttpResponse:
    status: int
    content_type: str
    body: bytes

    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except ValueError:
            return None


Fetch = Callable[[urllib.request.Request], HttpResponse]


class OidcError(Exception):
    """Why a login was not accepted; `reason` is a stable code. Never carries token contents."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Tokens:
    id_token: str
    access_token: str | None


def _fetch(request: urllib.request.Request) -> HttpResponse:
    try:
        with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT_SECONDS) as response:  # noqa: S310 (https in AWS)
            return HttpResponse(response.status, response.headers.get_content_type(), response.read())
    except urllib.error.HTTPError as error:
        return HttpResponse(error.code, error.headers.get_content_type() if error.headers else "", error.read())
    except (urllib.error.URLError, TimeoutError, OSError):
        return HttpResponse(0, "", b"")


def pkce_challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


class OidcClient:
    def __init__(self, provider: OidcProvider, client_key: ClientKey | None = None, fetch: Fetch = _fetch) -> None:
        if provider.client_auth == "private_key_jwt" and client_key is None:
            raise ValueError("private_key_jwt needs the client key")
        self._provider = provider
        self._client_key = client_key
        self._fetch = fetch
        self._metadata: dict[str, Any] | None = None
        self._metadata_at = 0.0
        self._keys: KeySet | None = None

    @property
    def client_id(self) -> str:
        return self._provider.client_id

    def metadata(self) -> dict[str, Any]:
        if self._metadata is None or time.monotonic() - self._metadata_at > METADATA_TTL_SECONDS:
            # OpenID Connect Discovery 1.0 §4: a terminating "/" is removed before the suffix.
            url = f"{self._provider.issuer.rstrip('/')}/.well-known/openid-configuration"
            response = self._fetch(urllib.request.Request(url, headers={"Accept": "application/json"}))
            document = response.json() if response.status == 200 else None
            if not isinstance(document, dict) or not isinstance(document.get("issuer"), str):
                raise OidcError("provider_unavailable")
            # The region may write the issuer with or without the trailing "/"; from here on the
            # provider's own spelling is the one every token must carry, character for character.
            if document["issuer"].rstrip("/") != self._provider.issuer.rstrip("/"):
                raise OidcError("provider_issuer_mismatch")
            self._metadata = document
            self._metadata_at = time.monotonic()
        return self._metadata

    @property
    def issuer(self) -> str:
        return str(self.metadata()["issuer"])

    def authorization_url(
        self, *, redirect_uri: str, state: str, nonce: str, code_verifier: str, force_login: bool = False
    ) -> str:
        params = {
            "response_type": "code",
            "client_id": self._provider.client_id,
            "redirect_uri": redirect_uri,
            "scope": " ".join(self._provider.scopes),
            "acr_values": " ".join(self._provider.acr_values),
            "state": state,
            "nonce": nonce,
            "code_challenge": pkce_challenge(code_verifier),
            "code_challenge_method": "S256",
        }
        if force_login:  # after a logout in this browser: the provider must ask the person again
            params["prompt"] = "login"
        return f"{self.metadata()['authorization_endpoint']}?{urllib.parse.urlencode(params)}"

    def end_session_endpoint(self) -> str | None:
        endpoint = self.metadata().get("end_session_endpoint")
        return endpoint if isinstance(endpoint, str) and endpoint else None

    def _client_authentication(self, form: dict[str, str], headers: dict[str, str]) -> None:
        if self._provider.client_auth == "private_key_jwt":
            assert self._client_key is not None
            form["client_assertion_type"] = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
            # The issuer identifier as the single audience (RFC 7523 as FAPI 2.0 and the 2025 OpenID
            # Foundation advisory read it); every conformant provider accepts it at the token endpoint.
            form["client_assertion"] = self._client_key.assertion(self._provider.client_id, self.issuer)
        else:
            quote = urllib.parse.quote
            basic = f"{quote(self._provider.client_id, safe='')}:{quote(self._provider.client_secret or '', safe='')}"
            headers["Authorization"] = "Basic " + base64.b64encode(basic.encode()).decode()

    def exchange_code(self, *, code: str, redirect_uri: str, code_verifier: str) -> Tokens:
        """Trade the authorization code for the ID token (and the access token for userinfo)."""
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "code_verifier": code_verifier,
            "client_id": self._provider.client_id,
        }
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}
        self._client_authentication(form, headers)
        request = urllib.request.Request(
            self.metadata()["token_endpoint"], data=urllib.parse.urlencode(form).encode(), headers=headers, method="POST"
        )
        response = self._fetch(request)
        body = response.json() if response.status == 200 else None
        if not isinstance(body, dict) or not isinstance(body.get("id_token"), str):
            raise OidcError("code_rejected")
        access_token = body.get("access_token")
        return Tokens(body["id_token"], access_token if isinstance(access_token, str) else None)

    def userinfo(self, access_token: str | None, *, subject: str) -> dict[str, Any]:
        """The userinfo claims of the ID token's subject; a signed response (application/jwt) is
        verified like an ID token. OpenID Connect Core §5.3.2: `sub` must be the same."""
        endpoint = self.metadata().get("userinfo_endpoint")
        if not access_token or not isinstance(endpoint, str):
            raise OidcError("userinfo_unavailable")
        request = urllib.request.Request(
            endpoint, headers={"Authorization": f"Bearer {access_token}", "Accept": "application/json, application/jwt"}
        )
        response = self._fetch(request)
        if response.status != 200:
            raise OidcError("userinfo_unavailable")
        if response.content_type == "application/jwt":
            claims = self._verified_userinfo_jwt(response.body.decode("ascii", "replace").strip())
        else:
            claims = response.json()
        if not isinstance(claims, dict) or claims.get("sub") != subject:
            raise OidcError("userinfo_subject_mismatch")
        return claims

    def _verified_userinfo_jwt(self, signed: str) -> dict[str, Any]:
        from joserfc.errors import JoseError
        from joserfc.jwt import JWTClaimsRegistry

        token = self._decode(signed)
        registry = JWTClaimsRegistry(
            leeway=CLOCK_SKEW_SECONDS,
            iss={"essential": True, "value": self.issuer},
            aud={"essential": True, "value": self._provider.client_id},
        )
        try:
            registry.validate(token.claims)
        except JoseError:
            raise OidcError("userinfo_claims") from None
        return dict(token.claims)

    def _key_set(self, refresh: bool = False) -> KeySet:
        from joserfc.jwk import KeySet

        if self._keys is None or refresh:
            response = self._fetch(urllib.request.Request(self.metadata()["jwks_uri"]))
            document = response.json() if response.status == 200 else None
            if not isinstance(document, dict) or "keys" not in document:
                raise OidcError("provider_unavailable")
            self._keys = KeySet.import_key_set(document)
        return self._keys

    def validate_id_token(self, id_token: str, *, nonce: str, now: int | None = None) -> dict[str, Any]:
        """Verify signature, issuer (exactly), audience, expiry, age, nonce and level of assurance."""
        from joserfc.errors import JoseError
        from joserfc.jwt import JWTClaimsRegistry

        token = self._decode(id_token)
        now = int(time.time()) if now is None else now
        registry = JWTClaimsRegistry(
            now=now,
            leeway=CLOCK_SKEW_SECONDS,
            iss={"essential": True, "value": self.issuer},
            aud={"essential": True, "value": self._provider.client_id},
            exp={"essential": True},
            iat={"essential": True},
            sub={"essential": True},
            nonce={"essential": True, "value": nonce},
        )
        try:
            registry.validate(token.claims)
        except JoseError as error:
            raise OidcError(f"id_token_{getattr(error, 'claim', None) or error.error}") from None
        claims = token.claims
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        if len(audiences) > 1 and claims.get("azp") != self._provider.client_id:
            raise OidcError("id_token_azp")
        issued_at = claims["iat"]
        if not isinstance(issued_at, int | float) or now - issued_at > ID_TOKEN_MAX_AGE_SECONDS + CLOCK_SKEW_SECONDS:
            raise OidcError("id_token_too_old")
        if claims.get("acr") not in self._provider.acr_values:
            raise OidcError("acr_not_accepted")
        return dict(claims)

    def _decode(self, signed: str) -> Token:
        from joserfc import jwt
        from joserfc.errors import InvalidKeyIdError, JoseError, MissingKeyError

        for refresh in (False, True):
            try:
                return jwt.decode(signed, self._key_set(refresh=refresh), algorithms=ALLOWED_ALGORITHMS)
            except (InvalidKeyIdError, MissingKeyError, ValueError) as error:
                # No published key matches the token's kid: fetch the keys once more.
                if refresh:
                    raise OidcError("id_token_unknown_key") from error
            except JoseError:
                raise OidcError("id_token_signature") from None
        raise OidcError("id_token_signature")  # unreachable; keeps type checkers content
