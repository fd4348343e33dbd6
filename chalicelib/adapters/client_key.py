"""Our own signing key as an OpenID Connect client: `private_key_jwt` client authentication.

The key is never written anywhere. A region keeps one secret (Secrets Manager in the cloud,
generated per run locally): either a private JWK (JSON) an operator made, or — the default,
since CloudFormation can generate a random secret but not a key pair — a random string from
which an EC P-256 key is derived (HKDF-SHA256 to a scalar). The public half is served at
`/.well-known/jwks.json`, where the providers fetch it.
"""

from __future__ import annotations

import json
import secrets
import time
from functools import cached_property
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from joserfc.jwk import ECKey, RSAKey

ASSERTION_LIFETIME_SECONDS = 60
JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
# The order of the P-256 group: a derived scalar must lie in [1, n-1].
_P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


class ClientKey:
    def __init__(self, secret: str) -> None:
        if len(secret) < 32:
            raise ValueError("the client key secret must hold at least 32 characters")
        self._secret = secret

    @cached_property
    def _key(self) -> ECKey | RSAKey:
        # joserfc and cryptography load on first use: only the login callback needs them.
        from joserfc.jwk import ECKey, import_key

        if self._secret.lstrip().startswith("{"):
            key = import_key(json.loads(self._secret))
        else:
            from cryptography.hazmat.primitives import hashes, serialization
            from cryptography.hazmat.primitives.asymmetric import ec
            from cryptography.hazmat.primitives.kdf.hkdf import HKDF

            material = HKDF(hashes.SHA256(), 48, salt=None, info=b"oidc-client-key/es256").derive(self._secret.encode())
            scalar = int.from_bytes(material, "big") % (_P256_ORDER - 1) + 1
            private = ec.derive_private_key(scalar, ec.SECP256R1())
            pem = private.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
            key = ECKey.import_key(pem)
        if not key.is_private:
            raise ValueError("the client key must be a private key")
        key.ensure_kid()
        return key

    @property
    def algorithm(self) -> str:
        key = self._key
        if key.key_type == "EC":
            return {"P-256": "ES256", "P-384": "ES384", "P-521": "ES512"}[key.curve_name]
        return "RS256"

    def public_jwks(self) -> dict[str, Any]:
        public = self._key.as_dict(private=False)
        return {"keys": [{**public, "use": "sig", "alg": self.algorithm}]}

    def assertion(self, client_id: str, audience: str, now: float | None = None) -> str:
        """A fresh client assertion (RFC 7523): new jti and a one-minute life, per call."""
        from joserfc import jwt

        issued = int(now if now is not None else time.time())
        claims = {
            "iss": client_id,
            "sub": client_id,
            "aud": audience,
            "jti": secrets.token_urlsafe(24),
            "iat": issued,
            "exp": issued + ASSERTION_LIFETIME_SECONDS,
        }
        return jwt.encode({"alg": self.algorithm, "kid": self._key.kid, "typ": "JWT"}, claims, self._key)
