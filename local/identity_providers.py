"""Region Demo's two OpenID providers, set up as a Swedish region's brokers are: the e-ID broker
for citizens and the SITHS provider for staff. Used by `make run`, the tests and the bench.

Both are panva's oidc-provider (local/idp), configured per the Swedish OIDC profile: PKCE
required, our client authenticated with private_key_jwt, claims released by scope, levels of
assurance (acr), RP-initiated logout. The e-ID broker puts the personnummer in the ID token as the
profile says (§4.4) and signs userinfo (§4.3); the SITHS provider releases its claims from
userinfo only: the app must handle both.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import date
from typing import Any

from chalicelib.adapters.client_key import ClientKey
from demo import region_demo
from local.oidc_provider import SWEDISH_SCOPES, RegisteredClient, TestPerson, running_provider

CITIZEN_CLIENT_ID = "eservices-citizen"
STAFF_CLIENT_ID = "eservices-staff"
STAFF_HSA_ID_CLAIM = "employeeHsaId"
# What the SITHS provider releases for the `profile` scope the staff client asks for.
STAFF_SCOPES = {"profile": ["given_name", "family_name", "name", "title", STAFF_HSA_ID_CLAIM]}


def _client(client_id: str, base: str, callback: str, logged_out: str, key: ClientKey, *, jwks_by_url: bool,
            signed_userinfo: bool = False) -> RegisteredClient:  # fmt: skip
    return RegisteredClient(
        client_id=client_id,
        redirect_uris=[f"{base}{callback}"],
        post_logout_redirect_uris=[f"{base}{logged_out}"],
        token_endpoint_auth_method="private_key_jwt",
        # The local stack's providers fetch our keys where a region's broker would; in-process tests
        # (no app listening) register them inline.
        jwks=None if jwks_by_url else key.public_jwks(),
        jwks_uri=f"{base}/.well-known/jwks.json" if jwks_by_url else None,
        userinfo_signed_response_alg="RS256" if signed_userinfo else None,
    )


@contextlib.contextmanager
def region_demo_providers(
    *,
    public_base_url: str,
    client_key_secret: str,
    today: date,
    citizen_port: int = 0,
    staff_port: int = 0,
    jwks_by_url: bool = False,
    extra_citizens: dict[str, dict[str, Any]] | None = None,
    extra_staff: dict[str, dict[str, Any]] | None = None,
) -> Iterator[dict[str, str]]:
    """Starts both providers with Region Demo's people; yields the app's settings for them."""
    key = ClientKey(client_key_secret)
    citizens = [
        TestPerson(c.sub, f"{c.given_name} {c.family_name}: {c.description}", c.claims())
        for c in region_demo.citizens(today)
    ]
    citizens += [TestPerson(sub, sub, claims) for sub, claims in (extra_citizens or {}).items()]
    staff = [TestPerson(s.sub, f"{s.name}, {s.title}", s.claims(STAFF_HSA_ID_CLAIM)) for s in region_demo.STAFF]
    staff += [TestPerson(sub, sub, claims) for sub, claims in (extra_staff or {}).items()]
    citizen_client = _client(CITIZEN_CLIENT_ID, public_base_url, "/auth/callback", "/logged-out", key,
                             jwks_by_url=jwks_by_url, signed_userinfo=True)  # fmt: skip
    staff_client = _client(STAFF_CLIENT_ID, public_base_url, "/staff/auth/callback", "/staff/logged-out", key,
                           jwks_by_url=jwks_by_url)  # fmt: skip
    with running_provider(
        port=citizen_port, clients=[citizen_client], persons=citizens, scopes=SWEDISH_SCOPES, claims_in_id_token=True
    ) as citizen_idp, running_provider(
        port=staff_port, clients=[staff_client], persons=staff, scopes=STAFF_SCOPES
    ) as staff_idp:
        yield {
            "CITIZEN_OIDC_ISSUER": citizen_idp.issuer,
            "CITIZEN_OIDC_CLIENT_ID": CITIZEN_CLIENT_ID,
            "STAFF_OIDC_ISSUER": staff_idp.issuer,
            "STAFF_OIDC_CLIENT_ID": STAFF_CLIENT_ID,
            "STAFF_OIDC_SCOPES": "profile",
            "STAFF_HSA_ID_CLAIM": STAFF_HSA_ID_CLAIM,
            "OIDC_CLIENT_KEY": client_key_secret,
        }
