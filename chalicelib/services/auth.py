"""Login with e-ID (citizens) and SITHS (staff) through OpenID Connect, and server-side sessions.

A login attempt is bound three ways: `state` (256 random bits, single use, stored only as a
hash), a browser-binding cookie whose hash is stored beside it, and the `nonce` that must come
back inside the signed ID token. PKCE (S256) binds the code to this attempt at the provider.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from chalicelib.adapters.oidc import OidcClient, OidcError
from chalicelib.adapters.stores import sha256_hex
from chalicelib.adapters.tables import LoginAttempt, SessionRecord
from chalicelib.domain.clock import stockholm_date
from chalicelib.domain.guardianship import guardian_may_act_for
from chalicelib.domain.personnummer import InvalidPersonnummer, Personnummer, is_twelve_digits, parse
from chalicelib.errors import LoginFailed, LoginRefused
from chalicelib.observability import logger, record_metric
from chalicelib.services.ports import Ports
from chalicelib.services.principals import CitizenPrincipal, StaffPrincipal

Audience = Literal["citizen", "staff"]

# The Swedish OIDC profile's identity claims (https://www.oidc.se).
PERSONAL_IDENTITY_NUMBER_CLAIM = "https://id.oidc.se/claim/personalIdentityNumber"
COORDINATION_NUMBER_CLAIM = "https://id.oidc.se/claim/coordinationNumber"

LOGIN_ATTEMPT_LIFETIME = timedelta(minutes=10)
SESSION_TOUCH_INTERVAL = timedelta(seconds=60)  # idle time is tracked to the minute, not per request


@dataclass(frozen=True)
class LoginStart:
    authorization_url: str
    browser_binding: str  # goes into a short-lived HttpOnly cookie


@dataclass(frozen=True)
class Callback:
    """What the provider sent back to the callback, with the browser's binding cookie."""

    state: str | None
    code: str | None
    browser_binding: str | None
    provider_error: str | None  # e.g. "access_denied" when the person cancelled


@dataclass(frozen=True)
class NewSession:
    token: str  # the session cookie's value
    kind: Audience


def redirect_uri(ports: Ports, audience: Audience) -> str:
    base = ports.settings.public_base_url
    return f"{base}/auth/callback" if audience == "citizen" else f"{base}/staff/auth/callback"


def _oidc(ports: Ports, audience: Audience) -> OidcClient:
    return ports.citizen_oidc if audience == "citizen" else ports.staff_oidc


def begin_login(ports: Ports, audience: Audience, now: datetime) -> LoginStart:
    state = secrets.token_urlsafe(32)
    nonce = secrets.token_urlsafe(32)
    verifier = secrets.token_urlsafe(64)
    binding = secrets.token_urlsafe(32)
    url = _oidc(ports, audience).authorization_url(
        redirect_uri=redirect_uri(ports, audience), state=state, nonce=nonce, code_verifier=verifier
    )
    ports.login_attempts.put(
        LoginAttempt(
            sha256_hex(state),
            audience=audience,
            nonce=nonce,
            code_verifier=verifier,
            browser_binding_hash=sha256_hex(binding),
            created_at=now,
            expires_at=now + LOGIN_ATTEMPT_LIFETIME,
        )
    )
    return LoginStart(authorization_url=url, browser_binding=binding)


def _fail(audience: Audience, reason: str) -> LoginFailed:
    logger.warning("login failed", extra={"audience": audience, "reason": reason})
    record_metric(f"{audience.capitalize()}LoginFailed")
    return LoginFailed(reason, "Inloggningen kunde inte genomföras.")


def _verified_claims(ports: Ports, audience: Audience, callback: Callback, now: datetime) -> dict[str, Any]:
    if callback.provider_error:
        raise _fail(audience, "provider_error")
    if not callback.state or not callback.code:
        raise _fail(audience, "missing_parameters")
    attempt = ports.login_attempts.take(callback.state)
    if attempt is None:
        raise _fail(audience, "state_unknown_or_used")
    if attempt.audience != audience or attempt.expires_at < now:
        raise _fail(audience, "state_expired")
    binding = callback.browser_binding
    if not binding or not hmac.compare_digest(attempt.browser_binding_hash, sha256_hex(binding)):
        raise _fail(audience, "state_not_bound_to_browser")
    oidc = _oidc(ports, audience)
    try:
        id_token = oidc.exchange_code(
            code=callback.code, redirect_uri=redirect_uri(ports, audience), code_verifier=attempt.code_verifier
        )
        return oidc.validate_id_token(id_token, nonce=attempt.nonce, now=int(now.timestamp()))
    except OidcError as error:
        raise _fail(audience, error.reason) from None


def personnummer_from_claims(claims: dict[str, Any], today: Any) -> Personnummer:
    """The person's number from the Swedish OIDC profile claims; a coordination-number claim must
    hold a samordningsnummer, a personal-identity-number claim must not."""
    for claim, coordination in ((PERSONAL_IDENTITY_NUMBER_CLAIM, False), (COORDINATION_NUMBER_CLAIM, True)):
        value = claims.get(claim)
        if value is None:
            continue
        if not is_twelve_digits(value):  # ASCII only: str.isdigit() also takes fullwidth digits
            raise InvalidPersonnummer("Identitetsnumret ska ha tolv siffror.")
        pnr = parse(value, today)
        if pnr.is_coordination_number != coordination:
            raise InvalidPersonnummer("Identitetsnumret är av fel slag för sitt attribut.")
        return pnr
    raise InvalidPersonnummer("Inloggningen innehöll inget identitetsnummer.")


