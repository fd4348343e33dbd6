"""OpenID Connect relying party: discovery, the token request, and ID-token validation.

Authorization code flow with PKCE (S256). The ID token is accepted only when its signature
verifies against the provider's published keys (JWKS) and iss, aud, exp and nonce are right.
Discovery and keys are cached per warm Lambda; an unknown `kid` refreshes the keys once
(the provider may have rotated them).
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
from typing import TYPE_CHECKING, Any

from chalicelib.settings import OidcProvider

if TYPE_CHECKING:
    from joserfc.jwk import KeySet
    from joserfc.jwt import Token

# joserfc (and the cryptography it loads) is imported on first use: ~65 ms that a cold start
# serving anything but a login callback need not pay.

# Asymmetric algorithms only: "none" and HS* (keyed with the client secret) are refused.
ALLOWED_ALGORITHMS = ["RS256", "PS256", "ES256"]
CLOCK_SKEW_SECONDS = 60
HTTP_TIMEOUT_SECONDS = 10
METADATA_TTL_SECONDS = 3600

FetchJson = Callable[[urllib.request.Request], Any]


class OidcError(Exception):
    """Why a login was not accepted; `reason` is a stable code. Never carries token contents."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _fetch_json(request: urllib.request.Request) -> Any:
    try:
        with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT_SECONDS) as response:  # noqa: S310 (https in AWS)
            return json.loads(response.read())
    except urllib.error.HTTPError as error:
        body = error.read()
        try:
            return {"_status": error.code, **json.loads(body)}
        except ValueError:
            return {"_status": error.code}


def pkce_challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


class OidcClient:
    def __init__(self, provider: OidcProvider, fetch_json: FetchJson = _fetch_json) -> None:
        self._provider = provider
        self._fetch = fetch_json
        self._metadata: dict[str, Any] | None = None
        self._metadata_at = 0.0
        self._keys: KeySet | None = None

    @property
    def client_id(self) -> str:
        return self._provider.client_id

    def metadata(self) -> dict[str, Any]:
        if self._metadata is None or time.monotonic() - self._metadata_at > METADATA_TTL_SECONDS:
            url = f"{self._provider.issuer}/.well-known/openid-configuration"
            document = self._fetch(urllib.request.Request(url, headers={"Accept": "application/json"}))
            if not isinstance(document, dict) or "_status" in document:
                raise OidcError("provider_unavailable")
            if document.get("issuer", "").rstrip("/") != self._provider.issuer:
                raise OidcError("provider_issuer_mismatch")
            self._metadata = document
            self._metadata_at = time.monotonic()
        return self._metadata

    def authorization_url(self, *, redirect_uri: str, state: str, nonce: str, code_verifier: str) -> str:
        params = {
            "response_type": "code",
            "client_id": self._provider.client_id,
            "redirect_uri": redirect_uri,
            "scope": "openid profile",
            "state": state,
            "nonce": nonce,
            "code_challenge": pkce_challenge(code_verifier),
            "code_challenge_method": "S256",
        }
        return f"{self.metadata()['authorization_endpoint']}?{urllib.parse.urlencode(params)}"

    def exchange_code(self, *, code: str, redirect_uri: str, code_verifier: str) -> str:
        """Trade the authorization code for tokens; returns the raw ID token."""
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "code_verifier": code_verifier,
            "client_id": self._provider.client_id,
        }
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}
        if self._provider.client_secret:
            basic = f"{urllib.parse.quote(self._provider.client_id)}:{urllib.parse.quote(self._provider.client_secret)}"
            headers["Authorization"] = "Basic " + base64.b64encode(basic.encode()).decode()
        request = urllib.request.Request(
            self.metadata()["token_endpoint"],
            data=urllib.parse.urlencode(form).encode(),
            headers=headers,
            method="POST",
        )
        response = self._fetch(request)
        if not isinstance(response, dict) or "_status" in response or "id_token" not in response:
            raise OidcError("code_rejected")
        return str(response["id_token"])

    def _key_set(self, refresh: bool = False) -> KeySet:
        from joserfc.jwk import KeySet

        if self._keys is None or refresh:
            document = self._fetch(urllib.request.Request(self.metadata()["jwks_uri"]))
            if not isinstance(document, dict) or "keys" not in document:
                raise OidcError("provider_unavailable")
            self._keys = KeySet.import_key_set(document)
        return self._keys

    def validate_id_token(self, id_token: str, *, nonce: str, now: int | None = None) -> dict[str, Any]:
        """Verify signature, issuer, audience, expiry and nonce; return the claims."""
        from joserfc.errors import JoseError
        from joserfc.jwt import JWTClaimsRegistry

        token = self._decode(id_token)
        registry = JWTClaimsRegistry(
            now=now,
            leeway=CLOCK_SKEW_SECONDS,
            iss={"essential": True, "value": self._provider.issuer},
            aud={"essential": True, "value": self._provider.client_id},
            exp={"essential": True},
            sub={"essential": True},
            nonce={"essential": True, "value": nonce},
        )
        try:
            registry.validate(token.claims)
        except JoseError as error:
            raise OidcError(f"id_token_{getattr(error, 'claim', None) or error.error}") from None
        audiences = token.claims["aud"] if isinstance(token.claims["aud"], list) else [token.claims["aud"]]
        if len(audiences) > 1 and token.claims.get("azp") != self._provider.client_id:
            raise OidcError("id_token_azp")
        return token.claims

    def _decode(self, id_token: str) -> Token:
        from joserfc import jwt
        from joserfc.errors import InvalidKeyIdError, JoseError, MissingKeyError

        for refresh in (False, True):
            try:
                return jwt.decode(id_token, self._key_set(refresh=refresh), algorithms=ALLOWED_ALGORITHMS)
            except (InvalidKeyIdError, MissingKeyError, ValueError) as error:
                # No published key matches the token's kid: fetch the keys once more.
                if refresh:
                    raise OidcError("id_token_unknown_key") from error
            except JoseError:
                raise OidcError("id_token_signature") from None
        raise OidcError("id_token_signature")  # unreachable; keeps type checkers content