def _new_session(ports: Ports, kind: Audience, subject_id: str, display_name: str, now: datetime) -> NewSession:
    token = secrets.token_urlsafe(32)
    ports.sessions.create(
        SessionRecord(
            sha256_hex(token),
            kind=kind,
            subject_id=subject_id,
            display_name=display_name,
            csrf_token=secrets.token_urlsafe(32),
            created_at=now,
            last_seen_at=now,
            expires_at=now + timedelta(hours=ports.settings.session_max_hours),
        )
    )
    return NewSession(token=token, kind=kind)


def complete_citizen_login(ports: Ports, callback: Callback, now: datetime) -> NewSession:
    claims = _verified_claims(ports, "citizen", callback, now)
    try:
        pnr = personnummer_from_claims(claims, stockholm_date(now))
    except InvalidPersonnummer:
        raise _fail("citizen", "personnummer_invalid") from None
    citizen_id = ports.identities.find_or_create(pnr)
    if not ports.accounts.record_login(citizen_id, now):
        logger.info("login refused: login removed", extra={"citizen_id": citizen_id})
        record_metric("CitizenLoginRefused")
        raise LoginRefused("login_removed", "Du kan inte logga in på e-tjänsterna.")
    person = ports.register.get(citizen_id)
    name = person.full_name if person else _name_from_claims(claims)
    session = _new_session(ports, "citizen", citizen_id, name, now)
    logger.info("citizen logged in", extra={"citizen_id": citizen_id})
    record_metric("CitizenLoginSucceeded")
    return session


def complete_staff_login(ports: Ports, callback: Callback, now: datetime) -> NewSession:
    claims = _verified_claims(ports, "staff", callback, now)
    hsa_id = claims.get(ports.settings.staff_hsa_id_claim)
    if not isinstance(hsa_id, str) or not hsa_id.strip():
        raise _fail("staff", "hsa_id_missing")
    if not ports.staff.roles_of(hsa_id):
        logger.info("login refused: no role", extra={"staff_hsa_id": hsa_id})
        record_metric("StaffLoginRefused")
        raise LoginRefused("no_staff_role", "Du har ingen behörighet i e-tjänsternas personalverktyg.")
    name = _name_from_claims(claims)
    title = claims.get(ports.settings.staff_title_claim)
    ports.staff_profiles.remember_login(hsa_id, name, title.strip() if isinstance(title, str) else None, now)
    session = _new_session(ports, "staff", hsa_id, name, now)
    logger.info("staff logged in", extra={"staff_hsa_id": hsa_id})
    record_metric("StaffLoginSucceeded")
    return session


def _name_from_claims(claims: dict[str, Any]) -> str:
    parts = [claims.get("given_name"), claims.get("family_name")]
    name = " ".join(p for p in parts if isinstance(p, str) and p)
    return name or str(claims.get("name") or "")


def _live_session(ports: Ports, token: str | None, kind: Audience, now: datetime) -> SessionRecord | None:
    """The session for this cookie if it is of this kind and neither idle nor past its lifetime."""
    if not token:
        return None
    record = ports.sessions.get(token)
    if record is None or record.kind != kind:
        return None
    idle_limit = timedelta(minutes=ports.settings.session_idle_minutes)
    if now >= record.expires_at or now - record.last_seen_at >= idle_limit:
        ports.sessions.delete(record)
        return None
    if now - record.last_seen_at >= SESSION_TOUCH_INTERVAL:
        ports.sessions.touch(record, now)
    return record


def citizen_principal(ports: Ports, token: str | None, now: datetime) -> CitizenPrincipal | None:
    record = _live_session(ports, token, "citizen", now)
    if record is None:
        return None
    acting_for_id, acting_for_name = record.acting_for_id, None
    if acting_for_id:
        # Re-checked on every request: a 13th birthday or a new protected identity ends it at once.
        child = ports.register.get(acting_for_id)
        if child and record.subject_id in child.guardian_ids and guardian_may_act_for(
            child.as_child(), stockholm_date(now)
        ):
            acting_for_name = child.given_name
        else:
            ports.sessions.set_acting_for(record, None)
            acting_for_id = None
    return CitizenPrincipal(
        citizen_id=record.subject_id,
        display_name=record.display_name,
        acting_for_id=acting_for_id,
        acting_for_name=acting_for_name,
        csrf_token=record.csrf_token,
    )


def staff_principal(ports: Ports, token: str | None, now: datetime) -> StaffPrincipal | None:
    record = _live_session(ports, token, "staff", now)
    if record is None:
        return None
    roles = tuple(ports.staff.roles_of(record.subject_id))  # read each request: a revoked role ends access
    if not roles:
        ports.sessions.delete(record)
        return None
    return StaffPrincipal(
        hsa_id=record.subject_id, display_name=record.display_name, roles=roles, csrf_token=record.csrf_token
    )


def logout(ports: Ports, token: str | None) -> None:
    if token and (record := ports.sessions.get(token)):
        ports.sessions.delete(record)

